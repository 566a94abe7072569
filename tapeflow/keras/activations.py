"""`tf.keras.activations`: every Keras activation function, by name.

Activations TensorFlow has as ops (`relu`, `elu`, `softmax`, ...) call those
ops from `tapeflow.ops.nn` / `tapeflow.ops.math`; Keras-only ones (`mish`,
`hard_sigmoid`, `celu`, ...) are short compositions of ops, so they inherit
their gradients. `get(name)` looks names up in the one registry
(`keras/_registry.py`), so unknown names fail like every other Keras name.
"""
from tapeflow.core.convert import convert_to_tensor
from tapeflow.keras import _registry
from tapeflow.ops import array as _array
from tapeflow.ops import math as _math
from tapeflow.ops import nn as _nn


def _register(fn):
    return _registry.register("activation", fn.__name__)(fn)


def _t(x):
    return convert_to_tensor(x) if not hasattr(x, "dtype") else x


def _const(value, x):
    return _math.cast(value, x.dtype)


@_register
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """`max(x, 0)`, optionally with a slope below `threshold` and a cap at `max_value`.

    >>> relu([-10.0, -5.0, 0.0, 5.0, 10.0], max_value=5.0).numpy()
    array([0., 0., 0., 5., 5.], dtype=float32)
    """
    x = _t(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return _nn.relu(x)
    if max_value is None and threshold == 0.0:
        return _nn.leaky_relu(x, alpha=negative_slope)
    negative_part = None
    if negative_slope != 0.0:
        shifted = _math.add(_math.negative(x), _const(threshold, x)) if threshold else \
            _math.negative(x)
        negative_part = _nn.relu(shifted)
    if threshold != 0.0:
        y = _math.where(_math.greater(x, _const(threshold, x)), x, _array.zeros_like(x))
    else:
        y = _nn.relu(x)
    if max_value is not None:
        y = _math.minimum(y, _const(max_value, x))
    if negative_part is not None:
        y = _math.subtract(y, _math.multiply(negative_part, _const(negative_slope, x)))
    return y


@_register
def leaky_relu(x, negative_slope=0.2):
    """`x` for x >= 0, `negative_slope * x` below."""
    return _nn.leaky_relu(_t(x), alpha=negative_slope)


@_register
def relu6(x):
    """`min(max(x, 0), 6)`."""
    return _nn.relu6(_t(x))


@_register
def softmax(x, axis=-1):
    """`exp(x) / reduce_sum(exp(x), axis)`, computed stably."""
    return _nn.softmax(_t(x), axis=axis)


@_register
def log_softmax(x, axis=-1):
    """`x - log(reduce_sum(exp(x), axis))`, computed stably."""
    return _nn.log_softmax(_t(x), axis=axis)


@_register
def elu(x, alpha=1.0):
    """`x` for x > 0, `alpha * (exp(x) - 1)` below."""
    x = _t(x)
    y = _nn.elu(x)
    if alpha == 1.0:
        return y
    return _math.where(_math.greater(x, _const(0, x)), y, _math.multiply(y, _const(alpha, x)))


@_register
def selu(x):
    """Scaled ELU: `1.0507 * elu(x, 1.67326)`."""
    return _nn.selu(_t(x))


@_register
def celu(x, alpha=1.0):
    """`max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)`."""
    x = _t(x)
    zero = _const(0, x)
    negative = _math.multiply(
        _math.expm1(_math.divide(_math.minimum(x, zero), _const(alpha, x))),
        _const(alpha, x))
    return _math.add(_math.maximum(x, zero), negative)


@_register
def softplus(x):
    """`log(exp(x) + 1)`."""
    return _nn.softplus(_t(x))


@_register
def softsign(x):
    """`x / (abs(x) + 1)`."""
    return _nn.softsign(_t(x))


@_register
def squareplus(x, b=4):
    """`(x + sqrt(x^2 + b)) / 2`."""
    x = _t(x)
    root = _math.sqrt(_math.add(_math.square(x), _const(b, x)))
    return _math.multiply(_math.add(x, root), _const(0.5, x))


@_register
def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0."""
    x = _t(x)
    t = _const(threshold, x)
    return _math.where(_math.greater(x, t), _math.subtract(x, t),
                       _math.where(_math.less(x, _math.negative(t)), _math.add(x, t),
                                   _array.zeros_like(x)))


@_register
def sparse_plus(x):
    """0 for x <= -1, `x` for x >= 1, `(x + 1)^2 / 4` between."""
    x = _t(x)
    one = _const(1, x)
    middle = _math.multiply(_math.square(_math.add(x, one)), _const(0.25, x))
    return _math.where(_math.less_equal(x, _math.negative(one)), _array.zeros_like(x),
                       _math.where(_math.greater_equal(x, one), x, middle))


@_register
def silu(x):
    """`x * sigmoid(x)` (also called swish)."""
    x = _t(x)
    return _math.multiply(x, _math.sigmoid(x))


@_register
def gelu(x, approximate=False):
    """Gaussian error linear unit: `x * P(X <= x)` for X ~ N(0, 1).

    `0.5 x (1 + erf(x / sqrt(2)))`, or with `approximate=True`
    `0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))`.
    """
    return _nn.gelu(_t(x), approximate=approximate)


@_register
def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)`, `a` and `b` the halves of `x` along `axis`."""
    x = _t(x)
    if x.shape[axis] is not None and x.shape[axis] % 2:
        raise ValueError("axis size must be divisible by 2. "
                         f"Received: x.shape={tuple(x.shape)} with axis={axis}")
    a, b = _array.split(x, 2, axis=axis)
    return _math.multiply(a, _math.sigmoid(b))


@_register
def tanh(x):
    """Hyperbolic tangent."""
    return _math.tanh(_t(x))


@_register
def tanh_shrink(x):
    """`x - tanh(x)`."""
    x = _t(x)
    return _math.subtract(x, _math.tanh(x))


@_register
def hard_tanh(x):
    """`x` clipped to [-1, 1]."""
    x = _t(x)
    return _math.minimum(_math.maximum(x, _const(-1, x)), _const(1, x))


@_register
def hard_shrink(x, threshold=0.5):
    """`x` where `abs(x) > threshold`, else 0."""
    x = _t(x)
    return _math.where(_math.greater(_math.abs(x), _const(threshold, x)), x,
                       _array.zeros_like(x))


@_register
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    x = _t(x)
    return _math.where(_math.greater(x, _const(threshold, x)), x,
                       _math.add(_array.zeros_like(x), _const(default_value, x)))


@_register
def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return _math.sigmoid(_t(x))


@_register
def sparse_sigmoid(x):
    """0 for x <= -1, 1 for x >= 1, `(x + 1) / 2` between."""
    x = _t(x)
    one = _const(1, x)
    middle = _math.multiply(_math.add(x, one), _const(0.5, x))
    return _math.where(_math.less_equal(x, _math.negative(one)), _array.zeros_like(x),
                       _math.where(_math.greater_equal(x, one), _array.ones_like(x), middle))


@_register
def exponential(x):
    """`exp(x)`."""
    return _math.exp(_t(x))


@_register
def hard_sigmoid(x):
    """`relu6(x + 3) / 6`: 0 below -3, 1 above 3, linear between."""
    x = _t(x)
    return _math.divide(_nn.relu6(_math.add(x, _const(3, x))), _const(6, x))


@_register
def hard_silu(x):
    """`x * hard_sigmoid(x)` (also called hard swish)."""
    x = _t(x)
    return _math.multiply(x, hard_sigmoid(x))


@_register
def linear(x):
    """The identity: returns `x` unchanged."""
    return x


@_register
def mish(x):
    """`x * tanh(softplus(x))`."""
    x = _t(x)
    return _math.multiply(x, _math.tanh(_nn.softplus(x)))


@_register
def log_sigmoid(x):
    """`log(sigmoid(x))`, computed as `-softplus(-x)`."""
    x = _t(x)
    return _math.negative(_nn.softplus(_math.negative(x)))


@_register
def sparsemax(x, axis=-1):
    """Sparsemax: a softmax-like map onto the simplex that can give exact zeros.

    Computed as Keras 3 does: the threshold is (the sum of the cumulative sums
    over the support - 1) / (support size), then `max(x - threshold, 0)`.
    """
    from tapeflow.ops import reduction, sort
    x = _t(x)
    ordered = sort.sort(x, axis=axis, direction="DESCENDING")
    cumulative = reduction.cumsum(ordered, axis=axis)
    rank = x.shape.rank
    size = x.shape[axis]
    steps = _math.cast(_array.reshape(
        _math.add(_creation().range(size), 1),
        [-1 if i == axis % rank else 1 for i in range(rank)]), x.dtype)
    support = _math.greater(ordered, _math.divide(_math.subtract(cumulative, 1.0), steps))
    count = _math.reduce_sum(_math.cast(support, x.dtype), axis=axis, keepdims=True)
    total = _math.reduce_sum(_math.where(support, cumulative, _array.zeros_like(cumulative)),
                             axis=axis, keepdims=True)
    threshold = _math.divide(_math.subtract(total, 1.0), count)
    return _math.maximum(_math.subtract(x, threshold), _const(0, x))


def _creation():
    from tapeflow.ops import creation
    return creation


swish = silu
hard_swish = hard_silu
_registry.register("activation", "swish")(silu)
_registry.register("activation", "hard_swish")(hard_silu)


def get(identifier):
    """The activation function for a name, a config dict or a callable; None -> `linear`."""
    if identifier is None:
        return linear
    return _registry.get(identifier, "activation")


def serialize(activation):
    """The registered name of an activation (`"relu"`), or its config for an object."""
    if getattr(activation, "__name__", None) == "<lambda>":
        raise ValueError("Cannot serialize a lambda activation; use a named function.")
    return _registry.serialize(activation, "activation")


def deserialize(config, custom_objects=None):
    return _registry.deserialize(config, "activation", custom_objects)
