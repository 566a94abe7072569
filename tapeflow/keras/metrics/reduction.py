"""Reduction metrics: Sum, Mean, MeanTensor, and MeanMetricWrapper (the mean of a function).

`Mean` keeps a weighted total and a weight count; most Keras metrics (accuracies,
regression errors, crossentropies) are a `MeanMetricWrapper` around a function that
returns one value per sample.
"""
from tapeflow.core.shape import TensorShape
from tapeflow.keras import losses as losses_module
from tapeflow.keras.losses import apply_mask, convert, squeeze_or_expand_to_same_rank
from tapeflow.keras.metrics.metric import Metric
from tapeflow.ops.array import broadcast_to, ones_like, shape
from tapeflow.ops.elementwise import divide_no_nan
from tapeflow.ops.math import cast, reduce_mean, reduce_sum


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """(one value per sample, one weight per sample): weights are applied at their own
    rank (values with more dimensions are first reduced to it) and both are then
    reduced over all but the first axis."""
    values = cast(convert(values), dtype)
    if sample_weight is not None:
        sample_weight = convert(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank, values_rank = sample_weight.shape.rank, values.shape.rank
        if values_rank > weight_rank:
            values = reduce_fn(values, axis=list(range(weight_rank, values_rank)))
        sample_weight = broadcast_to(sample_weight, shape(values))
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_rank)))
    if values.shape.rank > 1:
        values = reduce_fn(values, axis=list(range(1, values.shape.rank)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen.

    >>> metric = Sum()
    >>> float(metric([1.0, 3.0, 5.0, 7.0]))
    16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, reduce_sum, self.dtype)
        self.total.assign_add(reduce_sum(values))

    def result(self):
        return cast(self.total, self.dtype)


class Mean(Metric):
    """The (weighted) mean of all values seen: `total / count`.

    >>> metric = Mean()
    >>> float(metric([1.0, 3.0, 5.0, 7.0]))
    4.0
    >>> float(metric([1.0], sample_weight=[4.0]))   # (16 + 4) / (4 + 4)
    2.5
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable((), "zeros", dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight,
                                                            reduce_mean, self.dtype)
        self.total.assign_add(reduce_sum(values))
        if sample_weight is not None:
            num_samples = reduce_sum(sample_weight)
        elif values.shape.rank >= 1:
            num_samples = shape(values)[0]
        else:
            num_samples = 1
        self.count.assign_add(cast(num_samples, self.dtype))

    def result(self):
        return divide_no_nan(self.total.value(), cast(self.count, self.dtype))


class MeanTensor(Metric):
    """The element-wise (weighted) mean of tensors of one shape (TF 2's MeanTensor).

    Args:
      name: the metric name.
      dtype: the dtype of the result.
      shape: the values' shape; by default taken from the first update.
    """

    def __init__(self, name="mean_tensor", dtype=None, shape=None):
        super().__init__(name=name, dtype=dtype)
        self._shape = None
        self._built = False
        if shape is not None:
            self._build(shape)

    def _build(self, shape):
        self._shape = TensorShape(shape)
        self._total = self.add_variable(self._shape, "zeros", name="total")
        self._count = self.add_variable(self._shape, "zeros", name="count")
        self._built = True

    @property
    def total(self):
        return self._total if self._built else None

    @property
    def count(self):
        return self._count if self._built else None

    def update_state(self, values, sample_weight=None):
        values = cast(convert(values), self.dtype)
        if not self._built:
            self._build(values.shape)
        elif values.shape != self._shape:
            raise ValueError("MeanTensor input values must always have the same shape. "
                             f"Expected shape (set during the first call): {self._shape}. "
                             f"Got: {values.shape}.")
        num_values = ones_like(values)
        if sample_weight is not None:
            sample_weight = cast(convert(sample_weight), self.dtype)
            values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight,
                                                                   expand_rank_1=False)
            sample_weight = broadcast_to(sample_weight, shape(values))
            num_values = num_values * sample_weight
            values = values * sample_weight
        self._total.assign_add(values)
        self._count.assign_add(num_values)

    def result(self):
        if not self._built:
            raise ValueError("MeanTensor does not have any value yet. Please call the "
                             "MeanTensor instance or use `.update_state(value)` before "
                             "retrieving the result.")
        return divide_no_nan(self._total.value(), self._count.value())

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = super().get_config()
        config["shape"] = None if self._shape is None else self._shape.as_list()
        return config


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
      fn: a function returning one value per sample.
      name: the metric name.
      dtype: the dtype of the result.
      **kwargs: passed to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if fn in losses_module._FUNCTIONS or type(fn) in losses_module._CLASSES:
            self._direction = "down"     # lower is better (read by callbacks' mode="auto")

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = getattr(y_pred, "_keras_mask", None)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = apply_mask(sample_weight, mask, dtype=self.dtype, reduction="sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update({"fn": getattr(self._fn, "__name__", self._fn), **self._fn_kwargs})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), str):   # a metric or loss function, by name
            from tapeflow.keras import metrics
            config["fn"] = getattr(metrics, config["fn"], None) or losses_module.get(config["fn"])
        return cls(**config)
