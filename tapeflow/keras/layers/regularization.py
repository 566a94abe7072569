"""Regularization layers: Dropout, SpatialDropout1D/2D, GaussianNoise.

They act only when called with `training=True` (explicitly, or passed down
from the model call); otherwise they return their inputs unchanged.
"""
import tapeflow as tf
from tapeflow.keras import backend
from tapeflow.keras import random as keras_random
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.input_spec import InputSpec


def _check_rate(rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError("Invalid value received for argument `rate`. Expected a float value "
                         f"between 0 and 1. Received: rate={rate}")
    return rate


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 in training, scaling the rest by 1/(1 - rate).

    Args:
      rate: the fraction of inputs to drop, in [0, 1].
      noise_shape: the shape of the keep/drop mask (broadcast over the inputs);
        None entries take the input's size.
      seed: an integer seed.

    Call arguments:
      inputs: a tensor.
      training: dropout only when True.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        if self.rate > 0:
            self.seed_generator = keras_random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return keras_random.dropout(inputs, self.rate,
                                        noise_shape=self._noise_shape(inputs),
                                        seed=self.seed_generator)
        return inputs

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        dims = inputs.shape.as_list()
        return tuple(d if d is not None else dims[i] for i, d in enumerate(self.noise_shape))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class SpatialDropout1D(Dropout):
    """Drops whole channels of `(batch, steps, channels)` inputs."""

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        dims = inputs.shape.as_list()
        return (dims[0], 1, dims[2])

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name,
                "dtype": self._dtype_policy.serialize()}


class SpatialDropout2D(Dropout):
    """Drops whole feature maps (channels) of images, not single pixels."""

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = backend.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        dims = inputs.shape.as_list()
        if self.data_format == "channels_first":
            return (dims[0], dims[1], 1, 1)
        return (dims[0], 1, 1, dims[3])

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name,
                "dtype": self._dtype_policy.serialize(), "data_format": self.data_format}


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` in training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError("Invalid value received for argument `stddev`. Expected a float "
                             f"value between 0 and 1. Received: stddev={stddev}")
        self.stddev = stddev
        self.seed = seed
        if stddev > 0:
            self.seed_generator = keras_random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            dims = inputs.shape.as_list()
            shape = tuple(dims) if None not in dims else tf.shape(inputs)
            return inputs + keras_random.normal(shape, stddev=self.stddev, dtype=inputs.dtype,
                                                seed=self.seed_generator)
        return inputs

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
