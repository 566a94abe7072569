"""`tf.sets`: set operations along the last dimension, with SparseTensor results.

Each input is a group of sets: all dimensions but the last index a set, the
last one lists its elements (in a SparseTensor, only the stored values count).
Results list each set's elements in sorted order. One op does the work on
(indices, values, dense_shape) triples; dense inputs are first viewed as
SparseTensors holding every element.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.ops.sparse import SparseTensor

_SET_TYPES = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8,
              dtypes.uint16, dtypes.string)


def _set_infer(a_indices, a_values, a_shape, b_indices, b_values, b_shape, set_operation):
    rank = None if a_shape.dims is None else a_shape.dims[0]
    return (TensorSpec((None, rank), dtypes.int64), TensorSpec((None,), a_values.dtype),
            TensorSpec((rank,), dtypes.int64))


SparseToSparseSetOperation = Op("SparseToSparseSetOperation", infer=_set_infer,
                                multi_output=True, differentiable=False)


def _groups(indices, values, shape):
    """{group index tuple: set of values}, checking the rank."""
    if len(shape) < 2:
        raise InvalidArgumentError(None, None, f"Shape [{','.join(map(str, shape))}] has rank "
                                   f"{len(shape)} < 2")
    groups = {}
    for index, value in zip(indices.tolist(), values.tolist()):
        groups.setdefault(tuple(index[:-1]), set()).add(value)
    return groups


_OPERATIONS = {
    "a-b": lambda a, b: a - b,
    "b-a": lambda a, b: b - a,
    "intersection": lambda a, b: a & b,
    "union": lambda a, b: a | b,
}


@SparseToSparseSetOperation.kernel
def _(a_indices, a_values, a_shape, b_indices, b_values, b_shape, set_operation):
    a_shape, b_shape = a_shape.tolist(), b_shape.tolist()
    groups_a = _groups(a_indices, a_values, a_shape)
    groups_b = _groups(b_indices, b_values, b_shape)
    if a_shape[:-1] != b_shape[:-1]:
        shown_a, shown_b = (",".join(map(str, s[:-1])) for s in (a_shape, b_shape))
        raise InvalidArgumentError(None, None, f"Mismatched shapes [{shown_a}] vs [{shown_b}]")
    combine = _OPERATIONS[set_operation]
    indices, values, widest = [], [], 0
    for group in sorted(set(groups_a) | set(groups_b)):
        members = sorted(combine(groups_a.get(group, set()), groups_b.get(group, set())))
        widest = max(widest, len(members))
        for position, member in enumerate(members):
            indices.append(list(group) + [position])
            values.append(member)
    out_values = xp.empty(len(values), dtype=object) if a_values.dtype == object else \
        xp.array(values, dtype=a_values.dtype)
    if a_values.dtype == object:
        out_values[:] = values if values else out_values
    out_indices = xp.array(indices, dtype=xp.int64).reshape(-1, len(a_shape))
    return out_indices, out_values, xp.array(a_shape[:-1] + [widest], dtype=xp.int64)


def _as_sparse(x):
    """`x` as a SparseTensor holding every element of a dense tensor."""
    if isinstance(x, SparseTensor):
        return x
    x = x if isinstance(x, TensorLike) else convert_to_tensor(x)
    shape = x.shape
    if not shape.is_fully_defined():
        raise ValueError("tapeflow's tf.sets needs dense inputs of known shape.")
    from tapeflow.ops.array import reshape
    indices = xp.stack(xp.unravel_index(xp.arange(shape.num_elements()), tuple(shape)), 1) \
        if shape.rank else xp.zeros((1, 0), xp.int64)
    return SparseTensor(indices.astype(xp.int64), reshape(x, [-1]), list(shape))


def _set_operation(a, b, operation):
    a, b = _as_sparse(a), _as_sparse(b)
    if a.dtype is not b.dtype:
        raise TypeError(f"Types don't match, <dtype: '{a.dtype.name}'> vs "
                        f"<dtype: '{b.dtype.name}'>.")
    if a.dtype not in _SET_TYPES:
        raise TypeError(f"Invalid dtype {a.dtype.name} for set operations (integers and "
                        "strings only).")
    indices, values, shape = apply(SparseToSparseSetOperation, a.indices, a.values,
                                   a.dense_shape, b.indices, b.values, b.dense_shape,
                                   set_operation=operation)
    return SparseTensor(indices, values, shape)


def intersection(a, b, validate_indices=True):
    """The elements in both sets of each group.

    >>> import tapeflow as tf
    >>> tf.sets.intersection([[1, 2, 3]], [[3, 1, 7]]).values.numpy()
    array([1, 3], dtype=int32)
    """
    return _set_operation(a, b, "intersection")


def union(a, b, validate_indices=True):
    """The elements in either set of each group."""
    return _set_operation(a, b, "union")


def difference(a, b, aminusb=True, validate_indices=True):
    """The elements of `a`'s sets not in `b`'s (or the reverse with `aminusb=False`)."""
    return _set_operation(a, b, "a-b" if aminusb else "b-a")


def size(a, validate_indices=True):
    """The number of distinct values in each set of a SparseTensor (int32).

    Raises:
      TypeError: `a` is not a SparseTensor.
    """
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a!s}.")
    from tapeflow.ops.array import reshape, zeros
    from tapeflow.ops.gather import tensor_scatter_nd_add
    result = _set_operation(a, SparseTensor(xp.zeros((0, a.indices.shape[1]), xp.int64),
                                            zeros([0], a.dtype), a.dense_shape), "a-b")
    groups = a.dense_shape[:-1]
    counts = tensor_scatter_nd_add(zeros(groups, dtypes.int32), result.indices[:, :-1],
                                   reshape(_ones_like_rows(result.indices), [-1]))
    return counts


def _ones_like_rows(indices):
    from tapeflow.ops.array import ones
    from tapeflow.ops.array import shape as shape_of
    return ones(shape_of(indices)[:1], dtypes.int32)
