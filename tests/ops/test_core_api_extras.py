"""tf.edit_distance, tf.audio, tf.lookup, tf.autodiff.ForwardAccumulator, tf.timestamp:
values and messages from TF 2.21."""
import time

import numpy as np
import pytest

import tapeflow as tf


def test_edit_distance_matches_tf():
    hyp = tf.SparseTensor([[0, 0, 0], [1, 0, 0]], ["a", "b"], [2, 1, 1])
    truth = tf.SparseTensor([[0, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]], ["a", "b", "c", "a"],
                            [2, 2, 2])
    np.testing.assert_array_equal(tf.edit_distance(hyp, truth), [[np.inf, 1.0], [0.5, 1.0]])
    np.testing.assert_array_equal(tf.edit_distance(hyp, truth, normalize=False),
                                  [[1.0, 1.0], [1.0, 1.0]])
    h = tf.SparseTensor([[0, 0], [0, 1], [0, 2]], [1, 2, 3], [1, 3])
    empty = tf.SparseTensor(np.zeros((0, 2), np.int64), tf.zeros([0], tf.int32), [1, 2])
    assert tf.edit_distance(h, empty).numpy().tolist() == [np.inf]
    assert tf.edit_distance(empty, empty).numpy().tolist() == [0.0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="cannot compute EditDistance as input #4\\(zero-based\\) was "
                             "expected to be a int32 tensor but is a float tensor"):
        tf.edit_distance(h, tf.SparseTensor([[0, 0]], [1.0], [1, 2]))
    with pytest.raises(TypeError, match="Hypothesis must be a SparseTensor."):
        tf.edit_distance(tf.constant([[1]]), h)


def test_audio_matches_tf():
    audio = tf.constant([[0.5, -0.5], [1.0, -1.0], [0.25, 2.0]])
    wav = tf.audio.encode_wav(audio, 16000)
    assert wav.numpy() == (b"RIFF0\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x80>"
                           b"\x00\x00\x00\xfa\x00\x00\x04\x00\x10\x00data\x0c\x00\x00\x00\x00"
                           b"@\x00\xc0\xff\x7f\x00\x80\x00 \xff\x7f")
    decoded, rate = tf.audio.decode_wav(wav)
    assert int(rate) == 16000 and rate.dtype == tf.int32
    np.testing.assert_array_equal(decoded, [[0.5, -0.5], [0.999969482421875, -1.0],
                                            [0.25, 0.999969482421875]])
    assert tf.audio.decode_wav(wav, desired_channels=1)[0].shape == (3, 1)
    padded = tf.audio.decode_wav(wav, desired_samples=5)[0].numpy()
    assert padded.shape == (5, 2) and padded[3:].tolist() == [[0, 0], [0, 0]]
    mono = tf.audio.encode_wav(tf.constant([[0.5], [0.1]]), 8000)
    assert tf.audio.decode_wav(mono, desired_channels=2)[0].numpy().tolist() == [
        [0.5, 0.5], [0.100006103515625, 0.100006103515625]]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Header mismatch: Expected RIFF but found garb"):
        tf.audio.decode_wav(b"garbage")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="audio must be 2-dimensional\\[1\\]"):
        tf.audio.encode_wav(tf.constant([0.5]), 8000)


def test_static_hash_tables_match_tf(tmp_path):
    init = tf.lookup.KeyValueTensorInitializer(tf.constant(["a", "b"]),
                                               tf.constant([1, 2], tf.int64))
    table = tf.lookup.StaticHashTable(init, default_value=-1)
    assert table.lookup(tf.constant(["a", "c", "b"])).numpy().tolist() == [1, -1, 2]
    assert table.lookup(tf.constant([["a"], ["zz"]])).numpy().tolist() == [[1], [-1]]
    assert table[tf.constant(["b"])].numpy().tolist() == [2]
    assert int(table.size()) == 2 and table.size().dtype == tf.int64
    keys, values = table.export()
    assert dict(zip(keys.numpy().tolist(), values.numpy().tolist())) == {b"a": 1, b"b": 2}
    assert (table.key_dtype, table.value_dtype, int(table.default_value)) == (tf.string,
                                                                              tf.int64, -1)
    with pytest.raises(TypeError, match="Dtype of argument `keys` must be <dtype: 'string'>, "
                                        "received: <dtype: 'int32'>"):
        table.lookup(tf.constant([1]))
    numbers = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([1, 2], [10.0, 20.0]),
                                        -1.0)
    assert numbers.key_dtype == tf.int32
    assert numbers.lookup(tf.constant([2, 3])).numpy().tolist() == [20.0, -1.0]
    with pytest.raises(TypeError, match="Cannot convert -1.5 to EagerTensor of dtype int64"):
        tf.lookup.StaticHashTable(init, default_value=-1.5)
    with pytest.raises(tf.errors.FailedPreconditionError,
                       match="HashTable has different value for same key. Key a has 1 and "
                             "trying to add value 2"):
        tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a", "a"], [1, 2]), -1)
    vocab = tmp_path / "vocab.tsv"
    vocab.write_text("apple\t3\nbanana\t5\ncherry\t7\n")
    by_column = tf.lookup.TextFileInitializer(str(vocab), tf.string, 0, tf.int64, 1)
    assert tf.lookup.StaticHashTable(by_column, -1).lookup(
        tf.constant(["banana", "x"])).numpy().tolist() == [5, -1]
    by_line = tf.lookup.TextFileInitializer(str(vocab), tf.string,
                                            tf.lookup.TextFileIndex.WHOLE_LINE, tf.int64,
                                            tf.lookup.TextFileIndex.LINE_NUMBER)
    assert tf.lookup.StaticHashTable(by_line, -1).lookup(
        tf.constant(["banana\t5", "x"])).numpy().tolist() == [1, -1]
    traced = tf.function(lambda x: table.lookup(x))
    assert traced(tf.constant(["b", "q"])).numpy().tolist() == [2, -1]
    dataset = tf.data.Dataset.from_tensor_slices(["a", "b", "z"]).map(table.lookup)
    assert [int(x) for x in dataset] == [1, 2, -1]


def test_forward_accumulator_matches_tf():
    x = tf.constant([1.0, 2.0])
    with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.5])) as acc:
        y = tf.sin(x) * x
        z = tf.constant(3.0)
    np.testing.assert_allclose(acc.jvp(y), [1.3817732, 0.03850186], rtol=1e-5)
    assert acc.jvp(z) is None and float(acc.jvp(z, unconnected_gradients="zero")) == 0.0
    assert len(acc.jvp([y, y])) == 2
    v = tf.Variable([1.0, 3.0])
    with tf.autodiff.ForwardAccumulator(v, tf.constant([0.0, 1.0])) as acc:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(v ** 3)
        grad = tape.gradient(loss, v)
    np.testing.assert_array_equal(acc.jvp(grad), [0.0, 18.0])   # a Hessian-vector product
    assert float(acc.jvp(loss)) == 27.0
    assert tf.autodiff.GradientTape is tf.GradientTape


def test_nested_tapes_differentiate_twice_through_variables():
    v = tf.Variable([1.0, 3.0])
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = tf.reduce_sum(v ** 3)
        grad = inner.gradient(loss, v)
    np.testing.assert_array_equal(grad, [3.0, 27.0])
    np.testing.assert_array_equal(outer.gradient(grad, v), [6.0, 18.0])
    w = tf.Variable([0.3, -0.7], dtype=tf.float64)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(tf.sin(w) * w)
        first = inner.gradient(y, w)               # cos(w) w + sin(w)
    second = outer.gradient(first, w).numpy()      # 2 cos(w) - w sin(w)
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(second, 2 * np.cos(x) - x * np.sin(x), rtol=1e-12)


def test_timestamp_runs_at_every_call():
    before = time.time()
    stamp = tf.timestamp()
    assert stamp.dtype == tf.float64 and before <= float(stamp) <= time.time()
    traced = tf.function(lambda: tf.timestamp())
    first = float(traced())
    time.sleep(0.002)
    assert float(traced()) > first
    assert int(tf.guarantee_const(tf.constant(3))) == 3
