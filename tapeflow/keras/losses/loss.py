"""The Loss base class and what every loss shares: dtype conversion, rank matching,
sample weights, masks and the reductions ('sum_over_batch_size', 'sum', 'none', ...).

`Loss.__call__(y_true, y_pred, sample_weight=None)` converts both inputs to the loss
dtype (float32: integer labels are fine), computes one value per sample with
`call`, weights them and reduces them, as Keras 3 does.
"""
from tapeflow._util.naming import auto_name
from tapeflow.core import dtypes
from tapeflow.core.context import name_scope
from tapeflow.core.convert import convert_to_tensor
from tapeflow.distribute.context import num_replicas_in_sync
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.array import expand_dims, size, squeeze
from tapeflow.ops.elementwise import divide_no_nan
from tapeflow.ops.math import cast, logical_and, reduce_sum, where

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
        loss = scale_loss_for_distribution(divide_no_nan(loss, divisor))
    return loss


def scale_loss_for_distribution(value):
    """`value / num_replicas_in_sync` under a multi-replica tf.distribute strategy.

    Keras scales mean losses so that the optimizer's sum of all replicas'
    gradients is the gradient of the global mean.
    """
    replicas = num_replicas_in_sync()
    return value * cast(1.0 / replicas, value.dtype) if replicas > 1 else value


def unscale_loss_for_distribution(value):
    """Undoes `scale_loss_for_distribution` (for reporting the loss)."""
    replicas = num_replicas_in_sync()
    return value * cast(replicas, value.dtype) if replicas > 1 else value


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
                mask = _and_masks(in_mask, out_mask)
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


def _and_masks(a, b):
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


def wrapper_class(class_name, fn, default_name, doc):
    """A LossFunctionWrapper subclass taking only `reduction`, `name` and `dtype`."""

    def __init__(self, reduction="sum_over_batch_size", name=default_name, dtype=None):
        LossFunctionWrapper.__init__(self, fn, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)

    return type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "get_config": get_config, "__doc__": doc,
        "__module__": fn.__module__})


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
