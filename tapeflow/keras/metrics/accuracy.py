"""Accuracy metrics: exact match, binary (thresholded), categorical, sparse, and top-k.

Each is a function returning 1.0/0.0 per sample plus a `MeanMetricWrapper` class
averaging it, as in Keras.
"""
from tapeflow.core import dtypes
from tapeflow.keras.losses import convert, squeeze_or_expand_to_same_rank
from tapeflow.keras.metrics.reduction import MeanMetricWrapper
from tapeflow.ops.array import expand_dims, reshape, shape, squeeze
from tapeflow.ops.math import argmax, cast, equal, greater, reduce_max
from tapeflow.ops.reduction import in_top_k

_FLOATX = dtypes.float32


def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred` exactly, else 0.0."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return cast(equal(y_true, y_pred), _FLOATX)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `y_true` equals `y_pred > threshold` (as 0/1), else 0.0.

    >>> binary_accuracy([[1], [0]], [[0.7], [0.6]]).numpy().tolist()
    [[1.0], [0.0]]
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true)
    threshold = cast(threshold, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = cast(greater(y_pred, threshold), y_true.dtype)
    return cast(equal(y_true, y_pred), _FLOATX)


def categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of the one-hot `y_true` equals the argmax of `y_pred`."""
    y_true = argmax(convert(y_true), axis=-1)
    y_pred = convert(y_pred)
    y_true = cast(y_true, y_pred.dtype)
    reshape_matches = y_true.shape.rank == y_pred.shape.rank
    true_shape = shape(y_true)
    if reshape_matches:
        y_true = squeeze(y_true, -1)
    y_pred = cast(argmax(y_pred, axis=-1), y_true.dtype)
    matches = cast(equal(y_true, y_pred), _FLOATX)
    return reshape(matches, true_shape) if reshape_matches else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label `y_true` equals the argmax of `y_pred`.

    >>> sparse_categorical_accuracy([2, 1], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]).numpy().tolist()
    [1.0, 0.0]
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    true_shape = shape(y_true)
    reshape_matches = (y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1)
    if reshape_matches:
        y_true = squeeze(y_true, -1)
    y_pred = cast(argmax(y_pred, axis=-1), y_true.dtype)
    matches = cast(equal(y_true, y_pred), _FLOATX)
    if reshape_matches:
        matches = reshape(matches, true_shape)
    if matches.shape.rank > 1 and matches.shape[-1] == 1:
        matches = squeeze(matches, -1)
    return matches


def _flatten_for_top_k(y_true, y_pred):
    """(labels as a vector, predictions as a matrix, the labels' original shape or None)."""
    original = None
    if y_pred.shape.rank > 2:
        y_pred = reshape(y_pred, [-1, y_pred.shape[-1]])
    if y_true.shape.rank > 1:
        original = shape(y_true)
        y_true = reshape(y_true, [-1])
    return y_true, y_pred, original


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the class of the one-hot `y_true` is among the `k` largest `y_pred`."""
    y_pred = convert(y_pred)
    y_true = argmax(convert(y_true, y_pred.dtype), axis=-1)
    y_true, y_pred, original = _flatten_for_top_k(y_true, y_pred)
    matches = cast(in_top_k(targets=cast(y_true, dtypes.int32), predictions=y_pred, k=k),
                   _FLOATX)
    return matches if original is None else reshape(matches, original)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label `y_true` is among the `k` largest `y_pred`.

    With `from_sorted_ids`, `y_pred` holds class ids sorted by score instead of scores.
    """
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype if from_sorted_ids else dtypes.int32)
    y_true, y_pred, original = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        hits = cast(equal(expand_dims(y_true, axis=1), y_pred[:, :k]), _FLOATX)
        matches = reduce_max(hits, axis=1)
    else:
            matches = cast(in_top_k(targets=y_true, predictions=y_pred, k=k), _FLOATX)
    return matches if original is None else reshape(matches, original)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    >>> metric = Accuracy()
    >>> float(metric([[1], [2], [3], [4]], [[0], [2], [3], [4]]))
    0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of predictions matches the argmax of one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of predictions matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the top `k` predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the top `k` predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
