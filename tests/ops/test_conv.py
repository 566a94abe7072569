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
    assert tf.nn.conv1d(tf.ones([2, 3, 7]), tf.ones([3, 3, 4]), 1, "SAME",
                        data_format="NCW").shape == [2, 4, 7]
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


def test_channels_first_matches_channels_last():
    # TF's default (oneDNN) CPU build accepts NCHW; the result is the NHWC one, transposed.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 4)).astype(np.float32)
    nchw = tf.nn.conv2d(x, w, [1, 1, 2, 1], [[0, 0], [0, 0], [1, 1], [0, 2]],
                        data_format="NCHW")
    nhwc = tf.nn.conv2d(x.transpose(0, 2, 3, 1), w, [1, 2, 1, 1],
                        [[0, 0], [1, 1], [0, 2], [0, 0]])
    np.testing.assert_allclose(nchw.numpy(), nhwc.numpy().transpose(0, 3, 1, 2), rtol=1e-5)
    out = tf.nn.conv2d_transpose(tf.ones([2, 4, 4, 4]), W, [2, 3, 8, 8], 2, "SAME",
                                 data_format="NCHW")
    assert out.shape == [2, 3, 8, 8]
    assert tf.nn.conv2d(tf.ones([2, 3, 7, 7]), W, 1, "VALID", data_format="NCHW").shape == \
        [2, 4, 5, 5]


def test_depthwise_and_separable_conv2d():
    f = tf.ones([3, 3, 3, 2])
    assert tf.nn.depthwise_conv2d(X, f, [1, 1, 1, 1], "SAME").shape == [2, 7, 7, 6]
    assert tf.nn.depthwise_conv2d(X, f, [1, 2, 2, 1], "SAME").shape == [2, 4, 4, 6]
    assert tf.nn.depthwise_conv2d(X, f, [1, 2, 1, 1], "SAME").shape == [2, 4, 7, 6]
    assert tf.nn.depthwise_conv2d(X, f, [1, 1, 1, 1], [[0, 0], [1, 1], [1, 1], [0, 0]]).shape \
        == [2, 7, 7, 6]
    assert tf.nn.depthwise_conv2d(tf.ones([2, 3, 7, 7]), f, [1, 1, 1, 1], "SAME",
                                  data_format="NCHW").shape == [2, 6, 7, 7]
    x = tf.constant(np.arange(1.0, 51.0, dtype=np.float32).reshape(1, 5, 5, 2))
    w = tf.constant(np.arange(1.0, 9.0, dtype=np.float32).reshape(2, 2, 2, 1))
    out = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME", dilations=[2, 2])
    np.testing.assert_array_equal(out[0, 3:, :, 0].numpy(), [[370, 616, 648, 680, 262],
                                                            [99, 136, 144, 152, 37]])
    assert tf.nn.depthwise_conv2d_backprop_input([2, 7, 7, 3], f, tf.ones([2, 7, 7, 6]),
                                                 [1, 1, 1, 1], "SAME").shape == [2, 7, 7, 3]
    assert tf.nn.depthwise_conv2d_backprop_filter(X, [3, 3, 3, 2], tf.ones([2, 7, 7, 6]),
                                                  [1, 1, 1, 1], "SAME").shape == [3, 3, 3, 2]
    sep = tf.nn.separable_conv2d(X, f, tf.ones([1, 1, 6, 5]), [1, 2, 2, 1], "VALID")
    assert sep.shape == [2, 3, 3, 5] and float(sep[0, 0, 0, 0]) == 54.0


@pytest.mark.parametrize("call, error, message", [
    (lambda: tf.nn.depthwise_conv2d(X, tf.ones([3, 3, 2, 2]), [1, 1, 1, 1], "SAME"),
     tf.errors.InvalidArgumentError, "input depth must be evenly divisible by filter depth: "
                                     "3 vs 2"),
    (lambda: tf.nn.depthwise_conv2d(X, tf.ones([3, 3, 3, 2]), 1, "SAME"), TypeError,
     "Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, not 1."),
    (lambda: tf.nn.depthwise_conv2d(X, tf.ones([3, 3, 3, 2]), [2, 2], "SAME"),
     tf.errors.InvalidArgumentError, "Sliding window strides field must specify 4 or 5"),
    (lambda: tf.nn.depthwise_conv2d(X, tf.ones([3, 3, 3, 2]), [2, 2, 2, 1], "SAME"),
     tf.errors.UnimplementedError, "does not yet support strides in the batch and depth"),
    (lambda: tf.nn.depthwise_conv2d(tf.ones([1, 4, 4, 1], tf.int32),
                                    tf.ones([3, 3, 1, 1], tf.int32), [1, 1, 1, 1], "SAME"),
     tf.errors.InvalidArgumentError, "Value for attr 'T' of int32 is not in the list"),
    (lambda: tf.nn.depthwise_conv2d(X, tf.ones([9, 9, 3, 2]), [1, 1, 1, 1], "VALID"),
     tf.errors.InvalidArgumentError, "Computed output size would be negative: -1"),
    (lambda: tf.nn.separable_conv2d(X, tf.ones([3, 3, 3, 2]), tf.ones([1, 2, 6, 5]),
                                    [1, 1, 1, 1], "SAME"), ValueError,
     "Dimensions 2 and 1 are not compatible"),
    (lambda: tf.nn.separable_conv2d(X, tf.ones([3, 3, 3, 2]), tf.ones([1, 1, 5, 5]),
                                    [1, 1, 1, 1], "VALID"), tf.errors.InvalidArgumentError,
     "input depth must be evenly divisible by filter depth: 6 vs 5"),
])
def test_depthwise_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _trace(fn, *specs):
    graph = Graph("trace")
    with graph_scope(graph):
        return fn(*[graph.placeholder(spec) for spec in specs])


def test_shape_rules_with_unknown_batch():
    spec = tf.TensorSpec([None, 8, 8, 3])
    assert _trace(lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 2, "SAME"),
                  spec).shape.as_list() == [None, 4, 4, 4]
    assert _trace(lambda x: tf.nn.depthwise_conv2d(x, tf.ones([3, 3, 3, 2]), [1, 1, 1, 1],
                                                   "VALID"), spec).shape.as_list() == \
        [None, 6, 6, 6]
    assert _trace(lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID"), spec).shape.as_list() == \
        [None, 4, 4, 3]
    assert _trace(lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME"), spec).shape.as_list() == \
        [None, 4, 4, 3]
    assert _trace(lambda x: tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, "VALID",
                                         data_format="NCHW"),
                  tf.TensorSpec([None, 3, 8, 8])).shape.as_list() == [None, 4, 6, 6]
    out = _trace(lambda x: tf.nn.conv2d_transpose(x, tf.ones([3, 3, 2, 3]),
                                                  [tf.shape(x)[0], 16, 16, 2], 2, "SAME"), spec)
    assert out.shape.as_list() == [None, 16, 16, 2]


def test_traced_conv_and_pool_gradients_run():
    rng = np.random.default_rng(0)
    w = tf.Variable(rng.standard_normal((3, 3, 1, 4)).astype(np.float32))

    def loss(x):
        with tf.GradientTape() as tape:
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w, 1, "VALID")), 2, 2, "VALID")
            y = tf.reduce_sum(tf.nn.avg_pool2d(h, 2, 1, "SAME"))
        return tape.gradient(y, w)
    x = tf.constant(rng.standard_normal((2, 8, 8, 1)).astype(np.float32))
    np.testing.assert_allclose(tf.function(loss)(x).numpy(), loss(x).numpy(), rtol=1e-5)


def test_atrous_and_conv_transpose():
    w = tf.ones([3, 3, 3, 4])
    assert tf.nn.atrous_conv2d(X, w, 2, "SAME").shape == [2, 7, 7, 4]
    assert tf.nn.atrous_conv2d(X, w, 2, "VALID").shape == [2, 3, 3, 4]
    with pytest.raises(ValueError, match="all values of `dilation_rate` must be positive"):
        tf.nn.atrous_conv2d(X, w, 0, "VALID")
    assert tf.nn.atrous_conv2d_transpose(tf.ones([2, 3, 3, 4]), w, [2, 7, 7, 3], 2,
                                         "VALID").shape == [2, 7, 7, 3]
    assert tf.nn.conv_transpose(tf.ones([2, 4, 4, 4]), w, [2, 8, 8, 3], 2).shape == [2, 8, 8, 3]
    assert tf.nn.conv_transpose(tf.ones([2, 4, 4]), tf.ones([3, 3, 4]), [2, 8, 3], 2).shape == \
        [2, 8, 3]


def test_conv3d_shapes_and_errors():
    x, w = tf.ones([2, 5, 6, 7, 3]), tf.ones([2, 3, 3, 3, 4])
    assert tf.nn.conv3d(x, w, [1, 1, 1, 1, 1], "SAME").shape == [2, 5, 6, 7, 4]
    assert tf.nn.conv3d(x, w, [1, 2, 1, 2, 1], "VALID").shape == [2, 2, 4, 3, 4]
    assert tf.nn.conv3d(x, w, [1] * 5, "VALID", dilations=[1, 2, 1, 1, 1]).shape == \
        [2, 3, 4, 5, 4]
    assert tf.nn.conv3d(tf.ones([2, 3, 5, 6, 7]), w, [1] * 5, "SAME",
                        data_format="NCDHW").shape == [2, 4, 5, 6, 7]
    assert tf.nn.conv3d_transpose(tf.ones([2, 3, 3, 4, 4]), w, [2, 5, 6, 7, 3], 2,
                                  "SAME").shape == [2, 5, 6, 7, 3]
    assert tf.nn.convolution(x, w, padding="SAME").shape == [2, 5, 6, 7, 4]
    assert tf.nn.conv_transpose(tf.ones([2, 3, 3, 4, 4]), w, [2, 5, 6, 7, 3], 2).shape == \
        [2, 5, 6, 7, 3]
    with pytest.raises(TypeError, match="Expected list for 'strides' argument to 'conv3d' Op"):
        tf.nn.conv3d(x, w, 2, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Length for attr 'strides' of 3 must be at least minimum 5"):
        tf.nn.conv3d(x, w, [2, 2, 2], "VALID")
    with pytest.raises(TypeError, match="Expected string for argument 'padding'"):
        tf.nn.conv3d(x, w, [1] * 5, [[0, 0], [1, 1], [0, 0], [0, 0], [0, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Value for attr 'padding' of \"same\" is not in the list of "
                             "allowed values: \"SAME\", \"VALID\""):
        tf.nn.conv3d(x, w, [1] * 5, "same")
    with pytest.raises(tf.errors.UnimplementedError, match="strides in the batch and depth"):
        tf.nn.conv3d(x, w, [2, 1, 1, 1, 1], "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
        tf.nn.conv3d(tf.ones([1, 3, 3, 3, 1], tf.int32), tf.ones([1, 1, 1, 1, 1], tf.int32),
                     [1] * 5, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="input and filter must have the same depth: 4 vs 2"):
        tf.nn.conv3d(tf.ones([1, 3, 3, 3, 4]), tf.ones([1, 1, 1, 2, 4]), [1] * 5, "SAME")
