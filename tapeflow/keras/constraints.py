"""`tf.keras.constraints`: projections applied to a weight after each optimizer update.

A constraint is called on a weight and returns the projected value; layers
attach them to variables (`kernel_constraint=...`, stored as
`variable.constraint`), and optimizers apply them after updating.
"""
from tapeflow.keras import _registry, backend
from tapeflow.ops import math as _math


def _register(*aliases):
    def decorator(cls):
        names = (cls.__name__, backend.to_snake_case(cls.__name__)) + aliases
        return _registry.register("constraint", *names)(cls)
    return decorator


def _norms(w, axis):
    return _math.sqrt(_math.reduce_sum(_math.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: `__call__(w)` returns the constrained weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@_register()
class MaxNorm(Constraint):
    """Rescales slices along `axis` whose L2 norm exceeds `max_value`."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = _math.minimum(norms, _math.cast(self.max_value, w.dtype))
        return _math.multiply(w, _math.divide(desired, _math.add(norms, backend.epsilon())))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@_register()
class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return _math.multiply(w, _math.cast(_math.greater_equal(w, 0.0), w.dtype))


@_register()
class UnitNorm(Constraint):
    """Divides slices along `axis` by their L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return _math.divide(w, _math.add(_norms(w, self.axis), backend.epsilon()))

    def get_config(self):
        return {"axis": self.axis}


@_register()
class MinMaxNorm(Constraint):
    """Moves slice norms into `[min_value, max_value]`, a fraction `rate` of the way."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        clipped = _math.minimum(_math.maximum(norms, _math.cast(self.min_value, w.dtype)),
                                _math.cast(self.max_value, w.dtype))
        desired = _math.add(_math.multiply(clipped, self.rate),
                            _math.multiply(norms, 1.0 - self.rate))
        return _math.multiply(w, _math.divide(desired, _math.add(norms, backend.epsilon())))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm


def get(identifier):
    """A constraint from a name (`"max_norm"`), a config dict or a callable; None stays None."""
    if identifier is None:
        return None
    return _registry.get(identifier, "constraint")


def serialize(constraint):
    return _registry.serialize(constraint, "constraint")


def deserialize(config, custom_objects=None):
    return _registry.deserialize(config, "constraint", custom_objects)
