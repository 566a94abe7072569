"""Cases for the fused conv-block ops (ops/fused.py), against NumPy written from scratch.

The ops only appear in optimized graphs; the cases call them with `apply`. Inputs
are half zeros, so many windows hold exact ties (the route must name the first
maximum) and many pre-activations are <= 0 (route 255, no gradient).
"""
import numpy as np

from tapeflow.core.dispatch import apply
from tapeflow.ops import fused
from tests.ops.cases import Case, inputs, normal


def sparse_images(*shape):
    def make(rng):
        x = rng.standard_normal(shape)
        return np.where(rng.random(shape) < 0.5, 0.0, x)
    return make


def routes(window, *shape):
    """Random routes: a window position, or 255 (no gradient) for about a fifth."""
    def make(rng):
        r = rng.integers(0, window + 1, shape)
        return np.where(r == window, 255, r).astype(np.uint8)
    return make


def ref_conv(x, w, padding):
    kh, kw = w.shape[:2]
    if padding == "SAME":
        x = np.pad(x, [(0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)])
    patches = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    return np.einsum("nhwcij,ijco->nhwo", patches, w), x


def ref_windows(z, pool):
    n, h, w, c = z.shape
    ph, pw = h // pool[0], w // pool[1]
    z = z[:, :ph * pool[0], :pw * pool[1]].reshape(n, ph, pool[0], pw, pool[1], c)
    return z.transpose(0, 1, 3, 2, 4, 5).reshape(n, ph, pw, pool[0] * pool[1], c)


def ref_forward(x, w, b, padding, pool):
    z = ref_conv(x, w, padding)[0] + b
    windows = ref_windows(np.maximum(z, 0), pool)
    out = windows.max(axis=3)
    zw = ref_windows(z, pool)
    first = (zw == zw.max(axis=3, keepdims=True)).argmax(axis=3)   # first maximum of z
    route = np.where(out > 0, first, 255).astype(np.uint8)
    return out.astype(x.dtype), route


def ref_route_grad(route, dy, conv_size, pool):
    n, ph, pw, c = dy.shape
    dz = np.zeros((n,) + tuple(conv_size) + (c,), dy.dtype)
    for q in range(pool[0] * pool[1]):
        a, b = divmod(q, pool[1])
        dz[:, a:ph * pool[0]:pool[0], b:pw * pool[1]:pool[1]] += np.where(route == q, dy, 0)
    return dz


def ref_grad(x, route, dy, filter_dims, padding, pool):
    kh, kw = filter_dims[:2]
    xp = ref_conv(x, np.zeros(filter_dims, x.dtype), padding)[1]
    conv_size = (xp.shape[1] - kh + 1, xp.shape[2] - kw + 1)
    dz = ref_route_grad(route, dy, conv_size, pool)
    patches = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
    return np.einsum("nhwcij,nhwo->ijco", patches, dz), dz.sum(axis=(0, 1, 2))


def _forward(padding, pool):
    return lambda x, w, b: list(apply(fused.FusedConv2DBiasReluMaxPool, x, w, b,
                                      padding=padding, pool_size=pool))


def _grad(filter_dims, padding, pool):
    return lambda x, route, dy: list(apply(fused.FusedConv2DBiasReluMaxPoolGrad, x, route, dy,
                                           filter_dims=filter_dims, padding=padding,
                                           pool_size=pool))


CASES = [
    Case("_FusedConv2DBiasReluMaxPool", _forward("VALID", (2, 2)),
         inputs(sparse_images(3, 11, 12, 1), normal(3, 3, 1, 20), normal(20)),
         lambda x, w, b: ref_forward(x, w, b, "VALID", (2, 2)), grad=False),
    Case("_FusedConv2DBiasReluMaxPool", _forward("SAME", (3, 3)),
         inputs(sparse_images(2, 8, 10, 3), normal(2, 3, 3, 5), normal(5)),
         lambda x, w, b: ref_forward(x, w, b, "SAME", (3, 3)), grad=False, label="same-3x3"),
    Case("_FusedConv2DBiasReluMaxPoolGrad", _grad((3, 3, 2, 7), "VALID", (2, 2)),
         inputs(sparse_images(3, 9, 8, 2), routes(4, 3, 3, 3, 7), normal(3, 3, 3, 7)),
         lambda x, r, dy: ref_grad(x, r, dy, (3, 3, 2, 7), "VALID", (2, 2)), grad=False),
    Case("_FusedConv2DBiasReluMaxPoolGrad", _grad((2, 3, 1, 4), "SAME", (3, 2)),
         inputs(sparse_images(2, 7, 9, 1), routes(6, 2, 2, 4, 4), normal(2, 2, 4, 4)),
         lambda x, r, dy: ref_grad(x, r, dy, (2, 3, 1, 4), "SAME", (3, 2)), grad=False,
         label="same"),
    Case("_FusedReluMaxPoolGrad",
         lambda r, dy: apply(fused.FusedReluMaxPoolGrad, r, dy, conv_size=(7, 9),
                             pool_size=(2, 2)),
         inputs(routes(4, 2, 3, 4, 5), normal(2, 3, 4, 5)),
         lambda r, dy: ref_route_grad(r, dy, (7, 9), (2, 2)), grad=False),
]
