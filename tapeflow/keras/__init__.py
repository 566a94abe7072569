"""`tf.keras`: layers, models, losses, metrics, optimizers and training APIs.

Sub-namespaces and the top-level names load on first use, so that each part of
Keras can be imported on its own.
"""
import importlib as _importlib

_SUBMODULES = ("layers", "models", "losses", "metrics", "optimizers", "initializers",
               "regularizers", "activations", "constraints", "callbacks", "datasets",
               "utils", "backend", "mixed_precision", "preprocessing", "saving")

# Top-level names: name -> module that defines it.
_NAMES = {
    "Model": "tapeflow.keras.models",
    "Sequential": "tapeflow.keras.models",
    "Input": "tapeflow.keras.layers",
    "Layer": "tapeflow.keras.layers",
}


def __getattr__(name):
    if name in _SUBMODULES:
        module = _importlib.import_module(f"tapeflow.keras.{name}")
        globals()[name] = module
        return module
    if name in _NAMES:
        value = getattr(_importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.keras' has no attribute {name!r}")
