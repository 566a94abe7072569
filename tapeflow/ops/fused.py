"""Fused convolution blocks: Conv2D + BiasAdd + Relu + MaxPool as one op, and its gradient.

These ops never appear in traced graphs: the graph pass
`tapeflow/graph/passes/fuse_conv.py` puts them in optimized graphs, after the
gradients are built, in place of this block and its backward pass:

    z = BiasAdd(Conv2D(x, filter), bias); p = MaxPool(Relu(z))      # forward
    dz = MaxPoolGrad(Relu(z), p, ReluGrad(dp, p))                    # backward
    dfilter = Conv2DBackpropFilter(x, dz); dbias = BiasAddGrad(dz)

Why it is exact. Max pooling commutes with Relu (both are monotone), so
p = Relu(max over the window of z); the full-size z is never stored. MaxPoolGrad
sends each window's gradient to the first position holding the maximum of Relu(z);
where p > 0 that is the first maximum of z, and where p == 0 ReluGrad zeroes the
gradient anyway. So the forward op returns, besides p, a `route`: for each pooled
value the row-major index in its window of the first maximum of z, or NO_ROUTE
where p is 0 (no gradient flows). The backward op then needs only x, route and dp:
each pooled gradient goes to one conv output pixel, whose filter gradient is that
pixel's input window times the gradient.

Kernels. Each op has a NumPy kernel (the reference, used without Numba or with
TAPEFLOW_JIT=0) and a Numba kernel. The Numba kernels keep every index unsigned:
Numba adds a negative-index wraparound to signed indices, which stops LLVM from
vectorizing the loops. Their inner loops run over the output channels and combine
three filter taps (forward) or four window positions (backward) per pass, so each
load and store of the channel vector carries several multiply-adds. Examples are
split over the kernel thread pool; the backward pass sums per-thread partial gradients.
On the seed model's conv block (28x28x1 -> 3x3x32, 2x2 pool, 2 cores) the forward op
took 1.3-1.8 ms at batch 128 (Conv2D + BiasAdd + Relu + MaxPool: 3.6 ms) and the
gradient op 1.0-1.6 ms (MaxPoolGrad + Conv2DBackpropFilter + BiasAddGrad + ReluGrad:
8 ms). Variants measured and dropped: an inner loop over a constant block of 16
channels (Numba turns off LLVM's SLP vectorizer, so it stayed scalar: 10.9 ms forward),
one tap per pass (5.7 ms), pooling with a branch per channel (+2 ms).
"""
from tapeflow._util import jit
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import _parallel
from tapeflow.ops._conv_util import output_size, pad_spatial

FUSED_DTYPES = frozenset({dtypes.float32, dtypes.float64})
NO_ROUTE = 255          # route value where the pooled output is 0: no gradient flows
MAX_WINDOW = 255        # window positions must fit in uint8 below NO_ROUTE
_TAP_GROUP = 3          # filter taps per forward pass over the channels
_WINDOW_GROUP = 4       # window positions per backward pass over the channels
# Below this many multiply-adds, handing half the batch to another thread costs more
# than it saves.
_MIN_PARALLEL_MACS = 1 << 21


# ================================================================================
# Geometry shared by the ops
# ================================================================================

def conv_pads(in_size, k, padding):
    """(before, after) zero padding of one axis for a stride-1 convolution."""
    _, before, after = output_size(in_size, k, 1, 1, padding)
    return before, after


def _conv_out(in_size, k, padding):
    if in_size is None:
        return None
    return output_size(in_size, k, 1, 1, padding)[0]


def _pooled(size, window):
    return None if size is None else size // window


def _padded_input(x, kernel, padding):
    pads = [conv_pads(size, k, padding) for size, k in zip(x.shape[1:3], kernel)]
    return xp.ascontiguousarray(pad_spatial(x, pads))


# ================================================================================
# Shape rules
# ================================================================================

def _forward_infer(x, f, bias, padding, pool_size):
    if x.dtype is not f.dtype or x.dtype is not bias.dtype:
        raise TypeError("_FusedConv2DBiasReluMaxPool needs input, filter and bias of one "
                        f"dtype, got {x.dtype.name}, {f.dtype.name}, {bias.dtype.name}.")
    dims = x.dims or (None,) * 4
    f_dims = f.dims or (None,) * 4
    spatial = tuple(_pooled(_conv_out(dims[1 + a], f_dims[a], padding), pool_size[a])
                    if f_dims[a] is not None else None for a in range(2))
    out = TensorSpec((dims[0],) + spatial + (f_dims[3],), x.dtype)
    return out, TensorSpec(out.dims, dtypes.uint8)


def _grad_infer(x, route, dy, filter_dims, padding, pool_size):
    return TensorSpec(filter_dims, x.dtype), TensorSpec((filter_dims[3],), x.dtype)


def _route_grad_infer(route, dy, conv_size, pool_size):
    dims = dy.dims or (None,) * 4
    return TensorSpec((dims[0],) + tuple(conv_size) + (dims[3],), dy.dtype)


# ================================================================================
# The ops
# ================================================================================

# (x, filter, bias) -> (MaxPool(Relu(BiasAdd(Conv2D(x, filter), bias))), route).
# Conv2D with strides and dilations 1 and `padding` VALID or SAME; MaxPool with
# ksize == strides == pool_size and VALID padding (trailing rows and columns that do
# not fill a window are dropped, as TF does).
FusedConv2DBiasReluMaxPool = Op("_FusedConv2DBiasReluMaxPool", infer=_forward_infer,
                                dtypes=FUSED_DTYPES, differentiable=False, multi_output=True)

# (x, route, dy) -> (filter gradient, bias gradient) of the block above, `dy` being the
# gradient of its pooled output (before the relu mask, which `route` carries).
FusedConv2DBiasReluMaxPoolGrad = Op("_FusedConv2DBiasReluMaxPoolGrad", infer=_grad_infer,
                                    dtypes=FUSED_DTYPES, differentiable=False,
                                    multi_output=True)

# (route, dy) -> the full-size gradient of BiasAdd's output, for when something else
# (Conv2DBackpropInput, for a conv that is not the first layer) needs it.
FusedReluMaxPoolGrad = Op("_FusedReluMaxPoolGrad", infer=_route_grad_infer,
                          dtypes=frozenset({dtypes.uint8}), differentiable=False)


@FusedConv2DBiasReluMaxPool.kernel
def _(x, f, bias, padding, pool_size):
    xpad = _padded_input(x, f.shape[:2], padding)
    if jit.enabled():
        return _forward_jit(xpad, f, bias, pool_size)
    return _forward_numpy(xpad, f, bias, pool_size)


@FusedConv2DBiasReluMaxPoolGrad.kernel
def _(x, route, dy, filter_dims, padding, pool_size):
    xpad = _padded_input(x, filter_dims[:2], padding)
    if jit.enabled():
        return _grad_jit(xpad, route, dy, filter_dims, pool_size)
    return _grad_numpy(xpad, route, dy, filter_dims, pool_size)


@FusedReluMaxPoolGrad.kernel
def _(route, dy, conv_size, pool_size):
    return _route_gradient(route, dy, conv_size, pool_size)


# ================================================================================
# NumPy kernels (the reference)
# ================================================================================

def _windows(z, pool_size):
    """[n, oh, ow, c] -> [n, ph, pw, window, c]: the pooling windows, row-major inside."""
    (kh, kw), (n, oh, ow, c) = pool_size, z.shape
    ph, pw = oh // kh, ow // kw
    z = z[:, :ph * kh, :pw * kw].reshape(n, ph, kh, pw, kw, c).transpose(0, 1, 3, 2, 4, 5)
    return z.reshape(n, ph, pw, kh * kw, c)


def _forward_numpy(xpad, f, bias, pool_size):
    from tapeflow.ops.conv import Conv2D
    z = Conv2D.forward(xpad, f, strides=(1, 1), padding="VALID", explicit_paddings=None,
                       dilations=(1, 1)) + bias
    windows = _windows(z, pool_size)
    first_max = xp.argmax(windows, axis=3)            # argmax picks the first maximum
    best = xp.take_along_axis(windows, first_max[:, :, :, None], axis=3)[:, :, :, 0]
    positive = best > 0
    out = xp.where(positive, best, xp.zeros((), best.dtype))
    route = xp.where(positive, first_max, NO_ROUTE).astype(xp.uint8)
    return out, route


def _route_gradient(route, dy, conv_size, pool_size):
    (kh, kw), (n, ph, pw, c) = pool_size, dy.shape
    positions = xp.arange(kh * kw, dtype=xp.uint8)[:, None]
    windows = xp.where(route[:, :, :, None, :] == positions, dy[:, :, :, None, :],
                       xp.zeros((), dy.dtype))
    windows = windows.reshape(n, ph, pw, kh, kw, c).transpose(0, 1, 3, 2, 4, 5)
    dz = xp.zeros((n,) + tuple(conv_size) + (c,), dtype=dy.dtype)
    dz[:, :ph * kh, :pw * kw] = windows.reshape(n, ph * kh, pw * kw, c)
    return dz


def _grad_numpy(xpad, route, dy, filter_dims, pool_size):
    from tapeflow.ops.conv import Conv2DBackpropFilter
    from tapeflow.ops.nn import BiasAddGrad
    conv_size = (xpad.shape[1] - filter_dims[0] + 1, xpad.shape[2] - filter_dims[1] + 1)
    dz = _route_gradient(route, dy, conv_size, pool_size)
    df = Conv2DBackpropFilter.forward(xpad, xp.asarray(filter_dims, xp.int32), dz,
                                      filter_dims=filter_dims, strides=(1, 1),
                                      padding="VALID", explicit_paddings=None,
                                      dilations=(1, 1))
    return df, BiasAddGrad.forward(dz, data_format="NHWC")


# ================================================================================
# Numba kernels
# ================================================================================

def _parallel_over_batch(n, macs, fn):
    if _parallel.WORKERS > 1 and n >= _parallel.WORKERS and macs >= _MIN_PARALLEL_MACS:
        return _parallel.over_rows(n, fn)
    return [fn(0, n)]


def _taps(filter_dims, x_shape, group):
    """Flat offsets of the filter taps (kh, kw, ci order) from a window's top-left pixel in
    one padded image, padded with offset 0 to a multiple of `group`."""
    kh, kw, ci = filter_dims[:3]
    width = x_shape[2]
    offsets = [(i * width + j) * ci + c for i in range(kh) for j in range(kw) for c in range(ci)]
    offsets += [0] * (-len(offsets) % group)
    return xp.asarray(offsets, dtype=xp.uint64)


def _forward_jit(xpad, f, bias, pool_size):
    n, channels = xpad.shape[0], f.shape[3]
    taps = _taps(f.shape, xpad.shape, _TAP_GROUP)
    weights = xp.zeros((len(taps), channels), dtype=f.dtype)      # padded taps weigh 0
    weights[:f.shape[0] * f.shape[1] * f.shape[2]] = f.reshape(-1, channels)
    ph = (xpad.shape[1] - f.shape[0] + 1) // pool_size[0]
    pw = (xpad.shape[2] - f.shape[1] + 1) // pool_size[1]
    out = xp.empty((n, ph, pw, channels), dtype=xpad.dtype)
    route = xp.empty((n, ph, pw, channels), dtype=xp.uint8)
    if out.size:
        kernel = _forward_kernel.compiled()
        bias = xp.ascontiguousarray(bias)
        macs = out.size * pool_size[0] * pool_size[1] * len(taps)
        _parallel_over_batch(n, macs, lambda start, stop: kernel(
            xpad, weights, taps, bias, pool_size[0], pool_size[1], out, route, start, stop))
    return out, route


def _grad_jit(xpad, route, dy, filter_dims, pool_size):
    n, channels = dy.shape[0], dy.shape[3]
    taps = _taps(filter_dims, xpad.shape, 1)
    window = pool_size[0] * pool_size[1]
    width, depth = xpad.shape[2], xpad.shape[3]
    positions = [((q // pool_size[1]) * width + q % pool_size[1]) * depth for q in range(window)]
    positions += [0] * (-window % _WINDOW_GROUP)   # padded positions get zero gradient
    positions = xp.asarray(positions, dtype=xp.uint64)
    dy = xp.ascontiguousarray(dy)
    route = xp.ascontiguousarray(route)
    kernel = _grad_kernel.compiled()

    def part(start, stop):
        df = xp.zeros((len(taps), channels), dtype=dy.dtype)
        db = xp.zeros(channels, dtype=dy.dtype)
        if stop > start:
            kernel(xpad, route, dy, taps, positions, pool_size[0], pool_size[1], window,
                   df, db, start, stop)
        return df, db
    parts = _parallel_over_batch(n, dy.size * len(positions) * len(taps), part)
    df, db = parts[0]
    for other_df, other_db in parts[1:]:
        df += other_df
        db += other_db
    return df.reshape(filter_dims), db


@jit.kernel
def _forward_kernel(x, weights, taps, bias, pool_h, pool_w, out, route, start, stop):
    """Pooled relu(conv + bias) and its route, for examples [start, stop)."""
    u = xp.uint64
    height, width, depth = u(x.shape[1]), u(x.shape[2]), u(x.shape[3])
    n_taps, channels = u(weights.shape[0]), u(weights.shape[1])
    out_h, out_w = u(out.shape[1]), u(out.shape[2])
    pool_h, pool_w = u(pool_h), u(pool_w)
    window = pool_h * pool_w
    xf, wf = x.reshape(-1), weights.reshape(-1)
    of, rf = out.reshape(-1), route.reshape(-1)
    conv = xp.empty(window * channels, x.dtype)   # conv of one window, all channels
    best = xp.empty(channels, x.dtype)
    first = xp.empty(channels, xp.uint8)
    zero = xp.zeros(1, x.dtype)[0]
    for b in range(u(start), u(stop)):
        for i in range(out_h):
            for j in range(out_w):
                for q in range(window):
                    corner = ((b * height + i * pool_h + q // pool_w) * width
                              + j * pool_w + q % pool_w) * depth
                    acc = q * channels
                    for c in range(channels):
                        conv[acc + c] = 0
                    for t in range(u(0), n_taps, u(3)):
                        x0 = xf[corner + taps[t]]
                        x1 = xf[corner + taps[t + u(1)]]
                        x2 = xf[corner + taps[t + u(2)]]
                        w0 = t * channels
                        w1 = w0 + channels
                        w2 = w1 + channels
                        for c in range(channels):
                            conv[acc + c] += x0 * wf[w0 + c] + x1 * wf[w1 + c] + x2 * wf[w2 + c]
                # Max over the window with its first position, vectorized over channels
                # (branch-free selects into arrays other than `conv`).
                for c in range(channels):
                    best[c] = conv[c]
                    first[c] = 0
                for q in range(u(1), window):
                    row = q * channels
                    position = xp.uint8(q)
                    for c in range(channels):
                        v = conv[row + c]
                        take = v > best[c]
                        best[c] = v if take else best[c]
                        first[c] = position if take else first[c]
                o = ((b * out_h + i) * out_w + j) * channels
                for c in range(channels):
                    v = best[c] + bias[c]
                    positive = v > 0
                    of[o + c] = v if positive else zero
                    rf[o + c] = first[c] if positive else xp.uint8(255)


@jit.kernel
def _grad_kernel(x, route, dy, taps, positions, pool_h, pool_w, window, df, db, start, stop):
    """Adds the filter and bias gradients of examples [start, stop) to df [taps, c], db."""
    u = xp.uint64
    height, width, depth = u(x.shape[1]), u(x.shape[2]), u(x.shape[3])
    out_h, out_w, channels = u(dy.shape[1]), u(dy.shape[2]), u(dy.shape[3])
    pool_h, pool_w, window = u(pool_h), u(pool_w), u(window)
    n_taps, n_positions = u(taps.shape[0]), u(positions.shape[0])
    xf, rf, gf, dff = x.reshape(-1), route.reshape(-1), dy.reshape(-1), df.reshape(-1)
    grads = xp.zeros(n_positions * channels, dy.dtype)   # dy routed to each window position
    zero = grads[0]
    for b in range(u(start), u(stop)):
        for i in range(out_h):
            for j in range(out_w):
                o = ((b * out_h + i) * out_w + j) * channels
                for q in range(window):
                    for c in range(channels):
                        grads[q * channels + c] = gf[o + c] if rf[o + c] == q else zero
                for c in range(channels):
                    db[c] += gf[o + c] if rf[o + c] != 255 else zero
                corner = ((b * height + i * pool_h) * width + j * pool_w) * depth
                for t in range(n_taps):
                    pixel = corner + taps[t]
                    d = t * channels
                    for q in range(u(0), n_positions, u(4)):
                        x0 = xf[pixel + positions[q]]
                        x1 = xf[pixel + positions[q + u(1)]]
                        x2 = xf[pixel + positions[q + u(2)]]
                        x3 = xf[pixel + positions[q + u(3)]]
                        g0 = q * channels
                        g1 = g0 + channels
                        g2 = g1 + channels
                        g3 = g2 + channels
                        for c in range(channels):
                            dff[d + c] += (x0 * grads[g0 + c] + x1 * grads[g1 + c]
                                           + x2 * grads[g2 + c] + x3 * grads[g3 + c])


__all__ = ["MAX_WINDOW", "NO_ROUTE", "FusedConv2DBiasReluMaxPool",
           "FusedConv2DBiasReluMaxPoolGrad", "FusedReluMaxPoolGrad", "conv_pads"]
