"""`tf.io.gfile`: file system functions with TF's errors, on local files."""
import builtins as _builtins
import glob as _glob
import os as _os
import shutil as _shutil

from tapeflow.core.errors import AlreadyExistsError as _AlreadyExistsError
from tapeflow.core.errors import FailedPreconditionError as _FailedPreconditionError
from tapeflow.core.errors import InvalidArgumentError as _InvalidArgumentError
from tapeflow.core.errors import NotFoundError as _NotFoundError
from tapeflow.io._files import path_text as _path_text


def _missing(path):
    return _NotFoundError(None, None, f"{path}; No such file or directory")


class GFile:
    """A file, like Python's `open` (TF's `tf.io.gfile.GFile`).

    Modes "r", "w", "a", "r+", "w+", "a+", each optionally with "b". Text modes
    read str and accept bytes or str when writing; binary modes read bytes and
    accept str too.

    Raises:
      InvalidArgumentError: an unknown mode. NotFoundError: reading a missing file.
    """

    def __init__(self, name, mode="r"):
        base = mode.replace("b", "")
        if base not in ("r", "w", "a", "r+", "w+", "a+"):
            raise _InvalidArgumentError(None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or "
                                       "'w+' or 'a+'")
        self._name = _path_text(name)
        self._mode = mode
        self._binary = "b" in mode
        self._file = None

    name = property(lambda self: self._name)
    mode = property(lambda self: self._mode)

    def _open(self):
        if self._file is None:
            try:
                self._file = _builtins.open(self._name, self._mode.replace("b", "") + "b")
            except FileNotFoundError:
                raise _missing(self._name) from None
        return self._file

    def _text(self, data):
        return data if self._binary else data.decode("utf-8")

    def read(self, n=-1):
        return self._text(self._open().read(n))

    def readline(self):
        return self._text(self._open().readline())

    def readlines(self):
        return [self._text(line) for line in self._open().readlines()]

    def __iter__(self):
        return (self._text(line) for line in self._open())

    def __next__(self):
        line = self._open().readline()
        if not line:
            raise StopIteration
        return self._text(line)

    def write(self, data):
        self._open().write(data.encode("utf-8") if isinstance(data, str) else bytes(data))

    def seek(self, offset=None, whence=0, position=None):
        self._open().seek(position if offset is None else offset, whence)

    def tell(self):
        return self._open().tell()

    def size(self):
        return _os.path.getsize(self._name)

    def flush(self):
        if self._file is not None:
            self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def seekable(self):
        return True

    def readable(self):
        return "r" in self._mode or "+" in self._mode

    def writable(self):
        return "r" not in self._mode or "+" in self._mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def exists(path):
    return _os.path.exists(_path_text(path))


def isdir(path):
    return _os.path.isdir(_path_text(path))


def listdir(path):
    """The names in directory `path` (unsorted, as TF).

    Raises:
      NotFoundError: no such directory.
    """
    path = _path_text(path)
    if not _os.path.isdir(path):
        raise _NotFoundError(None, None, f"Could not find directory {path}")
    return _os.listdir(path)


def glob(pattern):
    """The paths matching a glob pattern (or any of a list of patterns)."""
    patterns = pattern if isinstance(pattern, (list, tuple)) else [pattern]
    return [name for p in patterns for name in _glob.glob(_path_text(p))]


def makedirs(path):
    _os.makedirs(_path_text(path), exist_ok=True)


def mkdir(path):
    """Creates one directory (an existing one is fine; a missing parent is not)."""
    path = _path_text(path)
    try:
        _os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        raise _missing(path) from None


def remove(path):
    path = _path_text(path)
    if _os.path.isdir(path):
        raise _FailedPreconditionError(None, None, f"{path}; Is a directory")
    try:
        _os.remove(path)
    except FileNotFoundError:
        raise _missing(path) from None


def rmtree(path):
    path = _path_text(path)
    if not _os.path.exists(path):
        raise _NotFoundError(None, None, f"{path} not found")
    _shutil.rmtree(path)


def rename(src, dst, overwrite=False):
    src, dst = _path_text(src), _path_text(dst)
    if not overwrite and _os.path.exists(dst):
        raise _AlreadyExistsError(None, None, "file already exists")
    if not _os.path.exists(src):
        raise _missing(src)
    _os.replace(src, dst)


def copy(src, dst, overwrite=False):
    src, dst = _path_text(src), _path_text(dst)
    if not overwrite and _os.path.exists(dst):
        raise _AlreadyExistsError(None, None, "file already exists")
    if not _os.path.exists(src):
        raise _missing(src)
    _shutil.copyfile(src, dst)


class _FileStatistics:
    def __init__(self, length, mtime_nsec, is_directory):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory


def stat(path):
    """Size, modification time (ns) and whether it is a directory."""
    path = _path_text(path)
    try:
        info = _os.stat(path)
    except FileNotFoundError:
        raise _missing(path) from None
    return _FileStatistics(info.st_size, info.st_mtime_ns, _os.path.isdir(path))


def walk(top, topdown=True, onerror=None):
    """Yields (directory, subdirectories, files) like `_os.walk`."""
    yield from _os.walk(_path_text(top), topdown=topdown, onerror=onerror)


def join(path, *paths):
    return _os.path.join(_path_text(path), *[_path_text(p) for p in paths])


def get_registered_schemes():
    """The file systems besides local files: none."""
    return []
