"""`tf.keras.losses`: loss functions, the `Loss` classes that add reduction and config,
and name lookup.

Each loss is a pure function `fn(y_true, y_pred, **options)` returning one value per
sample (the last axis reduced), written in tapeflow ops so it is differentiable and
traceable; a class wraps it with `reduction`, `name` and config. Formulas, names,
defaults, error messages and config keys are Keras 3's (the Keras of TF 2.21).

>>> loss = CategoricalCrossentropy(from_logits=True)
>>> round(float(loss([[1, 0]], [[-1.0, 3.0]])), 5)
4.01815
"""
import inspect

from tapeflow.keras.losses.loss import (EPSILON, Loss, LossFunctionWrapper, Reduction,
                                        apply_mask, convert, reduce_values,
                                        reduce_weighted_values, squeeze_or_expand_to_same_rank,
                                        standardize_reduction)
from tapeflow.keras.losses.probabilistic import (
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
    CategoricalFocalCrossentropy, KLDivergence, Poisson, SparseCategoricalCrossentropy,
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, kl_divergence, poisson, sparse_categorical_crossentropy)
from tapeflow.keras.losses.regression import (
    CategoricalHinge, CosineSimilarity, Hinge, Huber, LogCosh, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, SquaredHinge,
    categorical_hinge, cosine_similarity, hinge, huber, l2_normalize_keras, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, squared_hinge)

# Short names (tf.keras.losses.mse, ...), as TF 2 code calls them.
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
