"""Cases for the string ops (tapeflow.ops.strings) and the ragged <-> dense ops
(tapeflow.ops.ragged). References are plain Python on object arrays of bytes."""
import re

import numpy as np

import tapeflow as tf
import tapeflow.ops.ragged  # noqa: F401 - registers the ops before the registry lists them
import tapeflow.ops.strings  # noqa: F401
from tests.ops.cases import Case, const, inputs, normal

_WORDS = np.array([b"Hello World", b"  a  b ", b"", b"x,y,,z"], dtype=object)


def _obj(values, shape=None):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out if shape is None else out.reshape(shape)


def _each(fn, dtype=object):
    def reference(x):
        flat = [fn(s) for s in x.reshape(-1).tolist()]
        return (_obj(flat) if dtype is object else np.array(flat, dtype=dtype)).reshape(x.shape)
    return reference


def _split_reference(pieces_of, dtype=object):
    def reference(x):
        pieces, splits = [], [0]
        for s in x.reshape(-1).tolist():
            pieces.extend(pieces_of(s))
            splits.append(len(pieces))
        values = _obj(pieces) if dtype is object else np.array(pieces, dtype=dtype)
        return [values, np.array(splits, np.int64)]
    return reference


def _ragged_parts(rt):
    return [rt.flat_values, rt.row_splits]


def _np_to_dense(values, splits, default):
    rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
    width = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), width) + values.shape[1:], default, dtype=values.dtype)
    for i, row in enumerate(rows):
        out[i, :len(row)] = row
    return out


_SPLITS = np.array([0, 2, 2, 5], np.int64)

CASES = [
    Case("StringLength", tf.strings.length, inputs(const(_WORDS)),
         _each(len, np.int32), grad=False, dtypes=("float32",)),
    Case("StringLength", lambda x: tf.strings.length(x, unit="UTF8_CHAR"),
         inputs(const(_obj(["héllo".encode(), b"ab"]))),
         _each(lambda s: len(s.decode()), np.int32), grad=False, dtypes=("float32",),
         label="utf8"),
    Case("StringLower", tf.strings.lower, inputs(const(_WORDS)), _each(bytes.lower),
         grad=False, dtypes=("float32",)),
    Case("StringUpper", tf.strings.upper, inputs(const(_WORDS)), _each(bytes.upper),
         grad=False, dtypes=("float32",)),
    Case("StringStrip", tf.strings.strip, inputs(const(_WORDS)),
         _each(lambda s: s.strip(b" \t\n\v\f\r")), grad=False, dtypes=("float32",)),
    Case("RegexFullMatch", lambda x: tf.strings.regex_full_match(x, r"[a-z ]+"),
         inputs(const(_WORDS)), _each(lambda s: re.fullmatch(rb"[a-z ]+", s) is not None,
                                      bool), grad=False, dtypes=("float32",)),
    Case("StaticRegexReplace", lambda x: tf.strings.regex_replace(x, r"(\w)(\w*)", r"\2\1"),
         inputs(const(_WORDS)), _each(lambda s: re.sub(rb"(\w)(\w*)", rb"\2\1", s)),
         grad=False, dtypes=("float32",)),
    Case("StringToNumber", lambda x: tf.strings.to_number(x, tf.float64),
         inputs(const(_obj([b"1.5", b"-2e3", b" 7", b"inf"]))),
         _each(float, np.float64), grad=False, dtypes=("float32",)),
    Case("AsString", lambda x: tf.strings.as_string(x, precision=3),
         inputs(normal(2, 3)), _each(lambda v: b"%.3f" % v), grad=False),
    Case("AsString", lambda x: tf.strings.as_string(x, width=4, fill="0"),
         inputs(const(np.array([3, -42, 12345], np.int32))),
         _each(lambda v: b"%04d" % v), grad=False, dtypes=("float32",), label="int"),
    Case("Substr", lambda x: tf.strings.substr(x, 1, 3), inputs(const(_WORDS[:2])),
         _each(lambda s: s[1:4]), grad=False, dtypes=("float32",)),
    Case("StringJoin", lambda a, b: tf.strings.join([a, b, "!"], separator="-"),
         inputs(const(_WORDS), const(_WORDS[::-1].copy())),
         lambda a, b: _obj([x + b"-" + y + b"-!" for x, y in zip(a, b)]), grad=False,
         dtypes=("float32",)),
    Case("ReduceJoin", lambda x: tf.strings.reduce_join(x, axis=1, separator="|"),
         inputs(const(_WORDS.reshape(2, 2))),
         lambda x: _obj([b"|".join(row) for row in x.tolist()]), grad=False,
         dtypes=("float32",)),
    Case("StringFormat", lambda x: tf.strings.format("v={}", x, summarize=2),
         inputs(const(np.arange(6, dtype=np.int32))),
         lambda x: np.array(b"v=[0 1 ... 4 5]", dtype=object), grad=False,
         dtypes=("float32",)),
    Case("StringSplitV2", lambda x: _ragged_parts(tf.strings.split(x, sep=",")),
         inputs(const(_WORDS)), _split_reference(lambda s: s.split(b",")), grad=False,
         dtypes=("float32",)),
    Case("StringSplitV2", lambda x: _ragged_parts(tf.strings.split(x)),
         inputs(const(_WORDS)), _split_reference(bytes.split), grad=False,
         dtypes=("float32",), label="whitespace"),
    Case("StringSplitChars", lambda x: _ragged_parts(tf.strings.unicode_split(x, "UTF-8")),
         inputs(const(_obj(["hé".encode(), b"", b"abc"]))),
         _split_reference(lambda s: [c.encode() for c in s.decode()]), grad=False,
         dtypes=("float32",)),
    Case("UnicodeDecode", lambda x: _ragged_parts(tf.strings.unicode_decode(x, "UTF-8")),
         inputs(const(_obj(["hé".encode(), b"", b"abc"]))),
         _split_reference(lambda s: [ord(c) for c in s.decode()], np.int32), grad=False,
         dtypes=("float32",)),
    Case("RaggedTensorToTensor",
         lambda v, s: tf.RaggedTensor.from_row_splits(v, s).to_tensor(default_value=-1.0),
         inputs(normal(5, 2), const(_SPLITS)),
         lambda v, s: _np_to_dense(v, s, -1.0), wrt=(0,)),
    Case("RaggedTensorFromDense",
         lambda d: tf.RaggedTensor.from_tensor(d, lengths=[2, 0, 3]).flat_values,
         inputs(normal(3, 4)), lambda d: np.concatenate([d[0, :2], d[2, :3]])),
]
