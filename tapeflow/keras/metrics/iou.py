"""Intersection-over-union metrics for segmentation: IoU, MeanIoU, BinaryIoU, one-hot variants.

They accumulate a `(num_classes, num_classes)` confusion matrix (rows: labels,
columns: predictions; int64 by default, as in Keras) and compute, per class,
`TP / (TP + FP + FN)`, averaged over the target classes that occurred.
"""
import warnings

from tapeflow.core import dtypes
from tapeflow.core.convert import convert_to_tensor
from tapeflow.keras.losses import EPSILON, convert
from tapeflow.keras.metrics.metric import Metric
from tapeflow.ops.array import broadcast_to, reshape, shape, stack
from tapeflow.ops.math import (argmax, cast, greater, greater_equal, less, logical_and,
                               not_equal, reduce_sum, where)
from tapeflow.ops.segment import confusion_matrix


class _IoUBase(Metric):
    """Accumulates the confusion matrix of class ids (labels and predictions outside
    [0, num_classes), and labels equal to `ignore_class`, are left out)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int64")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros", dtype=self.dtype,
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch's (weighted) label/prediction pairs to the confusion matrix."""
        if not self.sparse_y_true:
            y_true = argmax(convert(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = argmax(convert(y_pred), axis=self.axis)
        y_true = reshape(cast(convert(y_true), self.dtype), [-1])
        y_pred = reshape(cast(convert(y_pred), self.dtype), [-1])
        if sample_weight is None:
            sample_weight = 1
        elif (getattr(getattr(sample_weight, "dtype", None), "is_floating", False)
              and dtypes.as_dtype(self.dtype).is_integer):
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                          "result in an incorrect weight due to type casting Consider using "
                          "integer weights.")
        sample_weight = cast(convert(sample_weight), self.dtype)
        if sample_weight.shape.rank > 1:
            sample_weight = reshape(sample_weight, [-1])
        sample_weight = broadcast_to(sample_weight, shape(y_true))
        num_classes = cast(self.num_classes, y_true.dtype)
        in_bounds = logical_and(
            logical_and(greater_equal(y_true, 0), less(y_true, num_classes)),
            logical_and(greater_equal(y_pred, 0), less(y_pred, num_classes)))
        if self.ignore_class is not None:
            in_bounds = logical_and(in_bounds,
                                    not_equal(y_true, cast(self.ignore_class, y_true.dtype)))
        zero = cast(0, y_true.dtype)
        y_true = where(in_bounds, y_true, zero)
        y_pred = where(in_bounds, y_pred, zero)
        sample_weight = where(in_bounds, sample_weight, cast(0, sample_weight.dtype))
        current = confusion_matrix(y_true, y_pred, self.num_classes, weights=sample_weight,
                                   dtype=self.dtype)
        self.total_cm.assign(self.total_cm + current)


class IoU(_IoUBase):
    """Mean intersection-over-union of the classes `target_class_ids`.

    Args:
      num_classes: the number of classes.
      target_class_ids: the classes averaged over.
      name, dtype: as for `Metric` (dtype of the confusion matrix; int64 by default).
      ignore_class: a label value left out of the matrix.
      sparse_y_true, sparse_y_pred: whether labels / predictions are class ids (True)
        or scores to take the argmax of along `axis`.
      axis: the class axis of non-sparse inputs.

    >>> metric = IoU(num_classes=2, target_class_ids=[0])
    >>> round(float(metric([0, 0, 1, 1], [0, 1, 0, 1])), 6)
    0.333333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        """Mean over target classes with a non-zero union of TP / (TP + FP + FN)."""
        cm = self.total_cm.value()
        n = self.num_classes
        true_positives = cast(reshape(cm, [-1])[::n + 1], self.dtype)     # the diagonal
        denominator = (cast(reduce_sum(cm, axis=0), self.dtype)
                       + cast(reduce_sum(cm, axis=1), self.dtype) - true_positives)
        true_positives = cast(stack([true_positives[i] for i in self.target_class_ids]),
                              dtypes.float32)
        denominator = cast(stack([denominator[i] for i in self.target_class_ids]),
                           dtypes.float32)
        valid = greater(denominator, 1e-9)
        iou = where(valid, true_positives / (denominator + EPSILON),
                    convert_to_tensor(0.0))
        num_valid = reduce_sum(cast(valid, dtypes.float32))
        return reduce_sum(iou, axis=self.axis) / (num_valid + EPSILON)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of binary labels against `y_pred >= threshold`, for `target_class_ids` (0, 1)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = cast(convert(y_true), self.dtype)
        y_pred = cast(convert(y_pred), dtypes.float32)
        y_pred = cast(greater_equal(y_pred, self.threshold), self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self._dtype}


class MeanIoU(IoU):
    """IoU averaged over all `num_classes` classes (those that occurred).

    >>> metric = MeanIoU(num_classes=2)
    >>> round(float(metric([0, 0, 1, 1], [0, 1, 0, 1])), 6)
    0.333333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot labels (and scores as predictions unless `sparse_y_pred`)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self._dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot labels (and scores as predictions unless `sparse_y_pred`)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self._dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
