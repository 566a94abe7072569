"""tf.strings: behaviour and messages from TF 2.21 (values of every op are also checked
against Python references by the registry test)."""
import numpy as np
import pytest

import tapeflow as tf

S = tf.strings


def _list(t):
    return t.numpy().tolist()


def test_length_case_strip():
    assert _list(S.length(["héllo", "", "ab"])) == [6, 0, 2]
    assert _list(S.length(["héllo", "", "ab"], unit="UTF8_CHAR")) == [5, 0, 2]
    assert _list(S.length([b"\xff\xc3"], unit="UTF8_CHAR")) == [2]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'unit' of \"X\""):
        S.length(["a"], unit="X")
    with pytest.raises(TypeError, match="Cannot convert \\[1\\] to EagerTensor of dtype string"):
        S.length([1])
    assert _list(S.lower(["HeLLo É"])) == ["hello É".encode()]
    assert _list(S.lower(["HeLLo É"], encoding="utf-8")) == ["hello é".encode()]
    assert S.upper("abc é").numpy() == "ABC é".encode()
    assert _list(S.strip(["  a b \n\t", "x"])) == [b"a b", b"x"]
    assert S.strip("\x00 a \x0b").numpy() == b"\x00 a"


def test_join_and_reduce_join():
    assert S.join(["a", "b"]).numpy() == b"ab"
    assert _list(S.join([["a", "b"], ["c", "d"]], separator="-")) == [b"a-c", b"b-d"]
    assert _list(S.join([["a", "b"], "c"], separator="-")) == [b"a-c", b"b-c"]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input shapes do not match: \\[2\\] vs. \\[1\\]"):
        S.join([["a", "b"], ["c"]])
    words = [["a", "b"], ["c", "d"]]
    assert S.reduce_join(words).numpy() == b"abcd"
    assert _list(S.reduce_join(words, axis=1, separator=",")) == [b"a,b", b"c,d"]
    assert _list(S.reduce_join(words, axis=0, keepdims=True)) == [[b"ac", b"bd"]]
    assert _list(S.reduce_join(words, axis=-1)) == [b"ab", b"cd"]
    assert _list(S.reduce_join(words, keepdims=True)) == [[b"abcd"]]
    assert S.reduce_join(words, axis=[0, 1]).numpy() == b"acbd"   # axis 0 first, as TF
    with pytest.raises(tf.errors.OutOfRangeError, match="Invalid reduction dimension 2 for "
                                                        "input with 2 dimension\\(s\\)"):
        S.reduce_join([["a", "b"]], axis=2)


def test_split_family_returns_ragged_tensors():
    assert repr(S.split(["hello world", "a  b"])) == (
        "<tf.RaggedTensor [[b'hello', b'world'],\n [b'a', b'b']]>")
    assert S.split(["a,b,,c", ""], sep=",").to_list() == [[b"a", b"b", b"", b"c"], [b""]]
    assert _list(S.split("a b c")) == [b"a", b"b", b"c"]
    assert S.split(["a b c d"], maxsplit=2).to_list() == [[b"a", b"b", b"c d"]]
    assert S.split(["a,b,c"], sep=",", maxsplit=1).to_list() == [[b"a", b"b,c"]]
    assert S.split(["a<>b<>c"], sep="<>").to_list() == [[b"a", b"b", b"c"]]
    assert S.split([["a b"], ["c"]]).to_list() == [[[b"a", b"b"]], [[b"c"]]]
    assert S.split(["abc"], sep="").to_list() == [[b"abc"]]
    assert S.bytes_split(["ab", "c"]).to_list() == [[b"a", b"b"], [b"c"]]
    assert _list(S.bytes_split("abc")) == [b"a", b"b", b"c"]
    assert S.unicode_split(["hé", "c"], "UTF-8").to_list() == [[b"h", "é".encode()], [b"c"]]
    assert S.unicode_decode(["hé", "c"], "UTF-8").to_list() == [[104, 233], [99]]
    assert _list(S.unicode_decode("hé", "UTF-8")) == [104, 233]
    padded = S.split(["a b", "c"]).to_tensor()
    assert _list(padded) == [[b"a", b"b"], [b"c", b""]]


def test_regex():
    assert _list(S.regex_full_match(["abc", "abd", "xabc"], "ab.")) == [True, True, False]
    assert bool(S.regex_full_match("é", "."))            # one UTF-8 character
    assert not bool(S.regex_full_match("é", r"\w"))      # RE2's \w is ASCII
    assert _list(S.regex_replace(["aaa bab"], "a", "x")) == [b"xxx bxb"]
    assert _list(S.regex_replace(["aaa bab"], "a", "x", replace_global=False)) == [b"xaa bab"]
    assert _list(S.regex_replace(["john smith"], r"(\w+) (\w+)", r"\2 \1")) == [b"smith john"]
    assert S.regex_replace("abc", "b", r"<\0>").numpy() == b"a<b>c"
    assert S.regex_replace("abc", "b", "\\\\").numpy() == b"a\\c"
    assert _list(S.regex_replace(["abc"], tf.constant("b"), "x")) == [b"axc"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid pattern: \\("):
        S.regex_replace(["a"], "(", "x")


def test_substr():
    assert _list(S.substr(["hello", "world"], 1, 3)) == [b"ell", b"orl"]
    assert _list(S.substr(["hello", "world"], [0, 2], [2, 10])) == [b"he", b"rld"]
    assert _list(S.substr(["hello"], -3, 2)) == [b"ll"]
    assert _list(S.substr(["hello"], 1, -1)) == [b"ello"]
    assert _list(S.substr(["hello"], 5, 1)) == [b""]
    assert _list(S.substr(["héllo"], 1, 2, unit="UTF8_CHAR")) == ["él".encode()]
    assert _list(S.substr(["héllo"], 1, 2)) == ["é".encode()]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="pos 5 out of range for string b'abc' at index 0"):
        S.substr(["abc"], 5, 1)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="pos 3 out of range for string at index 0"):
        S.substr(["hé"], 3, 1, unit="UTF8_CHAR")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="pos and len should have the same shape, got: \\[2,1\\] vs. \\[\\]"):
        S.substr([["hello", "world"]], [[1], [2]], 2)


def test_to_number():
    np.testing.assert_array_equal(S.to_number(["1.5", "-2", "1e3", " 3"]), [1.5, -2, 1000, 3])
    out = S.to_number(["12", "-3", " 12 "], out_type=tf.int32)
    assert out.dtype == tf.int32 and _list(out) == [12, -3, 12]
    assert _list(S.to_number(["99999999999"], out_type=tf.int64)) == [99999999999]
    assert _list(S.to_number(["0x10"])) == [16.0]
    values = S.to_number(["nan", "inf", "-inf", "+4", "infinity", "-Inf", "NaN"]).numpy()
    assert np.isnan(values[0]) and list(values[1:6]) == [np.inf, -np.inf, 4, np.inf, -np.inf]
    for bad, out_type in (("abc", tf.float32), ("1.5", tf.int32), ("99999999999", tf.int32),
                          ("1_0", tf.float32), ("", tf.float32)):
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="StringToNumberOp could not correctly convert string: "):
            S.to_number([bad], out_type=out_type)


def test_as_string_matches_tf():
    assert _list(S.as_string([3.5, 1e20, 1e-7])) == [
        b"3.500000", b"100000002004087734272.000000", b"0.000000"]
    assert _list(tf.as_string([3, -4])) == [b"3", b"-4"]
    assert _list(S.as_string([True, False])) == [b"true", b"false"]
    assert _list(S.as_string([3.14159], precision=2)) == [b"3.14"]
    assert _list(S.as_string([3.14159], scientific=True)) == [b"3.141590e+00"]
    assert _list(S.as_string([3.14159, 1e20, 0.1], shortest=True)) == [b"3.14159", b"1e+20",
                                                                        b"0.1"]
    assert _list(S.as_string([3, 42], width=5)) == [b"    3", b"   42"]
    assert _list(S.as_string([3, 42], width=5, fill="0")) == [b"00003", b"00042"]
    assert _list(S.as_string([1], width=3, fill="-")) == [b"1  "]
    assert _list(S.as_string([True], width=6)) == [b"true"]
    assert _list(S.as_string(["ab"], width=4)) == [b"  ab"]
    assert _list(S.as_string(tf.constant([1 + 2j], tf.complex64))) == [b"(1.000000,2.000000)"]
    assert _list(S.as_string(tf.constant([1.5 - 2j], tf.complex128), precision=1)) == [
        b"(1.5,-2.0)"]
    assert _list(S.as_string([np.nan, np.inf, -np.inf])) == [b"nan", b"inf", b"-inf"]
    assert _list(S.as_string(tf.constant([0.1], tf.float16))) == [b"0.099976"]
    errors = [(dict(precision=2), "precision not supported for datatype int32"),
              (dict(scientific=True), "scientific and shortest format not supported for "
                                      "datatype int32"),
              (dict(width=3, fill="x"), 'Fill argument not supported: "x"'),
              (dict(width=3, fill="00"), "Fill string must be one or fewer characters")]
    for kwargs, message in errors:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            S.as_string([1], **kwargs)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Cannot select both scientific and shortest notation"):
        S.as_string([3.14159], scientific=True, shortest=True)


def test_format_matches_tf():
    assert S.format("x={} y={}", [tf.constant([1.5, 2.0]), 3]).numpy() == b"x=[1.5 2] y=3"
    floats = tf.constant([0.1, 1 / 3, 1e20, 2.0, -0.0, 1e-5, 123456789.0])
    assert S.format("{}", floats).numpy() == b"[0.1 0.333333343 1e+20 ... -0 1e-05 123456792]"
    doubles = tf.constant([0.1, 1 / 3, 1e20, 2.0], tf.float64)
    assert S.format("{}", doubles).numpy() == b"[0.1 0.33333333333333331 1e+20 2]"
    assert S.format("{}", tf.constant(["a", "b"])).numpy() == b'["a" "b"]'
    assert S.format("{}", tf.constant("a")).numpy() == b'"a"'
    assert S.format("{}", tf.constant([True, False])).numpy() == b"[1 0]"
    assert S.format("{}", tf.range(10)).numpy() == b"[0 1 2 ... 7 8 9]"
    assert S.format("{}", tf.range(10), summarize=2).numpy() == b"[0 1 ... 8 9]"
    assert S.format("{}", tf.range(10), summarize=-1).numpy() == b"[0 1 2 3 4 5 6 7 8 9]"
    assert S.format("{}", tf.reshape(tf.range(6), [2, 3])).numpy() == b"[[0 1 2]\n [3 4 5]]"
    assert S.format("{}", tf.reshape(tf.range(8), [2, 2, 2])).numpy() == (
        b"[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]")
    assert S.format("{}", tf.reshape(tf.range(40), [8, 5]), summarize=1).numpy() == (
        b"[[0 ... 4]\n ...\n [35 ... 39]]")
    assert S.format("{}", tf.zeros([0])).numpy() == b"[]"
    assert S.format("a %s b", [1], placeholder="%s").numpy() == b"a 1 b"
    assert S.format("{} {}", [1.5, "a"]).numpy() == b'1.5 "a"'
    with pytest.raises(ValueError, match="The template expects 2 tensors, but the inputs only "
                                         "has 1."):
        S.format("{} {}", [1])


def test_string_ops_trace():
    @tf.function
    def f(x):
        words = S.split(x)
        return S.reduce_join(S.upper(words.flat_values), separator="+"), S.length(x)

    joined, lengths = f(tf.constant(["ab cd", "e"]))
    assert joined.numpy() == b"AB+CD+E" and _list(lengths) == [5, 1]
