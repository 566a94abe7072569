"""String ops (`tf.strings`): kernels on object arrays of bytes, as tf.string tensors hold.

None of them has a gradient. Splitting ops return a RaggedTensor (a plain
tensor for a scalar input), as in TF. Regular expressions follow RE2, TF's
engine, in the parts Python's `re` shares with it: patterns match UTF-8 text
character by character, and `\\w`, `\\d`, `\\s` are ASCII-only.
"""
import math
import re

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, OutOfRangeError
from tapeflow.core.op import Op
from tapeflow.core.shape import broadcast_shapes, shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike

_STRING = (dtypes.string,)


def _string_tensor(value):
    """`value` as a tf.string tensor (TF's conversion: numbers are refused)."""
    if isinstance(value, TensorLike):
        return value
    return convert_to_tensor(value, dtype=dtypes.string)


def _map(fn, array, out_dtype=object):
    """`fn` applied to every element of an object array."""
    flat = [fn(item) for item in array.reshape(-1).tolist()]
    out = xp.empty(len(flat), dtype=out_dtype) if out_dtype is object else xp.array(
        flat, dtype=out_dtype)
    if out_dtype is object:
        out[:] = flat if flat else out
    return out.reshape(array.shape)


def _same_shape(x, **attrs):
    return TensorSpec(x.dims, x.dtype)


def _unary_string_op(name, fn, out_dtype=dtypes.string, attr_names=()):
    """An elementwise op on strings: `fn(bytes, **attrs) -> value`."""
    def infer(x, **attrs):
        return TensorSpec(x.dims, out_dtype)

    op = Op(name, infer=infer, dtypes=_STRING, differentiable=False)

    @op.kernel
    def _(x, **attrs):
        np_type = object if out_dtype is dtypes.string else out_dtype._np
        return _map(lambda s: fn(s, **attrs), x, np_type)
    return op


# ================================================================================
# Elementwise: length, case, strip, regex, to_number, as_string
# ================================================================================

def _utf8_length(s):
    return sum(1 for byte in s if byte & 0xC0 != 0x80)


StringLength = _unary_string_op(
    "StringLength", lambda s, unit: len(s) if unit == "BYTE" else _utf8_length(s),
    out_dtype=dtypes.int32)


def length(input, unit="BYTE", name=None):  # noqa: A002 - TF's argument names
    """The length of each string, in bytes or (unit="UTF8_CHAR") in UTF-8 characters.

    >>> import tapeflow as tf
    >>> tf.strings.length(["héllo", ""], unit="UTF8_CHAR").numpy()
    array([5, 0], dtype=int32)
    """
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise InvalidArgumentError(None, None, f"Value for attr 'unit' of \"{unit}\" is not in "
                                   'the list of allowed values: "BYTE", "UTF8_CHAR"')
    return apply(StringLength, _string_tensor(input), unit=unit)


def _change_case(method):
    def fn(s, encoding):
        if encoding:   # "utf-8": every character; otherwise ASCII letters only, as TF
            return getattr(s.decode("utf-8", "surrogateescape"), method)().encode(
                "utf-8", "surrogateescape")
        return getattr(s, method)()
    return fn


StringLower = _unary_string_op("StringLower", _change_case("lower"))
StringUpper = _unary_string_op("StringUpper", _change_case("upper"))


def lower(input, encoding="", name=None):  # noqa: A002
    """Lower case: ASCII letters, or every letter with encoding="utf-8"."""
    return apply(StringLower, _string_tensor(input), encoding=encoding.lower())


def upper(input, encoding="", name=None):  # noqa: A002
    """Upper case: ASCII letters, or every letter with encoding="utf-8"."""
    return apply(StringUpper, _string_tensor(input), encoding=encoding.lower())


StringStrip = _unary_string_op("StringStrip", lambda s: s.strip(b" \t\n\v\f\r"))


def strip(input, name=None):  # noqa: A002
    """Removes leading and trailing whitespace (space, tab, newlines, \\v, \\f)."""
    return apply(StringStrip, _string_tensor(input))


def _compile(pattern):
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as error:
        raise InvalidArgumentError(None, None, f"Invalid pattern: {pattern}, error: "
                                   f"{error}") from None


def _text(s):
    return s.decode("utf-8", "surrogateescape")


def _bytes(text):
    return text.encode("utf-8", "surrogateescape")


RegexFullMatch = _unary_string_op(
    "RegexFullMatch", lambda s, pattern: _compile(pattern).fullmatch(_text(s)) is not None,
    out_dtype=dtypes.bool)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """Whether each whole string matches `pattern` (RE2 syntax).

    >>> import tapeflow as tf
    >>> tf.strings.regex_full_match(["abc", "xabc"], "ab.").numpy()
    array([ True, False])
    """
    _compile(_pattern_text(pattern))
    return apply(RegexFullMatch, _string_tensor(input), pattern=_pattern_text(pattern))


def _pattern_text(pattern):
    if isinstance(pattern, TensorLike):
        pattern = pattern.numpy()
    return pattern.decode("utf-8") if isinstance(pattern, bytes) else str(pattern)


def _parse_rewrite(rewrite):
    """RE2's rewrite string as literal pieces and group numbers (\\0 is the whole match)."""
    pieces, literal, i = [], [], 0
    while i < len(rewrite):
        char = rewrite[i]
        if char == "\\" and i + 1 < len(rewrite):
            following = rewrite[i + 1]
            if following.isdigit():
                pieces.append("".join(literal))
                literal = []
                pieces.append(int(following))
            elif following == "\\":
                literal.append("\\")
            else:   # RE2 rejects the rewrite; TF then replaces matches with nothing
                return [""]
            i += 2
            continue
        literal.append(char)
        i += 1
    pieces.append("".join(literal))
    return pieces


def _replace(s, pattern, rewrite, replace_global):
    pieces = _parse_rewrite(rewrite)

    def expand(match):
        return "".join(p if isinstance(p, str) else (match.group(p) or "") for p in pieces)
    return _bytes(_compile(pattern).sub(expand, _text(s), count=0 if replace_global else 1))


StaticRegexReplace = _unary_string_op(
    "StaticRegexReplace", lambda s, pattern, rewrite, replace_global: _replace(
        s, pattern, rewrite, replace_global))


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces the matches of `pattern` with `rewrite` (`\\1` is a group, `\\0` the match).

    >>> import tapeflow as tf
    >>> tf.strings.regex_replace(["john smith"], r"(\\w+) (\\w+)", r"\\2 \\1").numpy()
    array([b'smith john'], dtype=object)
    """
    pattern = _pattern_text(pattern)
    _compile(pattern)
    return apply(StaticRegexReplace, _string_tensor(input), pattern=pattern,
                 rewrite=_pattern_text(rewrite), replace_global=bool(replace_global))


_HEX_FLOAT = re.compile(r"^\s*[+-]?0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*([pP][+-]?\d+)?\s*$")


def _to_number(s, out_type):
    text = s.decode("utf-8", "replace")
    try:
        if "_" in text:
            raise ValueError(text)
        if out_type.is_integer:
            value = int(text.strip())
            if not out_type.min <= value <= out_type.max:
                raise ValueError(text)
            return value
        if _HEX_FLOAT.match(text):
            return float.fromhex(text.strip())
        return float(text)
    except ValueError:
        raise InvalidArgumentError(None, None, "StringToNumberOp could not correctly convert "
                                   f"string: {text}") from None


StringToNumber = Op("StringToNumber", infer=lambda x, out_type: TensorSpec(x.dims, out_type),
                    dtypes=_STRING, differentiable=False)


@StringToNumber.kernel
def _(x, out_type):
    values = [_to_number(s, out_type) for s in x.reshape(-1).tolist()]
    return xp.array(values, dtype=out_type._np).reshape(x.shape)


def to_number(input, out_type=dtypes.float32, name=None):  # noqa: A002
    """Parses each string as a number of `out_type` (float32, float64, int32 or int64).

    Raises:
      InvalidArgumentError: a string that is not a number of that type.
    """
    out_type = dtypes.as_dtype(out_type)
    return apply(StringToNumber, _string_tensor(input), out_type=out_type)


_AS_STRING_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16,
                    dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16, dtypes.uint32,
                    dtypes.uint64, dtypes.bool, dtypes.complex64, dtypes.complex128,
                    dtypes.string)


def _as_string_infer(x, **attrs):
    return TensorSpec(x.dims, dtypes.string)


AsString = Op("AsString", infer=_as_string_infer, dtypes=_AS_STRING_TYPES, differentiable=False)


def _printf_format(dtype, precision, scientific, shortest, width, fill):
    """The C format of TF's AsString for `dtype` (checked as TF's kernel checks it)."""
    flags = fill
    spec = "%" + flags + (str(width) if width > -1 else "")
    if dtype.is_floating or dtype.is_complex:
        if precision > -1:
            spec += f".{precision}"
        return spec + ("e" if scientific else "g" if shortest else "f")
    if precision > -1:
        raise InvalidArgumentError(None, None, f"precision not supported for datatype "
                                   f"{dtype.name}")
    if scientific or shortest:
        raise InvalidArgumentError(None, None, "scientific and shortest format not supported "
                                   f"for datatype {dtype.name}")
    return spec + ("s" if dtype in (dtypes.string, dtypes.bool) else "d")


@AsString.kernel
def _(x, precision, scientific, shortest, width, fill):
    dtype = dtypes.from_numpy(x.dtype)
    spec = _printf_format(dtype, precision, scientific, shortest, width, fill)

    def text(item):
        if dtype is dtypes.bool:
            return b"true" if item else b"false"
        if dtype is dtypes.string:
            return _bytes(spec % _text(item))
        if dtype.is_complex:
            return f"({spec % item.real},{spec % item.imag})".encode()
        return (spec % item).encode()
    return _map(text, x)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="",
              name=None):  # noqa: A002
    """Formats each element as a string, with C's printf rules (floats: "%f").

    Raises:
      InvalidArgumentError: a precision or notation for integers, both `scientific`
        and `shortest`, or an unsupported `fill`.

    >>> import tapeflow as tf
    >>> tf.strings.as_string([3.5, 2.0], precision=2).numpy()
    array([b'3.50', b'2.00'], dtype=object)
    """
    if scientific and shortest:
        raise InvalidArgumentError(None, None, "Cannot select both scientific and shortest "
                                   "notation")
    if len(fill) > 1:
        raise InvalidArgumentError(None, None, "Fill string must be one or fewer characters")
    if fill and fill not in " +-0#":
        raise InvalidArgumentError(None, None, f'Fill argument not supported: "{fill}"')
    x = input if isinstance(input, TensorLike) else convert_to_tensor(input)
    return apply(AsString, x, precision=int(precision), scientific=bool(scientific),
                 shortest=bool(shortest), width=int(width), fill=fill)


# ================================================================================
# Substrings and joins
# ================================================================================

def _substr_infer(x, pos, len_, unit):
    dims = None if None in (x.dims, pos.dims) else broadcast_shapes(x.dims, pos.dims)
    return TensorSpec(dims, dtypes.string)


Substr = Op("Substr", infer=_substr_infer, dtypes=_STRING, differentiable=False)


def _utf8_offsets(s):
    """Byte offset of each UTF-8 character, then the length."""
    return [i for i, byte in enumerate(s) if byte & 0xC0 != 0x80] + [len(s)]


@Substr.kernel
def _(x, pos, len_, unit):
    if pos.shape != len_.shape:
        raise InvalidArgumentError(None, None, "pos and len should have the same shape, got: "
                                   f"{shape_str(pos.shape)} vs. {shape_str(len_.shape)}")
    strings, positions, lengths = xp.broadcast_arrays(x, pos, len_)
    out = xp.empty(strings.shape, dtype=object)
    flat_out = out.reshape(-1)
    items = zip(strings.reshape(-1).tolist(), positions.reshape(-1).tolist(),
                lengths.reshape(-1).tolist())
    for index, (s, p, n) in enumerate(items):
        offsets = list(range(len(s) + 1)) if unit == "BYTE" else _utf8_offsets(s)
        count = len(offsets) - 1
        if not -count <= p <= count:
            shown = f"string {s!r} " if unit == "BYTE" else "string "
            raise InvalidArgumentError(None, None, f"pos {p} out of range for {shown}at index "
                                       f"{index}")
        start = p % count if p < 0 else p
        stop = count if n < 0 else min(count, start + n)
        flat_out[index] = s[offsets[start]:offsets[stop]]
    return out


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """The substrings `[pos, pos + len)` (negative `pos` counts from the end).

    Raises:
      InvalidArgumentError: `pos` beyond either end of a string, or `pos` and
        `len` of different shapes.

    >>> import tapeflow as tf
    >>> tf.strings.substr(["hello", "world"], 1, 3).numpy()
    array([b'ell', b'orl'], dtype=object)
    """
    x = _string_tensor(input)
    pos = pos if isinstance(pos, TensorLike) else convert_to_tensor(pos)
    length_ = len if isinstance(len, TensorLike) else convert_to_tensor(len, dtype=pos.dtype)
    return apply(Substr, x, pos, length_, unit=unit)


def _join_infer(*xs, separator):
    dims = ()
    for x in xs:
        if x.dims is None:
            return TensorSpec(None, dtypes.string)
        if x.dims:
            dims = x.dims
    return TensorSpec(dims, dtypes.string)


StringJoin = Op("StringJoin", infer=_join_infer, dtypes=_STRING, differentiable=False)


@StringJoin.kernel
def _(*xs, separator):
    shapes = [x.shape for x in xs if x.ndim]
    for shape in shapes[1:]:
        if shape != shapes[0]:
            raise InvalidArgumentError(None, None, f"Input shapes do not match: "
                                       f"{shape_str(shapes[0])} vs. {shape_str(shape)}")
    shape = shapes[0] if shapes else ()
    columns = [xp.broadcast_to(x, shape).reshape(-1).tolist() for x in xs]
    sep = separator.encode()
    out = xp.empty(len(columns[0]) if columns else 0, dtype=object)
    for i, parts in enumerate(zip(*columns)):
        out[i] = sep.join(parts)
    return out.reshape(shape)


def join(inputs, separator="", name=None):
    """Joins the strings of several tensors elementwise (scalars broadcast).

    >>> import tapeflow as tf
    >>> tf.strings.join([["a", "b"], "c"], separator="-").numpy()
    array([b'a-c', b'b-c'], dtype=object)
    """
    return apply(StringJoin, *[_string_tensor(x) for x in inputs], separator=separator)


def _reduce_join_infer(x, axes, keepdims, separator):
    if x.dims is None:
        return TensorSpec(None, dtypes.string)
    dims = [1 if i in axes else d for i, d in enumerate(x.dims)]
    if not keepdims:
        dims = [d for i, d in enumerate(x.dims) if i not in axes]
    return TensorSpec(tuple(dims), dtypes.string)


ReduceJoin = Op("ReduceJoin", infer=_reduce_join_infer, dtypes=_STRING, differentiable=False)


@ReduceJoin.kernel
def _(x, axes, keepdims, separator):
    sep = separator.encode()
    out = x
    for axis in axes:   # one axis after the other, in the given order (TF's order)
        moved = xp.moveaxis(out, axis, -1)
        joined = xp.empty(moved.shape[:-1], dtype=object)
        flat = joined.reshape(-1)
        for i, row in enumerate(moved.reshape(-1, moved.shape[-1]).tolist()):
            flat[i] = sep.join(row)
        out = xp.expand_dims(joined, axis)
    if not keepdims:
        out = out.reshape([d for i, d in enumerate(out.shape) if i not in axes])
    return out


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins strings along `axis` (all axes by default).

    Raises:
      OutOfRangeError: an axis beyond the input's rank.

    >>> import tapeflow as tf
    >>> tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1, separator=",").numpy()
    array([b'a,b', b'c,d'], dtype=object)
    """
    x = _string_tensor(inputs)
    rank = x.shape.rank
    if axis is None:
        axes = tuple(range(rank - 1, -1, -1))
    else:
        axes = []
        for a in ([axis] if isinstance(axis, int) else list(axis)):
            a = int(a)
            if not -rank <= a < rank:
                raise OutOfRangeError(None, None, f"Invalid reduction dimension {a} for input "
                                      f"with {rank} dimension(s)")
            axes.append(a % rank)
        axes = tuple(axes)
    return apply(ReduceJoin, x, axes=axes, keepdims=bool(keepdims), separator=separator)


# ================================================================================
# format
# ================================================================================

def _float_text(value, np_type):
    """TF's float printing: 6 (float32) or 15 (float64) significant digits when that
    reads back to the same value, else 9 or 17."""
    short, full = (6, 9) if np_type != xp.float64 else (15, 17)
    text = "%.*g" % (short, value)
    if np_type(float(text)) != np_type(value) and not math.isnan(value):
        text = "%.*g" % (full, value)
    return text


def _item_text(item, dtype):
    if dtype.kind == "O":
        return '"' + _text(item) + '"'
    if dtype.kind == "b":
        return "1" if item else "0"
    if dtype.kind == "f":
        return _float_text(float(item), dtype.type)
    return str(item)


def format_array(array, summarize):
    """A tensor as TF's tf.print / tf.strings.format show it: "[0 1 2 ... 7 8 9]"."""
    def show(a, depth):
        if a.ndim == 0:
            return _item_text(a[()], array.dtype)
        n = a.shape[0]
        if 0 <= summarize < n and n > 2 * summarize:
            indices = list(range(summarize)) + [None] + list(range(n - summarize, n))
        else:
            indices = list(range(n))
        parts = ["..." if i is None else show(a[i, ...], depth + 1) for i in indices]
        if a.ndim == 1:
            return "[" + " ".join(parts) + "]"
        if n == 0 or (a.size == 0 and not parts):
            return "[]"
        separator = "\n" * (a.ndim - 1) + " " * (depth + 1)
        return "[" + separator.join(parts) + "]"

    if array.ndim >= 2 and array.size == 0 and array.shape[0] > 0:
        return "[\n ...]"
    return show(array, 0)


def _format_infer(*xs, template, placeholder, summarize):
    return TensorSpec((), dtypes.string)


StringFormat = Op("StringFormat", infer=_format_infer, differentiable=False)


@StringFormat.kernel
def _(*xs, template, placeholder, summarize):
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for array, piece in zip(xs, pieces[1:]):
        out.append(format_array(array, summarize))
        out.append(piece)
    return xp.array("".join(out).encode(), dtype=object)


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """Fills the `placeholder`s of `template` with the printed tensors of `inputs`.

    Raises:
      ValueError: as many placeholders as inputs are needed.

    >>> import tapeflow as tf
    >>> tf.strings.format("x={} y={}", [tf.constant([1.5, 2.0]), 3]).numpy()
    b'x=[1.5 2] y=3'
    """
    values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    count = template.count(placeholder)
    if count != len(values):
        raise ValueError(f"The template expects {count} tensors, but the inputs only has "
                         f"{len(values)}. Please ensure the number of placeholders in template "
                         "matches inputs length.")
    tensors = [v if isinstance(v, TensorLike) else convert_to_tensor(v) for v in values]
    return apply(StringFormat, *tensors, template=template, placeholder=placeholder,
                 summarize=int(summarize))


# ================================================================================
# Splitting into ragged tensors
# ================================================================================

def _split_infer(x, **attrs):
    return TensorSpec((None,), attrs.get("out_dtype", dtypes.string)), TensorSpec(
        (None if x.dims is None or None in x.dims else _size(x.dims) + 1,), dtypes.int64)


def _size(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def _split_kernel(pieces_of, out_dtype):
    def kernel(x, **attrs):
        pieces, splits = [], [0]
        for s in x.reshape(-1).tolist():
            parts = pieces_of(s, **attrs)
            pieces.extend(parts)
            splits.append(len(pieces))
        if out_dtype is object:
            values = xp.empty(len(pieces), dtype=object)
            values[:] = pieces if pieces else values
        else:
            values = xp.array(pieces, dtype=out_dtype)
        return values, xp.array(splits, dtype=xp.int64)
    return kernel


def _split_words(s, sep, maxsplit):
    if sep is None:   # runs of whitespace; no empty pieces
        return s.split(None, maxsplit) if maxsplit >= 0 else s.split()
    if s == b"":
        return [b""]
    return s.split(sep.encode(), maxsplit)


StringSplitV2 = Op("StringSplitV2", infer=_split_infer, dtypes=_STRING, multi_output=True,
                   differentiable=False)
StringSplitV2.kernel(_split_kernel(_split_words, object))


def _split_chars(s, unit):
    if unit == "BYTE":
        return [s[i:i + 1] for i in range(len(s))]
    offsets = _utf8_offsets(s)
    return [s[a:b] for a, b in zip(offsets, offsets[1:])]


StringSplitChars = Op("StringSplitChars", infer=_split_infer, dtypes=_STRING,
                      multi_output=True, differentiable=False)
StringSplitChars.kernel(_split_kernel(_split_chars, object))


def _decode(s, input_encoding, errors, replacement_char, out_dtype):
    text = s.decode(input_encoding, {"strict": "strict", "ignore": "ignore"}.get(
        errors, "replace"))
    return [replacement_char if ch == "\ufffd" and errors == "replace" else ord(ch)
            for ch in text]


UnicodeDecode = Op("UnicodeDecode", infer=_split_infer, dtypes=_STRING, multi_output=True,
                   differentiable=False)
UnicodeDecode.kernel(_split_kernel(_decode, xp.int32))


def _ragged_result(x, values, splits):
    """A scalar input gives the flat values; a rank-k input a RaggedTensor of rank k + 1."""
    from tapeflow.ops.ragged import RaggedTensor
    dims = x._static_dims()
    if dims is not None and len(dims) == 0:
        return values
    result = RaggedTensor.from_row_splits(values, splits, validate=False)
    if dims is None or len(dims) == 1:
        return result
    for d in reversed(dims[1:]):   # outer uniform dimensions, as ragged splits
        n = result.nrows()
        uniform = _uniform_splits(n, d)
        result = RaggedTensor.from_row_splits(result, uniform, validate=False)
    return result


def _uniform_splits(nrows, width):
    from tapeflow.ops.creation import range as range_
    from tapeflow.ops.math import add
    return range_(0, add(nrows, 1), width, dtype=dtypes.int64)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Splits each string at `sep` (default: runs of whitespace) into a RaggedTensor.

    >>> import tapeflow as tf
    >>> tf.strings.split(["hello world", "a"])
    <tf.RaggedTensor [[b'hello', b'world'], [b'a']]>
    """
    x = _string_tensor(input)
    sep = None if sep is None or sep == "" else sep
    values, splits = apply(StringSplitV2, x, sep=sep, maxsplit=int(maxsplit))
    return _ragged_result(x, values, splits)


def bytes_split(input, name=None):  # noqa: A002
    """Splits each string into single bytes (a RaggedTensor)."""
    x = _string_tensor(input)
    return _ragged_result(x, *apply(StringSplitChars, x, unit="BYTE"))


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,
                  name=None):  # noqa: A002
    """Splits each UTF-8 string into its characters (a RaggedTensor)."""
    _check_encoding(input_encoding)
    x = _string_tensor(input)
    return _ragged_result(x, *apply(StringSplitChars, x, unit="UTF8_CHAR"))


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,
                   replace_control_characters=False, name=None):  # noqa: A002
    """The code points of each UTF-8 string (int32, a RaggedTensor)."""
    _check_encoding(input_encoding)
    x = _string_tensor(input)
    values, splits = apply(UnicodeDecode, x, input_encoding="utf-8", errors=errors,
                           replacement_char=int(replacement_char), out_dtype=dtypes.int32)
    return _ragged_result(x, values, splits)


def _check_encoding(encoding):
    if encoding.upper().replace("-", "") != "UTF8":
        raise NotImplementedError(f"tapeflow's unicode ops read UTF-8 only, not {encoding!r}.")


__all__ = ["as_string", "bytes_split", "format", "join", "length", "lower", "reduce_join",
           "regex_full_match", "regex_replace", "split", "strip", "substr", "to_number",
           "unicode_decode", "unicode_split", "upper"]
