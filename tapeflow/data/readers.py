"""File sources: list_files, TextLineDataset and CsvDataset.

Files are read lazily, one line at a time, when the dataset is iterated, so a
pipeline over large files holds only what it is processing. Strings are bytes
(`tf.string`), lines lose their `\\n` or `\\r\\n`.
"""
import glob
import gzip
import io
import os
import zlib

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import InvalidArgumentError, NotFoundError, op_error
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.data.dataset import Dataset, int_arg, iteration_error
from tapeflow.data.options import UNKNOWN_CARDINALITY
from tapeflow.data.transforms import interleave


def _as_strings(value, name):
    """A list of str paths/patterns from a str, bytes, list, tensor or Dataset of strings."""
    if isinstance(value, Dataset):
        return value
    if isinstance(value, TensorLike):
        value = convert_to_tensor(value)._value
        value = value.reshape(-1).tolist() if value.ndim else [value[()]]
    elif isinstance(value, (str, bytes, os.PathLike)):
        value = [value]
    paths = []
    for item in value:
        if isinstance(item, TensorLike):
            item = convert_to_tensor(item)._value[()]
        item = os.fspath(item)
        paths.append(item.decode() if isinstance(item, bytes) else item)
    if not paths:
        raise ValueError(f"`{name}` must not be empty.")
    return paths


def _filenames(filenames):
    """An iterator of str file names from a list of names or a dataset of them."""
    if isinstance(filenames, Dataset):
        return (element[0][()].decode() if hasattr(element[0], "ndim") else element[0].decode()
                for element in filenames._iterate())
    return iter(filenames)


def list_files(file_pattern, shuffle=None, seed=None):
    from tapeflow.data.sources import _TensorSliceDataset
    patterns = _as_strings(file_pattern, "file_pattern")
    matches = set()
    for pattern in patterns:
        for path in glob.glob(pattern):
            matches.add(path if os.path.dirname(pattern) else os.path.join(".", path))
    if not matches:
        raise InvalidArgumentError(
            None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
            f"Summarized data: b'No files matched pattern: {', '.join(patterns)}'")
    files = sorted(matches)
    dataset = _TensorSliceDataset(xp.array([f.encode() for f in files], dtype=object))
    if shuffle is None or shuffle:
        dataset = dataset.shuffle(len(files), seed=seed)
    return dataset


def _open(path, compression_type):
    """A binary file object for `path`, decompressing GZIP or ZLIB files."""
    try:
        if compression_type == "GZIP":
            return gzip.open(path, "rb")
        if compression_type == "ZLIB":
            with open(path, "rb") as raw:
                return io.BytesIO(zlib.decompress(raw.read()))
        return open(path, "rb")
    except FileNotFoundError:
        raise iteration_error(NotFoundError, f"{path}; No such file or directory") from None


def _compression(compression_type):
    value = compression_type or ""
    if value not in ("", "GZIP", "ZLIB"):
        raise op_error("TextLineDataset", f"Unsupported compression_type: {value}.")
    return value


def _lines(path, compression_type):
    with _open(path, compression_type) as stream:
        for line in stream:
            if line.endswith(b"\n"):
                line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
            yield line


def _scalar_bytes(value):
    array = xp.empty((), dtype=object)
    array[()] = value
    return array


class TextLineDataset(Dataset):
    """The lines of one or more text files, as `tf.string` scalars (TF's `TextLineDataset`).

    Args:
      filenames: a file name, a list of them, or a dataset of them.
      compression_type: "" (none), "GZIP" or "ZLIB".
      buffer_size: accepted for compatibility (reads are buffered by Python).
      num_parallel_reads: read this many files at a time, interleaving their lines.
    """

    _repr_name = "TextLineDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        self._filenames = _as_strings(filenames, "filenames")
        self._compression = _compression(compression_type)
        self._parallel_reads = (None if num_parallel_reads is None
                                else int_arg(num_parallel_reads, "num_parallel_reads"))
        self._element_spec = TensorSpec((), dtypes.string)

    def _file_lines(self, path):
        return ((_scalar_bytes(line),) for line in _lines(path, self._compression))

    def _iterator(self, ctx):
        names = _filenames(self._filenames)
        if self._parallel_reads and self._parallel_reads > 1:
            return interleave(names, self._file_lines, self._parallel_reads, 1)
        return (element for path in names for element in self._file_lines(path))

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


# -- CSV ---------------------------------------------------------------------------------------

_CSV_DTYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)


def _record_default(value):
    """(dtype, default value or None if the column is required) for one record default."""
    if isinstance(value, dtypes.DType):
        dtype, default = value, None
    else:
        array = convert_to_tensor(value)
        dtype = array.dtype
        values = array._value.reshape(-1)
        if array._value.ndim > 1 or values.size > 1:
            raise ValueError("Each record default should be at most rank 1.")
        default = values[0] if values.size else None
    if dtype not in _CSV_DTYPES:
        raise TypeError(f"Unsupported CSV type: {dtype.name}; expected one of float32, "
                        "float64, int32, int64, string.")
    return dtype, default


class CsvDataset(Dataset):
    """The records of CSV files, one scalar per selected column (TF's `CsvDataset`).

    Each of `record_defaults` is a dtype (a required column) or a default value
    whose dtype gives the column's (used when the field is empty or equals
    `na_value`).
    """

    _repr_name = "CsvDatasetV2"

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None,
                 header=False, field_delim=",", use_quote_delim=True, na_value="",
                 select_cols=None, exclude_cols=None):
        self._filenames = _as_strings(filenames, "filenames")
        self._compression = _compression(compression_type)
        self._columns = [_record_default(v) for v in record_defaults]
        self._header = bool(header)
        self._delim = field_delim.encode() if isinstance(field_delim, str) else field_delim
        self._quote = bool(use_quote_delim)
        self._na_value = na_value.encode() if isinstance(na_value, str) else na_value
        self._select, self._exclude = _column_selection(select_cols, exclude_cols,
                                                        len(self._columns))
        self._element_spec = tuple(TensorSpec((), dtype) for dtype, _ in self._columns)

    def _iterator(self, ctx):
        from tapeflow.data.sources import _MapIterator
        return _MapIterator(self._records(), self._parse)   # a bad record fails only itself

    def _records(self):
        for path in _filenames(self._filenames):
            lines = _lines(path, self._compression)
            if self._header:
                next(lines, None)
            yield from _records(lines, self._delim, self._quote)

    def _parse(self, fields):
        if isinstance(fields, Exception):
            raise fields
        if self._select is not None:
            picked = [fields[i] for i in self._select if i < len(fields)]
            total = len(self._columns)
            if len(picked) < total:
                raise iteration_error(InvalidArgumentError, f"Expect {total} fields but have "
                                           f"{len(picked)} in record")
        else:
            picked = [f for i, f in enumerate(fields) if i not in self._exclude]
        values = []
        for index, ((dtype, default), field) in enumerate(zip(self._columns, picked)):
            values.append(self._field(index, field, dtype, default))
        expected = len(self._columns)
        if len(picked) > expected:
            raise iteration_error(InvalidArgumentError, f"Expect {expected} fields but have more "
                                       "in record")
        if len(picked) < expected:
            raise iteration_error(InvalidArgumentError, f"Expect {expected} fields but have "
                                       f"{len(picked)} in record")
        return tuple(values)

    def _field(self, index, field, dtype, default):
        if field == b"" or field == self._na_value:
            if default is None:
                raise iteration_error(InvalidArgumentError, f"Field {index} is required but "
                                           "missing in record!")
            return _scalar_bytes(default) if dtype is dtypes.string else default
        if dtype is dtypes.string:
            return _scalar_bytes(field)
        return _parse_number(field, dtype, index)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


def _column_selection(select_cols, exclude_cols, count):
    if select_cols is not None and exclude_cols is not None:
        raise op_error("CSVDatasetV2", "Either select_cols or exclude_cols should be empty")
    select = None if select_cols is None else [int(i) for i in select_cols]
    if select is not None:
        if any(b <= a for a, b in zip(select, select[1:])) or any(i < 0 for i in select):
            raise op_error("CSVDatasetV2", "select_cols should be strictly increasing indices")
        if len(select) != count:
            raise op_error("CSVDatasetV2", "select_cols should match output size")
    exclude = frozenset(int(i) for i in exclude_cols or ())
    return select, exclude


def _parse_number(field, dtype, index):
    text = field.decode("latin-1")
    try:
        if "_" in text:
            raise ValueError(text)
        if dtype.is_integer:
            value = int(text)
            info = xp.iinfo(dtype._np)
            if not info.min <= value <= info.max:
                raise ValueError(text)
        else:
            value = float(text)
    except ValueError:
        raise iteration_error(InvalidArgumentError, f"Field {index} in record is not a valid "
                                   f"{dtype.name}: {text}") from None
    return dtype._np.type(value)


def _records(lines, delim, use_quotes):
    """The fields of each record; a quoted field may span lines."""
    pending = None
    for line in lines:
        if pending is not None:
            line = pending + b"\n" + line
        try:
            fields = _split(line, delim, use_quotes)
        except InvalidArgumentError as error:   # the record's error, raised when parsed
            fields = error
        if fields is None:   # an open quote: the record continues on the next line
            pending = line
            continue
        pending = None
        yield fields
    if pending is not None:
        raise iteration_error(InvalidArgumentError, "Reached end of file without closing quoted "
                                   "field in record")


def _split(line, delim, use_quotes):
    """Splits one record; returns None if a quoted field is still open at the end."""
    if not use_quotes or b'"' not in line:
        return line.split(delim)
    fields, i, n = [], 0, len(line)
    while True:
        if i < n and line[i:i + 1] == b'"':
            value, i = _quoted(line, i + 1)
            if value is None:
                return None
            if i < n and line[i:i + len(delim)] != delim:
                raise iteration_error(InvalidArgumentError, "Quote inside a string has to be "
                                           "escaped by another quote")
        else:
            end = line.find(delim, i)
            end = n if end == -1 else end
            value, i = line[i:end], end
        fields.append(value)
        if i >= n:
            return fields
        i += len(delim)
        if i == n:
            fields.append(b"")
            return fields


def _quoted(line, i):
    """The value of a quoted field starting after its opening quote, and the next index."""
    parts = []
    while True:
        end = line.find(b'"', i)
        if end == -1:
            return None, len(line)
        parts.append(line[i:end])
        if line[end + 1:end + 2] == b'"':   # "" is an escaped quote
            parts.append(b'"')
            i = end + 2
            continue
        return b"".join(parts), end + 1
