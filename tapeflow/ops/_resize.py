"""Resampling weights for tf.image.resize, computed as TF's CPU kernels compute them.

Each function takes an input and output length along one axis and returns,
for every output position, the input indices it reads and their weights. All
arithmetic is float32, in TF's order, so that resized images match TF's to the
last bit (bilinear, nearest, bicubic) or to float32 rounding (area). TF2's
`tf.image.resize` samples at half-pixel centers: output position i looks at
input coordinate (i + 0.5) * in / out - 0.5.

Results are cached per (in, out) and must be treated as read-only.
"""
import functools

from tapeflow.core.array_api import xp

_F32 = xp.float32


def _scale(in_size, out_size):
    return _F32(in_size) / _F32(out_size)


def _centers(in_size, out_size):
    """(i + 0.5) * scale for each output position i (float32)."""
    return (xp.arange(out_size, dtype=_F32) + _F32(0.5)) * _scale(in_size, out_size)


@functools.lru_cache(maxsize=256)
def linear(in_size, out_size):
    """(lower index, upper index, lerp weight of upper) for bilinear resizing."""
    position = _centers(in_size, out_size) - _F32(0.5)
    floor = xp.floor(position)
    lower = xp.maximum(floor, 0).astype(xp.intp)
    upper = xp.minimum(xp.ceil(position), in_size - 1).astype(xp.intp)
    return lower, upper, position - floor


@functools.lru_cache(maxsize=256)
def nearest(in_size, out_size):
    """The input index each output position copies (nearest neighbour)."""
    index = xp.floor(_centers(in_size, out_size)).astype(xp.intp)
    return xp.clip(index, 0, in_size - 1)


# -- bicubic: Keys' cubic convolution (a = -0.5), from a 1024-entry table like TF ----------

_TABLE_SIZE = 1024


@functools.lru_cache(maxsize=1)
def _cubic_table():
    """Keys' kernel at x = i / 1024: column 0 for |x| in [0, 1], column 1 for |x| + 1.

    TF evaluates the polynomials in double precision and stores float32.
    """
    a = -0.5
    x = xp.arange(_TABLE_SIZE + 1) / _TABLE_SIZE
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x = x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return xp.stack([near, far], axis=1).astype(_F32)


@functools.lru_cache(maxsize=256)
def cubic(in_size, out_size):
    """(indices [out, 4], weights [out, 4]) for bicubic resizing.

    Taps outside the image get weight 0 and the rest are renormalized to sum to 1.
    """
    position = _centers(in_size, out_size) - _F32(0.5)
    base = xp.floor(position)
    offset = xp.rint((position - base) * _F32(_TABLE_SIZE)).astype(xp.intp)
    table = _cubic_table()
    taps = base.astype(xp.intp)[:, None] + xp.arange(-1, 3)
    weights = xp.stack([table[offset, 1], table[offset, 0],
                        table[_TABLE_SIZE - offset, 0], table[_TABLE_SIZE - offset, 1]], axis=1)
    inside = (taps >= 0) & (taps < in_size)
    weights = xp.where(inside, weights, _F32(0))
    total = ((weights[:, 0] + weights[:, 1]) + weights[:, 2]) + weights[:, 3]
    usable = xp.abs(total) >= _F32(1000) * xp.finfo(_F32).tiny
    weights = xp.where(usable[:, None], weights * (_F32(1) / total)[:, None], weights)
    return xp.clip(taps, 0, in_size - 1), weights


# -- area: average over the input cells an output cell covers ---------------------------

@functools.lru_cache(maxsize=256)
def area(in_size, out_size):
    """(indices [out, k], weights [out, k], valid [out, k], scale) for area resizing.

    Output cell i covers input coordinates [i * scale, (i + 1) * scale); each
    input cell it touches is weighted by the length it covers (1 inside).
    Cells past the edge (from float rounding) read the last cell, as in TF.
    """
    scale = _scale(in_size, out_size)
    starts = xp.arange(out_size, dtype=_F32) * scale
    ends = xp.arange(1, out_size + 1, dtype=_F32) * scale
    first = xp.floor(starts).astype(xp.intp)
    count = xp.ceil(ends).astype(xp.intp) - first
    cells = first[:, None] + xp.arange(int(count.max()))
    low, high = cells.astype(_F32), (cells + 1).astype(_F32)
    start, end = starts[:, None], ends[:, None]
    weights = xp.where(low < start,
                       xp.where(high > end, scale, high - start),
                       xp.where(high > end, end - low, _F32(1)))
    valid = xp.arange(cells.shape[1]) < count[:, None]
    return xp.clip(cells, 0, in_size - 1), weights.astype(_F32), valid, scale
