"""IDX files: finding, verifying, downloading and reading the MNIST-style data sets.

A data set is a few IDX files (`train-images-idx3-ubyte`, ...), stored gzipped
(`.gz`) or not. They are looked for, in order, in:

1. the directory given to `load_data(data_dir=...)`;
2. the directory named by the `TAPEFLOW_DATA_DIR` environment variable;
3. the cache directory, `~/.tapeflow/datasets`;

each time in `<dir>/<data set name>/` and then in `<dir>/` itself. Files not
found anywhere are downloaded from the data set's public mirrors into the
cache, with a progress bar.

Every file is checked against the published SHA-256 of its *decompressed*
content (the `.gz` bytes differ between mirrors, the content does not). A
corrupt or truncated file raises a ValueError naming it; downloads are
verified before they are moved into the cache, so a bad download is never
kept.
"""
import gzip
import hashlib
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

from tapeflow.core.array_api import xp

DATA_DIR_ENV = "TAPEFLOW_DATA_DIR"

# The IDX element type codes (third byte of the magic number).
_IDX_DTYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IdxDataset:
    """A data set made of IDX files.

    Args:
      name: the subdirectory name (`mnist`, `fashion-mnist`).
      files: {file name without `.gz`: SHA-256 of its decompressed content}.
      mirrors: base URLs serving `<file name>.gz`, tried in order.
    """

    def __init__(self, name, files, mirrors):
        self.name = name
        self.files = files
        self.mirrors = mirrors

    def load(self, file_name, data_dir=None):
        """The verified array stored in `file_name`, fetching the file if needed."""
        path = self.find(file_name, data_dir)
        if path is None:
            path = self.download(file_name)
        return read_idx(verified_content(path, self.files[file_name]), path)

    def find(self, file_name, data_dir=None):
        """The first existing copy of `file_name` (gzipped or not) in the search path."""
        for root in self.search_path(data_dir):
            for directory in (os.path.join(root, self.name), root):
                for candidate in (file_name + ".gz", file_name):
                    path = os.path.join(directory, candidate)
                    if os.path.isfile(path):
                        return path
        if data_dir is not None:
            raise FileNotFoundError(
                f"{file_name}(.gz) of the {self.name} data set is not in {data_dir!r} (nor in "
                f"{os.path.join(data_dir, self.name)!r}).")
        return None

    def search_path(self, data_dir=None):
        if data_dir is not None:
            return [os.fspath(data_dir)]
        roots = []
        if os.environ.get(DATA_DIR_ENV):
            roots.append(os.environ[DATA_DIR_ENV])
        roots.append(cache_dir())
        return roots

    def download(self, file_name):
        """Downloads `file_name`.gz into the cache; returns its path once verified."""
        directory = os.path.join(cache_dir(), self.name)
        os.makedirs(directory, exist_ok=True)
        target = os.path.join(directory, file_name + ".gz")
        failures = []
        for mirror in self.mirrors:
            url = mirror.rstrip("/") + "/" + file_name + ".gz"
            try:
                fetch(url, target, self.files[file_name])
                return target
            except (OSError, ValueError, urllib.error.URLError) as error:
                failures.append(f"{url}: {error}")
        raise OSError(f"Could not download {file_name}.gz of the {self.name} data set:\n  " +
                      "\n  ".join(failures) + f"\nYou can copy the files into {directory} or "
                      f"point {DATA_DIR_ENV} at a directory that holds them.")


def cache_dir():
    """Where downloaded data sets are kept: `~/.tapeflow/datasets`."""
    return os.path.join(os.path.expanduser("~"), ".tapeflow", "datasets")


def verified_content(path, sha256, gzipped=None):
    """The decompressed bytes of `path`, checked against `sha256`.

    `gzipped` defaults to whether the name ends with `.gz`.
    """
    if gzipped is None:
        gzipped = path.endswith(".gz")
    try:
        if gzipped:
            with gzip.open(path, "rb") as stream:
                content = stream.read()
        else:
            with open(path, "rb") as stream:
                content = stream.read()
    except (EOFError, OSError, zlib.error) as error:
        raise ValueError(f"{path} is corrupt or incomplete ({error}). Delete it and load the "
                         "data set again.") from None
    digest = hashlib.sha256(content).hexdigest()
    if digest != sha256:
        raise ValueError(f"{path} is corrupt or incomplete: the SHA-256 of its content is "
                         f"{digest}, but the published one is {sha256}. Delete it and load "
                         "the data set again.")
    return content


def read_idx(content, path="<bytes>"):
    """The array stored in IDX bytes: a magic number, big-endian sizes, then the data."""
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file.")
    dtype = xp.dtype(_IDX_DTYPES[content[2]])
    rank = content[3]
    header = 4 + 4 * rank
    dims = tuple(int.from_bytes(content[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    count = 1
    for d in dims:
        count *= d
    if len(content) != header + count * dtype.itemsize:
        raise ValueError(f"{path}: the IDX header promises {dims} values, but the file has "
                         f"{len(content) - header} bytes of data.")
    array = xp.frombuffer(content, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="))   # a writable, native-order copy


def fetch(url, target, sha256):
    """Downloads `url` to `target` with a progress bar; keeps it only if it verifies."""
    directory = os.path.dirname(target)
    fd, partial = tempfile.mkstemp(prefix=os.path.basename(target) + ".", suffix=".part",
                                   dir=directory)
    try:
        print(f"Downloading data from {url}")
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            _copy_with_progress(response, out, total)
        verified_content(partial, sha256, gzipped=True)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _copy_with_progress(source, out, total, chunk=1 << 16):
    bar = ProgressBar(total)
    done = 0
    while True:
        block = source.read(chunk)
        if not block:
            break
        out.write(block)
        done += len(block)
        bar.update(done)
    bar.finish(done)


class ProgressBar:
    """A one-line download progress bar: `  1048576/9912422 [==>...........] - 1s`."""

    WIDTH = 30

    def __init__(self, total, stream=None):
        self.total = total
        self.stream = stream or sys.stdout
        self.start = time.monotonic()
        self.last_draw = None
        self.drawn = None

    def update(self, done, force=False):
        now = time.monotonic()
        if done == self.drawn or (not force and self.last_draw is not None
                                  and now - self.last_draw < 0.1):
            return
        self.last_draw, self.drawn = now, done
        elapsed = int(now - self.start)
        if self.total:
            filled = min(self.WIDTH, int(self.WIDTH * done / self.total))
            arrow = ">" if filled < self.WIDTH else ""
            bar = "=" * filled + arrow + "." * (self.WIDTH - filled - len(arrow))
            width = len(str(self.total))
            line = f"{done:>{width}}/{self.total} [{bar}] - {elapsed}s"
        else:
            line = f"{done} bytes - {elapsed}s"
        self.stream.write("\r" + line)
        self.stream.flush()

    def finish(self, done):
        self.update(done, force=True)
        self.stream.write("\n")
        self.stream.flush()


def copy_into_cache(source_dir, dataset):
    """Copies a data set's files from `source_dir` into the cache (for offline machines)."""
    target = os.path.join(cache_dir(), dataset.name)
    os.makedirs(target, exist_ok=True)
    for file_name in dataset.files:
        path = dataset.find(file_name, source_dir)
        verified_content(path, dataset.files[file_name])
        shutil.copy(path, os.path.join(target, os.path.basename(path)))
