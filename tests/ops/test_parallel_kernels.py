"""Kernels split across threads give the same values as in one piece."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.ops import _parallel


@pytest.fixture
def always_split(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(_parallel, "WORKERS", 2)


def test_split_kernels_match(always_split, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 6, 6, 3)).astype(np.float32)
    x[0, :2, :2, 0] = 0.0   # ties in a pooling window
    b = rng.standard_normal(3).astype(np.float32)

    def run():
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            h = tf.nn.relu(tf.nn.bias_add(xt, b))
            p = tf.nn.max_pool2d(h, 2, 2, "VALID")
            y = tf.reduce_sum(p * p)
        dx = tape.gradient(y, xt)
        return [h.numpy(), p.numpy(), dx.numpy()]

    split = run()
    monkeypatch.setattr(_parallel, "WORKERS", 1)
    whole = run()
    for a, c in zip(split, whole):
        np.testing.assert_array_equal(a, c)


def test_bias_add_grad_split(always_split):
    from tapeflow.core.op import REGISTRY
    dy = np.random.default_rng(1).standard_normal((7, 4, 4, 3)).astype(np.float64)
    got = REGISTRY["BiasAddGrad"].forward(dy, data_format="NHWC")
    np.testing.assert_allclose(got, dy.sum(axis=(0, 1, 2)), rtol=1e-12)


def test_elementwise_broadcast_operands(always_split):
    x = np.arange(24.0).reshape(4, 3, 2)
    out = np.empty_like(x)
    _parallel.elementwise(np.add, x, np.array([1.0, 2.0]), out=out)
    np.testing.assert_array_equal(out, x + [1.0, 2.0])


def test_generated_code_splits_large_elementwise_nodes(always_split):
    @tf.function
    def f(x, y):
        return (x * y + 1.0) * 2.0

    x = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    y = np.linspace(-1, 1, 6).astype(np.float32)
    out = f(tf.constant(x), tf.constant(y))
    assert "_elementwise(" in f.get_concrete_function(tf.constant(x), tf.constant(y)).source()
    np.testing.assert_allclose(out.numpy(), (x * y + 1.0) * 2.0, rtol=1e-6)


@pytest.mark.parametrize("m, k, n", [(64, 5, 3), (3, 5, 64), (3, 64, 3), (64, 7, 64)])
def test_split_matmul_matches(always_split, monkeypatch, m, k, n):
    monkeypatch.setattr(_parallel, "MIN_MATMUL_FLOPS", 1)
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    np.testing.assert_allclose(_parallel.matmul(a, b), a @ b, rtol=1e-12)
    np.testing.assert_allclose(_parallel.matmul(a.T.copy().T, b), a @ b, rtol=1e-12)
