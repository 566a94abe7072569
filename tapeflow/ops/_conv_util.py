"""Helpers shared by convolutions and pooling: window geometry, im2col, argument parsing.

Geometry. For one spatial axis, TF's output size and padding follow three
rules (`output_size`): SAME gives ceil(in / stride) outputs and splits the
padding with the smaller half first; VALID pads nothing; EXPLICIT takes the
user's pairs. `Geometry.window_view` then gives, for one kernel offset (i, j),
a strided view of the padded input holding that offset's pixel for every
output pixel at once; every kernel loops over offsets with it, never over
pixels.

Arguments. The public functions accept TF's forms of strides, dilations,
ksize and padding (an int, or lists of 1, 2 or 4 values; "SAME", "VALID" or
explicit pairs) and either data format; the ops themselves work in NHWC and
channels-first inputs are transposed around them (TF's oneDNN CPU build
accepts both layouts).
"""
import itertools
from typing import NamedTuple

from tapeflow.core.array_api import xp
from tapeflow.ops import _parallel
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, UnimplementedError, op_error
from tapeflow.core.tensor import Tensor
from tapeflow.ops import array as array_ops
from tapeflow.ops._rules import tensor_like



# ================================================================================
# Geometry, padding, im2col / col2im
# ================================================================================

def _trunc_div(a, b):
    """C++ integer division (truncates toward zero), which TF's size formulas use."""
    return -(-a // b) if a < 0 else a // b


def output_size(in_size, k, stride, dilation, padding, pads=(0, 0)):
    """(output size, pad before, pad after) of one spatial axis, with TF's rules.

    SAME gives ceil(in / stride) outputs and splits the padding with the smaller
    half first; VALID pads nothing; EXPLICIT uses `pads`. Unknown sizes (None)
    give None. Raises ValueError for a window larger than the padded input.
    """
    if in_size is None:
        return None, None, None
    effective_k = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-in_size // stride)
        total = max((out - 1) * stride + effective_k - in_size, 0)
        return out, total // 2, total - total // 2
    before, after = pads if padding == "EXPLICIT" else (0, 0)
    out = _trunc_div(in_size + before + after - effective_k + stride, stride)
    if out < 0:
        raise ValueError(f"Computed output size would be negative: {out} [input_size: "
                         f"{in_size}, effective_filter_size: {effective_k}, stride: {stride}]")
    return out, before, after


class Geometry(NamedTuple):
    """Where the windows of a convolution or pooling lie in the (padded) input.

    Every field holds one value per spatial axis (2 for images, 3 for volumes).
    """
    kernel: tuple      # window size
    strides: tuple
    dilations: tuple
    out: tuple         # output size
    pads: tuple        # (before, after)

    @property
    def offsets(self):
        """Every kernel offset, in row-major order (the order that breaks ties, as in TF)."""
        return list(itertools.product(*[range(k) for k in self.kernel]))

    def window_view(self, padded, offset):
        """The input pixels under kernel `offset` for every output pixel: a strided view."""
        index = [slice(None)]
        for o, s, d, n in zip(offset, self.strides, self.dilations, self.out):
            index.append(slice(o * d, o * d + s * (n - 1) + 1, s))
        return padded[tuple(index)]


def geometry(spatial_shape, kernel, strides, dilations, padding, explicit_paddings):
    """The Geometry of `kernel`-sized windows over an input of `spatial_shape`.

    Raises:
      InvalidArgumentError: a window larger than the padded input.
    """
    pads = explicit_paddings or ((0, 0),) * len(kernel)
    sizes = []
    try:
        for axis, size in enumerate(spatial_shape):
            sizes.append(output_size(size, kernel[axis], strides[axis], dilations[axis],
                                     padding, pads[axis]))
    except ValueError as error:
        raise InvalidArgumentError(None, None, str(error)) from None
    return Geometry(tuple(kernel), tuple(strides), tuple(dilations),
                    tuple(out for out, _, _ in sizes),
                    tuple((before, after) for _, before, after in sizes))


def _interior(pads, spatial_shape):
    return (slice(None),) + tuple(slice(before, before + size)
                                  for (before, _), size in zip(pads, spatial_shape))


def pad_spatial(x, pads, value=0):
    """`x` [n, *spatial, c] padded on its spatial axes; `x` itself when there is no padding."""
    if not any(before or after for before, after in pads):
        return x
    shape = (x.shape[0],) + tuple(size + before + after for size, (before, after)
                                  in zip(x.shape[1:-1], pads)) + (x.shape[-1],)
    out = xp.full(shape, value, dtype=x.dtype)
    out[_interior(pads, x.shape[1:-1])] = x
    return out


def crop_spatial(padded, pads, spatial_shape):
    """The inverse of pad_spatial: the unpadded part of `padded` (a view)."""
    if tuple(padded.shape[1:-1]) == tuple(spatial_shape):
        return padded
    return padded[_interior(pads, spatial_shape)]


def _padded_zeros(x_shape, g, dtype):
    spatial = tuple(size + before + after for size, (before, after)
                    in zip(x_shape[1:-1], g.pads))
    return xp.zeros((x_shape[0],) + spatial + (x_shape[-1],), dtype=dtype)


def im2col(x, g):
    """[n, *out, *kernel, c]: every output pixel's input window, one strided copy per offset."""
    rank = len(g.kernel)
    cols = xp.empty((x.shape[0],) + g.out + g.kernel + (x.shape[-1],), dtype=x.dtype)
    if cols.size == 0:
        return cols
    padded = pad_spatial(x, g.pads)
    lead = (slice(None),) * (1 + rank)

    def copy_rows(start, stop):   # examples are independent: halves can run on two cores
        part = padded[start:stop]
        for offset in g.offsets:
            cols[start:stop][lead + offset] = g.window_view(part, offset)

    if _parallel.worth_splitting(cols.size, cols.shape[0]):
        _parallel.over_rows(cols.shape[0], copy_rows)
    else:
        copy_rows(0, cols.shape[0])
    return cols


def col2im_offsets(g, x_shape, dtype, contribution):
    """Adds `contribution(offset)` (a value per output pixel, shaped like the window view)
    into the input pixels under each kernel offset."""
    padded = _padded_zeros(x_shape, g, dtype)
    if x_shape[0] and 0 not in g.out:
        for offset in g.offsets:
            g.window_view(padded, offset)[...] += contribution(offset)
    return crop_spatial(padded, g.pads, x_shape[1:-1])


def col2im(cols, g, x_shape):
    """The adjoint of im2col: adds each window row back where it came from in the input."""
    lead = (slice(None),) * (1 + len(g.kernel))
    return col2im_offsets(g, x_shape, cols.dtype, lambda offset: cols[lead + offset])


# ================================================================================
# Shapes as operands, and the gradient rules of a convolution family
# ================================================================================

def shape_operand(x):
    """x's shape as an int32 tensor (a constant when static, else the run-time Shape op)."""
    dims = x._static_dims()
    if dims is not None and None not in dims:
        return convert_to_tensor(xp.array(dims, dtype=xp.int32))
    return array_ops.shape(x)


def static_dims(x):
    return x._static_dims()


def register_conv_gradients(forward, backprop_input, backprop_filter):
    """Gradient rules of a convolution family. Each op is bilinear, so every
    gradient is another member of the family applied to the incoming gradient."""

    def conv(x, f, attrs):
        return apply(forward, x, f, **attrs)

    def input_grad(x, f, dy, attrs):
        return apply(backprop_input, shape_operand(x), f, dy, input_dims=static_dims(x),
                     **attrs)

    def filter_grad(x, f, dy, attrs):
        return apply(backprop_filter, x, shape_operand(f), dy, filter_dims=static_dims(f),
                     **attrs)

    @forward.gradient
    def _(dy, x, f, out, **attrs):
        return lambda: input_grad(x, f, dy, attrs), lambda: filter_grad(x, f, dy, attrs)

    @backprop_input.gradient
    def _(ddx, sizes, f, dy, out, input_dims, **attrs):
        # out = input_grad(f, dy): linear in f and in dy.
        return (None, lambda: filter_grad(ddx, f, dy, attrs),
                lambda: conv(ddx, f, attrs))

    @backprop_filter.gradient
    def _(ddf, x, sizes, dy, out, filter_dims, **attrs):
        # out = filter_grad(x, dy): linear in x and in dy.
        return (lambda: input_grad(x, ddf, dy, attrs), None,
                lambda: conv(x, ddf, attrs))


# ================================================================================
# Arguments: data format, strides / dilations / ksize, padding, output shapes
# ================================================================================

def is_channels_first(data_format, op_name, channels_last="NHWC"):
    """False for NHWC (NWC, NDHWC), True for NCHW (NCW, NCDHW); TF's error otherwise."""
    channels_first = {"NHWC": "NCHW", "NWC": "NCW", "NDHWC": "NCDHW"}[channels_last]
    if data_format is None or data_format == channels_last:
        return False
    if data_format == channels_first:
        return True
    raise op_error(op_name, f"Value for attr 'data_format' of \"{data_format}\" is not in the "
                            f"list of allowed values: \"{channels_last}\", \"{channels_first}\"")


def to_nhwc(x, channels_first):
    """[n, c, *spatial] -> [n, *spatial, c] when `channels_first`."""
    if not channels_first:
        return x
    rank = x.ndim
    return array_ops.transpose(x, [0] + list(range(2, rank)) + [1])


def from_nhwc(x, channels_first):
    """[n, *spatial, c] -> [n, c, *spatial] when `channels_first`."""
    if not channels_first:
        return x
    rank = x.ndim
    return array_ops.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def _int_list(value):
    if tensor_like(value):
        if value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        value = value.numpy().tolist()
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]


def spatial_values(value, name, op_name, channels_first=False, rank=2):
    """strides, dilations or ksize (an int, or 1, rank or rank + 2 values) -> spatial tuple.

    rank + 2 values are [batch, *spatial, depth] (or [batch, depth, *spatial]); the
    batch and depth entries must be 1, as TF's kernels require.
    """
    if value is None:
        return (1,) * rank
    values = _int_list(value)
    if len(values) == 1:
        values = values * rank
    elif len(values) == rank + 2:
        depth = values[1] if channels_first else values[-1]
        if values[0] != 1 or depth != 1:
            raise op_error(op_name, f"Current implementation does not yet support {name} "
                                    "in the batch and depth dimensions.",
                           error=UnimplementedError)
        values = values[2:] if channels_first else values[1:-1]
    elif len(values) != rank:
        raise ValueError(f"{name} should be of length 1, {rank} or {rank + 2}. Received: "
                         f"{name}={value} of length {len(values)}")
    return tuple(values)


def check_positive(strides, dilations, op_name):
    if min(strides) < 1:
        raise op_error(op_name, "Row and column strides should be larger than 0.")
    if min(dilations) < 1:
        raise op_error(op_name, "Dilated rates should be larger than 0.")


def padding_attrs(padding, op_name, channels_first=False):
    """(padding, explicit_paddings) attributes from TF's `padding` argument."""
    if isinstance(padding, str):
        if padding == "EXPLICIT":
            raise ValueError("'EXPLICIT' is not a valid value for `padding`. To use explicit "
                             "padding, `padding` must be a list.")
        if padding not in ("SAME", "VALID"):
            raise op_error(op_name, f"Value for attr 'padding' of \"{padding}\" is not in the "
                                    "list of allowed values: \"SAME\", \"VALID\", \"EXPLICIT\"")
        return padding, None
    pairs = list(padding)
    if len(pairs) != 4:
        raise ValueError(f"When padding is a list, it must be of size 4. Received: "
                         f"padding={padding} of size {len(pairs)}")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError("When `padding` is a list, each element of `padding` must be a "
                             f"list/tuple of size 2. Received: padding={padding} with element "
                             f"at index {i} of type {type(pair)}")
    pairs = tuple((int(a), int(b)) for a, b in pairs)
    if any(v < 0 for pair in pairs for v in pair):
        raise op_error(op_name, "All elements of explicit_paddings must be nonnegative")
    batch, depth = pairs[0], (pairs[1] if channels_first else pairs[3])
    if batch != (0, 0) or depth != (0, 0):
        raise op_error(op_name, "Nonzero explicit padding in the batch or depth dimensions is "
                                "not supported")
    return "EXPLICIT", (pairs[2:] if channels_first else pairs[1:3])


def shape_argument(shape, channels_first=False):
    """(int32 channels-last shape tensor, static dims or None) for an `output_shape`
    argument: a list of ints and scalar tensors, a TensorShape, or a 1-D tensor."""
    if tensor_like(shape):
        value = getattr(shape, "_value", None)
        if value is None:   # symbolic: known only at run time
            if channels_first:
                shape = array_ops.concat([shape[0:1], shape[2:], shape[1:2]], axis=0)
            rank = shape._static_dims()[0]
            return shape, None if rank is None else (None,) * rank
        shape = [int(d) for d in value.reshape(-1)]
    dims = []
    for d in shape:
        value = getattr(d, "_value", d) if isinstance(d, Tensor) else d
        dims.append(None if value is None else int(value))
    parts = list(shape)
    if channels_first and len(dims) >= 3:
        dims = [dims[0]] + dims[2:] + [dims[1]]
        parts = [parts[0]] + parts[2:] + [parts[1]]
    if None not in dims:
        return convert_to_tensor(xp.array(dims, dtype=xp.int32)), tuple(dims)
    pieces = [array_ops.reshape(p, [1]) if tensor_like(p) else
              convert_to_tensor(xp.array([int(p)], dtype=xp.int32)) for p in parts]
    return array_ops.concat(pieces, axis=0), tuple(dims)

