"""TensorSpec: a shape and a dtype, the abstract value of a tensor.

Shape rules receive and return `TensorSpec`s, tracing builds graphs of them,
and `function` signatures are written with them.
"""
from tapeflow.core import dtypes as _dtypes
from tapeflow.core.shape import TensorShape, as_shape


class TensorSpec:
    """Describes a tensor by shape and dtype, without a value.

    Shape rules read `spec.dims` (a tuple with `None` for unknown dimensions, or
    `None` for unknown rank); users read `spec.shape` (a TensorShape).

    >>> TensorSpec([2, None], "float32")
    TensorSpec(shape=(2, None), dtype=tf.float32, name=None)
    """

    __slots__ = ("dims", "dtype", "name")

    def __init__(self, shape, dtype=_dtypes.float32, name=None):
        self.dims = shape if type(shape) is tuple else as_shape(shape)._dims
        self.dtype = _dtypes.as_dtype(dtype)
        self.name = name

    @property
    def shape(self):
        return TensorShape(self.dims)

    @property
    def rank(self):
        return None if self.dims is None else len(self.dims)

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name)

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    def is_compatible_with(self, spec_or_value):
        dtype = getattr(spec_or_value, "dtype", None)
        shape = getattr(spec_or_value, "shape", None)
        if dtype is None or shape is None:
            return False
        return _dtypes.as_dtype(dtype) is self.dtype and self.shape.is_compatible_with(shape)

    def most_specific_common_supertype(self, others):
        shape = self.shape
        for other in others:
            if other.dtype is not self.dtype:
                return None
            shape = shape.most_specific_compatible_shape(other.shape)
        return TensorSpec(shape, self.dtype, self.name)

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self.dims == other.dims
                and self.dtype is other.dtype and self.name == other.name)

    def __hash__(self):
        return hash((self.dims, self.dtype.name, self.name))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})"

    def __reduce__(self):
        return TensorSpec, (self.dims, self.dtype.name, self.name)
