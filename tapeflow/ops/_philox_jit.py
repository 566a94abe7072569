"""TF's Philox draws compiled by Numba: uniform, normal and truncated normal in one pass.

`_random_bits.py` computes a draw in NumPy in two steps: the Philox blocks as a
uint32 array, then the values from those words. That costs a pass over memory
per round and per conversion step: 4.4 ms for a 128x5408 float32 dropout mask,
and 67 ms for as many normals (whose logf/sinf/cosf must be the C library's,
see `_libm.py`). Here each loop iteration computes one block - ten rounds on
four words held in registers - and writes the values it gives straight into
the output, so the words never reach memory. The uniform loop vectorizes
(AVX-512: 32x32->64-bit products are `vpmuludq`); the normal loops call the C
library's float functions per value, exactly the functions TF calls.

The values are those of `_random_bits.py` bit for bit (tests/ops/test_philox_jit.py):

- A uniform float with b mantissa bits is `(1 + m * 2**-b) - 1` there; that is
  exactly `m * 2**-b` (m < 2**b fits the mantissa, and the subtraction is
  exact), which converts and scales without reinterpreting bits.
- float16 values are computed in float32 and rounded once at the end, as the
  reference does (uniforms are exact in float16; normals round the same way).
- Block i of a draw has the 128-bit counter `counter + i`: the low 64 bits
  wrap and carry into the high 64, as in `_philox._mix`.

Philox is counter-based, so a large draw is split into ranges of blocks that
fill their part of the output on the kernel threads (`_parallel.over_rows`);
the result does not depend on the split.
"""
import math

from tapeflow._util import jit
from tapeflow.core.array_api import xp
from tapeflow.ops import _parallel
from tapeflow.ops._philox import MASK64, MASK128, RESERVED_BLOCKS_PER_OUTPUT

_F16, _F64 = xp.dtype(xp.float16), xp.dtype(xp.float64)
_U = xp.uint64
_LOW32, _32 = _U(0xFFFFFFFF), _U(32)
_M0, _M1 = _U(0xD2511F53), _U(0xCD9E8D57)
_W0, _W1 = _U(0x9E3779B9), _U(0xBB67AE85)
# Draws at least this large are split over the kernel threads. Handing a range to a
# thread cost about 50 us on the 2-core EPYC, so a split pays from ~0.2 ms of work:
# uniforms take ~0.55 ns per float32 value, normals ~4.5 ns, truncated normals ~14 ns.
_SPLIT_VALUES = {"uniform": 1 << 19, "normal": 1 << 16, "truncated_normal": 1 << 15}


# -- the compiled pieces ---------------------------------------------------------------

@jit.helper
def _block(key, low, high, i):
    """The four words (uint64s below 2**32) of block `i` after the counter (low, high)."""
    c_low = low + i                                  # wraps modulo 2**64 ...
    c_high = high + _U(c_low < low)                  # ... and carries
    c0, c1, c2, c3 = c_low & _LOW32, c_low >> _32, c_high & _LOW32, c_high >> _32
    k0, k1 = key & _LOW32, key >> _32
    for _ in range(10):
        p0, p1 = c0 * _M0, c2 * _M1                  # 32 x 32 -> 64-bit products
        c0, c1, c2, c3 = (p1 >> _32) ^ c1 ^ k0, p1 & _LOW32, (p0 >> _32) ^ c3 ^ k1, p0 & _LOW32
        k0, k1 = (k0 + _W0) & _LOW32, (k1 + _W1) & _LOW32
    return c0, c1, c2, c3


@jit.helper
def _unit32(word):
    """TF's float32 uniform from one word: 23 random mantissa bits."""
    return xp.float32(word & _U(0x7FFFFF)) * xp.float32(2.0 ** -23)


@jit.helper
def _unit64(high, low):
    """TF's float64 uniform from two words: 20 mantissa bits from `high`, 32 from `low`."""
    return xp.float64(((high & _U(0xFFFFF)) << _32) | low) * 2.0 ** -52


@jit.helper
def _box_muller32(x0, x1):
    """Two float32 normals from two words, as `_random_bits._box_muller_float32`."""
    u1 = max(_unit32(x0), xp.float32(1e-7))
    v1 = xp.float32(2.0 * math.pi * xp.float64(_unit32(x1)))    # 2*pi is a double in TF
    u2 = math.sqrt(xp.float32(-2.0) * math.log(u1))             # logf, sqrtf
    return math.sin(v1) * u2, math.cos(v1) * u2                 # sinf, cosf


@jit.helper
def _box_muller64(x0, x1, x2, x3):
    u1 = max(_unit64(x0, x1), 1e-7)
    v1 = 2.0 * math.pi * _unit64(x2, x3)
    u2 = math.sqrt(-2.0 * math.log(u1))
    return math.sin(v1) * u2, math.cos(v1) * u2


@jit.kernel
def _uniform32_kernel(key, low, high, bits, out):
    """Uniforms with `bits` mantissa bits (23, or 10 for float16) into float32 `out`,
    four per block; len(out) is a multiple of 4."""
    mask = (_U(1) << _U(bits)) - _U(1)
    scale = xp.float32(1.0) / xp.float32(mask + _U(1))
    for i in range(out.shape[0] // 4):    # from 0 over range(n): no wraparound checks
        c0, c1, c2, c3 = _block(key, low, high, _U(i))
        out[4 * i] = xp.float32(c0 & mask) * scale
        out[4 * i + 1] = xp.float32(c1 & mask) * scale
        out[4 * i + 2] = xp.float32(c2 & mask) * scale
        out[4 * i + 3] = xp.float32(c3 & mask) * scale


@jit.kernel
def _uniform64_kernel(key, low, high, out):
    """float64 uniforms, two per block."""
    for i in range(out.shape[0] // 2):
        c0, c1, c2, c3 = _block(key, low, high, _U(i))
        out[2 * i] = _unit64(c0, c1)
        out[2 * i + 1] = _unit64(c2, c3)


@jit.kernel
def _normal32_kernel(key, low, high, out):
    """float32 normals, four per block: sin- and cos-based values of two pairs."""
    for i in range(out.shape[0] // 4):
        c0, c1, c2, c3 = _block(key, low, high, _U(i))
        out[4 * i], out[4 * i + 1] = _box_muller32(c0, c1)
        out[4 * i + 2], out[4 * i + 3] = _box_muller32(c2, c3)


@jit.kernel
def _normal64_kernel(key, low, high, out):
    """float64 normals, two per block."""
    for i in range(out.shape[0] // 2):
        c0, c1, c2, c3 = _block(key, low, high, _U(i))
        out[2 * i], out[2 * i + 1] = _box_muller64(c0, c1, c2, c3)


@jit.kernel
def _truncated32_kernel(key, low, high, skip, limit, out):
    """Groups of four float32 normals with |x| < limit: group g reads blocks from
    `g * skip` on, keeping accepted values in order until it has four."""
    for g in range(out.shape[0] // 4):
        filled, block = 0, _U(g) * _U(skip)
        while filled < 4:
            c0, c1, c2, c3 = _block(key, low, high, block)
            block += _U(1)
            a, b = _box_muller32(c0, c1)
            c, d = _box_muller32(c2, c3)
            for x in (a, b, c, d):
                if abs(x) < limit and filled < 4:
                    out[4 * g + filled] = x
                    filled += 1


@jit.kernel
def _truncated64_kernel(key, low, high, skip, out):
    """Groups of two float64 normals with |x| < 2, one pair per block."""
    for g in range(out.shape[0] // 2):
        filled, block = 0, _U(g) * _U(skip)
        while filled < 2:
            c0, c1, c2, c3 = _block(key, low, high, block)
            block += _U(1)
            a, b = _box_muller64(c0, c1, c2, c3)
            for x in (a, b):
                if abs(x) < 2.0 and filled < 2:
                    out[2 * g + filled] = x
                    filled += 1


# -- draws ----------------------------------------------------------------------------

def _fill(kind, kernel, key, counter, out, per_row, blocks_per_row, *args):
    """Runs `kernel(key, low, high, *args, part)` over `out`, whose rows of `per_row` values
    start `blocks_per_row` blocks apart; split over the kernel threads when large."""
    rows = out.size // per_row

    def part(start, stop):
        first = (counter + start * blocks_per_row) & MASK128
        kernel(_U(key), _U(first & MASK64), _U(first >> 64), *args,
               out[start * per_row:stop * per_row])

    if _parallel.WORKERS > 1 and out.size >= _SPLIT_VALUES[kind] and rows >= _parallel.WORKERS:
        _parallel.over_rows(rows, part)
    else:
        part(0, rows)
    return out


def uniform(key, counter, count, dtype):
    """`count` floats in [0, 1) of NumPy `dtype`: `_random_bits.uniform`'s values."""
    dtype = xp.dtype(dtype)
    if dtype == _F64:
        out = xp.empty(2 * -(-count // 2), dtype=xp.float64)
        return _fill("uniform", _uniform64_kernel, key, counter, out, 2, 1)[:count]
    out = xp.empty(4 * -(-count // 4), dtype=xp.float32)
    bits = 10 if dtype == _F16 else 23
    _fill("uniform", _uniform32_kernel, key, counter, out, 4, 1, bits)
    return out[:count].astype(dtype, copy=False)


def normal(key, counter, count, dtype):
    """`count` standard normals of NumPy `dtype`: `_random_bits.normal`'s values."""
    dtype = xp.dtype(dtype)
    if dtype == _F64:
        out = xp.empty(2 * -(-count // 2), dtype=xp.float64)
        return _fill("normal", _normal64_kernel, key, counter, out, 2, 1)[:count]
    out = xp.empty(4 * -(-count // 4), dtype=xp.float32)
    _fill("normal", _normal32_kernel, key, counter, out, 4, 1)
    return out[:count].astype(dtype, copy=False)


def truncated_normal(key, counter, count, dtype):
    """`count` normals with |x| < 2: `_random_bits.truncated_normal`'s values."""
    dtype = xp.dtype(dtype)
    group = 2 if dtype == _F64 else 4
    skip = group * RESERVED_BLOCKS_PER_OUTPUT // 4          # blocks between groups
    out = xp.empty(group * -(-count // group), dtype=xp.float64 if dtype == _F64 else xp.float32)
    if dtype == _F64:
        _fill("truncated_normal", _truncated64_kernel, key, counter, out, 2, skip, skip)
        return out[:count]
    # float16 draws test |x| < 2 after rounding to float16: a float32 x rounds below 2
    # exactly when |x| < 2 - 2**-11 (the midpoint 2 - 2**-11 rounds to even, 2.0).
    limit = xp.float32(2.0 - 2.0 ** -11) if dtype == _F16 else xp.float32(2.0)
    _fill("truncated_normal", _truncated32_kernel, key, counter, out, 4, skip, skip, limit)
    return out[:count].astype(dtype, copy=False)
