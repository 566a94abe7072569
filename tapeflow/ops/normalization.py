"""Normalization and regularization composites of tf.nn: moments and their helpers,
batch_normalization, l2_normalize, local response normalization, zero_fraction, dropout.

All are compositions of math, array and random ops and inherit their gradients;
each says which form it computes and why.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import InvalidArgumentError, unsupported_dtype
from tapeflow.ops import array as array_ops
from tapeflow.ops import math as math_ops
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.array import reshape
from tapeflow.ops.math import add, cast, multiply, negative, reduce_sum, subtract, where


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


# ================================================================================
# Moments, batch_normalization, l2_normalize
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


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum of x - shift, sum of (x - shift)^2, shift) over `axes`.

    Feed them to `normalize_moments` to get the mean and variance; sums from
    several batches can be added first.
    """
    x = _t(x)
    axes = [axes] if isinstance(axes, int) else list(axes)
    dims = x._static_dims()
    if dims is not None and all(dims[a] is not None for a in axes):
        count = 1
        for a in axes:
            count *= dims[a]
        count = convert_to_tensor(count, dtype=x.dtype)
    else:
        count = cast(math_ops.truediv(array_ops.size(x), array_ops.size(
            math_ops.reduce_sum(x, axes, keepdims=True))), x.dtype)
    shifted = x if shift is None else subtract(x, shift)
    mean_ss = reduce_sum(shifted, axes, keepdims=keepdims)
    variance_ss = reduce_sum(math_ops.square(shifted), axes, keepdims=keepdims)
    return count, mean_ss, variance_ss, (None if shift is None else _t(shift))


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """Mean and variance from `sufficient_statistics`' sums."""
    divisor = math_ops.reciprocal(_t(counts))
    shifted_mean = multiply(mean_ss, divisor)
    mean = shifted_mean if shift is None else add(shifted_mean, shift)
    variance = subtract(multiply(variance_ss, divisor), math_ops.square(shifted_mean))
    return mean, variance


def _divide_no_nan(x, y):
    zero = math_ops.equal(y, 0)
    safe = where(zero, array_ops.ones_like(y), y)
    return where(zero, array_ops.zeros_like(math_ops.divide(x, safe)), math_ops.divide(x, safe))


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """Mean and variance of `x` over `axes`, each element counted `frequency_weights` times
    (weights broadcast against x; zero total weight gives 0, as TF)."""
    x = _t(x)
    weights = cast(_t(frequency_weights), x.dtype)
    axes = [axes] if isinstance(axes, int) else list(axes)
    low_precision = x.dtype is dtypes.float16
    if low_precision:
        x, weights = cast(x, dtypes.float32), cast(weights, dtypes.float32)
    total = reduce_sum(multiply(weights, array_ops.ones_like(x)), axes, keepdims=True)
    mean = _divide_no_nan(reduce_sum(multiply(weights, x), axes, keepdims=True), total)
    deviations = multiply(weights, math_ops.squared_difference(x, mean))
    variance = _divide_no_nan(reduce_sum(deviations, axes, keepdims=True), total)
    if not keepdims:
        mean, variance = array_ops.squeeze(mean, axes), array_ops.squeeze(variance, axes)
    if low_precision:
        return cast(mean, dtypes.float16), cast(variance, dtypes.float16)
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


def zero_fraction(value, name=None):
    """The fraction of zeros in `value`, as float32.

    >>> float(zero_fraction([0.0, 1.0, 0.0, 2.0]))
    0.5
    """
    value = _t(value)
    zeros = math_ops.equal(value, array_ops.zeros_like(value))
    return math_ops.reduce_mean(cast(zeros, dtypes.float32))


_LRN_DTYPES = frozenset({dtypes.float16, dtypes.float32})


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,  # noqa: A002
                                 name=None):
    """Divides each channel by a power of the sum of squares of its neighbouring channels:
    `input / (bias + alpha * sum(input[..., d - r : d + r + 1] ** 2)) ** beta`.

    A composite: the windowed sum over channels is a matmul with a band matrix of
    ones, so the gradient (and the second derivative) come from matmul and pow.
    """
    x = _t(input)
    if x.dtype not in _LRN_DTYPES:
        raise unsupported_dtype("LRN", x.dtype, {dtypes.float16, dtypes.float32}, (x,))
    if x.ndim != 4:
        raise InvalidArgumentError(None, None, "in must be 4-dimensional [Op:LRN]")
    channels = x._static_dims()[3]
    offsets = xp.arange(channels)
    band = (xp.abs(offsets[:, None] - offsets[None, :]) <= depth_radius).astype(x.dtype._np)
    squares = reshape(math_ops.square(x), [-1, channels])
    window_sums = array_ops.reshape_like(math_ops.matmul(squares, convert_to_tensor(band)), x)
    scale = add(multiply(window_sums, float(alpha)), float(bias))
    return multiply(x, math_ops.pow(scale, -float(beta)))


lrn = local_response_normalization


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


# ================================================================================
# embedding_lookup (a gather)
# ================================================================================

def embedding_lookup(params, ids, max_norm=None, name=None):
    """The rows of `params` named by `ids`: `gather(params, ids)`, shaped ids.shape +
    params.shape[1:].

    Args:
      params: a tensor, or a list of tensors partitioned along axis 0 (TF2's "div"
        strategy: consecutive id ranges, so the list is concatenated).
      ids: int32 or int64 indices in [0, params.shape[0]).
      max_norm: if given, each looked-up embedding with a larger L2 norm is
        rescaled to this norm.

    The gradient with respect to params is dense (TF returns IndexedSlices).

    >>> table = convert_to_tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> embedding_lookup(table, [2, 0]).numpy()
    array([[5., 6.],
           [1., 2.]], dtype=float32)

    (A Python list as `params` is a list of partitions, as in TF.)
    """
    from tapeflow.ops.clip import clip_by_norm
    from tapeflow.ops.gather import gather
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Argument `params` must be a non-empty list of tensors.")
        parts = [_t(p) for p in params]
        params = parts[0] if len(parts) == 1 else array_ops.concat(parts, axis=0)
    ids = _t(ids)
    result = gather(params, ids)
    if max_norm is None:
        return result
    ids_rank, result_rank = ids.ndim, result.ndim
    return clip_by_norm(result, max_norm, axes=list(range(ids_rank, result_rank)))
