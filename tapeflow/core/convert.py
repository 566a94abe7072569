"""Conversion of Python and NumPy values to Tensors, with TensorFlow's dtype rules.

- A Python float becomes float32, an int int32 (int64 if it does not fit), a
  bool bool, a str/bytes tf.string; nested lists follow the same rules.
- NumPy arrays and scalars keep their dtype (float64 stays float64).
- With an explicit `dtype`, NumPy values are cast; Python values must be
  representable (1.5 cannot become int32: TypeError, as in TF).
- A `dtype_hint` is used when the value converts to it, and ignored otherwise.
"""
import numbers

from tapeflow.core import dtypes as _dtypes
from tapeflow.core.array_api import ndarray, xp
from tapeflow.core.tensor import Tensor, TensorLike, wrap

_INT32_MIN, _INT32_MAX = -(2 ** 31), 2 ** 31 - 1
_scalar_cache = {}
_SCALAR_CACHE_SIZE = 2048

# Set by the ops layer: stacks a list of tensors (so `[t1, t2]` converts, differentiably).
_pack = None
# Set by variable.py: reads a Variable into a Tensor.
_read_variable = None


def register_pack_function(fn):
    global _pack
    _pack = fn


def register_variable_reader(fn):
    global _read_variable
    _read_variable = fn


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None, preferred_dtype=None):
    """Converts `value` to a Tensor following TF's rules (see the module docstring).

    Raises:
      ValueError: a Tensor of another dtype than `dtype`, or an unconvertible value.
      TypeError: a Python value that `dtype` cannot represent.
    """
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    hint = dtype_hint if dtype_hint is not None else preferred_dtype
    if isinstance(value, Tensor):
        if dtype is not None and value._dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {value._dtype.name}: {value!r}")
        return value
    if isinstance(value, TensorLike):   # a Variable
        if dtype is not None and value.dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for variable "
                             f"with dtype {value.dtype.name}: {value!r}")
        return _read_variable(value)
    converter = getattr(value, "__tf_tensor__", None)
    if converter is not None:
        return converter(dtype, name)
    if _conversion_functions:
        converted = _convert_registered(value, dtype, name)
        if converted is not None:
            return converted
    if dtype is None and hint is not None:
        try:
            return wrap(_to_array(value, _dtypes.as_dtype(hint), strict=True))
        except (TypeError, ValueError):
            pass
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        return _pack_nested(value, dtype)
    return wrap(_to_array(value, dtype))


# -- tf.register_tensor_conversion_function -------------------------------------------

_conversion_functions = []   # (priority, registration order, base type, function)
_UNREGISTRABLE = (int, float, bool, complex, str, bytes, ndarray, xp.generic)


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Registers `conversion_func(value, dtype=None, name=None, as_ref=False)` for values of
    `base_type` (a type or tuple of types); lower `priority` values are tried first.

    A function may return NotImplemented to let the next one try.

    Raises:
      TypeError: `base_type` is not a type, is a Python number type or a NumPy
        type, or `conversion_func` is not callable.
    """
    types = base_type if isinstance(base_type, tuple) else (base_type,)
    if not all(isinstance(t, type) for t in types):
        raise TypeError("base_type must be a type or a tuple of types.")
    if any(issubclass(t, _UNREGISTRABLE) for t in types):
        raise TypeError("Cannot register conversions for Python numeric types and NumPy "
                        "scalars and arrays.")
    if not callable(conversion_func):
        raise TypeError("conversion_func must be callable.")
    _conversion_functions.append((priority, len(_conversion_functions), types,
                                  conversion_func))
    _conversion_functions.sort(key=lambda entry: entry[:2])


def _convert_registered(value, dtype, name):
    for _, _, types, fn in _conversion_functions:
        if not isinstance(value, types):
            continue
        result = fn(value, dtype=dtype, name=name, as_ref=False)
        if result is NotImplemented:
            continue
        if not isinstance(result, TensorLike):
            raise RuntimeError(f"{fn!r} returned non-Tensor: {result!r}")
        if dtype is not None and result.dtype is not dtype:
            raise RuntimeError(f"{fn!r} returned incompatible dtype: requested = "
                               f"{dtype.name}, actual = {result.dtype.name}")
        return result if isinstance(result, Tensor) else _read_variable(result)
    return None


def constant(value, dtype=None, shape=None, name="Const"):
    """Creates a constant tensor from a value (TF's `tf.constant`).

    >>> constant([1, 2]).dtype
    tf.int32
    """
    if isinstance(value, Tensor) or isinstance(value, TensorLike):
        tensor = convert_to_tensor(value)
        if dtype is not None and tensor.dtype is not _dtypes.as_dtype(dtype):
            array = xp.asarray(tensor._value).astype(_dtypes.as_dtype(dtype)._np)
        else:
            array = tensor._value
    else:
        array = _to_array(value, None if dtype is None else _dtypes.as_dtype(dtype),
                          lenient=True)
    if shape is not None:
        array = _reshape_for_constant(array, value, tuple(int(d) for d in shape))
    return wrap(array)


def _reshape_for_constant(array, value, shape):
    size = 1
    for d in shape:
        size *= d
    if array.size == size:
        return array.reshape(shape)
    if array.size == 1:
        return xp.broadcast_to(array.reshape(()), shape).copy()
    raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {array} "
                    f"(converted from {value!r}) has {array.size} elements, but got `shape` "
                    f"{shape} with {size} elements).")


def _to_array(value, dtype, strict=False, lenient=False):
    """An ndarray (owned, not aliasing the caller's data) for a non-tensor value."""
    if isinstance(value, (ndarray, xp.generic)):
        array = xp.array(value, copy=True)
        if dtype is None:
            return _strings_to_bytes(array) if array.dtype.kind in "SU" else array
        if strict and not xp.can_cast(array.dtype, dtype._np, "same_kind"):
            raise TypeError(f"Cannot convert {array.dtype} to {dtype.name}")
        return _cast_array(array, dtype)
    if value is None:
        raise ValueError(f"Attempt to convert a value (None) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    kind = _python_kind(value)
    if kind == "numpy":   # a list of NumPy scalars keeps their dtype
        array = xp.array(value)
        return array if dtype is None else _cast_array(array, dtype)
    if kind == "str":
        return _strings_to_bytes(xp.array(value, dtype=object))
    try:
        array = xp.array(value)
    except ValueError:
        array = None
    if array is None or array.dtype == object:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
    if dtype is None:
        return _python_default(array, kind)
    return _python_to_dtype(array, value, kind, dtype, lenient)


def _python_default(array, kind):
    if kind in ("float", "empty"):   # TF: tf.constant([]) is float32
        return array.astype(xp.float32)
    if kind == "int":
        if array.size and (array.min() < _INT32_MIN or array.max() > _INT32_MAX):
            return array.astype(xp.int64)
        return array.astype(xp.int32)
    return array   # bool, complex (complex128, as in TF)


def _python_to_dtype(array, value, kind, dtype, lenient):
    ok = True
    if dtype.is_bool:
        ok = kind in ("bool", "empty")
    elif dtype.is_integer:
        ok = kind in ("int", "bool", "empty")
    elif dtype.is_floating:
        ok = kind != "complex"
    elif dtype is _dtypes.string:
        ok = False
    if not ok:
        shown = value if not isinstance(value, (list, tuple)) else value
        raise TypeError(f"Cannot convert {shown!r} to EagerTensor of dtype {dtype.name}")
    return _cast_array(array, dtype)


def _cast_array(array, dtype):
    if dtype is _dtypes.string:
        if array.dtype.kind in "SUO":
            return _strings_to_bytes(array.astype(object))
        raise TypeError(f"Cannot convert array of dtype {array.dtype} to tf.string")
    return array.astype(dtype._np, copy=False)


def _strings_to_bytes(array):
    out = xp.empty(array.shape, dtype=object)
    flat_out = out.reshape(-1)
    for i, item in enumerate(array.reshape(-1).tolist()):
        flat_out[i] = item.encode("utf-8") if isinstance(item, str) else item
    return out


def _python_kind(value):
    """The element kind of a (nested) Python value: bool, int, float, complex, str, numpy."""
    kinds = set()
    _collect_kinds(value, kinds)
    if not kinds:
        return "empty"
    if kinds == {"numpy"}:
        return "numpy"
    kinds.discard("numpy")
    if "str" in kinds:
        if len(kinds) > 1:
            raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
        return "str"
    if "bool" in kinds and len(kinds) > 1:
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    for kind in ("complex", "float", "int", "bool"):
        if kind in kinds:
            return kind
    return "float"


def _collect_kinds(value, kinds):
    if isinstance(value, (list, tuple)):
        for item in value:
            _collect_kinds(item, kinds)
    elif isinstance(value, bool):
        kinds.add("bool")
    elif isinstance(value, xp.generic):
        kinds.add("numpy")
    elif isinstance(value, numbers.Integral):
        kinds.add("int")
    elif isinstance(value, numbers.Real):
        kinds.add("float")
    elif isinstance(value, numbers.Complex):
        kinds.add("complex")
    elif isinstance(value, (str, bytes)):
        kinds.add("str")
    elif isinstance(value, ndarray):
        kinds.add("numpy")
    else:
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")


def _contains_tensor(value):
    for item in value:
        if isinstance(item, (list, tuple)):
            if _contains_tensor(item):
                return True
        elif isinstance(item, TensorLike):
            return True
    return False


def _pack_nested(value, dtype):
    items = []
    for item in value:
        if isinstance(item, (list, tuple)):
            items.append(_pack_nested(item, dtype))
        else:
            items.append(item)
    first = next((x for x in items if isinstance(x, TensorLike)), None)
    target = dtype or first.dtype
    items = [convert_to_tensor(x, dtype=target) for x in items]
    return _pack(items)


def scalar_like(value, dtype):
    """A cached rank-0 tensor of `dtype` for a Python scalar (hot path of `x * 2.0`)."""
    key = (type(value), value, id(dtype))
    cached = _scalar_cache.get(key)
    if cached is not None:
        return cached
    tensor = wrap(_to_array(value, dtype))
    if value != 0 and len(_scalar_cache) < _SCALAR_CACHE_SIZE:   # 0 excluded: -0.0 == 0.0
        _scalar_cache[key] = tensor
    return tensor
