"""`tf.train`: checkpoints (Checkpoint, CheckpointManager) and checkpoint files."""
from tapeflow.train.checkpoint import Checkpoint, CheckpointLoadStatus, read_checkpoint
from tapeflow.train.manager import (CheckpointManager, CheckpointState, get_checkpoint_state,
                                    latest_checkpoint)


class CheckpointOptions:
    """Options for `Checkpoint.save/restore` (accepted for compatibility; none apply here)."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_sharding_callback=None, experimental_skip_slot_variables=False):
        self.experimental_io_device = experimental_io_device
        self.enable_async = enable_async or experimental_enable_async_checkpoint


class CheckpointReader:
    """Reads a checkpoint's values by key (`tf.train.load_checkpoint`)."""

    def __init__(self, prefix):
        self._values = read_checkpoint(_resolve(prefix))

    def get_tensor(self, name):
        return self._values[_key(name)].copy()

    def has_tensor(self, name):
        return _key(name) in self._values

    def get_variable_to_shape_map(self):
        return {_name(k): list(v.shape) for k, v in self._values.items()}

    def get_variable_to_dtype_map(self):
        from tapeflow.core.dtypes import as_dtype
        return {_name(k): as_dtype(v.dtype) for k, v in self._values.items()}


def _key(name):
    return name if name.endswith("/.ATTRIBUTES/VARIABLE_VALUE") or "/.ATTRIBUTES/" in name \
        else name + "/.ATTRIBUTES/VARIABLE_VALUE"


def _name(key):
    return key


def _resolve(path):
    """A checkpoint prefix from a prefix or a directory (its latest checkpoint)."""
    import os
    path = os.fspath(path)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            from tapeflow.core.errors import NotFoundError
            raise NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: "
                                f"Failed to get matching files on {path}: no checkpoint")
        return latest
    return path


def load_checkpoint(ckpt_dir_or_file):
    """A CheckpointReader for a checkpoint prefix, or a directory's latest checkpoint."""
    return CheckpointReader(ckpt_dir_or_file)


def list_variables(ckpt_dir_or_file):
    """`[(key, shape)]` of every value in the checkpoint, sorted by key."""
    reader = load_checkpoint(ckpt_dir_or_file)
    return sorted(reader.get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file, name):
    """The NumPy value stored under `name` (a key, with or without its attribute suffix)."""
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


__all__ = ["Checkpoint", "CheckpointLoadStatus", "CheckpointManager", "CheckpointOptions",
           "CheckpointReader", "CheckpointState", "get_checkpoint_state", "latest_checkpoint",
           "list_variables", "load_checkpoint", "load_variable"]
