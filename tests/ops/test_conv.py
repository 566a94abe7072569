"""Behaviour of tf.nn convolutions: shapes, TF's SAME split, argument forms and errors
(expected values and messages read from TF 2.21 on CPU)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.ir import Graph

X = tf.ones([2, 7, 7, 3])
W = tf.ones([3, 3, 3, 4])


def _image_5x5():
    return tf.constant(np.arange(1.0, 26.0, dtype=np.float32).reshape(1, 5, 5, 1))


def test_same_padding_puts_the_smaller_half_first():
    out = tf.nn.conv2d(_image_5x5(), tf.ones([2, 2, 1, 1]), 2, "SAME")[0, :, :, 0].numpy()
    np.testing.assert_array_equal(out, [[16, 24, 15], [56, 64, 35], [43, 47, 25]])
    out = tf.nn.conv2d(_image_5x5(), tf.ones([3, 3, 1, 1]), 2, "SAME")[0, :, :, 0].numpy()
    np.testing.assert_array_equal(out, [[16, 33, 28], [69, 117, 87], [76, 123, 88]])


@pytest.mark.parametrize("strides, padding, dilations, shape", [
    (1, "VALID", None, [2, 5, 5, 4]),
    (2, "SAME", None, [2, 4, 4, 4]),
    ([2, 1], "SAME", None, [2, 4, 7, 4]),
    ([1, 2, 1, 1], "SAME", None, [2, 4, 7, 4]),
    ((2, 2), "VALID", None, [2, 3, 3, 4]),
    (1, "VALID", 2, [2, 3, 3, 4]),
    (2, "VALID", 2, [2, 2, 2, 4]),
    (1, [[0, 0], [1, 2], [0, 1], [0, 0]], None, [2, 8, 6, 4]),
])
def test_conv2d_output_shapes(strides, padding, dilations, shape):
    assert tf.nn.conv2d(X, W, strides, padding, dilations=dilations).shape == shape


def test_conv2d_argument_forms():
    assert tf.nn.conv2d(X, tf.ones([9, 9, 3, 4]), 1, "SAME").shape == [2, 7, 7, 4]
    assert tf.nn.conv2d(tf.ones([2, 2, 7, 7, 3]), W, 1, "VALID").shape == [2, 2, 5, 5, 4]
    assert tf.nn.conv2d(tf.ones([0, 7, 7, 3]), W, 1, "VALID").shape == [0, 5, 5, 4]
    assert tf.nn.conv2d(tf.ones([2, 7, 7, 4]), tf.ones([3, 3, 2, 4]), 1, "VALID").shape == \
        [2, 5, 5, 4]   # grouped: 2 groups of 2 input channels
    out = tf.nn.conv2d(tf.ones([2, 7, 7, 3], tf.int32), tf.ones([3, 3, 3, 4], tf.int32), 1,
                       "VALID")
    assert out.dtype == tf.int32 and int(out[0, 0, 0, 0]) == 27
    assert tf.nn.conv2d(np.ones([1, 3, 3, 1], np.float32), [[[[1.0]]]], 1, "VALID").shape == \
        [1, 3, 3, 1]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(padding="same"), tf.errors.InvalidArgumentError,
     "Value for attr 'padding' of \"same\" is not in the list of allowed values"),
    (dict(padding="EXPLICIT"), ValueError, "'EXPLICIT' is not a valid value for `padding`"),
    (dict(padding=[[1, 2], [0, 1]]), ValueError,
     "When padding is a list, it must be of size 4"),
    (dict(padding=[[1, 0], [1, 2], [0, 1], [0, 0]]), tf.errors.InvalidArgumentError,
     "Nonzero explicit padding in the batch or depth dimensions is not supported"),
    (dict(padding=[[0, 0], [-1, 2], [0, 1], [0, 0]]), tf.errors.InvalidArgumentError,
     "All elements of explicit_paddings must be nonnegative"),
    (dict(strides=[1, 2, 1]), ValueError, "strides should be of length 1, 2 or 4"),
    (dict(strides=[2, 2, 1, 1]), tf.errors.UnimplementedError,
     "does not yet support strides in the batch and depth dimensions"),
    (dict(strides=0), tf.errors.InvalidArgumentError,
     "Row and column strides should be larger than 0."),
    (dict(dilations=0), tf.errors.InvalidArgumentError, "Dilated rates should be larger than 0."),
    (dict(dilations=[1, 2, 1]), ValueError, "dilations should be of length 1, 2 or 4"),
    (dict(data_format="NCHW"), tf.errors.UnimplementedError,
     "The Conv2D op currently only supports the NHWC tensor format on the CPU. The op was "
     "given the format: NCHW"),
    (dict(data_format="NWHC"), tf.errors.InvalidArgumentError,
     "Value for attr 'data_format' of \"NWHC\" is not in the list of allowed values"),
])
def test_conv2d_argument_errors(kwargs, error, message):
    args = dict(strides=1, padding="VALID")
    args.update(kwargs)
    with pytest.raises(error, match=message.replace("(", r"\(").replace("[", r"\[")):
        tf.nn.conv2d(X, W, **args)


def test_conv2d_input_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="input depth must be evenly divisible by filter depth: 3 vs 2"):
        tf.nn.conv2d(X, tf.ones([3, 3, 2, 4]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Computed output size would be negative: -1 \[input_size: 7, "
                             r"effective_filter_size: 9, stride: 1\]"):
        tf.nn.conv2d(X, tf.ones([9, 9, 3, 4]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"convolution input must be 4-dimensional: \[7,7,3\]"):
        tf.nn.conv2d(tf.ones([7, 7, 3]), W, 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="expected to be a float tensor but is a double tensor"):
        tf.nn.conv2d(X, tf.ones([3, 3, 3, 4], tf.float64), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int64"):
        tf.nn.conv2d(tf.ones([1, 3, 3, 1], tf.int64), tf.ones([1, 1, 1, 1], tf.int64), 1, "SAME")


def test_conv2d_transpose_shapes_and_errors():
    dy = tf.ones([2, 4, 4, 4])
    assert tf.nn.conv2d_transpose(dy, W, [2, 8, 8, 3], 2, "SAME").shape == [2, 8, 8, 3]
    assert tf.nn.conv2d_transpose(dy, W, [2, 9, 9, 3], 2, "VALID").shape == [2, 9, 9, 3]
    assert tf.nn.conv2d_transpose(dy, W, tf.constant([2, 8, 8, 3]), 2, "SAME").shape == \
        [2, 8, 8, 3]
    assert tf.nn.conv2d_transpose(dy, W, (tf.constant(2), 8, 8, 3), [1, 2, 2, 1]).shape == \
        [2, 8, 8, 3]
    assert tf.nn.conv2d_transpose(dy, W, (8, 8), 2, "SAME").shape == [2, 8, 8, 3]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Size of out_backprop doesn't match computed: actual = 4, "
                             "computed = 3"):
        tf.nn.conv2d_transpose(dy, W, [2, 7, 7, 3], 2, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="input and out_backprop must have the same batch size"):
        tf.nn.conv2d_transpose(dy, W, [3, 8, 8, 3], 2, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="filter and out_backprop must have the same out_depth"):
        tf.nn.conv2d_transpose(tf.ones([2, 4, 4, 5]), W, [2, 8, 8, 3], 2, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="input_sizes to contain 4 values or 2 values, but got: 3"):
        tf.nn.conv2d_transpose(dy, W, [8, 8, 3], 2, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"input #2\(zero-based\) was expected to be a double tensor but "
                             "is a float tensor"):
        tf.nn.conv2d_transpose(dy, tf.ones([3, 3, 3, 4], tf.float64), [2, 8, 8, 3], 2)


def test_conv1d_and_convolution():
    assert tf.nn.conv1d(tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), 2, "SAME").shape == [2, 4, 4]
    assert tf.nn.conv1d(tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), [1, 2, 1], "SAME").shape == \
        [2, 4, 4]
    assert tf.nn.conv1d(tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), 1, "SAME",
                        dilations=2).shape == [2, 7, 4]
    assert tf.nn.conv1d(tf.ones([2, 2, 7, 3]), tf.ones([3, 3, 4]), 1, "SAME").shape == \
        [2, 2, 7, 4]
    with pytest.raises(ValueError, match="stride should be of length 1, 1 or 3"):
        tf.nn.conv1d(tf.ones([2, 7, 3]), tf.ones([3, 3, 4]), [2, 2], "SAME")
    with pytest.raises(tf.errors.UnimplementedError, match="only supports the NHWC"):
        tf.nn.conv1d(tf.ones([2, 3, 7]), tf.ones([3, 3, 4]), 1, "SAME", data_format="NCW")
    out = tf.nn.conv1d_transpose(tf.ones([2, 4, 4]), tf.ones([3, 3, 4]), [2, 8, 3], 2, "SAME")
    assert out.shape == [2, 8, 3]
    assert tf.nn.convolution(tf.ones([2, 7, 3]), tf.ones([3, 3, 4])).shape == [2, 5, 4]
    assert tf.nn.convolution(X, W, padding="SAME", strides=2).shape == [2, 4, 4, 4]


def test_conv1d_matches_a_direct_sum():
    x = np.random.default_rng(0).standard_normal((1, 6, 2)).astype(np.float32)
    f = np.random.default_rng(1).standard_normal((3, 2, 1)).astype(np.float32)
    expected = [sum(x[0, i + k] @ f[k, :, 0] for k in range(3)) for i in range(4)]
    out = tf.nn.conv1d(x, f, 1, "VALID").numpy()[0, :, 0]
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_traced_gradient_with_unknown_batch():
    graph = Graph("grad")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([None, 6, 6, 2]))
        f = graph.placeholder(tf.TensorSpec([3, 3, 2, 4]))
        with tf.GradientTape() as tape:
            tape.watch([x, f])
            y = tf.nn.conv2d(x, f, 2, "SAME")
        dx, df = tape.gradient(y, [x, f])
    assert y.shape.as_list() == [None, 3, 3, 4]
    assert dx.shape.as_list() == [None, 6, 6, 2]
    assert df.shape.as_list() == [3, 3, 2, 4]
