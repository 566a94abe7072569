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
from typing import NamedTuple

from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, UnimplementedError, op_error
from tapeflow.core.tensor import Tensor
from tapeflow.ops import array as array_ops
from tapeflow.ops._rules import tensor_like

NHWC_TO_NCHW = (0, 3, 1, 2)
NCHW_TO_NHWC = (0, 2, 3, 1)


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
    """Where the windows of a 2-D convolution or pooling lie in the (padded) input."""
    kh: int
    kw: int
    sh: int
    sw: int
    dh: int
    dw: int
    oh: int
    ow: int
    pads: tuple   # ((top, bottom), (left, right))

    def window_view(self, padded, i, j):
        """The input pixels under kernel offset (i, j) for every output pixel: a strided view."""
        top, left = i * self.dh, j * self.dw
        return padded[:, top:top + self.sh * (self.oh - 1) + 1:self.sh,
                      left:left + self.sw * (self.ow - 1) + 1:self.sw]


def geometry(h, w, kh, kw, strides, dilations, padding, explicit_paddings):
    """The Geometry of windows (kh, kw) over an h x w input; raises InvalidArgumentError."""
    pads = explicit_paddings or ((0, 0), (0, 0))
    try:
        oh, top, bottom = output_size(h, kh, strides[0], dilations[0], padding, pads[0])
        ow, left, right = output_size(w, kw, strides[1], dilations[1], padding, pads[1])
    except ValueError as error:
        raise InvalidArgumentError(None, None, str(error)) from None
    return Geometry(kh, kw, strides[0], strides[1], dilations[0], dilations[1], oh, ow,
                    ((top, bottom), (left, right)))


def pad_spatial(x, pads, value=0):
    """`x` (NHWC) padded on H and W; the array itself when there is no padding."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    out = xp.full((n, h + top + bottom, w + left + right, c), value, dtype=x.dtype)
    out[:, top:top + h, left:left + w] = x
    return out


def crop_spatial(padded, pads, h, w):
    (top, _), (left, _) = pads
    if padded.shape[1] == h and padded.shape[2] == w:
        return padded
    return padded[:, top:top + h, left:left + w]


def _padded_zeros(shape, g, dtype):
    n, h, w, c = shape
    (top, bottom), (left, right) = g.pads
    return xp.zeros((n, h + top + bottom, w + left + right, c), dtype=dtype)


def im2col(x, g):
    """[n, oh, ow, kh, kw, c]: every output pixel's input window, one strided copy per offset."""
    n, _, _, c = x.shape
    cols = xp.empty((n, g.oh, g.ow, g.kh, g.kw, c), dtype=x.dtype)
    if cols.size == 0:
        return cols
    padded = pad_spatial(x, g.pads)
    for i in range(g.kh):
        for j in range(g.kw):
            cols[:, :, :, i, j] = g.window_view(padded, i, j)
    return cols


def col2im_offsets(g, x_shape, dtype, contribution):
    """Adds `contribution(i, j)` (a value per output pixel, shaped like the window view)
    into the input pixels under kernel offset (i, j), for every offset."""
    padded = _padded_zeros(x_shape, g, dtype)
    if g.oh and g.ow and x_shape[0]:
        for i in range(g.kh):
            for j in range(g.kw):
                g.window_view(padded, i, j)[...] += contribution(i, j)
    return crop_spatial(padded, g.pads, x_shape[1], x_shape[2])


def col2im(cols, g, x_shape):
    """The adjoint of im2col: adds each window row back where it came from in the input."""
    return col2im_offsets(g, x_shape, cols.dtype, lambda i, j: cols[:, :, :, i, j])


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
    """False for NHWC (NWC), True for NCHW (NCW); TF's error for anything else."""
    channels_first = {"NHWC": "NCHW", "NWC": "NCW"}[channels_last]
    if data_format is None or data_format == channels_last:
        return False
    if data_format == channels_first:
        return True
    raise op_error(op_name, f"Value for attr 'data_format' of \"{data_format}\" is not in the "
                            f"list of allowed values: \"{channels_last}\", \"{channels_first}\"")


def to_nhwc(x, channels_first):
    return array_ops.transpose(x, NCHW_TO_NHWC) if channels_first else x


def from_nhwc(x, channels_first):
    return array_ops.transpose(x, NHWC_TO_NCHW) if channels_first else x


def _int_list(value):
    if tensor_like(value):
        if value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        value = value.numpy().tolist()
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]


def spatial_values(value, name, op_name, channels_first=False, what=None):
    """strides, dilations or ksize (an int, or 1, 2 or 4 values) -> (h, w).

    Four values are [batch, h, w, depth] (or [batch, depth, h, w]); the batch and
    depth entries must be 1, as TF's kernels require.
    """
    if value is None:
        return (1, 1)
    values = _int_list(value)
    if len(values) == 1:
        values = values * 2
    elif len(values) == 4:
        depth = values[1] if channels_first else values[3]
        if values[0] != 1 or depth != 1:
            raise op_error(op_name, f"Current implementation does not yet support {what or name} "
                                    "in the batch and depth dimensions.",
                           error=UnimplementedError)
        values = values[2:] if channels_first else values[1:3]
    elif len(values) != 2:
        raise ValueError(f"{name} should be of length 1, 2 or 4. Received: {name}={value} of "
                         f"length {len(values)}")
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
    """(int32 NHWC shape tensor, static dims or None) for an `output_shape` argument:
    a list of ints and scalar tensors, a TensorShape, or a 1-D tensor."""
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
    if channels_first and len(dims) == 4:
        dims = [dims[0], dims[2], dims[3], dims[1]]
        parts = [parts[0], parts[2], parts[3], parts[1]]
    if None not in dims:
        return convert_to_tensor(xp.array(dims, dtype=xp.int32)), tuple(dims)
    pieces = [array_ops.reshape(p, [1]) if tensor_like(p) else
              convert_to_tensor(xp.array([int(p)], dtype=xp.int32)) for p in parts]
    return array_ops.concat(pieces, axis=0), tuple(dims)

