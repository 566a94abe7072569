"""`tf.keras.random`: Keras 3's seeded random draws and the SeedGenerator.

Every draw here is a stateless op (`tf.random.stateless_*`) on a seed pair,
which is how Keras 3 draws on TensorFlow. An integer seed `s` draws with
the pair `[s, 0]`; a SeedGenerator holds its pair in a variable
(`seed_generator_state`, `[seed, counter]`) and bumps the counter at each
draw, so a layer such as `Dropout(0.5, seed=1)` produces exactly TF's masks,
call after call, eagerly or inside `tf.function`.
"""
import tapeflow as tf
from tapeflow.keras import backend


def _default_seed():
    from tapeflow.keras.initializers import _default_seed as make_seed
    return make_seed()


class SeedGenerator:
    """A stream of seed pairs kept in a non-trainable int64 variable `[seed, counter]`.

    Layers assign one to an attribute (`self.seed_generator = SeedGenerator(seed)`);
    its state variable then shows in the layer's `variables` (not its `weights`).

    >>> generator = SeedGenerator(3)
    >>> generator.state.numpy().tolist()
    [3, 0]
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError("Argument `seed` must be an integer. "
                             f"Received: seed={seed}")
        self.name = name or backend.unique_object_name("seed_generator")
        self._initial_seed = seed
        # With no seed anywhere the draws cannot be reproduced (as in Keras), so they may
        # come from the fast unseeded generator instead of TF-exact Philox streams.
        from tapeflow.ops.random import get_global_seed
        self.unseeded = seed is None and get_global_seed() is None
        value = seed if seed is not None else _default_seed()
        from tapeflow.keras.variables import KerasVariable
        with backend.name_scope(self.name, caller=self):
            self.state = KerasVariable([value, 0], dtype="int64", trainable=False,
                                       name="seed_generator_state")

    def next(self, ordered=True):
        """The current seed pair; the counter then moves on (an assignment)."""
        seed = self.state.read_value()
        self.state.assign_add(tf.constant([0, 1], dtype=tf.int64))
        return seed

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def draw_seed(seed):
    """The int32 seed pair of a draw: `[seed, 0]` for an int, the next pair of a generator."""
    if isinstance(seed, SeedGenerator):
        pair = seed.next()
        # Stateless ops take int32 seeds; Keras folds the int64 state as TF's backend does.
        return tf.cast(tf.math.floormod(pair, tf.constant(2 ** 31 - 2, tf.int64)), tf.int32)
    if seed is None:
        seed = _default_seed()
    if isinstance(seed, int) and not isinstance(seed, bool):
        return tf.constant([seed, 0], dtype=tf.int32)
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")


def _shape(shape):
    return tuple(shape) if isinstance(shape, (list, tuple)) else shape


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values drawn with a seed (an int or a SeedGenerator)."""
    return tf.random.stateless_normal(_shape(shape), seed=draw_seed(seed), mean=mean,
                                      stddev=stddev, dtype=dtype or backend.floatx())


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform values in [minval, maxval) drawn with a seed."""
    dtype = dtype or backend.floatx()
    return tf.random.stateless_uniform(_shape(shape), seed=draw_seed(seed), minval=minval,
                                       maxval=maxval, dtype=dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values within two standard deviations of the mean, drawn with a seed."""
    return tf.random.stateless_truncated_normal(_shape(shape), seed=draw_seed(seed),
                                                mean=mean, stddev=stddev,
                                                dtype=dtype or backend.floatx())


def dropout(inputs, rate, noise_shape=None, seed=None):
    """`inputs * 1/(1 - rate)` where a seeded uniform draw is >= `rate`, else 0 (TF's
    stateless dropout). `noise_shape` entries that are None take the input's size."""
    if noise_shape is None:
        dims = inputs.shape.as_list()
        shape = tuple(dims) if None not in dims else tf.shape(inputs)
    else:
        shape = _noise_shape(inputs, noise_shape)
    if isinstance(seed, SeedGenerator) and seed.unseeded:
        keep = tf.random.uniform(shape, dtype=inputs.dtype)   # unseeded: the fast path
    else:
        keep = tf.random.stateless_uniform(shape, seed=draw_seed(seed), dtype=inputs.dtype)
    scaled = inputs * tf.cast(1.0 / (1.0 - rate), inputs.dtype)
    return scaled * tf.cast(keep >= tf.cast(rate, inputs.dtype), inputs.dtype)


def _noise_shape(inputs, noise_shape):
    dims = inputs.shape.as_list()
    if None not in [d if n is None else n for n, d in zip(noise_shape, dims)]:
        return tuple(d if n is None else n for n, d in zip(noise_shape, dims))
    dynamic = tf.shape(inputs)
    return tf.stack([dynamic[i] if n is None else tf.constant(n, tf.int32)
                     for i, n in enumerate(noise_shape)])
