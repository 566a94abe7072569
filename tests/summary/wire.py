"""A protobuf wire-format decoder for tests, written apart from tapeflow's encoder.

It reads back event files so that tests can check tags, steps and values
without the `tensorboard` package (the tests that have it also read every file
with TensorBoard's own reader).
"""
import glob
import os
import struct

import numpy as np

from tapeflow.summary.records import read_records

_NUMPY_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 4: np.uint8, 5: np.int16,
                 6: np.int8, 9: np.int64, 10: np.bool_, 17: np.uint16, 19: np.float16}


def fields(data):
    """{field number: [values]}: varints as ints, fixed-size and length-delimited as bytes."""
    out, i = {}, 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, i = _varint(data, i)
        elif wire_type == 1:
            value, i = data[i:i + 8], i + 8
        elif wire_type == 2:
            length, i = _varint(data, i)
            value, i = data[i:i + length], i + length
        elif wire_type == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire_type}")
        out.setdefault(number, []).append(value)
    return out


def _varint(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i


def _one(f, number, default=None):
    return f.get(number, [default])[-1]


def _signed64(n):
    return n - (1 << 64) if n >= 1 << 63 else n


def decode_tensor(data):
    f = fields(data)
    dtype = _one(f, 1, 0)
    dims = [_one(fields(d), 1, 0) for d in fields(_one(f, 2, b"")).get(2, [])]
    if dtype == 7:
        return np.array(f.get(8, []), dtype=object).reshape(dims)
    content = _one(f, 4, b"")
    return np.frombuffer(content, dtype=_NUMPY_DTYPES[dtype]).reshape(dims)


def decode_event(payload):
    """One Event as a dict: wall_time, step, and per kind file_version / graph_def / values."""
    f = fields(payload)
    event = {"wall_time": struct.unpack("<d", _one(f, 1, b"\0" * 8))[0],
             "step": _signed64(_one(f, 2, 0)),
             "file_version": _one(f, 3, b"").decode(),
             "graph_def": _one(f, 4), "values": []}
    for value in fields(_one(f, 5, b"")).get(1, []):
        v = fields(value)
        meta = fields(_one(v, 9, b""))
        plugin = fields(_one(meta, 1, b""))
        event["values"].append({
            "tag": _one(v, 1, b"").decode(),
            "tensor": decode_tensor(v[8][-1]) if 8 in v else None,
            "simple_value": struct.unpack("<f", v[2][-1])[0] if 2 in v else None,
            "plugin": _one(plugin, 1, b"").decode(),
            "content": _one(plugin, 2, b""),
            "description": _one(meta, 3, b"").decode()})
    return event


def read_events(path):
    """The decoded events of an event file, or of the single event file in a directory."""
    if os.path.isdir(path):
        (path,) = glob.glob(os.path.join(path, "events.out.tfevents.*"))
    return [decode_event(p) for p in read_records(path)]


def summaries(path):
    """[(tag, step, tensor, plugin)] for every summary value in an event file or directory."""
    return [(v["tag"], e["step"], v["tensor"], v["plugin"])
            for e in read_events(path) for v in e["values"]]
