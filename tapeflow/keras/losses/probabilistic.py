"""Probabilistic losses: crossentropies (binary, categorical, sparse, focal), KL divergence
and Poisson, as functions and `Loss` classes.

The crossentropies follow Keras' TensorFlow backend: probabilities are clipped to
[epsilon, 1 - epsilon] (categorical ones renormalized first), logits go through TF's
fused ops, and a traced `y_pred` that comes straight out of a Softmax/Sigmoid op is
replaced by that op's input and treated as logits.
"""
import warnings

from tapeflow.core import dtypes
from tapeflow.core.tensor import SymbolicTensor
from tapeflow.keras.losses.loss import (EPSILON, Loss, LossFunctionWrapper, convert,
                                        squeeze_or_expand_to_same_rank, wrapper_class)
from tapeflow.ops.array import expand_dims, squeeze
from tapeflow.ops.clip import clip_by_value
from tapeflow.ops.losses import (sigmoid_cross_entropy_with_logits,
                                 softmax_cross_entropy_with_logits,
                                 sparse_softmax_cross_entropy_with_logits)
from tapeflow.ops.math import (cast, log, not_equal, reduce_mean, reduce_sum, sigmoid, where)
from tapeflow.ops.nn import softmax


# ================================================================================
# Poisson and KL divergence
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


# ================================================================================
# Keras' TensorFlow-backend crossentropies
# ================================================================================

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


# ================================================================================
# Crossentropy losses
# ================================================================================

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

KLDivergence = wrapper_class(
    "KLDivergence", kl_divergence, "kl_divergence",
    """Kullback-Leibler divergence: `loss = y_true * log(y_true / y_pred)`.""")


Poisson = wrapper_class("Poisson", poisson, "poisson",
                         """`loss = y_pred - y_true * log(y_pred)`.""")


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
