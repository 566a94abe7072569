"""Cases for the nn ops (tapeflow.ops.nn, conv, pooling): NumPy references written here."""
import math

import numpy as np

import tapeflow as tf
from tapeflow.core.dispatch import apply
from tapeflow.ops import conv as conv_ops
from tapeflow.ops import losses as loss_ops
from tapeflow.ops import nn as nn_ops
from tapeflow.ops import pooling as pool_ops
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
    Case("Gelu", tf.nn.gelu, inputs(normal(3, 4)),
         lambda x: (x * 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))).astype(x.dtype),
         order=2),
    Case("GeluGrad", lambda dy, x: apply(nn_ops.GeluGrad, dy, x),
         inputs(normal(3, 4), normal(3, 4)),
         lambda dy, x: (dy * (0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))
                              + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi))).astype(dy.dtype),
         order=2),
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



# -- convolutions: references loop over output positions (slow, obviously right) ---------

def _same_pads(size, k, stride, dilation):
    """TF's SAME padding: ceil(size / stride) outputs, the smaller half of the padding first."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0)
    return (total // 2, total - total // 2)


def _pads(x_shape, f_shape, strides, dilations, padding):
    if padding == "VALID":
        return ((0, 0), (0, 0))
    if padding == "SAME":
        return tuple(_same_pads(x_shape[1 + a], f_shape[a], strides[a], dilations[a])
                     for a in (0, 1))
    return (tuple(padding[1]), tuple(padding[2]))


def _windows(x_shape, f_shape, strides, dilations, padding):
    """Yields (a, b, rows, cols): output position and the padded-input slices it reads."""
    (top, bottom), (left, right) = _pads(x_shape, f_shape, strides, dilations, padding)
    span_h = (f_shape[0] - 1) * dilations[0] + 1
    span_w = (f_shape[1] - 1) * dilations[1] + 1
    oh = (x_shape[1] + top + bottom - span_h) // strides[0] + 1
    ow = (x_shape[2] + left + right - span_w) // strides[1] + 1
    for a in range(oh):
        for b in range(ow):
            rows = slice(a * strides[0], a * strides[0] + span_h, dilations[0])
            cols = slice(b * strides[1], b * strides[1] + span_w, dilations[1])
            yield a, b, rows, cols, (oh, ow), ((top, bottom), (left, right))


def _group_slices(in_channels, f_shape):
    """(input channels, output channels) of each group of a grouped convolution."""
    groups = in_channels // f_shape[2]
    per_group = f_shape[3] // groups
    return [(slice(g * f_shape[2], (g + 1) * f_shape[2]),
             slice(g * per_group, (g + 1) * per_group)) for g in range(groups)]


def _ref_conv2d(x, f, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    out = None
    for a, b, rows, cols, (oh, ow), pads in _windows(x.shape, f.shape, strides, dilations,
                                                       padding):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, f.shape[3]), x.dtype)
            padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
        patch = padded[:, rows, cols, :]
        for ins, outs in _group_slices(x.shape[3], f.shape):
            out[:, a, b, outs] = np.tensordot(patch[..., ins], f[..., outs], axes=3)
    return out


def _ref_conv2d_backprop_input(x_shape, f, dy, strides, padding, dilations=(1, 1)):
    dx = None
    for a, b, rows, cols, _, pads in _windows(x_shape, f.shape, strides, dilations, padding):
        if dx is None:
            dx = np.zeros((x_shape[0], x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1]),
                           x_shape[3]), dy.dtype)
        for ins, outs in _group_slices(x_shape[3], f.shape):
            dx[:, rows, cols, ins] += np.tensordot(dy[:, a, b, outs], f[..., outs],
                                                   axes=([1], [3]))
    (top, _), (left, _) = pads
    return dx[:, top:top + x_shape[1], left:left + x_shape[2]]


def _ref_conv2d_backprop_filter(x, f_shape, dy, strides, padding, dilations=(1, 1)):
    df = np.zeros(f_shape, x.dtype)
    for a, b, rows, cols, _, pads in _windows(x.shape, f_shape, strides, dilations, padding):
        padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
        for ins, outs in _group_slices(x.shape[3], f_shape):
            df[..., outs] += np.tensordot(padded[:, rows, cols, ins], dy[:, a, b, outs],
                                          axes=([0], [0]))
    return df


def _conv_attrs(strides, padding, dilations=(1, 1)):
    explicit = None
    if not isinstance(padding, str):
        explicit, padding = (tuple(padding[1]), tuple(padding[2])), "EXPLICIT"
    return dict(strides=strides, padding=padding, explicit_paddings=explicit,
                dilations=dilations)


def _backprop_filter(f_shape, strides, padding, dilations=(1, 1)):
    def fn(x, dy):
        sizes = tf.constant(np.array(f_shape, np.int32))
        return apply(conv_ops.Conv2DBackpropFilter, x, sizes, dy, filter_dims=f_shape,
                     **_conv_attrs(strides, padding, dilations))
    return fn


EXPLICIT = [[0, 0], [1, 2], [0, 1], [0, 0]]

CONV_CASES = [
    Case("Conv2D", lambda x, f: tf.nn.conv2d(x, f, 1, "VALID"),
         inputs(normal(2, 5, 5, 3), normal(3, 3, 3, 4)), _ref_conv2d, grad_rtol=1e-4),
    Case("Conv2D", lambda x, f: tf.nn.conv2d(x, f, 1, "SAME"),
         inputs(normal(1, 4, 3, 2), normal(2, 2, 2, 2)),
         lambda x, f: _ref_conv2d(x, f, padding="SAME"), order=2, label="order2"),
    Case("Conv2D", lambda x, f: tf.nn.conv2d(x, f, 2, "SAME"),
         inputs(normal(2, 5, 6, 2), normal(3, 2, 2, 3)),
         lambda x, f: _ref_conv2d(x, f, (2, 2), "SAME"), label="same_stride2"),
    Case("Conv2D", lambda x, f: tf.nn.conv2d(x, f, [1, 2], EXPLICIT, dilations=2),
         inputs(normal(1, 7, 6, 2), normal(2, 3, 2, 3)),
         lambda x, f: _ref_conv2d(x, f, (1, 2), EXPLICIT, (2, 2)), label="explicit_dilated"),
    Case("Conv2D", lambda x, f: tf.nn.conv2d(x, f, 1, "VALID"),
         inputs(normal(1, 4, 4, 4), normal(2, 2, 2, 6)), _ref_conv2d, label="grouped"),
    Case("Conv2D", lambda x, f: tf.nn.conv2d(x, f, 1, "VALID"),
         inputs(normal(2, 3, 3, 3), normal(1, 1, 3, 2)), _ref_conv2d, label="1x1"),
    Case("Conv2DBackpropInput",
         lambda dy, f: tf.nn.conv2d_transpose(dy, f, [2, 6, 5, 2], 2, "SAME"),
         inputs(normal(2, 3, 3, 3), normal(3, 2, 2, 3)),
         lambda dy, f: _ref_conv2d_backprop_input((2, 6, 5, 2), f, dy, (2, 2), "SAME"),
         order=2),
    Case("Conv2DBackpropInput",
         lambda dy, f: tf.nn.conv2d_transpose(dy, f, [1, 7, 6, 2], [1, 2], EXPLICIT,
                                              dilations=2),
         inputs(normal(1, 8, 2, 3), normal(2, 3, 2, 3)),
         lambda dy, f: _ref_conv2d_backprop_input((1, 7, 6, 2), f, dy, (1, 2), EXPLICIT,
                                                  (2, 2)), label="explicit_dilated"),
    Case("Conv2DBackpropInput",
         lambda dy, f: tf.nn.conv2d_transpose(dy, f, [1, 4, 4, 4], 1, "VALID"),
         inputs(normal(1, 3, 3, 6), normal(2, 2, 2, 6)),
         lambda dy, f: _ref_conv2d_backprop_input((1, 4, 4, 4), f, dy, (1, 1), "VALID"),
         label="grouped"),
    Case("Conv2DBackpropFilter", _backprop_filter((3, 2, 2, 3), (2, 2), "SAME"),
         inputs(normal(2, 6, 5, 2), normal(2, 3, 3, 3)),
         lambda x, dy: _ref_conv2d_backprop_filter(x, (3, 2, 2, 3), dy, (2, 2), "SAME"),
         order=2),
    Case("Conv2DBackpropFilter", _backprop_filter((2, 2, 2, 6), (1, 1), "VALID"),
         inputs(normal(1, 4, 4, 4), normal(1, 3, 3, 6)),
         lambda x, dy: _ref_conv2d_backprop_filter(x, (2, 2, 2, 6), dy, (1, 1), "VALID"),
         label="grouped"),
]



def _ref_depthwise(x, f, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    out = None
    for a, b, rows, cols, (oh, ow), pads in _windows(x.shape, f.shape, strides, dilations,
                                                       padding):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, x.shape[3] * f.shape[3]), x.dtype)
            padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
        patch = padded[:, rows, cols, :]                       # [n, kh, kw, c]
        out[:, a, b, :] = np.einsum("nijc,ijcm->ncm", patch, f).reshape(x.shape[0], -1)
    return out


def _ref_depthwise_backprop_input(x_shape, f, dy, strides, padding, dilations=(1, 1)):
    dx = None
    for a, b, rows, cols, _, pads in _windows(x_shape, f.shape, strides, dilations, padding):
        if dx is None:
            dx = np.zeros((x_shape[0], x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1]),
                           x_shape[3]), dy.dtype)
        g = dy[:, a, b, :].reshape(x_shape[0], f.shape[2], f.shape[3])     # [n, c, m]
        dx[:, rows, cols, :] += np.einsum("ncm,ijcm->nijc", g, f)
    (top, _), (left, _) = pads
    return dx[:, top:top + x_shape[1], left:left + x_shape[2]]


def _ref_depthwise_backprop_filter(x, f_shape, dy, strides, padding, dilations=(1, 1)):
    df = np.zeros(f_shape, x.dtype)
    for a, b, rows, cols, _, pads in _windows(x.shape, f_shape, strides, dilations, padding):
        padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
        g = dy[:, a, b, :].reshape(x.shape[0], f_shape[2], f_shape[3])
        df += np.einsum("nijc,ncm->ijcm", padded[:, rows, cols, :], g)
    return df


def _depthwise_backprop_filter(f_shape, strides, padding, dilations=(1, 1)):
    def fn(x, dy):
        return tf.nn.depthwise_conv2d_backprop_filter(x, list(f_shape), dy,
                                                      [1, *strides, 1], padding,
                                                      dilations=[1, *dilations, 1])
    return fn


DEPTHWISE_CASES = [
    Case("DepthwiseConv2dNative",
         lambda x, f: tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "SAME"),
         inputs(normal(1, 4, 3, 2), normal(2, 2, 2, 2)),
         lambda x, f: _ref_depthwise(x, f, padding="SAME"), order=2),
    Case("DepthwiseConv2dNative",
         lambda x, f: tf.nn.depthwise_conv2d(x, f, [1, 2, 1, 1], EXPLICIT, dilations=[2, 1]),
         inputs(normal(2, 7, 5, 2), normal(2, 3, 2, 3)),
         lambda x, f: _ref_depthwise(x, f, (2, 1), EXPLICIT, (2, 1)), label="explicit_dilated"),
    Case("DepthwiseConv2dNativeBackpropInput",
         lambda dy, f: tf.nn.depthwise_conv2d_backprop_input([2, 5, 4, 2], f, dy, [1, 2, 2, 1],
                                                             "SAME"),
         inputs(normal(2, 3, 2, 6), normal(3, 2, 2, 3)),
         lambda dy, f: _ref_depthwise_backprop_input((2, 5, 4, 2), f, dy, (2, 2), "SAME"),
         order=2),
    Case("DepthwiseConv2dNativeBackpropFilter", _depthwise_backprop_filter((3, 2, 2, 3), (2, 2),
                                                                            "SAME"),
         inputs(normal(2, 5, 4, 2), normal(2, 3, 2, 6)),
         lambda x, dy: _ref_depthwise_backprop_filter(x, (3, 2, 2, 3), dy, (2, 2), "SAME"),
         order=2),
]


# -- pooling: references loop over output positions ---------------------------------------

def _pool_windows(x_shape, ksize, strides, padding):
    f_shape = tuple(ksize) + (x_shape[3], x_shape[3])
    return _windows(x_shape, f_shape, strides, (1, 1), padding)


def _ref_max_pool(x, ksize, strides, padding):
    out = None
    for a, b, rows, cols, (oh, ow), pads in _pool_windows(x.shape, ksize, strides, padding):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, x.shape[3]), x.dtype)
            padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=-np.inf)
        out[:, a, b] = padded[:, rows, cols].max(axis=(1, 2))
    return out


def _first_argmax_positions(x, ksize, strides, padding):
    """Yields (a, b, n, c, row, col): the padded-input position of each window's first max."""
    for a, b, rows, cols, _, pads in _pool_windows(x.shape, ksize, strides, padding):
        padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=-np.inf)
        window = padded[:, rows, cols]                        # [n, kh, kw, c]
        flat = window.reshape(x.shape[0], -1, x.shape[3]).argmax(axis=1)
        for n in range(x.shape[0]):
            for c in range(x.shape[3]):
                i, j = divmod(flat[n, c], window.shape[2])
                yield a, b, n, c, rows.start + i, cols.start + j, pads


def _ref_max_pool_grad(x, dy, ksize, strides, padding):
    dx = None
    for a, b, n, c, r, col, pads in _first_argmax_positions(x, ksize, strides, padding):
        if dx is None:
            dx = np.zeros((x.shape[0], x.shape[1] + sum(pads[0]), x.shape[2] + sum(pads[1]),
                           x.shape[3]), dy.dtype)
        dx[n, r, col, c] += dy[n, a, b, c]
    (top, _), (left, _) = pads
    return dx[:, top:top + x.shape[1], left:left + x.shape[2]]


def _ref_max_pool_grad_grad(x, ddx, ksize, strides, padding):
    out = _ref_max_pool(x, ksize, strides, padding)
    result = np.zeros_like(out)
    for a, b, n, c, r, col, pads in _first_argmax_positions(x, ksize, strides, padding):
        padded = np.pad(ddx, ((0, 0), pads[0], pads[1], (0, 0)))
        result[n, a, b, c] = padded[n, r, col, c]
    return result


def _ref_max_pool_with_argmax(x, ksize, strides, padding):
    out = _ref_max_pool(x, ksize, strides, padding)
    argmax = np.zeros(out.shape, np.int64)
    for a, b, n, c, r, col, pads in _first_argmax_positions(x, ksize, strides, padding):
        row, column = r - pads[0][0], col - pads[1][0]
        argmax[n, a, b, c] = (row * x.shape[2] + column) * x.shape[3] + c
    return [out, argmax]


def _valid_mask(x_shape, pads):
    return np.pad(np.ones(x_shape[1:3]), pads)


def _ref_avg_pool(x, ksize, strides, padding):
    out = None
    for a, b, rows, cols, (oh, ow), pads in _pool_windows(x.shape, ksize, strides, padding):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, x.shape[3]), x.dtype)
            padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
            valid = _valid_mask(x.shape, pads)
        out[:, a, b] = padded[:, rows, cols].sum(axis=(1, 2)) / valid[rows, cols].sum()
    return out


def _ref_avg_pool_grad(x_shape, dy, ksize, strides, padding):
    dx = None
    for a, b, rows, cols, _, pads in _pool_windows(x_shape, ksize, strides, padding):
        if dx is None:
            dx = np.zeros((x_shape[0], x_shape[1] + sum(pads[0]), x_shape[2] + sum(pads[1]),
                           x_shape[3]), dy.dtype)
            valid = _valid_mask(x_shape, pads)
        dx[:, rows, cols] += dy[:, a, b][:, None, None, :] / valid[rows, cols].sum()
    (top, _), (left, _) = pads
    return dx[:, top:top + x_shape[1], left:left + x_shape[2]]


def _pool_attrs(ksize, strides, padding):
    return dict(ksize=ksize, strides=strides, padding=padding, explicit_paddings=None)


def _max_pool_grad(ksize, strides, padding):
    def fn(x, dy):
        y = tf.nn.max_pool2d(x, ksize, strides, padding)
        return apply(pool_ops.MaxPoolGrad, x, y, dy, **_pool_attrs(ksize, strides, padding))
    return fn


def _max_pool_grad_grad(ksize, strides, padding):
    def fn(x, ddx):
        y = tf.nn.max_pool2d(x, ksize, strides, padding)
        return apply(pool_ops.MaxPoolGradGrad, x, y, ddx,
                     **_pool_attrs(ksize, strides, padding))
    return fn


def _avg_pool_grad(x_shape, ksize, strides, padding):
    def fn(dy):
        sizes = tf.constant(np.array(x_shape, np.int32))
        return apply(pool_ops.AvgPoolGrad, sizes, dy, input_dims=x_shape,
                     **_pool_attrs(ksize, strides, padding))
    return fn


def _ties(*shape):
    """Small integers as floats: many equal values, so ties in max pooling are common."""
    return lambda rng: rng.integers(0, 3, shape).astype(np.float64)


POOL_CASES = [
    Case("MaxPool", lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID"), inputs(normal(2, 4, 6, 3)),
         lambda x: _ref_max_pool(x, (2, 2), (2, 2), "VALID"), order=2),
    Case("MaxPool", lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME"), inputs(normal(2, 5, 4, 2)),
         lambda x: _ref_max_pool(x, (3, 3), (2, 2), "SAME"), label="same_overlapping"),
    Case("MaxPool", lambda x: tf.nn.max_pool2d(x, [2, 3], [1, 2], "VALID"),
         inputs(normal(1, 5, 7, 2)), lambda x: _ref_max_pool(x, (2, 3), (1, 2), "VALID"),
         label="rect"),
    Case("MaxPool", lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID"),
         inputs(lambda rng: rng.integers(-9, 9, (2, 4, 4, 3)).astype(np.int32)),
         lambda x: _ref_max_pool(x.astype(np.float64), (2, 2), (2, 2), "VALID").astype(
             np.int32), grad=False, label="int32"),
    Case("MaxPoolGrad", _max_pool_grad((2, 2), (2, 2), "VALID"),
         inputs(_ties(2, 4, 6, 3), normal(2, 2, 3, 3)),
         lambda x, dy: _ref_max_pool_grad(x, dy, (2, 2), (2, 2), "VALID"), wrt=(1,),
         order=2),
    Case("MaxPoolGrad", _max_pool_grad((3, 3), (2, 2), "SAME"),
         inputs(_ties(2, 5, 4, 2), normal(2, 3, 2, 2)),
         lambda x, dy: _ref_max_pool_grad(x, dy, (3, 3), (2, 2), "SAME"), wrt=(1,),
         label="same_overlapping_ties"),
    Case("MaxPoolGradGrad", _max_pool_grad_grad((3, 3), (1, 1), "SAME"),
         inputs(_ties(1, 4, 4, 2), normal(1, 4, 4, 2)),
         lambda x, ddx: _ref_max_pool_grad_grad(x, ddx, (3, 3), (1, 1), "SAME"), wrt=(1,),
         order=2),
    Case("MaxPoolWithArgmax", lambda x: list(tf.nn.max_pool_with_argmax(x, 3, 2, "SAME")),
         inputs(normal(2, 5, 4, 2)), lambda x: _ref_max_pool_with_argmax(x, (3, 3), (2, 2),
                                                                        "SAME")),
    Case("AvgPool", lambda x: tf.nn.avg_pool2d(x, 2, 2, "VALID"), inputs(normal(2, 4, 6, 3)),
         lambda x: _ref_avg_pool(x, (2, 2), (2, 2), "VALID"), order=2),
    Case("AvgPool", lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME"), inputs(normal(2, 5, 4, 2)),
         lambda x: _ref_avg_pool(x, (3, 3), (2, 2), "SAME"), label="same"),
    Case("AvgPoolGrad", _avg_pool_grad((2, 5, 4, 2), (3, 3), (2, 2), "SAME"),
         inputs(normal(2, 3, 2, 2)),
         lambda dy: _ref_avg_pool_grad((2, 5, 4, 2), dy, (3, 3), (2, 2), "SAME"), order=2),
]



# -- losses --------------------------------------------------------------------------------

def _labels(classes, *shape):
    return lambda rng: rng.integers(0, classes, shape).astype(np.int32)


def _distribution(*shape):
    """Rows that sum to 1 (TF's softmax cross-entropy expects distributions)."""
    def make(rng):
        p = rng.uniform(0.1, 1.0, shape)
        return p / p.sum(axis=-1, keepdims=True)
    return make


def _ref_sparse_xent(logits, labels):
    log_p = _ref_log_softmax(logits)
    onehot = np.eye(logits.shape[-1], dtype=logits.dtype)[labels]
    return [-(onehot * log_p).sum(-1), np.exp(log_p) - onehot]


def _ref_xent(logits, labels):
    log_p = _ref_log_softmax(logits)
    return [-(labels * log_p).sum(-1), np.exp(log_p) - labels]


def _both_outputs(op):
    return lambda logits, labels: list(apply(op, logits, labels))


LOSS_CASES = [
    Case("SparseSoftmaxCrossEntropyWithLogits",
         _both_outputs(loss_ops.SparseSoftmaxCrossEntropyWithLogits),
         inputs(normal(4, 5), _labels(5, 4)), _ref_sparse_xent, order=2),
    Case("SparseSoftmaxCrossEntropyWithLogits",
         lambda labels, logits: tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits),
         inputs(_labels(4, 2, 3), normal(2, 3, 4)),
         lambda labels, logits: _ref_sparse_xent(logits, labels)[0], label="rank3"),
    Case("SoftmaxCrossEntropyWithLogits", _both_outputs(loss_ops.SoftmaxCrossEntropyWithLogits),
         inputs(normal(3, 4), _distribution(3, 4)), _ref_xent, order=2),
    Case("SoftmaxCrossEntropyWithLogits",
         lambda labels, logits: tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=0),
         inputs(lambda rng: np.ascontiguousarray(_distribution(3, 4)(rng).T), normal(4, 3)),
         lambda labels, logits: _ref_xent(logits.T, labels.T)[0], label="axis0"),
    Case("SoftmaxCrossEntropyWithLogits",
         lambda labels, logits: tf.nn.softmax_cross_entropy_with_logits(labels, logits),
         inputs(_distribution(1, 4), normal(3, 4)),
         lambda labels, logits: _ref_xent(logits, np.broadcast_to(labels, logits.shape))[0],
         label="broadcast_labels"),
    Case("L2Loss", tf.nn.l2_loss, inputs(normal(3, 4)), lambda x: (x * x).sum() / 2, order=2),
]



# -- 3-D convolution and pooling: references loop over output positions -------------------

def _windows_3d(x_shape, kernel, strides, padding, dilations=(1, 1, 1)):
    """Yields (position, slices, out, pads) like _windows, for three spatial axes."""
    pads = []
    for axis in range(3):
        size, k, s, d = x_shape[1 + axis], kernel[axis], strides[axis], dilations[axis]
        pads.append(_same_pads(size, k, s, d) if padding == "SAME" else (0, 0))
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilations)]
    out = tuple((x_shape[1 + a] + sum(pads[a]) - spans[a]) // strides[a] + 1 for a in range(3))
    for position in np.ndindex(*out):
        slices = tuple(slice(p * s, p * s + span, d) for p, s, span, d
                       in zip(position, strides, spans, dilations))
        yield position, slices, out, pads


def _ref_conv3d(x, f, strides=(1, 1, 1), padding="VALID", dilations=(1, 1, 1)):
    out = None
    for position, slices, shape, pads in _windows_3d(x.shape, f.shape[:3], strides, padding,
                                                      dilations):
        if out is None:
            out = np.zeros((x.shape[0],) + shape + (f.shape[-1],), x.dtype)
            padded = np.pad(x, [(0, 0)] + pads + [(0, 0)])
        patch = padded[(slice(None),) + slices]
        out[(slice(None),) + position] = np.tensordot(patch, f, axes=4)
    return out


def _ref_conv3d_backprop_input(x_shape, f, dy, strides, padding):
    dx = None
    for position, slices, _, pads in _windows_3d(x_shape, f.shape[:3], strides, padding):
        if dx is None:
            dx = np.zeros((x_shape[0],) + tuple(x_shape[1 + a] + sum(pads[a])
                                                for a in range(3)) + (x_shape[-1],), dy.dtype)
        dx[(slice(None),) + slices] += np.tensordot(dy[(slice(None),) + position], f,
                                                    axes=([1], [4]))
    return dx[(slice(None),) + tuple(slice(p[0], p[0] + x_shape[1 + a])
                                     for a, p in enumerate(pads))]


def _ref_conv3d_backprop_filter(x, f_shape, dy, strides, padding):
    df = np.zeros(f_shape, x.dtype)
    for position, slices, _, pads in _windows_3d(x.shape, f_shape[:3], strides, padding):
        padded = np.pad(x, [(0, 0)] + pads + [(0, 0)])
        df += np.tensordot(padded[(slice(None),) + slices], dy[(slice(None),) + position],
                           axes=([0], [0]))
    return df


def _ref_pool3d(x, ksize, strides, padding, kind):
    out = None
    for position, slices, shape, pads in _windows_3d(x.shape, ksize, strides, padding):
        if out is None:
            out = np.zeros((x.shape[0],) + shape + (x.shape[-1],), x.dtype)
            fill = -np.inf if kind == "max" else 0
            padded = np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=fill)
            valid = np.pad(np.ones(x.shape[1:4]), pads)
        window = padded[(slice(None),) + slices]
        value = window.max(axis=(1, 2, 3)) if kind == "max" else \
            window.sum(axis=(1, 2, 3)) / valid[slices].sum()
        out[(slice(None),) + position] = value
    return out


def _conv3d_backprop_filter(f_shape, strides, padding):
    def fn(x, dy):
        return apply(conv_ops.Conv3DBackpropFilterV2, x, tf.constant(np.array(f_shape, np.int32)),
                     dy, filter_dims=f_shape, strides=strides, padding=padding,
                     explicit_paddings=None, dilations=(1, 1, 1))
    return fn


def _pool3d_attrs(ksize, strides, padding):
    return dict(ksize=ksize, strides=strides, padding=padding, explicit_paddings=None)


def _pool3d(op, ksize, strides, padding):
    """The op itself: the public functions allow only half and float, as TF."""
    return lambda x: apply(op, x, **_pool3d_attrs(ksize, strides, padding))


def _pool3d_grad(op, ksize, strides, padding):
    def fn(x, dy):
        y = _pool3d(pool_ops.MaxPool3D, ksize, strides, padding)(x)
        return apply(op, x, y, dy, ksize=ksize, strides=strides, padding=padding,
                     explicit_paddings=None)
    return fn


def _avg_pool3d_grad(x_shape, ksize, strides, padding):
    def fn(dy):
        sizes = tf.constant(np.array(x_shape, np.int32))
        return apply(pool_ops.AvgPool3DGrad, sizes, dy, input_dims=x_shape,
                     **_pool3d_attrs(ksize, strides, padding))
    return fn


def _ref_avg_pool3d_grad(x, dy, ksize, strides, padding):
    dx = None
    for position, slices, _, pads in _windows_3d(x.shape, ksize, strides, padding):
        if dx is None:
            dx = np.zeros((x.shape[0],) + tuple(x.shape[1 + a] + sum(pads[a])
                                                for a in range(3)) + (x.shape[-1],), dy.dtype)
            valid = np.pad(np.ones(x.shape[1:4]), pads)
        share = dy[(slice(None),) + position] / valid[slices].sum()
        dx[(slice(None),) + slices] += share[:, None, None, None, :]
    return dx[(slice(None),) + tuple(slice(p[0], p[0] + x.shape[1 + a])
                                     for a, p in enumerate(pads))]


CASES_3D = [
    Case("Conv3D", lambda x, f: tf.nn.conv3d(x, f, [1, 2, 1, 1, 1], "SAME"),
         inputs(normal(1, 4, 3, 3, 2), normal(2, 2, 1, 2, 3)),
         lambda x, f: _ref_conv3d(x, f, (2, 1, 1), "SAME"), order=2),
    Case("Conv3D", lambda x, f: tf.nn.conv3d(x, f, [1] * 5, "VALID", dilations=[1, 2, 1, 1, 1]),
         inputs(normal(2, 5, 3, 3, 2), normal(2, 2, 2, 2, 2)),
         lambda x, f: _ref_conv3d(x, f, dilations=(2, 1, 1)), label="dilated"),
    Case("Conv3DBackpropInputV2",
         lambda dy, f: tf.nn.conv3d_transpose(dy, f, [1, 4, 3, 3, 2], [1, 2, 1, 1, 1], "SAME"),
         inputs(normal(1, 2, 3, 3, 3), normal(2, 2, 1, 2, 3)),
         lambda dy, f: _ref_conv3d_backprop_input((1, 4, 3, 3, 2), f, dy, (2, 1, 1), "SAME"),
         order=2),
    Case("Conv3DBackpropFilterV2", _conv3d_backprop_filter((2, 2, 1, 2, 3), (2, 1, 1), "SAME"),
         inputs(normal(1, 4, 3, 3, 2), normal(1, 2, 3, 3, 3)),
         lambda x, dy: _ref_conv3d_backprop_filter(x, (2, 2, 1, 2, 3), dy, (2, 1, 1), "SAME"),
         order=2),
    Case("MaxPool3D", _pool3d(pool_ops.MaxPool3D, (2, 2, 2), (2, 1, 2), "SAME"),
         inputs(normal(2, 3, 3, 4, 2)), lambda x: _ref_pool3d(x, (2, 2, 2), (2, 1, 2), "SAME",
                                                              "max"), order=2),
    Case("MaxPool3D", lambda x: tf.nn.max_pool3d(x, 2, [2, 1, 2], "SAME"),
         inputs(normal(2, 3, 3, 4, 2)), lambda x: _ref_pool3d(x, (2, 2, 2), (2, 1, 2), "SAME",
                                                              "max"),
         dtypes=("float32",), grad=False, label="public"),
    Case("MaxPool3DGrad", _pool3d_grad(pool_ops.MaxPool3DGrad, (2, 2, 2), (2, 2, 2), "VALID"),
         inputs(normal(1, 4, 2, 2, 2), normal(1, 2, 1, 1, 2)),
         lambda x, dy: np.repeat(np.repeat(np.repeat(dy, 2, 1), 2, 2), 2, 3) *
         (x == np.repeat(np.repeat(np.repeat(_ref_pool3d(x, (2, 2, 2), (2, 2, 2), "VALID",
                                                         "max"), 2, 1), 2, 2), 2, 3)),
         wrt=(1,), order=2),
    Case("MaxPool3DGradGrad",
         _pool3d_grad(pool_ops.MaxPool3DGradGrad, (2, 2, 2), (2, 2, 2), "VALID"),
         inputs(normal(1, 4, 2, 2, 2), normal(1, 4, 2, 2, 2)),
         lambda x, ddx: (ddx * (x == np.repeat(np.repeat(np.repeat(_ref_pool3d(
             x, (2, 2, 2), (2, 2, 2), "VALID", "max"), 2, 1), 2, 2), 2, 3))).reshape(
             1, 2, 2, 1, 2, 1, 2, 2).sum(axis=(2, 4, 6)),
         wrt=(1,), order=2),
    Case("AvgPool3D", _pool3d(pool_ops.AvgPool3D, (2, 2, 2), (2, 1, 2), "SAME"),
         inputs(normal(2, 3, 3, 4, 2)), lambda x: _ref_pool3d(x, (2, 2, 2), (2, 1, 2), "SAME",
                                                              "avg"), order=2),
    Case("AvgPool3D", lambda x: tf.nn.avg_pool3d(x, 2, [2, 1, 2], "SAME"),
         inputs(normal(2, 3, 3, 4, 2)), lambda x: _ref_pool3d(x, (2, 2, 2), (2, 1, 2), "SAME",
                                                              "avg"),
         dtypes=("float32",), grad=False, label="public"),
    Case("AvgPool3DGrad", _avg_pool3d_grad((2, 3, 3, 4, 2), (2, 2, 2), (2, 1, 2), "SAME"),
         inputs(normal(2, 2, 3, 2, 2)),
         lambda dy: _ref_avg_pool3d_grad(np.zeros((2, 3, 3, 4, 2), dy.dtype), dy, (2, 2, 2),
                                         (2, 1, 2), "SAME"), order=2),
]

CASES = (CASES_3D + ACTIVATION_CASES + SOFTMAX_CASES + BIAS_CASES + CONV_CASES + DEPTHWISE_CASES
         + POOL_CASES + LOSS_CASES)
