"""A small protobuf encoder for the few messages an event file holds.

TensorBoard reads `Event` protos (tensorboard/compat/proto/event.proto). We
write the wire format by hand instead of depending on `protobuf`: the messages
are small and fixed, and the encoder is a page long (see
benchmarks/summary_write.py for its speed against `protobuf`).

The wire format in brief: a message is a list of fields; each field starts with
a key `(field_number << 3) | wire_type` written as a varint, then the value:
a varint (wire type 0), 8 little-endian bytes (1), or a varint length followed
by that many bytes (2) for strings, bytes and nested messages. Fields are
written in field-number order and proto3 defaults (0, "", b"") are left out,
which is what TensorFlow's C++ serializer does, so our bytes match its bytes.
"""
import struct

from tapeflow.core import dtypes as _dtypes
from tapeflow.core.array_api import xp

_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5
_DT_STRING = 7
_ONE_BYTE = [bytes((i,)) for i in range(128)]


# -- fields ------------------------------------------------------------------------

def varint(n):
    """`n` as a base-128 varint; negative int64s take ten bytes (two's complement)."""
    if 0 <= n < 128:
        return _ONE_BYTE[n]                 # keys, lengths and small steps: the common case
    n &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field, wire_type):
    return varint((field << 3) | wire_type)


def int_field(field, n, keep_zero=False):
    """An integer (or bool, or enum) field; 0 is left out unless `keep_zero`
    (a member of a `oneof` must be written even when 0)."""
    return _key(field, _VARINT) + varint(n) if n or keep_zero else b""


def double_field(field, x):
    return _key(field, _FIXED64) + struct.pack("<d", x) if x else b""


def float_field(field, x, keep_zero=False):
    return _key(field, _FIXED32) + struct.pack("<f", x) if x or keep_zero else b""


def bytes_field(field, data):
    """A string, bytes or nested-message field; empty `data` is left out."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _key(field, _LENGTH_DELIMITED) + varint(len(data)) + data if data else b""


def message_field(field, data):
    """A nested message, written even when empty (proto3 keeps set submessages)."""
    return _key(field, _LENGTH_DELIMITED) + varint(len(data)) + data


# -- messages (field numbers from TensorBoard's .proto files) -----------------------

def event(wall_time, step=0, *, file_version="", graph_def=b"", summary=None,
          source_writer=""):
    """An `Event`: a timestamped file header, graph, or summary."""
    parts = [double_field(1, wall_time), int_field(2, step), bytes_field(3, file_version),
             bytes_field(4, graph_def)]
    if summary is not None:
        parts.append(message_field(5, summary))
    if source_writer:
        parts.append(message_field(10, bytes_field(1, source_writer)))   # SourceMetadata
    return b"".join(parts)


def summary(*values):
    """A `Summary`: a list of `Summary.Value` messages."""
    return b"".join(message_field(1, value) for value in values)


def summary_value(tag, tensor, metadata=b""):
    """A `Summary.Value` holding a tensor (field 8) and optional metadata (field 9)."""
    return bytes_field(1, tag) + message_field(8, tensor) + bytes_field(9, metadata)


def summary_metadata(plugin_name, content=b"", description="", display_name=""):
    """A `SummaryMetadata` naming the TensorBoard plugin that displays the data."""
    plugin_data = bytes_field(1, plugin_name) + bytes_field(2, content)
    return (message_field(1, plugin_data) + bytes_field(2, display_name)
            + bytes_field(3, description))


def tensor_shape(dims):
    """A `TensorShapeProto`: one `Dim {size}` per dimension."""
    return b"".join(message_field(2, int_field(1, d)) for d in dims)


def tensor(array):
    """A `TensorProto` for the ndarray `array`.

    Numbers go in `tensor_content` as raw little-endian bytes in C order;
    strings (object arrays of bytes) go in repeated `string_val`, one per element.
    """
    array = xp.asarray(array)
    if array.dtype == object or array.dtype.kind in "SU":
        parts = [int_field(1, _DT_STRING), message_field(2, tensor_shape(array.shape))]
        for item in array.reshape(-1).tolist():
            if isinstance(item, str):
                item = item.encode("utf-8")
            parts.append(_key(8, _LENGTH_DELIMITED) + varint(len(item)) + item)
        return b"".join(parts)
    dtype = _dtypes.from_numpy(array.dtype)
    content = xp.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return (int_field(1, dtype.as_datatype_enum) + message_field(2, tensor_shape(array.shape))
            + bytes_field(4, content))
