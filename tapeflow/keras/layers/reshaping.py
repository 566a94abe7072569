"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, ZeroPadding2D, Cropping2D,
UpSampling2D."""
import math

import tapeflow as tf
from tapeflow.keras import backend
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.convolutional import to_channels_first, to_channels_last
from tapeflow.keras.layers.input_spec import InputSpec


def _reshape_keep_batch(x, dims):
    """Reshapes to `(batch,) + dims`; `dims` may hold one -1 when the batch size is known."""
    if -1 not in dims:
        return tf.reshape(x, (-1,) + tuple(dims))
    batch = x.shape[0]
    if batch is None:
        raise ValueError(f"Cannot reshape a tensor of shape {tuple(x.shape)} to (batch,) + "
                         f"{tuple(dims)}: the batch size and another dimension are unknown.")
    return tf.reshape(x, (batch,) + tuple(dims))


class Flatten(Layer):
    """Flattens each sample: `(batch, d1, ..., dn)` -> `(batch, d1 * ... * dn)`.

    With `data_format="channels_first"`, channels move last first, so the order
    of the flattened values matches channels-last models.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = inputs.shape.rank
        if self.data_format == "channels_first" and rank > 2:
            inputs = tf.transpose(inputs, [0] + list(range(2, rank)) + [1])
        dims = inputs.shape.as_list()[1:]
        size = -1 if None in dims else math.prod(dims)
        return _reshape_keep_batch(inputs, (size,))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


def resolve_target_shape(input_dims, target_shape):
    """`target_shape` with its -1 resolved from the known input dims (Keras' check)."""
    target = list(target_shape)
    if None in input_dims:
        return tuple(target)
    size = math.prod(input_dims)
    known = math.prod(d for d in target if d != -1)
    if -1 in target:
        if known == 0 or size % known:
            raise ValueError("The total size of the tensor must be unchanged. Received: "
                             f"input_shape={tuple(input_dims)}, "
                             f"target_shape={tuple(target_shape)}")
        target[target.index(-1)] = size // known
    elif known != size:
        raise ValueError("The total size of the tensor must be unchanged. Received: "
                         f"input_shape={tuple(input_dims)}, target_shape={tuple(target_shape)}")
    return tuple(target)


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if target_shape.count(-1) > 1:
            raise ValueError("The `target_shape` argument must not contain more than one "
                             f"`-1` value. Received: target_shape={target_shape}")
        self.target_shape = target_shape

    def call(self, inputs):
        dims = resolve_target_shape(inputs.shape.as_list()[1:], self.target_shape)
        return _reshape_keep_batch(inputs, dims)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes: `dims` is a permutation of 1..rank-1."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set "
                             "of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return tf.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a `(batch, features)` input `n` times: `(batch, n, features)`."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return tf.repeat(tf.expand_dims(inputs, 1), self.n, axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}


def _pairs(value, name, allow_negative=False):
    """((top, bottom), (left, right)) from an int, 2 ints or 2 pairs (Keras' forms)."""
    message = (f"`{name}` should be either an int, a tuple of 2 ints (symmetric_height_"
               f"{name}, symmetric_width_{name}), or a tuple of 2 tuples of 2 ints "
               f"((top_{name}, bottom_{name}), (left_{name}, right_{name})). "
               f"Received: {name}={value}.")
    if isinstance(value, int):
        pairs = ((value, value), (value, value))
    elif hasattr(value, "__len__") and len(value) == 2:
        pairs = []
        for item in value:
            if isinstance(item, int):
                pairs.append((item, item))
            elif hasattr(item, "__len__") and len(item) == 2 and \
                    all(isinstance(v, int) for v in item):
                pairs.append(tuple(item))
            else:
                raise ValueError(message)
        pairs = tuple(pairs)
    else:
        raise ValueError(message)
    if not allow_negative and any(v < 0 for pair in pairs for v in pair):
        raise ValueError(f"The `{name}` argument must be a tuple of 2 integers. Received "
                         f"{name}={value}, including values {{{min(min(pairs))}}} that do "
                         "not satisfy `value >= 0`")
    return pairs


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around images.

    `padding`: an int (all sides), `(rows, cols)`, or `((top, bottom), (left, right))`.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.standardize_data_format(data_format)
        self.padding = _pairs(padding, "padding")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        pads = [[0, 0], [top, bottom], [left, right], [0, 0]]
        if self.data_format == "channels_first":
            pads = [[0, 0], [0, 0], [top, bottom], [left, right]]
        return tf.pad(inputs, pads)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


class Cropping2D(Layer):
    """Removes rows and columns at the image borders.

    `cropping`: an int, `(rows, cols)`, or `((top, bottom), (left, right))`.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.standardize_data_format(data_format)
        self.cropping = _pairs(cropping, "cropping")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        (top, bottom), (left, right) = self.cropping
        height, width = x.shape[1], x.shape[2]
        if (height is not None and top + bottom >= height) or \
                (width is not None and left + right >= width):
            raise ValueError("Values in `cropping` argument should be smaller than the "
                             "corresponding spatial dimension of the input. Received: "
                             f"input_shape={tuple(inputs.shape)}, cropping={self.cropping}")
        x = x[:, top:(-bottom or None), left:(-right or None), :]
        return to_channels_first(x, self.data_format)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class UpSampling2D(Layer):
    """Repeats rows `size[0]` times and columns `size[1]` times (nearest), or resizes."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        from tapeflow.keras.layers.convolutional import standardize_tuple
        self.data_format = backend.standardize_data_format(data_format)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = interpolation.lower()
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        if self.interpolation == "nearest":
            x = tf.repeat(tf.repeat(x, self.size[0], axis=1), self.size[1], axis=2)
        else:
            height, width = x.shape[1], x.shape[2]
            x = tf.image.resize(x, (height * self.size[0], width * self.size[1]),
                                method=self.interpolation)
        return to_channels_first(x, self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
