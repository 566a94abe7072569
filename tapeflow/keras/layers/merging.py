"""Merging layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum.

Each is called on a list of tensors. Elementwise merges accept shapes that
broadcast (sizes equal or 1), as Keras does.
"""
import functools

import tapeflow as tf
from tapeflow.keras.layers.base import Layer


def _elementwise_shape(shape1, shape2):
    """Keras' broadcast of two shapes (None matches anything); raises on a mismatch."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return _elementwise_shape(shape2, shape1)
    head = list(shape1[:len(shape1) - len(shape2)])
    for a, b in zip(shape1[len(shape1) - len(shape2):], shape2):
        if a is None or b is None:
            head.append(None)
        elif a == 1:
            head.append(b)
        elif b == 1 or a == b:
            head.append(a)
        else:
            raise ValueError("Inputs have incompatible shapes. Received shapes "
                             f"{tuple(shape1)} and {tuple(shape2)}")
    return tuple(head)


class Merge(Layer):
    """Base class of the elementwise merges: `_merge(inputs)` combines a list of tensors."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             f"input_shape={input_shape} (not a list of shapes)")
        if len(input_shape) < 1:
            raise ValueError("A merge layer should be called on a list of at least 1 input. "
                             f"Got {len(input_shape)} inputs. Full input_shape received: "
                             f"{input_shape}")
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received "
                             f"tensors with shapes {input_shape}")
        output = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            output = _elementwise_shape(output, tuple(shape[1:]))

    def call(self, inputs):
        return self._merge(list(inputs))

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [tf.expand_dims(m, 0) for m in mask if m is not None]
        return tf.reduce_all(tf.concat(masks, axis=0), axis=0)


class Add(Merge):
    """Sums a list of tensors of the same shape."""

    def _merge(self, inputs):
        return functools.reduce(tf.add, inputs)


class Subtract(Merge):
    """Subtracts the second of two tensors from the first."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={input_shape}")

    def _merge(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        return tf.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Multiplies a list of tensors elementwise."""

    def _merge(self, inputs):
        return functools.reduce(tf.multiply, inputs)


class Average(Merge):
    """The elementwise mean of a list of tensors."""

    def _merge(self, inputs):
        return functools.reduce(tf.add, inputs) / len(inputs)


class Maximum(Merge):
    """The elementwise maximum of a list of tensors."""

    def _merge(self, inputs):
        return functools.reduce(tf.maximum, inputs)


class Minimum(Merge):
    """The elementwise minimum of a list of tensors."""

    def _merge(self, inputs):
        return functools.reduce(tf.minimum, inputs)


class Concatenate(Layer):
    """Concatenates a list of tensors along `axis` (other sizes must match)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 1 or \
                not isinstance(input_shape[0], (list, tuple)):
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={input_shape}")
        if all(shape is None for shape in input_shape):
            return
        ranks = {len(shape) for shape in input_shape}
        message = ("A `Concatenate` layer requires inputs with matching shapes except for "
                   f"the concatenation axis. Received: input_shape={list(input_shape)}")
        if len(ranks) != 1:
            raise ValueError(message)
        rank = ranks.pop()
        axis = self.axis % rank
        for i in range(rank):
            if i == axis:
                continue
            sizes = {shape[i] for shape in input_shape} - {None}
            if len(sizes) > 1:
                raise ValueError(message)

    def call(self, inputs):
        return tf.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = tf.ones_like(x, dtype=tf.bool)
            elif m.shape.rank < x.shape.rank:
                m = tf.expand_dims(m, -1)
                m = tf.logical_and(m, tf.ones_like(x, dtype=tf.bool))
            masks.append(m)
        return tf.reduce_all(tf.concat(masks, axis=self.axis), axis=-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    """Functional interface to the `Add` layer."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)
