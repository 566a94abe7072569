"""The conv-block fusion pass (graph/passes/fuse_conv.py): where it fires, where it must
not, and that traced results equal eager ones (to float rounding: the fused kernels sum
in another order)."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow._util import jit
from tests.ops.cases.fused import sparse_images

# The pass runs only where the fused ops get Numba kernels (graph/compile.py JIT_PASSES);
# the NumPy kernels are tested in tests/ops/test_fused.py.
pytestmark = pytest.mark.skipif(not jit.enabled(), reason="Numba (the fast extra) is absent")


def _optimized_ops(fn, *args):
    concrete = fn.get_concrete_function(*args)
    return [node.op.name for node in concrete._compiled().graph.nodes]


def _block(x, w, b, pool=2, padding="VALID"):
    z = tf.nn.bias_add(tf.nn.conv2d(x, w, 1, padding), b)
    return tf.nn.max_pool2d(tf.nn.relu(z), pool, pool, "VALID")


def _weights(dtype, *shapes):
    rng = np.random.default_rng(0)
    return [tf.Variable(rng.standard_normal(s).astype(dtype) * 0.5) for s in shapes]


def _images(dtype, *shape):
    return tf.constant(sparse_images(*shape)(np.random.default_rng(1)).astype(dtype))


def _check_equal(traced, eager, dtype):
    tol = {"rtol": 2e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}
    for t, e in zip(traced, eager):
        np.testing.assert_allclose(t.numpy(), e.numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding, pool", [("VALID", 2), ("SAME", 3)])
def test_pass_fuses_block_and_gradients_match_eager(dtype, padding, pool):
    w, b, dense = _weights(dtype, (3, 3, 2, 8), (8,), (8, 3))
    x = _images(dtype, 4, 13, 12, 2)

    def step(x):
        with tf.GradientTape() as tape:
            p = _block(x, w, b, pool, padding)
            logits = tf.matmul(tf.reduce_mean(p, axis=(1, 2)), dense)
            loss = tf.reduce_sum(logits * logits)
        return [loss] + tape.gradient(loss, [w, b, dense])

    traced = tf.function(step)
    _check_equal(traced(x), step(x), dtype)
    ops = _optimized_ops(traced, x)
    assert "_FusedConv2DBiasReluMaxPool" in ops and "_FusedConv2DBiasReluMaxPoolGrad" in ops
    for unfused in ("Conv2D", "MaxPool", "MaxPoolGrad", "Conv2DBackpropFilter", "BiasAddGrad",
                    "Relu", "ReluGrad"):
        assert unfused not in ops


def test_second_conv_gets_full_size_gradient_from_the_route():
    dtype = np.float64
    w1, b1, w2, b2 = _weights(dtype, (3, 3, 1, 4), (4,), (2, 2, 4, 6), (6,))
    x = _images(dtype, 3, 14, 14, 1)

    def step(x):
        with tf.GradientTape() as tape:
            p = _block(_block(x, w1, b1), w2, b2)
            loss = tf.reduce_sum(p * p)
        return [loss] + tape.gradient(loss, [w1, b1, w2, b2])

    traced = tf.function(step)
    _check_equal(traced(x), step(x), dtype)
    ops = _optimized_ops(traced, x)
    assert ops.count("_FusedConv2DBiasReluMaxPool") == 2
    assert "_FusedReluMaxPoolGrad" in ops and "Conv2DBackpropInput" in ops


def test_keras_train_step_updates_weights_as_eager():
    def run(compiled):
        tf.keras.utils.set_random_seed(3)
        model = tf.keras.Sequential([
            tf.keras.Input((10, 10, 1)), tf.keras.layers.Conv2D(6, 3, activation="relu"),
            tf.keras.layers.MaxPooling2D(), tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(3)])
        optimizer = tf.keras.optimizers.SGD(0.1)
        x = _images(np.float32, 8, 10, 10, 1)
        y = tf.constant(np.arange(8) % 3)

        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.keras.losses.sparse_categorical_crossentropy(
                    y, model(x, training=True), from_logits=True)
                loss = tf.reduce_mean(loss)
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                          model.trainable_variables))
            return loss
        step = tf.function(train_step) if compiled else train_step
        losses = [step(x, y) for _ in range(2)]
        if compiled:
            assert "_FusedConv2DBiasReluMaxPool" in _optimized_ops(step, x, y)
        return losses + list(model.trainable_variables)
    _check_equal(run(True), run(False), np.float32)


def test_pass_does_not_fire_when_an_intermediate_has_another_consumer():
    w, b = _weights(np.float32, (3, 3, 1, 4), (4,))
    x = _images(np.float32, 2, 8, 8, 1)

    def relu_also_returned(x):
        with tf.GradientTape() as tape:
            z = tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "VALID"), b)
            r = tf.nn.relu(z)
            loss = tf.reduce_sum(tf.nn.max_pool2d(r, 2, 2, "VALID"))
        return [loss, r] + tape.gradient(loss, [w, b])

    def conv_also_used(x):
        c = tf.nn.conv2d(x, w, 1, "VALID")
        p = tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(c, b)), 2, 2, "VALID")
        return tf.reduce_sum(p) + tf.reduce_sum(c)

    for fn in (relu_also_returned, conv_also_used):
        traced = tf.function(fn)
        ops = _optimized_ops(traced, x)
        assert "_FusedConv2DBiasReluMaxPool" not in ops and "Conv2D" in ops
        results = traced(x)
        results = results if isinstance(results, list) else [results]
        eager = fn(x)
        _check_equal(results, eager if isinstance(eager, list) else [eager], np.float32)


def test_pass_does_not_fire_on_unsupported_blocks():
    w, b = _weights(np.float32, (3, 3, 1, 4), (4,))
    x = _images(np.float32, 2, 9, 9, 1)

    def strided(x):
        z = tf.nn.bias_add(tf.nn.conv2d(x, w, 2, "VALID"), b)
        return tf.nn.max_pool2d(tf.nn.relu(z), 2, 2, "VALID")

    def overlapping_pool(x):
        z = tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "VALID"), b)
        return tf.nn.max_pool2d(tf.nn.relu(z), 3, 2, "VALID")

    for fn in (strided, overlapping_pool):
        assert "_FusedConv2DBiasReluMaxPool" not in _optimized_ops(tf.function(fn), x)
