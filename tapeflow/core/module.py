"""`tf.Module`: a named container of variables and other modules.

A Module finds what it owns by looking at its attributes: every Variable or
Module stored on it, directly or inside lists, tuples and dicts, is tracked.
No registration is needed, so the TF2 low-level pattern works as written:

    class Dense(tf.Module):
        def __init__(self, units, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(...)

        @tf.function
        def __call__(self, x):
            return tf.matmul(x, self.w)

The walk (`_flatten`) is TF's: a module's attributes in sorted order, each
flattened like `tf.nest`; everything found is yielded once (by identity), and
submodules are walked after the module's own attributes.

Checkpointing (tapeflow.train) reads a module through `_trackable_children()`:
the attributes that hold variables, modules or other trackable objects, by
attribute name.
"""
import functools
import re

from tapeflow.core import nest
from tapeflow.core.context import name_scope
from tapeflow.core.variable import Variable

_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WORD_START = re.compile(r"(.)([A-Z][a-z0-9]+)")    # "Conv2DLayer" -> "Conv2D_Layer"
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")     # "Conv2D_Layer" -> "Conv2_D_Layer"


def camel_to_snake(name):
    """A class name as TF names its modules: `"MyDense"` -> `"my_dense"`."""
    return _LOWER_UPPER.sub(r"\1_\2", _WORD_START.sub(r"\1_\2", name)).lower()


def _is_variable(obj):
    return isinstance(obj, Variable)


def _is_trainable_variable(obj):
    return isinstance(obj, Variable) and obj.trainable


def _is_module(obj):
    return isinstance(obj, Module)


def _is_trackable(obj):
    """Variables, Modules, objects declaring their children or tensors, and objects whose
    class has a `variables` property (Keras layers, models, optimizers and metrics, which
    core cannot import)."""
    if isinstance(obj, (Variable, Module)) or isinstance(obj, type):
        return isinstance(obj, (Variable, Module))
    cls = type(obj)
    return (hasattr(cls, "_trackable_children") or hasattr(cls, "_serialize_to_tensors")
            or isinstance(getattr(cls, "variables", None), property))


class Module:
    """Base class of objects that own variables and other modules (TF's `tf.Module`).

    Args:
      name: the module's name; a Python identifier. Defaults to the class name
        in snake case (`MyDense` -> `my_dense`).

    Raises:
      ValueError: `name` is not a valid Python identifier.

    >>> import tapeflow as tf
    >>> class Scale(tf.Module):
    ...     def __init__(self, name=None):
    ...         super().__init__(name=name)
    ...         self.factor = tf.Variable(2.0, name="factor")
    ...     def __call__(self, x):
    ...         return x * self.factor
    >>> s = Scale()
    >>> s.name, [v.name for v in s.trainable_variables]
    ('scale', ['factor:0'])
    """

    # Attributes never walked by `_flatten` (subclasses may add their bookkeeping).
    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name=None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be "
                             "valid Python identifiers (e.g. a valid class name).")
        self._name = name
        with name_scope(name) as scope:   # the full scope, e.g. "outer/my_module/"
            self._name_scope = name_scope(scope)

    @property
    def name(self):
        """The name given to the constructor (or derived from the class name)."""
        return self._name

    @property
    def name_scope(self):
        """A `tf.name_scope` for this module; its `.name` is the full scope ("outer/m/")."""
        return self._name_scope

    @property
    def variables(self):
        """Every variable of this module and its submodules (a tuple, each once)."""
        return tuple(self._flatten(predicate=_is_variable, expand_composites=True))

    @property
    def trainable_variables(self):
        """The variables with `trainable=True`, in the order of `variables`."""
        return tuple(self._flatten(predicate=_is_trainable_variable, expand_composites=True))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable,
                                   expand_composites=True))

    @property
    def submodules(self):
        """Every module reachable from this one (children before grandchildren)."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None,
                 with_path=False, expand_composites=False):
        """Yields the values found in this module's attributes that satisfy `predicate`.

        Args:
          recursive: also walk the attributes of submodules.
          predicate: `predicate(value) -> bool`; default: every value.
          attribute_traversal_key: sort key for attribute names (default: the name).
          with_path: yield `(path, value)`; a path is a tuple of attribute names,
            list indices and dict keys. With paths, a value reachable twice is
            yielded twice.
          expand_composites: accepted for TF compatibility (no composite tensors here).

        Returns:
          A generator.
        """
        return _flatten_module(self, recursive, predicate or (lambda _: True),
                               attribute_traversal_key,
                               self._TF_MODULE_IGNORED_PROPERTIES, with_path)

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs `method` inside the module's name scope.

        >>> import tapeflow as tf
        >>> class Counter(tf.Module):
        ...     @tf.Module.with_name_scope
        ...     def make(self):
        ...         return tf.Variable(0, name="count")
        >>> Counter(name="counter").make().name
        'counter/count:0'
        """
        @functools.wraps(method)
        def method_with_name_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return method_with_name_scope

    def _trackable_children(self, save_type="checkpoint", **kwargs):
        """`{attribute name: child}` for the attributes a checkpoint should follow.

        A child is a Variable, a Module, another trackable object (one with
        `_trackable_children` or `_serialize_to_tensors`), or a dict of children:
        lists, tuples and dicts holding trackable objects become dicts keyed by
        index or key, with everything else left out, so the checkpoint keys are
        TF's (`model/layers/0/w`). Private bookkeeping (`_name`, `_name_scope`)
        is not included.
        """
        children = {}
        for key, value in sorted(vars(self).items()):
            if key in ("_name", "_name_scope") or key in self._TF_MODULE_IGNORED_PROPERTIES:
                continue
            child = _trackable_part(value)
            if child is not None:
                children[key] = child
        return children


def _trackable_part(value):
    """`value` if trackable; a container as a dict of its trackable parts; else None."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)) and not hasattr(type(value), "_fields"):
        items = enumerate(value)
    else:
        return value if _is_trackable(value) else None
    parts = {key: _trackable_part(item) for key, item in items}
    parts = {key: part for key, part in parts.items() if part is not None}
    return parts or None


def _flatten_module(module, recursive, predicate, attribute_traversal_key, ignored,
                    with_path, module_path=(), seen=None, active=None):
    """The walk behind `Module._flatten`; `active` holds the modules being walked
    (a module reachable from itself is walked once, not forever)."""
    seen = {id(module)} if seen is None else seen
    active = [] if active is None else active
    recursive = recursive and id(module) not in active
    submodules = []
    attributes = vars(module)
    for key in sorted(attributes, key=attribute_traversal_key):
        if key in ignored:
            continue
        value = attributes[key]
        try:
            leaves = nest.flatten_with_paths(value)
        except Exception as cause:
            raise ValueError(f"Error processing property {key!r} of {value!r}") from cause
        for leaf_path, leaf in leaves:
            path = module_path + (key,) + leaf_path
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (path, leaf) if with_path else leaf
            if recursive and _is_module(leaf):
                submodules.append((path, leaf))
    active.append(id(module))
    for path, submodule in submodules:
        yield from _flatten_module(submodule, recursive, predicate, attribute_traversal_key,
                                   ignored, with_path, path, seen, active)
    active.pop()
