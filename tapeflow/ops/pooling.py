"""Pooling: MaxPool, AvgPool, their gradient ops, and the tf.nn pooling wrappers.

Every pooling kernel loops over the kh * kw offsets of the window, never over
pixels: for offset (i, j), `Geometry.window_view` is a strided view holding the
input pixel under that offset for every output pixel at once. A max pool is
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
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, UnimplementedError, op_error
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import array as array_ops
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.conv import (crop_spatial, geometry, output_size, pad_spatial,
                               padding_attrs, shape_operand)

MAX_POOL_DTYPES = dtypes.FLOATS | {dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
                                   dtypes.uint8, dtypes.uint16}
NO_DILATION = (1, 1)


def _pool_geometry(shape, ksize, strides, padding, explicit_paddings):
    return geometry(shape[1], shape[2], ksize[0], ksize[1], strides, NO_DILATION, padding,
                    explicit_paddings)


def _offsets(g):
    """Kernel offsets in row-major order (the order that breaks ties, as in TF)."""
    return [(i, j) for i in range(g.kh) for j in range(g.kw)]


def _lowest(dtype):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def _check_pool_input(x, op_name):
    if x.ndim != 4:
        if op_name == "MaxPool":
            message = f"tensor_in_shape must have 2 spatial dimensions. {x.ndim} 0"
        else:
            message = "Input must be 4 or 5-dimensional"
        raise InvalidArgumentError(None, None, message)


def _covers_exactly(g, shape):
    """True when the windows tile the input: each input pixel is in exactly one window."""
    return (g.kh == g.sh and g.kw == g.sw and g.oh * g.sh == shape[1]
            and g.ow * g.sw == shape[2] and not any(sum(g.pads, ())))


# ================================================================================
# Shape rules
# ================================================================================

def _pool_infer(x, ksize, strides, padding, explicit_paddings):
    if x.dims is not None and len(x.dims) != 4:
        raise ValueError(f"Shape must be rank 4 but is rank {len(x.dims)} for pooling.")
    dims = x.dims or (None,) * 4
    pads = explicit_paddings or ((0, 0), (0, 0))
    spatial = tuple(output_size(dims[1 + a], ksize[a], strides[a], 1, padding, pads[a])[0]
                    for a in (0, 1))
    return TensorSpec((dims[0],) + spatial + (dims[3],), x.dtype)


def _like_first_infer(x, *rest, **attrs):
    return TensorSpec(x.dims, x.dtype)


def _like_second_infer(x, out, *rest, **attrs):
    return TensorSpec(out.dims, out.dtype)


def _avg_grad_infer(sizes, dy, input_dims, **attrs):
    batch = dy.dims[0] if dy.dims is not None else None
    dims = tuple(input_dims) if input_dims is not None else (None,) * 4
    return TensorSpec((dims[0] if dims[0] is not None else batch,) + dims[1:], dy.dtype)


# ================================================================================
# MaxPool, MaxPoolGrad, MaxPoolGradGrad
# ================================================================================

MaxPool = Op("MaxPool", infer=_pool_infer, dtypes=MAX_POOL_DTYPES)


@MaxPool.kernel
def _(x, ksize, strides, padding, explicit_paddings):
    _check_pool_input(x, "MaxPool")
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    padded = pad_spatial(x, g.pads, _lowest(x.dtype))
    offsets = _offsets(g)
    out = xp.empty((x.shape[0], g.oh, g.ow, x.shape[3]), dtype=x.dtype)
    if out.size == 0:
        return out
    first = g.window_view(padded, *offsets[0])
    if len(offsets) == 1:
        out[...] = first
    for k, (i, j) in enumerate(offsets[1:]):
        xp.fmax(first if k == 0 else out, g.window_view(padded, i, j), out=out)
    return out


@MaxPool.gradient
def _(dy, x, out, **attrs):
    return apply(MaxPoolGrad, x, out, dy, **attrs)


MaxPoolGrad = Op("MaxPoolGrad", infer=_like_first_infer, dtypes=MAX_POOL_DTYPES)


@MaxPoolGrad.kernel
def _(x, y, dy, ksize, strides, padding, explicit_paddings):
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    padded = pad_spatial(x, g.pads, _lowest(x.dtype))
    exact = _covers_exactly(g, x.shape)
    # When the windows tile the input every dx pixel is written once, so no zeroing.
    dx = (xp.empty if exact else xp.zeros)(padded.shape, dtype=dy.dtype)
    unclaimed = dy.copy()     # gradient not yet handed to an earlier maximum
    hit = xp.empty(y.shape, dtype=bool)
    for i, j in _offsets(g):
        xp.equal(g.window_view(padded, i, j), y, out=hit)
        if exact:
            xp.multiply(hit, unclaimed, out=g.window_view(dx, i, j))
        else:
            g.window_view(dx, i, j)[...] += hit * unclaimed
        xp.logical_not(hit, out=hit)
        xp.multiply(unclaimed, hit, out=unclaimed)
    return crop_spatial(dx, g.pads, x.shape[1], x.shape[2])


@MaxPoolGrad.gradient
def _(ddx, x, y, dy, out, **attrs):
    # dx is linear in dy; its adjoint picks ddx at each window's first maximum.
    return None, None, apply(MaxPoolGradGrad, x, y, ddx, **attrs)


MaxPoolGradGrad = Op("MaxPoolGradGrad", infer=_like_second_infer, dtypes=MAX_POOL_DTYPES)


@MaxPoolGradGrad.kernel
def _(x, y, ddx, ksize, strides, padding, explicit_paddings):
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    padded = pad_spatial(x, g.pads, _lowest(x.dtype))
    padded_ddx = pad_spatial(ddx, g.pads)
    result = xp.zeros(y.shape, dtype=ddx.dtype)
    unclaimed = xp.ones(y.shape, dtype=bool)
    hit = xp.empty(y.shape, dtype=bool)
    for i, j in _offsets(g):
        xp.equal(g.window_view(padded, i, j), y, out=hit)
        hit &= unclaimed
        result += hit * g.window_view(padded_ddx, i, j)
        unclaimed &= ~hit
    return result


@MaxPoolGradGrad.gradient
def _(dz, x, y, ddx, out, **attrs):
    return None, None, apply(MaxPoolGrad, x, y, dz, **attrs)


# ================================================================================
# AvgPool, AvgPoolGrad
# ================================================================================

def _window_counts(g, h, w, dtype):
    """[oh, ow, 1]: how many real (unpadded) pixels each window covers (TF's divisor)."""
    def per_axis(out, size, k, stride, before):
        starts = xp.arange(out) * stride - before
        return xp.minimum(starts + k, size) - xp.maximum(starts, 0)
    rows = per_axis(g.oh, h, g.kh, g.sh, g.pads[0][0])
    cols = per_axis(g.ow, w, g.kw, g.sw, g.pads[1][0])
    return (rows[:, None] * cols[None, :]).astype(dtype)[:, :, None]


AvgPool = Op("AvgPool", infer=_pool_infer, dtypes=dtypes.FLOATS)


@AvgPool.kernel
def _(x, ksize, strides, padding, explicit_paddings):
    _check_pool_input(x, "AvgPool")
    g = _pool_geometry(x.shape, ksize, strides, padding, explicit_paddings)
    padded = pad_spatial(x, g.pads)
    total = xp.zeros((x.shape[0], g.oh, g.ow, x.shape[3]), dtype=x.dtype)
    if total.size == 0:
        return total
    for i, j in _offsets(g):
        total += g.window_view(padded, i, j)
    total /= _window_counts(g, x.shape[1], x.shape[2], x.dtype)
    return total


@AvgPool.gradient
def _(dy, x, out, **attrs):
    return apply(AvgPoolGrad, shape_operand(x), dy, input_dims=x._static_dims(), **attrs)


AvgPoolGrad = Op("AvgPoolGrad", infer=_avg_grad_infer)


@AvgPoolGrad.kernel
def _(sizes, dy, input_dims, ksize, strides, padding, explicit_paddings):
    shape = tuple(int(s) for s in sizes.reshape(-1))
    g = _pool_geometry(shape, ksize, strides, padding, explicit_paddings)
    share = dy / _window_counts(g, shape[1], shape[2], dy.dtype)
    (top, bottom), (left, right) = g.pads
    dx = xp.zeros((shape[0], shape[1] + top + bottom, shape[2] + left + right, shape[3]),
                  dtype=dy.dtype)
    if share.size:
        for i, j in _offsets(g):
            g.window_view(dx, i, j)[...] += share
    return crop_spatial(dx, g.pads, shape[1], shape[2])


@AvgPoolGrad.gradient
def _(ddx, sizes, dy, out, input_dims, **attrs):
    return None, apply(AvgPool, ddx, **attrs)   # AvgPoolGrad is AvgPool's adjoint


# ================================================================================
# Public functions
# ================================================================================

def _pool_values(value, name, op_name):
    """ksize/strides: an int or a list of 1, 2 or 4 ints -> (h, w), with TF's checks."""
    if tensor_like(value):
        value = value.numpy().tolist()
    values = [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]
    if len(values) == 1:
        values = values * 2
    elif len(values) == 4:
        if values[0] != 1:
            raise op_error(op_name, "Pooling is not yet supported on the batch dimension.",
                           error=UnimplementedError)
        if values[3] != 1:
            raise op_error(op_name, "MaxPooling supports exactly one of pooling across depth "
                                    "or pooling across width/height.", error=UnimplementedError)
        values = values[1:3]
    elif len(values) != 2:
        raise ValueError(f"{name} should be of length 1, 2 or 4. Received: {name}={value} of "
                         f"length {len(values)}")
    return tuple(values)


def _pool_attrs(op_name, ksize, strides, padding, data_format):
    if data_format not in (None, "NHWC"):
        if data_format == "NCHW":
            kind = "MaxPoolingOp" if op_name == "MaxPool" else "AvgPoolingOp"
            raise op_error(op_name, f"Default {kind} only supports NHWC on device type CPU")
        raise op_error(op_name, f"Value for attr 'data_format' of \"{data_format}\" is not in "
                                "the list of allowed values: \"NHWC\", \"NCHW\"")
    ksize = _pool_values(ksize, "ksize", op_name)
    strides = _pool_values(strides, "strides", op_name)
    if min(ksize) < 1:
        raise op_error(op_name, "Sliding window ksize must be positive. The specified or "
                                f"inferred ksize is: 1,{ksize[0]},{ksize[1]},1")
    if min(strides) < 1:
        raise op_error(op_name, f"Stride must be > 0, but got {min(strides)}")
    if op_name == "AvgPool" and not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    padding, explicit = padding_attrs(padding, op_name)
    return dict(ksize=ksize, strides=strides, padding=padding, explicit_paddings=explicit)


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Max pooling over NHWC `input`.

    Args:
      input: [batch, height, width, channels] of a real dtype.
      ksize, strides: an int or a list of 1, 2 or 4 ints.
      padding: "SAME" (padding never wins the max), "VALID", or explicit pairs.

    >>> x = [[[[1.0], [2.0]], [[3.0], [4.0]]]]
    >>> max_pool2d(x, 2, 2, "VALID").numpy().ravel()
    array([4.], dtype=float32)
    """
    attrs = _pool_attrs("MaxPool", ksize, strides, padding, data_format)
    return apply(MaxPool, _t(input), **attrs)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Average pooling over NHWC `input`; with SAME padding each window is divided by the
    number of real (unpadded) pixels it covers, as in TF."""
    attrs = _pool_attrs("AvgPool", ksize, strides, padding, data_format)
    return apply(AvgPool, _t(input), **attrs)


def _pool1d_value(value, name):
    values = [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]
    if len(values) == 3:
        return [1, values[1]]
    if len(values) != 1:
        raise ValueError(f"{name} should be of length 1, 1 or 3. Received: {name}={value} of "
                         f"length {len(values)}")
    return [1, values[0]]


def _pool1d(pool2d, input, ksize, strides, padding, data_format):  # noqa: A002
    if data_format not in (None, "NWC"):
        data_format = "NCHW" if data_format == "NCW" else data_format
    else:
        data_format = "NHWC"
    if not isinstance(padding, str):
        pairs = list(padding)
        padding = [pairs[0], [0, 0]] + pairs[1:]
    x = array_ops.expand_dims(_t(input), 1)
    out = pool2d(x, _pool1d_value(ksize, "ksize"), _pool1d_value(strides, "strides"),
                 padding, data_format)
    return array_ops.squeeze(out, axis=1)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Max pooling over NWC `input` (a max_pool2d over a height-1 image)."""
    return _pool1d(max_pool2d, input, ksize, strides, padding, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """Average pooling over NWC `input` (an avg_pool2d over a height-1 image)."""
    return _pool1d(avg_pool2d, input, ksize, strides, padding, data_format)


def _by_rank(pool1d, pool2d, input, ksize, strides, padding, data_format):  # noqa: A002
    x = _t(input)
    rank = x.ndim
    if rank == 3:
        return pool1d(x, ksize, strides, padding, data_format or "NWC")
    if rank == 4:
        return pool2d(x, ksize, strides, padding, data_format or "NHWC")
    if rank == 5:
        raise NotImplementedError("3-D pooling is not implemented (1-D and 2-D are).")
    raise ValueError(f"`input.shape.rank` must be 3, 4 or 5. Received: "
                     f"input.shape={tuple(x.shape)} of rank {rank}.")


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Max pooling over 1-D (NWC) or 2-D (NHWC) inputs, chosen by the input's rank."""
    return _by_rank(max_pool1d, max_pool2d, input, ksize, strides, padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Average pooling over 1-D (NWC) or 2-D (NHWC) inputs, chosen by the input's rank."""
    return _by_rank(avg_pool1d, avg_pool2d, input, ksize, strides, padding, data_format)


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",  # noqa: A002
         data_format=None, dilations=None, name=None):
    """N-D pooling: `pooling_type` "MAX" or "AVG" over 1-D or 2-D windows."""
    rank = len(window_shape)
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"{rank}-D {pooling_type} pooling is not supported.")
    if dilations is not None and any(int(d) != 1 for d in dilations):
        raise NotImplementedError("pool: dilation_rate > 1 is not implemented.")
    strides = [1] * rank if strides is None else strides
    fn = max_pool if pooling_type == "MAX" else avg_pool
    return fn(input, list(window_shape), list(strides), padding, data_format)
