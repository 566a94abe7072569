"""Top-level ops of TF's API: saturate_cast, bitcast, unravel_index, histograms,
space_to_batch; values and messages from TF 2.21 (the registry test checks the ops'
values against NumPy references, gradients and shape rules)."""
import numpy as np
import pytest

import tapeflow as tf


@pytest.mark.parametrize("values, dtype, expected", [
    ([-300.0, 1.5, 300.0, np.nan, np.inf], tf.uint8, [0, 1, 255, 0, 255]),
    (np.array([1e300, -1e300]), tf.float32, [3.4028235e38, -3.4028235e38]),
    ([3e9, -3e9, 2147483520.0], tf.int32, [2147483520, -2147483648, 2147483520]),
    ([1e20, -1e20], tf.int64, [-9223372036854775808, -9223372036854775808]),   # TF's overflow
    ([1e6], tf.float16, [65504.0]),
    (np.array([200], np.uint8), tf.int8, [127]),
    (np.array([-5], np.int32), tf.uint32, [0]),
    (np.array([-300, 1, 300], np.int32), tf.int8, [-128, 1, 127]),
    (np.array([2 ** 31 - 1], np.int32), tf.float32, [2.1474836e09]),
])
def test_saturate_cast_matches_tf(values, dtype, expected):
    out = tf.saturate_cast(tf.constant(values), dtype)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), np.array(expected, dtype.as_numpy_dtype))


def test_saturate_cast_complex_and_gradient():
    out = tf.saturate_cast(tf.constant([1 + 2j], tf.complex64), tf.float32)
    np.testing.assert_array_equal(out, [1.0])
    wide = tf.constant([1e300 + 1e300j, 2 - 3j], tf.complex128)
    np.testing.assert_allclose(tf.saturate_cast(wide, tf.complex64),
                               np.array([3.4028235e38 + 3.4028235e38j, 2 - 3j], np.complex64))
    x = tf.constant([1e300, 1.0, -2.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.saturate_cast(x, tf.float32) * 2.0)
    np.testing.assert_array_equal(tape.gradient(y, x), [0.0, 2.0, 2.0])   # clamped: none


def test_bitcast_matches_tf():
    assert int(tf.bitcast(tf.constant([1.0]), tf.int32)[0]) == 1065353216
    np.testing.assert_array_equal(tf.bitcast(tf.constant([1.0, 2.0]), tf.uint8),
                                  [[0, 0, 128, 63], [0, 0, 0, 64]])
    assert tf.bitcast(tf.constant([[1, 2, 3, 4]], tf.uint8), tf.int32).numpy().tolist() == [
        67305985]
    assert int(tf.bitcast(tf.constant([1, 2], tf.int32), tf.int64)) == 8589934593
    assert tf.bitcast(tf.constant(1, tf.int32), tf.float32).numpy() == np.float32(1.4e-45)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot bitcast from 4 to 5"):
        tf.bitcast(tf.constant([1, 2, 3], tf.uint8), tf.int16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot bitcast from 1 to 8"):
        tf.bitcast(tf.constant([1.0], tf.float32), tf.complex64)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Value for attr 'type' of string is not in the list"):
        tf.bitcast(tf.constant([1.0]), tf.string)
    traced = tf.function(lambda x: tf.bitcast(x, tf.int16))
    with pytest.raises(ValueError, match="Cannot bitcast from 4 to 5"):
        traced(tf.constant([1, 2, 3], tf.uint8))


def test_unravel_index_matches_tf():
    np.testing.assert_array_equal(tf.unravel_index([1, 5, 4], [3, 4]), [[0, 1, 1], [1, 1, 0]])
    np.testing.assert_array_equal(tf.unravel_index(5, [3, 4]), [1, 1])
    np.testing.assert_array_equal(tf.unravel_index(-1, [3, 4]), [0, -1])   # TF's C arithmetic
    np.testing.assert_array_equal(tf.unravel_index(-13, [3, 4]), [0, -1])
    out = tf.unravel_index(tf.constant([1], tf.int64), [3, 4])
    assert out.dtype == tf.int64 and out.shape == (2, 1)
    errors = [((12, [3, 4]), "index is out of bound as with dims"),
              (([[1, 5], [4, 0]], [3, 4]), 'The indices can only be scalar or vector, got '
                                           '"\\[2,2\\]"'),
              (([1], [3, 0]), "Input dims cannot contain a dim of zero, but dims contains "
                              "zero at index 1"),
              (([1], [-3, 4]), "Input dims cannot be negative. Got dim = -3 at index 0"),
              (([1], 3), 'The indices can only be 1-D, got "\\[\\]"'),
              ((tf.zeros([0], tf.int32), [3, 4]), "received empty tensor indices")]
    for args, message in errors:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            tf.unravel_index(*args)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of float"):
        tf.unravel_index(tf.constant(1.0), [3, 4])


def test_histogram_fixed_width_matches_tf():
    values = [-1.0, 0.0, 1.5, 2.0, 5.0, 15]
    np.testing.assert_array_equal(tf.histogram_fixed_width(values, [0.0, 5.0], nbins=5),
                                  [2, 1, 1, 0, 2])
    np.testing.assert_array_equal(
        tf.histogram_fixed_width(tf.constant([1, 2, 3]), [0, 5], nbins=5), [0, 1, 1, 1, 0])
    out = tf.histogram_fixed_width([1.0, 2.0], [0.0, 5.0], nbins=5, dtype=tf.int64)
    assert out.dtype == tf.int64 and out.numpy().tolist() == [0, 1, 1, 0, 0]
    edges = np.array([0.1 * i for i in range(11)], np.float32)   # float32 rounding, as TF
    np.testing.assert_array_equal(tf.histogram_fixed_width(edges, [0.0, 1.0], nbins=10),
                                  [1, 1, 1, 1, 1, 1, 2, 0, 2, 1])
    np.testing.assert_array_equal(
        tf.histogram_fixed_width(tf.constant([2 ** 31 - 1, -2 ** 31]),
                                 tf.constant([-2 ** 31, 2 ** 31 - 1]), nbins=4), [1, 0, 0, 1])
    for args, message in [(([1.0], [5.0, 0.0], 5), "value_range should satisfy value_range"
                                                   "\\[0\\] < value_range\\[1\\], but got "
                                                   "'\\[5, 0\\]'"),
                          (([1.0], [0.0, 5.0], 0), "nbins should be a positive number, but "
                                                   "got '0'"),
                          (([np.nan], [0.0, 5.0], 5), "Histogram values must not contain NaN"),
                          (([0.3], [0.0, 1.0, 2.0], 3), "value_range should be a vector of 2 "
                                                        "elements.")]:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            tf.histogram_fixed_width(args[0], args[1], nbins=args[2])


def test_histogram_fixed_width_bins_matches_tf():
    values = [-1.0, 0.0, 1.5, 2.0, 5.0, 15]
    out = tf.histogram_fixed_width_bins(values, [0.0, 5.0], nbins=5)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [0, 0, 1, 2, 4, 4]
    out = tf.histogram_fixed_width_bins([[-1.0, 0.0], [1.5, 2.0]], [0.0, 5.0], nbins=5)
    assert out.numpy().tolist() == [[0, 0], [1, 2]]
    out = tf.histogram_fixed_width_bins([np.nan, np.inf, -np.inf], [0.0, 5.0], nbins=5)
    assert out.numpy().tolist() == [-2147483648, 4, 0]
    assert tf.histogram_fixed_width_bins([0.3, 0.6], [0.0, 1.0], nbins=3,
                                         dtype=tf.int64).dtype == tf.int32
    assert tf.histogram_fixed_width_bins([3.0, 7], [10.0, 0], nbins=3).numpy().tolist() == [2, 0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="must > 0"):
        tf.histogram_fixed_width_bins([3.0, 7], [0.0, 10], nbins=0)
    x = tf.constant([0.5, 0.2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.histogram_fixed_width_bins(x, [0.0, 1.0], 3)
    assert tape.gradient(y, x) is None


def test_space_to_batch_matches_tf():
    x = np.arange(2 * 4 * 6 * 3).reshape(2, 4, 6, 3).astype(np.float32)
    out = tf.space_to_batch_nd(x, [2, 3], [[0, 0], [1, 2]])
    assert out.shape == (12, 2, 3, 3)
    assert out.numpy().ravel()[:12].tolist() == [0, 0, 0, 6, 7, 8, 15, 16, 17, 0, 0, 0]
    np.testing.assert_array_equal(tf.space_to_batch(x, [2, 3], [[0, 0], [1, 2]]), out)
    np.testing.assert_array_equal(tf.batch_to_space(out, [2, 3], [[0, 0], [1, 2]]), x)
    errors = [(lambda: tf.space_to_batch_nd(x, [3, 3], [[0, 0], [0, 0]]),
               "padded_shape\\[0\\]=4 is not divisible by block_shape\\[0\\]=3"),
              (lambda: tf.space_to_batch_nd(x, [0, 3], [[0, 0], [0, 0]]),
               "All values in block_shape must be positive, got value, 0 at index 0."),
              (lambda: tf.space_to_batch_nd(x, [2, 3], [[-1, 1], [0, 0]]),
               "Paddings must be non-negative"),
              (lambda: tf.space_to_batch_nd(np.arange(8.0), [4], [[0, 0]]),
               "input rank should be >= 2 instead of 1"),
              (lambda: tf.space_to_batch_nd(x, [2, 3], [[0, 0]]),
               "paddings should have shape \\[2, 2\\] instead of \\[1,2\\]"),
              (lambda: tf.batch_to_space(x, [3, 1], [[0, 0], [0, 0]]),
               "Input batch dimension \\(2\\) is not divisible by product of block sizes "
               "\\(3\\)"),
              (lambda: tf.batch_to_space(x, [2, 1], [[4, 5], [0, 0]]),
               "cropped_shape\\[0\\]=-1 must be non-negative")]
    for call, message in errors:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            call()
    traced = tf.function(lambda x: tf.space_to_batch_nd(x, [3, 3], [[0, 0], [0, 0]]))
    with pytest.raises(ValueError, match="is not divisible by block_shape"):
        traced(tf.constant(x))


def test_space_to_batch_gradient_is_batch_to_space():
    x = tf.constant(np.arange(24.0).reshape(1, 4, 6, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.space_to_batch_nd(x, [2, 2], [[1, 1], [0, 2]])
        loss = tf.reduce_sum(y)   # padding takes no gradient; every input is used once
    np.testing.assert_array_equal(tape.gradient(loss, x), np.ones((1, 4, 6, 1)))
