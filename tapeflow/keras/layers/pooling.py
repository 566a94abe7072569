"""Pooling layers: Max/Average pooling (1-D, 2-D) and global pooling."""
import tapeflow as tf
from tapeflow.keras import backend
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.convolutional import (standardize_padding, standardize_tuple,
                                                 to_channels_first, to_channels_last)
from tapeflow.keras.layers.input_spec import InputSpec


class BasePooling(Layer):
    """Shared arguments of the windowed pooling layers.

    Args:
      pool_size: the window size (an int or a tuple per spatial dimension).
      strides: the window step (default: `pool_size`).
      padding: `"valid"` or `"same"`.
      data_format: `"channels_last"` (default) or `"channels_first"`.
    """

    _mode = "max"

    def __init__(self, pool_size, strides, rank, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.rank = rank
        self.pool_size = standardize_tuple(pool_size, rank, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = backend.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        pool = {("max", 1): tf.nn.max_pool1d, ("max", 2): tf.nn.max_pool2d,
                ("average", 1): tf.nn.avg_pool1d, ("average", 2): tf.nn.avg_pool2d}
        y = pool[self._mode, self.rank](x, ksize=self.pool_size, strides=self.strides,
                                         padding=self.padding.upper())
        return to_channels_first(y, self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(BasePooling):
    """Max over windows of `pool_size` steps of `(batch, steps, channels)` inputs."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 1, padding, data_format, name=name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max over `pool_size` windows of images (default 2x2, stride = pool size).

    >>> MaxPooling2D()(tapeflow.ones((1, 26, 26, 32))).shape
    TensorShape([1, 13, 13, 32])
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, 2, padding, data_format, name=name, **kwargs)


class AveragePooling1D(BasePooling):
    """Mean over windows of `pool_size` steps."""

    _mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, 1, padding, data_format, name=name, **kwargs)


class AveragePooling2D(BasePooling):
    """Mean over `pool_size` windows of images."""

    _mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, 2, padding, data_format, name=name, **kwargs)


class BaseGlobalPooling(Layer):
    """Reduces all spatial (or time) axes: `(batch, ..., channels)` -> `(batch, channels)`.

    Args:
      data_format: `"channels_last"` (default) or `"channels_first"`.
      keepdims: keep the reduced axes with size 1.
    """

    _rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def _axes(self):
        if self.data_format == "channels_last":
            return list(range(1, self._rank + 1))
        return list(range(2, self._rank + 2))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps (masked steps excluded)."""

    _rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        axis = self._axes()[0]
        if mask is None:
            return tf.reduce_mean(inputs, axis=axis, keepdims=self.keepdims)
        weights = tf.cast(mask, inputs.dtype)
        weights = tf.expand_dims(weights, 2 if self.data_format == "channels_last" else 1)
        total = tf.reduce_sum(inputs * weights, axis=axis, keepdims=self.keepdims)
        return total / tf.reduce_sum(weights, axis=axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over height and width."""

    def call(self, inputs):
        return tf.reduce_mean(inputs, axis=self._axes(), keepdims=self.keepdims)


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Max over the steps."""

    _rank = 1

    def call(self, inputs):
        return tf.reduce_max(inputs, axis=self._axes(), keepdims=self.keepdims)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Max over height and width."""

    def call(self, inputs):
        return tf.reduce_max(inputs, axis=self._axes(), keepdims=self.keepdims)


MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
