"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall, the X-at-Y metrics and AUC.

All of them accumulate, for each decision threshold, the (weighted) number of
true/false positives/negatives in `(num_thresholds,)` variables (or
`(num_thresholds, num_labels)` for a multi-label AUC). A prediction is positive at
threshold t when `y_pred > t`; a label is positive when it is non-zero.
"""
import enum

from tapeflow.core import dtypes
from tapeflow.core.convert import convert_to_tensor
from tapeflow.keras.losses import EPSILON, convert, squeeze_or_expand_to_same_rank
from tapeflow.keras.metrics.metric import Metric
from tapeflow.ops.array import broadcast_to, expand_dims, ones_like, reshape, shape, zeros
from tapeflow.ops.clip import clip_by_value
from tapeflow.ops.reduction import reduce_any, top_k
from tapeflow.ops.elementwise import divide_no_nan
from tapeflow.ops.math import (cast, equal, greater, greater_equal, log, logical_and,
                               logical_not, maximum, minimum, reduce_max, reduce_mean, reduce_sum,
                               sigmoid, where)

NEG_INF = -1e10


class ConfusionMatrix(enum.Enum):
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


class AUCCurve(enum.Enum):
    """The curve an AUC integrates: ROC, precision-recall, or precision-recall-gain."""
    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key):
        for curve in AUCCurve:
            if key in (curve.value, curve.value.lower()):
                return curve
        raise ValueError(f'Invalid AUC curve value: "{key}". Expected values are '
                         '["PR", "ROC", "PRGAIN"]')


class AUCSummationMethod(enum.Enum):
    """How an AUC sums its Riemann terms between thresholds."""
    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key):
        for method in AUCSummationMethod:
            if key in (method.value, method.value.capitalize()):
                return method
        raise ValueError(f'Invalid AUC summation method value: "{key}". Expected values are '
                         '["interpolation", "majoring", "minoring"]')


# ================================================================================
# Thresholds and the confusion-matrix update
# ================================================================================

def _to_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """The thresholds as a list (`default_threshold` when None); each must be in [0, 1]."""
    if thresholds is not None:
        invalid = [t for t in _to_list(thresholds) if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return _to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds):
    """True for [0, 1/(n-1), ..., 1] (n >= 3, to within epsilon): Keras then takes its
    bucketed path, which first clips predictions to [0, 1]."""
    n = len(thresholds)
    if n < 3:
        return False
    return all(abs(t - i / (n - 1)) <= EPSILON + 1e-5 * abs(i / (n - 1))
               for i, t in enumerate(thresholds))


def _filter_top_k(x, k):
    """`x` with every entry outside the top `k` of its row set to -1e10 (ties go to the
    lower index, as `top_k` orders them)."""
    _, indices = top_k(x, k)
    classes = convert_to_tensor(list(range(x.shape[-1])), dtype=indices.dtype)
    in_top_k = reduce_any(equal(expand_dims(indices, -1), classes), axis=-2)
    mask = cast(in_top_k, x.dtype)
    return x * mask + NEG_INF * (1 - mask)


def _prepare_inputs(y_true, y_pred, sample_weight, dtype, top_k, class_id):
    y_true = cast(convert(y_true), dtype)
    y_pred = cast(convert(y_pred), dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = expand_dims(cast(convert(sample_weight), dtype), axis=-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.shape.rank == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    return y_true, y_pred, sample_weight


def update_confusion_matrix_variables(variables_to_update, y_true, y_pred, thresholds,
                                      top_k=None, class_id=None, sample_weight=None,
                                      multi_label=False, label_weights=None,
                                      thresholds_distributed_evenly=False):
    """Adds this batch's per-threshold TP/FP/TN/FN counts to the given variables.

    Args:
      variables_to_update: {ConfusionMatrix key: variable of shape (T,) or (T, labels)}.
      y_true, y_pred: labels (non-zero is positive) and scores in [0, 1].
      thresholds: T Python floats; a prediction is positive when `y_pred > t`.
      top_k: only the `k` highest predictions of each row can be positive.
      class_id: only this class (last axis) is counted.
      sample_weight: weights broadcastable to `y_pred`.
      multi_label: count each label (last axis) separately: variables are (T, labels).
      label_weights: per-label weights (not with `multi_label`).
      thresholds_distributed_evenly: clip predictions to [0, 1] first (Keras' fast path).
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    invalid = [key for key in variables_to_update if not isinstance(key, ConfusionMatrix)]
    if invalid or not variables_to_update:
        raise ValueError(f'Invalid keys: "{invalid}". Valid variable key options are: '
                         f'"{list(ConfusionMatrix)}"')
    dtype = next(iter(variables_to_update.values())).dtype
    y_true, y_pred, sample_weight = _prepare_inputs(y_true, y_pred, sample_weight, dtype,
                                                    top_k, class_id)
    if thresholds_distributed_evenly:
        y_pred = clip_by_value(y_pred, 0.0, 1.0)
    thresholds = convert_to_tensor([float(t) for t in thresholds], dtype=dtype)
    # Thresholds go on a new leading axis: (T, N) comparisons, or (T, N, labels).
    if multi_label:
        predictions = expand_dims(y_pred, 0)
        label_is_pos = expand_dims(cast(y_true, dtypes.bool), 0)
        thresholds = reshape(thresholds, [-1, 1, 1])
    else:
        predictions = reshape(y_pred, [1, -1])
        label_is_pos = reshape(cast(y_true, dtypes.bool), [1, -1])
        thresholds = reshape(thresholds, [-1, 1])
    weights = _weights(sample_weight, label_weights, y_pred, multi_label)
    pred_is_pos = greater(predictions, thresholds)
    label_is_neg, pred_is_neg = logical_not(label_is_pos), logical_not(pred_is_pos)
    conditions = {ConfusionMatrix.TRUE_POSITIVES: (label_is_pos, pred_is_pos),
                  ConfusionMatrix.FALSE_NEGATIVES: (label_is_pos, pred_is_neg),
                  ConfusionMatrix.FALSE_POSITIVES: (label_is_neg, pred_is_pos),
                  ConfusionMatrix.TRUE_NEGATIVES: (label_is_neg, pred_is_neg)}
    for key, variable in variables_to_update.items():
        label, pred = conditions[key]
        hits = logical_and(label, pred)
        if weights is None:
            counts = cast(hits, dtype)
        else:
            counts = where(hits, broadcast_to(weights, shape(hits)), cast(0, dtype))
        variable.assign(variable + reduce_sum(counts, axis=1))


def _weights(sample_weight, label_weights, y_pred, multi_label):
    """Sample and label weights broadcast like `y_pred` and laid out like the predictions."""
    weights = None
    if sample_weight is not None:
        weights = broadcast_to(sample_weight, shape(y_pred))
    if label_weights is not None and not multi_label:
        per_label = broadcast_to(expand_dims(label_weights, 0), shape(y_pred))
        weights = per_label if weights is None else weights * per_label
    if weights is None:
        return None
    return expand_dims(weights, 0) if multi_label else reshape(weights, [1, -1])


# ================================================================================
# TP / FP / TN / FN
# ================================================================================

class _ConfusionMatrixConditionCount(Metric):
    """The (weighted) count of one confusion-matrix cell at each threshold."""

    def __init__(self, confusion_matrix_cond, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._confusion_matrix_cond = confusion_matrix_cond
        self.init_thresholds = thresholds
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros",
                                             name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        return update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator}, y_true, y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight)

    def result(self):
        value = self.accumulator.value()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


def _count_class(class_name, condition, doc):
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ConfusionMatrixConditionCount.__init__(self, condition, thresholds=thresholds,
                                                name=name, dtype=dtype)
    return type(class_name, (_ConfusionMatrixConditionCount,),
                {"__init__": __init__, "__doc__": doc, "__module__": __name__})


TruePositives = _count_class(
    "TruePositives", ConfusionMatrix.TRUE_POSITIVES,
    """The weighted number of positive labels predicted positive (`y_pred > threshold`).

    >>> metric = TruePositives()
    >>> float(metric([0, 1, 1, 1], [1, 0, 1, 1]))
    2.0
    """)
FalsePositives = _count_class(
    "FalsePositives", ConfusionMatrix.FALSE_POSITIVES,
    """The weighted number of negative labels predicted positive.""")
TrueNegatives = _count_class(
    "TrueNegatives", ConfusionMatrix.TRUE_NEGATIVES,
    """The weighted number of negative labels predicted negative.""")
FalseNegatives = _count_class(
    "FalseNegatives", ConfusionMatrix.FALSE_NEGATIVES,
    """The weighted number of positive labels predicted negative.""")


# ================================================================================
# Precision and Recall
# ================================================================================

class _PrecisionRecallBase(Metric):
    """TP plus one other count per threshold; `result` is TP / (TP + other)."""

    _other = None          # the ConfusionMatrix cell in the denominator
    _other_name = None     # its variable's name

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default_threshold = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=default_threshold)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        self.true_positives = self.add_variable((len(self.thresholds),), "zeros",
                                                name="true_positives")
        setattr(self, self._other_name,
                self.add_variable((len(self.thresholds),), "zeros", name=self._other_name))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the counts (`y_pred` are scores; positive when above a threshold)."""
        update_confusion_matrix_variables(
            {ConfusionMatrix.TRUE_POSITIVES: self.true_positives,
             self._other: getattr(self, self._other_name)},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives.value()
        value = divide_no_nan(tp, tp + getattr(self, self._other_name))
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecallBase):
    """TP / (TP + FP): how many predicted positives are positive.

    Args:
      thresholds: a float or list of floats in [0, 1] (default 0.5, or -1e10 with
        `top_k`); the result has one value per threshold.
      top_k: only the `top_k` highest predictions of each row count as positive.
      class_id: only this class (last axis) is evaluated.
      name, dtype: as for `Metric`.

    >>> metric = Precision()
    >>> float(metric([0, 1, 1, 1], [1, 0, 1, 1]))
    0.6666666865348816
    """

    _other = ConfusionMatrix.FALSE_POSITIVES
    _other_name = "false_positives"


class Recall(_PrecisionRecallBase):
    """TP / (TP + FN): how many positives are predicted positive (args as `Precision`).

    >>> metric = Recall()
    >>> float(metric([0, 1, 1, 1], [1, 0, 1, 1]))
    0.6666666865348816
    """

    _other = ConfusionMatrix.FALSE_NEGATIVES
    _other_name = "false_negatives"


# ================================================================================
# Sensitivity / specificity / precision / recall at a fixed value of another
# ================================================================================

class SensitivitySpecificityBase(Metric):
    """All four counts at `num_thresholds` evenly spaced thresholds; subclasses pick the
    best value of one rate among thresholds where another meets `value`."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        size = (len(self.thresholds),)
        self.true_positives = self.add_variable(size, "zeros", name="true_positives")
        self.false_positives = self.add_variable(size, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(size, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(size, "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            _all_four(self), y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id, sample_weight=sample_weight)

    def _rates(self):
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        return {"sensitivity": divide_no_nan(tp, tp + fn), "recall": divide_no_nan(tp, tp + fn),
                "specificity": divide_no_nan(tn, tn + fp), "precision": divide_no_nan(tp, tp + fp)}

    def _find_max_under_constraint(self, constrained, dependent):
        """max(dependent where constrained >= value), 0 when no threshold qualifies."""
        feasible = greater_equal(constrained, self.value)
        return maximum(reduce_max(where(feasible, dependent, cast(0, dependent.dtype))),
                       cast(0, dependent.dtype))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id}


def _all_four(metric):
    return {ConfusionMatrix.TRUE_POSITIVES: metric.true_positives,
            ConfusionMatrix.TRUE_NEGATIVES: metric.true_negatives,
            ConfusionMatrix.FALSE_POSITIVES: metric.false_positives,
            ConfusionMatrix.FALSE_NEGATIVES: metric.false_negatives}


class _AtValueBase(SensitivitySpecificityBase):
    """The best `_maximized` rate among thresholds where the `_constrained` rate >= value."""

    _constrained = None
    _maximized = None

    def _init(self, value, num_thresholds, class_id, name, dtype):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._constrained}` must be in the range [0, 1]. "
                             f"Received: {self._constrained}={value}")
        setattr(self, self._constrained, value)
        self.num_thresholds = num_thresholds
        super().__init__(value, num_thresholds=num_thresholds, class_id=class_id, name=name,
                         dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates[self._constrained], rates[self._maximized])

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                self._constrained: getattr(self, self._constrained)}


class SensitivityAtSpecificity(_AtValueBase):
    """The best sensitivity (recall) among thresholds whose specificity is >= `specificity`."""

    _constrained, _maximized = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._init(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_AtValueBase):
    """The best specificity among thresholds whose sensitivity is >= `sensitivity`."""

    _constrained, _maximized = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._init(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_AtValueBase):
    """The best precision among thresholds whose recall is >= `recall`."""

    _constrained, _maximized = "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._init(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_AtValueBase):
    """The best recall among thresholds whose precision is >= `precision`."""

    _constrained, _maximized = "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._init(precision, num_thresholds, class_id, name, dtype)


# ================================================================================
# AUC
# ================================================================================

class AUC(Metric):
    """Area under the ROC or precision-recall curve, by a Riemann sum over thresholds.

    Args:
      num_thresholds: the number of thresholds (> 1), evenly spaced in [0, 1] (the
        first and last are moved by epsilon so that 0 and 1 predictions count).
      curve: "ROC" (default), "PR" or "PRGAIN".
      summation_method: "interpolation" (default; for PR, the interpolation of Davis &
        Goadrich), "minoring" or "majoring".
      name, dtype: as for `Metric`.
      thresholds: explicit inner thresholds instead of `num_thresholds`.
      multi_label: compute an AUC per label (last axis) and average them.
      num_labels: the number of labels, to create the variables before the first update.
      label_weights: per-label weights of the average (or of the counts, single-label).
      from_logits: apply a sigmoid to `y_pred` first.

    >>> metric = AUC(num_thresholds=3)
    >>> float(metric([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9]))
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._direction = "up"
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                [0.0] + thresholds + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = [0.0 - EPSILON] + thresholds + [1.0 + EPSILON]
        self.curve = curve if isinstance(curve, AUCCurve) else AUCCurve.from_str(curve)
        self.summation_method = (
            summation_method if isinstance(summation_method, AUCSummationMethod)
            else AUCSummationMethod.from_str(summation_method))
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else convert_to_tensor(label_weights, dtype=self.dtype))
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds, including the two just outside [0, 1]."""
        return list(self._thresholds)

    def _build(self, shape_):
        if self.multi_label:
            if len(shape_) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape_)}. Full shape received for `y_pred`: "
                                 f"{shape_}")
            self._num_labels = shape_[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape_
        self.true_positives = self.add_variable(variable_shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(variable_shape, "zeros",
                                                 name="false_positives")
        self.true_negatives = self.add_variable(variable_shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(variable_shape, "zeros",
                                                 name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = convert(y_pred)
        if not self._built:
            self._build(list(y_pred.shape))
        if self._from_logits:
            y_pred = sigmoid(y_pred)
        update_confusion_matrix_variables(
            _all_four(self), y_true, y_pred, self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _average_over_labels(self, per_label):
        """Sums a per-threshold quantity; with multi_label, averages the per-label sums."""
        if not self.multi_label:
            return reduce_sum(per_label)
        by_label = reduce_sum(per_label, axis=0)
        if self.label_weights is None:
            return reduce_mean(by_label)
        return divide_no_nan(reduce_sum(by_label * self.label_weights),
                             reduce_sum(self.label_weights))

    def interpolate_pr_auc(self):
        """The PR AUC by Davis & Goadrich's interpolation: precision varies as
        TP / (TP + FP) between thresholds with TP and P linear, integrated exactly."""
        n = self.num_thresholds
        tp, fp, fn = (self.true_positives.value(), self.false_positives.value(),
                      self.false_negatives.value())
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, maximum(dp, 0.0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = where(logical_and(p[:n - 1] > 0, p[1:] > 0),
                             divide_no_nan(p[:n - 1], maximum(p[1:], 0.0)),
                             ones_like(p[1:]))
        increment = divide_no_nan(prec_slope * (dtp + intercept * log(safe_p_ratio)),
                                  maximum(tp[1:] + fn[1:], 0.0))
        return self._average_over_labels(increment)

    def _curve_points(self):
        """(x, y) of the curve at each threshold."""
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == AUCCurve.ROC:
            return divide_no_nan(fp, fp + tn), recall
        if self.curve == AUCCurve.PR:
            return recall, divide_no_nan(tp, tp + fp)
        scaling = divide_no_nan(tp + fn, tn + fp)
        recall_gain = 1.0 - scaling * divide_no_nan(fn, tp)
        precision_gain = 1.0 - scaling * divide_no_nan(fp, tp)
        no_tp = equal(tp, 0.0)
        recall_gain = where(no_tp, cast(0.0, tp.dtype), recall_gain)
        precision_gain = where(no_tp, cast(1.0, tp.dtype), precision_gain)
        return maximum(recall_gain, 0.0), precision_gain

    def result(self):
        if (self.curve == AUCCurve.PR
                and self.summation_method == AUCSummationMethod.INTERPOLATION):
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        x, y = self._curve_points()
        if self.summation_method == AUCSummationMethod.INTERPOLATION:
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == AUCSummationMethod.MINORING:
            heights = minimum(y[:n - 1], y[1:])
        else:
            heights = maximum(y[:n - 1], y[1:])
        return self._average_over_labels((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            for variable in _all_four(self).values():
                variable.assign(zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve.value,
                  "summation_method": self.summation_method.value,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
