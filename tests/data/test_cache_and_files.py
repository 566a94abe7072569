"""cache (memory and file), list_files, TextLineDataset and CsvDataset on files the
tests write; expected values are TF 2.21's for the same files."""
import gzip
import os
import zlib

import numpy as np
import pytest

import tapeflow as tf

D = tf.data.Dataset


class Counter:
    """Counts the elements a pipeline actually computes (an eager map function)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return x + 0 * x.numpy()   # .numpy(): runs eagerly for every element


def test_memory_cache_replays_the_first_full_pass():
    counter = Counter()
    ds = D.range(4).map(counter).cache()
    assert [int(x) for x in ds] == [0, 1, 2, 3]
    calls = counter.calls
    assert [int(x) for x in ds.repeat(2)] == [0, 1, 2, 3] * 2
    assert counter.calls == calls     # the input ran once


def test_memory_cache_of_a_shuffle_keeps_the_first_order():
    ds = D.range(10).shuffle(10, seed=1).cache()
    assert [int(x) for x in ds] == [int(x) for x in ds]


def test_partial_pass_is_not_cached():
    counter = Counter()
    ds = D.range(5).map(counter).cache()
    assert [int(x) for x in ds.take(2)] == [0, 1]
    before = counter.calls
    assert [int(x) for x in ds] == [0, 1, 2, 3, 4]
    assert counter.calls > before


def test_cached_elements_are_not_copied_per_epoch():
    ds = D.from_tensor_slices(np.zeros((3, 100), np.float32)).cache()
    first = [x._value for x in ds]
    second = [x._value for x in ds]
    assert all(a is b for a, b in zip(first, second))


def test_file_cache(tmp_path):
    prefix = str(tmp_path / "cache")
    counter = Counter()
    ds = D.from_tensor_slices((["a", "bb"], [[1.5], [2.5]])).map(
        lambda s, x: (s, counter(x))).cache(prefix)
    first = [(s.numpy(), x.numpy().tolist()) for s, x in ds]
    assert first == [(b"a", [1.5]), (b"bb", [2.5])]
    assert os.path.exists(prefix + ".index")
    calls = counter.calls
    fresh = D.from_tensor_slices((["z"], [[0.0]])).cache(prefix)   # same file: replays it
    assert [(s.numpy(), x.numpy().tolist()) for s, x in fresh] == first
    assert [(s.numpy(), x.numpy().tolist()) for s, x in ds] == first
    assert counter.calls == calls


def test_file_cache_partial_pass_leaves_no_cache(tmp_path):
    prefix = str(tmp_path / "partial")
    ds = D.range(5).cache(prefix)
    assert [int(x) for x in ds.take(2)] == [0, 1]
    assert not os.path.exists(prefix + ".index")
    assert not os.path.exists(prefix + ".lockfile")
    assert [int(x) for x in ds] == [0, 1, 2, 3, 4]
    assert os.path.exists(prefix + ".index")


def test_file_cache_refuses_a_concurrent_writer(tmp_path):
    prefix = str(tmp_path / "busy")
    ds = D.range(5).cache(prefix)
    writer = iter(ds)
    next(writer)
    with pytest.raises(tf.errors.AlreadyExistsError, match="concurrent caching iterator"):
        next(iter(ds))
    del writer


@pytest.fixture
def text_files(tmp_path):
    (tmp_path / "t.txt").write_bytes(b"l1\nl2\r\n\nl4")
    (tmp_path / "u.txt").write_bytes(b"x\ny\n")
    (tmp_path / "f.csv").write_bytes(b'a,1,2.5\n"b,c",,3\r\nd,4,\n')
    (tmp_path / "g.csv").write_bytes(b'1,2\n\n3\n 4,5.5\n"x""y",2\n')
    return tmp_path


def test_text_lines(text_files):
    t, u = str(text_files / "t.txt"), str(text_files / "u.txt")
    assert list(tf.data.TextLineDataset(t).as_numpy_iterator()) == [b"l1", b"l2", b"", b"l4"]
    ds = tf.data.TextLineDataset([t, u])
    assert ds.element_spec == tf.TensorSpec([], tf.string)
    assert int(ds.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    assert list(ds.as_numpy_iterator()) == [b"l1", b"l2", b"", b"l4", b"x", b"y"]
    interleaved = tf.data.TextLineDataset([t, u], num_parallel_reads=2)
    assert list(interleaved.as_numpy_iterator()) == [b"l1", b"x", b"l2", b"y", b"", b"l4"]
    from_dataset = tf.data.TextLineDataset(D.from_tensor_slices([u]))
    assert list(from_dataset.as_numpy_iterator()) == [b"x", b"y"]


def test_text_lines_compressed(tmp_path):
    gz, zl = tmp_path / "a.gz", tmp_path / "a.z"
    gz.write_bytes(gzip.compress(b"one\ntwo\n"))
    zl.write_bytes(zlib.compress(b"three\n"))
    assert list(tf.data.TextLineDataset(str(gz), "GZIP").as_numpy_iterator()) == [b"one",
                                                                                  b"two"]
    assert list(tf.data.TextLineDataset(str(zl), "ZLIB").as_numpy_iterator()) == [b"three"]


def test_missing_text_file(tmp_path):
    ds = tf.data.TextLineDataset(str(tmp_path / "nope.txt"))
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        list(ds)


def csv_rows(dataset):
    rows, it = [], iter(dataset)
    while True:
        try:
            rows.append(tuple(x.numpy() for x in next(it)))
        except StopIteration:
            return rows
        except tf.errors.InvalidArgumentError as error:
            rows.append(str(error).replace(" [Op:IteratorGetNext]", ""))


def test_csv_records(text_files):
    C = tf.data.experimental.CsvDataset
    f, g = str(text_files / "f.csv"), str(text_files / "g.csv")
    ds = C(f, [tf.string, 0, 0.0])
    assert ds.element_spec == (tf.TensorSpec([], tf.string), tf.TensorSpec([], tf.int32),
                               tf.TensorSpec([], tf.float32))
    assert repr(ds).startswith("<CsvDatasetV2 ")
    assert csv_rows(ds) == [(b"a", 1, 2.5), (b"b,c", 0, 3.0), (b"d", 4, 0.0)]
    assert csv_rows(C(f, [tf.string, tf.int32, 0.0])) == [
        (b"a", 1, 2.5), "Field 1 is required but missing in record!", (b"d", 4, 0.0)]
    assert csv_rows(C(f, [tf.string, 0, 0.0], use_quote_delim=False)) == [
        (b"a", 1, 2.5), 'Field 1 in record is not a valid int32: c"', (b"d", 4, 0.0)]
    assert csv_rows(C(f, [tf.string, 0.0], select_cols=[0, 2])) == [
        (b"a", 2.5), (b"b,c", 3.0), (b"d", 0.0)]
    assert csv_rows(C(f, [tf.string, 0.0])) == ["Expect 2 fields but have more in record"] * 3
    assert csv_rows(C(f, [tf.string, 0, 0.0], header=True)) == [(b"b,c", 0, 3.0),
                                                                (b"d", 4, 0.0)]
    assert csv_rows(C(f, [tf.string, 0, 0.0], na_value="d")) == [
        (b"a", 1, 2.5), (b"b,c", 0, 3.0), "Field 0 is required but missing in record!"]
    assert csv_rows(C(g, [tf.string, tf.string])) == [
        (b"1", b"2"), "Field 0 is required but missing in record!",
        "Expect 2 fields but have 1 in record", (b" 4", b"5.5"), (b'x"y', b"2")]
    assert csv_rows(C(g, [[0], [0.0]])) == [
        (1, 2.0), "Expect 2 fields but have 1 in record", "Expect 2 fields but have 1 in record",
        (4, 5.5), 'Field 0 in record is not a valid int32: x"y']
    assert csv_rows(C(g, ["a"], exclude_cols=[0])) == [
        (b"2",), "Expect 1 fields but have 0 in record", "Expect 1 fields but have 0 in record",
        (b"5.5",), (b"2",)]
    float64 = C(f, [tf.string, 0, tf.constant(1.0, tf.float64)])
    assert float64.element_spec[2] == tf.TensorSpec([], tf.float64)


def test_csv_argument_errors(text_files):
    C = tf.data.experimental.CsvDataset
    g = str(text_files / "g.csv")
    with pytest.raises(tf.errors.InvalidArgumentError, match="select_cols or exclude_cols"):
        C(g, [0], select_cols=[1], exclude_cols=[0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="strictly increasing"):
        C(g, [0, 1], select_cols=[1, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="should match output size"):
        C(g, [0], select_cols=[0, 1])


def test_list_files(text_files, monkeypatch):
    monkeypatch.chdir(text_files)
    assert list(D.list_files(["*.txt", "*.csv"], shuffle=False).as_numpy_iterator()) == [
        b"./f.csv", b"./g.csv", b"./t.txt", b"./u.txt"]
    assert list(D.list_files(["*.txt", "*.none"], shuffle=False).as_numpy_iterator()) == [
        b"./t.txt", b"./u.txt"]
    absolute = str(text_files / "*.txt")
    assert list(D.list_files(absolute, shuffle=False).as_numpy_iterator()) == [
        str(text_files / "t.txt").encode(), str(text_files / "u.txt").encode()]
    shuffled = D.list_files("*.txt", seed=4)
    assert repr(shuffled).startswith("<_ShuffleDataset ")
    assert int(shuffled.cardinality()) == 2
    assert sorted(shuffled.as_numpy_iterator()) == [b"./t.txt", b"./u.txt"]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="No files matched pattern: \\*.none, \\*.nada"):
        D.list_files(["*.none", "*.nada"])


def test_make_csv_dataset(tmp_path):
    # Expected values: TF 2.21's make_csv_dataset on the same file.
    path = tmp_path / "h.csv"
    path.write_bytes(b'a,b,name,score\n1,2.5,x,10\n3,,y,20\n5,4.5,"z,q",30\n')
    make = tf.data.experimental.make_csv_dataset
    ds = make(str(path), batch_size=2, shuffle=False, num_epochs=1)
    assert str(ds.element_spec) == (
        "OrderedDict([('a', TensorSpec(shape=(None,), dtype=tf.int32, name=None)), "
        "('b', TensorSpec(shape=(None,), dtype=tf.float32, name=None)), "
        "('name', TensorSpec(shape=(None,), dtype=tf.string, name=None)), "
        "('score', TensorSpec(shape=(None,), dtype=tf.int32, name=None))])")
    assert [{k: v.numpy().tolist() for k, v in b.items()} for b in ds] == [
        {"a": [1, 3], "b": [2.5, 0.0], "name": [b"x", b"y"], "score": [10, 20]},
        {"a": [5], "b": [4.5], "name": [b"z,q"], "score": [30]}]
    forever = make(str(path), batch_size=2, label_name="score", shuffle=False)
    features, label = next(iter(forever))
    assert int(forever.cardinality()) == tf.data.INFINITE_CARDINALITY
    assert list(features) == ["a", "b", "name"] and label.numpy().tolist() == [10, 20]
    assert forever.element_spec[1] == tf.TensorSpec([2], tf.int32)
    typed = make(str(path), batch_size=3, column_defaults=[0.0, 0.0, "", 0], num_epochs=1,
                 shuffle=False)
    assert next(iter(typed))["a"].numpy().tolist() == [1.0, 3.0, 5.0]
    picked = make(str(path), batch_size=3, select_columns=["a", "score"], label_name="score",
                  num_epochs=1, shuffle=False)
    assert list(picked.element_spec[0]) == ["a"]
    with pytest.raises(ValueError, match="`label_name` provided must be one of the columns"):
        make(str(path), batch_size=3, label_name="nope")
    with pytest.raises(ValueError, match="Column nope specified in `select_columns`"):
        make(str(path), batch_size=3, select_columns=["nope"])


# The first two records of a file written by TF's tf.io.TFRecordWriter: b"hello" and b"".
TF_RECORDS = (b"\x05\x00\x00\x00\x00\x00\x00\x00\xea\xb2\x04>hello\xbb\x1f\x1c\x19"
              b"\x00\x00\x00\x00\x00\x00\x00\x00)\x03\x98\x07\xd8\xea\x82\xa2")


def test_crc32c_check_value():
    from tapeflow.data.readers import crc32c
    assert crc32c(b"123456789") == 0xE3069283   # the standard CRC-32C check value


def test_tfrecord_dataset(tmp_path):
    path = tmp_path / "r.tfrecord"
    path.write_bytes(TF_RECORDS)
    ds = tf.data.TFRecordDataset([str(path)])
    assert repr(ds).startswith("<TFRecordDatasetV2 ")
    assert int(ds.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    assert list(ds.as_numpy_iterator()) == [b"hello", b""]
    (tmp_path / "r.gz").write_bytes(gzip.compress(TF_RECORDS))
    assert list(tf.data.TFRecordDataset(str(tmp_path / "r.gz"), "GZIP").as_numpy_iterator()) \
        == [b"hello", b""]
    # TF's errors for the same damage (DataLossError with the record's offset)
    for damage, message in ((14, "corrupted record at 12"),
                            (2, r"corrupted record at 0 \(Is this even a TFRecord file\?\)")):
        bad = bytearray(TF_RECORDS)
        bad[damage] ^= 1
        path.write_bytes(bytes(bad))
        with pytest.raises(tf.errors.DataLossError, match=message):
            list(tf.data.TFRecordDataset(str(path)))
    path.write_bytes(TF_RECORDS[:-3])
    with pytest.raises(tf.errors.DataLossError, match="truncated record at 21"):
        list(tf.data.TFRecordDataset(str(path)))


def test_fixed_length_records(tmp_path):
    path = tmp_path / "fl.bin"
    path.write_bytes(b"HDR" + b"abcdefgh" + b"FT")
    ds = tf.data.FixedLengthRecordDataset(str(path), 4, header_bytes=3, footer_bytes=2)
    assert list(ds.as_numpy_iterator()) == [b"abcd", b"efgh"]
    path.write_bytes(b"HDR" + b"abcdefghxy" + b"FT")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="has body length 10 bytes, which is not an exact multiple"):
        list(ds)
