"""`tf.keras.regularizers`: penalties on weights that `layer.losses` collects.

A regularizer is called on a weight and returns a scalar tensor of the
weight's dtype. Layers attach them to variables (`kernel_regularizer=...`),
and `layer.losses` applies them on every access, so the penalty always
reflects the current weights (and is differentiable with respect to them).
"""
from tapeflow.keras import _registry, backend
from tapeflow.ops import math as _math


def _register(*aliases):
    def decorator(cls):
        names = (cls.__name__, backend.to_snake_case(cls.__name__)) + aliases
        return _registry.register("regularizer", *names)(cls)
    return decorator


def _validate(value, name):
    """Keras' check: a non-negative float (None means the default, handled by callers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float."
                         f"Received: {name}={value}")
    return float(value) if not isinstance(value, float) else value


class Regularizer:
    """Base class: `__call__(x)` returns a scalar penalty; `get_config()` its arguments."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _l1_term(factor, x):
    return _math.multiply(_math.reduce_sum(_math.abs(x)), _math.cast(factor, x.dtype))


def _l2_term(factor, x):
    return _math.multiply(_math.reduce_sum(_math.square(x)), _math.cast(factor, x.dtype))


@_register("l1")
class L1(Regularizer):
    """`l1 * reduce_sum(abs(x))`."""

    def __init__(self, l1=0.01):
        self.l1 = _validate(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return _l1_term(self.l1, x)

    def get_config(self):
        return {"l1": self.l1}


@_register("l2")
class L2(Regularizer):
    """`l2 * reduce_sum(square(x))`.

    >>> float(L2(0.5)([1.0, 2.0]))
    2.5
    """

    def __init__(self, l2=0.01):
        self.l2 = _validate(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        from tapeflow.core.convert import convert_to_tensor
        return _l2_term(self.l2, convert_to_tensor(x))

    def get_config(self):
        return {"l2": self.l2}


@_register("l1_l2")
class L1L2(Regularizer):
    """`l1 * reduce_sum(abs(x)) + l2 * reduce_sum(square(x))`."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        penalty = _math.cast(0.0, x.dtype)
        if self.l1:
            penalty = _math.add(penalty, _l1_term(self.l1, x))
        if self.l2:
            penalty = _math.add(penalty, _l2_term(self.l2, x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@_register()
class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthonormality.

    The penalty is `factor * 0.5 * mean |<u_i, u_j>|` over pairs i != j of the
    L2-normalized rows (`mode="rows"`) or columns (`mode="columns"`).
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _validate(factor, "factor")
        if mode not in {"rows", "columns"}:
            raise ValueError("Invalid value for argument `mode`. Expected one of "
                             f"{{'rows', 'columns'}}. Received: mode={mode}")
        self.mode = mode

    def __call__(self, x):
        if x.shape.rank != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(x.shape)}")
        axis = 1 if self.mode == "rows" else 0
        size = x.shape[1 - axis]
        squares = _math.reduce_sum(_math.square(x), axis=axis, keepdims=True)
        unit = _math.multiply(x, _math.rsqrt(_math.maximum(squares, 1e-12)))
        product = (_math.matmul(unit, unit, transpose_b=True) if axis == 1
                   else _math.matmul(unit, unit, transpose_a=True))
        # The diagonal holds |u_i|^2 >= 0, so subtracting their sum removes it exactly.
        off_diagonal = _math.subtract(_math.reduce_sum(_math.abs(product)),
                                      _math.reduce_sum(_math.square(unit)))
        num_pairs = size * (size - 1.0) / 2.0
        return _math.multiply(off_diagonal, _math.cast(self.factor * 0.5 / num_pairs,
                                                       x.dtype))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer


def get(identifier):
    """A regularizer from a name (`"l2"`), a config dict or a callable; None stays None."""
    if identifier is None:
        return None
    return _registry.get(identifier, "regularizer")


def serialize(regularizer):
    return _registry.serialize(regularizer, "regularizer")


def deserialize(config, custom_objects=None):
    return _registry.deserialize(config, "regularizer", custom_objects)
