"""An independent, scalar reference for TF's Philox-based random numbers.

Written from the published algorithm (Salmon et al. 2011) and TF's documented
conventions, one block and one value at a time in plain Python, so that it
shares no code (and no vectorization tricks) with tapeflow/ops/_philox.py and
_random_bits.py. Used as the NumPy reference of the stateless ops' Cases.
"""
import math
import struct

import numpy as np

_M32 = 0xFFFFFFFF


def philox(counter, key):
    """The four 32-bit words of Philox4x32-10 for a 128-bit counter and 64-bit key."""
    c = [(counter >> (32 * i)) & _M32 for i in range(4)]
    k0, k1 = key & _M32, (key >> 32) & _M32
    for round_index in range(10):
        if round_index:
            k0, k1 = (k0 + 0x9E3779B9) & _M32, (k1 + 0xBB67AE85) & _M32
        hi0, lo0 = divmod(0xD2511F53 * c[0], 1 << 32)
        hi1, lo1 = divmod(0xCD9E8D57 * c[2], 1 << 32)
        c = [hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0]
    return c


class Words:
    """The stream of words at (key, counter), one at a time."""

    def __init__(self, key, counter):
        self.key, self.counter, self.buffer = key, counter, []

    def __call__(self):
        if not self.buffer:
            self.buffer = philox(self.counter, self.key)
            self.counter = (self.counter + 1) % (1 << 128)
        return self.buffer.pop(0)


def key_counter(seed):
    """StatelessRandomGetKeyCounter for a seed pair (ints, sign-extended to 64 bits)."""
    s0, s1 = (int(s) % (1 << 64) for s in seed)
    mix = philox(s0 | s1 << 64, 0x02461E29 << 32 | 0x3EC8F720)
    return mix[0] | mix[1] << 32, (mix[2] | mix[3] << 32) << 64


def _float32(word):
    return struct.unpack("<f", struct.pack("<I", 0x3F800000 | (word & 0x7FFFFF)))[0] - 1.0


def _float64(high, low):
    bits = 0x3FF0000000000000 | (high & 0xFFFFF) << 32 | low
    return struct.unpack("<d", struct.pack("<Q", bits))[0] - 1.0


def _half(word):
    return float(np.frombuffer(struct.pack("<H", 0x3C00 | (word & 0x3FF)), np.float16)[0]) - 1.0


def uniform(seed, count, dtype):
    words = Words(*key_counter(seed))
    if dtype == np.float64:
        return np.array([_float64(words(), words()) for _ in range(count)])
    convert = _half if dtype == np.float16 else _float32
    return np.array([convert(words()) for _ in range(count)], dtype=dtype)


def _box_muller(words, dtype):
    """Two normals from two uniforms: sin- then cos-based."""
    if dtype == np.float64:
        u1, u2 = _float64(words(), words()), _float64(words(), words())
        angle = 2 * math.pi * u2
    else:
        u1, u2 = _float32(words()), _float32(words())
        angle = float(np.float32(2 * math.pi * u2))     # TF rounds the angle to float32
    radius = math.sqrt(-2.0 * math.log(max(u1, 1e-7)))
    return [math.sin(angle) * radius, math.cos(angle) * radius]


def normal(seed, count, dtype):
    words, values = Words(*key_counter(seed)), []
    while len(values) < count:
        values.extend(_box_muller(words, dtype))
    return np.array(values[:count], dtype=dtype)


def truncated_normal(seed, count, dtype):
    """Groups of 4 (2 in float64) values, group g from its own stream 256 blocks on."""
    key, counter = key_counter(seed)
    group = 2 if dtype == np.float64 else 4
    values = []
    for g in range(-(-count // group)):
        words, kept = Words(key, counter + g * group * 64), []
        while len(kept) < group:
            kept.extend(v for v in _box_muller(words, dtype) if abs(v) < 2.0)
        values.extend(kept[:group])
    return np.array(values[:count], dtype=dtype)


def uniform_int(seed, count, low, high, dtype):
    words, span = Words(*key_counter(seed)), int(high) - int(low)
    wide = np.dtype(dtype).itemsize == 8
    out = []
    for _ in range(count):
        bits = words() | (words() << 32 if wide else 0)
        out.append(int(low) + bits % span)
    return np.array(out, dtype=dtype)


def full_int(seed, count, dtype):
    words, wide = Words(*key_counter(seed)), np.dtype(dtype).itemsize == 8
    bits = [words() | (words() << 32 if wide else 0) for _ in range(count)]
    return np.array(bits, dtype=np.uint64).astype(dtype)


def multinomial(seed, logits, num_samples):
    """Row by row, sample by sample (small inputs: TF runs them in one shard)."""
    words, out = Words(*key_counter(seed)), []
    for row in np.asarray(logits, np.float64):
        cdf = np.cumsum(np.exp(row - row.max()))
        out.append([int(np.searchsorted(cdf, _float64(words(), words()) * cdf[-1], "right"))
                    for _ in range(num_samples)])
    return np.array(out, dtype=np.int64)


def permutation(key, counter, size):
    words, order = Words(key, counter), list(range(size))
    for i in range(size - 1):
        j = i + words() % (size - i)
        order[i], order[j] = order[j], order[i]
    return order
