"""Regression and hinge losses: one pure function per loss (one value per sample, the last
axis reduced) and a thin `Loss` class around it."""
import math

from tapeflow.core import dtypes
from tapeflow.keras.losses.loss import (EPSILON, Loss, LossFunctionWrapper, convert,
                                        squeeze_or_expand_to_same_rank, wrapper_class)
from tapeflow.ops.array import expand_dims
from tapeflow.ops.math import (abs, cast, equal, log, logical_not, logical_or, maximum, minimum,
                               reduce_max, reduce_mean, reduce_sum, rsqrt, square, where)
from tapeflow.ops.nn import softplus


# ================================================================================
# Regression losses
# ================================================================================

def _pred_and_true(y_true, y_pred, match_ranks=True):
    """y_pred as a tensor, y_true converted to its dtype, ranks matched."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    if match_ranks:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`.

    >>> float(mean_squared_error([0.0, 1.0], [1.0, 1.0]))
    0.5
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    return reduce_mean(square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    return reduce_mean(abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    epsilon = cast(EPSILON, y_pred.dtype)
    diff = abs((y_true - y_pred) / maximum(abs(y_true), epsilon))
    return 100.0 * reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    epsilon = cast(EPSILON, y_pred.dtype)
    first_log = log(maximum(y_pred, epsilon) + 1.0)
    second_log = log(maximum(y_true, epsilon) + 1.0)
    return reduce_mean(square(first_log - second_log), axis=-1)


def l2_normalize_keras(x, axis=-1):
    """Keras' `normalize(x, order=2)`: `x * min(rsqrt(sum(x**2)), 1 / epsilon)`."""
    if x.shape.rank == 0:
        x = expand_dims(x, 0)
    inv_norm = minimum(rsqrt(reduce_sum(square(x), axis=axis, keepdims=True)),
                       cast(1.0 / EPSILON, x.dtype))
    return x * inv_norm


def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: -1 for equal directions."""
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    return -reduce_sum(l2_normalize_keras(y_true, axis) * l2_normalize_keras(y_pred, axis),
                       axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic within `delta` of the target, linear outside, averaged over the last axis:
    `0.5 * e**2` if `|e| <= delta`, else `delta * |e| - 0.5 * delta**2`."""
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    delta = convert(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = abs(error)
    half = cast(0.5, y_pred.dtype)
    return reduce_mean(where(abs_error <= delta, half * square(error),
                             delta * abs_error - half * square(delta)), axis=-1)


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed stably as
    `x + softplus(-2x) - log(2)`."""
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    log2 = cast(math.log(2.0), y_pred.dtype)
    x = y_pred - y_true
    return reduce_mean(x + softplus(x * -2.0) - log2, axis=-1)


# ================================================================================
# Hinge losses
# ================================================================================

def _all(condition):
    return equal(reduce_sum(cast(logical_not(condition), dtypes.int32)), 0)


def convert_binary_labels_to_hinge(y_true):
    """Labels in {0, 1} become {-1, 1}; labels with other values are kept as they are."""
    is_binary = _all(logical_or(equal(y_true, 0), equal(y_true, 1)))
    return where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """`mean(max(1 - y_true * y_pred, 0), axis=-1)`, labels -1/1 (or 0/1, converted)."""
    y_pred = convert(y_pred)
    y_true = convert_binary_labels_to_hinge(cast(y_true, y_pred.dtype))
    return reduce_mean(maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(max(1 - y_true * y_pred, 0)), axis=-1)`."""
    y_pred = convert(y_pred)
    y_true = convert_binary_labels_to_hinge(cast(y_true, y_pred.dtype))
    return reduce_mean(square(maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` (one-hot y_true)."""
    y_pred = convert(y_pred)
    y_true = cast(y_true, y_pred.dtype)
    pos = reduce_sum(y_true * y_pred, axis=-1)
    neg = reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return maximum(neg - pos + 1.0, cast(0.0, y_pred.dtype))


# ================================================================================
# Loss classes
# ================================================================================

MeanSquaredError = wrapper_class(
    "MeanSquaredError", mean_squared_error, "mean_squared_error",
    """Mean of squares of errors: `loss = mean(square(y_true - y_pred))`.""")


MeanAbsoluteError = wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
    """Mean of absolute errors: `loss = mean(abs(y_true - y_pred))`.""")


MeanAbsolutePercentageError = wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    """`loss = 100 * mean(abs((y_true - y_pred) / y_true))`.""")


MeanSquaredLogarithmicError = wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    """`loss = mean(square(log(y_true + 1) - log(y_pred + 1)))`.""")


LogCosh = wrapper_class("LogCosh", log_cosh, "log_cosh",
                         """`loss = mean(log(cosh(y_pred - y_true)))`.""")


class CosineSimilarity(LossFunctionWrapper):
    """`loss = -sum(l2_norm(y_true) * l2_norm(y_pred))` along `axis` (-1 is best)."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)

    def get_config(self):
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Huber loss: squared below `delta`, linear above (see `huber`)."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self):
        return Loss.get_config(self)


Hinge = wrapper_class("Hinge", hinge, "hinge",
                       """`loss = mean(maximum(1 - y_true * y_pred, 0))` (labels -1/1 or 0/1).""")


SquaredHinge = wrapper_class(
    "SquaredHinge", squared_hinge, "squared_hinge",
    """`loss = mean(square(maximum(1 - y_true * y_pred, 0)))` (labels -1/1 or 0/1).""")


CategoricalHinge = wrapper_class(
    "CategoricalHinge", categorical_hinge, "categorical_hinge",
    """`loss = maximum(neg - pos + 1, 0)`, `pos = sum(y_true * y_pred)`,
    `neg = max((1 - y_true) * y_pred)`.""")
