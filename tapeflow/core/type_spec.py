"""`tf.TypeSpec` and friends: descriptions of values (shape, dtype, structure) without data.

`TensorSpec` (core/spec.py) is a TypeSpec; this module adds the base class, the
spec of None, the spec of a Variable, and `tf.type_spec_from_value`. Composite
values (IndexedSlices, RaggedTensor, SparseTensor) give their own specs through
a `_type_spec` property.
"""
import abc

from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import Tensor, TensorLike


class TypeSpec(abc.ABC):
    """The base class of value descriptions (TF's `tf.TypeSpec`)."""

    @property
    @abc.abstractmethod
    def value_type(self):
        """The Python type of the values this spec describes."""

    def is_compatible_with(self, spec_or_value):
        other = spec_or_value if isinstance(spec_or_value, TypeSpec) else \
            type_spec_from_value(spec_or_value)
        return type(self) is type(other) and self._serialize() == other._serialize()

    def _serialize(self):
        return ()

    def __eq__(self, other):
        return type(self) is type(other) and self._serialize() == other._serialize()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((type(self).__name__, repr(self._serialize())))


TypeSpec.register(TensorSpec)   # TensorSpec predates this module; it is a TypeSpec all the same


class NoneTensorSpec(TypeSpec):
    """The spec of None inside a structure (TF's `tf.NoneTensorSpec`)."""

    @property
    def value_type(self):
        return type(None)

    def __repr__(self):
        return "NoneTensorSpec()"


class VariableSpec(TypeSpec):
    """The spec of a `tf.Variable`: shape, dtype, trainable."""

    def __init__(self, shape, dtype="float32", trainable=True, alias_id=None):
        from tapeflow.core.dtypes import as_dtype
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)
        self.trainable = trainable
        self.alias_id = alias_id

    @property
    def value_type(self):
        from tapeflow.core.variable import Variable
        return Variable

    def _serialize(self):
        return (self.shape.as_list() if self.shape.rank is not None else None, self.dtype.name,
                self.trainable, self.alias_id)

    def __repr__(self):
        dims = "None" if self.shape.rank is None else repr(tuple(self.shape.as_list()))
        return (f"VariableSpec(shape={dims}, dtype={self.dtype!r}, trainable={self.trainable}, "
                f"alias_id={self.alias_id})")


def type_spec_from_value(value):
    """The TypeSpec describing `value` (TF's `tf.type_spec_from_value`).

    >>> import tapeflow as tf
    >>> tf.type_spec_from_value([1, 2])
    TensorSpec(shape=(2,), dtype=tf.int32, name=None)

    Raises:
      TypeError: `value` cannot be described (it does not convert to a tensor).
    """
    if value is None:
        return NoneTensorSpec()
    spec = getattr(value, "_type_spec", None)
    if isinstance(spec, TypeSpec):
        return spec
    if isinstance(value, Tensor):
        return TensorSpec(value.shape, value.dtype)
    if isinstance(value, TensorLike):   # a Variable
        return VariableSpec(value.shape, value.dtype, value.trainable)
    from tapeflow.core.convert import convert_to_tensor
    try:
        tensor = convert_to_tensor(value)
    except (TypeError, ValueError):
        raise TypeError(f"Could not build a TypeSpec for {value!r} with type "
                        f"{type(value).__name__}") from None
    return TensorSpec(tensor.shape, tensor.dtype)
