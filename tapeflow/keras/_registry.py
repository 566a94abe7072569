"""Turns identifiers (names, config dicts, classes, callables) into Keras objects.

Every `get()` of activations, initializers, regularizers and constraints goes
through `get(identifier, kind)` here, so an unknown name always fails the same
way: Keras' "Could not interpret ... identifier" ValueError, followed by the
list of valid names. The same tables serialize objects to Keras 3's config
dicts and back, and hold the user's registered custom objects.
"""
import contextlib
import inspect
import threading

# kind -> {name: class or function}; filled by the modules that define the objects.
_TABLES = {}
_LABELS = {"activation": "activation function", "initializer": "initializer",
           "regularizer": "regularizer", "constraint": "constraint", "layer": "layer"}
_MODULES = {"activation": "keras.activations", "initializer": "keras.initializers",
            "regularizer": "keras.regularizers", "constraint": "keras.constraints",
            "layer": "keras.layers"}
# Modules that define each kind, imported on first lookup so tables are full.
_DEFINED_IN = {"activation": "tapeflow.keras.activations",
               "initializer": "tapeflow.keras.initializers",
               "regularizer": "tapeflow.keras.regularizers",
               "constraint": "tapeflow.keras.constraints",
               "layer": ("tapeflow.keras.layers", "tapeflow.keras.models")}

_custom = {}                       # "package>Name" -> object (register_keras_serializable)
_custom_names = {}                 # object -> "package>Name"


class _Scope(threading.local):
    def __init__(self):
        self.stack = []


_scope = _Scope()


def register(kind, *names):
    """Decorator: registers a class or function under `names` (its own name if none)."""
    def decorator(obj):
        table = _TABLES.setdefault(kind, {})
        for name in names or (obj.__name__,):
            table[name] = obj
        return obj
    return decorator


def table(kind):
    modules = _DEFINED_IN.get(kind, ())
    for module in (modules,) if isinstance(modules, str) else modules:
        __import__(module)
    return _TABLES.setdefault(kind, {})


def unknown_identifier(kind, identifier):
    """The one error for an unknown name: Keras' message plus the valid names."""
    names = ", ".join(sorted(table(kind), key=str.lower))
    return ValueError(f"Could not interpret {_LABELS[kind]} identifier: {identifier}. "
                      f"Valid names are: {names}.")


def lookup(kind, name, custom_objects=None):
    """The class or function registered as `name` (custom objects first), or None."""
    for scope in [custom_objects or {}] + _scope.stack[::-1]:
        if name in scope:
            return scope[name]
    if name in _custom:
        return _custom[name]
    return table(kind).get(name)


def get(identifier, kind):
    """The object for `identifier`: a name, a config dict, a class, or the object itself.

    Classes named by a string are instantiated with their defaults (`"l2"` ->
    `L2()`); functions are returned as they are.
    """
    if isinstance(identifier, str):
        obj = lookup(kind, identifier)
        if obj is None:
            raise unknown_identifier(kind, identifier)
        return obj() if inspect.isclass(obj) else obj
    if isinstance(identifier, dict):
        return deserialize(identifier, kind)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise unknown_identifier(kind, identifier)


# -- serialization (Keras 3's config dicts) ----------------------------------------------

def registered_name(obj):
    cls = obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)
    return _custom_names.get(cls)


def serialize(obj, kind):
    """`None`, a function's name, or `{"module", "class_name", "config", "registered_name"}`."""
    if obj is None:
        return None
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        custom = _custom_names.get(obj)
        return custom if custom is not None else obj.__name__
    cls = type(obj)
    custom = _custom_names.get(cls)
    module = _MODULES.get(kind, "keras") if custom is None else cls.__module__
    return {"module": module, "class_name": cls.__name__, "config": obj.get_config(),
            "registered_name": custom}


def deserialize(config, kind, custom_objects=None):
    """The object described by `config` (a name or a dict made by `serialize`)."""
    if config is None:
        return None
    if isinstance(config, str):
        obj = lookup(kind, config, custom_objects)
        if obj is None:
            raise unknown_identifier(kind, config)
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise unknown_identifier(kind, config)
    name = config.get("registered_name") or config["class_name"]
    cls = lookup(kind, name, custom_objects) or lookup(kind, config["class_name"],
                                                       custom_objects)
    if cls is None:
        raise TypeError(f"Could not locate class '{config['class_name']}'. Make sure custom "
                        "classes are decorated with "
                        "`@keras.saving.register_keras_serializable()`. Full object config: "
                        f"{config}")
    if not inspect.isclass(cls):
        return cls
    inner = config.get("config", {})
    from_config = getattr(cls, "from_config", None)
    return from_config(inner) if from_config is not None else cls(**inner)


# -- custom objects ----------------------------------------------------------------------

def register_keras_serializable(package="Custom", name=None):
    """Decorator: makes a user class or function findable by `"package>Name"`."""
    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        _custom[key] = obj
        _custom_names[obj] = key
        return obj
    return decorator


@contextlib.contextmanager
def custom_object_scope(*scopes):
    """Within the block, names in the given dicts resolve to those objects."""
    merged = {}
    for scope in scopes:
        merged.update(scope or {})
    _scope.stack.append(merged)
    try:
        yield
    finally:
        _scope.stack.pop()


def get_custom_objects():
    return _custom
