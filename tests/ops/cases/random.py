"""Cases for the random ops.

Stateless ops are deterministic functions of their seed, so they get ordinary
Cases against the scalar reference in tests/ops/philox_reference.py (float32
normals within an ulp: the reference computes them in float64). TF's exact
numbers, the seed rules and the stateful ops are tested in
tests/ops/test_random.py.
"""
import numpy as np

import tapeflow as tf
from tapeflow.core.dispatch import apply
from tapeflow.ops.random_generator import RngSkip
from tests.ops import philox_reference as ref
from tests.ops.cases import Case, const, inputs

_SEED = inputs(const(np.array([1, 2], np.int32)))
_SEED64 = inputs(const(np.array([-7, 2 ** 40], np.int64)))
_F32 = ("float32",)
_LOGITS = np.log(np.array([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]]))


def _key_counter_reference(seed):
    key, counter = ref.key_counter(seed)
    return [np.array([key], np.uint64), np.array([0, counter >> 64], np.uint64)]


def _skip_reference(state):
    counter = (int(state[0]) % 2 ** 64 | (int(state[1]) % 2 ** 64) << 64) + 3 * 256
    low, high = counter % 2 ** 64, (counter >> 64) % 2 ** 64
    return np.array([low, high, int(state[2]) % 2 ** 64], np.uint64).astype(np.int64)


def _shuffle_reference(value, seed):
    return value[ref.permutation(*ref.key_counter(seed), len(value))]


def _case(op, fn, reference, seed=_SEED, label="", **kw):
    return Case(op, fn, seed, reference, dtypes=_F32, grad=False, label=label, **kw)


CASES = [
    _case("StatelessRandomGetKeyCounter",
          lambda s: list(tf.ops.stateless_random.key_counter(s)), _key_counter_reference),
    _case("StatelessRandomGetKeyCounter",
          lambda s: list(tf.ops.stateless_random.key_counter(s)), _key_counter_reference,
          seed=_SEED64, label="int64"),
    _case("StatelessRandomUniformV2", lambda s: tf.random.stateless_uniform([2, 3], s),
          lambda s: ref.uniform(s, 6, np.float32).reshape(2, 3)),
    _case("StatelessRandomUniformV2",
          lambda s: tf.random.stateless_uniform([5], s, dtype=tf.float64),
          lambda s: ref.uniform(s, 5, np.float64), seed=_SEED64, label="float64"),
    _case("StatelessRandomUniformV2",
          lambda s: tf.random.stateless_uniform([7], s, dtype=tf.float16),
          lambda s: ref.uniform(s, 7, np.float16), label="float16"),
    _case("StatelessRandomNormalV2", lambda s: tf.random.stateless_normal([7], s),
          lambda s: ref.normal(s, 7, np.float32)),
    _case("StatelessRandomNormalV2",
          lambda s: tf.random.stateless_normal([2, 3], s, dtype=tf.float64),
          lambda s: ref.normal(s, 6, np.float64).reshape(2, 3), label="float64"),
    _case("StatelessTruncatedNormalV2",
          lambda s: tf.random.stateless_truncated_normal([11], s),
          lambda s: ref.truncated_normal(s, 11, np.float32)),
    _case("StatelessTruncatedNormalV2",
          lambda s: tf.random.stateless_truncated_normal([5], s, dtype=tf.float64),
          lambda s: ref.truncated_normal(s, 5, np.float64), seed=_SEED64, label="float64"),
    _case("StatelessRandomUniformIntV2",
          lambda s: tf.random.stateless_uniform([6], s, minval=-3, maxval=10, dtype=tf.int32),
          lambda s: ref.uniform_int(s, 6, -3, 10, np.int32)),
    _case("StatelessRandomUniformIntV2",
          lambda s: tf.random.stateless_uniform([4], s, minval=5, maxval=2 ** 40,
                                                dtype=tf.int64),
          lambda s: ref.uniform_int(s, 4, 5, 2 ** 40, np.int64), label="int64"),
    _case("StatelessRandomUniformFullIntV2",
          lambda s: tf.random.stateless_uniform([3], s, None, None, dtype=tf.uint32),
          lambda s: ref.full_int(s, 3, np.uint32)),
    _case("StatelessRandomUniformFullIntV2",
          lambda s: tf.random.stateless_uniform([3], s, None, None, dtype=tf.int64),
          lambda s: ref.full_int(s, 3, np.int64), label="int64"),
    _case("StatelessMultinomial",
          lambda s: tf.random.stateless_categorical(tf.constant(_LOGITS), 6, s),
          lambda s: ref.multinomial(s, _LOGITS, 6)),
    _case("StatelessShuffle",
          lambda v, s: tf.random.experimental.stateless_shuffle(v, s), _shuffle_reference,
          seed=inputs(const(np.arange(12.0).reshape(6, 2)), const(np.array([3, 4], np.int32)))),
    _case("RngSkip", lambda state: apply(RngSkip, state, delta=3, per_element=256),
          _skip_reference,
          seed=inputs(const(np.array([2 ** 63 - 1, -1, 9], np.int64)))),
]

_STATEFUL = "tests/ops/test_random.py (TF's exact numbers, seed rules, statistics)"
EXEMPT = {name: _STATEFUL for name in (
    "RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt",
    "Multinomial", "RandomShuffle", "RandomGamma", "RandomPoissonV2")}
