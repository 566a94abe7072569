"""DType objects and TensorFlow's dtype rules.

TF's rules, not NumPy's: a Python float becomes float32, a Python int int32
(int64 when it does not fit), NumPy arrays keep their dtype, and two tensors of
different dtypes are never silently promoted.
"""
from tapeflow.core.array_api import xp


class DType:
    """A tensor element type (`tf.float32`, `tf.int32`, ...)."""

    __slots__ = ("name", "_np", "is_floating", "is_integer", "is_unsigned", "is_bool",
                 "is_complex", "size", "_bit")
    _count = 0

    def __init__(self, name, np_dtype):
        self.name = name
        self._bit = 1 << DType._count   # ops check allowed dtypes with one bitwise and
        DType._count += 1
        self._np = xp.dtype(np_dtype)
        kind = self._np.kind
        self.is_floating = kind == "f"
        self.is_integer = kind in "iu"
        self.is_unsigned = kind == "u" or kind == "b"
        self.is_bool = kind == "b"
        self.is_complex = kind == "c"
        self.size = self._np.itemsize

    @property
    def as_numpy_dtype(self):
        """The NumPy scalar type (`np.float32`); `object` for `tf.string`."""
        return self._np.type

    @property
    def as_datatype_enum(self):
        return _DATATYPE_ENUM[self.name]

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        if self is complex64:
            return float32
        if self is complex128:
            return float64
        return self

    @property
    def is_numeric(self):
        return self.is_floating or self.is_integer or self.is_complex

    @property
    def is_quantized(self):
        return False

    @property
    def min(self):
        if self.is_floating:
            return float(xp.finfo(self._np).min)
        if self.is_integer:
            return int(xp.iinfo(self._np).min)
        if self.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        if self.is_floating:
            return float(xp.finfo(self._np).max)
        if self.is_integer:
            return int(xp.iinfo(self._np).max)
        if self.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self}.")

    @property
    def limits(self):
        return self.min, self.max

    def is_compatible_with(self, other):
        return self == as_dtype(other)

    def __eq__(self, other):
        if isinstance(other, DType):
            return self is other
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", xp.float16)
half = float16
float32 = DType("float32", xp.float32)
float64 = DType("float64", xp.float64)
double = float64
int8 = DType("int8", xp.int8)
int16 = DType("int16", xp.int16)
int32 = DType("int32", xp.int32)
int64 = DType("int64", xp.int64)
uint8 = DType("uint8", xp.uint8)
uint16 = DType("uint16", xp.uint16)
uint32 = DType("uint32", xp.uint32)
uint64 = DType("uint64", xp.uint64)
bool = DType("bool", xp.bool_)  # noqa: A001 - TF's public name
complex64 = DType("complex64", xp.complex64)
complex128 = DType("complex128", xp.complex128)
# Strings are NumPy object arrays holding `bytes`, as TF's `.numpy()` returns.
string = DType("string", object)

# Opaque Python values inside graphs (loop histories, tensor lists); never user-facing arrays.
variant = DType("variant", object)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32,
       uint64, bool, complex64, complex128, string)
FLOATS = frozenset({float16, float32, float64})
INEXACT = frozenset({float16, float32, float64, complex64, complex128})
INTEGERS = frozenset({int8, int16, int32, int64, uint8, uint16, uint32, uint64})
SIGNED = frozenset({int8, int16, int32, int64}) | INEXACT
NUMBERS = INEXACT | INTEGERS
REAL_NUMBERS = FLOATS | INTEGERS

_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64,
                 "bool_": bool, "complex": complex128, "str": string, "bytes": string,
                 "object": string})
_BY_NP = {d._np: d for d in ALL}
_DATATYPE_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5,
                  "int8": 6, "string": 7, "complex64": 8, "int64": 9, "bool": 10,
                  "uint16": 17, "complex128": 18, "float16": 19, "uint32": 22,
                  "uint64": 23}


def mask(allowed):
    """The bitmask of a set of DTypes (used by ops for a fast allowed-dtype check)."""
    bits = 0
    for dtype in allowed:
        bits |= dtype._bit
    return bits


def from_numpy(np_dtype):
    """The DType of a NumPy dtype; bytes/str arrays map to `tf.string`."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        if np_dtype.kind in "SUO":
            return string
        raise TypeError(f"Cannot convert NumPy dtype {np_dtype} to a tapeflow DType.") from None


def as_dtype(type_value):
    """Converts a DType, a name, a NumPy dtype or a Python type to a `tf.DType`.

    >>> as_dtype("float32")
    tf.float32
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        try:
            return _BY_NAME[type_value]
        except KeyError:
            pass
    elif type_value is str or type_value is bytes:
        return string
    else:
        dtype = getattr(type_value, "dtype", None)   # Tensors, Variables, specs
        if isinstance(dtype, DType):
            return dtype
        try:
            return from_numpy(xp.dtype(type_value))
        except TypeError:
            pass
    raise TypeError(f"Cannot convert {type_value!r} to a dtype.")
