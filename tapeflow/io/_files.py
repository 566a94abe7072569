"""File ops: `tf.io.read_file`, `tf.io.write_file`, `tf.io.matching_files`.

They are ops (not plain Python) so that `tf.data` pipelines and traced
functions can read files at run time: `dataset.map(lambda p: tf.io.read_file(p))`.
"""
import glob
import os

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import FailedPreconditionError, NotFoundError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike


def as_string_tensor(value):
    return value if isinstance(value, TensorLike) else convert_to_tensor(value,
                                                                        dtype=dtypes.string)


def path_text(value):
    """A Python str for a file name given as str, bytes, path-like or a 0-d array."""
    if isinstance(value, xp.ndarray):
        value = value[()]
    value = os.fspath(value) if isinstance(value, os.PathLike) else value
    return value.decode("utf-8") if isinstance(value, bytes) else value


def read_bytes(path):
    """The bytes of `path`, with TF's errors for a missing file or a directory."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise FailedPreconditionError(None, None, f"{path}; Is a directory") from None


# ReadFile is stateful: a file may change between two reads of the same name.
ReadFile = Op("ReadFile", infer=lambda filename: TensorSpec((), dtypes.string),
              dtypes=(dtypes.string,), stateful=True, differentiable=False)


@ReadFile.kernel
def _(filename):
    return xp.array(read_bytes(path_text(filename)), dtype=object)


def read_file(filename, name=None):
    """The contents of the file `filename`, as a scalar tf.string tensor.

    Raises:
      NotFoundError: no such file. FailedPreconditionError: a directory.
    """
    return apply(ReadFile, as_string_tensor(filename))


WriteFile = Op("WriteFile", infer=lambda filename, contents: (), dtypes=(dtypes.string,),
               side_effect=True, differentiable=False, multi_output=True)


@WriteFile.kernel
def _(filename, contents):
    path = path_text(filename)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)   # TF creates missing directories
    data = contents[()] if isinstance(contents, xp.ndarray) else contents
    with open(path, "wb") as file:
        file.write(data)
    return ()


def write_file(filename, contents, name=None):
    """Writes the scalar string `contents` to `filename` (creating directories); returns None."""
    apply(WriteFile, as_string_tensor(filename), as_string_tensor(contents))


MatchingFiles = Op("MatchingFiles", infer=lambda pattern: TensorSpec((None,), dtypes.string),
                   dtypes=(dtypes.string,), stateful=True, differentiable=False)


@MatchingFiles.kernel
def _(pattern):
    names = []
    for item in xp.asarray(pattern, dtype=object).reshape(-1).tolist():
        names.extend(glob.glob(path_text(item)))
    out = xp.empty(len(names), dtype=object)
    out[:] = sorted(n.encode("utf-8") for n in names) if names else out
    return out


def matching_files(pattern, name=None):
    """The sorted names of the files matching the glob `pattern` (or patterns)."""
    return apply(MatchingFiles, as_string_tensor(pattern))
