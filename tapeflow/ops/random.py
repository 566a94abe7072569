"""Stateful random ops (tf.random.uniform, normal, ...) with TF's seed rules.

Seeds, exactly as in TF (`get_seed`):

- no global seed (`tf.random.set_seed`) and no op seed: unreproducible numbers;
- a global seed: each random op call without an op seed takes the next op seed
  from a sequence drawn from Python's `random.Random(global_seed)` (per traced
  graph: 0, 1, 2, ...), so a fresh process repeats the same numbers;
- an op seed alone is paired with a default global seed (87654321).

Each (seed, seed2) pair then drives a Philox stream (see `_philox.py`). As in
TF, an eager op keeps its stream per (op, dtypes, seeds) - so calling the same
seeded op twice gives new numbers - and each op in a traced function keeps its
own stream across calls of that function. `set_seed` restarts everything.
These streams give TF's numbers bit for bit.

Random ops are stateful and have no gradient.
"""
import random as _py_random
import threading
import weakref

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.ops import _parallel
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import _random_bits as bits
from tapeflow.ops._philox import PhiloxStream
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.stateless_random import (FLOATS, check_int_bounds, out_dims, run_dims,
                                           scale_unit_uniform, shape_operand, size_of)

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1

# ==================================================================================
# Seeds
# ==================================================================================


class _SeedState:
    """The global seed, the op-seed sequence and the eager ops' streams."""

    def __init__(self):
        self.lock = threading.Lock()
        self.global_seed = None
        self.op_seeds = None                      # random.Random(global seed)
        self.streams = {}                         # eager (op, dtypes, seeds) -> stream
        self.graph_counters = weakref.WeakKeyDictionary()   # graph -> next op seed


_seeds = _SeedState()


def set_seed(seed):
    """Sets the global random seed (TF's `tf.random.set_seed`).

    Random ops without an op seed then repeat the same numbers in every fresh
    process, and every eager op's stream restarts.

    >>> tf.random.set_seed(7)
    >>> tf.random.uniform([2]).numpy()
    array([0.8344538 , 0.23336661], dtype=float32)
    """
    with _seeds.lock:
        if seed is None:
            _seeds.global_seed = _seeds.op_seeds = None
        else:
            seed = int(seed) if not isinstance(seed, (int, float, str, bytes)) else seed
            _seeds.global_seed = seed
            _seeds.op_seeds = _py_random.Random(seed)
        _seeds.streams = {}


def get_global_seed():
    return _seeds.global_seed


def _truncate_seed(seed):
    return int(seed) % _MAXINT32


def get_seed(op_seed):
    """TF's (seed, seed2) pair for a random op with optional `op_seed`.

    Returns (0, 0) - "seed from the OS" - when neither seed is set.
    """
    graph = state.graph
    with _seeds.lock:
        global_seed = _seeds.global_seed
        if global_seed is not None:
            if op_seed is None:
                op_seed = _next_op_seed(graph)
            seeds = _truncate_seed(global_seed), _truncate_seed(op_seed)
        elif op_seed is not None:
            seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
        else:
            return 0, 0
    # (0, 0) would mean "unseeded" to the kernels, unlike what the user asked for.
    return (0, _MAXINT32) if seeds == (0, 0) else seeds


def _next_op_seed(graph):
    if graph is None:
        return _seeds.op_seeds.randint(0, _MAXINT32)
    count = _seeds.graph_counters.get(graph, 0)
    _seeds.graph_counters[graph] = count + 1
    return count


def _stream(op_name, type_key, op_seed):
    """The Philox stream of one random op call: shared per eager kernel, own per traced op."""
    seed, seed2 = get_seed(op_seed)
    if state.graph is not None:
        return PhiloxStream(seed, seed2)
    key = (op_name, type_key, seed, seed2)
    with _seeds.lock:
        stream = _seeds.streams.get(key)
        if stream is None:
            stream = _seeds.streams[key] = PhiloxStream(seed, seed2)
    return stream


# ==================================================================================
# Ops: float draws, integer draws
# ==================================================================================

def _draw_infer(*dynamic, shape, dtype, stream):
    return TensorSpec(out_dims(shape, dynamic), dtype)


def _draw_op(name, sample, fast_sample):
    op = Op(name, infer=_draw_infer, differentiable=False, stateful=True)

    @op.kernel
    def _(*dynamic, shape, dtype, stream):
        dims = run_dims(shape, dynamic, name)
        size = size_of(dims)
        if stream.seeds == (0, 0):
            return _unseeded(stream, fast_sample, size, dtype).reshape(dims)
        key, counter = stream.reserve_for_outputs(size)
        return sample(key, counter, size, dtype._np).reshape(dims)
    return op


# With no seed at all TF's numbers are not reproducible, so nothing can be compared
# with them. With the JIT kernels (the fast extra) such draws run Philox under a
# random key, the fastest path (a 128x5408 dropout mask: 0.3 ms, NumPy's SFC64
# 0.76 ms); without them, NumPy's generator, several times faster than Philox in
# NumPy (a 32x5408 mask: ~0.3 ms instead of ~2 ms). Seeded draws stay TF-exact.
_unseeded_generators = weakref.WeakKeyDictionary()
_unseeded_philox = weakref.WeakKeyDictionary()     # stream -> [key, next counter]


def _unseeded(stream, fast_sample, size, dtype):
    """A draw with no seed anywhere (see above)."""
    if fast_sample is not _fast_truncated_normal and bits.uses_jit(size):
        with _seeds.lock:
            position = _unseeded_philox.get(stream)
            if position is None:
                position = _unseeded_philox[stream] = [_py_random.SystemRandom().getrandbits(64),
                                                      0]
            key, counter = position
            position[1] += size           # blocks: a value takes at most 2 of a block's 4 words
        sample = bits.uniform if fast_sample is _fast_uniform else bits.normal
        return sample(key, counter, size, dtype._np)
    return _unseeded_numpy(stream, fast_sample, size, dtype)


def _unseeded_numpy(stream, fast_sample, size, dtype):
    """From per-stream SFC64 generators, one per core for large draws (independent
    streams from one SeedSequence; halves fill in parallel)."""
    with _seeds.lock:
        generators = _unseeded_generators.get(stream)
        if generators is None:   # SFC64: 1.3 ms for a 128x5408 float32 mask, PCG64 2.1 ms
            seeds = xp.random.SeedSequence().spawn(_parallel.WORKERS)
            generators = _unseeded_generators[stream] = [
                xp.random.Generator(xp.random.SFC64(seed)) for seed in seeds]
    np_dtype = xp.float64 if dtype._np == xp.float64 else xp.float32
    out = xp.empty(size, dtype=np_dtype)
    if fast_sample is not _fast_truncated_normal and _parallel.worth_splitting(size, size):
        starts = {size * i // _parallel.WORKERS: i for i in range(_parallel.WORKERS)}
        _parallel.over_rows(size, lambda a, b: fast_sample(generators[starts[a]], out[a:b]))
    else:
        with _seeds.lock:
            fast_sample(generators[0], out)
    return out.astype(dtype._np, copy=False)


def _fast_uniform(rng, out):
    return rng.random(out=out, dtype=out.dtype)


def _fast_normal(rng, out):
    return rng.standard_normal(out=out, dtype=out.dtype)


def _fast_truncated_normal(rng, out):
    _fast_normal(rng, out)
    bad = xp.abs(out) > 2
    while bad.any():   # re-draw beyond two standard deviations, as TF does
        out[bad] = rng.standard_normal(int(bad.sum()), dtype=out.dtype)
        bad = xp.abs(out) > 2
    return out


RandomUniform = _draw_op("RandomUniform", bits.uniform, _fast_uniform)
RandomStandardNormal = _draw_op("RandomStandardNormal", bits.normal, _fast_normal)
TruncatedNormal = _draw_op("TruncatedNormal", bits.truncated_normal, _fast_truncated_normal)


def _int_draw_infer(minval, maxval, *dynamic, shape, stream):
    for name, spec in (("minval", minval), ("maxval", maxval)):
        if spec.dims is not None and len(spec.dims) != 0:
            raise ValueError(f"{name} must be 0-D, got shape {shape_str(spec.dims)}")
    return TensorSpec(out_dims(shape, dynamic), minval.dtype)


RandomUniformInt = Op("RandomUniformInt", infer=_int_draw_infer,
                      dtypes=(dtypes.int32, dtypes.int64), differentiable=False, stateful=True)


@RandomUniformInt.kernel
def _(minval, maxval, *dynamic, shape, stream):
    dims = run_dims(shape, dynamic, "RandomUniformInt")
    check_int_bounds(minval, maxval)
    size = size_of(dims)
    key, counter = stream.reserve_for_outputs(size)
    return bits.uniform_int(key, counter, size, minval.dtype, minval, maxval).reshape(dims)


# ==================================================================================
# Public draw functions
# ==================================================================================

_UNIFORM_DTYPES = FLOATS + (dtypes.int32, dtypes.int64)


def _check_dtype(dtype, allowed, accepted_text):
    dtype = dtypes.as_dtype(dtype)
    if dtype not in allowed:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"{accepted_text}.")
    return dtype


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform values in [minval, maxval).

    For floats `maxval` defaults to 1; integer dtypes need `maxval` (the values
    are `minval + bits % (maxval - minval)`, slightly biased as in TF).

    Args:
      shape: the output shape (list, tuple, TensorShape or 1-D int tensor).
      minval, maxval: the range; scalars or tensors (broadcast for floats).
      dtype: float16, float32, float64, int32 or int64.
      seed: the op seed (see `tf.random.set_seed`).
      name: unused; kept for TF compatibility.

    Raises:
      ValueError: an unsupported dtype, or an integer dtype without `maxval`.
      InvalidArgumentError: integer bounds with `minval >= maxval`.
    """
    dtype = _check_dtype(dtype, _UNIFORM_DTYPES, "(tf.float16, tf.bfloat16, tf.float32, "
                                                 "tf.float64, tf.int32, tf.int64)")
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        dims, dynamic = shape_operand(shape, "RandomUniformInt")
        low, high = _bound(minval, dtype, "min"), _bound(maxval, dtype, "max")
        stream = _stream("RandomUniformInt", dtype, seed)
        return apply(RandomUniformInt, low, high, *dynamic, shape=dims, stream=stream)
    values = _draw(RandomUniform, shape, dtype, seed)
    return scale_unit_uniform(values, minval, maxval, dtype)


def _bound(value, dtype, what):
    if tensor_like(value) and value.dtype is not dtype:
        raise ValueError(f"{what}: Tensor conversion requested dtype {dtype.name} for Tensor "
                         f"with dtype {value.dtype.name}: {value!r}")
    return convert_to_tensor(value, dtype=dtype)


def _draw(op, shape, dtype, seed):
    dims, dynamic = shape_operand(shape, op.name)
    return apply(op, *dynamic, shape=dims, dtype=dtype, stream=_stream(op.name, dtype, seed))


def _normal_like(op, shape, mean, stddev, dtype, seed):
    """`op`'s standard draw, scaled by `stddev` and shifted by `mean` (in `dtype`)."""
    from tapeflow.ops.math import add, multiply
    dtype = dtypes.as_dtype(dtype)
    dims, dynamic = shape_operand(shape, op.name)
    mean_t = convert_to_tensor(mean, dtype=dtype)       # TF's TypeError for int dtypes
    stddev_t = convert_to_tensor(stddev, dtype=dtype)
    _check_dtype(dtype, FLOATS, "(tf.float16, tf.bfloat16, tf.float32, tf.float64)")
    values = apply(op, *dynamic, shape=dims, dtype=dtype, stream=_stream(op.name, dtype, seed))
    if not (isinstance(stddev, (int, float)) and stddev == 1):
        values = multiply(values, stddev_t)
    if not (isinstance(mean, (int, float)) and mean == 0):
        values = add(values, mean_t)
    return values


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal values: `N(0, 1) * stddev + mean` (TF's Box-Muller draws).

    >>> tf.random.set_seed(7)
    >>> tf.random.normal([2], seed=1).shape
    TensorShape([2])
    """
    return _normal_like(RandomStandardNormal, shape, mean, stddev, dtype, seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal values re-drawn until within two standard deviations of the mean."""
    return _normal_like(TruncatedNormal, shape, mean, stddev, dtype, seed)


# ==================================================================================
# Categorical draws and shuffles
# ==================================================================================

def _multinomial_infer(logits, *rest, num_samples, output_dtype, **attrs):
    if logits.dims is not None and len(logits.dims) != 2:
        raise ValueError(f"logits should be a matrix, got shape {shape_str(logits.dims)}")
    batch = None if logits.dims is None else logits.dims[0]
    return TensorSpec((batch, num_samples), output_dtype)


def check_multinomial(logits, num_samples):
    """TF's checks on the arguments of a categorical draw."""
    if logits.ndim != 2:
        raise InvalidArgumentError(None, None, "logits should be a matrix, got shape "
                                   + shape_str(logits.shape))
    if num_samples < 0:
        raise InvalidArgumentError(None, None,
                                   f"num_samples should be nonnegative, got {num_samples}")
    if logits.shape[1] <= 0:
        raise InvalidArgumentError(None, None,
                                   f"num_classes should be positive, got {logits.shape[1]}")


Multinomial = Op("Multinomial", infer=_multinomial_infer, dtypes=FLOATS, differentiable=False,
                 stateful=True)


@Multinomial.kernel
def _(logits, num_samples, output_dtype, stream):
    check_multinomial(logits, num_samples)
    batch = logits.shape[0]
    if batch == 0 or num_samples == 0:
        return xp.zeros((batch, num_samples), dtype=output_dtype._np)
    # TF reserves 2 words per sample, rounded up to 4 samples, per row.
    key, counter = stream.reserve_for_outputs(batch * ((num_samples + 3) // 4 * 4 * 2))
    return bits.multinomial(key, counter, logits, num_samples, output_dtype._np)


def categorical_dtype(dtype):
    dtype = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         "(tf.int32, tf.int64).")
    return dtype


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws `num_samples` class indices per row of `logits` ([batch, classes]).

    >>> tf.random.categorical(tf.math.log([[0.5, 0.5]]), 4).shape
    TensorShape([1, 4])
    """
    dtype = categorical_dtype(dtype)
    logits = logits if tensor_like(logits) else convert_to_tensor(logits)
    stream = _stream("Multinomial", (logits.dtype, dtype), seed)
    return apply(Multinomial, logits, num_samples=int(num_samples), output_dtype=dtype,
                 stream=stream)


def _same_infer(value, **attrs):
    return TensorSpec(value.dims, value.dtype)


RandomShuffle = Op("RandomShuffle", infer=_same_infer, differentiable=False, stateful=True)


@RandomShuffle.kernel
def _(value, stream):
    size = value.shape[0] if value.ndim else 0
    if size <= 1:
        return value
    key, counter = stream.reserve(-(-(size - 1) // 4))     # one word per swap
    return value[bits.permutation(key, counter, size)]


def shuffle(value, seed=None, name=None):
    """Randomly shuffles a tensor along its first dimension.

    >>> tf.random.shuffle([[1, 2], [3, 4], [5, 6]]).shape
    TensorShape([3, 2])
    """
    value = value if tensor_like(value) else convert_to_tensor(value)
    return apply(RandomShuffle, value, stream=_stream("RandomShuffle", value.dtype, seed))


# ==================================================================================
# Gamma and Poisson draws (statistically correct; not TF's bit-exact numbers)
# ==================================================================================

def _numpy_generator(stream, size):
    key, counter = stream.reserve_for_outputs(max(size, 1))
    return xp.random.default_rng([key, counter & (2 ** 64 - 1), counter >> 64])


def _gamma_infer(alpha, *dynamic, shape, dtype, stream):
    dims = out_dims(shape, dynamic)
    return TensorSpec(None if dims is None or alpha.dims is None else dims + alpha.dims, dtype)


RandomGamma = Op("RandomGamma", infer=_gamma_infer, dtypes=FLOATS, differentiable=False,
                 stateful=True)


@RandomGamma.kernel
def _(alpha, *dynamic, shape, dtype, stream):
    dims = run_dims(shape, dynamic, "RandomGamma") + alpha.shape
    rng = _numpy_generator(stream, size_of(dims))
    return rng.standard_gamma(xp.broadcast_to(alpha, dims)).astype(alpha.dtype)


def gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """Gamma(alpha, beta) samples of shape `shape + broadcast(alpha, beta).shape`.

    The values follow the right distribution and TF's seed rules, but are not
    TF's exact numbers.
    """
    from tapeflow.ops.math import divide, maximum
    dtype = _check_dtype(dtype, FLOATS, "(tf.float16, tf.bfloat16, tf.float32, tf.float64)")
    alpha = convert_to_tensor(alpha, dtype=dtype)
    if beta is not None:
        from tapeflow.ops.array import broadcast_to
        beta = convert_to_tensor(beta, dtype=dtype)
        alpha = broadcast_to(alpha, xp.broadcast_shapes(tuple(alpha.shape), tuple(beta.shape)))
    dims, dynamic = shape_operand(shape, "RandomGamma")
    values = apply(RandomGamma, alpha, *dynamic, shape=dims, dtype=dtype,
                   stream=_stream("RandomGamma", dtype, seed))
    if beta is not None:
        values = divide(values, beta)
    tiny = convert_to_tensor(xp.finfo(dtype._np).tiny, dtype=dtype)
    return maximum(tiny, values)


RandomPoissonV2 = Op("RandomPoissonV2", infer=_gamma_infer, differentiable=False,
                     stateful=True)


@RandomPoissonV2.kernel
def _(rate, *dynamic, shape, dtype, stream):
    dims = run_dims(shape, dynamic, "RandomPoissonV2") + rate.shape
    rng = _numpy_generator(stream, size_of(dims))
    return rng.poisson(xp.broadcast_to(rate, dims)).astype(dtype._np)


def poisson(shape, lam, dtype=dtypes.float32, seed=None, name=None):
    """Poisson(lam) samples of shape `shape + lam.shape` (TF's seed rules, not its
    exact numbers)."""
    dtype = _check_dtype(dtype, FLOATS + (dtypes.int32, dtypes.int64),
                         "(tf.float16, tf.float32, tf.float64, tf.int32, tf.int64)")
    lam = lam if tensor_like(lam) else convert_to_tensor(lam, dtype_hint=dtypes.float32)
    dims, dynamic = shape_operand(shape, "RandomPoissonV2")
    return apply(RandomPoissonV2, lam, *dynamic, shape=dims, dtype=dtype,
                 stream=_stream("RandomPoissonV2", (lam.dtype, dtype), seed))


# Registers the stateless ops and tf.random.Generator with this op family.
from tapeflow.ops import random_generator, stateless_random  # noqa: E402,F401
