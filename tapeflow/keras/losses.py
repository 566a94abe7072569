"""`tf.keras.losses`: loss functions, and the `Loss` classes that add reduction and config.

Each loss is a pure function `fn(y_true, y_pred, **options)` returning one value per
sample (the last axis reduced), written in tapeflow ops so it is differentiable and
traceable. A class wraps it: `Loss.__call__(y_true, y_pred, sample_weight=None)`
converts both inputs to the loss dtype (float32: integer labels are fine), weights
the per-sample values and reduces them ('sum_over_batch_size', 'sum', 'none', ...).

Formulas, names, defaults, error messages and config keys are Keras 3's (the Keras
of TF 2.21). The crossentropies follow its TensorFlow backend, including the
`from_logits` shortcut it takes when a traced `y_pred` comes straight out of a
Softmax/Sigmoid op.
"""
import inspect
import math
import warnings

from tapeflow._util.naming import auto_name
from tapeflow.core import dtypes
from tapeflow.core.context import name_scope
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import SymbolicTensor
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.array import expand_dims, size, squeeze
from tapeflow.ops.clip import clip_by_value
from tapeflow.ops.elementwise import divide_no_nan
from tapeflow.ops.losses import (sigmoid_cross_entropy_with_logits,
                                 softmax_cross_entropy_with_logits,
                                 sparse_softmax_cross_entropy_with_logits)
from tapeflow.ops.math import (abs, cast, equal, log, logical_not, logical_or,
                               maximum, minimum, not_equal, reduce_max, reduce_mean,
                               reduce_sum, rsqrt, sigmoid, square, where)
from tapeflow.ops.nn import softmax, softplus

EPSILON = 1e-7   # Keras' backend.epsilon()

# ================================================================================
# Shared helpers: dtype conversion, rank matching, reduction
# ================================================================================


def convert(x, dtype=None):
    """Keras' `convert_to_tensor(x, dtype)`: a tensor of `dtype`, casting tensors."""
    if tensor_like(x):
        return x if dtype is None else cast(x, dtype)
    return convert_to_tensor(x, dtype=dtype)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by one trailing dimension of size 1.

    The rank-1 tensor is expanded (`(batch,)` -> `(batch, 1)`) when `expand_rank_1`;
    otherwise the trailing 1 of the other tensor is squeezed.
    """
    rank_1, rank_2 = len(x1.shape), len(x2.shape)
    if rank_1 == rank_2 + 1 and x1.shape[-1] == 1:
        if rank_2 == 1 and expand_rank_1:
            x2 = expand_dims(x2, axis=-1)
        else:
            x1 = squeeze(x1, axis=-1)
    elif rank_2 == rank_1 + 1 and x2.shape[-1] == 1:
        if rank_1 == 1 and expand_rank_1:
            x1 = expand_dims(x1, axis=-1)
        else:
            x2 = squeeze(x2, axis=-1)
    return x1, x2


_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    if reduction not in _REDUCTIONS:
        allowed = "{" + ", ".join(repr(r) for r in _REDUCTIONS) + "}"
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {allowed}. "
                         f"Received: reduction={reduction}")
    return reduction


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Sums the (weighted) losses; divides by their count for the mean reductions."""
    if reduction in (None, "none") or values.shape.rank == 0 or tuple(values.shape) == (0,):
        return values
    loss = reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = cast(reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = cast(size(values), loss.dtype)
        loss = divide_no_nan(loss, divisor)
    return loss


def apply_mask(sample_weight, mask, dtype, reduction):
    """Folds a boolean mask into the sample weights (masked entries weigh 0; for the mean
    reductions the others weigh total/valid, so the mean is over valid entries)."""
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = cast(size(mask), dtype)
        valid = reduce_sum(cast(mask, dtype))
        float_mask = where(cast(mask, dtypes.bool), divide_no_nan(total, valid), cast(0, dtype))
    else:
        float_mask = cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask,
                                                               cast(sample_weight, dtype))
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Applies `mask` and `sample_weight` to per-sample losses, then reduces them."""
    reduction = standardize_reduction(reduction)
    values = convert(values, dtype)
    if sample_weight is not None:
        sample_weight = convert(sample_weight, dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = cast(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _keras_mask(x):
    return getattr(x, "_keras_mask", None)


# ================================================================================
# Loss base classes
# ================================================================================

class Loss:
    """Base class of losses: `__call__` = `call` per sample, then weight and reduce.

    Args:
      name: the loss name (default: the snake-case class name, made unique).
      reduction: 'sum_over_batch_size' (default; the mean over all loss entries),
        'sum', 'none' or None (no reduction), 'mean', or 'mean_with_sample_weight'
        (divide by the sum of the sample weights).
      dtype: the dtype inputs are converted to and losses computed in (float32).

    Subclasses implement `call(y_true, y_pred)` returning unreduced losses.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtypes.as_dtype(dtype or "float32").name

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss of `y_pred` against `y_true`, weighted by `sample_weight`."""
        in_mask = _keras_mask(y_pred)
        with name_scope(self.name):
            y_pred = convert(y_pred, self.dtype)
            y_true = convert(y_true, self.dtype)
            losses, out_mask = self._call_with_mask(y_true, y_pred)
            mask = in_mask if out_mask is None else out_mask
            if in_mask is not None and out_mask is not None:
                mask = logical_and_masks(in_mask, out_mask)
            return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                          reduction=self.reduction, dtype=self.dtype)

    def _call_with_mask(self, y_true, y_pred):
        """(per-sample losses, a mask of their valid entries or None)."""
        losses = self.call(y_true, y_pred)
        return losses, _keras_mask(losses)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def logical_and_masks(a, b):
    from tapeflow.ops.math import logical_and
    return logical_and(cast(a, dtypes.bool), cast(b, dtypes.bool))


class LossFunctionWrapper(Loss):
    """A Loss that calls `fn(y_true, y_pred, **kwargs)` after matching their ranks."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"fn": self.fn.__name__, **self._fn_kwargs})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), str):
            config["fn"] = get(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class Reduction:
    """TF 2's reduction names (`tf.keras.losses.Reduction.SUM`, ...)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


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
# Probabilistic losses
# ================================================================================

def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to [epsilon, 1]."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    y_true = clip_by_value(y_true, EPSILON, 1.0)
    y_pred = clip_by_value(y_pred, EPSILON, 1.0)
    return reduce_sum(y_true * log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    return reduce_mean(y_pred - y_true * log(y_pred + cast(EPSILON, y_pred.dtype)), axis=-1)


def _get_logits(output, from_logits, op_type, fn_name):
    """(logits or probabilities, from_logits): in a traced function, a `y_pred` made by a
    Softmax/Sigmoid op is replaced by that op's input and treated as logits (more stable),
    exactly as Keras' TensorFlow backend does."""
    keras_logits = getattr(output, "_keras_logits", None)
    from_op = (keras_logits is None and isinstance(output, SymbolicTensor)
               and output.op.type == op_type)
    if from_logits and (keras_logits is not None or from_op):
        warnings.warn(f'"`{fn_name}` received `from_logits=True`, but the `output` argument '
                      f"was produced by a {op_type} activation and thus does not represent "
                      "logits. Was this intended?", stacklevel=3)
    if keras_logits is not None:
        return keras_logits, True
    if from_op:
        if len(output.op.inputs) != 1:
            raise ValueError(f"Expected 1 input for {op_type}.")
        return output.op.inputs[0], True
    return output, from_logits


def _check_same_shape(target, output, check_rank_1=False):
    if check_rank_1 and target.shape.rank < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    if target.shape.rank != output.shape.rank:
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). "
                         f"Received: target.shape={target.shape}, output.shape={output.shape}")
    for e1, e2 in zip(target.shape, output.shape):
        if e1 is not None and e2 is not None and e1 != e2:
            raise ValueError("Arguments `target` and `output` must have the same shape. "
                             f"Received: target.shape={target.shape}, "
                             f"output.shape={output.shape}")


def categorical_crossentropy_backend(target, output, from_logits=False, axis=-1):
    """`-sum(target * log(output), axis)` with probabilities renormalized and clipped to
    [epsilon, 1 - epsilon], or the fused softmax crossentropy when `from_logits`."""
    target, output = convert(target), convert(output)
    _check_same_shape(target, output, check_rank_1=True)
    output, from_logits = _get_logits(output, from_logits, "Softmax", "categorical_crossentropy")
    if from_logits:
        return softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / reduce_sum(output, axis=axis, keepdims=True)
    output = clip_by_value(output, EPSILON, 1.0 - EPSILON)
    return -reduce_sum(target * log(output), axis=axis)


def sparse_categorical_crossentropy_backend(target, output, from_logits=False, axis=-1):
    """The crossentropy of integer class labels `target` against `output` (classes on the
    last axis); labels outside [0, classes) are an InvalidArgumentError."""
    output = convert(output)
    if axis != -1 and axis != output.shape.rank - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    output, from_logits = _get_logits(output, from_logits, "Softmax",
                                      "sparse_categorical_crossentropy")
    target = cast(convert(target), dtypes.int64)
    if target.shape.rank == output.shape.rank and target.shape[-1] == 1:
        target = squeeze(target, axis=-1)
    if output.shape.rank < 1:
        raise ValueError("Argument `output` must be at least rank 1. Received: "
                         f"output.shape={output.shape}")
    if target.shape.rank != output.shape.rank - 1:
        raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. "
                         f"Received: target.shape={target.shape}, output.shape={output.shape}")
    for e1, e2 in zip(target.shape, output.shape[:-1]):
        if e1 is not None and e2 is not None and e1 != e2:
            raise ValueError("Arguments `target` and `output` must have the same shape up "
                             f"until the last dimension: target.shape={target.shape}, "
                             f"output.shape={output.shape}")
    if not from_logits:
        output = log(clip_by_value(output, EPSILON, 1.0 - EPSILON))
    return sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


def binary_crossentropy_backend(target, output, from_logits=False):
    """Element-wise `-(t * log(p) + (1 - t) * log(1 - p))`, p clipped to
    [epsilon, 1 - epsilon], or the stable sigmoid crossentropy when `from_logits`."""
    target, output = convert(target), convert(output)
    _check_same_shape(target, output)
    output, from_logits = _get_logits(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = clip_by_value(output, EPSILON, 1.0 - EPSILON)
    bce = target * log(output)
    bce += (1 - target) * log(1 - output)
    return -bce


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")


def _warn_single_class(fn_name, y_pred):
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {fn_name}, expected y_pred.shape to be (batch_size, "
                      f"num_classes) with num_classes > 1. Received: y_pred.shape="
                      f"{y_pred.shape}. Consider using 'binary_crossentropy' if you only have "
                      "2 classes.", SyntaxWarning, stacklevel=3)


def _smooth_categorical(y_true, label_smoothing, dtype):
    if not label_smoothing:
        return y_true
    num_classes = cast(y_true.shape[-1], dtype)
    return y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy of one-hot (or soft) labels against class probabilities or logits.

    Args:
      y_true: labels, one value per class on `axis`.
      y_pred: probabilities (renormalized to sum to 1) or, with `from_logits`, logits.
      from_logits: whether `y_pred` holds logits.
      label_smoothing: in [0, 1]; labels become `y * (1 - s) + s / num_classes`.
      axis: the class axis.

    Returns:
      The loss per sample (`axis` reduced).

    >>> round(float(categorical_crossentropy([[1, 0]], [[-1.0, 3.0]], from_logits=True)[0]), 5)
    4.01815
    """
    _check_axis(axis)
    y_pred = convert(y_pred)
    y_true = cast(convert(y_true), y_pred.dtype)
    _warn_single_class("categorical_crossentropy", y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing, y_pred.dtype)
    return categorical_crossentropy_backend(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical crossentropy down-weighting easy examples:
    `sum(alpha * (1 - p)**gamma * -y_true * log(p), axis)`."""
    _check_axis(axis)
    y_pred = convert(y_pred)
    y_true = cast(convert(y_true), y_pred.dtype)
    _warn_single_class("categorical_focal_crossentropy", y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing, y_pred.dtype)
    if from_logits:
        y_pred = softmax(y_pred, axis=axis)
    output = y_pred / reduce_sum(y_pred, axis=axis, keepdims=True)
    output = clip_by_value(output, EPSILON, 1.0 - EPSILON)
    cce = -y_true * log(output)
    modulating_factor = (1.0 - output) ** gamma
    return reduce_sum(modulating_factor * alpha * cce, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Crossentropy of integer class labels against class probabilities or logits.

    Args:
      y_true: integer labels in [0, num_classes), shape `y_pred.shape[:-1]` (a trailing
        dimension of 1 is allowed).
      y_pred: probabilities or, with `from_logits`, logits; classes on the last axis.
      from_logits: whether `y_pred` holds logits.
      ignore_class: a label value whose entries get loss 0 (and are left out of the
        mean by `SparseCategoricalCrossentropy`).
      axis: the class axis (only -1 is supported).

    Raises:
      InvalidArgumentError: a label outside [0, num_classes).
      ValueError: shapes that do not match up to the class axis.
    """
    return _sparse_categorical_crossentropy_and_mask(
        y_true, y_pred, from_logits=from_logits, ignore_class=ignore_class, axis=axis)[0]


def _sparse_categorical_crossentropy_and_mask(y_true, y_pred, from_logits=False,
                                              ignore_class=None, axis=-1):
    y_true, y_pred = convert(y_true), convert(y_pred)
    if y_true.shape.rank == y_pred.shape.rank and y_true.shape[axis] == 1:
        y_true = squeeze(y_true, axis=axis)
    if ignore_class is None:
        return sparse_categorical_crossentropy_backend(
            y_true, y_pred, from_logits=from_logits, axis=axis), None
    valid_mask = not_equal(y_true, cast(ignore_class, y_true.dtype))
    y_true = where(valid_mask, y_true, cast(0, y_true.dtype))
    y_pred = where(expand_dims(valid_mask, axis), y_pred, cast(0, y_pred.dtype))
    res = sparse_categorical_crossentropy_backend(y_true, y_pred, from_logits=from_logits,
                                                  axis=axis)
    res = where(valid_mask, res, cast(0.0, res.dtype))
    return res, valid_mask


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over `axis` of the element-wise binary crossentropy.

    Args:
      y_true: labels in [0, 1].
      y_pred: probabilities or, with `from_logits`, logits.
      from_logits: whether `y_pred` holds logits.
      label_smoothing: labels become `y * (1 - s) + 0.5 * s`.
      axis: the axis averaged over.
    """
    y_pred = convert(y_pred)
    y_true = cast(convert(y_true), y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return reduce_mean(binary_crossentropy_backend(y_true, y_pred, from_logits=from_logits),
                       axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy scaled by `(1 - p_t)**gamma` (and by alpha / 1 - alpha for
    positives / negatives with `apply_class_balancing`), averaged over `axis`."""
    y_pred = convert(y_pred)
    y_true = cast(convert(y_true), y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = sigmoid(y_pred)
    bce = binary_crossentropy_backend(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = (1.0 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return reduce_mean(focal_bce, axis=axis)


# ================================================================================
# Loss classes
# ================================================================================

def _wrapper_class(class_name, fn, default_name, doc):
    """A LossFunctionWrapper subclass taking only `reduction`, `name` and `dtype`."""

    def __init__(self, reduction="sum_over_batch_size", name=default_name, dtype=None):
        LossFunctionWrapper.__init__(self, fn, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)

    return type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "get_config": get_config, "__doc__": doc,
        "__module__": __name__})


MeanSquaredError = _wrapper_class(
    "MeanSquaredError", mean_squared_error, "mean_squared_error",
    """Mean of squares of errors: `loss = mean(square(y_true - y_pred))`.""")
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
    """Mean of absolute errors: `loss = mean(abs(y_true - y_pred))`.""")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    """`loss = 100 * mean(abs((y_true - y_pred) / y_true))`.""")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    """`loss = mean(square(log(y_true + 1) - log(y_pred + 1)))`.""")
LogCosh = _wrapper_class("LogCosh", log_cosh, "log_cosh",
                         """`loss = mean(log(cosh(y_pred - y_true)))`.""")
Hinge = _wrapper_class("Hinge", hinge, "hinge",
                       """`loss = mean(maximum(1 - y_true * y_pred, 0))` (labels -1/1 or 0/1).""")
SquaredHinge = _wrapper_class(
    "SquaredHinge", squared_hinge, "squared_hinge",
    """`loss = mean(square(maximum(1 - y_true * y_pred, 0)))` (labels -1/1 or 0/1).""")
CategoricalHinge = _wrapper_class(
    "CategoricalHinge", categorical_hinge, "categorical_hinge",
    """`loss = maximum(neg - pos + 1, 0)`, `pos = sum(y_true * y_pred)`,
    `neg = max((1 - y_true) * y_pred)`.""")
KLDivergence = _wrapper_class(
    "KLDivergence", kl_divergence, "kl_divergence",
    """Kullback-Leibler divergence: `loss = y_true * log(y_true / y_pred)`.""")
Poisson = _wrapper_class("Poisson", poisson, "poisson",
                         """`loss = y_pred - y_true * log(y_pred)`.""")


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


class BinaryCrossentropy(LossFunctionWrapper):
    """Crossentropy between binary labels and predicted probabilities (or logits).

    Args:
      from_logits: whether `y_pred` holds logits rather than probabilities.
      label_smoothing: labels become `y * (1 - s) + 0.5 * s`.
      axis: the axis averaged over for each sample.
      reduction, name, dtype: as for `Loss`.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits,
                       "label_smoothing": self.label_smoothing, "axis": self.axis})
        return config


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary crossentropy focused on hard examples (see `binary_focal_crossentropy`)."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, apply_class_balancing=apply_class_balancing,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits,
                       "label_smoothing": self.label_smoothing, "axis": self.axis,
                       "apply_class_balancing": self.apply_class_balancing,
                       "alpha": self.alpha, "gamma": self.gamma})
        return config


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between one-hot labels and predicted class probabilities (or logits).

    >>> loss = CategoricalCrossentropy(from_logits=True)
    >>> round(float(loss([[1, 0]], [[-1.0, 3.0]])), 5)
    4.01815
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits,
                       "label_smoothing": self.label_smoothing, "axis": self.axis})
        return config


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical crossentropy focused on hard examples (see
    `categorical_focal_crossentropy`)."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits,
                       "label_smoothing": self.label_smoothing, "axis": self.axis,
                       "alpha": self.alpha, "gamma": self.gamma})
        return config


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between integer class labels and predicted probabilities (or logits).

    Args:
      from_logits: whether `y_pred` holds logits rather than probabilities.
      ignore_class: a label value to leave out of the loss and of the mean.
      reduction, name, dtype: as for `Loss`.
      axis: the class axis (only -1 is supported).
    """

    def __init__(self, from_logits=False, ignore_class=None,
                 reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def _call_with_mask(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return _sparse_categorical_crossentropy_and_mask(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "ignore_class": self.ignore_class})
        return config


# ================================================================================
# Names: aliases, get, serialize, deserialize
# ================================================================================

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy

_CLASSES = (Loss, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge,
            CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy,
            BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
            SparseCategoricalCrossentropy)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge,
              squared_hinge, categorical_hinge, kl_divergence, poisson, binary_crossentropy,
              binary_focal_crossentropy, categorical_crossentropy,
              categorical_focal_crossentropy, sparse_categorical_crossentropy)
_BY_NAME = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
_BY_NAME.update({"bce": binary_crossentropy, "BCE": binary_crossentropy,
                 "kld": kl_divergence, "KLD": kl_divergence,
                 "mae": mean_absolute_error, "MAE": mean_absolute_error,
                 "mse": mean_squared_error, "MSE": mean_squared_error,
                 "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
                 "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error})


def serialize(loss):
    """A Loss as `{"class_name", "config", ...}`; a loss function as its name."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    return {"module": "builtins", "class_name": "function", "config": loss.__name__,
            "registered_name": "function"}


def deserialize(name, custom_objects=None):
    """A Loss or loss function from `serialize` output (or a plain name)."""
    if isinstance(name, str):
        return _lookup(name, custom_objects)
    class_name, config = name["class_name"], name.get("config")
    if class_name == "function":
        return _lookup(config, custom_objects)
    cls = _lookup(class_name, custom_objects)
    return cls.from_config(config or {}) if inspect.isclass(cls) else cls


def _lookup(name, custom_objects=None):
    found = (custom_objects or {}).get(name) or _BY_NAME.get(name)
    if found is None:
        raise ValueError(f"Could not interpret loss identifier: {name}. Valid names are: "
                         f"{', '.join(sorted(_BY_NAME))}.")
    return found


def get(identifier):
    """A loss from a name (a function for `"mse"`, an instance for
    `"MeanSquaredError"`), a config dict, or a callable (returned as is).

    Raises:
      ValueError: an unknown name (the message lists the valid names) or an object
        that is not callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def resolve_compile_loss(identifier, y_true, y_pred):
    """What `compile(loss=identifier)` uses for an output: like `get`, plus Keras'
    'crossentropy'/'ce' shortcut (binary, sparse or categorical from the shapes), and
    plain functions wrapped in a `LossFunctionWrapper` named after them."""
    if identifier is None:
        return None
    if str(identifier).lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        loss = (binary_crossentropy if is_binary else
                sparse_categorical_crossentropy if is_sparse else categorical_crossentropy)
    else:
        loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
    return LossFunctionWrapper(loss, name=name)


def is_binary_or_sparse_categorical(y_true, y_pred):
    """(is_binary, is_sparse_categorical) from the shapes of labels and predictions."""
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    true_last, pred_last = y_true.shape[-1], y_pred.shape[-1]
    is_binary = pred_last == 1
    is_sparse = true_rank < pred_rank or (true_last == 1 and pred_last > 1)
    return is_binary, is_sparse
