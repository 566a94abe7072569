"""Gathering and scattering: gather, gather_nd, scatter_nd, tensor_scatter_nd_*, boolean_mask.

Indices are checked the way TF's CPU kernels check them: a negative or
out-of-range index is an InvalidArgumentError naming its position. The
gradient of a gather is a dense scatter-add of `dy` into zeros shaped like the
params (TF returns IndexedSlices; tapeflow has no sparse gradients, and the
dense sum is what an optimizer would apply anyway).
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, dtype_mismatch
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._array_util import (INT16_32_64, INT32_64, as_tensor, index_tensor, is_static,
                                      prod, shape_error, shape_list, static_int)
from tapeflow.ops._rules import as_operand, tensor_like


def _fail(message):
    return InvalidArgumentError(None, None, message)


def _position(index):
    """`[1,2]` for a position inside the indices array (`` for a scalar)."""
    return "[" + ",".join(str(int(i)) for i in index) + "]" if len(index) else ""


# ================================================================================
# GatherV2: tf.gather
# ================================================================================

def _gather_dims(params, indices, axis, batch_dims):
    return params[:axis] + indices[batch_dims:] + params[axis + 1:]


def _gather_infer(params, indices, axis, batch_dims):
    if params.dims is None or indices.dims is None:
        return TensorSpec(None, params.dtype)
    return TensorSpec(_gather_dims(params.dims, indices.dims, axis, batch_dims), params.dtype)


def _check_gather_range(indices, limit):
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        where = tuple(xp.argwhere(bad)[0]) if indices.ndim else ()
        raise _fail(f"indices{_position(where)} = {int(indices[where])} is not in "
                    f"[0, {limit})")


def _batched_gather_index(params_shape, indices, axis, batch_dims):
    """Index arrays for params viewed as [batch, outer, axis, inner], one row per batch."""
    batch = prod(params_shape[:batch_dims])
    outer = prod(params_shape[batch_dims:axis])
    flat = indices.reshape(batch, 1, -1)
    rows = xp.arange(batch).reshape(batch, 1, 1)
    cols = xp.arange(outer).reshape(1, outer, 1)
    view = (batch, outer, params_shape[axis], prod(params_shape[axis + 1:]))
    return view, (rows, cols, flat)


GatherV2 = Op("GatherV2", infer=_gather_infer)


@GatherV2.kernel
def _(params, indices, axis, batch_dims):
    _check_gather_range(indices, params.shape[axis])
    if batch_dims == 0:
        return xp.take(params, indices, axis=axis)
    if batch_dims == axis == params.ndim - 1 == indices.ndim - 1:
        return xp.take_along_axis(params, indices, axis=axis)   # e.g. sort's gather
    view, index = _batched_gather_index(params.shape, indices, axis, batch_dims)
    out = params.reshape(view)[index]
    return out.reshape(_gather_dims(params.shape, indices.shape, axis, batch_dims))


@GatherV2.gradient
def _(dy, params, indices, out, axis, batch_dims):
    return apply(GatherGrad, dy, params, indices, axis=axis, batch_dims=batch_dims), None


def _gather_grad_infer(dy, like, indices, axis, batch_dims):
    return TensorSpec(like.dims, dy.dtype)


# The gradient of GatherV2: `dy` summed into zeros shaped like params (duplicates add).
GatherGrad = Op("GatherGrad", infer=_gather_grad_infer)


@GatherGrad.kernel
def _(dy, like, indices, axis, batch_dims):
    view, index = _batched_gather_index(like.shape, indices, axis, batch_dims)
    out = xp.zeros(view, dtype=dy.dtype)
    count = prod(indices.shape[batch_dims:])
    xp.add.at(out, index, dy.reshape(view[:2] + (count, view[3])))
    return out.reshape(like.shape)


@GatherGrad.gradient
def _(ddx, dy, like, indices, out, axis, batch_dims):
    return apply(GatherV2, ddx, indices, axis=axis, batch_dims=batch_dims), None, None


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Gathers slices of `params` along `axis` at `indices` (TF's `tf.gather`).

    With `batch_dims=b`, the first `b` dimensions of params and indices are
    batch dimensions: each batch element gathers with its own indices.

    Args:
      params: the tensor to gather from (rank >= 1).
      indices: int16/int32/int64 tensor of positions, each in [0, params.shape[axis]).
      validate_indices: unused (indices are always validated on CPU).
      axis: the gathered dimension; defaults to `batch_dims`.
      batch_dims: the number of leading batch dimensions.
      name: unused.

    Returns:
      params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:].

    Raises:
      InvalidArgumentError: an index out of range, or inconsistent axis/batch_dims.

    >>> import tapeflow as tf
    >>> tf.gather(tf.constant([[1, 2], [3, 4], [5, 6]]), [2, 0]).numpy()
    array([[5, 6],
           [1, 2]], dtype=int32)
    """
    params = as_tensor(params)
    indices = index_tensor(indices, "GatherV2")
    batch_dims = static_int(batch_dims, "batch_dims")
    axis = batch_dims if axis is None else static_int(axis, "axis")
    if axis == 0:
        batch_dims = 0   # as in TF, whose tf.gather drops batch_dims when axis is 0
    axis, batch_dims = _check_gather_args(params._static_dims(), indices._static_dims(), axis,
                                          batch_dims)
    return apply(GatherV2, params, indices, axis=axis, batch_dims=batch_dims)


def _check_gather_args(p_dims, i_dims, axis, batch_dims):
    """TF's checks of axis and batch_dims; returns both made non-negative."""
    p_rank, i_rank = len(p_dims), len(i_dims)
    if p_rank == 0:
        raise shape_error("params must be at least 1 dimensional", "GatherV2")
    if not -p_rank <= axis < p_rank:
        needed = axis + 1 if axis >= 0 else -axis
        raise shape_error(f"Shape must be at least rank {needed} but is rank {p_rank}",
                          "GatherV2")
    axis %= p_rank
    if batch_dims:
        if not -i_rank <= batch_dims <= i_rank:
            raise shape_error(f"Expected batch_dims in the range [{-i_rank}, {i_rank}], but "
                              f"got {batch_dims}", "GatherV2")
        if batch_dims < 0:
            batch_dims += i_rank
        if batch_dims >= p_rank:
            raise shape_error(f"batch_dims ({batch_dims}) must be less than rank(params) "
                              f"({p_rank}).", "GatherV2")
        if axis < batch_dims:
            raise shape_error(f"batch_dims ({batch_dims}) must be less than or equal to axis "
                              f"({axis}).", "GatherV2")
        for i in range(batch_dims):
            p, q = p_dims[i], i_dims[i]
            if p is not None and q is not None and p != q:
                raise shape_error(f"params.shape[{i}]: {p} should be equal to "
                                  f"indices.shape[{i}]: {q}", "GatherV2")
    return axis, batch_dims


# ================================================================================
# GatherNd: tf.gather_nd
# ================================================================================

def _gather_nd_infer(params, indices, batch_dims):
    if params.dims is None or indices.dims is None or indices.dims[-1] is None:
        return TensorSpec(None, params.dtype)
    depth = batch_dims + indices.dims[-1]
    return TensorSpec(indices.dims[:-1] + params.dims[depth:], params.dtype)


def _full_nd_indices(indices, batch_dims):
    """Indices with the batch coordinates prepended, so batch_dims can be treated as 0."""
    if batch_dims == 0:
        return indices
    batch_shape = indices.shape[:batch_dims]
    grid = xp.stack(xp.meshgrid(*[xp.arange(d) for d in batch_shape], indexing="ij"), axis=-1)
    inner = indices.ndim - 1 - batch_dims
    grid = grid.reshape(batch_shape + (1,) * inner + (batch_dims,))
    grid = xp.broadcast_to(grid, indices.shape[:-1] + (batch_dims,)).astype(indices.dtype)
    return xp.concatenate([grid, indices], axis=-1)


def _nd_index(shape, indices, what, batch_dims=0):
    """The index tuple selecting `indices` from `array[None]`, after TF's range check.

    Indexing a view with a leading axis of 1 keeps one rule for every depth of
    index, including an empty one (which selects the whole array).
    """
    depth = indices.shape[-1]
    limits = xp.array(shape[:depth], dtype=xp.int64)
    bad = ((indices < 0) | (indices >= limits)).any(axis=-1)
    if bad.any():
        # TF reports positions with the batch dimensions flattened into one.
        flat_bad = bad.reshape((-1,) + bad.shape[batch_dims:]) if batch_dims else bad
        where = tuple(xp.argwhere(flat_bad)[0])
        value = indices.reshape(flat_bad.shape + (depth,))[where]
        shown = "[" + ", ".join(str(int(v)) for v in value) + "]"
        node = ", node name: GatherNd" if what == "param shape" else ""
        raise _fail(f"indices{_position(where)} = {shown} does not index into {what} "
                    f"{shape_list(shape)}{node}")
    lead = xp.zeros(indices.shape[:-1], dtype=xp.intp)
    return (lead,) + tuple(indices[..., k] for k in range(depth))


def _with_lead_axis(array):
    return array.reshape((1,) + array.shape)


GatherNd = Op("GatherNd", infer=_gather_nd_infer)


@GatherNd.kernel
def _(params, indices, batch_dims):
    _check_gather_nd_shapes(params.shape, indices.shape, batch_dims)
    full = _full_nd_indices(indices, batch_dims)
    return _with_lead_axis(params)[_nd_index(params.shape, full, "param shape", batch_dims)]


def _check_gather_nd_shapes(p_shape, i_shape, batch_dims):
    if batch_dims and p_shape[:batch_dims] != i_shape[:batch_dims]:
        raise _fail(f"params.shape[:{batch_dims}] = {shape_list(p_shape[:batch_dims])} must "
                    f"equal indices.shape[:{batch_dims}] = {shape_list(i_shape[:batch_dims])}")


@GatherNd.gradient
def _(dy, params, indices, out, batch_dims):
    return apply(GatherNdGrad, dy, params, indices, batch_dims=batch_dims), None


def _gather_nd_grad_infer(dy, like, indices, batch_dims):
    return TensorSpec(like.dims, dy.dtype)


# The gradient of GatherNd: `dy` summed into zeros shaped like params.
GatherNdGrad = Op("GatherNdGrad", infer=_gather_nd_grad_infer)


@GatherNdGrad.kernel
def _(dy, like, indices, batch_dims):
    out = xp.zeros(like.shape, dtype=dy.dtype)
    full = _full_nd_indices(indices, batch_dims)
    xp.add.at(_with_lead_axis(out), _nd_index(like.shape, full, "param shape", batch_dims), dy)
    return out


@GatherNdGrad.gradient
def _(ddx, dy, like, indices, out, batch_dims):
    return apply(GatherNd, ddx, indices, batch_dims=batch_dims), None, None


def gather_nd(params, indices, batch_dims=0, name=None, bad_indices_policy=""):
    """Gathers slices of `params` at the N-d positions in `indices` (TF's `tf.gather_nd`).

    The last dimension of `indices` holds coordinates into the leading
    dimensions of `params` (after `batch_dims` batch dimensions).

    >>> import tapeflow as tf
    >>> tf.gather_nd(tf.constant([[1, 2], [3, 4]]), [[1, 0], [0, 1]]).numpy()
    array([3, 2], dtype=int32)
    """
    params = as_tensor(params)
    indices = index_tensor(indices, "GatherNd")
    batch_dims = static_int(batch_dims, "batch_dims")
    p_dims, i_dims = params._static_dims(), indices._static_dims()
    if batch_dims < 0:
        raise ValueError("tf.gather_nd does not allow negative batch_dims.")
    if batch_dims and batch_dims >= len(i_dims):
        raise ValueError(f"Argument `batch_dims` = {batch_dims} must be less than "
                         f"rank(`indices`) = {len(i_dims)}")
    if batch_dims and batch_dims >= len(p_dims):
        raise ValueError(f"Argument `batch_dims` = {batch_dims} must be less than "
                         f"rank(`params`) = {len(p_dims)}")
    if len(i_dims) == 0:
        raise shape_error("indices must be at least a vector", "GatherNd")
    if len(p_dims) == 0:
        raise shape_error("params must be at least a vector", "GatherNd")
    depth = i_dims[-1]
    if depth is not None and depth + batch_dims > len(p_dims):
        raise shape_error(f"index innermost dimension length must be <= params rank; saw: "
                          f"{depth + batch_dims} vs. {len(p_dims)}", "GatherNd")
    return apply(GatherNd, params, indices, batch_dims=batch_dims)


# ================================================================================
# Scattering: tf.scatter_nd and tf.tensor_scatter_nd_{update,add,sub,min,max}
# ================================================================================

def _check_scatter(shape, indices, updates, op_name):
    """TF's shape checks of a scatter; `shape` is the output's."""
    if indices.ndim == 0:
        raise _fail(f"Indices shape must have rank at least one. Found:{shape_list(())}")
    if updates.ndim == 0:
        raise _fail(f"Updates shape must have rank at least one. Found:{shape_list(())}")
    depth = indices.shape[-1]
    outer = indices.ndim - 1
    if op_name == "ScatterNd":
        if not shape and indices.size:
            raise _fail("Indices and updates specified for empty output shape")
        if indices.shape[:-1] != updates.shape[:outer]:
            raise _fail(f"Dimensions [0,{outer}) of indices[shape={shape_list(indices.shape)}] "
                        f"must match dimensions [0,{outer}) of updates"
                        f"[shape={shape_list(updates.shape)}]")
        if tuple(shape[depth:]) != updates.shape[outer:] or depth > len(shape):
            raise _fail(f"Dimensions [{depth},{len(shape)}) of input[shape={shape_list(shape)}] "
                        f"must match dimensions [{outer},{updates.ndim}) of updates"
                        f"[shape={shape_list(updates.shape)}]")
        return
    if updates.ndim - outer != len(shape) - depth:
        raise _fail(f"Inner dimensions of output shape must match inner dimensions of updates "
                    f"shape. Output: {shape_list(shape)} updates: {shape_list(updates.shape)}")
    if indices.shape[:-1] != updates.shape[:outer]:
        raise _fail(f"Outer dimensions of indices and update must match. Indices shape: "
                    f"{shape_list(indices.shape)}, updates shape:{shape_list(updates.shape)}")
    if tuple(shape[depth:]) != updates.shape[outer:]:
        inner = len(shape) - depth
        raise _fail(f"The inner {inner} dimensions of output.shape={shape_list(shape)} must "
                    f"match the inner {inner} dimensions of updates.shape="
                    f"{shape_list(updates.shape)}")


def _scatter_into(out, indices, updates, mode, op_name):
    """Writes `updates` into `out` (a fresh array) at `indices`, combining by `mode`."""
    _check_scatter(out.shape, indices, updates, op_name)
    if indices.size == 0:
        return out
    index = _nd_index(out.shape, indices, "shape")
    view = _with_lead_axis(out)    # writes go through to `out`
    if mode == "update":
        view[index] = updates       # duplicates: the last update wins, as on TF's CPU
    else:
        getattr(xp, mode).at(view, index, updates)
    return out


def _scatter_nd_infer(indices, updates, *shape_tensor, shape):
    if shape is None:
        n = shape_tensor[0].dims[0] if shape_tensor[0].dims else None
        return TensorSpec(None if n is None else (None,) * n, updates.dtype)
    return TensorSpec(shape, updates.dtype)


ScatterNd = Op("ScatterNd", infer=_scatter_nd_infer)


@ScatterNd.kernel
def _(indices, updates, *shape_tensor, shape):
    if shape is None:
        shape = tuple(int(d) for d in shape_tensor[0])
    for d in shape:
        if d < 0:
            raise _fail(f"Dimension {d} must be >= 0")
    return _scatter_into(xp.zeros(shape, dtype=updates.dtype), indices, updates, "add",
                         "ScatterNd")


@ScatterNd.gradient
def _(dy, indices, updates, *shape_tensor, out, shape):
    return (None, gather_nd(dy, indices)) + (None,) * len(shape_tensor)


def scatter_nd(indices, updates, shape, bad_indices_policy="", name=None):
    """Scatters `updates` into zeros of `shape` at `indices`, adding duplicates.

    >>> import tapeflow as tf
    >>> tf.scatter_nd([[1], [3], [1]], [1.0, 2.0, 3.0], [4]).numpy()
    array([0., 4., 0., 2.], dtype=float32)
    """
    indices = index_tensor(indices, "ScatterNd")
    updates = as_tensor(updates)
    if is_static(shape):
        dims = convert_to_tensor(shape, dtype=indices.dtype) if not tensor_like(shape) else shape
        return apply(ScatterNd, indices, updates,
                     shape=tuple(int(d) for d in dims._value.reshape(-1)))
    return apply(ScatterNd, indices, updates, as_tensor(shape), shape=None)


def _tensor_scatter_infer(tensor, indices, updates):
    if updates.dtype is not tensor.dtype:
        raise TypeError(f"Input 'updates' has type {updates.dtype.name} that does not match "
                        f"type {tensor.dtype.name} of argument 'tensor'.")
    return TensorSpec(tensor.dims, tensor.dtype)


def _tensor_scatter_op(name, mode):
    op = Op(name, infer=_tensor_scatter_infer)

    @op.kernel
    def _(tensor, indices, updates):
        return _scatter_into(tensor.copy(), indices, updates, mode, name)
    return op


TensorScatterUpdate = _tensor_scatter_op("TensorScatterUpdate", "update")
TensorScatterAdd = _tensor_scatter_op("TensorScatterAdd", "add")
TensorScatterSub = _tensor_scatter_op("TensorScatterSub", "subtract")
TensorScatterMax = _tensor_scatter_op("TensorScatterMax", "maximum")
TensorScatterMin = _tensor_scatter_op("TensorScatterMin", "minimum")


@TensorScatterUpdate.gradient
def _(dy, tensor, indices, updates, out):
    """Overwritten elements get no gradient; each update gets dy at its position."""
    from tapeflow.ops.array import zeros_like
    cleared = apply(TensorScatterUpdate, dy, indices, zeros_like(updates))
    return cleared, None, gather_nd(dy, indices)


@TensorScatterAdd.gradient
def _(dy, tensor, indices, updates, out):
    return dy, None, gather_nd(dy, indices)


@TensorScatterSub.gradient
def _(dy, tensor, indices, updates, out):
    from tapeflow.ops.math import negative
    return dy, None, negative(gather_nd(dy, indices))


def _extreme_scatter_gradient(dy, tensor, indices, updates, out):
    """Each value that equals the result gets dy there (ties are not split, as in TF)."""
    from tapeflow.ops.math import cast, equal, multiply
    picked_tensor = cast(equal(tensor, out), dy.dtype)
    picked_updates = cast(equal(updates, gather_nd(out, indices)), dy.dtype)
    return (multiply(dy, picked_tensor), None,
            multiply(gather_nd(dy, indices), picked_updates))


TensorScatterMax.gradient(_extreme_scatter_gradient)
TensorScatterMin.gradient(_extreme_scatter_gradient)

_SCATTER_INDEX_DTYPES = {"TensorScatterUpdate": INT16_32_64 + (dtypes.uint16,)}


def _tensor_scatter(op, tensor, indices, updates):
    tensor = as_tensor(tensor)
    indices = index_tensor(indices, op.name, _SCATTER_INDEX_DTYPES.get(op.name, INT32_64))
    updates = as_operand(updates, tensor.dtype)
    if updates.dtype is not tensor.dtype:
        raise dtype_mismatch(op.name, 2, tensor.dtype, updates.dtype)
    return apply(op, tensor, indices, updates)


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of `tensor` with the elements or slices at `indices` replaced by `updates`.

    >>> import tapeflow as tf
    >>> tf.tensor_scatter_nd_update([1, 2, 3, 4], [[1], [3]], [9, 8]).numpy()
    array([1, 9, 3, 8], dtype=int32)
    """
    return _tensor_scatter(TensorScatterUpdate, tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` with `updates` added at `indices` (duplicates add up)."""
    return _tensor_scatter(TensorScatterAdd, tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` with `updates` subtracted at `indices`."""
    return _tensor_scatter(TensorScatterSub, tensor, indices, updates)


def tensor_scatter_nd_max(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` where each indexed element becomes the max of itself and its updates."""
    return _tensor_scatter(TensorScatterMax, tensor, indices, updates)


def tensor_scatter_nd_min(tensor, indices, updates, bad_indices_policy="", name=None):
    """A copy of `tensor` where each indexed element becomes the min of itself and its updates."""
    return _tensor_scatter(TensorScatterMin, tensor, indices, updates)


# ================================================================================
# boolean_mask (a composite of Where and GatherV2, which give its gradient)
# ================================================================================

def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The elements (or slices) of `tensor` where `mask` is true (TF's `tf.boolean_mask`).

    `mask` covers dimensions `axis` to `axis + mask.ndim` of `tensor`; those
    dimensions are flattened into one, which keeps the selected entries.

    >>> import tapeflow as tf
    >>> tf.boolean_mask(tf.constant([[1, 2], [3, 4], [5, 6]]), [True, False, True]).numpy()
    array([[1, 2],
           [5, 6]], dtype=int32)
    """
    from tapeflow.ops.array import reshape
    from tapeflow.ops.math import where
    tensor = as_tensor(tensor)
    mask = as_tensor(mask)
    mask_dims = mask._static_dims()
    if mask_dims is None:
        raise ValueError("Number of mask dimensions must be specified, even if some "
                         "dimensions are None.  E.g. shape=[None] is ok, but shape=None is "
                         "not.")
    if len(mask_dims) == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else static_int(axis, "axis")
    n = len(mask_dims)
    dims = tensor._static_dims()
    TensorShape(dims)[axis:axis + n].assert_is_compatible_with(TensorShape(mask_dims))
    masked = [d if d is not None else m for d, m in zip(dims[axis:axis + n], mask_dims)]
    merged = None if None in masked else prod(masked)
    new_dims = list(dims[:axis]) + [merged] + list(dims[axis + n:])
    if new_dims.count(None) == 1:
        new_dims[new_dims.index(None)] = -1
    if None not in new_dims:
        tensor = reshape(tensor, new_dims)
    else:
        raise ValueError("boolean_mask needs at most one unknown dimension in the tensor's "
                         f"shape {TensorShape(dims)} while tracing.")
    positions = reshape(where(reshape(mask, [-1])), [-1])
    return gather(tensor, positions, axis=axis)


# ================================================================================
# DynamicPartition and DynamicStitch
# ================================================================================

def _dynamic_partition_infer(data, partitions, num_partitions):
    rest = None if data.dims is None or partitions.dims is None else \
        data.dims[len(partitions.dims):]
    return tuple(TensorSpec(None if rest is None else (None,) + rest, data.dtype)
                 for _ in range(num_partitions))


DynamicPartition = Op("DynamicPartition", infer=_dynamic_partition_infer, multi_output=True)


@DynamicPartition.kernel
def _(data, partitions, num_partitions):
    if data.shape[:partitions.ndim] != partitions.shape:
        raise _fail(f"data.shape must start with partitions.shape, got data.shape = "
                    f"{shape_list(data.shape)}, partitions.shape = "
                    f"{shape_list(partitions.shape)}")
    bad = (partitions < 0) | (partitions >= num_partitions)
    if bad.any():
        where = tuple(xp.argwhere(bad)[0])
        raise _fail(f"partitions{_position(where)} = {int(partitions[where])} is not in "
                    f"[0, {num_partitions})")
    return tuple(data[partitions == i] for i in range(num_partitions))


@DynamicPartition.gradient
def _(dy, data, partitions, out, num_partitions):
    """Each piece's gradient goes back to the positions the piece was taken from."""
    from tapeflow.ops.array import reshape_like, size
    from tapeflow.ops.creation import range as range_
    positions = reshape_like(range_(size(partitions)), partitions)
    pieces = apply(DynamicPartition, positions, partitions, num_partitions=num_partitions)
    stitched = dynamic_stitch(list(pieces), list(dy))
    return _reshape_to(stitched, data), None


def _reshape_to(x, like):
    from tapeflow.ops.array import reshape_like
    return reshape_like(x, like)


def dynamic_partition(data, partitions, num_partitions, name=None):
    """Splits `data` into `num_partitions` tensors by the partition index of each entry.

    >>> import tapeflow as tf
    >>> [p.numpy() for p in tf.dynamic_partition([10, 20, 30, 40], [0, 1, 1, 0], 2)]
    [array([10, 40], dtype=int32), array([20, 30], dtype=int32)]
    """
    data = as_tensor(data)
    partitions = index_tensor(partitions, "DynamicPartition", (dtypes.int32,), "partitions")
    return list(apply(DynamicPartition, data, partitions,
                      num_partitions=static_int(num_partitions, "num_partitions")))


def _dynamic_stitch_infer(*tensors, n):
    indices, data = tensors[:n], tensors[n:]
    first, values = indices[0], data[0]
    rest = None if first.dims is None or values.dims is None else values.dims[len(first.dims):]
    return TensorSpec(None if rest is None else (None,) + rest, values.dtype)


DynamicStitch = Op("DynamicStitch", infer=_dynamic_stitch_infer)


@DynamicStitch.kernel
def _(*tensors, n):
    indices, data = tensors[:n], tensors[n:]
    for i, (idx, values) in enumerate(zip(indices, data)):
        if values.shape[:idx.ndim] != idx.shape:
            raise _fail(f"data[{i}].shape = {shape_list(values.shape)} does not start with "
                        f"indices[{i}].shape = {shape_list(idx.shape)}")
        negative = xp.flatnonzero(idx.reshape(-1) < 0)
        if negative.size:
            raise _fail(f"indices[{int(negative[0])}] is out of range")
    size = max((int(idx.max()) + 1 for idx in indices if idx.size), default=0)
    rest = data[0].shape[indices[0].ndim:]
    out = xp.zeros((size,) + rest, dtype=data[0].dtype)
    for idx, values in zip(indices, data):   # later pieces win where indices repeat
        out[idx.reshape(-1)] = values.reshape((-1,) + rest)
    return out


@DynamicStitch.gradient
def _(dy, *tensors, out, n):
    """Each piece gets `dy` at its indices (repeated indices all receive it, as in TF)."""
    indices = tensors[:n]
    return (None,) * n + tuple(gather(dy, idx) for idx in indices)


def dynamic_stitch(indices, data, name=None):
    """Interleaves the `data` tensors into one, entry `indices[i][j]` taking `data[i][j]`.

    >>> import tapeflow as tf
    >>> tf.dynamic_stitch([[0, 3], [1, 2]], [[10, 40], [20, 30]]).numpy()
    array([10, 20, 30, 40], dtype=int32)
    """
    from tapeflow.ops._rules import operand_list
    indices = [index_tensor(i, "DynamicStitch", (dtypes.int32,), "indices") for i in indices]
    data = list(data)
    dtype = next((d.dtype for d in data if tensor_like(d)), None)
    if dtype is None:
        dtype = as_tensor(data[0]).dtype
    data = [d if tensor_like(d) else convert_to_tensor(d, dtype=dtype) for d in data]
    data = operand_list(data, "DynamicStitch")
    return apply(DynamicStitch, *indices, *data, n=len(indices))
