"""`tf.space_to_batch_nd` and `tf.batch_to_space`: move blocks of spatial positions
into the batch dimension and back (the ops behind dilated convolutions).

For block shape [b1, ..., bM], SpaceToBatchND pads the M spatial dimensions
(those after the batch), cuts each into blocks, and stacks position (i1, ..., iM)
inside the blocks as a separate batch, block positions first:

    [batch, d1, ..., dM, rest] -> [b1 * ... * bM * batch, (d1 + pads1) / b1, ..., rest]

BatchToSpaceND is its inverse (with `crops` in place of `paddings`); each is
the other's gradient.
"""
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._rules import as_operand


def _prod(values):
    out = 1
    for v in values:
        out *= v
    return out


# -- checks shared by the shape rules (ValueError) and kernels (InvalidArgumentError) --------

def _check_common(dims, block_shape, pads, pads_name):
    m = len(block_shape)
    if dims is not None and len(dims) < m + 1:
        return f"input rank should be >= {m + 1} instead of {len(dims)}"
    if len(pads) != m:
        return f"{pads_name} should have shape [{m}, 2] instead of [{len(pads)},2]"
    for i, b in enumerate(block_shape):
        if b < 1:
            return f"All values in block_shape must be positive, got value, {b} at index {i}."
    if any(p < 0 for pair in pads for p in pair):
        return f"{pads_name.capitalize()} must be non-negative"
    return None


def _space_to_batch_dims(dims, block_shape, paddings):
    """(output dims, error message or None)."""
    error = _check_common(dims, block_shape, paddings, "paddings")
    if error or dims is None:
        return None, error
    batch = None if dims[0] is None else dims[0] * _prod(block_shape)
    spatial = []
    for i, (d, b, (before, after)) in enumerate(zip(dims[1:], block_shape, paddings)):
        if d is None:
            spatial.append(None)
            continue
        padded = d + before + after
        if padded % b:
            return None, (f"padded_shape[{i}]={padded} is not divisible by "
                          f"block_shape[{i}]={b}")
        spatial.append(padded // b)
    return (batch, *spatial, *dims[1 + len(block_shape):]), None


def _batch_to_space_dims(dims, block_shape, crops):
    error = _check_common(dims, block_shape, crops, "crops")
    if error or dims is None:
        return None, error
    blocks = _prod(block_shape)
    if dims[0] is not None and dims[0] % blocks:
        return None, (f"Input batch dimension ({dims[0]}) is not divisible by product of "
                      f"block sizes ({blocks})")
    batch = None if dims[0] is None else dims[0] // blocks
    spatial = []
    for i, (d, b, (before, after)) in enumerate(zip(dims[1:], block_shape, crops)):
        size = None if d is None else d * b - before - after
        if size is not None and size < 0:
            return None, f"cropped_shape[{i}]={size} must be non-negative"
        spatial.append(size)
    return (batch, *spatial, *dims[1 + len(block_shape):]), None


def _space_to_batch_infer(x, block_shape, paddings):
    dims, error = _space_to_batch_dims(x.dims, block_shape, paddings)
    if error:
        raise ValueError(error)
    return TensorSpec(dims, x.dtype)


def _batch_to_space_infer(x, block_shape, crops):
    dims, error = _batch_to_space_dims(x.dims, block_shape, crops)
    if error:
        raise ValueError(error)
    return TensorSpec(dims, x.dtype)


SpaceToBatchND = Op("SpaceToBatchND", infer=_space_to_batch_infer)
BatchToSpaceND = Op("BatchToSpaceND", infer=_batch_to_space_infer)


@SpaceToBatchND.kernel
def _(x, block_shape, paddings):
    dims, error = _space_to_batch_dims(x.shape, block_shape, paddings)
    if error:
        raise InvalidArgumentError(None, None, error)
    m = len(block_shape)
    rest = x.shape[1 + m:]
    padded = xp.pad(x, [(0, 0), *paddings] + [(0, 0)] * len(rest))
    # [batch, d1/b1, b1, ..., dM/bM, bM, rest] -> [b1, ..., bM, batch, d1/b1, ..., rest]
    split = [x.shape[0]]
    for d, b in zip(dims[1:1 + m], block_shape):
        split += [d, b]
    blocks = padded.reshape(split + list(rest))
    order = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    order += list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    return xp.ascontiguousarray(blocks.transpose(order)).reshape(dims)


@BatchToSpaceND.kernel
def _(x, block_shape, crops):
    dims, error = _batch_to_space_dims(x.shape, block_shape, crops)
    if error:
        raise InvalidArgumentError(None, None, error)
    m = len(block_shape)
    rest = x.shape[1 + m:]
    batch = x.shape[0] // _prod(block_shape)
    # [b1, ..., bM, batch, d1, ..., dM, rest] -> [batch, d1, b1, ..., dM, bM, rest]
    blocks = x.reshape(list(block_shape) + [batch] + list(x.shape[1:]))
    order = [m]
    for i in range(m):
        order += [m + 1 + i, i]
    order += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    full = blocks.transpose(order).reshape(
        [batch] + [d * b for d, b in zip(x.shape[1:1 + m], block_shape)] + list(rest))
    index = (slice(None),) + tuple(slice(before, before + size) for (before, _), size
                                   in zip(crops, dims[1:1 + m]))
    return xp.ascontiguousarray(full[index])


@SpaceToBatchND.gradient
def _(dy, x, out, block_shape, paddings):
    return apply(BatchToSpaceND, dy, block_shape=block_shape, crops=paddings)


@BatchToSpaceND.gradient
def _(dy, x, out, block_shape, crops):
    return apply(SpaceToBatchND, dy, block_shape=block_shape, paddings=crops)


def _static_ints(value, what):
    """A tuple (of tuples) of Python ints for a block shape, paddings or crops argument."""
    from tapeflow.ops.framework import get_static_value
    array = get_static_value(value)
    if array is None:
        raise ValueError(f"tapeflow needs `{what}` known while tracing (Python ints or a "
                         "constant tensor).")
    array = xp.asarray(array)
    if array.ndim == 2:
        return tuple(tuple(int(v) for v in row) for row in array)
    return tuple(int(v) for v in array.reshape(-1))


def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002 - TF's names
    """Moves blocks of the spatial dimensions into the batch (TF's `tf.space_to_batch_nd`).

    Args:
      input: a tensor `[batch, d1, ..., dM, rest...]`.
      block_shape: M positive ints.
      paddings: `[M, 2]` non-negative ints, padding before and after each spatial dim.
      name: unused.

    Returns:
      `[batch * prod(block_shape), (d_i + pads_i) / block_i ..., rest...]`.

    Raises:
      InvalidArgumentError: a padded dimension not divisible by its block size,
        a non-positive block size, negative paddings.

    >>> import tapeflow as tf
    >>> x = tf.reshape(tf.range(8.0), [1, 8, 1])
    >>> tf.reshape(tf.space_to_batch_nd(x, [4], [[0, 0]]), [-1]).numpy()
    array([0., 4., 1., 5., 2., 6., 3., 7.], dtype=float32)
    """
    return apply(SpaceToBatchND, as_operand(input),
                 block_shape=_static_ints(block_shape, "block_shape"),
                 paddings=_static_ints(paddings, "paddings"))


def space_to_batch(input, block_shape, paddings, name=None):  # noqa: A002
    """TF 2's `tf.space_to_batch`: the same as `space_to_batch_nd`."""
    return space_to_batch_nd(input, block_shape, paddings, name)


def batch_to_space(input, block_shape, crops, name=None):  # noqa: A002
    """Moves batch blocks back into the spatial dimensions, then crops (TF 2's
    `tf.batch_to_space`, the inverse of `space_to_batch_nd`).

    Raises:
      InvalidArgumentError: a batch not divisible by `prod(block_shape)`, crops
        larger than the dimension or negative.
    """
    return apply(BatchToSpaceND, as_operand(input),
                 block_shape=_static_ints(block_shape, "block_shape"),
                 crops=_static_ints(crops, "crops"))
