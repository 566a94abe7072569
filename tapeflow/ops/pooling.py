"""Pooling: MaxPool, AvgPool (2-D and 3-D), their gradient ops, and the tf.nn wrappers.

Every pooling kernel loops over the offsets of the window (kh * kw of them, or
kd * kh * kw), never over pixels: for one offset, `Geometry.window_view` is a
strided view holding the input pixel under that offset for every output pixel
at once. A max pool is
then a running `fmax` over the offsets (fmax ignores NaN, as TF's max pool
does), an average pool a running sum.

Max-pool gradients go to ONE input per window: the first maximum in row-major
order, as TF picks it. MaxPoolGrad finds it by walking the offsets in that
order and handing the still-unclaimed gradient to the inputs equal to the
maximum; relu outputs make ties (all-zero windows) common, so this matters.
The gradient ops have gradients of their own (MaxPoolGradGrad, AvgPool), so
second derivatives work.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.ops import _parallel
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import (InvalidArgumentError, UnimplementedError, op_error,
                                  unsupported_dtype)
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import array as array_ops
from tapeflow.ops._rules import tensor_like
from tapeflow.ops._conv_util import (col2im_offsets, crop_spatial, from_nhwc, geometry,
                                     is_channels_first, output_size, pad_spatial,
                                     padding_attrs, shape_operand, to_nhwc)

MAX_POOL_DTYPES = dtypes.FLOATS | {dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
                                   dtypes.uint8, dtypes.uint16}
# TF's CPU kernels for 3-D pooling take half and float only; the ops here run any float
# (the float64 gradient checks need it) and the public functions apply TF's rule.
POOL_3D_DTYPES = frozenset({dtypes.float16, dtypes.float32})


def _pool_geometry(shape, ksize, strides, padding, explicit_paddings):
    rank = len(shape) - 2
    return geometry(shape[1:-1], ksize, strides, (1,) * rank, padding, explicit_paddings)


def _lowest(dtype):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def _check_pool_input(x, rank, op_name):
    if x.ndim != rank + 2:
        if rank == 3:
            message = "tensor_in must be 5-dimensional"
        elif op_name == "MaxPool":
            message = f"tensor_in_shape must have 2 spatial dimensions. {x.ndim} 0"
        else:
            message = "Input must be 4 or 5-dimensional"
        raise InvalidArgumentError(None, None, message)


def _covers_exactly(g, shape):
    """True when the windows tile the input: each input pixel is in exactly one window."""
    return (g.kernel == g.strides and not any(sum(g.pads, ()))
            and all(o * s == size for o, s, size in zip(g.out, g.strides, shape[1:-1])))


def _out_shape(x_shape, g):
    return (x_shape[0],) + g.out + (x_shape[-1],)


# ================================================================================
# Shape rules
# ================================================================================

def _pool_infer(x, ksize, strides, padding, explicit_paddings, **attrs):
    rank = len(ksize)
    if x.dims is not None and len(x.dims) != rank + 2:
        raise ValueError(f"Shape must be rank {rank + 2} but is rank {len(x.dims)} for "
                         "pooling.")
    dims = x.dims or (None,) * (rank + 2)
    pads = explicit_paddings or ((0, 0),) * rank
    spatial = tuple(output_size(dims[1 + a], ksize[a], strides[a], 1, padding, pads[a])[0]
                    for a in range(rank))
    return TensorSpec((dims[0],) + spatial + (dims[-1],), x.dtype)


def _like_first_infer(x, *rest, **attrs):
    return TensorSpec(x.dims, x.dtype)


def _like_second_infer(x, out, *rest, **attrs):
    return TensorSpec(out.dims, out.dtype)


def _avg_grad_infer(sizes, dy, input_dims, **attrs):
    rank = len(attrs["ksize"])
    batch = dy.dims[0] if dy.dims is not None else None
    dims = tuple(input_dims) if input_dims is not None else (None,) * (rank + 2)
    return TensorSpec((dims[0] if dims[0] is not None else batch,) + dims[1:], dy.dtype)


# ================================================================================
# Max pooling kernels (any number of spatial dimensions)
# ================================================================================

def _max_pool(x, rank, op_name, ksize, strides, padding, explicit_paddings):
    _check_pool_input(x, rank, op_name)
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    out = xp.empty(_out_shape(x.shape, g), dtype=x.dtype)
    if out.size == 0:
        return out
    if _parallel.worth_splitting(x.size, x.shape[0]):   # examples are independent
        _parallel.over_rows(x.shape[0], lambda a, b: _max_pool_into(x[a:b], g, out[a:b]))
        return out
    return _max_pool_into(x, g, out)


def _max_pool_into(x, g, out):
    padded = pad_spatial(x, g.pads, _lowest(x.dtype))
    offsets = g.offsets
    first = g.window_view(padded, offsets[0])
    if len(offsets) == 1:
        out[...] = first
    for k, offset in enumerate(offsets[1:]):
        xp.fmax(first if k == 0 else out, g.window_view(padded, offset), out=out)
    return out


def _max_pool_grad(x, y, dy, ksize, strides, padding, explicit_paddings):
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    if _covers_exactly(g, x.shape):
        return _tiled_max_pool_grad(x, y, dy, g)
    padded = pad_spatial(x, g.pads, _lowest(x.dtype))
    exact = _covers_exactly(g, x.shape)
    # When the windows tile the input every dx pixel is written once, so no zeroing.
    dx = (xp.empty if exact else xp.zeros)(padded.shape, dtype=dy.dtype)
    unclaimed = dy.copy()     # gradient not yet handed to an earlier maximum
    hit = xp.empty(y.shape, dtype=bool)
    for offset in g.offsets:
        xp.equal(g.window_view(padded, offset), y, out=hit)
        if exact:
            xp.multiply(hit, unclaimed, out=g.window_view(dx, offset))
        else:
            g.window_view(dx, offset)[...] += hit * unclaimed
        xp.logical_not(hit, out=hit)
        xp.multiply(unclaimed, hit, out=unclaimed)
    return crop_spatial(dx, g.pads, x.shape[1:-1])


def _tiled_max_pool_grad(x, y, dy, g):
    """Windows that tile the input (the usual 2x2, stride 2): the maxima are found by one
    broadcast comparison on a reshaped view, then handed the gradient position by
    position, each window's first maximum only (TF's rule; ties are common after relu).
    """
    dx = xp.empty(x.shape, dtype=dy.dtype)
    if _parallel.worth_splitting(x.size, x.shape[0]):   # examples are independent
        _parallel.over_rows(x.shape[0], lambda a, b: _tiled_max_pool_grad_into(
            x[a:b], y[a:b], dy[a:b], g, dx[a:b]))
        return dx
    return _tiled_max_pool_grad_into(x, y, dy, g, dx)


def _tiled_max_pool_grad_into(x, y, dy, g, out):
    windows = (x.shape[0],) + tuple(v for o, k in zip(g.out, g.kernel) for v in (o, k)) + (
        x.shape[-1],)
    expand = (slice(None),) + (slice(None), None) * len(g.out) + (slice(None),)
    hits = x.reshape(windows) == y[expand]
    dx = out.reshape(windows)
    claimed = xp.zeros(y.shape, dtype=bool)
    for offset in g.offsets:
        index = (slice(None),) + tuple(v for o in offset for v in (slice(None), o)) + (
            slice(None),)
        first = hits[index] & ~claimed
        xp.multiply(first, dy, out=dx[index])
        claimed |= first
    return out


def _max_pool_grad_grad(x, y, ddx, ksize, strides, padding, explicit_paddings):
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    padded = pad_spatial(x, g.pads, _lowest(x.dtype))
    padded_ddx = pad_spatial(ddx, g.pads)
    result = xp.zeros(y.shape, dtype=ddx.dtype)
    unclaimed = xp.ones(y.shape, dtype=bool)
    hit = xp.empty(y.shape, dtype=bool)
    for offset in g.offsets:
        xp.equal(g.window_view(padded, offset), y, out=hit)
        hit &= unclaimed
        result += hit * g.window_view(padded_ddx, offset)
        unclaimed &= ~hit
    return result


def _max_pool_family(rank, names, allowed):
    """MaxPool, its gradient and the gradient's gradient for `rank` spatial dimensions."""
    pool_name, grad_name, grad_grad_name = names
    pool = Op(pool_name, infer=_pool_infer, dtypes=allowed)
    grad = Op(grad_name, infer=_like_first_infer, dtypes=allowed)
    grad_grad = Op(grad_grad_name, infer=_like_second_infer, dtypes=allowed)
    pool.kernel(lambda x, **attrs: _max_pool(x, rank, pool_name, **attrs))
    grad.kernel(_max_pool_grad)
    grad_grad.kernel(_max_pool_grad_grad)

    @pool.gradient
    def _(dy, x, out, **attrs):
        return apply(grad, x, out, dy, **attrs)

    @grad.gradient
    def _(ddx, x, y, dy, out, **attrs):
        # dx is linear in dy; its adjoint picks ddx at each window's first maximum.
        return None, None, apply(grad_grad, x, y, ddx, **attrs)

    @grad_grad.gradient
    def _(dz, x, y, ddx, out, **attrs):
        return None, None, apply(grad, x, y, dz, **attrs)

    return pool, grad, grad_grad


MaxPool, MaxPoolGrad, MaxPoolGradGrad = _max_pool_family(
    2, ("MaxPool", "MaxPoolGrad", "MaxPoolGradGrad"), MAX_POOL_DTYPES)
MaxPool3D, MaxPool3DGrad, MaxPool3DGradGrad = _max_pool_family(
    3, ("MaxPool3D", "MaxPool3DGrad", "MaxPool3DGradGrad"), dtypes.FLOATS)


# ================================================================================
# MaxPoolWithArgmax (2-D)
# ================================================================================

def _with_argmax_infer(x, ksize, strides, padding, explicit_paddings, output_dtype,
                       include_batch_in_index):
    spec = _pool_infer(x, ksize, strides, padding, explicit_paddings)
    return spec, TensorSpec(spec.dims, output_dtype)


MaxPoolWithArgmax = Op("MaxPoolWithArgmax", infer=_with_argmax_infer, dtypes=MAX_POOL_DTYPES,
                       multi_output=True)


@MaxPoolWithArgmax.kernel
def _(x, ksize, strides, padding, explicit_paddings, output_dtype, include_batch_in_index):
    _check_pool_input(x, 2, "MaxPool")
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    padded = pad_spatial(x, g.pads, _lowest(x.dtype))
    offsets = g.offsets
    best = g.window_view(padded, offsets[0]).copy()
    which = xp.zeros(best.shape, dtype=xp.intp)       # offset of the first maximum
    for k, offset in enumerate(offsets[1:], start=1):
        view = g.window_view(padded, offset)
        better = view > best
        xp.copyto(best, view, where=better)
        which[better] = k
    n, h, w, c = x.shape
    (oh, ow), (kh, kw) = g.out, g.kernel
    rows = (xp.arange(oh) * g.strides[0] - g.pads[0][0])[None, :, None, None] + which // kw
    cols = (xp.arange(ow) * g.strides[1] - g.pads[1][0])[None, None, :, None] + which % kw
    index = (rows * w + cols) * c + xp.arange(c)
    if include_batch_in_index:
        index = index + (xp.arange(n) * (h * w * c))[:, None, None, None]
    return best, index.astype(output_dtype._np)


@MaxPoolWithArgmax.gradient
def _(dy, x, out, output_dtype, include_batch_in_index, **attrs):
    # The argmax is each window's first maximum, the input MaxPoolGrad sends dy to.
    return apply(MaxPoolGrad, x, out[0], dy[0], **attrs)


# ================================================================================
# Average pooling (any number of spatial dimensions)
# ================================================================================

def _window_counts(g, spatial_shape, dtype):
    """[*out, 1]: how many real (unpadded) pixels each window covers (TF's divisor)."""
    rank = len(g.kernel)
    counts = xp.ones((1,) * rank, dtype=xp.int64)
    for axis in range(rank):
        starts = xp.arange(g.out[axis]) * g.strides[axis] - g.pads[axis][0]
        per_axis = xp.minimum(starts + g.kernel[axis], spatial_shape[axis]) - \
            xp.maximum(starts, 0)
        counts = counts * per_axis.reshape((1,) * axis + (-1,) + (1,) * (rank - axis - 1))
    return counts.astype(dtype)[..., None]


def _avg_pool(x, rank, op_name, ksize, strides, padding, explicit_paddings):
    _check_pool_input(x, rank, op_name)
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    total = xp.zeros(_out_shape(x.shape, g), dtype=x.dtype)
    if total.size == 0:
        return total
    padded = pad_spatial(x, g.pads)
    for offset in g.offsets:
        total += g.window_view(padded, offset)
    total /= _window_counts(g, x.shape[1:-1], x.dtype)
    return total


def _avg_pool_grad(sizes, dy, input_dims, ksize, strides, padding, explicit_paddings):
    shape = tuple(int(s) for s in sizes.reshape(-1))
    g = _pool_geometry(shape, ksize, strides, padding, explicit_paddings)
    share = dy / _window_counts(g, shape[1:-1], dy.dtype)
    return col2im_offsets(g, shape, dy.dtype, lambda offset: share)


def _avg_pool_family(rank, names, allowed):
    pool_name, grad_name = names
    pool = Op(pool_name, infer=_pool_infer, dtypes=allowed)
    grad = Op(grad_name, infer=_avg_grad_infer)
    pool.kernel(lambda x, **attrs: _avg_pool(x, rank, pool_name, **attrs))
    grad.kernel(_avg_pool_grad)

    @pool.gradient
    def _(dy, x, out, **attrs):
        return apply(grad, shape_operand(x), dy, input_dims=x._static_dims(), **attrs)

    @grad.gradient
    def _(ddx, sizes, dy, out, input_dims, **attrs):
        return None, apply(pool, ddx, **attrs)   # the gradient op is the pool's adjoint

    return pool, grad


AvgPool, AvgPoolGrad = _avg_pool_family(2, ("AvgPool", "AvgPoolGrad"), dtypes.FLOATS)
AvgPool3D, AvgPool3DGrad = _avg_pool_family(3, ("AvgPool3D", "AvgPool3DGrad"), dtypes.FLOATS)


# ================================================================================
# Public functions
# ================================================================================

def _pool_values(value, name, op_name, channels_first, rank=2):
    """ksize/strides: an int or a list of 1, rank or rank + 2 ints -> spatial tuple."""
    if tensor_like(value):
        value = value.numpy().tolist()
    values = [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]
    if len(values) == 1:
        values = values * rank
    elif len(values) == rank + 2:
        depth = values[1] if channels_first else values[-1]
        if values[0] != 1:
            raise op_error(op_name, "Pooling is not yet supported on the batch dimension.",
                           error=UnimplementedError)
        if depth != 1:
            raise op_error(op_name, "MaxPooling supports exactly one of pooling across depth "
                                    "or pooling across width/height.", error=UnimplementedError)
        values = values[2:] if channels_first else values[1:-1]
    elif len(values) != rank:
        raise ValueError(f"{name} should be of length 1, {rank} or {rank + 2}. Received: "
                         f"{name}={value} of length {len(values)}")
    return tuple(values)


def _pool_attrs(op_name, ksize, strides, padding, channels_first, rank=2):
    ksize = _pool_values(ksize, "ksize", op_name, channels_first, rank)
    strides = _pool_values(strides, "strides", op_name, channels_first, rank)
    if min(ksize) < 1:
        listed = ",".join(str(k) for k in (1,) + ksize + (1,))
        raise op_error(op_name, "Sliding window ksize must be positive. The specified or "
                                f"inferred ksize is: {listed}")
    if min(strides) < 1:
        raise op_error(op_name, f"Stride must be > 0, but got {min(strides)}")
    if (op_name == "AvgPool" or rank == 3) and not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    padding, explicit = padding_attrs(padding, op_name, channels_first)
    return dict(ksize=ksize, strides=strides, padding=padding, explicit_paddings=explicit)


def _pool2d(op, input, ksize, strides, padding, data_format):  # noqa: A002
    channels_first = is_channels_first(data_format, op.name)
    attrs = _pool_attrs(op.name, ksize, strides, padding, channels_first)
    x = to_nhwc(_t(input), channels_first)
    return from_nhwc(apply(op, x, **attrs), channels_first)


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Max pooling over NHWC (or NCHW) `input`.

    Args:
      input: [batch, height, width, channels] of a real dtype.
      ksize, strides: an int or a list of 1, 2 or 4 ints.
      padding: "SAME" (padding never wins the max), "VALID", or explicit pairs.

    >>> x = [[[[1.0], [2.0]], [[3.0], [4.0]]]]
    >>> max_pool2d(x, 2, 2, "VALID").numpy().ravel()
    array([4.], dtype=float32)
    """
    return _pool2d(MaxPool, input, ksize, strides, padding, data_format)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Average pooling over NHWC `input`; with SAME padding each window is divided by the
    number of real (unpadded) pixels it covers, as in TF."""
    return _pool2d(AvgPool, input, ksize, strides, padding, data_format)


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         output_dtype=dtypes.int64, include_batch_in_index=False, name=None):
    """Max pooling that also returns the flat index of each maximum:
    `(y * width + x) * channels + c`, plus `batch * height * width * channels` when
    `include_batch_in_index`."""
    if data_format != "NHWC":
        raise ValueError("`data_format` values other  than 'NHWC' are not supported. "
                         f"Received: data_format={data_format}")
    attrs = _pool_attrs("MaxPoolWithArgmax", ksize, strides, padding, False)
    return apply(MaxPoolWithArgmax, _t(input), output_dtype=dtypes.as_dtype(output_dtype),
                 include_batch_in_index=bool(include_batch_in_index), **attrs)


def _pool1d_value(value, name):
    values = [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]
    if len(values) == 3:
        return [1, values[1]]
    if len(values) != 1:
        raise ValueError(f"{name} should be of length 1, 1 or 3. Received: {name}={value} of "
                         f"length {len(values)}")
    return [1, values[0]]


def _pool1d(pool2d, input, ksize, strides, padding, data_format):  # noqa: A002
    """A 2-D pooling over a height-1 image, as TF computes 1-D pooling."""
    channels_first = data_format in ("NCW", "NCHW")
    if not isinstance(padding, str):
        pairs = list(padding)
        padding = [pairs[0], [0, 0]] + pairs[1:]
        if channels_first:
            padding = [pairs[0], pairs[1], [0, 0], pairs[2]]
    axis = 2 if channels_first else 1
    x = array_ops.expand_dims(_t(input), axis)
    out = pool2d(x, _pool1d_value(ksize, "ksize"), _pool1d_value(strides, "strides"),
                 padding, "NCHW" if channels_first else "NHWC")
    return array_ops.squeeze(out, axis=axis)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Max pooling over NWC `input` (a max_pool2d over a height-1 image)."""
    return _pool1d(max_pool2d, input, ksize, strides, padding, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Average pooling over NWC `input` (an avg_pool2d over a height-1 image)."""
    return _pool1d(avg_pool2d, input, ksize, strides, padding, data_format)


def _pool3d(op, input, ksize, strides, padding, data_format):  # noqa: A002
    channels_first = is_channels_first(data_format, op.name, "NDHWC")
    attrs = _pool_attrs(op.name, ksize, strides, padding, channels_first, rank=3)
    x = _t(input)
    if x.dtype not in POOL_3D_DTYPES:
        raise unsupported_dtype(op.name, x.dtype, POOL_3D_DTYPES, (x,))
    x = to_nhwc(x, channels_first)
    return from_nhwc(apply(op, x, **attrs), channels_first)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Max pooling over NDHWC (or NCDHW) volumes; `padding` is "SAME" or "VALID"."""
    return _pool3d(MaxPool3D, input, ksize, strides, padding, data_format)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Average pooling over NDHWC (or NCDHW) volumes (SAME divides by real pixels)."""
    return _pool3d(AvgPool3D, input, ksize, strides, padding, data_format)


def _by_rank(pool1d, pool2d, pool3d, input, ksize, strides, padding,  # noqa: A002
             data_format):
    x = _t(input)
    rank = x.ndim
    if rank == 3:
        return pool1d(x, ksize, strides, padding, data_format or "NWC")
    if rank == 4:
        return pool2d(x, ksize, strides, padding, data_format or "NHWC")
    if rank == 5:
        return pool3d(x, ksize, strides, padding, data_format or "NDHWC")
    raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: "
                     f"input.shape={tuple(x.shape)} of rank {rank}.")


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Max pooling over 1-D (NWC), 2-D (NHWC) or 3-D (NDHWC) inputs, by the input's rank."""
    return _by_rank(max_pool1d, max_pool2d, max_pool3d, input, ksize, strides, padding,
                    data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Average pooling over 1-D, 2-D or 3-D inputs, chosen by the input's rank."""
    return _by_rank(avg_pool1d, avg_pool2d, avg_pool3d, input, ksize, strides, padding,
                    data_format)


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",  # noqa: A002
         data_format=None, dilations=None, name=None):
    """N-D pooling: `pooling_type` "MAX" or "AVG" over 1-D, 2-D or 3-D windows."""
    rank = len(window_shape)
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"{rank}-D {pooling_type} pooling is not supported.")
    if dilations is not None and any(int(d) != 1 for d in dilations):
        raise NotImplementedError("pool: dilation_rate > 1 is not implemented.")
    strides = [1] * rank if strides is None else strides
    fn = max_pool if pooling_type == "MAX" else avg_pool
    return fn(input, list(window_shape), list(strides), padding, data_format)
