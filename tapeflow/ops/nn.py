"""Neural-network ops (`tf.nn`): activations, softmax, bias_add, losses, normalization.

Convolutions live in `conv.py` and pooling in `pooling.py` (imported below so
that importing this module registers every nn op). Each op reads top to bottom:
its record with the shape/dtype rule, its kernel, its gradient rule (in
tapeflow ops, so second derivatives work), then the public function.
Composites (functions of other ops) are used wherever the math is a plain
composition; primitives are kept for hot ops and numerically careful kernels,
and each says why.
"""
import math as _pymath

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, unsupported_dtype
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import array as array_ops
from tapeflow.ops import conv, pooling  # noqa: F401 - registers convolution and pooling ops
from tapeflow.ops import math as math_ops
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
Relu.kernel(lambda x: xp.maximum(x, 0))


@Relu.gradient
def _(dy, x, out):
    # The derivative at exactly 0 is taken as 0, as TF does (relu is not
    # differentiable there; 0 keeps dead units dead).
    return apply(ReluGrad, dy, out)


ReluGrad = Op("ReluGrad", infer=_grad_infer, dtypes=REAL, elementwise=True)


@ReluGrad.kernel
def _(dy, y):
    return xp.where(y > 0, dy, 0).astype(dy.dtype, copy=False)


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
    return xp.where((x > 0) & (x < 6), dy, 0).astype(dy.dtype, copy=False)


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
    return xp.where(x > 0, x, x * x.dtype.type(alpha))


LeakyRelu.gradient(lambda dy, x, out, alpha: apply(LeakyReluGrad, dy, x, alpha=alpha))

LeakyReluGrad = Op("LeakyReluGrad", infer=_grad_infer, dtypes=FLOATS, elementwise=True)


@LeakyReluGrad.kernel
def _(dy, x, alpha):
    return xp.where(x > 0, dy, dy * dy.dtype.type(alpha))   # alpha at 0, as TF


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
Elu.kernel(lambda x: xp.where(x > 0, x, xp.expm1(xp.minimum(x, 0))))


@Elu.gradient
def _(dy, x, out):
    # d/dx elu = 1 for x >= 0, exp(x) = out + 1 otherwise (reusing the output).
    return where(greater_equal(x, 0), dy, multiply(dy, add(out, 1)))


def elu(features, name=None):
    """Exponential linear unit: `features` if positive, else `exp(features) - 1`."""
    return apply(Elu, _t(features))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

Selu = _unary("Selu", FLOATS)


@Selu.kernel
def _(x):
    negative_part = (_SELU_SCALE * _SELU_ALPHA) * xp.expm1(xp.minimum(x, 0))
    return xp.where(x > 0, _SELU_SCALE * x, negative_part).astype(x.dtype, copy=False)


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
def _(x, bias, data_format):
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
    return x + bias


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
    return xp.sum(dy.reshape(-1, dy.shape[-1]), axis=0, dtype=dy.dtype)


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




# ================================================================================
# Normalization: moments, batch_normalization, l2_normalize (composites)
# ================================================================================

def moments(x, axes, shift=None, keepdims=False, name=None):
    """Mean and variance of `x` over `axes` (`shift` is accepted and unused, as in TF2).

    float16 inputs are reduced in float32 and the results cast back, as TF does.

    >>> mean, variance = moments([[1.0, 2.0], [3.0, 5.0]], axes=[0])
    >>> mean.numpy(), variance.numpy()
    (array([2. , 3.5], dtype=float32), array([1.  , 2.25], dtype=float32))
    """
    x = _t(x)
    y = cast(x, dtypes.float32) if x.dtype is dtypes.float16 else x
    axes = [axes] if isinstance(axes, int) else list(axes)
    mean = math_ops.reduce_mean(y, axes, keepdims=True)
    # The mean's own gradient contribution to the variance is zero (the deviations sum
    # to 0), so stopping it changes nothing and saves work.
    variance = math_ops.reduce_mean(
        math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes, keepdims=True)
    if not keepdims:
        mean = array_ops.squeeze(mean, axes)
        variance = array_ops.squeeze(variance, axes)
    if x.dtype is dtypes.float16:
        return cast(mean, x.dtype), cast(variance, x.dtype)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """`scale * (x - mean) / sqrt(variance + variance_epsilon) + offset`.

    Computed as `x * inv + (offset - mean * inv)` with `inv = scale / sqrt(variance + eps)`,
    the form TF uses (one multiply-add over x). `offset` and `scale` may be None.
    """
    x = _t(x)
    if isinstance(variance, (int, float)):   # Python numbers add in Python, as in TF
        inv = math_ops.rsqrt(_t(variance + variance_epsilon))
    else:
        inv = math_ops.rsqrt(add(_t(variance), variance_epsilon))
    if scale is not None:
        inv = multiply(inv, scale)
    shift = negative(multiply(mean, inv))
    if offset is not None:
        shift = add(offset, shift)
    return add(multiply(x, cast(inv, x.dtype)), cast(shift, x.dtype))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """`x / sqrt(max(sum(x ** 2, axis), epsilon))`: unit L2 norm along `axis`.

    >>> l2_normalize([3.0, 4.0]).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    x = _t(x)
    axis = dim if axis is None else axis
    square_sum = reduce_sum(math_ops.square(x), axis, keepdims=True)
    floor = convert_to_tensor(epsilon, dtype=x.dtype)
    return multiply(x, math_ops.rsqrt(math_ops.maximum(square_sum, floor)))


# ================================================================================
# dropout (a composite of a random draw, a comparison and two multiplies)
# ================================================================================

def _noise_shape(x, noise_shape):
    dims = x._static_dims()
    if noise_shape is None:
        return dims if dims is not None and None not in dims else array_ops.shape(x)
    if tensor_like(noise_shape):
        return noise_shape
    noise = list(noise_shape)
    if dims is not None and len(noise) == len(dims):
        noise = [d if n is None else n for n, d in zip(noise, dims)]
    return noise


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate).

    Args:
      x: a float tensor.
      rate: the drop probability, a float in [0, 1) or a scalar tensor of x's dtype.
      noise_shape: the shape of the keep/drop mask, broadcast against x
        (None entries take x's dimension).
      seed: an op seed for the random mask (see tf.random.set_seed).

    Returns:
      x itself when `rate` is the number 0, else a tensor like x.
    """
    from tapeflow.ops import random as random_ops
    x = _t(x)
    if not x.dtype.is_floating:
        raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. "
                         f"Received: x_dtype={x.dtype!r}")
    if tensor_like(rate):
        if rate.dtype is not x.dtype:
            raise ValueError("`x.dtype` must be compatible with `rate.dtype`. Received: "
                             f"x.dtype={x.dtype!r} and rate.dtype={rate.dtype!r}")
        scale = math_ops.divide(1, subtract(1, rate))
    else:
        if isinstance(rate, bool) or not 0 <= rate < 1:
            raise ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). "
                             f"Received: rate={rate}")
        if rate == 0:
            return x
        scale = 1 / (1 - rate)
    draw = random_ops.uniform(_noise_shape(x, noise_shape), dtype=x.dtype, seed=seed)
    keep = cast(math_ops.greater_equal(draw, rate), x.dtype)
    return multiply(x, multiply(keep, scale))


from tapeflow.ops import losses  # noqa: E402,F401 - registers the loss ops (they use softmax)
