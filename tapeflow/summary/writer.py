"""Summary writers and the per-thread summary state (default writer, step, record_if).

A file writer owns one event file, `events.out.tfevents.<time>.<host>.<pid>.<n>.v2`
in its log directory. Summaries are serialized when they are written, queued
in memory as complete records, and appended to the file when the queue holds
more than `max_queue` records, every `flush_millis` (by a background thread),
on `flush()`, when a writer's `as_default()` block ends, and on `close()`. The
file is opened for appending and records are only ever added at its end, so a
crash loses at most the records still queued: earlier bytes are never rewritten.

The default writer, the default step and the recording condition are
per-thread, as in TensorFlow.
"""
import contextlib
import itertools
import os
import socket
import threading
import time
import weakref

from tapeflow.core import errors
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import EagerTensor, Tensor, TensorLike
from tapeflow.summary import proto
from tapeflow.summary.records import frame

FILE_VERSION = "brain.Event:2"
SOURCE_WRITER = "tapeflow.summary"
_file_ids = itertools.count()      # the `<n>` in file names: unique within the process


class _SummaryState(threading.local):
    def __init__(self):
        self.writer = None          # the default SummaryWriter, or None
        self.step = None            # the default step: int, Tensor, Variable or None
        self.is_recording = True    # bool, bool Tensor, or callable returning one


summary_state = _SummaryState()


# -- the event file -----------------------------------------------------------------

class EventFile:
    """An event file being appended to, with a queue of records not yet written.

    Thread-safe: the user's thread queues records and a background thread
    flushes them every `flush_millis`.
    """

    def __init__(self, logdir, max_queue, flush_millis, filename_suffix):
        self.path = os.path.join(logdir, _file_name(filename_suffix))
        # flush_millis <= 0 asks for no delay at all: every summary is written at once.
        self._max_queue = max_queue if flush_millis > 0 else 0
        self._lock = threading.Lock()
        self._queue = []
        self._closed = False
        self._error = None          # an OSError from a background flush, raised later
        self._file = open(self.path, "ab", buffering=0)
        self._write_now(proto.event(time.time(), file_version=FILE_VERSION,
                                    source_writer=SOURCE_WRITER))
        self._stop = threading.Event()
        self._thread = None
        if flush_millis > 0 and self._max_queue > 0:
            self._thread = threading.Thread(target=self._flush_every,
                                            args=(flush_millis / 1000,),
                                            name=f"summary-flush-{self.path}", daemon=True)
            self._thread.start()

    def add(self, event):
        """Queues one serialized `Event`; flushes when the queue passes `max_queue`."""
        record = frame(event)
        with self._lock:
            if self._closed:
                raise errors.NotFoundError(
                    None, None, f"The summary writer of {self.path} is closed; its resource "
                    "does not exist.")
            self._queue.append(record)
            if len(self._queue) > self._max_queue:
                self._flush_locked()

    def flush(self):
        with self._lock:
            if not self._closed:
                self._flush_locked()

    def close(self):
        """Flushes, stops the background thread and closes the file; repeatable."""
        with self._lock:
            if self._closed:
                return
            try:
                self._flush_locked()
                os.fsync(self._file.fileno())
            finally:
                self._closed = True
                self._file.close()
                self._stop.set()
        if self._thread is not None and threading.current_thread() is not self._thread:
            self._thread.join()

    @property
    def closed(self):
        return self._closed

    def _flush_locked(self):
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._queue:
            data, self._queue = b"".join(self._queue), []
            self._write_all(data)

    def _write_now(self, event):
        self._write_all(frame(event))

    def _write_all(self, data):
        view = memoryview(data)
        while view:
            view = view[self._file.write(view):]

    def _flush_every(self, seconds):
        while not self._stop.wait(seconds):
            try:
                self.flush()
            except OSError as error:     # reported by the next flush in the user's thread
                self._error = error


def _file_name(suffix):
    if suffix is None:
        suffix = ".v2"
    elif suffix and not suffix.startswith("."):
        suffix = "." + suffix
    return (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
            f"{os.getpid()}.{next(_file_ids)}{suffix}")


def _make_logdir(logdir):
    """Creates `logdir`, with TF's error kinds and messages for paths that cannot be created."""
    try:
        os.makedirs(logdir, exist_ok=True)
    except OSError as error:
        blocker = _first_non_directory(logdir)
        if blocker is not None:
            kind, message = errors.FailedPreconditionError, f"{blocker} is not a directory"
        else:
            kind = {FileNotFoundError: errors.NotFoundError,
                    PermissionError: errors.PermissionDeniedError}.get(type(error),
                                                                       errors.UnknownError)
            message = f"{error.filename or logdir}; {error.strerror}"
        raise kind(None, None, f"{message} [Op:CreateSummaryFileWriter] (cannot create the "
                   f"summary log directory {logdir!r})") from None


def _first_non_directory(path):
    """The first existing prefix of `path` that is not a directory, or None."""
    prefix = ""
    for part in os.path.abspath(path).split(os.sep)[1:]:
        prefix += os.sep + part
        if os.path.exists(prefix) and not os.path.isdir(prefix):
            return prefix
        if not os.path.exists(prefix):
            return None
    return None


# -- writers ------------------------------------------------------------------------

class SummaryWriter:
    """Writes summaries; the base class of what `tf.summary.create_*_writer` return."""

    def set_as_default(self, step=None):
        """Makes this the default writer for the current thread (and sets the step if given)."""
        self._check_open()
        summary_state.writer = self
        if step is not None:
            summary_state.step = step

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Context manager: this writer (and `step`, if given) is the default inside.

        Flushes the writer when the block ends normally.
        """
        self._check_open()
        saved = summary_state.writer, summary_state.step
        summary_state.writer = self
        if step is not None:
            summary_state.step = step
        try:
            yield self
            self.flush()
        finally:
            summary_state.writer, summary_state.step = saved

    def init(self):
        """Initializes the writer (a no-op: writers are ready when created)."""

    def flush(self):
        """Writes queued summaries to disk."""

    def close(self):
        """Flushes and closes the writer; closing twice is harmless."""

    def _check_open(self):
        pass

    def _write_event(self, event):
        raise NotImplementedError


class _FileSummaryWriter(SummaryWriter):
    """A writer to one event file (TF's `_ResourceSummaryWriter`)."""

    def __init__(self, logdir, max_queue, flush_millis, filename_suffix):
        self._logdir = logdir
        self._file = EventFile(logdir, max_queue, flush_millis, filename_suffix)
        # Close the file when the writer is garbage collected or the program exits,
        # so queued summaries reach the disk (the background thread holds only the file).
        self._finalizer = weakref.finalize(self, self._file.close)

    @property
    def path(self):
        """The event file this writer appends to."""
        return self._file.path

    def flush(self):
        self._file.flush()

    def close(self):
        self._finalizer()

    def _check_open(self):
        if self._file.closed:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")

    def _write_event(self, event):
        self._file.add(event)

    def __repr__(self):
        return f"<tapeflow.summary.SummaryWriter logdir={self._logdir!r}>"


class _NoopSummaryWriter(SummaryWriter):
    """A writer that does nothing; not even `as_default` changes the default writer."""

    def set_as_default(self, step=None):
        pass

    @contextlib.contextmanager
    def as_default(self, step=None):
        yield self


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):
    """Creates a summary file writer for the given log directory.

    Args:
      logdir: the directory for the event file; created if missing.
      max_queue: the largest number of summaries to keep in a queue; the writer
        flushes once the queue gets bigger than this. Defaults to 10.
      flush_millis: the largest interval between flushes, in milliseconds.
        Defaults to 120,000 (two minutes).
      filename_suffix: appended to the event file name. Defaults to ".v2".
      name: unused (a name for the writer resource in TF).
      experimental_trackable, experimental_mesh: accepted for compatibility; unused.

    Returns:
      A `SummaryWriter`.

    Raises:
      ValueError: `logdir` is None.
      NotFoundError, FailedPreconditionError, PermissionDeniedError: the log
        directory cannot be created.

    Example:

    ```python
    writer = tf.summary.create_file_writer("logs/run1")
    with writer.as_default(step=0):
        tf.summary.scalar("loss", 0.5)
    writer.close()
    ```
    """
    if logdir is None:
        raise ValueError("Argument `logdir` cannot be None")
    if isinstance(logdir, (Tensor, TensorLike)):
        logdir = logdir.numpy()
    logdir = os.fsdecode(logdir)
    _make_logdir(logdir)
    return _FileSummaryWriter(logdir, 10 if max_queue is None else int(max_queue),
                              120000 if flush_millis is None else int(flush_millis),
                              filename_suffix)


def create_noop_writer():
    """Returns a summary writer that does nothing, for when summaries are turned off."""
    return _NoopSummaryWriter()


# -- the default step and the recording condition ---------------------------------

def get_step():
    """The default step (`tf.summary.experimental.get_step`), or None if unset."""
    return summary_state.step


def set_step(step):
    """Sets the default step for summaries written without `step=` (this thread)."""
    summary_state.step = step


@contextlib.contextmanager
def record_if(condition):
    """Context manager: summaries are written only when `condition` holds.

    Args:
      condition: a bool, a scalar bool Tensor, or a callable returning either
        (evaluated each time a summary is written, e.g. `lambda: step % 100 == 0`).
    """
    saved = summary_state.is_recording
    summary_state.is_recording = condition
    try:
        yield
    finally:
        summary_state.is_recording = saved


def recording_condition():
    """Whether summaries are recorded now: False, True, or a bool Tensor.

    False when there is no default writer; otherwise the `record_if` condition,
    with callables called.
    """
    if summary_state.writer is None:
        return False
    condition = summary_state.is_recording
    if callable(condition):
        condition = condition()
    if isinstance(condition, (Tensor, TensorLike)):
        condition = convert_to_tensor(condition)
        if isinstance(condition, EagerTensor):    # decided now; a traced one at run time
            return bool(condition._value)
        return condition
    return bool(condition)


def should_record_summaries():
    """A scalar bool Tensor: whether summaries are recorded now (`record_if` and a writer)."""
    return convert_to_tensor(recording_condition())


def flush(writer=None, name=None):
    """Flushes `writer`, or the default writer if None (a no-op without one)."""
    writer = summary_state.writer if writer is None else writer
    if writer is not None:
        writer.flush()
