"""Regression metrics: the means of the regression losses, RMSE, cosine similarity."""
from tapeflow.keras import losses
from tapeflow.keras.losses import convert, l2_normalize_keras, squeeze_or_expand_to_same_rank
from tapeflow.keras.metrics.reduction import Mean, MeanMetricWrapper
from tapeflow.ops.math import reduce_sum, sqrt, square


def _mean_of(class_name, fn, default_name, doc):
    """A MeanMetricWrapper subclass averaging `fn`, configured by `name` and `dtype`."""

    def __init__(self, name=default_name, dtype=None):
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "get_config": get_config, "__doc__": doc,
        "__module__": __name__})


MeanSquaredError = _mean_of("MeanSquaredError", losses.mean_squared_error,
                            "mean_squared_error",
                            """The mean of `mean(square(y_true - y_pred), axis=-1)`.""")
MeanAbsoluteError = _mean_of("MeanAbsoluteError", losses.mean_absolute_error,
                             "mean_absolute_error",
                             """The mean of `mean(abs(y_true - y_pred), axis=-1)`.""")
MeanAbsolutePercentageError = _mean_of(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    """The mean of `100 * mean(abs((y_true - y_pred) / y_true), axis=-1)`.""")
MeanSquaredLogarithmicError = _mean_of(
    "MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    """The mean of `mean(square(log(y_true + 1) - log(y_pred + 1)), axis=-1)`.""")
LogCoshError = _mean_of("LogCoshError", losses.log_cosh, "logcosh",
                        """The mean of `mean(log(cosh(y_pred - y_true)), axis=-1)`.""")


class RootMeanSquaredError(Mean):
    """`sqrt(mean(square(y_true - y_pred)))` over every element seen.

    >>> metric = RootMeanSquaredError()
    >>> float(metric([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]))
    0.7071067690849304
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = convert(y_true, self.dtype)
        y_pred = convert(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return sqrt(super().result())

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


def cosine_similarity(y_true, y_pred, axis=-1):
    """`sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)` (1 for equal directions)."""
    y_pred = convert(y_pred)
    y_true = convert(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return reduce_sum(l2_normalize_keras(y_true, axis) * l2_normalize_keras(y_pred, axis),
                      axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions along `axis`."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
