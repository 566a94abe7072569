"""`model.save_weights` / `model.load_weights`: the weights of a model in one file.

Layout (Keras 3's): every object that owns variables gets a path built from
the object graph, and its variables are stored under `<path>/vars/<i>` in the
order of `layer._trainable_variables + layer._non_trainable_variables`:

    vars                        the model's own variables (usually none)
    layers/dense/vars/0, 1      Sequential/Functional layers, named after their
    layers/dense_1/vars/0, 1    class (snake case, made unique in the list)
    block/inner/dense/vars/0    attributes of subclassed layers, by name
    optimizer/vars/0 ...        the optimizer: iterations, learning rate, slots

Attributes are visited public names first, alphabetically (Keras' order), and
an object reached twice keeps its first path.

Two file formats share the layout:

- `.weights.h5`: HDF5 through h5py (an optional extra: `pip install
  tapeflow[h5]`); the same groups and datasets as Keras 3, so real Keras reads
  these files and tapeflow reads Keras' own.
- `.weights.npz`: tapeflow's NumPy format, a zip of `.npy` arrays named by
  path (`layers/dense/vars/0`); readable with plain `numpy.load`. When h5py is
  not installed, `.weights.h5` files are written in this format too (with a
  warning) so that TF code runs unchanged; reading detects the format from
  the file's first bytes.

Loading is all or nothing: every value is checked against its variable
(count and shape) before any is assigned, and a mismatch or a corrupt file
raises an error naming the layer and the shapes, with no weight changed.
Writing is atomic (tapeflow/_util/atomic.py).
"""
import io
import os
import warnings
import zipfile

from tapeflow._util.atomic import atomic_write
from tapeflow._util.naming import to_snake_case
from tapeflow.core.array_api import xp

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"
_INTERNAL_ATTRIBUTES = frozenset((
    "_inbound_nodes", "_outbound_nodes", "_functional", "_stack", "_operations", "_nodes",
    "_nodes_by_depth", "_inputs", "_outputs", "_inputs_struct", "_outputs_struct",
    "_trainable_variables", "_non_trainable_variables", "_state_variables", "_losses",
    "_compile_loss", "_compile_metrics", "_loss_tracker", "_compile_config", "history",
    "train_function", "test_function", "predict_function", "_eval_epoch_iterator"))
_warned_no_h5py = [False]


# ==============================================================================================
# The object graph: (path, owner, variables)
# ==============================================================================================

def saveable_entries(model, include_optimizer=True):
    """`[(path, owner, [variables])]` for every object of `model` that owns variables."""
    entries = []
    _visit(model, "", set(), entries, include_optimizer)
    return entries


def _visit(obj, path, visited, entries, include_optimizer):
    from tapeflow.keras.layers.base import Layer
    from tapeflow.keras.optimizers.optimizer import Optimizer
    if id(obj) in visited:
        return
    visited.add(id(obj))
    if isinstance(obj, Optimizer):
        entries.append((_join(path, "vars"), obj, list(obj.variables)))
        return
    entries.append((_join(path, "vars"), obj,
                    list(obj._trainable_variables) + list(obj._non_trainable_variables)))
    for name, child in _children(obj):
        if isinstance(child, Optimizer) and not include_optimizer:
            continue
        if isinstance(child, (Layer, Optimizer)):
            _visit(child, _join(path, name), visited, entries, include_optimizer)
        elif isinstance(child, (list, tuple, dict)):
            _visit_container(child, _join(path, name), visited, entries, include_optimizer)


def _visit_container(container, path, visited, entries, include_optimizer):
    from tapeflow.keras.layers.base import Layer
    from tapeflow.keras.optimizers.optimizer import Optimizer
    used = {}
    items = container.values() if isinstance(container, dict) else container
    for item in items:
        if isinstance(item, (Layer, Optimizer)):
            name = _unique(to_snake_case(type(item).__name__), used)
            _visit(item, _join(path, name), visited, entries, include_optimizer)
        elif isinstance(item, (list, tuple, dict)):
            _visit_container(item, _join(path, _unique("container", used)), visited, entries,
                             include_optimizer)


def _children(obj):
    """(attribute, value) pairs in Keras' order: a model's `layers` first for Sequential and
    Functional, then attributes, public before private, alphabetically."""
    from tapeflow.keras.models.functional import Functional
    from tapeflow.keras.models.model import Model
    from tapeflow.keras.models.sequential import Sequential
    children = {name: value for name, value in vars(obj).items()
                if name not in _INTERNAL_ATTRIBUTES and _may_hold_saveables(value)}
    if isinstance(obj, Model):
        children["layers"] = obj.layers
    first = []
    if isinstance(obj, (Sequential, Functional)):
        first = [("layers", children.pop("layers"))]
    ordered = sorted(children.items(), key=lambda item: "~" + item[0]
                     if item[0].startswith("_") else item[0])
    return first + ordered


def _may_hold_saveables(value):
    from tapeflow.keras.layers.base import Layer
    from tapeflow.keras.optimizers.optimizer import Optimizer
    if isinstance(value, (Layer, Optimizer)):
        return True
    if isinstance(value, dict):
        return any(_may_hold_saveables(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_may_hold_saveables(v) for v in value)
    return False


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _join(path, name):
    return f"{path}/{name}" if path else name


# ==============================================================================================
# Stores: {path: [arrays]} in HDF5 or NPZ
# ==============================================================================================

def _h5py():
    try:
        import h5py
    except ImportError:
        return None
    return h5py


def write_store(file, groups, fmt):
    """Writes `groups` (`{path: (object name, [arrays])}`) to an open binary file."""
    if fmt == "h5":
        h5py = _h5py()
        with h5py.File(file, "w") as root:
            for path, (name, arrays) in groups.items():
                group = root.require_group(path)
                if name is not None:
                    group.attrs["name"] = name
                for i, array in enumerate(arrays):
                    group.create_dataset(str(i), data=array)
        return
    members = {f"{path}/{i}": array for path, (_, arrays) in groups.items()
               for i, array in enumerate(arrays)}
    xp.savez(file, **members)


def read_store(file, source):
    """`{path: [arrays]}` from an open binary file of either format.

    Raises:
      ValueError: the file is neither an HDF5 nor an NPZ weights file, or is damaged.
      ImportError: an HDF5 file and h5py is not installed.
    """
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(HDF5_SIGNATURE):
            return _read_h5(file, source)
        if head.startswith(ZIP_SIGNATURE):
            return _read_npz(file)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"The weights file {source} is damaged and could not be read: "
                         f"{error}") from None
    raise ValueError(f"{source} is not a weights file: it is neither HDF5 (`.weights.h5`) nor "
                     "tapeflow's NPZ weights format (it starts with "
                     f"{head!r}).")


def _read_h5(file, source):
    h5py = _h5py()
    if h5py is None:
        raise ImportError(f"{source} is an HDF5 file: reading it requires h5py "
                          "(`pip install h5py` or `pip install tapeflow[h5]`).")
    groups = {}
    with h5py.File(file, "r") as root:
        def collect(name, item):
            if isinstance(item, h5py.Group) and (name == "vars" or name.endswith("/vars")):
                keys = sorted((k for k in item.keys() if k.isdigit()), key=int)
                groups[name] = [xp.asarray(item[k][()]) for k in keys]
        root.visititems(collect)
        if "vars" in root and "vars" not in groups:
            groups["vars"] = []
    return groups


def _read_npz(file):
    groups = {}
    with xp.load(file, allow_pickle=False) as archive:
        for key in archive.files:
            path, _, index = key.rpartition("/")
            groups.setdefault(path, {})[int(index)] = archive[key]
    return {path: [values[i] for i in sorted(values)] for path, values in groups.items()}


def weights_format(filepath):
    """"h5" or "npz" for a weights file name; `.weights.h5` is NPZ without h5py."""
    if filepath.endswith(".npz"):
        return "npz"
    if _h5py() is not None:
        return "h5"
    if not _warned_no_h5py[0]:
        _warned_no_h5py[0] = True
        warnings.warn("h5py is not installed: HDF5 weights files are written in tapeflow's NPZ "
                      "weights format instead (tapeflow reads them back; Keras does not). "
                      "Install h5py (`pip install tapeflow[h5]`) for Keras-compatible files.",
                      UserWarning, stacklevel=4)
    return "npz"


# ==============================================================================================
# save / load
# ==============================================================================================

def collect_groups(model, include_optimizer=True):
    """`{path: (name, [arrays])}` of the model's (and its optimizer's) variables."""
    return {path: (getattr(owner, "name", None), [v.numpy() for v in variables])
            for path, owner, variables in saveable_entries(model, include_optimizer)}


def save_weights(model, filepath, overwrite=True):
    """Writes the model's weights (and optimizer state) to `filepath` atomically.

    Raises:
      ValueError: the name does not end in `.weights.h5` (or tapeflow's `.weights.npz`).
    """
    filepath = os.fspath(filepath)
    if not (filepath.endswith(".weights.h5") or filepath.endswith(".weights.npz")):
        raise ValueError("The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")
    if not overwrite and os.path.exists(filepath) and not _ask_to_overwrite(filepath):
        return
    groups = collect_groups(model)
    fmt = weights_format(filepath)
    with atomic_write(filepath) as file:
        write_store(file, groups, fmt)


def load_weights(model, filepath, skip_mismatch=False):
    """Loads weights saved by `save_weights` (or Keras 3) into `model`, all or nothing."""
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        from tapeflow.keras.saving.archive import read_archive_weights
        groups = read_archive_weights(filepath)
    elif filepath.endswith(".weights.h5") or filepath.endswith(".weights.npz"):
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"No such weights file: {filepath}")
        with open(filepath, "rb") as file:
            groups = read_store(io.BytesIO(file.read()), filepath)
    else:
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         "supports V3 `.keras` files, `.weights.h5` files, legacy H5 format "
                         "files (`.h5` extension), or Orbax checkpoints.")
    assign_groups(model, groups, skip_mismatch=skip_mismatch)


def assign_groups(model, groups, skip_mismatch=False):
    """Checks every stored value against its variable, then assigns them all.

    Raises:
      ValueError: a layer's variable count or a variable's shape differs from the
        file's (the message names each layer and the shapes); no weight is changed.
    """
    _build_optimizer_for_loading(model, groups)
    plan, errors = [], []
    for path, owner, variables in saveable_entries(model):
        values = groups.get(path, [])
        if _is_optimizer(owner):
            plan.extend(_optimizer_plan(owner, variables, values))
            continue
        error = _check_values(owner, variables, values)
        if error is None:
            plan.extend(zip(variables, values))
        elif skip_mismatch:
            warnings.warn(f"Skipping loading weights for layer '{owner.name}': {error}",
                          stacklevel=3)
        else:
            errors.append((owner, error))
    if errors:
        raise ValueError(_load_error_message(errors))
    for variable, value in plan:
        variable.assign(xp.asarray(value, dtype=variable.dtype.as_numpy_dtype))


def _check_values(owner, variables, values):
    """None if `values` fit `variables`, else the reason (naming the layer and the shapes)."""
    if len(values) != len(variables):
        expected = [getattr(v, "_keras_name", v.name) for v in variables]
        if not variables and not getattr(owner, "built", True):
            return (f"Layer '{owner.name}' was never built and thus it doesn't have any "
                    f"variables. However the weights file lists {len(values)} variables for "
                    "this layer. In most cases, this error indicates that either:\n\n1. The "
                    "layer is owned by a parent layer that implements a `build()` method, but "
                    "calling the parent's `build()` method did NOT create the state of the "
                    "child layer. Fix the parent's `build()`.\n2. You need to implement the "
                    "`def build_from_config(self, config)` method on the layer.")
        return (f"Layer '{owner.name}' expected {len(variables)} variables, but received "
                f"{len(values)} variables during loading. Expected: {expected}")
    for variable, value in zip(variables, values):
        if tuple(variable.shape) != tuple(value.shape):
            return ("The shape of the target variable and the shape of the target value in "
                    "`variable.assign(value)` must match. "
                    f"variable.shape={tuple(variable.shape)}, Received: value.shape="
                    f"{tuple(value.shape)}. Target variable: layer '{owner.name}', variable "
                    f"{getattr(variable, 'path', variable.name)}")
    return None


def _is_optimizer(owner):
    from tapeflow.keras.optimizers.optimizer import Optimizer
    return isinstance(owner, Optimizer)


def _optimizer_plan(optimizer, variables, values):
    """The optimizer's (variable, value) pairs, or none with Keras' warning on a mismatch."""
    if not values:
        return []
    if len(values) != len(variables):
        warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', because it "
                      f"has {len(variables)} variables whereas the saved optimizer has "
                      f"{len(values)} variables. ", stacklevel=4)
        return []
    for variable, value in zip(variables, values):
        if tuple(variable.shape) != tuple(value.shape):
            warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', "
                          f"because its variable {getattr(variable, 'path', variable.name)} "
                          f"has shape {tuple(variable.shape)} whereas the saved value has "
                          f"shape {tuple(value.shape)}.", stacklevel=4)
            return []
    return list(zip(variables, values))


def _build_optimizer_for_loading(model, groups):
    """Builds a compiled model's optimizer when the file holds optimizer state."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or optimizer.built or not getattr(model, "built", False):
        return
    if any(path == "optimizer/vars" and len(values) > 2 for path, values in groups.items()):
        optimizer.build(model.trainable_variables)


def _load_error_message(errors):
    owner, first = errors[0]
    objects = ", ".join(repr(o) for o, _ in errors)
    details = "\n\n".join(f"{o!r}: {error}" for o, error in errors)
    return (f"A total of {len(errors)} objects could not be loaded. Example error message for "
            f"object {owner!r}:\n\n{first}\n\nList of objects that could not be loaded:\n"
            f"[{objects}]\n\nNo weight was changed. All errors:\n\n{details}")


def _ask_to_overwrite(filepath):
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True
