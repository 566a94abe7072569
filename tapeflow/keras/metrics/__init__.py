"""`tf.keras.metrics`: stateful metric objects, metric functions, and name lookup.

A metric is created once, updated batch by batch with `update_state` (or by
calling it), read with `result()` and cleared with `reset_state()` (TF 2's
`reset_states()` also works). `get` turns a name such as "mae" or
"sparse_categorical_accuracy" into a metric; `resolve_compile_metric` adds the
`compile(metrics=["accuracy"])` rule that picks the binary, categorical or sparse
accuracy from the shapes of the labels and predictions.
"""
import inspect

from tapeflow._util.naming import to_snake_case
from tapeflow.keras.losses import (binary_crossentropy, binary_focal_crossentropy,
                                   categorical_crossentropy, categorical_focal_crossentropy,
                                   categorical_hinge, hinge, huber, is_binary_or_sparse_categorical,
                                   kl_divergence, log_cosh, mean_absolute_error,
                                   mean_absolute_percentage_error, mean_squared_error,
                                   mean_squared_logarithmic_error, poisson,
                                   sparse_categorical_crossentropy, squared_hinge)
from tapeflow.keras.metrics.accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                             SparseCategoricalAccuracy,
                                             SparseTopKCategoricalAccuracy,
                                             TopKCategoricalAccuracy, accuracy, binary_accuracy,
                                             categorical_accuracy, sparse_categorical_accuracy,
                                             sparse_top_k_categorical_accuracy,
                                             top_k_categorical_accuracy)
from tapeflow.keras.metrics.confusion import (AUC, FalseNegatives, FalsePositives, Precision,
                                              PrecisionAtRecall, Recall, RecallAtPrecision,
                                              SensitivityAtSpecificity,
                                              SpecificityAtSensitivity, TrueNegatives,
                                              TruePositives)
from tapeflow.keras.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from tapeflow.keras.metrics.metric import Metric
from tapeflow.keras.metrics.probabilistic import (BinaryCrossentropy, CategoricalCrossentropy,
                                                  CategoricalHinge, Hinge, KLDivergence,
                                                  Poisson, SparseCategoricalCrossentropy,
                                                  SquaredHinge)
from tapeflow.keras.metrics.reduction import Mean, MeanMetricWrapper, MeanTensor, Sum
from tapeflow.keras.metrics.regression import (CosineSimilarity, LogCoshError,
                                               MeanAbsoluteError, MeanAbsolutePercentageError,
                                               MeanSquaredError, MeanSquaredLogarithmicError,
                                               RootMeanSquaredError)

# The short function names of tf.keras.metrics (TF 2 code calls them too).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

_CLASSES = (Metric, Mean, Sum, MeanTensor, MeanMetricWrapper, MeanSquaredError,
            RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, AUC, FalseNegatives,
            FalsePositives, Precision, PrecisionAtRecall, Recall, RecallAtPrecision,
            SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives, TruePositives,
            Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy,
            CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            SparseTopKCategoricalAccuracy, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU)
_BY_NAME = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
_BY_NAME.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
                 "mse": MeanSquaredError, "MSE": MeanSquaredError,
                 "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
                 "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                 "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})


def serialize(metric):
    """The metric's Keras config dict: `{"class_name": ..., "config": ..., ...}`."""
    return {"module": "keras.metrics", "class_name": type(metric).__name__,
            "config": metric.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A new metric from a `serialize` dict."""
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or _BY_NAME.get(class_name)
    if cls is None:
        raise _unknown(class_name)
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A metric from a name ("mae", "AUC", "sparse_categorical_accuracy"), a config
    dict, or a callable (returned as is; a class is instantiated).

    Raises:
      ValueError: an unknown name (the message lists the valid names).
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _BY_NAME.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise _unknown(identifier)


def _unknown(identifier):
    return ValueError(f"Could not interpret metric identifier: {identifier}. Valid names are: "
                      f"{', '.join(sorted(_BY_NAME))}.")


def resolve_compile_metric(identifier, y_true, y_pred):
    """The Metric that `compile(metrics=[identifier])` uses for one output.

    "accuracy"/"acc" become BinaryAccuracy (one prediction per sample),
    SparseCategoricalAccuracy (integer labels) or CategoricalAccuracy (one-hot labels),
    decided from the shapes of `y_true` and `y_pred`; other identifiers go through
    `get`, and plain functions are wrapped in a `MeanMetricWrapper`. The metric is
    named after a string identifier ("acc" stays "acc"), as in Keras.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        cls = (BinaryAccuracy if is_binary else
               SparseCategoricalAccuracy if is_sparse else CategoricalAccuracy)
        metric = cls(name=str(identifier))
    else:
        metric = get(identifier)
    if isinstance(identifier, str):
        name = identifier
    elif hasattr(metric, "name"):
        name = metric.name
    else:
        name = to_snake_case(getattr(metric, "__name__", type(metric).__name__))
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=name)
    metric.name = name
    return metric
