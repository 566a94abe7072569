"""`tf.train.Checkpoint`: save and restore the variables of an object graph.

The objects given to `Checkpoint(model=..., optimizer=..., step=...)` are the
roots of a graph; walking it breadth first gives every variable a key made of
the attribute names on its first path, as in TF:

    model/layers/dense/vars/0/.ATTRIBUTES/VARIABLE_VALUE
    optimizer/vars/1/.ATTRIBUTES/VARIABLE_VALUE
    step/.ATTRIBUTES/VARIABLE_VALUE
    save_counter/.ATTRIBUTES/VARIABLE_VALUE

What is walked: Variables (leaves); Keras layers, models and optimizers (their
weights in the Keras weights layout, keras/saving/weights.py); metrics;
dicts, lists and tuples; other Checkpoints; any object whose attributes hold
such things (a `tf.Module`); and objects implementing TF's
`_serialize_to_tensors()` / `_restore_from_tensors(tensors)` (data iterators).

Files (TF's names, tapeflow's contents): `<prefix>.data-00000-of-00001`, an
NPZ archive of the values by key, then `<prefix>.index`, a JSON table of keys,
dtypes and shapes. Each is written atomically and the index last, so a
checkpoint whose index exists is complete; `save()` then records it in the
directory's `checkpoint` state file (see manager.py).

Restoring is checked before anything is assigned: a shape mismatch raises
ValueError naming the variable and both shapes, and leaves every variable as
it was. Values for objects that do not have their variables yet (a Keras model
not yet built, an optimizer before its first step) are kept and assigned when
the object builds them, which is TF's deferred restoration.
"""
import io
import json
import os
import weakref

from tapeflow._util.atomic import atomic_write
from tapeflow.core import errors
from tapeflow.core.array_api import xp
from tapeflow.core.context import init_scope
from tapeflow.core.variable import Variable

FORMAT = "tapeflow-checkpoint-1"
VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
SERIALIZED_SUFFIX = "/.ATTRIBUTES/"


def data_path(prefix):
    return f"{prefix}.data-00000-of-00001"


def index_path(prefix):
    return f"{prefix}.index"


# ==============================================================================================
# The object graph
# ==============================================================================================

def _is_keras_object(obj):
    from tapeflow.keras.layers.base import Layer
    from tapeflow.keras.optimizers.optimizer import Optimizer
    return isinstance(obj, (Layer, Optimizer))


def _is_metric(obj):
    from tapeflow.keras.metrics.metric import Metric
    return isinstance(obj, Metric)


def is_trackable(obj):
    """Whether `obj` can be part of a checkpoint (TF's "trackable" objects)."""
    if isinstance(obj, (Variable, Checkpoint)) or _is_keras_object(obj) or _is_metric(obj):
        return True
    if hasattr(obj, "_serialize_to_tensors") or hasattr(obj, "_trackable_children"):
        return True
    if isinstance(obj, (dict, list, tuple)):
        return all(is_trackable(v) for v in (obj.values() if isinstance(obj, dict) else obj))
    return _is_module(obj)


def _is_module(obj):
    """A plain object (like a tf.Module) whose attributes hold trackable objects."""
    attributes = getattr(obj, "__dict__", None)
    if not attributes or isinstance(obj, type):
        return False
    return any(isinstance(v, Variable) or _is_keras_object(v) or _is_metric(v)
               for v in attributes.values()) or any(
        c.__name__ == "Module" for c in type(obj).__mro__)


def _walk(roots):
    """`({key: Variable}, {prefix: (owner, [variables])}, {prefix: serializable object})`.

    Keras objects contribute "owner" groups (their variables may not exist yet);
    breadth-first order gives each object the key of its shortest path.
    """
    variables, groups, serializables = {}, {}, {}
    seen = set()
    queue = list(roots)
    while queue:
        path, obj = queue.pop(0)
        if id(obj) in seen or obj is None:
            continue
        seen.add(id(obj))
        if isinstance(obj, Variable):
            variables[path + VALUE_SUFFIX] = obj
        elif _is_keras_object(obj):
            from tapeflow.keras.saving.weights import saveable_entries
            for entry_path, owner, owned in saveable_entries(obj, include_optimizer=False):
                if id(owner) in seen and owner is not obj:
                    continue
                seen.add(id(owner))
                groups[f"{path}/{entry_path}"] = (owner, owned)
                seen.update(id(v) for v in owned)
            if getattr(obj, "optimizer", None) is not None:    # a compiled model's optimizer
                queue.append((f"{path}/optimizer", obj.optimizer))
        elif _is_metric(obj):
            groups[f"{path}/vars"] = (obj, list(obj.variables))
        elif hasattr(obj, "_serialize_to_tensors"):
            serializables[path] = obj
        elif isinstance(obj, Checkpoint):
            queue.extend((f"{path}/{name}" if path else name, child)
                         for name, child in obj._children())
        elif isinstance(obj, dict):
            queue.extend((f"{path}/{key}", child) for key, child in obj.items())
        elif isinstance(obj, (list, tuple)):
            queue.extend((f"{path}/{i}", child) for i, child in enumerate(obj))
        elif hasattr(obj, "_trackable_children"):   # tf.Module: its own list of children
            queue.extend((f"{path}/{name}", child)
                         for name, child in obj._trackable_children().items())
        else:
            queue.extend((f"{path}/{name}", child) for name, child in vars(obj).items()
                         if not name.startswith("__") and is_trackable(child) and
                         not isinstance(child, (int, float, str)))
    return variables, groups, serializables


def _group_keys(prefix, count):
    return [f"{prefix}/{i}{VALUE_SUFFIX}" for i in range(count)]


# ==============================================================================================
# Writing and reading files
# ==============================================================================================

def write_checkpoint(prefix, values):
    """Writes `{key: array}` as `<prefix>.data-...` then `<prefix>.index`, each atomically."""
    prefix = os.fspath(prefix)
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    members = {f"v{i}": array for i, array in enumerate(values.values())}
    table = {key: {"member": f"v{i}", "dtype": str(array.dtype), "shape": list(array.shape)}
             for i, (key, array) in enumerate(values.items())}
    with atomic_write(data_path(prefix)) as file:
        xp.savez(file, **members)
    with atomic_write(index_path(prefix), "w") as file:
        file.write(json.dumps({"format": FORMAT, "variables": table}, indent=1))


def read_checkpoint(prefix):
    """`{key: array}` from a checkpoint prefix.

    Raises:
      NotFoundError: no checkpoint at `prefix`.
      DataLossError: the files are damaged or not a tapeflow checkpoint.
    """
    prefix = os.fspath(prefix)
    if not os.path.exists(index_path(prefix)):
        raise errors.NotFoundError(
            None, None, f"Error when restoring from checkpoint or SavedModel at {prefix}: "
            f"Failed to find any matching files for {prefix}\nPlease double-check that the "
            "path is correct. You may be missing the checkpoint suffix (e.g. the '-1' in "
            "'path/to/ckpt-1').")
    try:
        with open(index_path(prefix)) as file:
            index = json.load(file)
        if index.get("format") != FORMAT:
            raise ValueError(f"unknown format {index.get('format')!r}")
        with open(data_path(prefix), "rb") as file:
            data = io.BytesIO(file.read())
        with xp.load(data, allow_pickle=False) as archive:
            values = {key: archive[entry["member"]] for key, entry in
                      index["variables"].items()}
        for key, entry in index["variables"].items():
            if list(values[key].shape) != entry["shape"]:
                raise ValueError(f"{key} has shape {values[key].shape}, the index says "
                                 f"{entry['shape']}")
    except (OSError, ValueError, KeyError, TypeError, EOFError) as error:
        raise errors.DataLossError(
            None, None, f"Unable to read the checkpoint at {prefix}: the files are damaged or "
            f"not a tapeflow checkpoint ({type(error).__name__}: {error}).") from None
    return values


# ==============================================================================================
# Restore statuses
# ==============================================================================================

class CheckpointLoadStatus:
    """What `restore()` matched; its `assert_*` methods check it (TF's status object)."""

    def __init__(self, checkpoint, values, matched_keys, unmatched_objects, pending):
        self._checkpoint = weakref.ref(checkpoint)
        self._values = values
        self._matched = set(matched_keys)
        self._unmatched_objects = unmatched_objects
        self._pending = pending          # {prefix: _Pending} not applied yet

    def _note_applied(self, keys):
        self._matched.update(keys)

    def assert_consumed(self):
        """Every checkpointed value and every object in the graph was matched and restored.

        Raises:
          AssertionError: naming what was not.
        """
        pending = [p for p in self._pending.values() if not p.applied]
        if pending:
            raise AssertionError(f"Unresolved object in checkpoint: {pending[0].prefix} (its "
                                 "variables do not exist yet: build the object first).")
        missing = sorted(set(self._values) - self._matched)
        if missing:
            raise AssertionError(f"Unresolved object in checkpoint {missing[0]}: the value was "
                                 "not matched to any object of the program. Unmatched keys: "
                                 f"{missing}")
        self.assert_existing_objects_matched()
        return self

    def assert_existing_objects_matched(self):
        """Every existing object of the program got a value from the checkpoint."""
        if self._unmatched_objects:
            shown = self._unmatched_objects[:10]
            raise AssertionError(f"Found {len(self._unmatched_objects)} Python objects that "
                                 "were not bound to checkpointed values, likely due to changes "
                                 f"in the Python program. Showing {len(shown)} of "
                                 f"{len(self._unmatched_objects)} unmatched objects: {shown}")
        return self

    def assert_nothing_matched(self):
        if self._matched:
            raise AssertionError(f"Expected nothing to match; matched {sorted(self._matched)}")
        return self

    def expect_partial(self):
        """Accept that part of the checkpoint is not used (silences nothing here)."""
        return self

    def run_restore_ops(self, session=None):
        """Nothing to run: eager restores happen in `restore()`."""

    def initialize_or_restore(self, session=None):
        """Nothing to run: eager restores happen in `restore()`."""


class InitializationOnlyStatus:
    """`restore(None)`: nothing to restore; the variables keep their initial values."""

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def assert_existing_objects_matched(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    def assert_nothing_matched(self):
        return self

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        pass

    def initialize_or_restore(self, session=None):
        pass


class _Pending:
    """Values for an object that does not have its variables yet; applied after it builds."""

    def __init__(self, prefix, owner, values, status):
        self.prefix = prefix
        self.owner = owner
        self.values = values
        self.status = status
        self.applied = False
        original = owner.build
        pending = self

        def build(*args, **kwargs):
            result = original(*args, **kwargs)
            if "build" in owner.__dict__:
                del owner.__dict__["build"]
            pending.apply()
            return result
        object.__setattr__(owner, "build", build)      # instance attribute: this object only

    def apply(self):
        variables = _owned_variables(self.owner)
        _check_shapes([(f"{self.prefix}/{i}", v, a) for i, (v, a) in
                       enumerate(zip(variables, self.values))])
        if len(variables) != len(self.values):
            raise ValueError(f"Cannot restore {self.prefix}: the checkpoint holds "
                             f"{len(self.values)} values, the object built "
                             f"{len(variables)} variables.")
        with init_scope():
            for variable, value in zip(variables, self.values):
                variable.assign(value)
        self.applied = True
        self.status._note_applied(_group_keys(self.prefix, len(self.values)))


def _owned_variables(owner):
    from tapeflow.keras.optimizers.optimizer import Optimizer
    if isinstance(owner, Optimizer) or _is_metric(owner):
        return list(owner.variables)
    return list(owner._trainable_variables) + list(owner._non_trainable_variables)


def _check_shapes(triples):
    """Raises ValueError (TF's message) for the first value whose shape differs."""
    for name, variable, value in triples:
        if tuple(variable.shape) != tuple(value.shape):
            raise ValueError(f"Received incompatible tensor with shape {tuple(value.shape)} "
                             "when attempting to restore variable with shape "
                             f"{tuple(variable.shape)} and name {name}.")


# ==============================================================================================
# Checkpoint
# ==============================================================================================

class Checkpoint:
    """Saves and restores a group of trackable objects (TF's `tf.train.Checkpoint`).

    Args:
      root: an optional object whose attributes become the checkpoint's top level.
      **kwargs: the objects to save, by name: Variables, Keras models, layers,
        optimizers and metrics, dicts/lists of them, other Checkpoints, modules.

    >>> import tapeflow as tf, tempfile, os
    >>> step = tf.Variable(3)
    >>> ckpt = tf.train.Checkpoint(step=step)
    >>> path = ckpt.save(os.path.join(tempfile.mkdtemp(), "ckpt"))
    >>> os.path.basename(path)
    'ckpt-1'
    >>> _ = step.assign(10)
    >>> _ = ckpt.restore(path)
    >>> int(step)
    3
    """

    def __init__(self, root=None, **kwargs):
        if root is not None and not is_trackable(root):
            raise ValueError("`Checkpoint` was expecting root to be a trackable object (an "
                             f"object derived from `Trackable`), got {root}. If you believe "
                             "this object should be trackable (i.e. it is part of the "
                             "TensorFlow Python API and manages state), please open an issue.")
        for name, value in kwargs.items():
            if not is_trackable(value):
                raise ValueError(f"`Checkpoint` was expecting {name} to be a trackable object "
                                 f"(an object derived from `Trackable`), got {value}. If you "
                                 "believe this object should be trackable (i.e. it is part of "
                                 "the TensorFlow Python API and manages state), please open an "
                                 "issue.")
        self._root = root
        self._kwargs = dict(kwargs)
        self._save_counter = None
        for name, value in kwargs.items():
            setattr(self, name, value)

    def _children(self):
        children = []
        if self._root is not None:
            children.extend((name, value) for name, value in _root_children(self._root))
        children.extend(self._kwargs.items())
        if self._save_counter is not None:
            children.append(("save_counter", self._save_counter))
        return children

    @property
    def save_counter(self):
        """An int64 variable: the number of `save()` calls (saved with the checkpoint)."""
        if self._save_counter is None:
            with init_scope():
                self._save_counter = Variable(0, dtype="int64", trainable=False,
                                              name="save_counter")
        return self._save_counter

    # -- saving --------------------------------------------------------------------------
    def _values(self):
        variables, groups, serializables = _walk([("", self)])
        values = {key: variable.numpy() for key, variable in variables.items()}
        for prefix, (owner, owned) in groups.items():
            for key, variable in zip(_group_keys(prefix, len(owned)), owned):
                values[key] = variable.numpy()
        for prefix, obj in serializables.items():
            for name, tensor in obj._serialize_to_tensors().items():
                values[f"{prefix}{SERIALIZED_SUFFIX}{name}"] = xp.asarray(
                    tensor.numpy() if hasattr(tensor, "numpy") else tensor)
        return values

    def write(self, file_prefix, options=None):
        """Writes a checkpoint at exactly `file_prefix` (no counter, no state file)."""
        file_prefix = os.fspath(file_prefix)
        write_checkpoint(file_prefix, self._values())
        return file_prefix

    def save(self, file_prefix, options=None):
        """Saves to `<file_prefix>-<n>` (n = the new `save_counter`) and records it as the
        directory's latest checkpoint; returns the path."""
        from tapeflow.train.manager import update_checkpoint_state
        counter = self.save_counter
        counter.assign_add(1)
        path = f"{os.fspath(file_prefix)}-{int(counter.numpy())}"
        try:
            self.write(path, options)
        except BaseException:
            counter.assign_sub(1)
            raise
        update_checkpoint_state(os.path.dirname(path) or ".", path, [path])
        return path

    # -- restoring ---------------------------------------------------------------------
    def read(self, save_path, options=None):
        """Restores from `save_path` (like `restore`)."""
        return self.restore(save_path, options)

    def restore(self, save_path, options=None):
        """Restores the objects' values from the checkpoint at `save_path`.

        Every value is checked before any is assigned. Objects whose variables do
        not exist yet get their values when they create them.

        Returns:
          A status object (`assert_consumed()`, `expect_partial()`, ...); for
          `save_path=None`, a status that restores nothing.

        Raises:
          NotFoundError: no checkpoint at `save_path`.
          DataLossError: the checkpoint files are damaged.
          ValueError: a value's shape differs from its variable's (nothing restored).
        """
        if save_path is None:
            return InitializationOnlyStatus()
        values = read_checkpoint(save_path)
        if "save_counter" + VALUE_SUFFIX in values:
            self.save_counter      # created so that it is restored too
        variables, groups, serializables = _walk([("", self)])
        plan, matched, unmatched, deferred = [], [], [], []
        for key, variable in variables.items():
            if key in values:
                plan.append((key, variable, values[key]))
                matched.append(key)
            else:
                unmatched.append(variable)
        for prefix, (owner, owned) in groups.items():
            stored = [values[k] for k in _stored_group_keys(values, prefix)]
            if not stored:
                if owned:
                    unmatched.append(owner)
                continue
            if len(stored) == len(owned):
                keys = _group_keys(prefix, len(owned))
                plan.extend(zip(keys, owned, stored))
                matched.extend(keys)
            elif hasattr(owner, "build") and _may_build_later(owner, owned):
                deferred.append((prefix, owner, stored))
            else:
                raise ValueError(f"Cannot restore {prefix} ({owner!r}): the checkpoint holds "
                                 f"{len(stored)} values, the object has {len(owned)} "
                                 "variables.")
        _check_shapes(plan)
        with init_scope():
            for _, variable, value in plan:
                variable.assign(value)
        for prefix, obj in serializables.items():
            tensors = {key[len(prefix) + len(SERIALIZED_SUFFIX):]: value
                       for key, value in values.items()
                       if key.startswith(prefix + SERIALIZED_SUFFIX)}
            if tensors:
                obj._restore_from_tensors(tensors)
                matched.extend(f"{prefix}{SERIALIZED_SUFFIX}{name}" for name in tensors)
        status = CheckpointLoadStatus(self, values, matched, unmatched, {})
        for prefix, owner, stored in deferred:
            status._pending[prefix] = _Pending(prefix, owner, stored, status)
        return status


def _stored_group_keys(values, prefix):
    keys, i = [], 0
    while f"{prefix}/{i}{VALUE_SUFFIX}" in values:
        keys.append(f"{prefix}/{i}{VALUE_SUFFIX}")
        i += 1
    return keys


def _may_build_later(owner, owned):
    """An unbuilt layer, or an optimizer that has only made `iterations` and its rate."""
    from tapeflow.keras.optimizers.optimizer import Optimizer
    if isinstance(owner, Optimizer):
        return not owner.built
    return not getattr(owner, "built", True) or not owned


def _root_children(root):
    if isinstance(root, Checkpoint):
        return root._children()
    if isinstance(root, dict):
        return list(root.items())
    return [(name, value) for name, value in vars(root).items()
            if not name.startswith("__") and is_trackable(value)]
