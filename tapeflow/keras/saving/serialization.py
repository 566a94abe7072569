"""Keras objects to JSON-ready configs and back (`tf.keras.saving.serialize_keras_object`).

A serialized object is Keras 3's dict:

    {"module": "keras.layers", "class_name": "Dense", "config": {...},
     "registered_name": None}

plus `build_config` and `compile_config` for models. Plain values (numbers,
strings, None, lists, tuples) stay as they are (JSON turns tuples into lists),
bytes become `{"class_name": "__bytes__", ...}`, functions are stored by name. Classes are
found again by `module` (which Keras namespace) and `class_name`, or, for user
classes, by their registered name `"package>Name"`
(`@tf.keras.utils.register_keras_serializable()`), or through `custom_objects`.
"""
import inspect

from tapeflow.keras import _registry

register_keras_serializable = _registry.register_keras_serializable
custom_object_scope = _registry.custom_object_scope
CustomObjectScope = _registry.custom_object_scope
get_custom_objects = _registry.get_custom_objects

_KINDS_BY_MODULE = {"keras.activations": "activation", "keras.initializers": "initializer",
                    "keras.regularizers": "regularizer", "keras.constraints": "constraint",
                    "keras.layers": "layer"}
_MODEL_CLASSES = ("Sequential", "Functional", "Model")


def get_registered_name(obj):
    """The name `obj` is registered under (`"package>Name"`), else its own name."""
    registered = _registry.registered_name(obj)
    if registered is not None:
        return registered
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class or function registered (or in scope, or in `custom_objects`) as `name`."""
    for table in (custom_objects or {}, module_objects or {}):
        if name in table:
            return table[name]
    for scope in reversed(_registry._scope.stack):
        if name in scope:
            return scope[name]
    return _registry._custom.get(name)


# ---- serialize ------------------------------------------------------------------------------

def serialize_keras_object(obj):
    """The JSON-ready config of a Keras object (see the module docstring).

    >>> serialize_keras_object({"units": 3, "shape": (None, 4)})
    {'units': 3, 'shape': (None, 4)}
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (list, tuple)):
        values = [serialize_keras_object(x) for x in obj]
        return tuple(values) if isinstance(obj, tuple) else values
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if hasattr(obj, "item") and getattr(obj, "shape", None) == ():
        return obj.item()         # NumPy scalars
    if hasattr(obj, "as_numpy_dtype") and hasattr(obj, "name"):
        return obj.name           # DTypes
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return _serialize_function(obj)
    if inspect.isclass(obj):
        return {"class_name": "__class__", "config": get_registered_name(obj)}
    return _serialize_instance(obj)


def _serialize_function(fn):
    registered = _registry.registered_name(fn)
    return {"module": getattr(fn, "__module__", "builtins") if registered else "builtins",
            "class_name": "function", "config": registered or fn.__name__,
            "registered_name": registered or "function"}


def _serialize_instance(obj):
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no `get_config()` method. "
                        "Implement `get_config()` (and register the class with "
                        "`@keras.saving.register_keras_serializable()`).")
    cls = type(obj)
    registered = _registry.registered_name(obj)
    if registered is not None:
        module = cls.__module__
    elif cls.__module__.startswith("tapeflow."):
        module = _keras_module(obj)
    else:                  # an unregistered user class: Keras names it by its class name
        module, registered = None, cls.__name__
    config = {"module": module, "class_name": cls.__name__,
              "config": serialize_keras_object(_plain_config(obj)),
              "registered_name": registered}
    if _is_layer(obj) and hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            config["build_config"] = serialize_keras_object(build_config)
    if hasattr(obj, "get_compile_config") and getattr(obj, "compiled", False):
        compile_config = obj.get_compile_config()
        if compile_config:
            config["compile_config"] = compile_config
    return config


def _plain_config(obj):
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"{type(obj).__name__}.get_config() must return a dict; got "
                        f"{type(config).__name__}.")
    return config


def _is_layer(obj):
    from tapeflow.keras.layers.base import Layer
    return isinstance(obj, Layer)


def _keras_module(obj):
    """The Keras namespace an instance's class lives in, as Keras 3 writes it."""
    from tapeflow.keras.layers.base import Layer
    from tapeflow.keras.losses import Loss
    from tapeflow.keras.metrics.metric import Metric
    from tapeflow.keras.models.model import Model
    from tapeflow.keras.optimizers.optimizer import Optimizer
    from tapeflow.keras.optimizers.schedules import LearningRateSchedule
    for base, module in ((Model, "keras"), (Layer, "keras.layers"),
                         (Optimizer, "keras.optimizers"), (Loss, "keras.losses"),
                         (Metric, "keras.metrics"),
                         (LearningRateSchedule, "keras.optimizers.schedules")):
        if isinstance(obj, base):
            return module
    for kind, module in (("initializer", "keras.initializers"),
                         ("regularizer", "keras.regularizers"),
                         ("constraint", "keras.constraints")):
        if type(obj) in _registry.table(kind).values():
            return module
    return type(obj).__module__


# ---- deserialize ------------------------------------------------------------------------------

def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object a `serialize_keras_object` config describes.

    Args:
      config: the config (a dict, a list, or a plain value).
      custom_objects: `{name: class or function}` for user objects that are not
        registered.
      safe_mode: accepted for compatibility (configs never hold code here).

    Raises:
      TypeError: the class cannot be found (register it or pass it in
        `custom_objects`).
    """
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        return config
    if isinstance(config, list):
        return [deserialize_keras_object(x, custom_objects) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects)
                for key, value in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(x, custom_objects) for x in inner["value"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__class__":
        return _locate(inner, None, custom_objects, config)
    if class_name == "function":
        return _locate_function(config, custom_objects)
    with custom_object_scope(custom_objects or {}):
        return _deserialize_instance(config, custom_objects)


def _deserialize_instance(config, custom_objects):
    class_name, inner = config["class_name"], config["config"]
    module = config.get("module") or ""
    if module == "keras" and class_name == "DTypePolicy":
        from tapeflow.keras.dtype_policies import DTypePolicy
        return DTypePolicy.deserialize(config)
    cls = _locate(config.get("registered_name") or class_name, module, custom_objects, config)
    if not inspect.isclass(cls):
        return cls
    if isinstance(inner, dict) and not _is_layer_class(cls):
        inner = {key: deserialize_keras_object(value, custom_objects)
                 for key, value in inner.items()}
    obj = _from_config(cls, inner, custom_objects)
    if _is_layer_class(cls):
        build_config = config.get("build_config")
        if build_config and not obj.built:
            obj.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(compile_config)
    return obj


def _from_config(cls, inner, custom_objects):
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        return cls(**inner)
    if "custom_objects" in inspect.signature(from_config).parameters:
        return from_config(inner, custom_objects=custom_objects)
    return from_config(inner)


def _is_layer_class(cls):
    from tapeflow.keras.layers.base import Layer
    return issubclass(cls, Layer)


def _locate(name, module, custom_objects, config):
    """The class for `name`: custom objects, registered names, then Keras' namespaces."""
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    short = name.split(">")[-1]
    found = get_registered_object(short, custom_objects)
    if found is not None:
        return found
    found = _keras_class(short, module)
    if found is None:
        raise TypeError(f"Could not locate class '{short}'. Make sure custom classes are "
                        "decorated with `@keras.saving.register_keras_serializable()`. Full "
                        f"object config: {config}")
    return found


def _keras_class(class_name, module):
    from tapeflow.keras import losses, metrics, optimizers
    from tapeflow.keras.optimizers import schedules
    if class_name in _MODEL_CLASSES:
        from tapeflow.keras import models
        return getattr(models, class_name)
    lookups = [
        ("keras.optimizers.schedules", lambda: getattr(schedules, class_name, None)),
        ("keras.optimizers", lambda: optimizers._BY_NAME.get(class_name.lower())),
        ("keras.losses", lambda: losses._BY_NAME.get(class_name)),
        ("keras.metrics", lambda: metrics._BY_NAME.get(class_name)),
    ]
    for kind_module, kind in _KINDS_BY_MODULE.items():
        lookups.append((kind_module, lambda kind=kind: _registry.table(kind).get(class_name)))
    preferred = [lookup for prefix, lookup in lookups if module.startswith(prefix)]
    for lookup in preferred + [lookup for _, lookup in lookups]:
        found = lookup()
        if found is not None and inspect.isclass(found):
            return found
    return None


def _locate_function(config, custom_objects):
    name = config["config"]
    found = get_registered_object(config.get("registered_name") or name, custom_objects) or \
        get_registered_object(name, custom_objects)
    if found is not None:
        return found
    from tapeflow.keras import activations, losses, metrics
    for module in (losses, metrics, activations):
        fn = getattr(module, name, None)
        if callable(fn):
            return fn
    raise TypeError(f"Could not locate function '{name}'. Make sure custom functions are "
                    "decorated with `@keras.saving.register_keras_serializable()`. Full object "
                    f"config: {config}")
