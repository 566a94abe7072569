"""`Dataset.cache`: keep the elements of the first full pass, in memory or in files.

The first pass that reaches the end of the input stores its elements; later
passes replay them without running the input pipeline again. A pass that stops
early (a `break`, `take`) stores nothing, so a cache is never partial.

The file cache writes `<filename>.data-00000-of-00001` (the components, one
`.npy` record after another) and then `<filename>.index`, which marks the cache
complete. While a pass writes, `<filename>.lockfile` exists; a second writer
is refused with TF's AlreadyExistsError.
"""
import json
import os
import threading

from tapeflow.core.array_api import xp
from tapeflow.core.errors import AlreadyExistsError, NotFoundError
from tapeflow.data.dataset import iteration_error
from tapeflow.data.transforms import _UnaryDataset

_FORMAT = "tapeflow-cache-1"


class _CacheDataset(_UnaryDataset):
    _repr_name = "CacheDataset"

    def __init__(self, input_dataset, filename):
        super().__init__(input_dataset)
        self._filename = os.fspath(filename) if filename is not None else ""
        self._elements = None   # the memory cache, once a pass completed
        self._lock = threading.Lock()

    def _iterator(self, ctx):
        if not self._filename:
            if self._elements is not None:
                return iter(self._elements)
            return self._fill_memory(ctx)
        if os.path.exists(self._filename + ".index"):
            return _read_file(self._filename)
        return self._fill_file(ctx)

    def _fill_memory(self, ctx):
        elements = []
        for element in self._input._iterate(ctx):
            elements.append(element)
            yield element
        with self._lock:
            if self._elements is None:
                self._elements = elements

    def _fill_file(self, ctx):
        prefix = self._filename
        data_path, lock_path = prefix + ".data-00000-of-00001", prefix + ".lockfile"
        _create_lockfile(lock_path)
        complete = False
        try:
            count = 0
            with open(data_path, "wb") as data:
                for element in self._input._iterate(ctx):
                    for component in element:
                        xp.lib.format.write_array(data, xp.asarray(component),
                                                  allow_pickle=True)
                    count += 1
                    yield element
            with open(prefix + ".index", "w") as index:
                json.dump({"format": _FORMAT, "elements": count,
                           "components": len(element) if count else 0}, index)
            complete = True
        finally:
            if not complete and os.path.exists(data_path):
                os.remove(data_path)
            os.remove(lock_path)


def _create_lockfile(path):
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise iteration_error(NotFoundError, f"Failed to create a directory: {directory}; No such "
                            "file or directory")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise iteration_error(
            AlreadyExistsError,
            "There appears to be a concurrent caching iterator running - cache "
            f"lockfile already exists ('{path}'). If you are sure no other running TF "
            "computations are using this cache prefix, delete the lockfile and re-initialize "
            "the iterator.") from None
    os.close(fd)


def _read_file(prefix):
    with open(prefix + ".index") as index:
        info = json.load(index)
    count, width = info["elements"], info["components"]
    with open(prefix + ".data-00000-of-00001", "rb") as data:
        for _ in range(count):
            yield tuple(_read_component(data) for _ in range(width))


def _read_component(data):
    array = xp.lib.format.read_array(data, allow_pickle=True)
    return array[()] if array.ndim == 0 and array.dtype != object else array
