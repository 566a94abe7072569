"""Sorting and searching: sort, argsort, unique, unique_with_counts, searchsorted.

Orders follow TF's CPU results: sorts are stable in both directions (equal
values keep their original order), NaNs come first in both directions, and
`unique` lists values in order of first occurrence. Only `sort` is
differentiable: it is a composite of ArgSort and a batched gather, whose
gradient sends each `dy` back to the position its value came from.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, dtype_mismatch
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._array_util import INT32_64, as_tensor, attr_error, shape_error, static_int

_DIRECTIONS = ("ASCENDING", "DESCENDING")
# The dtypes TF's sort accepts (those of its TopKV2 kernel), by TF's names.
_TOP_K_DTYPES = ("float", "double", "int32", "uint8", "int16", "int8", "int64", "bfloat16",
                 "uint16", "half", "uint32", "uint64")
_NEG_DTYPES = ("bfloat16", "half", "float", "double", "int8", "int16", "int32", "int64",
               "complex64", "complex128")


def _fail(message):
    return InvalidArgumentError(None, None, message)


# ================================================================================
# ArgSort, and sort/argsort on top of it
# ================================================================================

def _argsort_infer(x, axis, descending):
    return TensorSpec(x.dims, dtypes.int32)


ArgSort = Op("ArgSort", infer=_argsort_infer, differentiable=False)


@ArgSort.kernel
def _(x, axis, descending):
    if descending:
        # A stable ascending sort of the reversed array, read backwards: descending
        # order with ties in original order (and NaNs, sorted last, first).
        flipped = xp.flip(x, axis)
        order = xp.flip(xp.argsort(flipped, axis=axis, kind="stable"), axis)
        return (x.shape[axis] - 1 - order).astype(xp.int32)
    if x.dtype.kind == "f" and xp.isnan(x).any():
        # NaNs first, then ascending; lexsort is stable and sorts by its last key first.
        moved = xp.moveaxis(x, axis, -1)
        order = xp.lexsort((moved, ~xp.isnan(moved)), axis=-1)
        return xp.moveaxis(order, -1, axis).astype(xp.int32)
    return xp.argsort(x, axis=axis, kind="stable").astype(xp.int32)


def _sort_args(values, axis, direction):
    """Validated (tensor, non-negative axis, descending) with TF's errors."""
    if direction not in _DIRECTIONS:
        raise ValueError(f"Argument `direction` should be one of {', '.join(_DIRECTIONS)}. "
                         f"Received: direction={direction}")
    if axis is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    axis = static_int(axis, "axis")
    x = as_tensor(values)
    descending = direction == "DESCENDING"
    name = x.dtype.name
    if not descending and x.dtype in (dtypes.bool, dtypes.string):
        raise attr_error("T", x.dtype, "Neg", _NEG_DTYPES)
    if not (x.dtype.is_integer or x.dtype.is_floating) or name == "bfloat16":
        raise attr_error("T", x.dtype, "TopKV2", _TOP_K_DTYPES)
    rank = x.ndim
    if not -rank <= axis < rank:
        # TF reads the axis' size as shape(values)[axis]: its error is that slice's.
        shown = axis + rank if axis < 0 else axis
        raise shape_error(f"slice index {shown} of dimension 0 out of bounds.", "StridedSlice")
    return x, axis % rank, descending


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The indices that sort `values` along `axis` (TF's `tf.argsort`), as int32.

    The order is always stable (TF's CPU sort is), so `stable` changes nothing.

    >>> import tapeflow as tf
    >>> tf.argsort([3, 1, 2, 1]).numpy()
    array([1, 3, 2, 0], dtype=int32)
    """
    x, axis, descending = _sort_args(values, axis, direction)
    return apply(ArgSort, x, axis=axis, descending=descending)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """`values` sorted along `axis` (TF's `tf.sort`); differentiable with respect to values.

    >>> import tapeflow as tf
    >>> tf.sort([3.0, 1.0, 2.0], direction="DESCENDING").numpy()
    array([3., 2., 1.], dtype=float32)
    """
    from tapeflow.ops.array import transpose
    from tapeflow.ops.gather import gather
    x, axis, descending = _sort_args(values, axis, direction)
    last = x.ndim - 1
    if axis != last:   # sort along the last axis of a transposed view, then transpose back
        perm = list(range(x.ndim))
        perm[axis], perm[last] = last, axis
        return transpose(sort(transpose(x, perm), -1, direction), perm)
    order = apply(ArgSort, x, axis=last, descending=descending)
    return gather(x, order, axis=last, batch_dims=last)


# ================================================================================
# Unique and UniqueWithCounts
# ================================================================================

def _first_occurrence(x):
    """(unique values in order of first occurrence, inverse indices, counts)."""
    values, first, inverse, counts = xp.unique(x, return_index=True, return_inverse=True,
                                               return_counts=True, equal_nan=False)
    order = xp.argsort(first, kind="stable")
    rank = xp.empty_like(order)
    rank[order] = xp.arange(order.size)
    return values[order], rank[inverse.reshape(-1)], counts[order]


def _unique_infer(x, out_idx):
    return (TensorSpec((None,), x.dtype), TensorSpec(x.dims, out_idx))


def _unique_with_counts_infer(x, out_idx):
    return _unique_infer(x, out_idx) + (TensorSpec((None,), out_idx),)


Unique = Op("Unique", infer=_unique_infer, differentiable=False, multi_output=True)
UniqueWithCounts = Op("UniqueWithCounts", infer=_unique_with_counts_infer,
                      differentiable=False, multi_output=True)


@Unique.kernel
def _(x, out_idx):
    if x.ndim != 1:
        raise _fail("unique expects a 1D vector.")
    values, idx, _ = _first_occurrence(x)
    return values, idx.astype(out_idx._np)


@UniqueWithCounts.kernel
def _(x, out_idx):
    if x.ndim != 1:
        raise _fail("unique expects a 1D vector.")
    values, idx, counts = _first_occurrence(x)
    return values, idx.astype(out_idx._np), counts.astype(out_idx._np)


def _unique(op, x, out_idx):
    x = as_tensor(x)
    out_idx = dtypes.as_dtype(out_idx)
    if out_idx not in INT32_64:
        raise attr_error("out_idx", out_idx, op.name, INT32_64)
    return apply(op, x, out_idx=out_idx)


def unique(x, out_idx=dtypes.int32, name=None):
    """The distinct values of a 1-D tensor in order of first occurrence, and each
    element's position among them (TF's `tf.unique`).

    >>> import tapeflow as tf
    >>> y, idx = tf.unique([1, 1, 2, 4, 4, 4, 7, 8, 8])
    >>> y.numpy(), idx.numpy()
    (array([1, 2, 4, 7, 8], dtype=int32), array([0, 0, 1, 2, 2, 2, 3, 4, 4], dtype=int32))
    """
    return _unique(Unique, x, out_idx)


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """Like `unique`, plus how many times each distinct value occurs."""
    return _unique(UniqueWithCounts, x, out_idx)


# ================================================================================
# LowerBound and UpperBound: tf.searchsorted
# ================================================================================

def _bound_infer(sorted_inputs, values, out_type):
    return TensorSpec(values.dims, out_type)


def _bound_kernel(side):
    def kernel(sorted_inputs, values, out_type):
        if sorted_inputs.shape[0] != values.shape[0]:
            raise _fail("Leading dim_size of both tensors must match.")
        out = xp.empty(values.shape, dtype=out_type._np)
        for row in range(values.shape[0]):   # one binary search per row
            out[row] = xp.searchsorted(sorted_inputs[row], values[row], side=side)
        return out
    return kernel


LowerBound = Op("LowerBound", infer=_bound_infer, differentiable=False)
UpperBound = Op("UpperBound", infer=_bound_infer, differentiable=False)
LowerBound.kernel(_bound_kernel("left"))
UpperBound.kernel(_bound_kernel("right"))


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """Where `values` would be inserted in each row of `sorted_sequence` (TF's `tf.searchsorted`).

    Both arguments are read as rows over their last dimension; their leading
    dimensions must match.

    >>> import tapeflow as tf
    >>> tf.searchsorted([0.0, 3.0, 8.0], [1.0, 3.0, 9.0], side="right").numpy()
    array([1, 2, 3], dtype=int32)
    """
    from tapeflow.ops.array import reshape
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: "
                         f"`side` = '{side}'.")
    op = LowerBound if side == "left" else UpperBound
    sequence, values = as_tensor(sorted_sequence), as_tensor(values)
    out_type = dtypes.as_dtype(out_type)
    if out_type not in INT32_64:
        raise attr_error("out_type", out_type, op.name, INT32_64)
    if values.dtype is not sequence.dtype:
        raise dtype_mismatch(op.name, 1, sequence.dtype, values.dtype)
    for tensor in (sequence, values):
        if tensor.ndim == 0:
            raise shape_error("slice index -1 of dimension 0 out of bounds.", "StridedSlice")
    rows = reshape(sequence, [-1, sequence.shape[-1]])
    out = apply(op, rows, reshape(values, [-1, values.shape[-1]]), out_type=out_type)
    return reshape(out, values.shape)
