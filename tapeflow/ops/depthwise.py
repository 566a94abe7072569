"""Depthwise convolution (DepthwiseConv2dNative and its backprop ops), separable_conv2d.

A depthwise convolution filters each input channel on its own with
`channel_multiplier` filters: input [n, h, w, c], filter [kh, kw, c, m],
output [n, oh, ow, c * m] with output channel c * m + k coming from input
channel c. There is no sum over channels, so there is no matmul to feed: every
kernel loops over the kh * kw kernel offsets (never over pixels), each step a
broadcast multiply of the strided window view by that offset's filter taps.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, dtype_mismatch, unsupported_dtype
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._conv_util import (col2im_offsets, from_nhwc, geometry, is_channels_first,
                                     output_size, pad_spatial, register_conv_gradients,
                                     shape_argument, to_nhwc)
from tapeflow.ops._rules import binary_operands, tensor_like
from tapeflow.ops.conv import conv2d, conv_attrs

FLOATS = dtypes.FLOATS


def _geometry(x_shape, f_shape, strides, padding, explicit_paddings, dilations):
    return geometry(x_shape[1:3], f_shape[:2], strides, dilations, padding,
                    explicit_paddings)


def _check_depth(in_channels, filter_depth):
    if in_channels != filter_depth:
        raise InvalidArgumentError(None, None, "input depth must be evenly divisible by filter "
                                               f"depth: {in_channels} vs {filter_depth}")


def _depthwise_forward(x, f, strides, padding, explicit_paddings, dilations):
    for array, what in ((x, "input"), (f, "filter")):
        if array.ndim != 4:
            dims = ",".join(str(d) for d in array.shape)
            raise InvalidArgumentError(None, None,
                                       f"convolution {what} must be 4-dimensional: [{dims}]")
    _check_depth(x.shape[3], f.shape[2])
    g = _geometry(x.shape, f.shape, strides, padding, explicit_paddings, dilations)
    n, channels, multiplier = x.shape[0], x.shape[3], f.shape[3]
    out = xp.zeros((n,) + g.out + (channels, multiplier), dtype=x.dtype)
    if out.size:
        padded = pad_spatial(x, g.pads)
        for offset in g.offsets:
            out += g.window_view(padded, offset)[..., None] * f[offset]
    return out.reshape((n,) + g.out + (channels * multiplier,))


def _depthwise_backprop_input(input_sizes, f, dy, strides, padding, explicit_paddings,
                              dilations):
    shape = tuple(int(s) for s in input_sizes.reshape(-1))
    _check_depth(shape[3], f.shape[2])
    g = _geometry(shape, f.shape, strides, padding, explicit_paddings, dilations)
    dy = dy.reshape(dy.shape[:3] + f.shape[2:])       # [n, oh, ow, c, m]
    return col2im_offsets(g, shape, dy.dtype, lambda offset: (dy * f[offset]).sum(axis=-1))


def _depthwise_backprop_filter(x, filter_sizes, dy, strides, padding, explicit_paddings,
                               dilations):
    f_shape = tuple(int(s) for s in filter_sizes.reshape(-1))
    _check_depth(x.shape[3], f_shape[2])
    g = _geometry(x.shape, f_shape, strides, padding, explicit_paddings, dilations)
    dy = dy.reshape(dy.shape[:3] + f_shape[2:])       # [n, oh, ow, c, m]
    df = xp.zeros(f_shape, dtype=dy.dtype)
    if dy.size:
        padded = pad_spatial(x, g.pads)
        for offset in g.offsets:
            df[offset] = xp.einsum("nhwc,nhwcm->cm", g.window_view(padded, offset), dy)
    return df


def _forward_infer(x, f, **attrs):
    if x.dtype is not f.dtype:
        raise TypeError(f"Input 'filter' of 'DepthwiseConv2dNative' Op has type "
                        f"{f.dtype.name} that does not match type {x.dtype.name} of argument "
                        "'input'.")
    x_dims = x.dims or (None,) * 4
    f_dims = f.dims or (None,) * 4
    spatial = []
    for axis in (0, 1):
        pads = (attrs["explicit_paddings"] or ((0, 0), (0, 0)))[axis]
        size, k = x_dims[1 + axis], f_dims[axis]
        spatial.append(None if None in (size, k) else output_size(
            size, k, attrs["strides"][axis], attrs["dilations"][axis], attrs["padding"],
            pads)[0])
    channels = None if None in (x_dims[3], f_dims[3]) else x_dims[3] * f_dims[3]
    return TensorSpec((x_dims[0],) + tuple(spatial) + (channels,), x.dtype)


def _backprop_input_infer(sizes, f, dy, input_dims, **attrs):
    dims = tuple(input_dims) if input_dims is not None else (None,) * 4
    return TensorSpec(dims, f.dtype)


def _backprop_filter_infer(x, sizes, dy, filter_dims, **attrs):
    return TensorSpec(tuple(filter_dims) if filter_dims is not None else (None,) * 4, x.dtype)


DepthwiseConv2dNative = Op("DepthwiseConv2dNative", infer=_forward_infer, dtypes=FLOATS)
DepthwiseConv2dNative.kernel(_depthwise_forward)
# The first input is input_sizes (int32); the public function checks the filter's dtype.
DepthwiseConv2dNativeBackpropInput = Op("DepthwiseConv2dNativeBackpropInput",
                                        infer=_backprop_input_infer)
DepthwiseConv2dNativeBackpropFilter = Op("DepthwiseConv2dNativeBackpropFilter",
                                         infer=_backprop_filter_infer, dtypes=FLOATS)


@DepthwiseConv2dNativeBackpropInput.kernel
def _(input_sizes, f, dy, input_dims, **attrs):
    return _depthwise_backprop_input(input_sizes, f, dy, **attrs)


@DepthwiseConv2dNativeBackpropFilter.kernel
def _(x, filter_sizes, dy, filter_dims, **attrs):
    return _depthwise_backprop_filter(x, filter_sizes, dy, **attrs)


register_conv_gradients(DepthwiseConv2dNative, DepthwiseConv2dNativeBackpropInput,
                        DepthwiseConv2dNativeBackpropFilter)


# ================================================================================
# Public functions
# ================================================================================

def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _attrs(op_name, strides, padding, dilations, channels_first):
    if not isinstance(strides, (list, tuple)):
        raise TypeError(f"Expected list for 'strides' argument to 'depthwise_conv2d_native' "
                        f"Op, not {strides}.")
    if len(strides) != 4:
        raise InvalidArgumentError(None, None, "Sliding window strides field must specify 4 "
                                               f"or 5 dimensions [Op:{op_name}]")
    if dilations is not None and len(dilations) == 4:
        dilations = list(dilations)[2:] if channels_first else list(dilations)[1:3]
    return conv_attrs(op_name, strides, padding, dilations, channels_first)


def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """Depthwise 2-D convolution: each input channel convolved with its own filters.

    Args:
      input: [batch, height, width, in_channels] (or NCHW).
      filter: [filter_height, filter_width, in_channels, channel_multiplier].
      strides: a list of 4 ints, [1, stride_h, stride_w, 1] in data_format order.
      padding: "SAME", "VALID" or explicit pairs.
      dilations: a list of 2 ints (the rate along height and width).

    Returns:
      [batch, out_height, out_width, in_channels * channel_multiplier].
    """
    op_name = "DepthwiseConv2dNative"
    channels_first = is_channels_first(data_format, op_name)
    attrs = _attrs(op_name, strides, padding, dilations, channels_first)
    x, f = binary_operands(input, filter, op_name)
    if x.dtype not in FLOATS:
        raise unsupported_dtype(op_name, x.dtype, FLOATS, (x, f))
    out = apply(DepthwiseConv2dNative, to_nhwc(x, channels_first), f, **attrs)
    return from_nhwc(out, channels_first)


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                    padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                                    name=None):
    """The gradient of depthwise_conv2d with respect to its input, of shape `input_sizes`."""
    op_name = "DepthwiseConv2dNativeBackpropInput"
    channels_first = is_channels_first(data_format, op_name)
    attrs = _attrs(op_name, strides, padding, dilations, channels_first)
    f, dy = _t(filter), _t(out_backprop)
    if f.dtype is not dy.dtype:
        raise dtype_mismatch(op_name, 2, f.dtype, dy.dtype, (f, dy))
    sizes, dims = shape_argument(input_sizes, channels_first)
    out = apply(DepthwiseConv2dNativeBackpropInput, sizes, f, to_nhwc(dy, channels_first),
                input_dims=dims, **attrs)
    return from_nhwc(out, channels_first)


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                     padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                                     name=None):
    """The gradient of depthwise_conv2d with respect to its filter, of shape `filter_sizes`."""
    op_name = "DepthwiseConv2dNativeBackpropFilter"
    channels_first = is_channels_first(data_format, op_name)
    attrs = _attrs(op_name, strides, padding, dilations, channels_first)
    x, dy = binary_operands(input, out_backprop, op_name)
    sizes, dims = shape_argument(filter_sizes)
    return apply(DepthwiseConv2dNativeBackpropFilter, to_nhwc(x, channels_first), sizes,
                 to_nhwc(dy, channels_first), filter_dims=dims, **attrs)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides,  # noqa: A002
                     padding, data_format=None, dilations=None, name=None):
    """A depthwise convolution followed by a 1x1 convolution mixing the channels.

    `pointwise_filter` is [1, 1, in_channels * channel_multiplier, out_channels].
    """
    pointwise = _t(pointwise_filter)
    dims = pointwise._static_dims()
    if dims is not None and len(dims) == 4:
        for d in dims[:2]:
            if d is not None and d != 1:
                raise ValueError(f"Dimensions {d} and 1 are not compatible")
    depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format,
                                 dilations)
    return conv2d(depthwise, pointwise, 1, "VALID", data_format=data_format or "NHWC")
