"""Behaviour of tf.nn activations, softmax and bias_add: values, dtypes and errors
as TensorFlow 2 gives them (expected values were read from TF 2.21)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.ir import Graph


def _grad(fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


def test_activation_gradients_at_kinks_follow_tf():
    x = [0.0, 6.0, -1.0]
    np.testing.assert_allclose(_grad(tf.nn.relu, x), [0, 1, 0])
    np.testing.assert_allclose(_grad(tf.nn.relu6, x), [0, 0, 0])
    np.testing.assert_allclose(_grad(tf.nn.leaky_relu, x), [0.2, 1, 0.2])
    np.testing.assert_allclose(_grad(tf.nn.elu, x), [1, 1, 0.36787945], rtol=1e-6)
    np.testing.assert_allclose(_grad(tf.nn.selu, x), [1.050701, 1.050701, 0.64676857],
                               rtol=1e-6)
    np.testing.assert_allclose(_grad(tf.nn.softsign, x), [1, 0.02040816, 0.25], rtol=1e-6)
    np.testing.assert_allclose(_grad(tf.nn.silu, x), [0.5, 1.0123265, 0.07232948], rtol=1e-6)


def test_activation_values_and_dtypes():
    np.testing.assert_allclose(tf.nn.selu([-2.0, 0.0, 3.0]).numpy(),
                               [-1.520166, 0.0, 3.152103], rtol=1e-6)
    np.testing.assert_allclose(tf.nn.softplus([-2.0, 0.0, 3.0]).numpy(),
                               [0.126928, 0.693147, 3.048587], rtol=1e-5)
    np.testing.assert_allclose(tf.nn.softsign([-2.0, 0.0, 3.0]).numpy(), [-2 / 3, 0, 0.75],
                               rtol=1e-6)
    np.testing.assert_allclose(tf.nn.silu([-2.0, 0.0, 3.0], beta=2.0).numpy(),
                               [-0.035972, 0.0, 2.992582], atol=1e-6)
    assert tf.nn.relu([-2, 0, 3]).dtype == tf.int32
    assert tf.nn.relu6(tf.constant([2, 9], tf.uint8)).numpy().tolist() == [2, 6]
    leaky = tf.nn.leaky_relu(tf.constant([-2, 0, 3]), alpha=0.5)
    assert leaky.dtype == tf.float32 and leaky.numpy().tolist() == [-1.0, 0.0, 3.0]
    crelu = tf.nn.crelu([[-2.0, 0.0, 3.0]])
    assert crelu.shape == (1, 6) and crelu.numpy().tolist() == [[0, 0, 3, 2, 0, 0]]
    assert tf.nn.crelu([[-2.0, 0.0, 3.0]], axis=0).shape == (2, 3)


@pytest.mark.parametrize("fn", [tf.nn.elu, tf.nn.selu, tf.nn.softplus, tf.nn.softsign,
                                tf.nn.softmax, tf.nn.log_softmax])
def test_float_only_activations_reject_integers(fn):
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
        fn([1, 2])


def test_leaky_relu_alpha_must_be_a_python_float():
    with pytest.raises(TypeError, match="Expected float for argument 'alpha'"):
        tf.nn.leaky_relu([1.0], alpha=tf.constant(0.3))


def test_softmax_axis_and_stability():
    x = [[1.0, 2.0], [3.0, 4.0]]
    np.testing.assert_allclose(tf.nn.softmax(x, axis=0).numpy(),
                               [[0.119203, 0.119203], [0.880797, 0.880797]], rtol=1e-5)
    assert tf.nn.softmax([1000.0, 0.0]).numpy().tolist() == [1.0, 0.0]
    assert tf.nn.log_softmax([1.0, -np.inf]).numpy().tolist() == [0.0, -np.inf]
    assert tf.nn.softmax(tf.zeros([2, 0])).shape == (2, 0)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"`dim` must be in the range \[-2, 2\) where 2 is the number of "
                             r"dimensions in the input. Received: dim=5"):
        tf.nn.softmax(x, axis=5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Received: dim=-3"):
        tf.nn.log_softmax(x, axis=-3)


def test_softmax_gradient_is_zero_for_a_summed_output():
    g = _grad(lambda x: tf.reduce_sum(tf.nn.softmax(x)), [[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(g, np.zeros((1, 3)), atol=1e-7)


def test_bias_add_formats_and_errors():
    out = tf.nn.bias_add(tf.zeros([1, 3, 2]), [1.0, 2.0, 3.0], data_format="NCW")
    assert out.numpy().tolist() == [[[1, 1], [2, 2], [3, 3]]]
    assert tf.nn.bias_add(tf.zeros([1, 2, 2, 3]), [1.0, 2.0, 3.0], "N...C").shape == (1, 2, 2, 3)
    assert tf.nn.bias_add(tf.zeros([2, 3], tf.int32), [1, 2, 3]).dtype == tf.int32
    with pytest.raises(ValueError, match="`data_format` must be of the form `N...C` or `NC...`"):
        tf.nn.bias_add(tf.zeros([1, 3]), [1.0, 2.0, 3.0], data_format="XYZ")
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Must provide as many biases as the last dimension of the input "
                             r"tensor: \[2\] vs. \[2,3\]"):
        tf.nn.bias_add(tf.zeros([2, 3]), [1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"at least 2D: \[3\]"):
        tf.nn.bias_add(tf.zeros([3]), [1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Biases must be 1D: \[1,3\]"):
        tf.nn.bias_add(tf.zeros([2, 3]), [[1.0, 2.0, 3.0]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="expected to be a float tensor but is a double tensor"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.constant([1.0, 2.0, 3.0], tf.float64))


def _trace(fn, *specs):
    graph = Graph("test")
    with graph_scope(graph):
        return fn(*[graph.placeholder(spec) for spec in specs])


def test_bias_add_traced_shape_mismatch_is_a_value_error():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        _trace(tf.nn.bias_add, tf.TensorSpec([None, 3]), tf.TensorSpec([2]))


def test_bias_add_gradient_sums_all_but_channels():
    x = tf.ones([2, 3, 4])
    b = tf.zeros([4])
    with tf.GradientTape() as tape:
        tape.watch(b)
        y = tf.nn.bias_add(x, b)
    assert tape.gradient(y, b).numpy().tolist() == [6.0] * 4
