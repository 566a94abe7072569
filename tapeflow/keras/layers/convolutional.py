"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Kernels are `kernel_size + (in_channels // groups, filters)` (transposed
convolutions: `kernel_size + (filters, in_channels)`), images are
channels-last; `data_format="channels_first"` inputs are transposed to
channels-last around the op, as TF does on CPU.
"""
import tapeflow as tf
from tapeflow.keras import activations, backend, constraints, initializers, regularizers
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.core import as_float_input
from tapeflow.keras.layers.input_spec import InputSpec


def standardize_tuple(value, n, name, allow_zero=False):
    """`value` as a tuple of `n` positive ints (Keras' check and message)."""
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, int):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n:
            raise ValueError(message)
        for v in values:
            try:
                int(v)
            except (ValueError, TypeError):
                raise ValueError(f"{message}including element {v} of type {type(v)}") from None
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        requirement = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{message}, including values {bad} that do not satisfy "
                         f"`value {requirement}`")
    return values


def standardize_padding(value, allow_causal=False):
    if isinstance(value, (list, tuple)):
        return value
    padding = value.lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        names = "{" + ", ".join(repr(a) for a in allowed) + "}"
        raise ValueError(f"The `padding` argument must be a list/tuple or one of {names}. "
                         f"Received: {padding}")
    return padding


def to_channels_last(x, data_format):
    if data_format == "channels_last":
        return x
    rank = x.shape.rank
    return tf.transpose(x, [0] + list(range(2, rank)) + [1])


def to_channels_first(x, data_format):
    if data_format == "channels_last":
        return x
    rank = x.shape.rank
    return tf.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def output_length(length, kernel, padding, stride, dilation=1):
    """The conv output size along one axis (None stays None)."""
    if length is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding in ("same", "causal"):
        return (length + stride - 1) // stride
    return (length - effective + stride) // stride


class BaseConv(Layer):
    """Shared arguments, weights and checks of the convolution layers.

    Args:
      rank: 1 or 2 spatial dimensions.
      filters: the number of output channels.
      kernel_size: an int or a tuple of `rank` ints.
      strides, dilation_rate: ints or tuples (not both > 1).
      padding: `"valid"`, `"same"` (or `"causal"` for Conv1D).
      data_format: `"channels_last"` (default) or `"channels_first"`.
      groups: split input channels into this many groups (grouped convolution).
      activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = filters
        self.groups = groups
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = backend.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        self._check_arguments()

    def _check_arguments(self):
        if self.filters is not None and (not isinstance(self.filters, int) or
                                         self.filters <= 0):
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={self.filters}.")
        if self.filters is not None and self.filters % self.groups != 0:
            raise ValueError("The number of filters must be evenly divisible by the number "
                             f"of groups. Received: groups={self.groups}, "
                             f"filters={self.filters}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape):
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. "
                             f"Found `None`. Full input shape received: {tuple(input_shape)}")
        return channels

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups != 0:
            raise ValueError("The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {channels} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape(channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={self._channel_axis: channels})

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels // self.groups, self.filters)

    def call(self, inputs):
        x = to_channels_last(as_float_input(self, inputs), self.data_format)
        x = self.convolution_op(x, self.kernel)
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias)
        return to_channels_first(self.activation(x), self.data_format)

    def convolution_op(self, x, kernel):
        """The convolution of channels-last `x` (rank-specific)."""
        raise NotImplementedError

    def _tf_padding(self):
        return self.padding.upper() if self.padding != "causal" else "VALID"

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Conv1D(BaseConv):
    """1-D convolution over the steps of `(batch, steps, channels)` inputs.

    `padding="causal"` pads only on the left, so output t depends on inputs <= t.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, **kwargs)

    def convolution_op(self, x, kernel):
        padding = self._tf_padding()
        if self.padding == "causal":     # explicit padding on the left only
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            padding = [[0, 0], [left, 0], [0, 0]]
        return tf.nn.conv1d(x, kernel, stride=self.strides[0], padding=padding,
                            dilations=self.dilation_rate[0])


class Conv2D(BaseConv):
    """2-D convolution over images `(batch, height, width, channels)`.

    >>> Conv2D(8, 3)(tapeflow.ones((1, 28, 28, 1))).shape
    TensorShape([1, 26, 26, 8])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, **kwargs)

    def convolution_op(self, x, kernel):
        return tf.nn.conv2d(x, kernel, strides=self.strides, padding=self._tf_padding(),
                            dilations=self.dilation_rate)


def transposed_length(length, kernel, padding, output_padding, stride, dilation=1):
    """The output size of a transposed convolution along one axis (Keras' formula)."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


class Conv2DTranspose(BaseConv):
    """Transposed 2-D convolution ("deconvolution"): upsamples by `strides`.

    Its kernel is `kernel_size + (filters, in_channels)`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias, **kwargs)
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, 2, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for pad, stride in zip(self.output_padding, self.strides):
                if pad >= stride:
                    raise ValueError("Strides must be greater than output padding. Received "
                                     f"strides={self.strides}, "
                                     f"output_padding={self.output_padding}.")

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def convolution_op(self, x, kernel):
        dims = x.shape.as_list()
        batch = dims[0] if dims[0] is not None else tf.shape(x)[0]
        pads = self.output_padding or (None, None)
        height = transposed_length(dims[1], self.kernel_size[0], self.padding, pads[0],
                                   self.strides[0], self.dilation_rate[0])
        width = transposed_length(dims[2], self.kernel_size[1], self.padding, pads[1],
                                  self.strides[1], self.dilation_rate[1])
        return tf.nn.conv2d_transpose(x, kernel, [batch, height, width, self.filters],
                                      strides=self.strides, padding=self._tf_padding(),
                                      dilations=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        config["output_padding"] = self.output_padding
        return config


class DepthwiseConv2D(BaseConv):
    """Convolves each input channel with its own `depth_multiplier` filters.

    Its kernel is `kernel_size + (in_channels, depth_multiplier)`; the output has
    `in_channels * depth_multiplier` channels. It runs as a grouped Conv2D with
    one group per input channel.
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.filters = channels * self.depth_multiplier
        super().build(input_shape)

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.depth_multiplier)

    def convolution_op(self, x, kernel):
        return depthwise_conv(x, kernel, self.strides, self._tf_padding(), self.dilation_rate)

    def get_config(self):
        config = Layer.get_config(self)
        config.update({
            "depth_multiplier": self.depth_multiplier, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format, "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint)})
        return config


def depthwise_conv(x, kernel, strides, padding, dilations):
    """A depthwise convolution as a grouped conv2d: `(kh, kw, C, m)` -> `(kh, kw, 1, C*m)`."""
    kh, kw, channels, multiplier = kernel.shape.as_list()
    grouped = tf.reshape(kernel, (kh, kw, 1, channels * multiplier))
    return tf.nn.conv2d(x, grouped, strides=strides, padding=padding, dilations=dilations)


class SeparableConv2D(BaseConv):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution to `filters`.

    Weights: `depthwise_kernel` `kernel_size + (in_channels, depth_multiplier)`,
    `pointwise_kernel` `(1, 1, in_channels * depth_multiplier, filters)`, `bias`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1, 1, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: channels})

    def call(self, inputs):
        x = to_channels_last(as_float_input(self, inputs), self.data_format)
        x = depthwise_conv(x, self.depthwise_kernel, self.strides, self._tf_padding(),
                           self.dilation_rate)
        x = tf.nn.conv2d(x, self.pointwise_kernel, strides=1, padding="VALID")
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias)
        return to_channels_first(self.activation(x), self.data_format)

    def get_config(self):
        config = Layer.get_config(self)
        config.update({
            "depth_multiplier": self.depth_multiplier, "filters": self.filters,
            "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint)})
        return config
