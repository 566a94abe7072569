"""Probabilistic and hinge metrics: the means of the crossentropy, KL, Poisson and hinge
losses over all samples seen."""
from tapeflow.keras import losses
from tapeflow.keras.metrics.reduction import MeanMetricWrapper
from tapeflow.keras.metrics.regression import _mean_of

KLDivergence = _mean_of("KLDivergence", losses.kl_divergence, "kl_divergence",
                        """The mean of `sum(y_true * log(y_true / y_pred), axis=-1)`.""")
Poisson = _mean_of("Poisson", losses.poisson, "poisson",
                   """The mean of `mean(y_pred - y_true * log(y_pred), axis=-1)`.""")
Hinge = _mean_of("Hinge", losses.hinge, "hinge",
                 """The mean of `mean(maximum(1 - y_true * y_pred, 0), axis=-1)`.""")
SquaredHinge = _mean_of("SquaredHinge", losses.squared_hinge, "squared_hinge",
                        """The mean of `mean(square(maximum(1 - y_true * y_pred, 0)))`.""")
CategoricalHinge = _mean_of("CategoricalHinge", losses.categorical_hinge, "categorical_hinge",
                            """The mean of the categorical hinge loss.""")


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary crossentropy between labels and predictions."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(losses.binary_crossentropy, name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean categorical crossentropy between one-hot labels and predictions."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(losses.categorical_crossentropy, name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean crossentropy between integer labels and predictions."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}
