"""Behaviour of tf.nn pooling: TF's tie-breaking, SAME divisors, argument forms and
errors (expected values and messages read from TF 2.21 on CPU)."""
import numpy as np
import pytest

import tapeflow as tf

X = tf.ones([2, 7, 7, 3])


def _max_pool_grad(x, ksize, strides, padding):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.max_pool2d(x, ksize, strides, padding)
    return tape.gradient(y, x).numpy()[0, :, :, 0]


def test_max_pool_gradient_goes_to_the_first_maximum():
    zeros = np.zeros([1, 4, 4, 1], np.float32)
    corners = [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(_max_pool_grad(zeros, 2, 2, "VALID"), corners)
    np.testing.assert_array_equal(_max_pool_grad(zeros, 3, 2, "SAME"), corners)
    np.testing.assert_array_equal(_max_pool_grad(zeros, 3, 1, "VALID"),
                                  [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    x = np.array([[1.0, 3.0], [3.0, 2.0]], np.float32)[None, :, :, None]
    np.testing.assert_array_equal(_max_pool_grad(x, 2, 2, "VALID"), [[0, 1], [0, 0]])


def test_max_pool_second_derivative_matches_tf():
    x = tf.constant(np.arange(16.0, dtype=np.float32).reshape(1, 4, 4, 1))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.nn.max_pool2d(x * x, 3, 1, "SAME")
        g = inner.gradient(y, x)
    np.testing.assert_array_equal(g[0, :, :, 0].numpy(),
                                  [[0, 0, 0, 0], [0, 10, 12, 28], [0, 18, 20, 44],
                                   [0, 52, 56, 120]])
    np.testing.assert_array_equal(outer.gradient(g, x)[0, :, :, 0].numpy(),
                                  [[0, 0, 0, 0], [0, 2, 2, 4], [0, 2, 2, 4], [0, 4, 4, 8]])


def test_same_pooling_values():
    x = tf.constant(np.arange(1.0, 26.0, dtype=np.float32).reshape(1, 5, 5, 1))
    np.testing.assert_allclose(tf.nn.avg_pool2d(x, 2, 2, "SAME")[0, :, :, 0].numpy(),
                               [[4, 6, 7.5], [14, 16, 17.5], [21.5, 23.5, 25]])
    np.testing.assert_allclose(tf.nn.max_pool2d(x, 3, 2, "SAME")[0, :, :, 0].numpy(),
                               [[7, 9, 10], [17, 19, 20], [22, 24, 25]])
    assert tf.nn.max_pool2d(-tf.ones([1, 3, 3, 1]), 2, 2, "SAME").numpy().ravel().tolist() == \
        [-1, -1, -1, -1]


def test_avg_pool_gradient_divides_by_real_pixels():
    x = tf.constant(np.arange(16.0, dtype=np.float32).reshape(1, 4, 4, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.avg_pool2d(x, 3, 2, "SAME")
    np.testing.assert_allclose(tape.gradient(y, x)[0, :, :, 0].numpy(),
                               [[1 / 9, 1 / 9, 0.2777778, 1 / 6],
                                [1 / 9, 1 / 9, 0.2777778, 1 / 6],
                                [0.2777778, 0.2777778, 0.6944445, 0.4166667],
                                [1 / 6, 1 / 6, 0.4166667, 0.25]], rtol=1e-6)


def test_max_pool_ignores_nan_like_tf():
    x = tf.constant([[np.nan, 1.0], [2.0, 3.0]])[None, :, :, None]
    assert tf.nn.max_pool2d(x, 2, 2, "VALID").numpy().ravel().tolist() == [3.0]


def test_pooling_shapes_and_dtypes():
    assert tf.nn.max_pool2d(X, [2, 3], [1, 2], "VALID").shape == [2, 6, 3, 3]
    assert tf.nn.max_pool2d(X, [1, 2, 2, 1], [1, 2, 2, 1], "VALID").shape == [2, 3, 3, 3]
    assert tf.nn.max_pool2d(X, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]).shape == [2, 4, 4, 3]
    assert tf.nn.max_pool2d(X, 8, 1, "VALID").shape == [2, 0, 0, 3]
    assert tf.nn.avg_pool2d(X, 8, 1, "VALID").shape == [2, 0, 0, 3]
    for dtype in (tf.int32, tf.uint8, tf.int64, tf.float64):
        assert tf.nn.max_pool2d(tf.ones([1, 4, 4, 1], dtype), 2, 2, "VALID").dtype == dtype
    assert tf.nn.max_pool1d(tf.ones([2, 7, 3]), 2, 2, "SAME").shape == [2, 4, 3]
    assert tf.nn.max_pool1d(tf.ones([2, 7, 3]), [1, 2, 1], [1, 2, 1], "SAME").shape == [2, 4, 3]
    assert tf.nn.max_pool1d(tf.ones([2, 7, 3]), 2, 2, [[0, 0], [1, 1], [0, 0]]).shape == \
        [2, 4, 3]
    assert tf.nn.avg_pool1d(tf.ones([2, 7, 3]), 3, 2, "VALID").shape == [2, 3, 3]
    assert tf.nn.max_pool(tf.ones([2, 7, 3]), 2, 2, "SAME").shape == [2, 4, 3]
    assert tf.nn.avg_pool(X, 2, 2, "SAME").shape == [2, 4, 4, 3]
    assert tf.nn.pool(X, [2, 2], "MAX", strides=[2, 2], padding="SAME").shape == [2, 4, 4, 3]
    assert tf.nn.pool(X, [2, 2], "AVG", padding="SAME").shape == [2, 7, 7, 3]


@pytest.mark.parametrize("call, error, message", [
    (lambda: tf.nn.max_pool2d(X, [1, 2, 2], 2, "VALID"), ValueError,
     r"ksize should be of length 1, 2 or 4. Received: ksize=\[1, 2, 2\] of length 3"),
    (lambda: tf.nn.max_pool2d(X, [2, 2, 2, 1], 2, "VALID"), tf.errors.UnimplementedError,
     "Pooling is not yet supported on the batch dimension."),
    (lambda: tf.nn.max_pool2d(X, [1, 2, 2, 3], [1, 2, 2, 3], "VALID"),
     tf.errors.UnimplementedError, "MaxPooling supports exactly one of pooling across depth"),
    (lambda: tf.nn.max_pool2d(X, 2, 2, "same"), tf.errors.InvalidArgumentError,
     "Value for attr 'padding' of \"same\" is not in the list of allowed values"),
    (lambda: tf.nn.max_pool2d(X, 2, 0, "VALID"), tf.errors.InvalidArgumentError,
     "Stride must be > 0, but got 0"),
    (lambda: tf.nn.max_pool2d(X, 0, 1, "VALID"), tf.errors.InvalidArgumentError,
     "Sliding window ksize must be positive. The specified or inferred ksize is: 1,0,0,1"),
    (lambda: tf.nn.max_pool2d(tf.ones([7, 7, 3]), 2, 2, "VALID"),
     tf.errors.InvalidArgumentError, "tensor_in_shape must have 2 spatial dimensions. 3 0"),
    (lambda: tf.nn.avg_pool2d(tf.ones([7, 7, 3]), 2, 2, "VALID"),
     tf.errors.InvalidArgumentError, "Input must be 4 or 5-dimensional"),
    (lambda: tf.nn.max_pool2d(tf.ones([1, 4, 4, 1]), 2, 2, "VALID", data_format="NWHC"),
     tf.errors.InvalidArgumentError, "Value for attr 'data_format' of \"NWHC\""),
    (lambda: tf.nn.avg_pool2d(tf.ones([1, 4, 4, 1], tf.int32), 2, 2, "VALID"),
     tf.errors.InvalidArgumentError, "Value for attr 'T' of int32 is not in the list"),
    (lambda: tf.nn.max_pool2d(tf.ones([1, 4, 4, 1], tf.bool), 2, 2, "VALID"),
     tf.errors.InvalidArgumentError, "Value for attr 'T' of bool is not in the list"),
    (lambda: tf.nn.avg_pool2d(X, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), TypeError,
     "Expected string for argument 'padding'"),
    (lambda: tf.nn.max_pool1d(tf.ones([2, 7, 3]), [2, 2], 2, "SAME"), ValueError,
     "ksize should be of length 1, 1 or 3"),
    (lambda: tf.nn.max_pool(tf.ones([7, 3]), 2, 2, "SAME"), ValueError,
     r"`input.shape.rank` must be 3, 4 or 5. Received: input.shape=\(7, 3\) of rank 2."),
    (lambda: tf.nn.pool(X, [2, 2], "MIN", padding="SAME"), ValueError,
     "2-D MIN pooling is not supported."),
])
def test_pooling_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_channels_first_pooling():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 5)).astype(np.float32)
    for pool in (tf.nn.max_pool2d, tf.nn.avg_pool2d):
        nchw = pool(x, [1, 1, 3, 2], [1, 1, 2, 2], "SAME", data_format="NCHW")
        nhwc = pool(x.transpose(0, 2, 3, 1), [3, 2], 2, "SAME")
        np.testing.assert_allclose(nchw.numpy(), nhwc.numpy().transpose(0, 3, 1, 2))
    assert tf.nn.max_pool1d(tf.ones([2, 3, 7]), 2, 2, "SAME", data_format="NCW").shape == \
        [2, 3, 4]


def test_pooling_3d():
    x = tf.ones([2, 5, 6, 7, 3])
    assert tf.nn.max_pool3d(x, 2, 2, "SAME").shape == [2, 3, 3, 4, 3]
    assert tf.nn.max_pool3d(x, [2, 2, 1], [2, 1, 2], "VALID").shape == [2, 2, 5, 4, 3]
    assert tf.nn.max_pool3d(x, [1, 2, 2, 1, 1], [1, 2, 2, 2, 1], "VALID").shape == \
        [2, 2, 3, 4, 3]
    assert tf.nn.max_pool3d(tf.ones([2, 3, 5, 6, 7]), 2, 2, "SAME",
                            data_format="NCDHW").shape == [2, 3, 3, 3, 4]
    assert tf.nn.max_pool(x, 2, 2, "SAME").shape == [2, 3, 3, 4, 3]
    assert tf.nn.pool(x, [2, 2, 2], "AVG", strides=[2, 2, 2], padding="SAME").shape == \
        [2, 3, 3, 4, 3]
    volume = tf.constant(np.arange(1.0, 28.0, dtype=np.float32).reshape(1, 3, 3, 3, 1))
    np.testing.assert_allclose(tf.nn.avg_pool3d(volume, 2, 2, "SAME").numpy().ravel(),
                               [7.5, 9, 12, 13.5, 21, 22.5, 25.5, 27])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of double"):
        tf.nn.max_pool3d(tf.ones([1, 2, 2, 2, 1], tf.float64), 2, 2, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
        tf.nn.max_pool3d(tf.ones([1, 2, 2, 2, 1], tf.int32), 2, 2, "VALID")
    with pytest.raises(TypeError, match="Expected string for argument 'padding'"):
        tf.nn.max_pool3d(x, 2, 2, [[0, 0], [1, 1], [0, 0], [0, 0], [0, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="tensor_in must be 5-dimensional"):
        tf.nn.max_pool3d(tf.ones([2, 5, 6, 3]), 2, 2, "SAME")
