"""`tf.keras`: layers, models, losses, metrics, optimizers and training APIs.

Sub-namespaces and the top-level names load on first use, so that each part of
Keras can be imported on its own.
"""
import importlib as _importlib

_SUBMODULES = ("layers", "models", "losses", "metrics", "optimizers", "initializers",
               "regularizers", "activations", "constraints", "callbacks", "datasets",
               "utils", "backend", "mixed_precision", "preprocessing", "saving", "random")

# Top-level names: name -> module that defines it.
_NAMES = {
    "Model": "tapeflow.keras.models",
    "Sequential": "tapeflow.keras.models",
    "Input": "tapeflow.keras.layers",
    "Layer": "tapeflow.keras.layers",
    "InputSpec": "tapeflow.keras.layers",
    "Variable": "tapeflow.keras.variables",
    "KerasTensor": "tapeflow.keras.layers.symbolic",
    "Operation": "tapeflow.keras.layers.symbolic",
    "DTypePolicy": "tapeflow.keras.dtype_policies",
    "Initializer": "tapeflow.keras.initializers",
    "Regularizer": "tapeflow.keras.regularizers",
    "Constraint": "tapeflow.keras.constraints",
}


def __getattr__(name):
    if name in _SUBMODULES:
        module = _importlib.import_module(f"tapeflow.keras.{name}")
        globals()[name] = module
        return module
    if name in _NAMES:
        module = _importlib.import_module(_NAMES[name])
        value = getattr(module, name) if name != "Variable" else module.KerasVariable
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow.keras' has no attribute {name!r}")
