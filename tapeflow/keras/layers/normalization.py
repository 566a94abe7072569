"""Normalization layers: BatchNormalization and LayerNormalization."""
import warnings

import tapeflow as tf
from tapeflow.keras import constraints, initializers, regularizers
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.input_spec import InputSpec


def _broadcast_to_rank(value, rank, axes):
    """A per-feature vector reshaped so that it broadcasts along the other axes."""
    if value is None or axes == [rank - 1]:
        return value
    shape = [1] * rank
    for axis in axes:
        shape[axis] = -1 if len(axes) == 1 else value.shape[axes.index(axis)]
    return tf.reshape(value, shape)


class BatchNormalization(Layer):
    """Normalizes each feature with batch statistics in training, moving ones otherwise.

    In training (`training=True` and the layer trainable) the output is
    `gamma * (x - mean) / sqrt(var + epsilon) + beta` with the batch's mean and
    (biased) variance over every axis but `axis`, and the moving statistics move
    towards them: `moving = moving * momentum + batch * (1 - momentum)`. In
    inference the moving statistics are used. `gamma` and `beta` are trainable;
    `moving_mean` and `moving_variance` are not.

    Args:
      axis: the feature axis (default -1).
      momentum: of the moving statistics (0.99).
      epsilon: added to the variance (1e-3).
      center, scale: whether to learn `beta` and `gamma`.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if renorm:
            raise NotImplementedError("BatchNormalization(renorm=True) is not supported by "
                                      "tapeflow yet.")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"Invalid axis: {self.axis} for input of rank {rank}.")
        size = input_shape[self.axis]
        shape = (size,)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False, autocast=False)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: size})
        self._feature_axis = self.axis % rank
        self._reduction_axes = [i for i in range(rank) if i != self._feature_axis]

    def call(self, inputs, training=None, mask=None):
        x = tf.cast(inputs, tf.float32) if inputs.dtype in (tf.float16,) else inputs
        rank = x.shape.rank
        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            momentum = tf.cast(self.momentum, x.dtype)
            self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
            self.moving_variance.assign(self.moving_variance * momentum +
                                        variance * (1.0 - momentum))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        axes = [self._feature_axis]
        outputs = tf.nn.batch_normalization(
            x, _broadcast_to_rank(tf.cast(mean, x.dtype), rank, axes),
            _broadcast_to_rank(tf.cast(variance, x.dtype), rank, axes),
            offset=_broadcast_to_rank(self.beta, rank, axes),
            scale=_broadcast_to_rank(self.gamma, rank, axes),
            variance_epsilon=self.epsilon)
        return tf.cast(outputs, self.compute_dtype)

    def _moments(self, x, mask):
        if mask is None:
            return tf.nn.moments(x, axes=self._reduction_axes)
        weights = tf.cast(tf.expand_dims(mask, -1), x.dtype) * tf.ones_like(x)
        total = tf.reduce_sum(weights, axis=self._reduction_axes)
        mean = tf.reduce_sum(x * weights, axis=self._reduction_axes) / (total + 1e-7)
        centered = (x - mean) * weights
        variance = tf.reduce_sum(centered * centered, axis=self._reduction_axes) / \
            (total + 1e-7)
        return mean, variance

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(
                    self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                "synchronized": self.synchronized, "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum}


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (the features), then scales and shifts.

    `gamma * (x - mean) / sqrt(var + epsilon) + beta`, the statistics taken per
    sample over `axis`; `rms_scaling=True` computes `gamma * x / sqrt(var + epsilon)`
    (Keras 3's deprecated formula, kept as is).
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis}")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        if isinstance(self.axis, list):
            shape = tuple(input_shape[dim] for dim in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]      # Keras keeps the axis as a list once built
        self.gamma = self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32) if inputs.dtype in (tf.float16,) else inputs
        rank = x.shape.rank
        axes = sorted(a % rank for a in self.axis)
        gamma = _broadcast_to_rank(self.gamma, rank, axes)
        beta = _broadcast_to_rank(self.beta, rank, axes)
        if self.rms_scaling:
            # Keras 3 scales by the variance here, not the root mean square (and warns).
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square. To correctly use RMS Normalization, please use "
                          "`keras.ops.rms_normalization` / `keras.ops.nn.rms_normalization` "
                          "instead.", UserWarning, stacklevel=2)
            _, variance = tf.nn.moments(x, axes=axes, keepdims=True)
            outputs = x * tf.math.rsqrt(variance + self.epsilon) * gamma
        else:
            mean, variance = tf.nn.moments(x, axes=axes, keepdims=True)
            outputs = tf.nn.batch_normalization(x, mean, variance, offset=beta, scale=gamma,
                                                variance_epsilon=self.epsilon)
        return tf.cast(outputs, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}
