"""Convolutions: Conv2D, DepthwiseConv2dNative, their backprop ops, and the tf.nn wrappers.

How Conv2D runs (im2col). For every output pixel, the input window it sees is
copied into one row of a matrix `cols` of shape [pixels, kh * kw * in_channels];
the convolution is then ONE matmul `cols @ filter.reshape(-1, out_channels)`.
`cols` is filled by a loop over the kh * kw kernel offsets, each a strided copy
of the whole (padded) input: never a Python loop over pixels. The backward pass
reuses the same two pieces:

- filter gradient = cols^T @ dy (one matmul);
- input gradient  = dy @ filter^T gives the gradient of every window row, which
  "col2im" adds back into the input with one strided add per kernel offset.

The backprop ops are ops themselves, with gradients of their own (all three
are linear in each argument), so second derivatives work. Images are NHWC and
filters [height, width, in_channels, out_channels], as in TF on CPU.
"""
from typing import NamedTuple

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import (InvalidArgumentError, UnimplementedError, dtype_mismatch,
                                  op_error, unsupported_dtype)
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import array as array_ops
from tapeflow.ops._rules import binary_operands, tensor_like

CONV_DTYPES = dtypes.FLOATS | {dtypes.int32}
PADDINGS = ("SAME", "VALID", "EXPLICIT")


# ================================================================================
# Geometry: output sizes and paddings, shared with pooling
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


def col2im(cols, g, x_shape):
    """The adjoint of im2col: adds each window row back where it came from in the input."""
    padded = _padded_zeros(x_shape, g, cols.dtype)
    if cols.size:
        for i in range(g.kh):
            for j in range(g.kw):
                g.window_view(padded, i, j)[...] += cols[:, :, :, i, j]
    return crop_spatial(padded, g.pads, x_shape[1], x_shape[2])


# ================================================================================
# Conv2D and its backprop ops (optionally grouped: in_channels = groups * filter depth)
# ================================================================================

def _conv_geometry(x_shape, f_shape, strides, padding, explicit_paddings, dilations):
    return geometry(x_shape[1], x_shape[2], f_shape[0], f_shape[1], strides, dilations,
                    padding, explicit_paddings)


def _groups(in_channels, filter_depth, out_channels):
    if filter_depth == 0 or in_channels % filter_depth:
        raise InvalidArgumentError(None, None, "input depth must be evenly divisible by filter "
                                               f"depth: {in_channels} vs {filter_depth}")
    groups = in_channels // filter_depth
    if out_channels % groups:
        raise InvalidArgumentError(None, None, "output depth must be evenly divisible by number "
                                               f"of groups: {out_channels} vs {groups}")
    return groups


def _filter_matrix(f, groups):
    """The filter as [kh*kw*depth, out] (groups == 1) or [groups, kh*kw*depth, out/groups]."""
    kh, kw, depth, out = f.shape
    if groups == 1:
        return f.reshape(kh * kw * depth, out)
    f = f.reshape(kh * kw, depth, groups, out // groups).transpose(2, 0, 1, 3)
    return f.reshape(groups, kh * kw * depth, out // groups)


def _cols_by_group(cols, groups, depth):
    """[n, oh, ow, kh, kw, c] -> [groups, pixels, kh*kw*depth] (a copy)."""
    pixels = cols.shape[0] * cols.shape[1] * cols.shape[2]
    kk = cols.shape[3] * cols.shape[4]
    cols = cols.reshape(pixels, kk, groups, depth).transpose(2, 0, 1, 3)
    return cols.reshape(groups, pixels, kk * depth)


def _conv2d_forward(x, f, strides, padding, explicit_paddings, dilations):
    _check_rank4(x, "input")
    _check_rank4(f, "filter")
    g = _conv_geometry(x.shape, f.shape, strides, padding, explicit_paddings, dilations)
    n, out_channels = x.shape[0], f.shape[3]
    groups = _groups(x.shape[3], f.shape[2], out_channels)
    if g.kh == g.kw == g.sh == g.sw == 1 and not any(sum(g.pads, ())):
        cols = x                              # a 1x1 convolution needs no copy
    else:
        cols = im2col(x, g)
    if groups == 1:
        out = cols.reshape(-1, f.shape[0] * f.shape[1] * f.shape[2]) @ _filter_matrix(f, 1)
    else:
        out = _cols_by_group(cols, groups, f.shape[2]) @ _filter_matrix(f, groups)
        out = out.transpose(1, 0, 2)
    return out.reshape(n, g.oh, g.ow, out_channels)


def _check_rank4(array, what):
    if array.ndim != 4:
        dims = ",".join(str(d) for d in array.shape)
        raise InvalidArgumentError(None, None,
                                   f"convolution {what} must be 4-dimensional: [{dims}]")


def _conv2d_backprop_input(input_sizes, f, dy, strides, padding, explicit_paddings,
                           dilations):
    x_shape = _input_sizes(input_sizes, f, dy)
    g = _conv_geometry(x_shape, f.shape, strides, padding, explicit_paddings, dilations)
    _check_out_backprop(g, dy, x_shape, f.shape, "Conv2DCustomBackpropInput")
    groups = _groups(x_shape[3], f.shape[2], f.shape[3])
    pixels = dy.shape[0] * g.oh * g.ow
    dy2 = dy.reshape(pixels, f.shape[3])
    if groups == 1:
        dcols = dy2 @ _filter_matrix(f, 1).T
    else:
        dyg = dy2.reshape(pixels, groups, -1).transpose(1, 0, 2)
        dcols = dyg @ _filter_matrix(f, groups).transpose(0, 2, 1)   # [groups, pixels, kk*d]
        dcols = dcols.reshape(groups, pixels, g.kh * g.kw, f.shape[2]).transpose(1, 2, 0, 3)
    dcols = dcols.reshape(dy.shape[0], g.oh, g.ow, g.kh, g.kw, x_shape[3])
    return col2im(dcols, g, x_shape)


def _conv2d_backprop_filter(x, filter_sizes, dy, strides, padding, explicit_paddings,
                            dilations):
    f_shape = tuple(int(s) for s in filter_sizes.reshape(-1))
    g = _conv_geometry(x.shape, f_shape, strides, padding, explicit_paddings, dilations)
    _check_out_backprop(g, dy, x.shape, f_shape, "Conv2DCustomBackpropFilter")
    groups = _groups(x.shape[3], f_shape[2], f_shape[3])
    cols = im2col(x, g)
    pixels = dy.shape[0] * g.oh * g.ow
    dy2 = dy.reshape(pixels, f_shape[3])
    if groups == 1:
        df = cols.reshape(pixels, -1).T @ dy2
    else:
        dyg = dy2.reshape(pixels, groups, -1).transpose(1, 0, 2)
        df = _cols_by_group(cols, groups, f_shape[2]).transpose(0, 2, 1) @ dyg
        df = df.reshape(groups, g.kh * g.kw, f_shape[2], -1).transpose(1, 2, 0, 3)
    return df.reshape(f_shape)


def _input_sizes(sizes, f, dy):
    """Conv2DBackpropInput's input_sizes as (n, h, w, c); TF also accepts just (h, w)."""
    sizes = tuple(int(s) for s in sizes.reshape(-1))
    if len(sizes) == 2:
        return (dy.shape[0],) + sizes + (f.shape[2],)
    if len(sizes) != 4:
        raise InvalidArgumentError(None, None, "Conv2DBackpropInput requires input_sizes to "
                                               "contain 4 values or 2 values, but got: "
                                               f"{len(sizes)}")
    if sizes[0] != dy.shape[0]:
        raise InvalidArgumentError(
            None, None, "Conv2DCustomBackpropInput: input and out_backprop must have the same "
                        f"batch size. Input batch: {sizes[0]}, outbackprop batch: "
                        f"{dy.shape[0]}, batch_dim: 0")
    if dy.shape[3] != f.shape[3]:
        raise InvalidArgumentError(None, None, "Conv2DCustomBackpropInput: filter and "
                                               "out_backprop must have the same out_depth")
    return sizes


def _check_out_backprop(g, dy, x_shape, f_shape, label):
    for axis, (computed, size, k, s, d) in enumerate(
            ((g.oh, x_shape[1], g.kh, g.sh, g.dh), (g.ow, x_shape[2], g.kw, g.sw, g.dw)),
            start=1):
        if dy.shape[axis] != computed:
            raise InvalidArgumentError(
                None, None, f"{label}: Size of out_backprop doesn't match computed: actual = "
                            f"{dy.shape[axis]}, computed = {computed} spatial_dim: {axis} "
                            f"input: {size} filter: {k} output: {dy.shape[axis]} stride: {s} "
                            f"dilation: {d}")


# -- shape rules -----------------------------------------------------------------------

def _spatial_out(dims, k_dims, attrs):
    """(oh, ow) from input dims (N, H, W, C) and kernel (kh, kw); None where unknown."""
    out = []
    for axis in (0, 1):
        size, k = dims[1 + axis], k_dims[axis]
        if size is None or k is None:
            out.append(None)
            continue
        pads = (attrs["explicit_paddings"] or ((0, 0), (0, 0)))[axis]
        out.append(output_size(size, k, attrs["strides"][axis], attrs["dilations"][axis],
                               attrs["padding"], pads)[0])
    return tuple(out)


def _check_ranks(op_name, **named_specs):
    for name, (spec, rank) in named_specs.items():
        if spec.dims is not None and len(spec.dims) != rank:
            raise ValueError(f"Shape must be rank {rank} but is rank {len(spec.dims)} for "
                             f"'{op_name}' ({name} shape {shape_str(spec.dims)}).")


def _same_dtype(op_name, a, b):
    if a.dtype is not b.dtype:
        raise TypeError(f"Input 'filter' of '{op_name}' Op has type {b.dtype.name} that does "
                        f"not match type {a.dtype.name} of argument 'input'.")


def _conv2d_infer(x, f, **attrs):
    _same_dtype("Conv2D", x, f)
    _check_ranks("Conv2D", input=(x, 4), filter=(f, 4))
    x_dims = x.dims or (None,) * 4
    f_dims = f.dims or (None,) * 4
    if None not in (x_dims[3], f_dims[2]) and f_dims[2] and x_dims[3] % f_dims[2]:
        raise ValueError(f"Depth of input ({x_dims[3]}) is not a multiple of input depth of "
                         f"filter ({f_dims[2]}) for 'Conv2D' with input shapes: "
                         f"{shape_str(x.dims)}, {shape_str(f.dims)}.")
    return TensorSpec((x_dims[0],) + _spatial_out(x_dims, f_dims, attrs) + (f_dims[3],),
                      x.dtype)


def _backprop_input_infer(sizes, f, dy, input_dims, **attrs):
    batch = dy.dims[0] if dy.dims is not None else None
    dims = tuple(input_dims) if input_dims is not None else (None,) * 4
    return TensorSpec((dims[0] if dims[0] is not None else batch,) + dims[1:], f.dtype)


def _backprop_filter_infer(x, sizes, dy, filter_dims, **attrs):
    return TensorSpec(tuple(filter_dims) if filter_dims is not None else (None,) * 4, x.dtype)


Conv2D = Op("Conv2D", infer=_conv2d_infer, dtypes=CONV_DTYPES)
Conv2D.kernel(_conv2d_forward)
# The first input is input_sizes (int32); conv2d_transpose checks the filter's dtype.
Conv2DBackpropInput = Op("Conv2DBackpropInput", infer=_backprop_input_infer)


@Conv2DBackpropInput.kernel
def _(input_sizes, f, dy, input_dims, **attrs):
    return _conv2d_backprop_input(input_sizes, f, dy, **attrs)


Conv2DBackpropFilter = Op("Conv2DBackpropFilter", infer=_backprop_filter_infer,
                          dtypes=CONV_DTYPES)


@Conv2DBackpropFilter.kernel
def _(x, filter_sizes, dy, filter_dims, **attrs):
    return _conv2d_backprop_filter(x, filter_sizes, dy, **attrs)


def shape_operand(x):
    """x's shape as an int32 tensor (a constant when static, else the run-time Shape op)."""
    dims = x._static_dims()
    if dims is not None and None not in dims:
        return convert_to_tensor(xp.array(dims, dtype=xp.int32))
    return array_ops.shape(x)


def static_dims(x):
    return x._static_dims()


def _register_conv_gradients(forward, backprop_input, backprop_filter):
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


_register_conv_gradients(Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter)


# ================================================================================
# Public functions: argument normalization with TF's checks, then one apply
# ================================================================================

def _as_int_list(value):
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]


def spatial_pair(value, name, op_name, rank=2):
    """An int or list of ints for strides/dilations -> a tuple of `rank` spatial values.

    Like TF, accepts one value, `rank` values, or `rank + 2` values (batch and
    channel entries must then be 1).
    """
    if value is None:
        return (1,) * rank
    if tensor_like(value) and value.ndim == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    values = _as_int_list(value.numpy().tolist() if tensor_like(value) else value)
    if len(values) == 1:
        values = values * rank
    elif len(values) == rank + 2:
        if values[0] != 1 or values[-1] != 1:
            raise op_error(op_name, f"Current implementation does not yet support {name} in "
                                    "the batch and depth dimensions.", error=UnimplementedError)
        values = values[1:-1]
    elif len(values) != rank:
        lengths = f"1, {rank} or {rank + 2}"
        raise ValueError(f"{name} should be of length {lengths}. Received: {name}={value} of "
                         f"length {len(values)}")
    if min(values) < 1:
        message = ("Row and column strides should be larger than 0." if name == "strides"
                   else "Dilated rates should be larger than 0.")
        raise op_error(op_name, message)
    return tuple(values)


def padding_attrs(padding, op_name, rank=2):
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
    if len(pairs) != rank + 2:
        raise ValueError(f"When padding is a list, it must be of size {rank + 2}. Received: "
                         f"padding={padding} of size {len(pairs)}")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError("When `padding` is a list, each element of `padding` must be a "
                             f"list/tuple of size 2. Received: padding={padding} with element "
                             f"at index {i} of type {type(pair)}")
    pairs = tuple((int(a), int(b)) for a, b in pairs)
    if any(v < 0 for pair in pairs for v in pair):
        raise op_error(op_name, "All elements of explicit_paddings must be nonnegative")
    if pairs[0] != (0, 0) or pairs[-1] != (0, 0):
        raise op_error(op_name, "Nonzero explicit padding in the batch or depth dimensions is "
                                "not supported")
    return "EXPLICIT", pairs[1:-1]


def check_data_format(data_format, op_name, default="NHWC"):
    """TF on CPU runs convolutions and pooling in NHWC (NWC for 1-D) only."""
    if data_format is None or data_format == default:
        return
    channels_first = {"NHWC": "NCHW", "NWC": "NCW"}[default]
    if data_format == channels_first:
        raise op_error(op_name, f"The {op_name} op currently only supports the NHWC tensor "
                                f"format on the CPU. The op was given the format: "
                                f"{data_format.replace('NCW', 'NCHW')}",
                       error=UnimplementedError)
    raise op_error(op_name, f"Value for attr 'data_format' of \"{data_format}\" is not in the "
                            f"list of allowed values: \"{default}\", \"{channels_first}\"")


def _conv_attrs(op_name, strides, padding, dilations):
    padding, explicit = padding_attrs(padding, op_name)
    return dict(strides=spatial_pair(strides, "strides", op_name),
                padding=padding, explicit_paddings=explicit,
                dilations=spatial_pair(dilations, "dilations", op_name))


def _conv_operands(op_name, x, f, allowed):
    x, f = binary_operands(x, f, op_name)
    if x.dtype not in allowed:
        raise unsupported_dtype(op_name, x.dtype, allowed, (x, f))
    return x, f


def _with_flat_batch(x, fn):
    """Runs the rank-4 `fn` on x of rank > 4 by folding the extra batch dimensions, as TF."""
    dims = x._static_dims()
    if dims is None or len(dims) <= 4:
        return fn(x)
    out = fn(array_ops.reshape(x, (-1,) + tuple(dims[-3:])))
    return array_ops.reshape(out, tuple(dims[:-3]) + tuple(out.shape[1:]))


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """2-D convolution of NHWC `input` with `filters` of shape [h, w, in, out].

    Args:
      input: a float or int32 tensor [batch, height, width, in_channels] (more
        leading batch dimensions are allowed).
      filters: a tensor of the same dtype, [filter_height, filter_width,
        in_channels / groups, out_channels].
      strides: an int or a list of 1, 2 or 4 ints (then [1, sh, sw, 1]).
      padding: "SAME", "VALID", or explicit pairs [[0, 0], [top, bottom],
        [left, right], [0, 0]].
      data_format: "NHWC" (TF on CPU supports no other).
      dilations: an int or a list of 1, 2 or 4 ints.

    Returns:
      [batch, out_height, out_width, out_channels].

    >>> image = [[[[1.0], [2.0]], [[3.0], [4.0]]]]     # one 2x2 image, one channel
    >>> ones_1x2 = [[[[1.0]], [[1.0]]]]               # a 1x2 filter of ones
    >>> conv2d(image, ones_1x2, 1, "VALID").numpy()[0, :, :, 0]
    array([[3.],
           [7.]], dtype=float32)
    """
    check_data_format(data_format, "Conv2D")
    attrs = _conv_attrs("Conv2D", strides, padding, dilations)
    x, f = _conv_operands("Conv2D", input, filters, CONV_DTYPES)
    return _with_flat_batch(x, lambda x4: apply(Conv2D, x4, f, **attrs))


def _shape_argument(shape):
    """(int32 tensor, static dims) for an output_shape given as a list (ints or
    scalar tensors), a TensorShape or a 1-D tensor."""
    if tensor_like(shape):
        value = getattr(shape, "_value", None)
        if value is None:   # symbolic: known only at run time
            rank = shape._static_dims()[0]
            return shape, None if rank is None else (None,) * rank
        dims = tuple(int(d) for d in value.reshape(-1))
        return convert_to_tensor(xp.array(dims, dtype=xp.int32)), dims
    dims = []
    for d in shape:
        value = getattr(d, "_value", d) if tensor_like(d) else d
        dims.append(None if value is None else int(value))
    if None not in dims:
        return convert_to_tensor(xp.array(dims, dtype=xp.int32)), tuple(dims)
    parts = [array_ops.reshape(d, [1]) if tensor_like(d) else [int(d)] for d in shape]
    return array_ops.concat([convert_to_tensor(p, dtype=dtypes.int32) if not tensor_like(p)
                             else p for p in parts], axis=0), tuple(dims)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """The transpose (gradient) of conv2d: maps [n, h, w, out] back to `output_shape`.

    `filters` has shape [h, w, output_channels, input_channels], as in TF.
    """
    check_data_format(data_format, "Conv2DBackpropInput")
    attrs = _conv_attrs("Conv2DBackpropInput", strides, padding, dilations)
    x, f = _t(input), _t(filters)
    if x.dtype is not f.dtype:
        raise dtype_mismatch("Conv2DBackpropInput", 2, f.dtype, x.dtype, (f, x))
    if f.dtype not in CONV_DTYPES:
        raise unsupported_dtype("Conv2DBackpropInput", f.dtype, CONV_DTYPES, (f, x))
    sizes, dims = _shape_argument(output_shape)
    if dims is not None and len(dims) == 2:
        dims = (x._static_dims()[0],) + dims + (f._static_dims()[2],)
    elif dims is not None and len(dims) != 4:
        dims = None
    return apply(Conv2DBackpropInput, sizes, f, x, input_dims=dims, **attrs)


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _conv1d_padding(padding):
    if isinstance(padding, str):
        return padding
    pairs = list(padding)
    if len(pairs) != 3:
        raise ValueError(f"When padding is a list, it must be of size 3. Received: "
                         f"padding={padding} of size {len(pairs)}")
    return [pairs[0], [0, 0], pairs[1], pairs[2]]


def _conv1d_value(value, name):
    """conv1d's stride/dilations: an int or a list of 1 or 3 ints -> int."""
    values = _as_int_list(value)
    if len(values) == 3:
        return values[1]
    if len(values) != 1:
        raise ValueError(f"{name} should be of length 1, 1 or 3. Received: {name}={value} of "
                         f"length {len(values)}")
    return values[0]


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """1-D convolution of NWC `input` with `filters` [width, in, out]: a conv2d over
    a height-1 image, as TF computes it."""
    if data_format in ("NCW", "NCHW"):
        check_data_format("NCW", "Conv2D", default="NWC")
    x = _t(input)
    f = _t(filters)
    dilation = 1 if dilations is None else _conv1d_value(dilations, "dilations")
    out = conv2d(array_ops.expand_dims(x, -3), array_ops.expand_dims(f, 0),
                 [1, _conv1d_value(stride, "stride")], _conv1d_padding(padding),
                 dilations=[1, dilation])
    return array_ops.squeeze(out, axis=-3)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """The transpose of conv1d: `filters` is [width, output_channels, input_channels]."""
    if data_format in ("NCW", "NCHW"):
        check_data_format("NCW", "Conv2DBackpropInput", default="NWC")
    x = _t(input)
    f = _t(filters)
    sizes, dims = _shape_argument(output_shape)
    if dims is None or len(dims) != 3:
        raise ValueError(f"output_shape must have length 3, got {output_shape}.")
    shape_2d = [dims[0], 1, dims[1], dims[2]]
    if None in dims:
        shape_2d = array_ops.concat([sizes[:1], [1], sizes[1:]], axis=0)
    dilation = 1 if dilations is None else _conv1d_value(dilations, "dilations")
    out = conv2d_transpose(array_ops.expand_dims(x, 1), array_ops.expand_dims(f, 0), shape_2d,
                           [1, _conv1d_value(strides, "strides")], _conv1d_padding(padding),
                           dilations=[1, dilation])
    return array_ops.squeeze(out, axis=1)


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None):
    """N-D convolution, dispatched on the filter's rank (1-D and 2-D)."""
    f = _t(filters)
    rank = f.ndim
    if rank == 3:
        return conv1d(input, f, 1 if strides is None else strides, padding,
                      data_format or "NWC", dilations)
    if rank == 4:
        return conv2d(input, f, 1 if strides is None else strides, padding,
                      data_format or "NHWC", dilations)
    raise NotImplementedError(f"convolution: {rank - 2}-D convolutions are not implemented "
                              "(1-D and 2-D are).")
