"""`tf.keras.optimizers`: the optimizers, learning rate schedules, and `get`/`serialize`.

Strings name optimizers case-insensitively by class name (`"adam"`, `"SGD"`,
`"rmsprop"`); `get` also accepts config dicts and optimizer instances.
"""
from tapeflow.keras.optimizers import legacy, schedules
from tapeflow.keras.optimizers.adadelta import Adadelta
from tapeflow.keras.optimizers.adagrad import Adagrad
from tapeflow.keras.optimizers.adam import Adam
from tapeflow.keras.optimizers.adamax import Adamax
from tapeflow.keras.optimizers.adamw import AdamW
from tapeflow.keras.optimizers.ftrl import Ftrl
from tapeflow.keras.optimizers.lion import Lion
from tapeflow.keras.optimizers.nadam import Nadam
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.keras.optimizers.rmsprop import RMSprop
from tapeflow.keras.optimizers.sgd import SGD

_BY_NAME = {cls.__name__.lower(): cls for cls in (
    Adadelta, Adagrad, Adam, Adamax, AdamW, Ftrl, Lion, Nadam, RMSprop, SGD)}


def serialize(optimizer):
    """The optimizer's Keras config dict: `{"class_name": ..., "config": ..., ...}`."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A new optimizer from a `serialize` dict (class names are case-insensitive)."""
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or _BY_NAME.get(class_name.lower())
    if cls is None:
        raise _unknown(class_name)
    return cls.from_config(dict(config.get("config") or {}), custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name (`"adam"`), a config dict, or an Optimizer (returned as is).

    >>> get("sgd").get_config()["learning_rate"]
    0.009999999776482582

    Raises:
      ValueError: an unknown name or an object that is not an optimizer; the
        message lists the valid names.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        optimizer = deserialize(identifier)
    elif isinstance(identifier, str):
        optimizer = deserialize({"class_name": identifier, "config": {}})
    else:
        optimizer = identifier
    if isinstance(optimizer, Optimizer):
        return optimizer
    raise _unknown(identifier)


def _unknown(identifier):
    return ValueError(f"Could not interpret optimizer identifier: {identifier}. Valid names "
                      f"are: {', '.join(sorted(_BY_NAME))}.")


__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "Ftrl", "Lion", "Nadam",
           "Optimizer", "RMSprop", "SGD", "deserialize", "get", "legacy", "schedules",
           "serialize"]
