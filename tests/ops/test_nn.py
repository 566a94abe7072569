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
    np.testing.assert_allclose(_grad(tf.nn.gelu, x), [0.5, 1.0, -0.08331549], rtol=1e-6)


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


def test_gelu_matches_tf():
    np.testing.assert_allclose(tf.nn.gelu([-2.0, 0.0, 3.0]).numpy(), [-0.0455, 0.0, 2.99595],
                               atol=1e-5)
    np.testing.assert_allclose(tf.nn.gelu([-1.0, 0.0, 1.0], approximate=True).numpy(),
                               [-0.158808, 0.0, 0.841192], rtol=1e-5)
    x = tf.constant([-1.5, 0.3, 2.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.nn.gelu(x)
        g = inner.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), [-0.12746918, 0.73232776, 1.0852318], rtol=1e-5)
    np.testing.assert_allclose(outer.gradient(g, x).numpy(),
                               [-0.03237937, 0.7284508, -0.10798194], rtol=1e-5)
    with pytest.raises(ValueError, match="`features.dtype` must be a floating point tensor"):
        tf.nn.gelu([1, 2])


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


def test_moments():
    mean, variance = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 5.0]]), axes=[0])
    assert mean.numpy().tolist() == [2.0, 3.5] and variance.numpy().tolist() == [1.0, 2.25]
    mean, variance = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 5.0]]), axes=[0, 1],
                                   keepdims=True)
    assert mean.shape == [1, 1] and float(variance[0, 0]) == 2.1875
    mean, variance = tf.nn.moments(tf.constant([[1, 2], [3, 5]]), axes=0)
    assert mean.dtype == tf.int32 and mean.numpy().tolist() == [2, 3]
    assert variance.numpy().tolist() == [1, 2]
    mean, _ = tf.nn.moments(tf.constant([[1, 2], [3, 5]], tf.float16), axes=[0])
    assert mean.dtype == tf.float16 and mean.numpy().tolist() == [2.0, 3.5]


def test_moments_variance_gradient():
    x = tf.constant([[1.0, 2.0], [3.0, 5.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        _, variance = tf.nn.moments(x, [0])
        y = tf.reduce_sum(variance * tf.constant([1.0, 2.0]))
    assert tape.gradient(y, x).numpy().tolist() == [[-1.0, -3.0], [1.0, 3.0]]


def test_batch_normalization():
    out = tf.nn.batch_normalization(tf.constant([[1.0, 2.0]]), 1.0, 4.0, None, None, 0.001)
    np.testing.assert_allclose(out.numpy(), [[0.0, 0.499938]], atol=1e-6)
    out = tf.nn.batch_normalization(tf.ones([2, 3]), tf.zeros([3]), tf.ones([3]), tf.zeros([3]),
                                    tf.ones([3]), 1e-3)
    np.testing.assert_allclose(out.numpy(), np.full((2, 3), 0.9995004), rtol=1e-6)
    out = tf.nn.batch_normalization(tf.constant([[1, 2]]), 1, 4, None, None, 0.001)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [[0, 0]]


def test_l2_normalize():
    np.testing.assert_allclose(tf.nn.l2_normalize([3.0, 4.0]).numpy(), [0.6, 0.8])
    np.testing.assert_allclose(tf.nn.l2_normalize([[3.0, 4.0], [0.0, 0.0]], axis=1).numpy(),
                               [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(tf.nn.l2_normalize([[3.0, 4.0], [0.0, 5.0]], axis=[0, 1]).numpy(),
                               [[0.424264, 0.565685], [0.0, 0.707107]], rtol=1e-5)
    np.testing.assert_allclose(tf.nn.l2_normalize([[3.0, 4.0], [0.0, 5.0]], dim=1).numpy(),
                               [[0.6, 0.8], [0.0, 1.0]])
    with pytest.raises(TypeError, match="Cannot convert 1e-12 to EagerTensor of dtype int32"):
        tf.nn.l2_normalize([3, 4])


def test_dropout_keeps_and_scales():
    x = tf.ones([1000])
    assert tf.nn.dropout(x, 0.0) is x
    out = tf.nn.dropout(x, 0.5).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and 300 < (out == 2).sum() < 700
    out = tf.nn.dropout(tf.ones([4, 3]), 0.5, noise_shape=[None, 1]).numpy()
    assert all(len(set(row)) == 1 for row in out)   # one draw per row
    out = tf.nn.dropout(tf.ones([4, 3]), 0.5, noise_shape=[1, 3]).numpy()
    assert (out == out[0]).all()                    # one draw per column
    out = tf.nn.dropout(tf.ones([4]), tf.constant(0.0)).numpy()
    assert out.tolist() == [1.0] * 4


def test_dropout_is_reproducible_with_seeds():
    tf.random.set_seed(5)
    first = tf.nn.dropout(tf.ones([20]), 0.5, seed=1).numpy()
    tf.random.set_seed(5)
    assert (tf.nn.dropout(tf.ones([20]), 0.5, seed=1).numpy() == first).all()
    tf.random.set_seed(None)


def test_dropout_gradient_is_the_mask():
    x = tf.constant(np.arange(1.0, 9.0, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.dropout(x, 0.25)
    g = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(g, (y.numpy() != 0) / 0.75)


@pytest.mark.parametrize("call, error, message", [
    (lambda: tf.nn.dropout(tf.ones([3]), 1.0), ValueError,
     r"`rate` must be a scalar tensor or a float in the range \[0, 1\). Received: rate=1.0"),
    (lambda: tf.nn.dropout(tf.ones([3]), -0.1), ValueError, "Received: rate=-0.1"),
    (lambda: tf.nn.dropout(tf.ones([3], tf.int32), 0.5), ValueError,
     "`x.dtype` must be a floating point tensor as `x` will be scaled"),
    (lambda: tf.nn.dropout(tf.ones([3]), tf.constant(0.5, tf.float64)), ValueError,
     "`x.dtype` must be compatible with `rate.dtype`"),
])
def test_dropout_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_moment_helpers():
    x = tf.constant([[1.0, 2.0], [3.0, 5.0]])
    count, mean_ss, variance_ss, shift = tf.nn.sufficient_statistics(x, [0], shift=1.0)
    assert float(count) == 2.0 and float(shift) == 1.0
    assert mean_ss.numpy().tolist() == [2.0, 5.0] and variance_ss.numpy().tolist() == [4.0, 17.0]
    mean, variance = tf.nn.normalize_moments(count, mean_ss, variance_ss, shift)
    assert mean.numpy().tolist() == [2.0, 3.5] and variance.numpy().tolist() == [1.0, 2.25]
    mean, variance = tf.nn.weighted_moments(x, [0], tf.constant([[1.0], [3.0]]))
    assert mean.numpy().tolist() == [2.5, 4.25] and variance.numpy().tolist() == [0.75, 1.6875]
    mean, _ = tf.nn.weighted_moments(x, [0], tf.constant([[1.0], [3.0]]), keepdims=True)
    assert mean.shape == [1, 2]
    mean, variance = tf.nn.weighted_moments(x, [0], tf.constant([[0.0], [0.0]]))
    assert mean.numpy().tolist() == [0.0, 0.0] and variance.numpy().tolist() == [0.0, 0.0]


def test_zero_fraction():
    assert float(tf.nn.zero_fraction(tf.constant([0.0, 1.0, 0.0, 2.0]))) == 0.5
    out = tf.nn.zero_fraction(tf.constant([0, 1, 0]))
    assert out.dtype == tf.float32 and abs(float(out) - 2 / 3) < 1e-6


def test_local_response_normalization():
    x = tf.constant(np.arange(8.0, dtype=np.float32).reshape(1, 1, 2, 4))
    np.testing.assert_allclose(tf.nn.local_response_normalization(x, depth_radius=1).numpy(),
                               [[[[0.0, 0.408248, 0.516398, 0.801784],
                                  [0.617213, 0.566138, 0.569495, 0.754829]]]], rtol=1e-5)
    np.testing.assert_allclose(
        tf.nn.lrn(tf.constant(np.arange(8.0, dtype=np.float32).reshape(1, 1, 1, 8))).numpy(),
        [[[[0.0, 0.104257, 0.16843, 0.252646, 0.336861, 0.421076, 0.505291, 0.591608]]]],
        rtol=1e-5)
    g = _grad(lambda t: tf.nn.lrn(t, 1, 1.0, 0.5, 0.75), x.numpy())
    np.testing.assert_allclose(g.ravel(), [0.73778796, 0.26763615, -0.16848353, -0.09618606,
                                           0.02015276, -0.05616173, -0.05360723, -0.01831667],
                               rtol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of double"):
        tf.nn.lrn(tf.ones([1, 1, 2, 4], tf.float64))
    with pytest.raises(tf.errors.InvalidArgumentError, match="in must be 4-dimensional"):
        tf.nn.lrn(tf.ones([1, 2, 4]))


def test_log_poisson_loss():
    targets, log_input = tf.constant([0.0, 1.0, 3.0]), tf.constant([0.5, 1.0, 2.0])
    np.testing.assert_allclose(tf.nn.log_poisson_loss(targets, log_input).numpy(),
                               [1.648721, 1.718282, 1.389056], rtol=1e-5)
    np.testing.assert_allclose(
        tf.nn.log_poisson_loss(targets, log_input, compute_full_loss=True).numpy(),
        [1.648721, 1.718282, 3.153138], rtol=1e-5)
    with pytest.raises(ValueError, match=r"must have the same shape, received \(\(3,\) vs "
                                         r"\(2,\)\)"):
        tf.nn.log_poisson_loss(tf.constant([0.0, 1.0]), log_input)


def test_max_pool_with_argmax():
    x = tf.constant(np.arange(32.0, dtype=np.float32).reshape(2, 4, 2, 2))
    out, argmax = tf.nn.max_pool_with_argmax(x, 2, 2, "SAME")
    assert out.numpy().ravel().tolist() == [6, 7, 14, 15, 22, 23, 30, 31]
    assert argmax.dtype == tf.int64 and argmax.numpy().ravel().tolist() == [6, 7, 14, 15] * 2
    _, argmax = tf.nn.max_pool_with_argmax(x, 2, 2, "SAME", include_batch_in_index=True,
                                           output_dtype=tf.int32)
    assert argmax.dtype == tf.int32
    assert argmax.numpy().ravel().tolist() == [6, 7, 14, 15, 22, 23, 30, 31]


def test_embedding_lookup():
    params = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert tf.nn.embedding_lookup(params, [2, 0]).numpy().tolist() == [[5, 6], [1, 2]]
    assert tf.nn.embedding_lookup(params, [[2, 0], [1, 1]]).shape == [2, 2, 2]
    assert tf.nn.embedding_lookup(params, 1).numpy().tolist() == [3, 4]
    assert tf.nn.embedding_lookup(params, tf.constant([1], tf.int64)).shape == [1, 2]
    parts = [tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([[5.0, 6.0]])]
    assert tf.nn.embedding_lookup(parts, [2, 0, 1]).numpy().tolist() == [[5, 6], [1, 2], [3, 4]]
    clipped = tf.nn.embedding_lookup(tf.constant([[3.0, 4.0], [0.3, 0.4]]), [0, 1], max_norm=1.0)
    np.testing.assert_allclose(clipped.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 3 is not in "
                                                             r"\[0, 3\)"):
        tf.nn.embedding_lookup(params, [3])
    variable = tf.Variable(params)
    with tf.GradientTape() as tape:
        y = tf.nn.embedding_lookup(variable, [2, 0, 2])
    assert tape.gradient(y, variable).numpy().tolist() == [[1, 1], [0, 0], [2, 2]]
