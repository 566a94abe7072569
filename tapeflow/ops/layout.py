"""Rearranging elements: tile, pad, reverse, roll, repeat, reverse_sequence,
space_to_depth and depth_to_space.

Each op's gradient moves `dy` back along the same rearrangement: a tile's
copies are summed, a pad's border is sliced away (a mirror pad's border is
folded back first), a reverse or roll is undone. Shapes, paddings, shifts and
axes are static attributes; tensors standing for them must have known values.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, NotFoundError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor
from tapeflow.ops._array_util import (INT32_64, as_tensor, attr_error, is_static, shape_error,
                                      shape_list, static_int)
from tapeflow.ops._rules import tensor_like


def _fail(message):
    return InvalidArgumentError(None, None, message)


def _static_ints(value, attr, op_name, what):
    """An int32/int64 argument's value as a NumPy array, with TF's dtype check."""
    if tensor_like(value):
        if not (type(value) is EagerTensor or value._is_variable):
            raise ValueError(f"{op_name}: `{what}` must be known while tracing (a Python "
                             f"list or a constant), got the symbolic tensor {value!r}.")
        tensor = value
    else:
        tensor = convert_to_tensor(value, dtype_hint=dtypes.int32)   # [] is int32 here
    if tensor.dtype not in INT32_64:
        raise attr_error(attr, tensor.dtype, op_name, INT32_64)
    return xp.asarray(tensor._value)


# ================================================================================
# Tile
# ================================================================================

def _tile_infer(x, *multiples_tensor, multiples):
    if x.dims is None:
        return TensorSpec(None, x.dtype)
    return TensorSpec(tuple(None if d is None or m is None else d * m
                            for d, m in zip(x.dims, multiples)), x.dtype)


def _run_time_multiples(multiples, multiples_tensor):
    if not multiples_tensor:
        return multiples
    values = tuple(int(m) for m in multiples_tensor[0])
    for i, m in enumerate(values):
        if m < 0:
            raise _fail(f"Expected multiples[{i}] >= 0, but got {m}")
    return values


Tile = Op("Tile", infer=_tile_infer)


@Tile.kernel
def _(x, *multiples_tensor, multiples):
    multiples = _run_time_multiples(multiples, multiples_tensor)
    return xp.tile(x, multiples) if x.ndim else x.copy()


@Tile.gradient
def _(dy, x, *multiples_tensor, out, multiples):
    return (apply(TileGrad, dy, x, *multiples_tensor, multiples=multiples),) + (
        None,) * len(multiples_tensor)


def _tile_grad_infer(dy, like, *multiples_tensor, multiples):
    return TensorSpec(like.dims, dy.dtype)


# The gradient of Tile: the copies of each element summed back into one.
TileGrad = Op("TileGrad", infer=_tile_grad_infer)


@TileGrad.kernel
def _(dy, like, *multiples_tensor, multiples):
    split = []
    for m, d in zip(_run_time_multiples(multiples, multiples_tensor), like.shape):
        split += [m, d]
    return dy.reshape(split).sum(axis=tuple(range(0, 2 * len(multiples), 2)), dtype=dy.dtype)


@TileGrad.gradient
def _(ddx, dy, like, *multiples_tensor, out, multiples):
    return (apply(Tile, ddx, *multiples_tensor, multiples=multiples), None) + (
        None,) * len(multiples_tensor)


def tile(input, multiples, name=None):  # noqa: A002 - TF's argument name
    """Repeats `input` `multiples[i]` times along each dimension i (TF's `tf.tile`).

    `multiples` may hold traced values inside a `tf.function`.

    >>> import tapeflow as tf
    >>> tf.tile([[1, 2]], [2, 2]).numpy()
    array([[1, 2, 1, 2],
           [1, 2, 1, 2]], dtype=int32)
    """
    from tapeflow.ops.array import shape_argument
    x = as_tensor(input)
    if not is_static(multiples):
        template, extra = shape_argument(multiples, "Tile")
        if len(template) != x.ndim:
            raise ValueError(f"Expected multiples argument to be a vector of length {x.ndim} "
                             f"but got length {len(template)}")
        return apply(Tile, x, *extra, multiples=template)
    m = _static_ints(multiples, "Tmultiples", "Tile", "multiples")
    if m.ndim != 1:
        raise shape_error(f"Expected multiples to be 1-D, but got shape {shape_list(m.shape)}",
                          "Tile")
    if m.size != x.ndim:
        raise shape_error(f"Expected multiples argument to be a vector of length {x.ndim} but "
                          f"got length {m.size}", "Tile")
    for i, v in enumerate(m):
        if v < 0:
            raise shape_error(f"Expected multiples[{i}] >= 0, but got {v}", "Tile")
    return apply(Tile, x, multiples=tuple(int(v) for v in m))


# ================================================================================
# Pad, PadV2, MirrorPad
# ================================================================================

def _pad_infer(x, *constant, paddings, mode=None):
    if x.dims is None:
        return TensorSpec(None, x.dtype)
    return TensorSpec(tuple(None if d is None else d + a + b
                            for d, (a, b) in zip(x.dims, paddings)), x.dtype)


def _unpad(dy, paddings):
    """The window of `dy` that a pad of `paddings` added its border around."""
    from tapeflow.ops.indexing import Span, StridedSlice
    key = tuple(Span(a, -b if b else None) for a, b in paddings)
    return apply(StridedSlice, dy, key=key)


Pad = Op("Pad", infer=_pad_infer)
PadV2 = Op("PadV2", infer=_pad_infer)
Pad.kernel(lambda x, paddings: xp.pad(x, paddings))
PadV2.kernel(lambda x, value, paddings: xp.pad(x, paddings, constant_values=value))
# As in TF, the padding value gets no gradient.
Pad.gradient(lambda dy, x, out, paddings: _unpad(dy, paddings))
PadV2.gradient(lambda dy, x, value, out, paddings: (_unpad(dy, paddings), None))

MirrorPad = Op("MirrorPad", infer=_pad_infer)
# TF's REFLECT leaves out the edge value (NumPy's "reflect"); SYMMETRIC repeats it.
_NUMPY_MODES = {"REFLECT": "reflect", "SYMMETRIC": "symmetric"}


@MirrorPad.kernel
def _(x, paddings, mode):
    return xp.pad(x, paddings, mode=_NUMPY_MODES[mode])


@MirrorPad.gradient
def _(dy, x, out, paddings, mode):
    return apply(MirrorPadGrad, dy, paddings=paddings, mode=mode)


def _mirror_pad_grad_infer(dy, paddings, mode):
    if dy.dims is None:
        return TensorSpec(None, dy.dtype)
    return TensorSpec(tuple(None if d is None else d - a - b
                            for d, (a, b) in zip(dy.dims, paddings)), dy.dtype)


# The gradient of MirrorPad (a TF op too): each border value is added back onto the
# element it mirrors, then the border is cut away.
MirrorPadGrad = Op("MirrorPadGrad", infer=_mirror_pad_grad_infer)


@MirrorPadGrad.kernel
def _(dy, paddings, mode):
    out = dy.copy()
    shift = 1 if mode == "REFLECT" else 0
    for axis, (before, after) in enumerate(paddings):
        out = xp.moveaxis(out, axis, 0)
        n = out.shape[0] - before - after
        core = out[before:before + n].copy()
        if before:
            core[shift:shift + before] += out[:before][::-1]
        if after:
            end = n - shift
            core[end - after:end] += out[before + n:][::-1]
        out = xp.moveaxis(core, 0, axis)
    return out


MirrorPadGrad.gradient(lambda ddx, dy, out, paddings, mode: apply(MirrorPad, ddx,
                                                                   paddings=paddings,
                                                                   mode=mode))

_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pads `tensor` with `paddings[i] = [before, after]` elements on dimension i (TF's `tf.pad`).

    Modes (any case): "CONSTANT" fills with `constant_values`; "REFLECT" mirrors
    the values next to the edge, leaving out the edge itself; "SYMMETRIC"
    mirrors including the edge.

    >>> import tapeflow as tf
    >>> tf.pad([[1, 2, 3]], [[0, 0], [2, 1]], mode="reflect").numpy()
    array([[3, 2, 1, 2, 3, 2]], dtype=int32)
    """
    x = as_tensor(tensor)
    upper = mode.upper() if isinstance(mode, str) else mode
    if upper not in _MODES:
        raise ValueError(f'Value of argument `mode` expected to be one of "CONSTANT", '
                         f'"REFLECT", or "SYMMETRIC". Received `mode` = {mode}')
    constant = upper == "CONSTANT"
    value = None
    if constant and not (not tensor_like(constant_values) and constant_values == 0):
        value = constant_values if tensor_like(constant_values) else \
            convert_to_tensor(constant_values, dtype=x.dtype)
    op_name = "MirrorPad" if not constant else "Pad" if value is None else "PadV2"
    p = _static_ints(paddings, "Tpaddings", op_name, "paddings")
    if p.ndim != 2 or p.shape[1] != 2:
        raise shape_error(f"paddings must be a matrix with 2 columns: {shape_list(p.shape)}",
                          op_name)
    dims = x._static_dims()
    if p.shape[0] != len(dims):
        comma = "," if op_name == "MirrorPad" else ""
        raise shape_error(f"The first dimension of paddings must be the rank of inputs"
                          f"{shape_list(p.shape)}{comma} {shape_list(dims)}", op_name)
    pairs = tuple((int(a), int(b)) for a, b in p)
    _check_paddings(pairs, dims, upper, op_name)
    if not constant:
        return apply(MirrorPad, x, paddings=pairs, mode=upper)
    if value is None:
        return apply(Pad, x, paddings=pairs)
    if value._static_dims() != ():
        raise shape_error(f"constant_values must be a scalar. Found: "
                          f"{shape_list(value._static_dims())}", "PadV2")
    return apply(PadV2, x, value, paddings=pairs)


def _check_paddings(pairs, dims, mode, op_name):
    for (a, b), d in zip(pairs, dims):
        if a < 0 or b < 0:
            word = "P" if op_name != "MirrorPad" else "p"
            raise shape_error(f"{word}addings must be non-negative: {a} {b}", op_name)
        if d is None or mode == "CONSTANT":
            continue
        if mode == "REFLECT" and (a >= d or b >= d):
            raise shape_error(f"paddings must be less than the dimension size: {a}, {b} not "
                              f"less than {d}", op_name)
        if mode == "SYMMETRIC" and (a > d or b > d):
            raise shape_error(f"paddings must be no greater than the dimension size: {a}, {b} "
                              f"greater than {d}", op_name)


# ================================================================================
# ReverseV2 and Roll
# ================================================================================

ReverseV2 = Op("ReverseV2", infer=lambda x, axis: TensorSpec(x.dims, x.dtype))
ReverseV2.kernel(lambda x, axis: xp.flip(x, axis) if axis else x)
ReverseV2.gradient(lambda dy, x, out, axis: apply(ReverseV2, dy, axis=axis))


def reverse(tensor, axis, name=None):
    """Reverses the order of elements along each dimension in `axis` (TF's `tf.reverse`).

    >>> import tapeflow as tf
    >>> tf.reverse([[1, 2, 3]], [1]).numpy()
    array([[3, 2, 1]], dtype=int32)
    """
    x = as_tensor(tensor)
    axes = _static_ints(axis, "Tidx", "ReverseV2", "axis")
    if axes.ndim != 1:
        raise shape_error(f"'dims' must be 1-dimension, not {axes.ndim}", "ReverseV2")
    rank = x.ndim
    seen = []
    for i, a in enumerate(axes):
        a = int(a)
        if not -rank <= a < rank:
            raise shape_error(f"'axis'[{i}] = {a} is out of valid range [0, {rank - 1}",
                              "ReverseV2")
        a %= rank
        if a in seen:
            raise shape_error(f"axis {a} specified more than once.", "ReverseV2")
        seen.append(a)
    return apply(ReverseV2, x, axis=tuple(sorted(seen)))


def _roll_infer(x, shift, axis):
    return TensorSpec(x.dims, x.dtype)


Roll = Op("Roll", infer=_roll_infer)
Roll.kernel(lambda x, shift, axis: xp.roll(x, shift, axis) if axis else x)
Roll.gradient(lambda dy, x, out, shift, axis: apply(Roll, dy, shift=tuple(-s for s in shift),
                                                    axis=axis))


def roll(input, shift, axis, name=None):  # noqa: A002
    """Shifts elements along `axis` by `shift`, wrapping around (TF's `tf.roll`).

    `shift` and `axis` may be lists of equal length; shifts of a repeated axis add up.

    >>> import tapeflow as tf
    >>> tf.roll([[1, 2, 3]], shift=1, axis=1).numpy()
    array([[3, 1, 2]], dtype=int32)
    """
    x = as_tensor(input)
    shifts = _static_ints(shift, "Tshift", "Roll", "shift").reshape(-1)
    axes = _static_ints(axis, "Taxis", "Roll", "axis").reshape(-1)
    rank = x.ndim
    if rank == 0:
        raise shape_error("input must be 1-D or higher", "Roll")
    if shifts.size != axes.size:
        raise shape_error("shift and axis must have the same size", "Roll")
    for a in axes:
        if not -rank <= a < rank:
            raise shape_error(f"axis {int(a)} is out of range", "Roll")
    return apply(Roll, x, shift=tuple(int(s) for s in shifts),
                 axis=tuple(int(a) % rank for a in axes))


# ================================================================================
# repeat (a composite: a gather of each position repeated, whose gradient sums copies)
# ================================================================================

def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """Repeats each element (or slice along `axis`) `repeats` times (TF's `tf.repeat`).

    With `axis=None` the input is flattened first. `repeats` is an int or one
    count per position along the axis.

    >>> import tapeflow as tf
    >>> tf.repeat([[1, 2], [3, 4]], [1, 2], axis=0).numpy()
    array([[1, 2],
           [3, 4],
           [3, 4]], dtype=int32)
    """
    from tapeflow.ops.array import reshape
    from tapeflow.ops.gather import gather
    x = as_tensor(input)
    counts = as_tensor(repeats)
    if not counts.dtype.is_integer:
        raise TypeError(f"Argument `tensor` (name: repeats) must be of type integer. Received "
                        f"`tensor` = {counts.numpy()} of dtype: {counts.dtype}")
    counts = _static_ints(counts, "T", "Repeat", "repeats")
    if counts.ndim > 1:
        raise ValueError(f"Shape {counts.shape} must have rank at most 1")
    if axis is None or x.ndim == 0:
        x, axis = reshape(x, [-1]), 0
    axis = static_int(axis, "axis")
    rank = x.ndim
    if not -rank <= axis < rank:
        raise ValueError(f"axis={axis} out of bounds: expected {-rank}<=axis<{rank}")
    axis %= rank
    n = x._static_dims()[axis]
    if counts.ndim == 1 and counts.size != 1 and counts.size != n:
        raise ValueError(f"Dimensions {n} and {counts.size} are not compatible")
    if counts.ndim == 0 or counts.size == 1:
        count = int(counts.reshape(()))
        if count < 0:   # TF tiles an expanded copy: the error names that Tile
            raise shape_error(f"Expected multiples[{axis + 1}] >= 0, but got {count}", "Tile")
        counts = xp.full(n, count)
    positions = xp.repeat(xp.arange(n, dtype=xp.int32), xp.maximum(counts, 0))
    return gather(x, convert_to_tensor(positions), axis=axis)


# ================================================================================
# ReverseSequence
# ================================================================================

def _reverse_sequence_infer(x, lengths, seq_dim, batch_dim):
    return TensorSpec(x.dims, x.dtype)


ReverseSequence = Op("ReverseSequence", infer=_reverse_sequence_infer)


@ReverseSequence.kernel
def _(x, lengths, seq_dim, batch_dim):
    if lengths.shape[0] != x.shape[batch_dim]:
        raise _fail(f"Length of seq_lengths != input.dims({batch_dim}), ({lengths.shape[0]} "
                    f"vs. {x.shape[batch_dim]})")
    out = xp.moveaxis(x, (batch_dim, seq_dim), (0, 1)).copy()
    for b, n in enumerate(lengths):
        if n < 0:
            raise _fail(f"seq_lens({b}) < 0")
        if n > x.shape[seq_dim]:
            raise _fail(f"seq_lens({b}) > input.dims({seq_dim})")
        out[b, :n] = out[b, :n][::-1]
    return xp.moveaxis(out, (0, 1), (batch_dim, seq_dim))


@ReverseSequence.gradient
def _(dy, x, lengths, out, seq_dim, batch_dim):
    return apply(ReverseSequence, dy, lengths, seq_dim=seq_dim, batch_dim=batch_dim), None


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None):  # noqa: A002
    """Reverses the first `seq_lengths[b]` elements along `seq_axis` of each batch entry b.

    >>> import tapeflow as tf
    >>> tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [1, 3], seq_axis=1).numpy()
    array([[1, 2, 3],
           [6, 5, 4]], dtype=int32)
    """
    x = as_tensor(input)
    lengths = as_tensor(seq_lengths)
    if lengths.dtype not in INT32_64:
        raise attr_error("Tlen", lengths.dtype, "ReverseSequence", INT32_64)
    if seq_axis is None:
        raise TypeError("Expected int for argument 'seq_dim' not None.")
    seq_dim = static_int(seq_axis, "seq_axis")
    batch_dim = 0 if batch_axis is None else static_int(batch_axis, "batch_axis")
    rank = x.ndim
    if seq_dim == batch_dim:
        raise shape_error(f"batch_dim == seq_dim == {seq_dim}", "ReverseSequence")
    if not 0 <= seq_dim < rank:
        raise shape_error(f"Invalid seq_dim {seq_dim}", "ReverseSequence")
    if not 0 <= batch_dim < rank:
        raise shape_error(f"Invalid batch_dim {batch_dim}", "ReverseSequence")
    return apply(ReverseSequence, x, lengths, seq_dim=seq_dim, batch_dim=batch_dim)


# ================================================================================
# SpaceToDepth and DepthToSpace (NHWC)
# ================================================================================

def _space_to_depth_infer(x, block_size):
    b, h, w, c = x.dims
    s = block_size
    return TensorSpec((b, None if h is None else h // s, None if w is None else w // s,
                       None if c is None else c * s * s), x.dtype)


def _depth_to_space_infer(x, block_size):
    b, h, w, c = x.dims
    s = block_size
    return TensorSpec((b, None if h is None else h * s, None if w is None else w * s,
                       None if c is None else c // (s * s)), x.dtype)


SpaceToDepth = Op("SpaceToDepth", infer=_space_to_depth_infer)
DepthToSpace = Op("DepthToSpace", infer=_depth_to_space_infer)


@SpaceToDepth.kernel
def _(x, block_size):
    b, h, w, c = x.shape
    s = block_size
    if h % s or w % s:
        raise _fail(f"Image width {w} and height {h} should be divisible by block_size: {s}")
    # Each s x s block becomes one pixel whose depth lists the block row by row.
    blocks = x.reshape(b, h // s, s, w // s, s, c).transpose(0, 1, 3, 2, 4, 5)
    return blocks.reshape(b, h // s, w // s, s * s * c)


@DepthToSpace.kernel
def _(x, block_size):
    b, h, w, c = x.shape
    s = block_size
    if c % (s * s):
        raise _fail(f"Input depth dimension {c} should be divisible by: {s * s}")
    blocks = x.reshape(b, h, w, s, s, c // (s * s)).transpose(0, 1, 3, 2, 4, 5)
    return blocks.reshape(b, h * s, w * s, c // (s * s))


SpaceToDepth.gradient(lambda dy, x, out, block_size: apply(DepthToSpace, dy,
                                                           block_size=block_size))
DepthToSpace.gradient(lambda dy, x, out, block_size: apply(SpaceToDepth, dy,
                                                           block_size=block_size))


def _block_op(op, input, block_size, data_format):  # noqa: A002
    x = as_tensor(input)
    block_size = static_int(block_size, "block_size")
    if block_size < 2:
        raise InvalidArgumentError(None, None, f"Value for attr 'block_size' of {block_size} "
                                               f"must be at least minimum 2 [Op:{op.name}]")
    if data_format != "NHWC":   # TF has no CPU kernel for the other layouts
        raise NotFoundError(None, None, f"Could not find device for node: {op.name} with "
                                        f"data_format={data_format!r} (CPU supports NHWC)")
    if x.ndim != 4:
        raise shape_error(f"Input rank should be 4 instead of {x.ndim}", op.name)
    return apply(op, x, block_size=block_size)


def space_to_depth(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """Moves each `block_size` x `block_size` spatial block into the depth dimension (NHWC).

    >>> import tapeflow as tf
    >>> from tapeflow.ops.layout import space_to_depth
    >>> space_to_depth(tf.reshape(tf.range(16), [1, 4, 4, 1]), 2)[0, 0, 0].numpy()
    array([0, 1, 4, 5], dtype=int32)
    """
    return _block_op(SpaceToDepth, input, block_size, data_format)


def depth_to_space(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """The inverse of `space_to_depth`: spreads depth into `block_size` x `block_size` blocks."""
    return _block_op(DepthToSpace, input, block_size, data_format)

