"""File sources: list_files, TextLineDataset and CsvDataset.

Files are read lazily, one line at a time, when the dataset is iterated, so a
pipeline over large files holds only what it is processing. Strings are bytes
(`tf.string`), lines lose their `\\n` or `\\r\\n`.
"""
import collections
import glob
import gzip
import io
import os
import struct
import zlib

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import DataLossError, InvalidArgumentError, NotFoundError, op_error
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


# -- make_csv_dataset -------------------------------------------------------------------------

_INFERRED_TYPES = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.string)


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim=",",
                     use_quote_delim=True, na_value="", header=True, num_epochs=None,
                     shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100, compression_type=None, ignore_errors=False,
                     encoding="utf-8"):
    """Batches of CSV records as (OrderedDict of columns[, label]) (TF's `make_csv_dataset`).

    Column names come from the header of the first file unless given; column types
    are inferred from the first `num_rows_for_inference` rows (int32, int64, float32,
    float64, then string) unless `column_defaults` are given. With `num_epochs=None`
    the data repeats forever and batches have exactly `batch_size` records.
    """
    from tapeflow.data.options import AUTOTUNE
    filenames = sorted({path for pattern in _as_strings(file_pattern, "file_pattern")
                        for path in glob.glob(pattern)})
    if not filenames:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    delim = field_delim.encode() if isinstance(field_delim, str) else field_delim
    names = _column_names(filenames[0], column_names, header, delim, use_quote_delim,
                          compression_type, encoding)
    selected = _selected_columns(names, select_columns)
    names = [names[i] for i in selected]
    if label_name is not None and label_name not in names:
        raise ValueError("`label_name` provided must be one of the columns: "
                         f"{names}. Received: {label_name}.")
    if column_defaults is None:
        column_defaults = _infer_defaults(filenames[0], selected, header, delim,
                                          use_quote_delim, na_value, num_rows_for_inference,
                                          compression_type)
    dataset = CsvDataset(filenames, column_defaults, compression_type, header=header,
                         field_delim=field_delim, use_quote_delim=use_quote_delim,
                         na_value=na_value, select_cols=selected)
    if ignore_errors:
        dataset = dataset.ignore_errors()
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    dataset = dataset.repeat(num_epochs).batch(batch_size, drop_remainder=num_epochs is None)

    def to_columns(*columns):
        features = collections.OrderedDict(zip(names, columns))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label
    dataset = dataset.map(to_columns, num_parallel_calls=AUTOTUNE)
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)


def _column_names(path, column_names, header, delim, use_quotes, compression, encoding):
    if column_names is not None:
        return list(column_names)
    if not header:
        raise ValueError("Expected `column_names` or `header` arguments. Neither was provided.")
    first = next(_records(_lines(path, _compression(compression)), delim, use_quotes), None)
    if first is None or isinstance(first, Exception):
        raise ValueError(f"Could not read a header line from {path}.")
    return [field.decode(encoding) for field in first]


def _selected_columns(names, select_columns):
    if select_columns is None:
        return list(range(len(names)))
    indices = []
    for column in select_columns:
        if isinstance(column, str):
            if column not in names:
                raise ValueError(f"Column {column} specified in `select_columns` must be of "
                                 f"one of the columns: {dict.fromkeys(names).keys()}.")
            indices.append(names.index(column))
        else:
            indices.append(int(column))
    return sorted(set(indices))


def _infer_defaults(path, selected, header, delim, use_quotes, na_value, rows, compression):
    """Zero defaults of the narrowest type that parses every value seen in the first rows."""
    na = na_value.encode() if isinstance(na_value, str) else na_value
    kinds = [0] * len(selected)   # index into _INFERRED_TYPES, per selected column
    lines = _lines(path, _compression(compression))
    if header:
        next(lines, None)
    for count, fields in enumerate(_records(lines, delim, use_quotes)):
        if count >= rows or isinstance(fields, Exception):
            break
        for position, column in enumerate(selected):
            value = fields[column] if column < len(fields) else b""
            if value in (b"", na):
                continue
            while not _parses_as(value, _INFERRED_TYPES[kinds[position]]):
                kinds[position] += 1
    zeros = {dtypes.string: ""}
    return [[zeros.get(_INFERRED_TYPES[k], 0)] if _INFERRED_TYPES[k] is dtypes.string
            else xp.zeros(1, _INFERRED_TYPES[k]._np) for k in kinds]


def _parses_as(value, dtype):
    if dtype is dtypes.string:
        return True
    try:
        _parse_number(value, dtype, 0)
        return True
    except InvalidArgumentError:
        return False


# -- binary records --------------------------------------------------------------------------------

class FixedLengthRecordDataset(Dataset):
    """Records of `record_bytes` bytes from binary files, after a header, before a footer."""

    _repr_name = "FixedLengthRecordDatasetV2"

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None, name=None):
        self._filenames = _as_strings(filenames, "filenames")
        self._record = int_arg(record_bytes, "record_bytes")
        self._header = int_arg(header_bytes or 0, "header_bytes")
        self._footer = int_arg(footer_bytes or 0, "footer_bytes")
        self._compression = _compression(compression_type)
        self._element_spec = TensorSpec((), dtypes.string)

    def _iterator(self, ctx):
        for path in _filenames(self._filenames):
            with _open(path, self._compression) as stream:
                data = stream.read()
            body = len(data) - self._header - self._footer
            if body % self._record:
                raise iteration_error(
                    InvalidArgumentError,
                    f"Excluding the header ({self._header} bytes) and footer ({self._footer} "
                    f"bytes), input file \"{path}\" has body length {body} bytes, which is not "
                    f"an exact multiple of the record length ({self._record} bytes).")
            for start in range(self._header, self._header + body, self._record):
                yield (_scalar_bytes(data[start:start + self._record]),)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class TFRecordDataset(Dataset):
    """The records of TFRecord files, checked against their CRC-32C checksums.

    A record is: its length (uint64, little-endian), the masked CRC-32C of the
    length, the data, the masked CRC-32C of the data. A bad checksum raises
    DataLossError, as in TF. (The checksums are computed in Python: about
    2 MB/s.)
    """

    _repr_name = "TFRecordDatasetV2"

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):
        self._filenames = _as_strings(filenames, "filenames")
        self._compression = _compression(compression_type)
        self._parallel_reads = (None if num_parallel_reads is None
                                else int_arg(num_parallel_reads, "num_parallel_reads"))
        self._element_spec = TensorSpec((), dtypes.string)

    def _file_records(self, path):
        with _open(path, self._compression) as stream:
            yield from ((_scalar_bytes(record),) for record in _tfrecords(stream))

    def _iterator(self, ctx):
        names = _filenames(self._filenames)
        if self._parallel_reads and self._parallel_reads > 1:
            return interleave(names, self._file_records, self._parallel_reads, 1)
        return (record for path in names for record in self._file_records(path))

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


def _tfrecords(stream):
    offset = 0
    while True:
        header = stream.read(12)
        if not header:
            return
        if len(header) < 12:
            raise _truncated(offset)
        length, length_crc = struct.unpack("<QI", header)
        if masked_crc32c(header[:8]) != length_crc:
            hint = " (Is this even a TFRecord file?)" if offset == 0 else ""
            raise iteration_error(DataLossError, f"corrupted record at {offset}{hint}")
        data = stream.read(length + 4)
        if len(data) < length + 4:
            raise _truncated(offset)
        if masked_crc32c(data[:length]) != struct.unpack("<I", data[length:])[0]:
            raise iteration_error(DataLossError, f"corrupted record at {offset + 12}")
        yield data[:length]
        offset += 12 + length + 4


def _truncated(offset):
    return iteration_error(DataLossError, f"truncated record at {offset}' failed with Read less "
                           "bytes than requested")


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    """The CRC-32C (Castagnoli) checksum of `data`."""
    crc, table = 0xFFFFFFFF, _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """TFRecord's masked checksum: the CRC rotated right by 15 bits, plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
