"""Atomic file writes: write to a temporary file beside the target, then rename.

Every saver in tapeflow (weights, `.keras` archives, checkpoints, CSV logs
written whole) goes through `atomic_write`. The temporary file lives in the
target's directory, so the final `os.replace` is a rename within one file
system, which POSIX and Windows both perform atomically: a reader sees either
the old file or the complete new one, never a half-written file. A crash (or an
exception) before the rename leaves the previous file untouched and removes the
temporary file. This module imports nothing from tapeflow.
"""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_write(path, mode="wb", encoding=None):
    """Opens a temporary file for writing; on success it replaces `path`.

    Args:
      path: the file to (re)write.
      mode: "wb" (bytes) or "w" (text).
      encoding: the text encoding for mode "w" (default UTF-8).

    Yields:
      The open temporary file.

    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "f.txt")
    >>> with atomic_write(target, "w") as f:
    ...     _ = f.write("hello")
    >>> open(target).read()
    'hello'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                dir=directory)
    try:
        if "b" in mode:
            file = os.fdopen(fd, mode)
        else:
            file = os.fdopen(fd, mode, encoding=encoding or "utf-8", newline="")
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise


def write_bytes(path, data):
    """Atomically writes `data` (bytes) to `path`."""
    with atomic_write(path, "wb") as file:
        file.write(data)


def write_text(path, text):
    """Atomically writes `text` (UTF-8) to `path`."""
    with atomic_write(path, "w") as file:
        file.write(text)


def replace(source, target):
    """`os.replace`, kept in one place so tests can simulate a crash just before it."""
    os.replace(source, target)
