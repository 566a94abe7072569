"""Cases for the nn ops (tapeflow.ops.nn, conv, pooling): NumPy references written here."""
import numpy as np

import tapeflow as tf
from tapeflow.core.dispatch import apply
from tapeflow.ops import nn as nn_ops
from tests.ops.cases import Case, away_from, inputs, normal, uniform

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _away(points, low, high, *shape, margin=0.05):
    """Uniform values in [low, high) kept `margin` away from each kink in `points`."""
    def make(rng):
        x = rng.uniform(low, high, shape)
        for p in points:
            close = np.abs(x - p) < margin
            x[close] = p + np.where(x[close] >= p, 2, -2) * margin
        return x
    return make


def _ref_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _ref_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _ref_elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def _ref_selu(x):
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))


ACTIVATION_CASES = [
    Case("Relu", tf.nn.relu, inputs(away_from([0.0], 3, 4)), lambda x: np.maximum(x, 0),
         order=2),
    Case("Relu", tf.nn.relu, inputs(lambda rng: rng.integers(-5, 5, (6,)).astype(np.int32)),
         lambda x: np.maximum(x, 0), grad=False, label="int32"),
    Case("ReluGrad", lambda dy, y: apply(nn_ops.ReluGrad, dy, y),
         inputs(normal(3, 4), lambda rng: np.maximum(rng.standard_normal((3, 4)), 0)),
         lambda dy, y: np.where(y > 0, dy, 0).astype(dy.dtype), wrt=(0,), order=2),
    Case("Relu6", tf.nn.relu6, inputs(_away([0.0, 6.0], -3, 9, 4, 5)),
         lambda x: np.clip(x, 0, 6), order=2),
    Case("Relu6Grad", lambda dy, x: apply(nn_ops.Relu6Grad, dy, x),
         inputs(normal(4, 5), _away([0.0, 6.0], -3, 9, 4, 5)),
         lambda dy, x: np.where((x > 0) & (x < 6), dy, 0).astype(dy.dtype), wrt=(0,),
         order=2),
    Case("LeakyRelu", tf.nn.leaky_relu, inputs(away_from([0.0], 3, 4)),
         lambda x: np.where(x > 0, x, x * x.dtype.type(0.2)), order=2),
    Case("LeakyRelu", lambda x: tf.nn.leaky_relu(x, alpha=1.5), inputs(away_from([0.0], 5)),
         lambda x: np.where(x > 0, x, x * x.dtype.type(1.5)), label="alpha"),
    Case("LeakyReluGrad", lambda dy, x: apply(nn_ops.LeakyReluGrad, dy, x, alpha=0.3),
         inputs(normal(3, 4), away_from([0.0], 3, 4)),
         lambda dy, x: np.where(x > 0, dy, dy * dy.dtype.type(0.3)), wrt=(0,), order=2),
    Case("Elu", tf.nn.elu, inputs(away_from([0.0], 3, 4)), _ref_elu, order=2),
    Case("Selu", tf.nn.selu, inputs(away_from([0.0], 3, 4)), _ref_selu, order=2),
    Case("Softplus", tf.nn.softplus, inputs(uniform(-6, 6, 3, 4)),
         lambda x: np.log1p(np.exp(x)), order=2),
    Case("Softplus", tf.nn.softplus, inputs(lambda rng: np.array([-200.0, 0.0, 200.0])),
         lambda x: np.array([np.exp(x[0]), np.log(2.0), x[2]], dtype=x.dtype), grad=False,
         atol=1e-30, label="large"),
]

SOFTMAX_CASES = [
    Case("Softmax", tf.nn.softmax, inputs(normal(3, 5)), _ref_softmax, order=2),
    Case("Softmax", lambda x: tf.nn.softmax(x, axis=1), inputs(normal(2, 3, 4)),
         lambda x: _ref_softmax(x, axis=1), label="axis1"),
    Case("Softmax", tf.nn.softmax, inputs(lambda rng: np.array([1000.0, 0.0, -1000.0])),
         lambda x: np.array([1.0, 0.0, 0.0], dtype=x.dtype), grad=False, label="large"),
    Case("LogSoftmax", tf.nn.log_softmax, inputs(normal(3, 5)), _ref_log_softmax, order=2),
    Case("LogSoftmax", lambda x: tf.nn.log_softmax(x, axis=0), inputs(normal(4, 3)),
         lambda x: _ref_log_softmax(x, axis=0), label="axis0"),
]

BIAS_CASES = [
    Case("BiasAdd", tf.nn.bias_add, inputs(normal(2, 3, 4), normal(4)),
         lambda x, b: x + b, order=2),
    Case("BiasAdd", lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
         inputs(normal(2, 3, 4, 2), normal(3)), lambda x, b: x + b[:, None, None],
         label="nchw"),
    Case("BiasAddGrad", lambda dy: apply(nn_ops.BiasAddGrad, dy, data_format="NHWC"),
         inputs(normal(2, 3, 4)), lambda dy: dy.sum(axis=(0, 1)), order=2),
    Case("BiasAddGrad", lambda dy: apply(nn_ops.BiasAddGrad, dy, data_format="NCHW"),
         inputs(normal(2, 3, 4)), lambda dy: dy.sum(axis=(0, 2)), label="nchw"),
]

CASES = ACTIVATION_CASES + SOFTMAX_CASES + BIAS_CASES
