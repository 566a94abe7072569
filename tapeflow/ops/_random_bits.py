"""From Philox words to TF's random values: uniform, normal, truncated normal, integers.

Each function takes a Philox stream position (key, counter) and a number of
values and returns exactly the values TF's CPU kernels produce there:

- uniform floats put random bits into the mantissa of a number in [1, 2) and
  subtract 1: 10 bits for float16, 23 for float32 (one word per value), 52 for
  float64 (two words per value);
- normals use the Box-Muller transform on pairs of uniforms (two words per
  pair in float32, four in float64), giving sin- and cos-based values in turn;
- truncated normals split the output into groups (4 values, 2 in float64);
  group g draws Box-Muller pairs from its own sub-stream, 256 blocks apart,
  keeping values with |x| < 2 until the group is full;
- integers in [lo, hi) are `lo + bits % (hi - lo)` (one word for 32-bit types,
  two for 64-bit ones).

The float draws run compiled kernels (`_philox_jit.py`, several times faster,
same values) when Numba is available and the draw is not tiny; the NumPy
functions here (`*_numpy`) are the reference they are tested against, and the
fallback with TAPEFLOW_JIT=0 or without Numba.
"""
import math
import os

from tapeflow._util import jit
from tapeflow.core.array_api import xp
from tapeflow.ops import _libm, _philox_jit
from tapeflow.ops._philox import (
    RESERVED_BLOCKS_PER_OUTPUT,
    philox_blocks,
    philox_blocks_at,
    philox_words,
)

_F16, _F32, _F64 = xp.dtype(xp.float16), xp.dtype(xp.float32), xp.dtype(xp.float64)


# -- uniform floats -----------------------------------------------------------------

def _words_to_float32(words):
    mantissa = (words & xp.uint32(0x7FFFFF)) | xp.uint32(127 << 23)
    return mantissa.view(xp.float32) - xp.float32(1.0)


def _words_to_float16(words):
    mantissa = (words & xp.uint32(0x3FF)).astype(xp.uint16) | xp.uint16(15 << 10)
    return mantissa.view(xp.float16) - xp.float16(1.0)


def _words_to_float64(high, low):
    """20 mantissa bits from `high`, 32 from `low`."""
    mantissa = ((high & xp.uint32(0xFFFFF)).astype(xp.uint64) << xp.uint64(32)) | low
    return (mantissa | xp.uint64(1023 << 52)).view(xp.float64) - 1.0


def _words_per_value(dtype):
    return 2 if dtype.itemsize == 8 else 1


# Below this many values a draw stays in NumPy: it takes microseconds either way, and
# a program drawing only small tensors never imports Numba for them.
_JIT_MIN_VALUES = 1024


def _compiled(count):
    return count >= _JIT_MIN_VALUES and jit.enabled()


uses_jit = _compiled   # for random.py: whether a draw of `count` values runs compiled


def uniform(key, counter, count, dtype):
    """`count` floats in [0, 1) of NumPy `dtype` (float16, float32 or float64)."""
    if _compiled(count):
        return _philox_jit.uniform(key, counter, count, dtype)
    return uniform_numpy(key, counter, count, dtype)


def uniform_numpy(key, counter, count, dtype):
    """`uniform` in NumPy (the reference)."""
    dtype = xp.dtype(dtype)
    if dtype == _F64:
        words = philox_words(key, counter, 2 * count)
        return _words_to_float64(words[0::2], words[1::2])
    words = philox_words(key, counter, count)
    return _words_to_float16(words) if dtype == _F16 else _words_to_float32(words)


# -- normals (Box-Muller) -------------------------------------------------------------

def _box_muller_float32(x0, x1):
    """Two float32 normals from each pair of words, as TF's BoxMullerFloat."""
    u1 = xp.maximum(_words_to_float32(x0), xp.float32(1e-7))   # keeps log(u1) finite
    # 2*pi is a double in TF's C++ code: the angle is rounded to float32 afterwards.
    v1 = (2.0 * xp.pi * _words_to_float32(x1).astype(xp.float64)).astype(xp.float32)
    u2 = xp.sqrt(xp.float32(-2.0) * _libm.logf(u1))
    return _libm.sinf(v1) * u2, _libm.cosf(v1) * u2


def _box_muller_float64(x0, x1, x2, x3):
    u1 = xp.maximum(_words_to_float64(x0, x1), 1e-7)
    v1 = 2.0 * xp.pi * _words_to_float64(x2, x3)
    u2 = xp.sqrt(-2.0 * _libm.log(u1))
    return _libm.sin(v1) * u2, _libm.cos(v1) * u2


def _interleave(first, second):
    out = xp.empty(first.size * 2, dtype=first.dtype)
    out[0::2], out[1::2] = first, second
    return out


def _normals_from_words(words, dtype):
    """Normals from consecutive words: sin- and cos-based values alternate."""
    if dtype == _F64:
        return _interleave(*_box_muller_float64(*(words[j::4] for j in range(4))))
    values = _interleave(*_box_muller_float32(words[0::2], words[1::2]))
    return values.astype(_F16) if dtype == _F16 else values


def normal(key, counter, count, dtype):
    """`count` standard normal values of NumPy `dtype`."""
    if _compiled(count):
        return _philox_jit.normal(key, counter, count, dtype)
    return normal_numpy(key, counter, count, dtype)


def normal_numpy(key, counter, count, dtype):
    """`normal` in NumPy (the reference)."""
    dtype = xp.dtype(dtype)
    per_pair = 4 if dtype == _F64 else 2
    words = philox_words(key, counter, per_pair * -(-count // 2))
    return _normals_from_words(words, dtype)[:count]


def truncated_normal(key, counter, count, dtype):
    """`count` standard normals re-drawn until |x| < 2, with TF's grouping of draws."""
    if _compiled(count):
        return _philox_jit.truncated_normal(key, counter, count, dtype)
    return truncated_normal_numpy(key, counter, count, dtype)


def truncated_normal_numpy(key, counter, count, dtype):
    """`truncated_normal` in NumPy (the reference)."""
    dtype = xp.dtype(dtype)
    group = 2 if dtype == _F64 else 4
    skip = group * RESERVED_BLOCKS_PER_OUTPUT // 4          # blocks between groups
    groups = -(-count // group)
    out = xp.empty((groups, group), dtype=dtype)
    # One block gives each group 4 candidates (2 in float64): enough for most groups.
    # The rest get a second block, and the very rare groups still short, a slow path.
    rows = xp.arange(groups)
    candidates = xp.empty((groups, 0), dtype=dtype)
    for block in range(2):
        if not rows.size:
            break
        offsets = rows.astype(xp.uint64) * xp.uint64(skip) + xp.uint64(block)
        words = philox_blocks_at(key, counter, offsets).reshape(-1)
        fresh = _normals_from_words(words, dtype).reshape(rows.size, -1)
        candidates = xp.concatenate([candidates, fresh], axis=1)
        accepted = xp.abs(candidates) < 2.0
        done = accepted.sum(axis=1) >= group
        # The first `group` accepted candidates of each finished row, in order.
        keep = accepted & (xp.cumsum(accepted, axis=1) <= group) & done[:, None]
        out[rows[done]] = candidates[keep].reshape(-1, group)
        rows, candidates = rows[~done], candidates[~done]
    for g in rows:
        out[g] = _slow_truncated_group(key, counter + skip * int(g), group, dtype)
    return out.reshape(-1)[:count]


def _slow_truncated_group(key, start, group, dtype):
    """One group drawn pair by pair (for the rare groups with many rejections)."""
    values, block = [], 0
    while len(values) < group:
        words = philox_blocks(key, start + block, 1).reshape(-1)
        block += 1
        for v in _normals_from_words(words, dtype):
            if abs(v) < 2.0 and len(values) < group:
                values.append(v)
    return xp.asarray(values, dtype=dtype)


# -- integers -----------------------------------------------------------------------

def uniform_int(key, counter, count, dtype, low, high):
    """`count` integers in [low, high) of NumPy integer `dtype`: `low + bits % (high - low)`."""
    dtype = xp.dtype(dtype)
    bits = _integer_bits(key, counter, count, dtype.itemsize == 8)
    span = xp.uint64((int(high) - int(low)) % (1 << 64))
    offset = (bits % span) + xp.uint64(int(low) % (1 << 64))   # wraps like C++ unsigned
    return offset.astype(dtype)


def uniform_full_int(key, counter, count, dtype):
    """`count` integers covering every value of NumPy integer `dtype`."""
    dtype = xp.dtype(dtype)
    return _integer_bits(key, counter, count, dtype.itemsize == 8).astype(dtype)


def _integer_bits(key, counter, count, wide):
    if not wide:
        return philox_words(key, counter, count).astype(xp.uint64)
    words = philox_words(key, counter, 2 * count).astype(xp.uint64)
    return words[0::2] | (words[1::2] << xp.uint64(32))


# -- categorical draws and permutations -------------------------------------------------

def multinomial(key, counter, logits, num_samples, dtype):
    """Class indices drawn from unnormalized log-probabilities, as TF's CPU kernel draws.

    Each sample takes one float64 uniform (two words) and picks the first class
    whose running sum of `exp(logit - max)` exceeds `u * total`; non-finite
    logits are never picked. TF splits the rows into shards for its thread
    pool: a shard starting at row s reads the stream from block
    `s * (num_samples + 3) // 4`, and its rows then read on in order. So, as in
    TF, the numbers depend on the number of CPUs when the work is large.
    """
    batch, classes = logits.shape
    starts = _word_offsets(batch, num_samples, classes)
    words = philox_words(key, counter, int(starts[-1]) + 2 * num_samples)
    index = starts[:, None] + xp.arange(2 * num_samples)
    row_words = words[index]
    u = _words_to_float64(row_words[:, 0::2], row_words[:, 1::2])
    finite = xp.isfinite(logits)
    highest = xp.max(xp.where(finite, logits, -xp.inf), axis=1, keepdims=True)
    highest = xp.where(xp.isfinite(highest), highest, xp.finfo(logits.dtype).min)
    weights = xp.where(finite, xp.exp(logits.astype(xp.float64) - highest.astype(xp.float64)),
                       0.0)
    cdf = xp.cumsum(weights, axis=1)
    out = xp.empty((batch, num_samples), dtype=dtype)
    for b in range(batch):
        out[b] = xp.searchsorted(cdf[b], u[b] * cdf[b, -1], side="right")
    return out


def _word_offsets(batch, num_samples, classes):
    """The first stream word each row of a multinomial draw reads."""
    cost = int(50 * (num_samples * math.log(classes) / math.log(2) + classes))
    offsets = xp.empty(batch, dtype=xp.int64)
    for first, last in parallel_for_blocks(batch, cost):
        offsets[first:last] = (4 * ((first * (num_samples + 3)) // 4)
                               + 2 * num_samples * xp.arange(last - first))
    return offsets


def parallel_for_blocks(total, cost_per_unit, threads=None):
    """How TF's CPU thread pool splits `total` units of work (Eigen's parallelFor cost
    model): a list of (first, last) ranges. One range when the work is small."""
    threads = threads or _cpu_count()
    # Cycle counts of Eigen's cost model: start-up, per extra thread, per task.
    total_cost = float(total) * cost_per_unit
    useful = max(1, int((total_cost - 100000) / 100000 + 0.9))
    if total <= 1 or threads == 1 or min(threads, useful) == 1:
        return [(0, total)]
    block = min(total, max(-(-total // (4 * threads)), int(40000 / cost_per_unit)))
    max_block = min(total, 2 * block)
    count = -(-total // block)

    def efficiency(blocks):
        return blocks / (-(-blocks // threads) * threads)

    best = efficiency(count)
    previous = count
    while best < 1.0 and previous > 1:     # coarser blocks while no efficiency is lost
        coarser = -(-total // (previous - 1))
        if coarser > max_block:
            break
        previous = -(-total // coarser)
        if efficiency(previous) + 0.01 >= best:
            block, count = coarser, previous
            best = max(best, efficiency(previous))
    return [(first, min(total, first + block)) for first in range(0, total, block)]


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def permutation(key, counter, size):
    """TF's Fisher-Yates shuffle of range(size): swap i with i + word_i % (size - i)."""
    words = philox_words(key, counter, max(size - 1, 0)).tolist()
    order = list(range(size))
    for i, word in enumerate(words):
        j = i + word % (size - i)
        order[i], order[j] = order[j], order[i]
    return xp.asarray(order, dtype=xp.int64)
