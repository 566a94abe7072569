"""The compiled Philox draws (ops/_philox_jit.py) give the NumPy reference's values bit for bit.

The reference (`_random_bits.*_numpy`) is itself pinned to TF 2.21's numbers by
test_random.py, which runs its value tests through both paths.
"""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow._util import jit
from tapeflow.ops import _parallel, _philox_jit
from tapeflow.ops import _random_bits as bits

pytestmark = pytest.mark.skipif(not jit.enabled(), reason="Numba is not installed")

M64 = 2 ** 64 - 1
# (key, counter): plain ones, and counters whose low 32 or 64 bits (or all 128) are
# about to wrap, so the carry into the higher words is exercised inside a draw.
STREAMS = [
    (0, 0),
    (7, 3 << 64),
    (0x1234567890ABCDEF, (5 << 64) | (M64 - 3)),
    (M64, 2 ** 128 - 10),
    (0xDEADBEEF, (1 << 64) | (2 ** 32 - 2)),
    (1 << 63, (M64 << 64) | (M64 - 700)),
]
SIZES = [1, 2, 3, 5, 7, 1001, 4099]
DTYPES = [np.float32, np.float64, np.float16]
DRAWS = ["uniform", "normal", "truncated_normal"]


def _same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8))


@pytest.mark.parametrize("draw", DRAWS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_kernels_equal_numpy_reference(draw, dtype):
    compiled, reference = getattr(_philox_jit, draw), getattr(bits, draw + "_numpy")
    for key, counter in STREAMS:
        for size in SIZES:
            _same_bits(compiled(key, counter, size, dtype), reference(key, counter, size, dtype))


@pytest.mark.parametrize("draw", DRAWS)
def test_split_over_threads_gives_the_same_values(draw, monkeypatch):
    key, counter = 0x1234567890ABCDEF, (5 << 64) | (M64 - 3)
    whole = {dtype: getattr(_philox_jit, draw)(key, counter, 30001, dtype) for dtype in DTYPES}
    monkeypatch.setattr(_parallel, "WORKERS", 3)
    monkeypatch.setitem(_philox_jit._SPLIT_VALUES, draw, 1)
    for dtype in DTYPES:
        _same_bits(getattr(_philox_jit, draw)(key, counter, 30001, dtype), whole[dtype])


def test_float16_truncation_tests_the_rounded_value():
    """float16 draws reject values that round to 2.0; the stream below has candidates in
    [2 - 2**-11, 2), which a float32 test against 2.0 would keep."""
    key, counter = 0x9E3779B97F4A7C15, 11 << 64
    size = 40000
    normals = bits.normal_numpy(key, counter, 4 * size, np.float32)
    assert np.any((np.abs(normals) >= 2 - 2 ** -11) & (np.abs(normals) < 2))
    _same_bits(_philox_jit.truncated_normal(key, counter, size, np.float16),
               bits.truncated_normal_numpy(key, counter, size, np.float16))


def test_large_stateless_draws_match_independent_reference():
    from tests.ops import philox_reference as ref
    for dtype in DTYPES:
        values = tf.random.stateless_uniform([3000], seed=[3, 4], dtype=tf.as_dtype(dtype))
        _same_bits(values.numpy(), ref.uniform([3, 4], 3000, dtype))
    # (the reference's float32 normals use double-precision functions: float64 only here)
    normals = tf.random.stateless_normal([2001], seed=[-1, 2 ** 40], dtype=tf.float64)
    _same_bits(normals.numpy(), ref.normal([-1, 2 ** 40], 2001, np.float64))


def _public_draws():
    """Large draws through every public path, with a global seed set."""
    tf.random.set_seed(1)
    out = [tf.random.uniform((33, 97)), tf.random.uniform((33, 97)),
           tf.random.normal((1500,), dtype=tf.float64),
           tf.random.truncated_normal((41, 43), seed=4),
           tf.random.uniform((2000,), dtype=tf.float16),
           tf.random.stateless_uniform((3001,), seed=[1, 2]),
           tf.random.stateless_normal((1200,), seed=[3, 4], dtype=tf.float16),
           tf.random.stateless_truncated_normal((2003,), seed=[5, 6], dtype=tf.float64)]
    g = tf.random.Generator.from_seed(1234)
    out += [g.uniform((1025,)), g.normal((2048,)), g.truncated_normal((1111,))]
    layer = tf.keras.layers.Dropout(0.3, seed=7)
    ones = np.ones((32, 130), np.float32)
    out += [layer(ones, training=True), layer(ones, training=True)]
    draw = tf.function(lambda: tf.random.normal((64, 40)))
    out += [draw(), draw()]
    tf.random.set_seed(None)
    return [value.numpy() for value in out]


def test_public_ops_agree_with_and_without_numba(monkeypatch):
    monkeypatch.setenv("TAPEFLOW_JIT", "0")
    reference = _public_draws()
    monkeypatch.setenv("TAPEFLOW_JIT", "1")
    for compiled, expected in zip(_public_draws(), reference):
        _same_bits(compiled, expected)
