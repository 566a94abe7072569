"""Stateless random ops: the same seed gives the same numbers, every time.

`tf.random.stateless_*` take a seed of shape [2] (int32 or int64). As in TF,
the seed is first turned into a Philox key and counter
(`StatelessRandomGetKeyCounter`), and the draw ops (`StatelessRandom*V2`) read
the stream there. The values are TF's, bit for bit (see `_random_bits.py`).
Keras initializers and dropout draw through these ops, with seeds from a
`SeedGenerator`, so seeds may be traced tensors: they are op inputs, never
attributes.

Also here: the shape-argument handling shared with the stateful ops in
`random.py` (a static shape is an attribute; a traced shape tensor is an input).
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, op_error
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape, shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import SymbolicTensor
from tapeflow.ops import _random_bits as bits
from tapeflow.ops._philox import MASK64, stateless_key_counter
from tapeflow.ops._rules import tensor_like

FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_SEED_DTYPES = (dtypes.int32, dtypes.int64)

# ==================================================================================
# Shapes: a static attribute, or (while tracing) an int vector input
# ==================================================================================


def shape_operand(shape, op_name):
    """`(dims, ())` for a known shape, or `(None, (shape_tensor,))` for a traced one."""
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a "
                             "Tensor.")
        return tuple(shape.as_list()), ()
    if isinstance(shape, (list, tuple)) and any(isinstance(d, SymbolicTensor) for d in shape):
        from tapeflow.ops.array import stack
        shape = stack([convert_to_tensor(d, dtype=dtypes.int32) for d in shape])
    if isinstance(shape, SymbolicTensor):
        if shape.dtype not in _SEED_DTYPES:
            raise TypeError(f"{op_name}: shape must be int32 or int64, got {shape.dtype.name}.")
        return None, (shape,)
    values = shape.numpy() if tensor_like(shape) else xp.asarray(shape)
    if values.size == 0 and values.ndim == 1:
        return (), ()
    return check_dims(values, op_name), ()


def check_dims(values, op_name):
    """A tuple of dims from an int vector array, with TF's errors for bad shapes."""
    if values.dtype.kind not in "iu":
        kind = dtypes.from_numpy(values.dtype).name if values.dtype.kind != "U" else "string"
        raise op_error(op_name, f"Value for attr 'T' of {_c_name(kind)} is not in the list of "
                                "allowed values: int32, int64")
    if values.ndim != 1:
        raise op_error(op_name, "shape must be a vector of {int32,int64}, got shape "
                                + shape_str(values.shape))
    dims = tuple(int(d) for d in values)
    for d in dims:
        if d < 0:
            raise op_error(op_name, f"Dimension {d} must be >= 0")
    return dims


def _c_name(name):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(name, name)


def out_dims(shape, dynamic):
    """The static output dims of a draw: the attribute, or unknown dims of known rank."""
    if shape is not None:
        return shape
    dims = dynamic[0].dims
    if dims is None or dims[0] is None:
        return None
    return (None,) * dims[0]


def run_dims(shape, dynamic, op_name):
    """The output dims when the kernel runs."""
    if shape is not None:
        return shape
    return check_dims(xp.asarray(dynamic[0]), op_name)


def size_of(dims):
    """The number of elements of a tensor with static `dims`."""
    size = 1
    for d in dims:
        size *= d
    return size


# ==================================================================================
# StatelessRandomGetKeyCounter: seed [2] -> Philox key [1], counter [2] (uint64)
# ==================================================================================

def _key_counter_infer(seed):
    if seed.dims is not None and (len(seed.dims) != 1 or seed.dims[0] not in (None, 2)):
        raise ValueError(f"seed must have shape [2], not {shape_str(seed.dims)}")
    return TensorSpec((1,), dtypes.uint64), TensorSpec((2,), dtypes.uint64)


StatelessRandomGetKeyCounter = Op("StatelessRandomGetKeyCounter", infer=_key_counter_infer,
                                  dtypes=_SEED_DTYPES, differentiable=False, multi_output=True)


@StatelessRandomGetKeyCounter.kernel
def _(seed):
    if seed.shape != (2,):
        raise InvalidArgumentError(None, None,
                                   f"seed must have shape [2], not {shape_str(seed.shape)}")
    key, counter = stateless_key_counter(int(seed[0]), int(seed[1]))
    return (xp.array([key], dtype=xp.uint64),
            xp.array([counter & MASK64, counter >> 64], dtype=xp.uint64))


def _stream(key, counter):
    """(key, counter) Python ints from key [1] and counter [2] arrays (uint64 or int64)."""
    low, high = (int(c) & MASK64 for c in counter[:2])
    return int(key[0]) & MASK64, low | high << 64


# ==================================================================================
# Draw ops: (key, counter) -> values
# ==================================================================================

def _draw_infer(key, counter, *dynamic, shape, dtype, alg):
    return TensorSpec(out_dims(shape, dynamic), dtype)


def _draw_op(name, sample):
    op = Op(name, infer=_draw_infer, differentiable=False)

    @op.kernel
    def _(key, counter, *dynamic, shape, dtype, alg):
        dims = run_dims(shape, dynamic, name)
        return sample(*_stream(key, counter), size_of(dims), dtype._np).reshape(dims)
    return op


StatelessRandomUniformV2 = _draw_op("StatelessRandomUniformV2", bits.uniform)
StatelessRandomNormalV2 = _draw_op("StatelessRandomNormalV2", bits.normal)
StatelessTruncatedNormalV2 = _draw_op("StatelessTruncatedNormalV2", bits.truncated_normal)
StatelessRandomUniformFullIntV2 = _draw_op("StatelessRandomUniformFullIntV2",
                                           bits.uniform_full_int)


def _int_draw_infer(key, counter, minval, maxval, *dynamic, shape, alg):
    for name, spec in (("minval", minval), ("maxval", maxval)):
        if spec.dims is not None and len(spec.dims) != 0:
            raise ValueError(f"{name} must be 0-D, got shape {shape_str(spec.dims)}")
    return TensorSpec(out_dims(shape, dynamic), minval.dtype)


def check_int_bounds(minval, maxval):
    """TF's checks of the bounds of a uniform integer draw."""
    for name, bound in (("minval", minval), ("maxval", maxval)):
        if bound.ndim != 0:
            raise InvalidArgumentError(None, None, f"{name} must be 0-D, got shape "
                                       + shape_str(bound.shape))
    if not minval < maxval:
        raise InvalidArgumentError(None, None, f"Need minval < maxval, got {minval} >= {maxval}")


StatelessRandomUniformIntV2 = Op("StatelessRandomUniformIntV2", infer=_int_draw_infer,
                                 differentiable=False)


@StatelessRandomUniformIntV2.kernel
def _(key, counter, minval, maxval, *dynamic, shape, alg):
    dims = run_dims(shape, dynamic, "StatelessRandomUniformIntV2")
    check_int_bounds(minval, maxval)
    return bits.uniform_int(*_stream(key, counter), size_of(dims), minval.dtype, minval,
                            maxval).reshape(dims)


# ==================================================================================
# Public functions
# ==================================================================================

def algorithm_number(alg):
    """TF's algorithm number for `alg` (a name, an Algorithm, an int or None); Philox only."""
    if alg is None:
        return 1
    if isinstance(alg, str):
        names = {"philox": 1, "threefry": 2, "auto_select": 3}
        if alg.lower() not in names:
            raise ValueError(f"Argument `alg` got unsupported value {alg}. Supported values "
                             "are philox for the Philox algorithm, threefry for the ThreeFry "
                             "algorithm, and auto_select for auto-selection.")
        alg = names[alg.lower()]
    alg = int(getattr(alg, "value", alg))
    if alg == 2:
        raise NotImplementedError("tapeflow's random ops implement the Philox algorithm "
                                  "only (alg='philox' or 'auto_select').")
    return 1


def _seed_tensor(seed):
    seed = seed if tensor_like(seed) else convert_to_tensor(seed)
    return seed


def key_counter(seed):
    """The (key, counter) tensors of a [2] seed (TF's StatelessRandomGetKeyCounter)."""
    return apply(StatelessRandomGetKeyCounter, _seed_tensor(seed))


def _float_dtype(dtype, allowed=FLOATS):
    dtype = dtypes.as_dtype(dtype)
    if dtype not in allowed:
        names = ", ".join(repr(d) for d in allowed)
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"({names}).")
    return dtype


def _draw(op, shape, seed, dtype, alg, op_name):
    dims, dynamic = shape_operand(shape, op_name)
    key, counter = key_counter(seed)
    return apply(op, key, counter, *dynamic, shape=dims, dtype=dtype, alg=algorithm_number(alg))


def _affine(values, scale, shift, dtype):
    """`values * scale + shift` in `dtype`, skipping the identity cases."""
    from tapeflow.ops.math import add, multiply
    if not (isinstance(scale, (int, float)) and scale == 1):
        values = multiply(values, convert_to_tensor(scale, dtype=dtype))
    if not (isinstance(shift, (int, float)) and shift == 0):
        values = add(values, convert_to_tensor(shift, dtype=dtype))
    return values


def scale_unit_uniform(values, minval, maxval, dtype):
    """TF's `rnd * (maxval - minval) + minval` for uniform floats (just `rnd * maxval`
    when minval is the Python int 0)."""
    from tapeflow.ops.math import add, multiply, subtract
    if maxval is None:
        maxval = 1
    minval_is_zero = isinstance(minval, int) and minval == 0
    maxval_is_one = isinstance(maxval, int) and maxval == 1
    if minval_is_zero and maxval_is_one:
        return values
    low = convert_to_tensor(minval, dtype=dtype)
    high = convert_to_tensor(maxval, dtype=dtype)
    if minval_is_zero:
        return multiply(values, high)
    return add(multiply(values, subtract(high, low)), low)


_INT_DTYPES = (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select"):
    """Deterministic uniform values in [minval, maxval) for a seed of shape [2].

    For integer dtypes both `minval` and `maxval` must be given (values
    `minval + bits % (maxval - minval)`, TF's slight bias included), or both be
    None for integers over the dtype's full range.

    >>> tf.random.stateless_uniform([3], seed=[1, 2]).numpy()
    array([0.8440604 , 0.19204533, 0.9962232 ], dtype=float32)
    """
    dtype = _float_dtype(dtype, FLOATS + _INT_DTYPES)
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError(f"For integer `dtype` argument {dtype}, argument `minval` and "
                             "`maxval` must be both None or not None. Got `minval`="
                             f"{minval} and `maxval`={maxval}.")
        if minval is None:
            return _draw(StatelessRandomUniformFullIntV2, shape, seed, dtype, alg,
                         "StatelessRandomUniformFullIntV2")
        if dtype.is_unsigned:
            raise ValueError(f"Argument `dtype` got invalid value {dtype} when argument "
                             "`minval` is not None. Please don't use unsigned integers in "
                             "this case.")
        dims, dynamic = shape_operand(shape, "StatelessRandomUniformIntV2")
        key, counter = key_counter(seed)
        low = convert_to_tensor(minval, dtype=dtype)
        high = convert_to_tensor(maxval, dtype=dtype)
        return apply(StatelessRandomUniformIntV2, key, counter, low, high, *dynamic,
                     shape=dims, alg=algorithm_number(alg))
    if minval is None:
        raise ValueError("Attempt to convert a value (None) with an unsupported type "
                         "(<class 'NoneType'>) to a Tensor.")
    values = _draw(StatelessRandomUniformV2, shape, seed, dtype, alg, "StatelessRandomUniformV2")
    return scale_unit_uniform(values, minval, maxval, dtype)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                     alg="auto_select"):
    """Deterministic normal values (`N(0, 1) * stddev + mean`) for a seed of shape [2].

    >>> tf.random.stateless_normal([2], seed=[1, 2]).numpy()
    array([0.5441101 , 0.20738031], dtype=float32)
    """
    dtype = _float_dtype(dtype)
    values = _draw(StatelessRandomNormalV2, shape, seed, dtype, alg, "StatelessRandomNormalV2")
    return _affine(values, stddev, mean, dtype)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                               name=None, alg="auto_select"):
    """Deterministic normal values re-drawn until within two stddevs of the mean."""
    dtype = _float_dtype(dtype)
    values = _draw(StatelessTruncatedNormalV2, shape, seed, dtype, alg,
                   "StatelessTruncatedNormalV2")
    return _affine(values, stddev, mean, dtype)


# ==================================================================================
# Categorical draws, shuffles, seed splitting
# ==================================================================================

def _multinomial_infer(logits, seed, num_samples, output_dtype):
    if logits.dims is not None and len(logits.dims) != 2:
        raise ValueError(f"logits should be a matrix, got shape {shape_str(logits.dims)}")
    return TensorSpec((None if logits.dims is None else logits.dims[0], num_samples),
                      output_dtype)


StatelessMultinomial = Op("StatelessMultinomial", infer=_multinomial_infer, dtypes=FLOATS,
                          differentiable=False)


@StatelessMultinomial.kernel
def _(logits, seed, num_samples, output_dtype):
    from tapeflow.ops.random import check_multinomial
    check_multinomial(logits, num_samples)
    if seed.shape != (2,):
        raise InvalidArgumentError(None, None,
                                   f"seed must have shape [2], not {shape_str(seed.shape)}")
    if logits.shape[0] == 0 or num_samples == 0:
        return xp.zeros((logits.shape[0], num_samples), dtype=output_dtype._np)
    key, counter = stateless_key_counter(int(seed[0]), int(seed[1]))
    return bits.multinomial(key, counter, logits, num_samples, output_dtype._np)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """Deterministic class indices drawn from `logits` ([batch, classes]) for a [2] seed.

    >>> tf.random.stateless_categorical([[0.0, 0.0]], 3, seed=[1, 2]).shape
    TensorShape([1, 3])
    """
    from tapeflow.ops.random import categorical_dtype
    dtype = categorical_dtype(dtype)
    logits = logits if tensor_like(logits) else convert_to_tensor(logits)
    return apply(StatelessMultinomial, logits, _seed_tensor(seed), num_samples=int(num_samples),
                 output_dtype=dtype)


def _same_infer(value, key, counter, alg):
    return TensorSpec(value.dims, value.dtype)


StatelessShuffle = Op("StatelessShuffle", infer=_same_infer, differentiable=False)


@StatelessShuffle.kernel
def _(value, key, counter, alg):
    size = value.shape[0] if value.ndim else 0
    if size <= 1:
        return value
    return value[bits.permutation(*_stream(key, counter), size)]


def stateless_shuffle(value, seed, alg="auto_select", name=None):
    """Deterministically shuffles `value` along its first dimension for a [2] seed.

    >>> tf.random.experimental.stateless_shuffle([1, 2, 3, 4, 5], seed=[1, 2]).numpy()
    array([1, 3, 2, 5, 4], dtype=int32)
    """
    value = value if tensor_like(value) else convert_to_tensor(value)
    key, counter = key_counter(seed)
    return apply(StatelessShuffle, value, key, counter, alg=algorithm_number(alg))


def split(seed, num=2, alg="auto_select"):
    """`num` new seeds (shape [num, 2]) derived from the seed `seed`.

    >>> tf.random.split([1, 2], 3).shape
    TensorShape([3, 2])
    """
    seed = _seed_tensor(seed)
    return _draw(StatelessRandomUniformFullIntV2, [num, 2], seed, seed.dtype, alg,
                 "StatelessRandomUniformFullIntV2")


def fold_in(seed, data, alg="auto_select"):
    """A new seed made from the seed `seed` and the integer `data` (in `data`'s dtype).

    >>> tf.random.fold_in([1, 2], 3).numpy()
    array([1105988140,          3], dtype=int32)
    """
    from tapeflow.ops.array import stack
    data = data if tensor_like(data) else convert_to_tensor(data)
    first = _draw(StatelessRandomUniformFullIntV2, [], _seed_tensor(seed), data.dtype, alg,
                  "StatelessRandomUniformFullIntV2")
    return stack([first, data])
