"""Philox4x32-10: the counter-based random bit generator behind TF's random ops.

Philox (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011)
maps a 128-bit *counter* and a 64-bit *key* to 128 random bits (four uint32
words) with ten rounds of multiply/xor mixing. Block i of a stream is simply
the mix of `counter + i`, so any part of a stream can be computed without the
parts before it - which is what lets NumPy compute a whole tensor's worth of
blocks at once, and what lets TF hand out disjoint ranges of one stream.

TF's conventions, reproduced here bit for bit:

- A stateful op seeded with (seed, seed2) starts at key = seed and
  counter = seed2 << 64 (the high 64 bits hold seed2, the low 64 bits count).
- Each call of such an op reserves 256 blocks per output element (a generous
  bound for ops that re-draw), so the next call starts that far along.
- A stateless op turns its two seed integers into a key and a counter by one
  Philox block under a fixed key (`stateless_key_counter`), so that similar
  seeds give unrelated streams.

Counters and keys are Python ints here (128 and 64 bits); blocks are uint32
arrays of shape [n, 4].
"""
import os
import threading

from tapeflow.core.array_api import xp

_M0, _M1 = xp.uint64(0xD2511F53), xp.uint64(0xCD9E8D57)   # round multipliers
_W0, _W1 = 0x9E3779B9, 0xBB67AE85                          # key increments (Weyl)
_LOW32 = xp.uint64(0xFFFFFFFF)
_32 = xp.uint64(32)
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1
# Blocks a stateful op reserves per output element (TF's GuardedPhiloxRandom).
RESERVED_BLOCKS_PER_OUTPUT = 256
# The fixed key stateless ops scramble their seed with.
_STATELESS_KEY = 0x02461E29_3EC8F720


def philox_blocks(key, counter, count):
    """`count` Philox4x32-10 blocks for counters `counter, counter+1, ...` under `key`.

    Args:
      key: the 64-bit key (a Python int).
      counter: the 128-bit counter of the first block (a Python int).
      count: the number of blocks.

    Returns:
      A uint32 array of shape [count, 4]: word j of block i is the j-th uint32
      TF's generator returns for counter `counter + i`.
    """
    return philox_blocks_at(key, counter, xp.arange(count, dtype=xp.uint64))


def philox_blocks_at(key, counter, offsets):
    """Blocks for counters `counter + offsets` (a uint64 array), shape offsets.shape + [4]."""
    flat = offsets.reshape(-1)
    if flat.size <= _FEW_BLOCKS:
        blocks = [_mix_one(key, (counter + int(offset)) & MASK128) for offset in flat.tolist()]
        return xp.array(blocks, dtype=xp.uint32).reshape(offsets.shape + (4,))
    out = xp.empty((flat.size, 4), dtype=xp.uint32)
    # Chunks that stay in cache, with in-place rounds: about 4x faster than whole arrays.
    for start in range(0, flat.size, _CHUNK):
        words = _mix(key, counter, flat[start:start + _CHUNK])
        for j, word in enumerate(words):
            out[start:start + _CHUNK, j] = word
    return out.reshape(offsets.shape + (4,))


_CHUNK = 16384
# Below this many blocks, Python ints beat NumPy's per-call overhead (4 us vs 60 us for one).
_FEW_BLOCKS = 16


def _mix_one(key, counter):
    """One block with Python ints: the same rounds as `_mix`."""
    c0, c1 = counter & 0xFFFFFFFF, (counter >> 32) & 0xFFFFFFFF
    c2, c3 = (counter >> 64) & 0xFFFFFFFF, counter >> 96
    k0, k1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
    for _ in range(10):
        p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
        c0, c1 = (p1 >> 32) ^ c1 ^ k0, p1 & 0xFFFFFFFF
        c2, c3 = (p0 >> 32) ^ c3 ^ k1, p0 & 0xFFFFFFFF
        k0 = (k0 + _W0) & 0xFFFFFFFF
        k1 = (k1 + _W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


def _mix(key, counter, offsets):
    """The ten Philox rounds on counters `counter + offsets`; four uint64 arrays of words."""
    low, high = counter & MASK64, (counter >> 64) & MASK64
    c_low = offsets + xp.uint64(low)              # wraps modulo 2**64
    c_high = xp.full(offsets.shape, high, dtype=xp.uint64)
    carry = c_low < xp.uint64(low)
    if carry.any():
        c_high[carry] += xp.uint64(1)
    c0, c1 = c_low & _LOW32, c_low >> _32
    c2, c3 = c_high & _LOW32, c_high >> _32
    p0, p1 = xp.empty_like(c0), xp.empty_like(c0)
    k0, k1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
    for _ in range(10):
        # (c0, c1, c2, c3) <- (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0))
        xp.multiply(c0, _M0, out=p0)               # 32 x 32 -> 64-bit products
        xp.multiply(c2, _M1, out=p1)
        xp.right_shift(p1, _32, out=c0)
        xp.bitwise_xor(c0, c1, out=c0)
        xp.bitwise_xor(c0, xp.uint64(k0), out=c0)
        xp.bitwise_and(p1, _LOW32, out=c1)
        xp.right_shift(p0, _32, out=c2)
        xp.bitwise_xor(c2, c3, out=c2)
        xp.bitwise_xor(c2, xp.uint64(k1), out=c2)
        xp.bitwise_and(p0, _LOW32, out=c3)
        k0 = (k0 + _W0) & 0xFFFFFFFF
        k1 = (k1 + _W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


def philox_words(key, counter, count):
    """The first `count` uint32 words of the stream at (key, counter), in order."""
    return philox_blocks(key, counter, -(-count // 4)).reshape(-1)[:count]


def stateless_key_counter(seed0, seed1):
    """TF's (key, counter) for a stateless op's seed pair (StatelessRandomGetKeyCounter).

    The two seeds (sign-extended to 64 bits) form a counter that is mixed by one
    Philox block under a fixed key; the block's first two words become the key,
    its last two the high half of the counter.
    """
    words = philox_blocks(_STATELESS_KEY, (seed0 & MASK64) | (seed1 & MASK64) << 64, 1)[0]
    key = int(words[0]) | int(words[1]) << 32
    counter = (int(words[2]) | int(words[3]) << 32) << 64
    return key, counter


def random_u64():
    """A non-deterministic 64-bit integer (for unseeded ops), from the OS."""
    return int.from_bytes(os.urandom(8), "little")


class PhiloxStream:
    """The state of one stateful random op: a key and a moving counter.

    TF keeps one such generator per op kernel: per eager (op, dtype, seeds)
    combination, and per node of a traced function. `reserve` hands out
    disjoint ranges of blocks, so repeated calls give new numbers.
    """

    __slots__ = ("key", "counter", "seeds", "_lock", "__weakref__")

    def __init__(self, seed, seed2):
        self.seeds = (seed, seed2)
        if seed == 0 and seed2 == 0:     # TF: (0, 0) means "seed me from the OS"
            seed, seed2 = random_u64(), random_u64()
        self.key = seed & MASK64
        self.counter = (seed2 & MASK64) << 64
        self._lock = threading.Lock()

    def reserve(self, blocks):
        """Returns (key, first counter) of `blocks` fresh blocks and moves past them."""
        with self._lock:
            counter = self.counter
            self.counter = (counter + blocks) & MASK128
        return self.key, counter

    def reserve_for_outputs(self, outputs):
        """What TF's stateful ops reserve for a result of `outputs` elements."""
        return self.reserve(outputs * RESERVED_BLOCKS_PER_OUTPUT)

    def __repr__(self):
        return "Philox(seed=%d, seed2=%d)" % self.seeds
