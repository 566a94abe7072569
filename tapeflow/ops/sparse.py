"""`tf.SparseTensor` and `tf.sparse`: tensors stored as (indices, values, dense_shape).

`indices` is an int64 [N, rank] matrix of the coordinates of the N stored
`values`; `dense_shape` (int64 [rank]) is the shape of the dense tensor they
stand for; every other element is zero. Most ops want the indices in row-major
order (`tf.sparse.reorder` sorts them).

SparseToDense is a primitive (with TF's index validation); everything else is
written with dense ops on the indices and values, so gradients reach the values.
Index arithmetic goes through the linear (row-major) position of each entry.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.core.type_spec import TypeSpec
from tapeflow.ops import array as _array
from tapeflow.ops import math as _math


def _tensor(value, dtype=None):
    if isinstance(value, TensorLike):
        return value if dtype is None or value.dtype is dtype else _math.cast(value, dtype)
    return convert_to_tensor(value, dtype=dtype)


class SparseTensor:
    """A sparse tensor: `values[i]` at `indices[i]` in a dense shape (TF's `tf.SparseTensor`).

    >>> import tapeflow as tf
    >>> st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
    >>> tf.sparse.to_dense(st).numpy()
    array([[1, 0, 0, 0],
           [0, 0, 2, 0],
           [0, 0, 0, 0]], dtype=int32)

    Raises:
      ValueError: indices that are not a matrix, values that are not a vector, or
        a dense shape of another rank than the indices.
    """

    _is_composite = True   # tf.is_tensor is True for composite tensors

    def __init__(self, indices, values, dense_shape):
        self._indices = _tensor(indices, dtypes.int64)
        self._values = _tensor(values)
        self._dense_shape = _tensor(dense_shape, dtypes.int64)
        index_dims = self._indices._static_dims()
        if index_dims is not None and len(index_dims) != 2:
            raise ValueError(f"Shape {self._indices.shape} must have rank 2")
        value_dims = self._values._static_dims()
        if value_dims is not None and len(value_dims) != 1:
            raise ValueError(f"Shape {self._values.shape} must have rank 1")
        shape_dims = self._dense_shape._static_dims()
        if index_dims and value_dims and None not in (index_dims[0], value_dims[0]) and \
                index_dims[0] != value_dims[0]:
            raise ValueError(f"Dimensions {index_dims[0]} and {value_dims[0]} are not "
                             "compatible")
        if index_dims and shape_dims and None not in (index_dims[1], shape_dims[0]) and \
                index_dims[1] != shape_dims[0]:
            raise ValueError(f"Dimensions {index_dims[1]} and {shape_dims[0]} are not "
                             "compatible")

    @classmethod
    def from_value(cls, sparse_tensor_value):
        return cls(sparse_tensor_value.indices, sparse_tensor_value.values,
                   sparse_tensor_value.dense_shape)

    indices = property(lambda self: self._indices)
    values = property(lambda self: self._values)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)

    @property
    def shape(self):
        """The dense shape as far as it is known without running anything."""
        from tapeflow.ops.framework import get_static_value
        known = get_static_value(self._dense_shape)
        if known is not None:
            return TensorShape([int(d) for d in known])
        dims = self._dense_shape._static_dims()
        return TensorShape(None if not dims or dims[0] is None else [None] * dims[0])

    def get_shape(self):
        return self.shape

    def with_values(self, new_values):
        return SparseTensor(self._indices, new_values, self._dense_shape)

    @property
    def _type_spec(self):
        return SparseTensorSpec(self.shape, self.dtype)

    def __str__(self):
        return (f"SparseTensor(indices={self._indices}, values={self._values}, "
                f"dense_shape={self._dense_shape})")

    __repr__ = __str__

    # Elementwise products with a scalar or a dense tensor keep the sparsity (TF defines
    # `*` and `/`, and no `+` or unary `-`, on SparseTensors).
    def _scale(self, other, op):
        other = _tensor(other)
        if other.shape.rank == 0:
            return self.with_values(op(self._values, _math.cast(other, self.dtype)
                                       if other.dtype is not self.dtype else other))
        from tapeflow.ops.gather import gather_nd
        dense = _array.broadcast_to(other, self._dense_shape)
        return self.with_values(op(self._values, gather_nd(dense, self._indices)))

    def __mul__(self, other):
        return self._scale(other, _math.multiply)

    def __truediv__(self, other):
        return self._scale(other, _math.truediv)

    __div__ = __truediv__


class SparseTensorSpec(TypeSpec):
    """The spec of a SparseTensor (TF's `tf.SparseTensorSpec`)."""

    def __init__(self, shape=None, dtype=dtypes.float32):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    value_type = property(lambda self: SparseTensor)
    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)

    def _serialize(self):
        return (self._shape, self._dtype)

    def __repr__(self):
        return f"SparseTensorSpec({self._shape!r}, {self._dtype!r})"


# ================================================================================
# SparseToDense
# ================================================================================

def _to_dense_infer(indices, shape, values, default, validate_indices):
    rank = None if shape.dims is None else shape.dims[0]
    return TensorSpec(None if rank is None else (None,) * rank, values.dtype)


SparseToDense = Op("SparseToDense", infer=_to_dense_infer)


def _index_text(index):
    return "[" + ",".join(str(int(i)) for i in index) + "]"


def _validate(indices, shape):
    for i, index in enumerate(indices):
        if (index < 0).any() or (index >= shape).any():
            raise InvalidArgumentError(None, None, f"indices[{i}] = {_index_text(index)} is out "
                                       f"of bounds: need 0 <= index < {_index_text(shape)}")
        if i:
            previous = tuple(indices[i - 1])
            if tuple(index) == previous:
                raise InvalidArgumentError(None, None, f"indices[{i}] = {_index_text(index)} is "
                                           "repeated")
            if tuple(index) < previous:
                raise InvalidArgumentError(
                    None, None, f"indices[{i}] = {_index_text(index)} is out of order. Many "
                    "sparse ops require sorted indices.\n    Use `tf.sparse.reorder` to create "
                    "a correctly ordered copy.\n\n")


@SparseToDense.kernel
def _(indices, shape, values, default, validate_indices):
    shape = shape.astype(xp.int64)
    if validate_indices:
        _validate(indices, shape)
    out = xp.full(tuple(shape.tolist()), default, dtype=values.dtype)
    if indices.size:
        values = xp.broadcast_to(values, (indices.shape[0],))
        out[tuple(indices.T)] = values
    return out


@SparseToDense.gradient
def _(dy, indices, shape, values, default, out, validate_indices):
    from tapeflow.ops.gather import gather_nd
    return None, None, gather_nd(dy, indices), None


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor of a SparseTensor; unset elements are `default_value` (0).

    Raises:
      InvalidArgumentError: (with `validate_indices`) indices out of bounds,
        repeated, or not in row-major order.
    """
    _check_sparse(sp_input)
    default = _array.zeros([], dtype=sp_input.dtype) if default_value is None else _tensor(
        default_value, sp_input.dtype)
    return apply(SparseToDense, sp_input.indices, sp_input.dense_shape, sp_input.values,
                 default, validate_indices=bool(validate_indices))


def _check_sparse(value):
    if not isinstance(value, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {value!r}")


# ================================================================================
# Composites
# ================================================================================

def _linear(indices, dense_shape):
    """The row-major position of each index (int64)."""
    from tapeflow.ops.reduction import cumprod
    strides = cumprod(dense_shape, exclusive=True, reverse=True)
    return _math.reduce_sum(_math.multiply(indices, strides), axis=1)


def _unlinear(linear, dense_shape):
    """Indices [N, rank] from row-major positions."""
    from tapeflow.ops.reduction import cumprod
    strides = cumprod(dense_shape, exclusive=True, reverse=True)
    column = _array.expand_dims(linear, 1)
    return _math.floormod(_math.floordiv(column, strides), dense_shape)


def from_dense(tensor, name=None):
    """The non-zero elements of a dense tensor, as a SparseTensor.

    >>> import tapeflow as tf
    >>> tf.sparse.from_dense([[0, 1], [2, 0]]).indices.numpy()
    array([[0, 1],
           [1, 0]])
    """
    from tapeflow.ops.gather import gather_nd
    x = _tensor(tensor)
    mask = _math.not_equal(x, _array.zeros([], dtype=x.dtype))
    indices = _math.cast(_math.where(mask), dtypes.int64)
    return SparseTensor(indices, gather_nd(x, indices), _array.shape(x, out_type=dtypes.int64))


def reorder(sp_input, name=None):
    """The same SparseTensor with its entries in row-major order."""
    from tapeflow.ops.gather import gather
    from tapeflow.ops.sort import argsort
    _check_sparse(sp_input)
    order = argsort(_linear(sp_input.indices, sp_input.dense_shape), stable=True)
    return SparseTensor(gather(sp_input.indices, order), gather(sp_input.values, order),
                        sp_input.dense_shape)


def _coalesce(indices, values, dense_shape, threshold=None):
    """Sorted, duplicate-free entries (duplicates summed; |sum| < threshold dropped)."""
    from tapeflow.ops.gather import boolean_mask, gather
    from tapeflow.ops.segment import segment_sum
    from tapeflow.ops.sort import argsort, unique
    linear = _linear(indices, dense_shape)
    order = argsort(linear, stable=True)
    positions, segment = unique(gather(linear, order))   # sorted: segments 0, 1, 2, ...
    summed = segment_sum(gather(values, order), segment)
    new_indices = _unlinear(positions, dense_shape)
    if threshold is not None:
        keep = _math.greater_equal(_math.abs(summed), _tensor(threshold, _math.abs(
            summed).dtype))
        new_indices, summed = boolean_mask(new_indices, keep), boolean_mask(summed, keep)
    return SparseTensor(new_indices, summed, dense_shape)


def add(a, b, threshold=0, name=None):
    """`a + b`: dense when either is dense, else a SparseTensor (sums smaller in
    magnitude than `threshold` are dropped)."""
    if isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        return _coalesce(_array.concat([a.indices, b.indices], 0),
                         _array.concat([a.values, b.values], 0), a.dense_shape, threshold)
    from tapeflow.ops.gather import tensor_scatter_nd_add
    sparse, dense = (a, b) if isinstance(a, SparseTensor) else (b, a)
    _check_sparse(sparse)
    return tensor_scatter_nd_add(_tensor(dense, sparse.dtype), sparse.indices, sparse.values)


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """The matrix product of a sparse and a dense matrix (either may come first).

    >>> import tapeflow as tf
    >>> a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    >>> tf.sparse.sparse_dense_matmul(a, tf.constant([[1.0, 2.0], [3.0, 4.0]])).numpy()
    array([[1., 2.],
           [6., 8.]], dtype=float32)
    """
    if not isinstance(sp_a, SparseTensor):   # dense x sparse = (sparse^T x dense^T)^T
        product = sparse_dense_matmul(b, sp_a, adjoint_a=not adjoint_b,
                                      adjoint_b=not adjoint_a)
        return _array.transpose(product)
    from tapeflow.ops.gather import gather
    from tapeflow.ops.segment import unsorted_segment_sum
    b = _tensor(b, sp_a.dtype)
    if adjoint_b:
        b = _array.transpose(_conj(b))
    rows, cols = sp_a.indices[:, 0], sp_a.indices[:, 1]
    values = sp_a.values
    n_rows = _dim(sp_a, 0)
    if adjoint_a:
        rows, cols, values, n_rows = cols, rows, _conj(values), _dim(sp_a, 1)
    terms = _math.multiply(gather(b, cols), _array.expand_dims(values, 1))
    return unsorted_segment_sum(terms, rows, n_rows)


def _dim(sp, axis):
    """Dimension `axis` of the dense shape: a Python int when known while tracing."""
    from tapeflow.ops.framework import get_static_value
    known = get_static_value(sp.dense_shape)
    return sp.dense_shape[axis] if known is None else int(known[axis])


def _conj(x):
    if x.dtype.is_complex:
        from tapeflow.ops.elementwise import conj
        return conj(x)
    return x


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """The sum of the entries over `axis` (all axes by default)."""
    _check_sparse(sp_input)
    if not output_is_sparse:
        from tapeflow.ops.math import reduce_sum as dense_sum
        return dense_sum(to_dense(sp_input, validate_indices=False), axis=axis,
                         keepdims=bool(keepdims))
    rank = sp_input.shape.rank
    axes = set(range(rank)) if axis is None else {a % rank for a in (
        [axis] if isinstance(axis, int) else axis)}
    kept = [i for i in range(rank) if i not in axes]
    from tapeflow.ops.gather import gather
    indices = gather(sp_input.indices, kept, axis=1)
    shape = gather(sp_input.dense_shape, kept)
    result = _coalesce(indices, sp_input.values, shape)
    if keepdims:
        return expand_dims_at(result, sorted(axes))
    return result


def expand_dims_at(sp_input, axes):
    """Inserts size-1 dimensions at the given (sorted) axes."""
    indices, shape = sp_input.indices, sp_input.dense_shape
    zeros = _array.zeros_like(indices[:, :1])
    for a in axes:
        indices = _array.concat([indices[:, :a], zeros, indices[:, a:]], 1)
        shape = _array.concat([shape[:a], _array.ones([1], dtypes.int64), shape[a:]], 0)
    return SparseTensor(indices, sp_input.values, shape)


def expand_dims(sp_input, axis=None, name=None):
    """A size-1 dimension inserted at `axis` (negative counts from the end)."""
    rank = sp_input.shape.rank
    axis = 0 if axis is None else int(axis)
    return expand_dims_at(sp_input, [axis % (rank + 1)])


def retain(sp_input, to_retain):
    """The entries where the boolean vector `to_retain` is true."""
    from tapeflow.ops.gather import boolean_mask
    keep = _tensor(to_retain, dtypes.bool)
    return SparseTensor(boolean_mask(sp_input.indices, keep), boolean_mask(sp_input.values,
                                                                           keep),
                        sp_input.dense_shape)


def transpose(sp_input, perm=None, name=None):
    """The SparseTensor with its dimensions permuted (reversed by default), reordered."""
    from tapeflow.ops.gather import gather
    rank = sp_input.shape.rank
    perm = list(range(rank - 1, -1, -1)) if perm is None else [int(p) for p in perm]
    moved = SparseTensor(gather(sp_input.indices, perm, axis=1), sp_input.values,
                         gather(sp_input.dense_shape, perm))
    return reorder(moved)


def reshape(sp_input, shape, name=None):
    """The same entries in a dense shape of as many elements (one -1 is inferred)."""
    from tapeflow.ops.reduction import reduce_prod
    shape = _tensor(shape, dtypes.int64)
    total = reduce_prod(sp_input.dense_shape)
    known = reduce_prod(_math.maximum(shape, _array.ones_like(shape)))
    shape = _math.maximum(shape, _math.multiply(_math.cast(_math.equal(
        shape, -1), dtypes.int64), _math.floordiv(total, known)))
    linear = _linear(sp_input.indices, sp_input.dense_shape)
    return SparseTensor(_unlinear(linear, shape), sp_input.values, shape)


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """Concatenates SparseTensors along `axis` (their other dimensions must agree)."""
    rank = sp_inputs[0].shape.rank
    axis = int(axis) % rank
    offset = _array.zeros([], dtypes.int64)
    indices, values = [], []
    from tapeflow.ops.creation import one_hot
    unit = one_hot(axis, rank, dtype=dtypes.int64)
    for sp in sp_inputs:
        indices.append(_math.add(sp.indices, _math.multiply(unit, offset)))
        values.append(sp.values)
        offset = _math.add(offset, sp.dense_shape[axis])
    shape = _math.add(_math.multiply(sp_inputs[0].dense_shape, 1 - unit),
                      _math.multiply(unit, offset))
    return reorder(SparseTensor(_array.concat(indices, 0), _array.concat(values, 0), shape))


def slice(sp_input, start, size, name=None):  # noqa: A001 - TF's name
    """The entries inside the box [start, start + size), moved to the origin."""
    from tapeflow.ops.gather import boolean_mask
    from tapeflow.ops.reduction import reduce_all
    start = _tensor(start, dtypes.int64)
    end = _math.minimum(_math.add(start, _tensor(size, dtypes.int64)), sp_input.dense_shape)
    inside = reduce_all(_math.logical_and(_math.greater_equal(sp_input.indices, start),
                                          _math.less(sp_input.indices, end)), axis=1)
    return SparseTensor(_math.subtract(boolean_mask(sp_input.indices, inside), start),
                        boolean_mask(sp_input.values, inside), _math.subtract(end, start))


def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """A sparse identity matrix."""
    num_columns = num_rows if num_columns is None else num_columns
    n = min(int(num_rows), int(num_columns))
    index = xp.arange(n, dtype=xp.int64)
    return SparseTensor(xp.stack([index, index], 1).reshape(n, 2),
                        _array.ones([n], dtype=dtypes.as_dtype(dtype)),
                        [int(num_rows), int(num_columns)])


def to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor [..., vocab_size] marking the ids stored in each row."""
    ids = SparseTensor(_array.concat([sp_input.indices[:, :-1], _array.expand_dims(
        _math.cast(sp_input.values, dtypes.int64), 1)], 1),
        _array.ones_like(sp_input.values, dtype=dtypes.bool),
        _array.concat([sp_input.dense_shape[:-1], _tensor([vocab_size], dtypes.int64)], 0))
    return to_dense(reorder(ids), default_value=False, validate_indices=False)


def map_values(op, *args, **kwargs):
    """`op` applied to the values of the SparseTensor arguments (which share indices)."""
    sparse = [a for a in list(args) + list(kwargs.values()) if isinstance(a, SparseTensor)]
    if not sparse:
        raise ValueError("No SparseTensor in argument list of map_values")

    def values(a):
        return a.values if isinstance(a, SparseTensor) else a

    result = op(*[values(a) for a in args], **{k: values(v) for k, v in kwargs.items()})
    return sparse[0].with_values(result)

