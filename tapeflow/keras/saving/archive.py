"""`model.save("m.keras")` and `tf.keras.models.load_model`: Keras 3's `.keras` archive.

A `.keras` file is a zip archive holding:

    metadata.json        {"keras_version": ..., "date_saved": ...}
    config.json          the model's config (serialization.py), with its build
                         and compile configs
    model.weights.h5     the weights in Keras' HDF5 layout (weights.py), or
    model.weights.npz    the same in tapeflow's NPZ format when h5py is absent

The archive is written to a temporary file and renamed into place, so a crash
never leaves a half-written model. Loading rebuilds the model from its config
(user classes through `custom_objects` or `register_keras_serializable`),
loads every weight (all or nothing) and compiles it again.
"""
import datetime
import io
import json
import os
import zipfile

from tapeflow._util.atomic import atomic_write
from tapeflow.keras.saving import weights as weights_lib
from tapeflow.keras.saving.serialization import (custom_object_scope,
                                                 deserialize_keras_object,
                                                 serialize_keras_object)

KERAS_VERSION = "3.15.1"     # the archive layout this file follows


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves `model` (config, weights, optimizer state, compile arguments) to `filepath`.

    Raises:
      ValueError: `filepath` does not end in `.keras`.
    """
    filepath = os.fspath(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    if kwargs.pop("save_format", None) not in (None, "keras"):
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove "
                         "this argument and pass a file path with either `.keras` or `.h5` "
                         f"extension.Received: save_format={kwargs}")
    if kwargs:
        raise ValueError("The following argument(s) are not supported: "
                         f"{list(kwargs.keys())}")
    if not filepath.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add either a `.keras` "
                         "extension for the native Keras format (recommended) or a `.h5` "
                         "extension. Use `model.export(filepath)` if you want to export a "
                         f"SavedModel for use with TFLite/TFServing/etc. Received: "
                         f"filepath={filepath}.")
    if not overwrite and os.path.exists(filepath) and not weights_lib._ask_to_overwrite(
            filepath):
        return
    config = json.dumps(serialize_keras_object(model))
    metadata = json.dumps({"keras_version": KERAS_VERSION, "tapeflow_version": _version(),
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    groups = weights_lib.collect_groups(model, include_optimizer=include_optimizer)
    fmt = weights_lib.weights_format(filepath + ".weights.h5")
    buffer = io.BytesIO()
    weights_lib.write_store(buffer, groups, fmt)
    with atomic_write(filepath) as file:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("metadata.json", metadata)
            archive.writestr("config.json", config)
            archive.writestr(f"model.weights.{fmt}", buffer.getvalue())


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved with `model.save("m.keras")` (or by Keras 3).

    Args:
      filepath: the `.keras` file.
      custom_objects: `{name: class or function}` for user objects in the model.
      compile: compile the model as it was when saved.
      safe_mode: accepted for compatibility.

    Raises:
      ValueError: the file does not exist, is not a `.keras` archive, or its weights do
        not fit the model rebuilt from its config.
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         "accessible `.keras` zip file.")
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         "supports V3 `.keras` files and legacy H5 format files (`.h5` "
                         "extension). Note that the legacy SavedModel format is not supported "
                         "by `load_model()` in Keras 3.")
    config, groups = _read_archive(filepath)
    if not compile:
        config = {key: value for key, value in config.items() if key != "compile_config"}
    with custom_object_scope(custom_objects or {}):
        model = deserialize_keras_object(config, custom_objects=custom_objects)
        weights_lib.assign_groups(model, groups)
    return model


def model_from_json(json_string, custom_objects=None):
    """A new (untrained) model from `model.to_json()`'s output."""
    config = json.loads(json_string)
    with custom_object_scope(custom_objects or {}):
        return deserialize_keras_object(config, custom_objects=custom_objects)


def read_archive_weights(filepath):
    """`{path: [arrays]}` of the weights inside a `.keras` archive."""
    return _read_archive(filepath)[1]


def _read_archive(filepath):
    try:
        with zipfile.ZipFile(filepath, "r") as archive:
            names = archive.namelist()
            config = json.loads(archive.read("config.json"))
            weights_name = next((n for n in ("model.weights.h5", "model.weights.npz")
                                 if n in names), None)
            if weights_name is None:
                raise ValueError(f"{filepath} holds no weights: expected a model.weights.h5 "
                                 "or model.weights.npz file in the archive.")
            data = archive.read(weights_name)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"{filepath} is not a valid `.keras` file (a zip archive with "
                         f"config.json and the model's weights): {error}") from None
    return config, weights_lib.read_store(io.BytesIO(data), f"{filepath}/{weights_name}")


def _version():
    import tapeflow
    return tapeflow.__version__
