"""Conv2D and Conv3D, their backprop ops, and the tf.nn convolution functions.

How Conv2D runs (im2col). For every output pixel, the input window it sees is
copied into one row of a matrix `cols` of shape [pixels, kh * kw * in_channels];
the convolution is then ONE matmul `cols @ filter.reshape(-1, out_channels)`.
`cols` is filled by a loop over the kh * kw kernel offsets, each a strided copy
of the whole (padded) input: never a Python loop over pixels. The backward pass
reuses the same two pieces:

- filter gradient = cols^T @ dy (one matmul);
- input gradient  = dy @ filter^T gives the gradient of every window row, which
  "col2im" adds back into the input with one strided add per kernel offset.

Conv3D is the same code with one more spatial axis. The backprop ops are ops
themselves, with gradients of their own (all three are linear in each
argument), so second derivatives work. The ops work channels-last (NHWC,
NDHWC) with filters [*window, in_channels / groups, out_channels]; the public
functions transpose channels-first inputs around them.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.ops import _parallel
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import (InvalidArgumentError, dtype_mismatch, op_error,
                                  unsupported_dtype)
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import array as array_ops
from tapeflow.ops._conv_util import (check_positive, col2im, from_nhwc, geometry, im2col,
                                     is_channels_first, output_size, padding_attrs,
                                     register_conv_gradients, shape_argument, spatial_values,
                                     to_nhwc)
from tapeflow.ops._rules import binary_operands, tensor_like

CONV_DTYPES = dtypes.FLOATS | {dtypes.int32}


# ================================================================================
# Conv2D and its backprop ops (optionally grouped: in_channels = groups * filter depth)
# ================================================================================

def _prod(values):
    result = 1
    for v in values:
        result *= v
    return result


def _conv_geometry(x_shape, f_shape, strides, padding, explicit_paddings, dilations):
    rank = len(x_shape) - 2
    return geometry(x_shape[1:-1], f_shape[:rank], strides, dilations, padding,
                    explicit_paddings)


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
    """The filter [*kernel, depth, out] as [kk*depth, out] (groups == 1) or
    [groups, kk*depth, out/groups], kk being the number of kernel taps."""
    kk, depth, out = _prod(f.shape[:-2]), f.shape[-2], f.shape[-1]
    if groups == 1:
        return f.reshape(kk * depth, out)
    f = f.reshape(kk, depth, groups, out // groups).transpose(2, 0, 1, 3)
    return f.reshape(groups, kk * depth, out // groups)


def _cols_by_group(cols, g, groups, depth):
    """[n, *out, *kernel, c] -> [groups, pixels, kk*depth] (a copy)."""
    pixels = cols.shape[0] * _prod(g.out)
    cols = cols.reshape(pixels, _prod(g.kernel), groups, depth).transpose(2, 0, 1, 3)
    return cols.reshape(groups, pixels, _prod(g.kernel) * depth)   # (pixels may be 0)


def _check_rank(array, rank, what):
    if array.ndim != rank + 2:
        dims = ",".join(str(d) for d in array.shape)
        raise InvalidArgumentError(None, None, f"convolution {what} must be "
                                               f"{rank + 2}-dimensional: [{dims}]")


def _conv_forward(x, f, rank, strides, padding, explicit_paddings, dilations):
    _check_rank(x, rank, "input")
    _check_rank(f, rank, "filter")
    g = _conv_geometry(x.shape, f.shape, strides, padding, explicit_paddings, dilations)
    n, depth, out_channels = x.shape[0], f.shape[-2], f.shape[-1]
    groups = _groups(x.shape[-1], depth, out_channels)
    pointwise = set(g.kernel) == {1} and set(g.strides) == {1} and \
        not any(sum(g.pads, ()))
    cols = x if pointwise else im2col(x, g)       # a 1x1 convolution needs no copy
    if groups == 1:
        out = _parallel.matmul(cols.reshape(-1, _prod(g.kernel) * depth), _filter_matrix(f, 1))
    else:
        out = _cols_by_group(cols, g, groups, depth) @ _filter_matrix(f, groups)
        out = out.transpose(1, 0, 2)
    return out.reshape((n,) + g.out + (out_channels,))


def _conv_backprop_input(input_sizes, f, dy, rank, label, strides, padding,
                         explicit_paddings, dilations):
    x_shape = _input_sizes(input_sizes, f, dy, rank, label)
    g = _conv_geometry(x_shape, f.shape, strides, padding, explicit_paddings, dilations)
    _check_out_backprop(g, dy, x_shape, f.shape, label)
    depth = f.shape[-2]
    groups = _groups(x_shape[-1], depth, f.shape[-1])
    pixels = dy.shape[0] * _prod(g.out)
    dy2 = dy.reshape(pixels, f.shape[-1])
    if groups == 1:
        dcols = _parallel.matmul(dy2, _filter_matrix(f, 1).T)
    else:
        dyg = dy2.reshape(pixels, groups, f.shape[-1] // groups).transpose(1, 0, 2)
        dcols = dyg @ _filter_matrix(f, groups).transpose(0, 2, 1)   # [groups, pixels, kk*d]
        dcols = dcols.reshape(groups, pixels, _prod(g.kernel), depth).transpose(1, 2, 0, 3)
    dcols = dcols.reshape((dy.shape[0],) + g.out + g.kernel + (x_shape[-1],))
    return col2im(dcols, g, x_shape)


def _conv_backprop_filter(x, filter_sizes, dy, rank, label, strides, padding,
                          explicit_paddings, dilations):
    f_shape = tuple(int(s) for s in filter_sizes.reshape(-1))
    g = _conv_geometry(x.shape, f_shape, strides, padding, explicit_paddings, dilations)
    _check_out_backprop(g, dy, x.shape, f_shape, label)
    depth = f_shape[-2]
    groups = _groups(x.shape[-1], depth, f_shape[-1])
    cols = im2col(x, g)
    pixels = dy.shape[0] * _prod(g.out)
    dy2 = dy.reshape(pixels, f_shape[-1])
    if groups == 1:
        df = _parallel.matmul(cols.reshape(pixels, _prod(g.kernel) * depth).T, dy2)
    else:
        dyg = dy2.reshape(pixels, groups, f_shape[-1] // groups).transpose(1, 0, 2)
        df = _cols_by_group(cols, g, groups, depth).transpose(0, 2, 1) @ dyg
        df = df.reshape(groups, _prod(g.kernel), depth, -1).transpose(1, 2, 0, 3)
    return df.reshape(f_shape)


def _input_sizes(sizes, f, dy, rank, label):
    """BackpropInput's input_sizes as (n, *spatial, c); for 2-D TF also accepts (h, w)."""
    sizes = tuple(int(s) for s in sizes.reshape(-1))
    if len(sizes) == rank:
        return (dy.shape[0],) + sizes + (f.shape[-2],)
    if len(sizes) != rank + 2:
        raise InvalidArgumentError(None, None, f"{label} requires input_sizes to contain "
                                               f"{rank + 2} values or {rank} values, but got: "
                                               f"{len(sizes)}")
    custom = label.replace("Conv2D", "Conv2DCustom")
    if sizes[0] != dy.shape[0]:
        raise InvalidArgumentError(
            None, None, f"{custom}: input and out_backprop must have the same batch size. "
                        f"Input batch: {sizes[0]}, outbackprop batch: {dy.shape[0]}, "
                        "batch_dim: 0")
    if dy.shape[-1] != f.shape[-1]:
        raise InvalidArgumentError(None, None, f"{custom}: filter and out_backprop must have "
                                               "the same out_depth")
    return sizes


def _check_out_backprop(g, dy, x_shape, f_shape, label):
    label = label.replace("Conv2D", "Conv2DCustom")
    for axis in range(len(g.kernel)):
        actual, computed = dy.shape[1 + axis], g.out[axis]
        if actual != computed:
            raise InvalidArgumentError(
                None, None, f"{label}: Size of out_backprop doesn't match computed: actual = "
                            f"{actual}, computed = {computed} spatial_dim: {axis + 1} input: "
                            f"{x_shape[1 + axis]} filter: {g.kernel[axis]} output: {actual} "
                            f"stride: {g.strides[axis]} dilation: {g.dilations[axis]}")


# -- shape rules -----------------------------------------------------------------------

def spatial_out(dims, k_dims, attrs, dilated=True):
    """Output spatial sizes from input dims (N, *spatial, C) and kernel sizes; None where
    unknown."""
    rank = len(dims) - 2
    pads = attrs["explicit_paddings"] or ((0, 0),) * rank
    out = []
    for axis in range(rank):
        size, k = dims[1 + axis], k_dims[axis]
        if size is None or k is None:
            out.append(None)
            continue
        dilation = attrs["dilations"][axis] if dilated else 1
        out.append(output_size(size, k, attrs["strides"][axis], dilation, attrs["padding"],
                               pads[axis])[0])
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


def _forward_infer(op_name, rank):
    def rule(x, f, **attrs):
        _same_dtype(op_name, x, f)
        _check_ranks(op_name, input=(x, rank + 2), filter=(f, rank + 2))
        x_dims = x.dims or (None,) * (rank + 2)
        f_dims = f.dims or (None,) * (rank + 2)
        if None not in (x_dims[-1], f_dims[-2]) and f_dims[-2] and x_dims[-1] % f_dims[-2]:
            raise ValueError(f"Depth of input ({x_dims[-1]}) is not a multiple of input depth "
                             f"of filter ({f_dims[-2]}) for '{op_name}' with input shapes: "
                             f"{shape_str(x.dims)}, {shape_str(f.dims)}.")
        spatial = spatial_out(x_dims, f_dims, attrs)
        return TensorSpec((x_dims[0],) + spatial + (f_dims[-1],), x.dtype)
    return rule


def _backprop_input_infer(sizes, f, dy, input_dims, **attrs):
    rank = len(attrs["strides"])
    batch = dy.dims[0] if dy.dims is not None else None
    dims = tuple(input_dims) if input_dims is not None else (None,) * (rank + 2)
    return TensorSpec((dims[0] if dims[0] is not None else batch,) + dims[1:], f.dtype)


def _backprop_filter_infer(x, sizes, dy, filter_dims, **attrs):
    rank = len(attrs["strides"])
    dims = tuple(filter_dims) if filter_dims is not None else (None,) * (rank + 2)
    return TensorSpec(dims, x.dtype)


def _conv_family(rank, names, allowed):
    """The forward op and its two backprop ops for `rank` spatial dimensions."""
    forward_name, input_name, filter_name = names
    forward = Op(forward_name, infer=_forward_infer(forward_name, rank), dtypes=allowed)
    # The first input of BackpropInput is input_sizes (int32): the public function checks
    # the filter's dtype.
    backprop_input = Op(input_name, infer=_backprop_input_infer)
    backprop_filter = Op(filter_name, infer=_backprop_filter_infer, dtypes=allowed)

    @forward.kernel
    def _(x, f, **attrs):
        return _conv_forward(x, f, rank, **attrs)

    @backprop_input.kernel
    def _(input_sizes, f, dy, input_dims, **attrs):
        return _conv_backprop_input(input_sizes, f, dy, rank, input_name, **attrs)

    @backprop_filter.kernel
    def _(x, filter_sizes, dy, filter_dims, **attrs):
        return _conv_backprop_filter(x, filter_sizes, dy, rank, filter_name, **attrs)

    register_conv_gradients(forward, backprop_input, backprop_filter)
    return forward, backprop_input, backprop_filter


Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter = _conv_family(
    2, ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"), CONV_DTYPES)
Conv3D, Conv3DBackpropInputV2, Conv3DBackpropFilterV2 = _conv_family(
    3, ("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"), dtypes.FLOATS)


# ================================================================================
# Public functions: TF's argument forms and checks, then one apply
# ================================================================================

def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def conv_attrs(op_name, strides, padding, dilations, channels_first=False):
    """The attributes shared by the convolution ops, from TF's public arguments."""
    padding, explicit = padding_attrs(padding, op_name, channels_first)
    strides = spatial_values(strides, "strides", op_name, channels_first)
    dilations = spatial_values(dilations, "dilations", op_name, channels_first)
    check_positive(strides, dilations, op_name)
    return dict(strides=strides, padding=padding, explicit_paddings=explicit,
                dilations=dilations)


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
    """2-D convolution of `input` with `filters` of shape [h, w, in, out].

    Args:
      input: a float or int32 tensor [batch, height, width, in_channels] (more
        leading batch dimensions are allowed), or [batch, channels, h, w] with
        data_format "NCHW".
      filters: a tensor of the same dtype, [filter_height, filter_width,
        in_channels / groups, out_channels].
      strides: an int or a list of 1, 2 or 4 ints (4: in data_format order).
      padding: "SAME", "VALID", or explicit pairs, e.g. [[0, 0], [top, bottom],
        [left, right], [0, 0]] for NHWC.
      data_format: "NHWC" or "NCHW".
      dilations: an int or a list of 1, 2 or 4 ints.

    Returns:
      [batch, out_height, out_width, out_channels] (or NCHW).

    Raises:
      InvalidArgumentError: bad padding, strides, shapes or channel counts.

    >>> image = [[[[1.0], [2.0]], [[3.0], [4.0]]]]     # one 2x2 image, one channel
    >>> ones_1x2 = [[[[1.0]], [[1.0]]]]               # a 1x2 filter of ones
    >>> conv2d(image, ones_1x2, 1, "VALID").numpy()[0, :, :, 0]
    array([[3.],
           [7.]], dtype=float32)
    """
    channels_first = is_channels_first(data_format, "Conv2D")
    attrs = conv_attrs("Conv2D", strides, padding, dilations, channels_first)
    x, f = _conv_operands("Conv2D", input, filters, CONV_DTYPES)
    if channels_first:
        return from_nhwc(apply(Conv2D, to_nhwc(x, True), f, **attrs), True)
    return _with_flat_batch(x, lambda x4: apply(Conv2D, x4, f, **attrs))


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """The transpose (gradient) of conv2d: maps [n, h, w, in] back to `output_shape`.

    `filters` has shape [h, w, output_channels, input_channels], as in TF;
    `output_shape` may be 4 values (in data_format order) or just [h, w].
    """
    op_name = "Conv2DBackpropInput"
    channels_first = is_channels_first(data_format, op_name)
    attrs = conv_attrs(op_name, strides, padding, dilations, channels_first)
    x, f = _t(input), _t(filters)
    if x.dtype is not f.dtype:
        raise dtype_mismatch(op_name, 2, f.dtype, x.dtype, (f, x))
    if f.dtype not in CONV_DTYPES:
        raise unsupported_dtype(op_name, f.dtype, CONV_DTYPES, (f, x))
    x = to_nhwc(x, channels_first)
    sizes, dims = shape_argument(output_shape, channels_first)
    if dims is not None and len(dims) == 2:
        dims = (x._static_dims()[0],) + dims + (f._static_dims()[2],)
    elif dims is not None and len(dims) != 4:
        dims = None
    out = apply(Conv2DBackpropInput, sizes, f, x, input_dims=dims, **attrs)
    return from_nhwc(out, channels_first)


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
    values = [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]
    if len(values) == 3:
        return values[1]
    if len(values) != 1:
        raise ValueError(f"{name} should be of length 1, 1 or 3. Received: {name}={value} of "
                         f"length {len(values)}")
    return values[0]


def _nwc(x, data_format, op_name):
    channels_first = is_channels_first(
        "NCW" if data_format in ("NCW", "NCHW") else
        "NWC" if data_format in (None, "NWC", "NHWC") else data_format, op_name, "NWC")
    return (array_ops.transpose(x, [0, 2, 1]) if channels_first else x), channels_first


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """1-D convolution of NWC `input` with `filters` [width, in, out]: a conv2d over
    a height-1 image, as TF computes it."""
    x, channels_first = _nwc(_t(input), data_format, "Conv2D")
    dilation = 1 if dilations is None else _conv1d_value(dilations, "dilations")
    out = conv2d(array_ops.expand_dims(x, -3), array_ops.expand_dims(_t(filters), 0),
                 [1, _conv1d_value(stride, "stride")], _conv1d_padding(padding),
                 dilations=[1, dilation])
    out = array_ops.squeeze(out, axis=-3)
    return array_ops.transpose(out, [0, 2, 1]) if channels_first else out


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """The transpose of conv1d: `filters` is [width, output_channels, input_channels]."""
    x, channels_first = _nwc(_t(input), data_format, "Conv2DBackpropInput")
    sizes, dims = shape_argument(output_shape)
    if dims is None or len(dims) != 3:
        raise ValueError(f"output_shape must have length 3, got {output_shape}.")
    if channels_first:
        dims = (dims[0], dims[2], dims[1])
        sizes = array_ops.concat([sizes[0:1], sizes[2:3], sizes[1:2]], axis=0)
    shape_2d = [dims[0], 1, dims[1], dims[2]]
    if None in dims:
        one = convert_to_tensor(xp.array([1], dtype=xp.int32))
        shape_2d = array_ops.concat([sizes[:1], one, sizes[1:]], axis=0)
    dilation = 1 if dilations is None else _conv1d_value(dilations, "dilations")
    out = conv2d_transpose(array_ops.expand_dims(x, 1), array_ops.expand_dims(_t(filters), 0),
                           shape_2d, [1, _conv1d_value(strides, "strides")],
                           _conv1d_padding(padding), dilations=[1, dilation])
    out = array_ops.squeeze(out, axis=1)
    return array_ops.transpose(out, [0, 2, 1]) if channels_first else out


def convolution(input, filters, strides=None, padding="VALID", data_format=None,  # noqa: A002
                dilations=None, name=None):
    """N-D convolution, dispatched on the filter's rank (1-D, 2-D or 3-D)."""
    f = _t(filters)
    rank = f.ndim
    if rank == 3:
        return conv1d(input, f, 1 if strides is None else strides, padding,
                      data_format or "NWC", dilations)
    if rank == 4:
        return conv2d(input, f, 1 if strides is None else strides, padding,
                      data_format or "NHWC", dilations)
    if rank == 5:
        strides = [1] + list(spatial_values(strides, "strides", "Conv3D", rank=3)) + [1]
        dilations = [1] + list(spatial_values(dilations, "dilations", "Conv3D", rank=3)) + [1]
        return conv3d(input, f, strides, padding, data_format or "NDHWC", dilations)
    raise ValueError(f"`filters` must be of rank 3, 4 or 5 (1-D, 2-D or 3-D convolution), "
                     f"got rank {rank}.")


def _list5(value, name):
    """conv3d's strides/dilations: TF requires a list of 5 ints."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"Expected list for '{name}' argument to 'conv3d' Op, not {value}.")
    if len(value) < 5:
        raise InvalidArgumentError(None, None, f"Length for attr '{name}' of {len(value)} must "
                                               "be at least minimum 5")
    return value


def check_string_padding(padding, op_name):
    """3-D ops take only "SAME" or "VALID" (no explicit padding), as TF's."""
    if not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    if padding not in ("SAME", "VALID"):
        raise op_error(op_name, f"Value for attr 'padding' of \"{padding}\" is not in the list "
                                "of allowed values: \"SAME\", \"VALID\"")
    return padding


def _conv3d_attrs(op_name, strides, padding, dilations, channels_first):
    padding = check_string_padding(padding, op_name)
    strides = spatial_values(strides, "strides", op_name, channels_first, rank=3)
    dilations = spatial_values(dilations, "dilations", op_name, channels_first, rank=3)
    check_positive(strides, dilations, op_name)
    return dict(strides=strides, padding=padding, explicit_paddings=None, dilations=dilations)


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None,  # noqa: A002
           name=None):
    """3-D convolution of NDHWC `input` with `filters` [d, h, w, in, out].

    `strides` and `dilations` are lists of 5 ints, in data_format order.
    """
    op_name = "Conv3D"
    channels_first = is_channels_first(data_format, op_name, "NDHWC")
    attrs = _conv3d_attrs(op_name, _list5(strides, "strides"), padding,
                          _list5([1] * 5 if dilations is None else dilations, "dilations"),
                          channels_first)
    x, f = _conv_operands(op_name, input, filters, dtypes.FLOATS)
    x = to_nhwc(x, channels_first)
    x_dims, f_dims = x._static_dims(), f._static_dims()
    if x_dims and f_dims and len(x_dims) == 5 and len(f_dims) == 5 and \
            None not in (x_dims[-1], f_dims[-2]) and x_dims[-1] != f_dims[-2]:
        raise op_error(op_name, "input and filter must have the same depth: "
                                f"{x_dims[-1]} vs {f_dims[-2]}")
    return from_nhwc(apply(Conv3D, x, f, **attrs), channels_first)


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NDHWC", dilations=None, name=None):
    """The transpose (gradient) of conv3d; `filters` is [d, h, w, output_channels,
    input_channels]."""
    op_name = "Conv3DBackpropInputV2"
    channels_first = is_channels_first(data_format, op_name, "NDHWC")
    attrs = _conv3d_attrs(op_name, strides, padding, dilations, channels_first)
    x, f = _t(input), _t(filters)
    if x.dtype is not f.dtype:
        raise dtype_mismatch(op_name, 2, f.dtype, x.dtype, (f, x))
    if f.dtype not in dtypes.FLOATS:
        raise unsupported_dtype(op_name, f.dtype, dtypes.FLOATS, (f, x))
    sizes, dims = shape_argument(output_shape, channels_first)
    if dims is not None and len(dims) != 5:
        dims = None
    out = apply(Conv3DBackpropInputV2, sizes, f, to_nhwc(x, channels_first), input_dims=dims,
                **attrs)
    return from_nhwc(out, channels_first)


def conv_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                   data_format=None, dilations=None, name=None):
    """The transpose of `convolution`, dispatched on the length of `output_shape`."""
    rank = len(output_shape) if not tensor_like(output_shape) else output_shape.shape[0]
    if rank == 3:
        return conv1d_transpose(input, filters, output_shape, strides, padding,
                                data_format or "NWC", dilations)
    if rank == 4:
        return conv2d_transpose(input, filters, output_shape, strides, padding,
                                data_format or "NHWC", dilations)
    if rank == 5:
        return conv3d_transpose(input, filters, output_shape, strides, padding,
                                data_format or "NDHWC", dilations)
    raise ValueError(f"output_shape must be of length 3, 4 or 5, got {rank}.")


def _check_rate(rate):
    if int(rate) < 1:
        raise ValueError("all values of `dilation_rate` must be positive. Received: "
                         f"dilation_rate=[{int(rate)} {int(rate)}]")


def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with holes: the filter taps are `rate` pixels apart (dilations=rate)."""
    _check_rate(rate)
    return conv2d(value, filters, 1, padding, dilations=int(rate))


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of atrous_conv2d: conv2d_transpose with dilations=rate."""
    _check_rate(rate)
    return conv2d_transpose(value, filters, output_shape, 1, padding, dilations=int(rate))
