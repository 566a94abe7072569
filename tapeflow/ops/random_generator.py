"""tf.random.Generator: an explicit random state, held in a variable.

A Philox generator's state is an int64 vector [counter low, counter high, key]
in a non-trainable variable named "StateVar". Each draw reads the state, moves
the counter on by 256 blocks per output element (TF's reservation) and draws
with the stateless ops at the old (key, counter) - which is how TF itself
draws, so the numbers are TF's bit for bit. Reads and writes go through the
variable, so a Generator used inside a traced function keeps advancing.
"""
import enum

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.context import init_scope
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import Tensor
from tapeflow.core.variable import Variable
from tapeflow.ops._philox import MASK64, RESERVED_BLOCKS_PER_OUTPUT, random_u64
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.stateless_random import (FLOATS, StatelessRandomNormalV2,
                                           StatelessRandomUniformFullIntV2,
                                           StatelessRandomUniformIntV2,
                                           StatelessRandomUniformV2, StatelessTruncatedNormalV2,
                                           algorithm_number, run_dims, scale_unit_uniform,
                                           shape_operand, size_of)

_STATE_SIZE = 3          # Philox: counter (2 x 64 bits), key (64 bits)
_SEED_BITS = 64


class Algorithm(enum.Enum):
    """The random bit algorithms TF names (tapeflow implements PHILOX)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _as_int64(value):
    """A Python int as the int64 with the same low 64 bits."""
    value &= MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def create_rng_state(seed, alg):
    """The int64 state vector a Generator seeded with `seed` starts from.

    A Python int is cut into 64-bit pieces, lowest first; any other seed (a
    list, array or tensor) is left-padded with zeros to the state size (or
    cut to it).

    >>> tf.random.create_rng_state(1234, "philox").numpy()
    array([1234,    0,    0])
    """
    algorithm_number(alg)
    if isinstance(seed, int):
        pieces = []
        for _ in range(_STATE_SIZE):
            pieces.append(_as_int64(seed))
            seed >>= _SEED_BITS
        return convert_to_tensor(xp.asarray(pieces, dtype=xp.int64))
    values = xp.asarray(seed.numpy() if tensor_like(seed) else seed).reshape(-1)
    values = values.astype(xp.uint64).astype(xp.int64) if values.dtype.kind == "u" else \
        values.astype(xp.int64)
    if values.size < _STATE_SIZE:
        values = xp.concatenate([xp.zeros(_STATE_SIZE - values.size, xp.int64), values])
    return convert_to_tensor(values[:_STATE_SIZE])


# -- the one op the Generator adds: move a state's counter on ------------------------

def _skip_infer(state, *dynamic, delta, per_element):
    return TensorSpec(state.dims, state.dtype)


RngSkip = Op("RngSkip", infer=_skip_infer, dtypes=(dtypes.int64,), differentiable=False)


@RngSkip.kernel
def _(state, *dynamic, delta, per_element):
    """The state with its 128-bit counter (elements 0 and 1) moved on by
    `delta * per_element` blocks; `delta` None means the size of the shape input.
    (TF's RngSkip/RngReadAndSkip update a resource; this one returns the state.)"""
    if delta is None:
        delta = size_of(run_dims(None, dynamic, "RngSkip"))
    low, high = int(state[0]) & MASK64, int(state[1]) & MASK64
    counter = (low | high << 64) + delta * per_element
    out = state.copy()
    out[0], out[1] = _as_int64(counter), _as_int64(counter >> 64)
    return out


# -- Generator ------------------------------------------------------------------------

class Generator:
    """A random number generator with explicit state (TF's `tf.random.Generator`).

    >>> g = tf.random.Generator.from_seed(1234)
    >>> g.uniform([2]).numpy()
    array([0.3581475 , 0.11322761], dtype=float32)
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is not None, neither `state` nor `alg` "
                                 "may be given.")
            state, alg = copy_from.state.read_value(), copy_from.algorithm
        elif state is None:
            raise ValueError("One of `copy_from` and `state` must be given.")
        self._alg = algorithm_number(alg)
        state = state if isinstance(state, Tensor) else convert_to_tensor(
            xp.asarray(state).astype(xp.int64))
        if tuple(state.shape) != (_STATE_SIZE,):
            raise ValueError(f"Shapes {tuple(state.shape)} and [{_STATE_SIZE}] are "
                             "incompatible")
        with init_scope():
            self._state_var = Variable(state, dtype=dtypes.int64, trainable=False,
                                       name="StateVar")

    # -- constructors ---------------------------------------------------------------
    @classmethod
    def from_state(cls, state, alg):
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None):
        """A generator whose state comes from `seed` (see `create_rng_state`)."""
        alg = algorithm_number(alg)
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A generator seeded from the operating system's entropy."""
        state = [_as_int64(random_u64()) for _ in range(_STATE_SIZE)]
        return cls(state=state, alg=algorithm_number(alg))

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        """A generator with the given 64-bit key and [2] counter."""
        counter = [int(c) for c in xp.asarray(counter).reshape(-1)]
        return cls(state=counter + [int(key)], alg=alg)

    def reset(self, state):
        self._state_var.assign(convert_to_tensor(xp.asarray(state).astype(xp.int64)))

    def reset_from_seed(self, seed):
        self._state_var.assign(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        counter = [int(c) for c in xp.asarray(counter).reshape(-1)]
        self.reset(counter + [int(key)])

    # -- properties -----------------------------------------------------------------
    @property
    def state(self):
        """The state variable (int64 [3]: counter low, counter high, key)."""
        return self._state_var

    @property
    def algorithm(self):
        return self._alg

    def _trackable_children(self, save_type="checkpoint", **kwargs):
        """What a checkpoint saves: the state variable, under TF's name."""
        return {"_state_var": self._state_var}

    @property
    def key(self):
        return self._state_var.read_value()[-1]

    # -- drawing --------------------------------------------------------------------
    def skip(self, delta):
        """Moves the counter on as `delta` draws would; returns the old state."""
        return self._read_and_skip((), int(delta))

    def _read_and_skip(self, dynamic, delta):
        """Reads the state and moves it on by 256 blocks per element to be drawn."""
        old = self._state_var.read_value()
        self._state_var.assign(apply(RngSkip, old, *dynamic, delta=delta,
                                     per_element=RESERVED_BLOCKS_PER_OUTPUT))
        return old

    def _key_counter(self, dims, dynamic):
        """(key, counter) tensors for a draw of shape `dims` (or a traced shape)."""
        old = self._read_and_skip(dynamic, None if dims is None else size_of(dims))
        return old[2:], old[:2]

    def _draw(self, op, shape, *bounds, **attrs):
        dims, dynamic = shape_operand(shape, op.name)
        key, counter = self._key_counter(dims, dynamic)
        return apply(op, key, counter, *bounds, *dynamic, shape=dims, alg=self._alg, **attrs)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        """Uniform values in [minval, maxval), like `tf.random.uniform`."""
        dtype = dtypes.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError(f"For integer dtype {dtype}, minval and maxval must be both "
                                 f"`None` or both non-`None`; got minval={minval} and "
                                 f"maxval={maxval}")
            if minval is None:
                return self.uniform_full_int(shape, dtype)
            low = convert_to_tensor(minval, dtype=dtype)
            high = convert_to_tensor(maxval, dtype=dtype)
            return self._draw(StatelessRandomUniformIntV2, shape, low, high)
        values = self._draw(StatelessRandomUniformV2, shape, dtype=dtype)
        return scale_unit_uniform(values, minval, maxval, dtype)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        """Integers covering the whole range of `dtype` (int32, int64, uint32, uint64)."""
        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64):
            raise ValueError(f"Value for attr 'dtype' of {dtype.name} is not in the list of "
                             "allowed values: int32, int64, uint32, uint64")
        return self._draw(StatelessRandomUniformFullIntV2, shape, dtype=dtype)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        return self._normal_like(StatelessRandomNormalV2, shape, mean, stddev, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        return self._normal_like(StatelessTruncatedNormalV2, shape, mean, stddev, dtype)

    def _normal_like(self, op, shape, mean, stddev, dtype):
        from tapeflow.ops.math import add, multiply
        dtype = dtypes.as_dtype(dtype)
        mean_t = convert_to_tensor(mean, dtype=dtype)
        stddev_t = convert_to_tensor(stddev, dtype=dtype)
        if dtype not in FLOATS:
            raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes "
                             "are (tf.float16, tf.bfloat16, tf.float32, tf.float64).")
        return add(multiply(self._draw(op, shape, dtype=dtype), stddev_t), mean_t)

    def make_seeds(self, count=1):
        """`count` seeds for stateless ops, as an int64 tensor of shape [2, count]."""
        from tapeflow.ops.array import stack, zeros_like
        keys = self.uniform_full_int([count], dtype=dtypes.int64)
        return stack([keys, zeros_like(keys)])

    def split(self, count=1):
        """`count` new generators with independent states (keys drawn from this one)."""
        keys = self.uniform_full_int([count], dtype=dtypes.int64).numpy()
        return [Generator(state=[0, 0, int(key)], alg=self._alg) for key in keys]


_global_generator = None


def get_global_generator():
    """The global Generator (created from OS entropy on first use)."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    """Replaces the global Generator."""
    global _global_generator
    _global_generator = generator
