"""Byte codecs: `tf.io.decode_raw`, `encode_base64`/`decode_base64` (web-safe
alphabet) and `serialize_tensor`/`parse_tensor` (TF's TensorProto wire format)."""
import base64
import binascii

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.io._files import as_string_tensor

_C_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def _c_name(dtype):
    return _C_NAMES.get(dtype.name, dtype.name)


# -- decode_raw ------------------------------------------------------------------------------

def _decode_raw_infer(x, out_type, little_endian, fixed_length):
    dims = None if x.dims is None else tuple(x.dims) + (
        None if fixed_length is None else fixed_length // out_type.size,)
    return TensorSpec(dims, out_type)


DecodeRaw = Op("DecodeRaw", infer=_decode_raw_infer, dtypes=(dtypes.string,),
               differentiable=False)


@DecodeRaw.kernel
def _(x, out_type, little_endian, fixed_length):
    items = x.reshape(-1).tolist()
    size = out_type.size
    if fixed_length is not None:
        items = [item[:fixed_length].ljust(fixed_length, b"\0") for item in items]
    length = len(items[0]) if items else 0
    for i, item in enumerate(items):
        if len(item) != length:
            raise InvalidArgumentError(None, None, "DecodeRaw requires input strings to all be "
                                       f"the same size, but element {i} has size {len(item)} "
                                       f"!= {length}")
    if length % size:
        raise InvalidArgumentError(None, None, f"Input to DecodeRaw has length {length} that is "
                                   f"not a multiple of {size}, the size of "
                                   f"{_c_name(out_type)}")
    np_type = out_type._np.newbyteorder("<" if little_endian else ">")
    values = xp.frombuffer(b"".join(items), dtype=np_type).astype(out_type._np)
    return values.reshape(x.shape + (length // size,))


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterprets the bytes of each string as a vector of `out_type` numbers.

    Raises:
      InvalidArgumentError: strings of different lengths, or a length that is not
        a multiple of the type's size.
    """
    return apply(DecodeRaw, as_string_tensor(input_bytes), out_type=dtypes.as_dtype(out_type),
                 little_endian=bool(little_endian),
                 fixed_length=None if fixed_length is None else int(fixed_length))


# -- base64 (web-safe: "-" and "_" instead of "+" and "/") --------------------------------------

def _same_strings(x, **attrs):
    return TensorSpec(x.dims, dtypes.string)


def _map_bytes(fn, x):
    out = xp.empty(x.size, dtype=object)
    for i, item in enumerate(x.reshape(-1).tolist()):
        out[i] = fn(item)
    return out.reshape(x.shape)


EncodeBase64 = Op("EncodeBase64", infer=_same_strings, dtypes=(dtypes.string,),
                  differentiable=False)
EncodeBase64.kernel(lambda x, pad: _map_bytes(
    lambda s: base64.urlsafe_b64encode(s) if pad else base64.urlsafe_b64encode(s).rstrip(b"="),
    x))


def _decode_base64(s):
    try:
        if b"+" in s or b"/" in s:   # not in the web-safe alphabet
            raise ValueError(s)
        standard = s.replace(b"-", b"+").replace(b"_", b"/")
        return base64.b64decode(standard + b"=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidArgumentError(None, None, "Invalid character found in base64.") from None


DecodeBase64 = Op("DecodeBase64", infer=_same_strings, dtypes=(dtypes.string,),
                  differentiable=False)
DecodeBase64.kernel(lambda x: _map_bytes(_decode_base64, x))


def encode_base64(input, pad=False, name=None):  # noqa: A002 - TF's argument name
    """Web-safe base64 of each string, without "=" padding unless `pad`."""
    return apply(EncodeBase64, as_string_tensor(input), pad=bool(pad))


def decode_base64(input, name=None):  # noqa: A002
    """Decodes web-safe base64 strings (padded or not)."""
    return apply(DecodeBase64, as_string_tensor(input))


# -- serialize_tensor / parse_tensor ------------------------------------------------------------

SerializeTensor = Op("SerializeTensor", infer=lambda x: TensorSpec((), dtypes.string),
                     differentiable=False)


@SerializeTensor.kernel
def _(x):
    from tapeflow.summary.proto import tensor
    return xp.array(tensor(x), dtype=object)


def serialize_tensor(tensor, name=None):
    """The tensor as a serialized TensorProto (a scalar string), as TF writes it."""
    from tapeflow.core.convert import convert_to_tensor
    return apply(SerializeTensor, convert_to_tensor(tensor))


def _parse_infer(serialized, out_type):
    return TensorSpec(None, out_type)


ParseTensor = Op("ParseTensor", infer=_parse_infer, dtypes=(dtypes.string,),
                 differentiable=False)


@ParseTensor.kernel
def _(serialized, out_type):
    data = serialized[()] if isinstance(serialized, xp.ndarray) else serialized
    try:
        dtype, dims, content, strings = _read_tensor_proto(data)
    except (IndexError, ValueError, KeyError):
        shown = base64.b64encode(data).decode()
        raise InvalidArgumentError(None, None, "Could not parse `serialized` as TensorProto, "
                                   f"base64: {shown}") from None
    if dtype is not out_type:
        raise InvalidArgumentError(None, None, f"Type mismatch between parsed tensor "
                                   f"({_c_name(dtype)}) and dtype ({_c_name(out_type)})")
    if dtype is dtypes.string:
        out = xp.empty(len(strings), dtype=object)
        out[:] = strings if strings else out
        return out.reshape(dims)
    return xp.frombuffer(content, dtype=dtype._np.newbyteorder("<")).astype(
        dtype._np).reshape(dims)


def parse_tensor(serialized, out_type, name=None):
    """The tensor in a serialized TensorProto; `out_type` must be its dtype.

    Raises:
      InvalidArgumentError: not a TensorProto, or of another dtype.
    """
    return apply(ParseTensor, as_string_tensor(serialized), out_type=dtypes.as_dtype(out_type))


def _varint(data, i):
    shift = value = 0
    while True:
        byte = data[i]
        value |= (byte & 0x7F) << shift
        i += 1
        if not byte & 0x80:
            return value, i
        shift += 7


def _fields(data):
    """(field number, value) pairs of a protobuf message (varints and byte strings)."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            length, i = _varint(data, i)
            value, i = data[i:i + length], i + length
            if i > len(data):
                raise ValueError("truncated")
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield field, value


def _read_tensor_proto(data):
    by_enum = {d.as_datatype_enum: d for d in dtypes.ALL}
    dtype, dims, content, strings = None, [], b"", []
    for field, value in _fields(data):
        if field == 1:
            dtype = by_enum[value]
        elif field == 2:
            dims = [dict(_fields(dim)).get(1, 0) for f, dim in _fields(value) if f == 2]
        elif field == 4:
            content = value
        elif field == 8:
            strings.append(value)
    if dtype is None:
        raise ValueError("no dtype")
    return dtype, dims, content, strings
