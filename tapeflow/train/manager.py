"""`tf.train.CheckpointManager` and the `checkpoint` state file of a directory.

The state file is TF's text format, so `tf.train.latest_checkpoint(dir)`
works the same way:

    model_checkpoint_path: "ckpt-6"
    all_model_checkpoint_paths: "ckpt-5"
    all_model_checkpoint_paths: "ckpt-6"
    all_model_checkpoint_timestamps: 1795568498.43
    all_model_checkpoint_timestamps: 1795568498.45
    last_preserved_timestamp: 1795568497.35

It is rewritten atomically after each save, once the checkpoint's files are
complete, so it never names a checkpoint that is not fully on disk.
"""
import os
import re
import time

from tapeflow._util.atomic import write_text
from tapeflow.train.checkpoint import data_path, index_path

STATE_FILE = "checkpoint"


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def update_checkpoint_state(directory, latest, paths, timestamps=None,
                            last_preserved_timestamp=None):
    """Writes the directory's state file (paths relative to the directory when inside it)."""
    def relative(path):
        return os.path.relpath(path, directory) if os.path.dirname(os.path.abspath(path)) == \
            os.path.abspath(directory) else path
    lines = [f"model_checkpoint_path: {_quote(relative(latest))}"]
    lines += [f"all_model_checkpoint_paths: {_quote(relative(p))}" for p in paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in timestamps or ()]
    if last_preserved_timestamp is not None:
        lines.append(f"last_preserved_timestamp: {last_preserved_timestamp!r}")
    write_text(os.path.join(directory, STATE_FILE), "\n".join(lines) + "\n")


class CheckpointState:
    """The parsed state file (TF's `CheckpointState` proto fields)."""

    def __init__(self, model_checkpoint_path, all_model_checkpoint_paths,
                 all_model_checkpoint_timestamps, last_preserved_timestamp):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = all_model_checkpoint_paths
        self.all_model_checkpoint_timestamps = all_model_checkpoint_timestamps
        self.last_preserved_timestamp = last_preserved_timestamp

    def __repr__(self):
        return (f"model_checkpoint_path: {self.model_checkpoint_path!r}\n"
                f"all_model_checkpoint_paths: {self.all_model_checkpoint_paths!r}")


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The directory's CheckpointState (absolute paths), or None without a state file."""
    path = os.path.join(os.fspath(checkpoint_dir), latest_filename or STATE_FILE)
    if not os.path.exists(path):
        return None
    with open(path) as file:
        text = file.read()
    fields = {"model_checkpoint_path": [], "all_model_checkpoint_paths": [],
              "all_model_checkpoint_timestamps": [], "last_preserved_timestamp": []}
    for key, quoted, number in re.findall(r'^(\w+):\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))\s*$',
                                          text, flags=re.M):
        if key in fields:
            value = quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted else \
                float(number)
            fields[key].append(value)

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(os.fspath(checkpoint_dir), p)
    if not fields["model_checkpoint_path"]:
        return None
    return CheckpointState(absolute(fields["model_checkpoint_path"][0]),
                           [absolute(p) for p in fields["all_model_checkpoint_paths"]],
                           fields["all_model_checkpoint_timestamps"],
                           (fields["last_preserved_timestamp"] or [None])[0])


def checkpoint_exists(prefix):
    return os.path.exists(index_path(prefix))


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The path of the newest complete checkpoint in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not checkpoint_exists(state.model_checkpoint_path):
        return None
    return state.model_checkpoint_path


def _delete_checkpoint(prefix):
    for path in (index_path(prefix), data_path(prefix)):
        if os.path.exists(path):
            os.remove(path)


class CheckpointManager:
    """Saves numbered checkpoints in a directory and keeps the newest `max_to_keep`.

    Args:
      checkpoint: the `tf.train.Checkpoint` to save.
      directory: where to write `<checkpoint_name>-<n>` files and the state file.
      max_to_keep: how many checkpoints to keep (None: all).
      keep_checkpoint_every_n_hours: also keep one checkpoint per this many hours.
      checkpoint_name: the file name prefix ("ckpt").
      step_counter, checkpoint_interval: with both, `save()` only saves when the
        step has advanced by at least `checkpoint_interval` since the last save.
      init_fn: called by `restore_or_initialize()` when there is no checkpoint.

    >>> import tapeflow as tf, tempfile
    >>> manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)),
    ...                                      tempfile.mkdtemp(), max_to_keep=2)
    >>> paths = [manager.save() for _ in range(3)]
    >>> [p.rsplit("/", 1)[1] for p in manager.checkpoints]
    ['ckpt-2', 'ckpt-3']
    """

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None):
        if not directory:
            raise ValueError("CheckpointManager requires a directory.")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError("Expected a positive integer or `None` for `max_to_keep`, got "
                             f"{max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not "
                             "None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._checkpoint_prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_checkpoint_step = None
        self._maybe_delete = {}                 # path -> timestamp, oldest first
        self._last_preserved_timestamp = time.time()
        self._latest_checkpoint = None
        self._recover_state()

    def _recover_state(self):
        state = get_checkpoint_state(self._directory)
        if state is None:
            return
        timestamps = state.all_model_checkpoint_timestamps
        now = time.time()
        for i, path in enumerate(state.all_model_checkpoint_paths):
            if checkpoint_exists(path):
                self._maybe_delete[path] = timestamps[i] if i < len(timestamps) else now
        if state.last_preserved_timestamp is not None:
            self._last_preserved_timestamp = state.last_preserved_timestamp
        if checkpoint_exists(state.model_checkpoint_path):
            self._latest_checkpoint = state.model_checkpoint_path

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    @property
    def latest_checkpoint(self):
        """The path of the newest checkpoint this manager knows, or None."""
        return self._latest_checkpoint

    @property
    def checkpoints(self):
        """The kept checkpoints' paths, oldest first."""
        return list(self._maybe_delete)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Saves a new checkpoint (numbered by `checkpoint_number` or the save counter),
        deletes the oldest beyond `max_to_keep`, and returns its path (None if skipped by
        `checkpoint_interval`)."""
        if self._checkpoint_interval is not None and check_interval:
            step = int(self._step_counter.numpy())
            if self._last_checkpoint_step is not None and \
                    step - self._last_checkpoint_step < self._checkpoint_interval:
                return None
            self._last_checkpoint_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = int(counter.numpy()) if checkpoint_number is None else int(checkpoint_number)
        path = f"{self._checkpoint_prefix}-{number}"
        try:
            self._checkpoint.write(path, options)
        except BaseException:
            counter.assign_sub(1)
            raise
        self._maybe_delete.pop(path, None)
        self._maybe_delete[path] = time.time()
        self._latest_checkpoint = path
        self._sweep()
        self._record_state()
        return path

    def _sweep(self):
        if self._max_to_keep is None:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, timestamp = next(iter(self._maybe_delete.items()))
            del self._maybe_delete[path]
            hours = self._keep_checkpoint_every_n_hours
            if hours is not None and timestamp - self._last_preserved_timestamp >= hours * 3600:
                self._last_preserved_timestamp = timestamp
                continue          # preserved: kept on disk, no longer managed
            _delete_checkpoint(path)

    def _record_state(self):
        update_checkpoint_state(self._directory, self._latest_checkpoint,
                                list(self._maybe_delete), list(self._maybe_delete.values()),
                                self._last_preserved_timestamp)

    def restore_or_initialize(self):
        """Restores the latest checkpoint and returns its path, or calls `init_fn` (None)."""
        if self._latest_checkpoint is not None:
            self._checkpoint.restore(self._latest_checkpoint)
            if self._checkpoint_interval is not None:
                self._last_checkpoint_step = int(self._step_counter.numpy())
            return self._latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None
