"""`tf.keras.initializers`: objects that make a layer's initial weight values.

An initializer is called as `initializer(shape, dtype)` and returns a tensor.
Random initializers follow Keras 3: each holds an integer seed and draws with
the stateless ops on the pair `[seed, 0]` (`keras.random`), so one instance
returns the same values on every call, and a seeded initializer gives exactly
TensorFlow's values. An unseeded one picks its seed when created, from
tapeflow's random stream (so `tf.random.set_seed` makes models reproducible).
"""
import math

from tapeflow.core import dtypes as _dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.tensor import wrap
from tapeflow.keras import _registry, backend

_TRUNCATED_STDDEV = 0.87962566103423978   # std of a unit normal truncated to [-2, 2]


def _register(*aliases):
    def decorator(cls):
        names = (cls.__name__, backend.to_snake_case(cls.__name__)) + aliases
        return _registry.register("initializer", *names)(cls)
    return decorator


def _np_dtype(dtype):
    return _dtypes.as_dtype(backend.standardize_dtype(dtype))._np


def _check_float(cls, dtype):
    dtype = backend.standardize_dtype(dtype)
    if not _dtypes.as_dtype(dtype).is_floating:
        raise ValueError(f"Expected a float dtype for {cls.__name__}, got {dtype}.")
    return dtype


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)` and `get_config()`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer {self.__class__.__name__} does not implement "
                                  "`__call__()`.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


# -- constant initializers ---------------------------------------------------------------

@_register("zero")
class Zeros(Initializer):
    """Initializes with 0."""

    def __call__(self, shape, dtype=None):
        return wrap(xp.zeros(tuple(shape), dtype=_np_dtype(dtype)))


@_register("one")
class Ones(Initializer):
    """Initializes with 1."""

    def __call__(self, shape, dtype=None):
        return wrap(xp.ones(tuple(shape), dtype=_np_dtype(dtype)))


@_register()
class Constant(Initializer):
    """Initializes every element with `value` (a scalar)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        value = xp.asarray(self.value, dtype=_np_dtype(dtype))
        return wrap(xp.array(xp.broadcast_to(value, tuple(shape))))

    def get_config(self):
        return {"value": self.value}


@_register("IdentityInitializer")
class Identity(Initializer):
    """Initializes a 2-D weight with `gain` times the identity matrix."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={tuple(shape)} of rank {len(shape)}.")
        dtype = _check_float(type(self), dtype)
        return wrap((self.gain * xp.eye(*shape)).astype(_np_dtype(dtype)))

    def get_config(self):
        return {"gain": self.gain}


# -- random initializers -------------------------------------------------------------------

def _default_seed():
    """A fresh seed from tapeflow's random stream (reproducible under tf.random.set_seed)."""
    from tapeflow.ops.random import uniform
    from tapeflow.core.context import init_scope
    with init_scope():
        return int(uniform((), maxval=2 ** 31 - 1, dtype=_dtypes.int64).numpy())


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the integer seed."""

    def __init__(self, seed=None):
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError("`seed` argument should be an instance of "
                             "`keras.random.SeedGenerator()` or an integer. "
                             f"Received: seed={seed}")
        self._init_seed = seed
        self.seed = seed if seed is not None else _default_seed()

    def get_config(self):
        return {"seed": self._init_seed}


def _random():
    from tapeflow.keras import random
    return random


@_register("normal")
class RandomNormal(RandomInitializer):
    """Normal values with mean `mean` and standard deviation `stddev`."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _check_float(type(self), dtype)
        return _random().normal(shape, mean=self.mean, stddev=self.stddev, dtype=dtype,
                                seed=self.seed)

    def get_config(self):
        return {"seed": self._init_seed, "mean": self.mean, "stddev": self.stddev}


@_register("uniform")
class RandomUniform(RandomInitializer):
    """Uniform values in `[minval, maxval)`."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = backend.standardize_dtype(dtype)
        return _random().uniform(shape, minval=self.minval, maxval=self.maxval, dtype=dtype,
                                 seed=self.seed)

    def get_config(self):
        return {"seed": self._init_seed, "minval": self.minval, "maxval": self.maxval}


@_register()
class TruncatedNormal(RandomInitializer):
    """Normal values re-drawn until within two standard deviations of the mean."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _check_float(type(self), dtype)
        return _random().truncated_normal(shape, mean=self.mean, stddev=self.stddev,
                                          dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"seed": self._init_seed, "mean": self.mean, "stddev": self.stddev}


def compute_fans(shape, input_axes=None, output_axes=None):
    """`(fan_in, fan_out)` of a weight shape; conv kernels are `(..., in, out)`."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


@_register()
class VarianceScaling(RandomInitializer):
    """Values whose variance is `scale / n`, n being fan_in, fan_out or their average.

    `distribution` is `"truncated_normal"` (std = sqrt(scale / n) / .8796, the
    truncation's correction), `"untruncated_normal"` or `"uniform"` (limit =
    sqrt(3 * scale / n)).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError("Argument `scale` must be positive float. "
                             f"Received: scale={scale}")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError("Invalid `mode` argument: expected one of {'fan_in', "
                             f"'fan_out', 'fan_avg'}}. Received: mode={mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in {"uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError("Invalid `distribution` argument: expected one of {'uniform', "
                             "'truncated_normal', 'untruncated_normal'}. "
                             f"Received: distribution={distribution}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        dtype = _check_float(type(self), dtype)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        random = _random()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return random.truncated_normal(shape, stddev=stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random.normal(shape, stddev=math.sqrt(variance), dtype=dtype,
                                 seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"seed": self._init_seed, "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _variance_scaling_preset(name, scale, mode, distribution, doc):
    """A VarianceScaling subclass with fixed scale, mode and distribution."""
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}

    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": doc, "__module__": __name__})
    return _register()(cls)


GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Glorot normal: truncated normal with std = sqrt(2 / (fan_in + fan_out)).")
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform",
    "LeCun uniform: U(-limit, limit), limit = sqrt(3 / fan_in).")
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "LeCun normal: truncated normal with std = sqrt(1 / fan_in).")
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform",
    "He uniform: U(-limit, limit), limit = sqrt(6 / fan_in).")
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    "He normal: truncated normal with std = sqrt(2 / fan_in).")


@_register("OrthogonalInitializer")
class Orthogonal(RandomInitializer):
    """An orthogonal matrix (times `gain`) from the QR decomposition of a normal draw.

    A weight of rank > 2 is made as a `(prod(shape[:-1]), shape[-1])` matrix,
    then reshaped.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={tuple(shape)} of rank {len(shape)}.")
        dtype = _check_float(type(self), dtype)
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = _random().normal((max(rows, cols), min(rows, cols)), dtype=dtype,
                             seed=self.seed).numpy()
        # The QR factorization of the draw (NumPy's: tf.linalg.qr is not in tapeflow yet).
        q, r = xp.linalg.qr(a)
        q = q * xp.sign(xp.diag(r))      # makes the decomposition unique
        if rows < cols:
            q = q.T
        return wrap((self.gain * q.reshape(tuple(shape))).astype(_np_dtype(dtype)))

    def get_config(self):
        return {"seed": self._init_seed, "gain": self.gain}


# -- lookup ----------------------------------------------------------------------------------

def get(identifier):
    """An initializer from a name (`"glorot_uniform"`), a config dict, a callable or a tensor."""
    if identifier is None:
        return None
    if hasattr(identifier, "shape") and not callable(identifier):
        return _from_value(identifier)
    return _registry.get(identifier, "initializer")


def _from_value(value):
    def initialize_fn(shape, dtype=None):
        from tapeflow.ops.math import cast
        if tuple(shape) != tuple(value.shape):
            raise ValueError(f"Expected `shape` to be {tuple(value.shape)} for direct tensor "
                             f"as initializer. Received shape={tuple(shape)}")
        return cast(value, backend.standardize_dtype(dtype))
    return initialize_fn


def serialize(initializer):
    return _registry.serialize(initializer, "initializer")


def deserialize(config, custom_objects=None):
    return _registry.deserialize(config, "initializer", custom_objects)


# Lower-case aliases that Keras exports as names of the same classes.
zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
he_uniform = HeUniform
he_normal = HeNormal
orthogonal = Orthogonal
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
