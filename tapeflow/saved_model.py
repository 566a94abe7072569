"""`tf.saved_model`: TensorFlow's SavedModel format is not implemented.

A SavedModel stores graphs as TF protocol buffers of TF ops, which tapeflow
neither writes nor runs. Save Keras models with `model.save("model.keras")`
and restore them with `tf.keras.models.load_model`; save the variables of any
object with `tf.train.Checkpoint`.
"""
import os as _os

SAVED_MODEL_FILENAME_PB = "saved_model.pb"
SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
ASSETS_DIRECTORY = "assets"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
SERVING = "serve"
TRAINING = "train"
GPU = "gpu"
TPU = "tpu"

_MESSAGE = ("tapeflow does not implement TensorFlow's SavedModel format (tf.saved_model.{what})."
            " Save a Keras model with model.save('model.keras') and load it with "
            "tf.keras.models.load_model('model.keras'); save the variables of other objects "
            "with tf.train.Checkpoint(...).save(prefix) and .restore(path).")


def save(obj, export_dir, signatures=None, options=None):
    """Raises NotImplementedError (see the module docstring for what to use instead)."""
    raise NotImplementedError(_MESSAGE.format(what="save"))


def load(export_dir, tags=None, options=None):
    """Raises NotImplementedError (see the module docstring for what to use instead)."""
    raise NotImplementedError(_MESSAGE.format(what="load"))


def contains_saved_model(export_dir):
    """Whether `export_dir` holds a SavedModel (a saved_model.pb or .pbtxt file)."""
    export_dir = _os.fspath(export_dir)
    return any(_os.path.exists(_os.path.join(export_dir, name))
               for name in (SAVED_MODEL_FILENAME_PB, SAVED_MODEL_FILENAME_PBTXT))


class SaveOptions:
    """Accepted for compatibility; `save` is not implemented."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class LoadOptions(SaveOptions):
    """Accepted for compatibility; `load` is not implemented."""
