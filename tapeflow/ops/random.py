"""Random ops: uniform, normal, truncated normal, with TF's global + op seed rules.

Seeds (TF's semantics): with neither a global seed (`tf.random.set_seed`) nor an
op seed, draws are not reproducible. With a global seed, each random op call
without an op seed gets the next op seed from a counter, so a fresh process
repeats the same sequence. An op seed alone is combined with a default global
seed. Each (global seed, op seed) pair keeps its own stream, so calling the
same seeded op twice gives different numbers, and `set_seed` restarts them.
"""
import threading

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops.array import _static_shape

_DEFAULT_GLOBAL_SEED = 87654321


class _SeedState:
    def __init__(self):
        self.lock = threading.Lock()
        self.global_seed = None
        self.op_counter = 0
        self.streams = {}

    def generator(self, op_seed):
        """The NumPy generator for one random op call, following TF's seed rules."""
        with self.lock:
            global_seed = self.global_seed
            if global_seed is None and op_seed is None:
                return xp.random.default_rng()
            if global_seed is None:
                global_seed = _DEFAULT_GLOBAL_SEED
            if op_seed is None:
                op_seed = self.op_counter
                self.op_counter += 1
            key = (int(global_seed), int(op_seed))
            stream = self.streams.get(key)
            if stream is None:
                stream = self.streams[key] = xp.random.default_rng(list(key))
            return stream


_seeds = _SeedState()


def set_seed(seed):
    """Sets the global random seed (TF's `tf.random.set_seed`); restarts all seeded streams."""
    with _seeds.lock:
        _seeds.global_seed = None if seed is None else int(seed)
        _seeds.op_counter = 0
        _seeds.streams = {}


def get_global_seed():
    return _seeds.global_seed


def _random_infer(shape, dtype, **attrs):
    return TensorSpec(tuple(shape), dtype)


def _draw_infer(shape, dtype, seed, **attrs):
    return TensorSpec(tuple(shape), dtype)


RandomUniform = Op("RandomUniform", infer=_draw_infer, differentiable=False, stateful=True)
RandomStandardNormal = Op("RandomStandardNormal", infer=_draw_infer, differentiable=False,
                          stateful=True)
TruncatedNormal = Op("TruncatedNormal", infer=_draw_infer, differentiable=False, stateful=True)


@RandomUniform.kernel
def _(shape, dtype, seed):
    return _seeds.generator(seed).random(shape).astype(dtype._np)


@RandomStandardNormal.kernel
def _(shape, dtype, seed):
    return _seeds.generator(seed).standard_normal(shape).astype(dtype._np)


@TruncatedNormal.kernel
def _(shape, dtype, seed):
    rng = _seeds.generator(seed)
    values = rng.standard_normal(shape)
    bad = xp.abs(values) > 2
    while bad.any():   # resample outside two standard deviations, as TF does
        values[bad] = rng.standard_normal(int(bad.sum()))
        bad = xp.abs(values) > 2
    return values.astype(dtype._np)


def _draw(op, shape, dtype, seed):
    return apply(op, shape=_static_shape(shape, op.name), dtype=dtypes.as_dtype(dtype),
                 seed=seed)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform values in [minval, maxval) (maxval defaults to 1 for floats)."""
    dtype = dtypes.as_dtype(dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype %r" % dtype)
        maxval = 1
    unit = _draw(RandomUniform, shape, dtypes.float64 if dtype.is_integer else dtype, seed)
    from tapeflow.ops.math import add, cast, floor, multiply
    if dtype.is_integer:
        return cast(floor(add(multiply(unit, float(maxval) - float(minval)), float(minval))),
                    dtype)
    if minval == 0 and maxval == 1:
        return unit
    return add(multiply(unit, maxval - minval if not hasattr(maxval, "dtype") else maxval),
               minval)


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal values with the given mean and standard deviation."""
    from tapeflow.ops.math import add, multiply
    values = _draw(RandomStandardNormal, shape, dtype, seed)
    if stddev != 1.0:
        values = multiply(values, stddev)
    if mean != 0.0:
        values = add(values, mean)
    return values


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal values re-drawn until within two standard deviations of the mean."""
    from tapeflow.ops.math import add, multiply
    values = _draw(TruncatedNormal, shape, dtype, seed)
    if stddev != 1.0:
        values = multiply(values, stddev)
    if mean != 0.0:
        values = add(values, mean)
    return values
