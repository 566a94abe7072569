"""`tf.IndexedSlices`: a sparse set of rows of a dense tensor (`values` at `indices`).

TF returns them as the gradients of `tf.gather` and embedding lookups;
tapeflow's gradients are dense, but programs build IndexedSlices themselves.
Converting one to a tensor (any op does, through `__tf_tensor__`) sums its
rows into a dense tensor of `dense_shape`, duplicated indices added up.
"""
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.shape import TensorShape
from tapeflow.core.tensor import TensorLike
from tapeflow.core.type_spec import TypeSpec


def _tensor(value):
    return value if isinstance(value, TensorLike) else convert_to_tensor(value)


class IndexedSlices:
    """Rows `values[i]` of a dense tensor at row indices `indices[i]` (TF's `tf.IndexedSlices`).

    Args:
      values: a tensor `[n, ...]`, the rows.
      indices: an int tensor `[n]`, their row numbers in the dense tensor.
      dense_shape: the dense tensor's shape (optional; needed to convert).

    >>> import tapeflow as tf
    >>> s = tf.IndexedSlices([[1.0, 2.0], [3.0, 4.0]], [0, 2], [3, 2])
    >>> tf.convert_to_tensor(s).numpy()
    array([[1., 2.],
           [0., 0.],
           [3., 4.]], dtype=float32)
    """

    _is_composite = True   # tf.is_tensor is True for composite tensors

    def __init__(self, values, indices, dense_shape=None):
        self._values = _tensor(values)
        self._indices = _tensor(indices)
        self._dense_shape = None if dense_shape is None else _tensor(dense_shape)

    values = property(lambda self: self._values)
    indices = property(lambda self: self._indices)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    device = property(lambda self: self._values.device)

    @property
    def name(self):
        return self._values.name

    @property
    def shape(self):
        """The dense shape, as far as it is known without running anything."""
        if self._dense_shape is None:
            return TensorShape(None)
        from tapeflow.ops.framework import get_static_value
        known = get_static_value(self._dense_shape)
        if known is None:   # only the rank may be known: the length of dense_shape
            dims = self._dense_shape._static_dims()
            rank = dims[0] if dims is not None and len(dims) == 1 else None
            return TensorShape(None if rank is None else [None] * rank)
        return TensorShape([int(d) for d in known])

    def __neg__(self):
        from tapeflow.ops.math import negative
        return IndexedSlices(negative(self._values), self._indices, self._dense_shape)

    def __tf_tensor__(self, dtype=None, name=None):
        if dtype is not None and dtype is not self.dtype:
            raise ValueError(f"Incompatible tensor conversion requested to `dtype` {dtype.name} "
                             f"for IndexedSlices ({self}) with dtype {self.dtype.name}")
        if self._dense_shape is None:
            raise ValueError("Tensor conversion requested for IndexedSlices for argument "
                             f"`value` without dense_shape: {self}")
        from tapeflow.ops.segment import unsorted_segment_sum
        return unsorted_segment_sum(self._values, self._indices, self._dense_shape[0])

    @property
    def _type_spec(self):
        return IndexedSlicesSpec(self.shape, self.dtype, self._indices.dtype,
                                 None if self._dense_shape is None else self._dense_shape.dtype,
                                 self._indices.shape)

    def __str__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"


class IndexedSlicesSpec(TypeSpec):
    """The spec of an IndexedSlices (TF's `tf.IndexedSlicesSpec`)."""

    def __init__(self, shape=None, dtype="float32", indices_dtype="int64",
                 dense_shape_dtype=None, indices_shape=None):
        from tapeflow.core.dtypes import as_dtype
        self._shape = TensorShape(shape)
        self._values_dtype = as_dtype(dtype)
        self._indices_dtype = as_dtype(indices_dtype)
        self._dense_shape_dtype = None if dense_shape_dtype is None else as_dtype(
            dense_shape_dtype)
        self._indices_shape = TensorShape(indices_shape).merge_with(TensorShape([None]))

    value_type = property(lambda self: IndexedSlices)
    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._values_dtype)

    def _serialize(self):
        return (self._shape, self._values_dtype, self._indices_dtype, self._dense_shape_dtype,
                self._indices_shape)

    def __repr__(self):
        parts = [repr(p) if p is not None else "None" for p in self._serialize()]
        return f"IndexedSlicesSpec({', '.join(parts)})"

