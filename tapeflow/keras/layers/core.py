"""Core layers: Dense, Activation, Lambda, Embedding, Rescaling, Identity."""
import inspect

import tapeflow as tf
from tapeflow.keras import activations, constraints, initializers, regularizers
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.input_spec import InputSpec


def as_float_input(layer, x):
    """Casts non-float inputs to the layer's compute dtype (Keras ops promote int * float)."""
    if not x.dtype.is_floating:
        return tf.cast(x, layer.compute_dtype)
    return x


def check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Received an invalid value for `{name}`, expected a positive "
                         f"integer. Received: {name}={value}")
    return value


def check_defined(shape, layer, axis=-1):
    if shape[axis] is None:
        raise ValueError("Shapes used to initialize variables must be fully-defined (no "
                         f"`None` dimensions). Received: shape={tuple(shape)} for layer "
                         f"'{layer.name}'")
    return shape[axis]


class Dense(Layer):
    """A densely connected layer: `activation(inputs @ kernel + bias)`.

    Inputs of rank > 2 are multiplied along their last axis: `(batch, d0, in)`
    gives `(batch, d0, units)`.

    Args:
      units: the output size (a positive integer).
      activation: an activation function or name (default: none, linear).
      use_bias: whether to add a bias vector.
      kernel_initializer, bias_initializer: initializers (default
        `"glorot_uniform"` and `"zeros"`).
      kernel_regularizer, bias_regularizer, activity_regularizer: regularizers
        whose penalties go to `layer.losses`.
      kernel_constraint, bias_constraint: constraints applied after updates.

    Call arguments:
      inputs: a tensor of shape `(..., input_dim)`.

    >>> Dense(3)(tapeflow.ones((2, 4))).shape
    TensorShape([2, 3])
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = check_positive_int(units, "units")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = check_defined(input_shape, self)
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs, training=None):
        x = tf.matmul(as_float_input(self, inputs), self.kernel)
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias)
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("quantization_config", None)
        return super().from_config(config)


class Activation(Layer):
    """Applies an activation function (a name like `"relu"` or a callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Identity(Layer):
    """Returns its inputs unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs


class Lambda(Layer):
    """Wraps a function of tensors as a layer (`Lambda(lambda x: x ** 2)`).

    Args:
      function: called as `function(inputs, **arguments)`; it also receives
        `mask` and `training` when its signature has them.
      output_shape: kept for compatibility (shapes are inferred by tracing).
      mask: a mask, or a function `(inputs, mask) -> mask`.
      arguments: extra keyword arguments for `function`.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        parameters = _parameters(function)
        self._fn_takes_mask = "mask" in parameters
        self._fn_takes_training = "training" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        return {**super().get_config(), "function": self.function,
                "arguments": self.arguments, "output_shape": self._output_shape}


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


class Embedding(Layer):
    """Maps integer indices in `[0, input_dim)` to dense vectors of size `output_dim`.

    Args:
      input_dim: the vocabulary size.
      output_dim: the embedding size.
      embeddings_initializer: default `"uniform"` (U(-0.05, 0.05)).
      mask_zero: whether index 0 is padding: the output then carries a mask.

    Call arguments:
      inputs: integer indices of any shape; the output has one more axis.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, input_length=None, **kwargs):
        if input_length is not None:
            import warnings
            warnings.warn("Argument `input_length` is deprecated. Just remove it.",
                          UserWarning, stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = check_positive_int(input_dim, "input_dim")
        self.output_dim = check_positive_int(output_dim, "output_dim")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)

    def call(self, inputs):
        if inputs.dtype not in (tf.int32, tf.int64):
            inputs = tf.cast(inputs, tf.int32)
        return tf.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, tf.cast(0, inputs.dtype))

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "quantization_config": None}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("quantization_config", None)
        return super().from_config(config)


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value` (for RNNs downstream).

    The output is the input with masked steps zeroed, and carries the mask
    `any(inputs != mask_value, axis=-1)`.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return tf.reduce_any(tf.not_equal(inputs, tf.cast(self.mask_value, inputs.dtype)),
                             axis=-1)

    def call(self, inputs):
        keep = self.compute_mask(inputs)
        return inputs * tf.cast(tf.expand_dims(keep, -1), inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class Rescaling(Layer):
    """Computes `inputs * scale + offset` (e.g. `Rescaling(1/255)` for images)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def call(self, inputs):
        x = as_float_input(self, inputs)
        return x * tf.cast(self.scale, x.dtype) + tf.cast(self.offset, x.dtype)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
