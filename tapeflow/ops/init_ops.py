"""TF's own initializers (`tf.zeros_initializer`, `tf.ones_initializer`,
`tf.constant_initializer`, `tf.random_uniform_initializer`,
`tf.random_normal_initializer`): callables `init(shape, dtype) -> Tensor`.

They are not Keras' (`tf.keras.initializers`, also `tf.initializers`): their
defaults differ (random ones draw from [-0.05, 0.05] and N(0, 0.05)), and a
seeded one draws the same values at every call, from the stateless random ops
with seed `[seed, 0]`, as TF does.
"""
from tapeflow.core import dtypes
from tapeflow.core.convert import constant
from tapeflow.ops import random as _random
from tapeflow.ops import stateless_random as _stateless
from tapeflow.ops.array import ones, zeros


def _dtype_word(dtype):
    return f"<dtype: '{dtype.name}'>"


def _numeric_or_bool(dtype):
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer or dtype.is_complex or dtype.is_bool):
        raise ValueError(f"Argument `dtype` expected to be numeric or boolean. Received "
                         f"{_dtype_word(dtype)}.")
    return dtype


class Initializer:
    """Base class: `__call__(shape, dtype)`, `get_config()`, `from_config(config)`."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError("Initializer subclasses must implement `__call__`.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)


class Zeros(Initializer):
    """Tensors of zeros (TF's `tf.zeros_initializer`).

    >>> import tapeflow as tf
    >>> tf.zeros_initializer()([2], dtype=tf.int32).numpy()
    array([0, 0], dtype=int32)
    """

    def __call__(self, shape, dtype=dtypes.float32, **kwargs):
        return zeros(shape, _numeric_or_bool(dtype))


class Ones(Initializer):
    """Tensors of ones (TF's `tf.ones_initializer`)."""

    def __call__(self, shape, dtype=dtypes.float32, **kwargs):
        return ones(shape, _numeric_or_bool(dtype))


class Constant(Initializer):
    """Tensors filled from `value`: a scalar, or a list with as many elements as the shape
    (TF's `tf.constant_initializer`).

    >>> import tapeflow as tf
    >>> tf.constant_initializer([1, 2])([2]).numpy()
    array([1, 2], dtype=int32)
    """

    def __init__(self, value=0, support_partition=False):
        self.value = value
        self.support_partition = support_partition

    def __call__(self, shape, dtype=None, **kwargs):
        return constant(self.value, dtype=None if dtype is None else dtypes.as_dtype(dtype),
                        shape=shape)

    def get_config(self):
        return {"value": self.value}


class RandomUniform(Initializer):
    """Uniform values in [minval, maxval) (TF's `tf.random_uniform_initializer`)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def __call__(self, shape, dtype=dtypes.float32, **kwargs):
        dtype = dtypes.as_dtype(dtype)
        if not (dtype.is_floating or dtype.is_integer):
            raise ValueError(f"Argument `dtype` is expected to be floating point or integer. "
                             f"Received: {_dtype_word(dtype)}.")
        if self.seed is None:
            return _random.uniform(shape, self.minval, self.maxval, dtype)
        return _stateless.stateless_uniform(shape, [self.seed, 0], self.minval, self.maxval,
                                            dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """Normal values with `mean` and `stddev` (TF's `tf.random_normal_initializer`).

    >>> import tapeflow as tf
    >>> tf.random_normal_initializer(seed=1)([2]).numpy()
    array([ 0.00633252, -0.02465083], dtype=float32)
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=dtypes.float32, **kwargs):
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise ValueError(f"Argument `dtype` is expected to be floating point. Received: "
                             f"{_dtype_word(dtype)}.")
        if self.seed is None:
            return _random.normal(shape, self.mean, self.stddev, dtype)
        return _stateless.stateless_normal(shape, [self.seed, 0], self.mean, self.stddev, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
