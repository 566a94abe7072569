"""Neural-network ops (`tf.nn`): activations, softmax and bias_add.

The rest of the family lives beside it: convolutions in `conv.py` and
`depthwise.py`, pooling in `pooling.py`, losses in `losses.py`, normalization
and dropout in `normalization.py`; importing this module registers them all.
Each op reads top to bottom:
its record with the shape/dtype rule, its kernel, its gradient rule (in
tapeflow ops, so second derivatives work), then the public function.
Composites (functions of other ops) are used wherever the math is a plain
composition; primitives are kept for hot ops and numerically careful kernels,
and each says why.
"""
import math as _pymath

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.ops import _parallel
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, unsupported_dtype
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import array as array_ops
from tapeflow.ops import conv, depthwise, pooling  # noqa: F401 - registers their ops
from tapeflow.ops import math as math_ops
from tapeflow.ops._erf import erf as erf_kernel   # NumPy has no erf: the math family's
from tapeflow.ops._rules import binary_operands, same_as_input, tensor_like
from tapeflow.ops.array import broadcast_like, reshape
from tapeflow.ops.math import (add, cast, exp, greater_equal, multiply, negative, reduce_sum,
                               subtract, where)

FLOATS = dtypes.FLOATS
REAL = dtypes.REAL_NUMBERS


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _unary(name, allowed):
    return Op(name, infer=same_as_input, dtypes=allowed, elementwise=True)


def _grad_infer(dy, x, **attrs):
    return TensorSpec(dy.dims, dy.dtype)


# ================================================================================
# Piecewise-linear activations: relu, relu6, leaky_relu
#
# Each has a "Grad" op, `XGrad(dy, x) = dy * f'(x)`, as TF does. f' is piecewise
# constant, so XGrad is linear in dy with zero derivative in x: its own gradient
# is `(XGrad(ddy, x), None)`, which makes second derivatives exact and cheap.
# ================================================================================

Relu = _unary("Relu", REAL)


@Relu.kernel
def _(x, out=None):
    if out is None:
        out = xp.empty_like(x)
    return _parallel.elementwise(xp.maximum, x, 0, out=out)


Relu.out_inputs = (0,)


@Relu.gradient
def _(dy, x, out):
    # The derivative at exactly 0 is taken as 0, as TF does (relu is not
    # differentiable there; 0 keeps dead units dead).
    return apply(ReluGrad, dy, out)


ReluGrad = Op("ReluGrad", infer=_grad_infer, dtypes=REAL, elementwise=True)


def _relu_grad_part(dy, y, out):
    # A multiply by the mask, as TF computes it (np.where is ~10x slower here).
    return xp.multiply(dy, xp.greater(y, 0), out=out)


@ReluGrad.kernel
def _(dy, y, out=None):
    if out is None:
        out = xp.empty(xp.broadcast_shapes(dy.shape, y.shape), dtype=dy.dtype)
    if dy.shape != y.shape or not _parallel.worth_splitting(out.size, out.shape[0]):
        return _relu_grad_part(dy, y, out)
    _parallel.over_rows(out.shape[0], lambda a, b: _relu_grad_part(dy[a:b], y[a:b], out[a:b]))
    return out


ReluGrad.out_inputs = (0,)


ReluGrad.gradient(lambda ddx, dy, y, out: (apply(ReluGrad, ddx, y), None))


def relu(features, name=None):
    """Rectified linear unit: `max(features, 0)`.

    The gradient at 0 is 0, as in TF.

    >>> relu([-1.0, 0.0, 2.0]).numpy()
    array([0., 0., 2.], dtype=float32)
    """
    return apply(Relu, _t(features))


Relu6 = _unary("Relu6", REAL)
Relu6.kernel(lambda x: xp.clip(x, 0, 6).astype(x.dtype, copy=False))
Relu6.gradient(lambda dy, x, out: apply(Relu6Grad, dy, x))

Relu6Grad = Op("Relu6Grad", infer=_grad_infer, dtypes=REAL, elementwise=True)


@Relu6Grad.kernel
def _(dy, x):
    # Zero at both kinks (x == 0 and x == 6), as TF.
    return dy * ((x > 0) & (x < 6))


Relu6Grad.gradient(lambda ddx, dy, x, out: (apply(Relu6Grad, ddx, x), None))


def relu6(features, name=None):
    """Rectified linear 6: `min(max(features, 0), 6)`.

    >>> relu6([-1.0, 3.0, 8.0]).numpy()
    array([0., 3., 6.], dtype=float32)
    """
    return apply(Relu6, _t(features))


def _leaky_infer(x, alpha):
    return TensorSpec(x.dims, x.dtype)


LeakyRelu = Op("LeakyRelu", infer=_leaky_infer, dtypes=FLOATS, elementwise=True)


@LeakyRelu.kernel
def _(x, alpha):
    # x if x > 0 else alpha * x, as a max (alpha <= 1) or a min (alpha > 1).
    scaled = x * x.dtype.type(alpha)
    return xp.maximum(x, scaled) if alpha <= 1 else xp.minimum(x, scaled)


LeakyRelu.gradient(lambda dy, x, out, alpha: apply(LeakyReluGrad, dy, x, alpha=alpha))

LeakyReluGrad = Op("LeakyReluGrad", infer=_grad_infer, dtypes=FLOATS, elementwise=True)


@LeakyReluGrad.kernel
def _(dy, x, alpha):
    # dy where x > 0, alpha * dy elsewhere (alpha at 0, as TF).
    slope = (x > 0).astype(dy.dtype)
    slope *= dy.dtype.type(1 - alpha)
    slope += dy.dtype.type(alpha)
    return dy * slope


LeakyReluGrad.gradient(
    lambda ddx, dy, x, out, alpha: (apply(LeakyReluGrad, ddx, x, alpha=alpha), None))


def leaky_relu(features, alpha=0.2, name=None):
    """Leaky rectified linear unit: `features` if positive, else `alpha * features`.

    Integer inputs are cast to float32, as in TF.

    >>> leaky_relu([-1.0, 2.0]).numpy()
    array([-0.2,  2. ], dtype=float32)
    """
    x = _t(features)
    if x.dtype.is_integer:
        x = cast(x, dtypes.float32)
    if tensor_like(alpha):
        raise TypeError(f"Expected float for argument 'alpha' not {alpha!r}.")
    return apply(LeakyRelu, x, alpha=float(alpha))


# ================================================================================
# Smooth activations: elu, selu, softplus, softsign, silu, gelu
# ================================================================================

Elu = _unary("Elu", FLOATS)
Elu.kernel(lambda x: xp.maximum(x, 0) + xp.expm1(xp.minimum(x, 0)))


@Elu.gradient
def _(dy, x, out):
    # d/dx elu = 1 for x >= 0 and exp(x) = out + 1 otherwise: both are 1 + min(out, 0).
    return multiply(dy, add(math_ops.minimum(out, 0), 1))


def elu(features, name=None):
    """Exponential linear unit: `features` if positive, else `exp(features) - 1`."""
    return apply(Elu, _t(features))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

Selu = _unary("Selu", FLOATS)


@Selu.kernel
def _(x):
    positive = x.dtype.type(_SELU_SCALE) * xp.maximum(x, 0)
    return positive + x.dtype.type(_SELU_SCALE * _SELU_ALPHA) * xp.expm1(xp.minimum(x, 0))


@Selu.gradient
def _(dy, x, out):
    # d/dx selu = scale for x >= 0 (TF's choice at 0), else scale * alpha * exp(x),
    # which is out + scale * alpha (reusing the output).
    return where(greater_equal(x, 0), multiply(dy, _SELU_SCALE),
                 multiply(dy, add(out, _SELU_SCALE * _SELU_ALPHA)))


def selu(features, name=None):
    """Scaled exponential linear unit: `scale * elu(features, alpha)` (Klambauer et al.)."""
    return apply(Selu, _t(features))


Softplus = _unary("Softplus", FLOATS)


@Softplus.kernel
def _(x):
    # log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): exp never overflows.
    return (xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype, copy=False)


Softplus.gradient(lambda dy, x, out: multiply(dy, math_ops.sigmoid(x)))


def softplus(features, name=None):
    """`log(exp(features) + 1)`, computed without overflow.

    >>> round(float(softplus(0.0)), 6)
    0.693147
    """
    return apply(Softplus, _t(features))


def softsign(features, name=None):
    """`features / (abs(features) + 1)` (a composite; its gradient follows from the ops)."""
    x = _t(features)
    if x.dtype not in FLOATS:
        raise unsupported_dtype("Softsign", x.dtype, FLOATS, (x,))
    return math_ops.divide(x, add(math_ops.abs(x), 1))


def silu(features, beta=1.0):
    """Sigmoid linear unit (swish): `features * sigmoid(beta * features)`."""
    x = _t(features)
    if isinstance(beta, (int, float)) and beta == 1.0:
        return multiply(x, math_ops.sigmoid(x))
    beta = cast(_t(beta), x.dtype)
    return multiply(x, math_ops.sigmoid(multiply(beta, x)))


swish = silu


# Gelu is a primitive (one kernel instead of five ops in eager mode). Its gradient is
# another primitive, GeluGrad(dy, x) = dy * gelu'(x); GeluGrad's own gradient needs
# only exp, so second derivatives are exact.
_SQRT_HALF = _pymath.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / _pymath.sqrt(2.0 * _pymath.pi)


def _normal_cdf(x):
    return 0.5 * (1.0 + erf_kernel(x * x.dtype.type(_SQRT_HALF)))


def _normal_pdf(x):
    return _INV_SQRT_2PI * xp.exp(-0.5 * x * x)


Gelu = _unary("Gelu", FLOATS)
Gelu.kernel(lambda x: (x * _normal_cdf(x)).astype(x.dtype, copy=False))
Gelu.gradient(lambda dy, x, out: apply(GeluGrad, dy, x))

GeluGrad = Op("GeluGrad", infer=_grad_infer, dtypes=FLOATS, elementwise=True)


@GeluGrad.kernel
def _(dy, x):
    # d/dx x * cdf(x) = cdf(x) + x * pdf(x)
    return (dy * (_normal_cdf(x) + x * _normal_pdf(x))).astype(dy.dtype, copy=False)


@GeluGrad.gradient
def _(ddx, dy, x, out):
    # d/dx (cdf + x pdf) = 2 pdf - x^2 pdf = pdf * (2 - x^2)
    pdf = multiply(exp(multiply(math_ops.square(x), -0.5)), _INV_SQRT_2PI)
    second = multiply(pdf, subtract(2.0, math_ops.square(x)))
    return apply(GeluGrad, ddx, x), multiply(multiply(ddx, dy), second)


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit: `x * P(X <= x)` for X ~ N(0, 1).

    With `approximate=True`, the tanh form
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`.

    >>> gelu([-1.0, 0.0, 1.0]).numpy()
    array([-0.15865526,  0.        ,  0.8413447 ], dtype=float32)
    """
    x = _t(features)
    if not x.dtype.is_floating:
        raise ValueError("`features.dtype` must be a floating point tensor."
                         f"Received:features.dtype={x.dtype!r}")
    if not approximate:
        return apply(Gelu, x)
    cube = multiply(math_ops.pow(x, 3), 0.044715)
    inner = multiply(add(x, cube), _pymath.sqrt(2.0 / _pymath.pi))
    return multiply(multiply(x, 0.5), add(math_ops.tanh(inner), 1.0))


def crelu(features, axis=-1, name=None):
    """Concatenated relu: `concat([relu(x), relu(-x)], axis)`, doubling that axis."""
    x = _t(features)
    return array_ops.concat([relu(x), relu(negative(x))], axis=axis)


# ================================================================================
# Softmax and log-softmax
# ================================================================================

def _softmax_infer(x, axis):
    if x.dims is not None and len(x.dims) == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0 for softmax.")
    return TensorSpec(x.dims, x.dtype)


def _check_logits_rank(x):
    if x.ndim == 0:
        raise InvalidArgumentError(None, None, "logits must have >= 1 dimension, got []")


Softmax = Op("Softmax", infer=_softmax_infer, dtypes=FLOATS)


@Softmax.kernel
def _(x, axis):
    _check_logits_rank(x)
    if x.size == 0:
        return x.copy()
    # Subtracting the maximum keeps exp from overflowing; the result is unchanged.
    e = xp.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


@Softmax.gradient
def _(dy, x, out, axis):
    # dx = (dy - sum(dy * s)) * s, reusing the output s.
    dot = reduce_sum(multiply(dy, out), axis=axis, keepdims=True)
    return multiply(subtract(dy, dot), out)


LogSoftmax = Op("LogSoftmax", infer=_softmax_infer, dtypes=FLOATS)


@LogSoftmax.kernel
def _(x, axis):
    _check_logits_rank(x)
    if x.size == 0:
        return x.copy()
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


@LogSoftmax.gradient
def _(dy, x, out, axis):
    # dx = dy - exp(out) * sum(dy), reusing the output (exp(out) is the softmax).
    total = reduce_sum(dy, axis=axis, keepdims=True)
    return subtract(dy, multiply(exp(out), total))


def _softmax_axis(x, axis):
    rank = x.ndim
    axis = -1 if axis is None else int(axis)
    if rank is None or rank == 0:
        return axis   # the kernel or the shape rule reports rank 0
    if not -rank <= axis < rank:
        raise InvalidArgumentError(
            None, None, f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the "
                        f"number of dimensions in the input. Received: dim={axis}")
    return axis % rank


def softmax(logits, axis=None, name=None):
    """`exp(logits) / reduce_sum(exp(logits), axis)`, computed stably (default axis -1).

    >>> softmax([0.0, 0.0]).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    x = _t(logits)
    return apply(Softmax, x, axis=_softmax_axis(x, axis))


def log_softmax(logits, axis=None, name=None):
    """`logits - log(reduce_sum(exp(logits), axis))`, computed stably (default axis -1)."""
    x = _t(logits)
    return apply(LogSoftmax, x, axis=_softmax_axis(x, axis))


# ================================================================================
# bias_add
# ================================================================================

def _channel_axis(rank, data_format):
    return 1 if data_format == "NCHW" else rank - 1


def _bias_add_infer(x, bias, data_format):
    if x.dtype is not bias.dtype:
        raise TypeError(f"Input 'bias' of 'BiasAdd' Op has type {bias.dtype.name} that does "
                        f"not match type {x.dtype.name} of argument 'value'.")
    if x.dims is not None and len(x.dims) < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {len(x.dims)} for "
                         f"'BiasAdd' with input shapes: {shape_str(x.dims)}, "
                         f"{shape_str(bias.dims)}.")
    if bias.dims is not None and len(bias.dims) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(bias.dims)} for 'BiasAdd' "
                         f"with input shapes: {shape_str(x.dims)}, {shape_str(bias.dims)}.")
    if x.dims is not None and bias.dims is not None:
        channels = x.dims[_channel_axis(len(x.dims), data_format)]
        if None not in (channels, bias.dims[0]) and channels != bias.dims[0]:
            raise ValueError(f"Dimensions must be equal, but are {channels} and "
                             f"{bias.dims[0]} for 'BiasAdd' with input shapes: "
                             f"{shape_str(x.dims)}, {shape_str(bias.dims)}.")
    return TensorSpec(x.dims, x.dtype)


BiasAdd = Op("BiasAdd", infer=_bias_add_infer, dtypes=dtypes.NUMBERS)


def _dims_str(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


@BiasAdd.kernel
def _(x, bias, data_format, out=None):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None,
                                   f"Input tensor must be at least 2D: {_dims_str(x.shape)}")
    if bias.ndim != 1:
        raise InvalidArgumentError(None, None, f"Biases must be 1D: {_dims_str(bias.shape)}")
    axis = _channel_axis(x.ndim, data_format)
    if x.shape[axis] != bias.shape[0]:
        which = "channel" if data_format == "NCHW" else "last"
        raise InvalidArgumentError(
            None, None, f"Must provide as many biases as the {which} dimension of the input "
                        f"tensor: {_dims_str(bias.shape)} vs. {_dims_str(x.shape)}")
    if axis != x.ndim - 1:
        bias = bias.reshape(bias.shape + (1,) * (x.ndim - 2))
    if out is None:
        out = xp.empty(x.shape, dtype=xp.result_type(x, bias))
    return _parallel.elementwise(xp.add, x, bias, out=out)


BiasAdd.out_inputs = (0,)


@BiasAdd.gradient
def _(dy, x, bias, out, data_format):
    return dy, apply(BiasAddGrad, dy, data_format=data_format)


def _bias_add_grad_infer(dy, data_format):
    if dy.dims is None:
        return TensorSpec((None,), dy.dtype)
    return TensorSpec((dy.dims[_channel_axis(len(dy.dims), data_format)],), dy.dtype)


BiasAddGrad = Op("BiasAddGrad", infer=_bias_add_grad_infer, dtypes=dtypes.NUMBERS)


@BiasAddGrad.kernel
def _(dy, data_format):
    if data_format == "NCHW":
        axes = (0,) + tuple(range(2, dy.ndim))
        return xp.sum(dy, axis=axes, dtype=dy.dtype)
    # Summing a (rows, channels) matrix over rows is the fastest reduction NumPy has.
    rows = dy.reshape(-1, dy.shape[-1])
    if not _parallel.worth_splitting(rows.size, rows.shape[0]):
        return xp.sum(rows, axis=0, dtype=dy.dtype)
    parts = _parallel.over_rows(rows.shape[0],
                                lambda a, b: xp.sum(rows[a:b], axis=0, dtype=dy.dtype))
    return xp.sum(parts, axis=0, dtype=dy.dtype)


@BiasAddGrad.gradient
def _(ddb, dy, out, data_format):
    if data_format == "NCHW":
        ddb = reshape(ddb, [-1] + [1] * (dy.ndim - 2))
    return broadcast_like(ddb, dy)


def _bias_data_format(data_format):
    if data_format is None:
        return "NHWC"
    if data_format.startswith("NC"):
        return "NCHW"
    if data_format.startswith("N") and data_format.endswith("C"):
        return "NHWC"
    raise ValueError("`data_format` must be of the form `N...C` or `NC...`. "
                     f"Received: data_format={data_format}")


def bias_add(value, bias, data_format=None, name=None):
    """Adds the 1-D `bias` along the channel axis of `value` (last, or 1 for `NC...`).

    >>> bias_add([[1.0, 2.0]], [10.0, 20.0]).numpy()
    array([[11., 22.]], dtype=float32)
    """
    data_format = _bias_data_format(data_format)
    value, bias = binary_operands(value, bias, "BiasAdd")
    return apply(BiasAdd, value, bias, data_format=data_format)


from tapeflow.ops import losses, normalization  # noqa: E402,F401 - they use the ops above
