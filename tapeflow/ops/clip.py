"""Clipping: by value (a primitive, one pass over the data) and by norm, per tensor or
over a list of tensors (the composites optimizers use for gradient clipping).
"""
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor, scalar_like
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import unsupported_dtype
from tapeflow.core.op import Op
from tapeflow.core.shape import broadcast_shapes
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import as_operand
from tapeflow.ops.math import (FLOATS, REAL, _t, add, cast, divide, greater, less, logical_or,
                               maximum, minimum, multiply, reduce_sum, sqrt, subtract, where,
                               zeros_like)


def _clip_infer(t, low, high):
    for name, bound in (("clip_value_min", low), ("clip_value_max", high)):
        if bound.dtype is not t.dtype:
            raise TypeError(f"Input '{name}' of 'ClipByValue' Op has type {bound.dtype.name} "
                            f"that does not match type {t.dtype.name} of argument 't'.")
    return TensorSpec(t.dims, t.dtype)


ClipByValue = Op("ClipByValue", infer=_clip_infer, dtypes=REAL, elementwise=True)


@ClipByValue.kernel
def _(t, low, high):
    # minimum first, then maximum: with low > high every element becomes low (as TF).
    return xp.maximum(xp.minimum(t, high), low)


@ClipByValue.gradient
def _(dy, t, low, high, out):
    # The gradient goes to whichever of t, low, high the output equals; ties go to t.
    to_low = less(minimum(t, high), low)
    to_high = logical_or(greater(t, high), to_low)   # t > high, unless low won
    zeros = zeros_like(dy)
    dt = where(to_high, zeros, dy)
    dlow = where(to_low, dy, zeros)
    dhigh = where(to_low, zeros, where(to_high, dy, zeros))
    return dt, sum_to_shape(dlow, low), sum_to_shape(dhigh, high)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clips `t` element-wise to `[clip_value_min, clip_value_max]`.

    The bounds convert to `t`'s dtype and may be tensors that broadcast to `t`'s
    shape. Gradients: to `t` inside the range (bounds included), to a bound outside.

    >>> clip_by_value([-2.0, 0.5, 3.0], -1.0, 1.0).numpy()
    array([-1. ,  0.5,  1. ], dtype=float32)

    Raises:
      ValueError: the bounds would broadcast `t` to a larger shape.
    """
    t = _t(t)
    high = _bound(clip_value_max, t.dtype)
    low = _bound(clip_value_min, t.dtype)
    t_dims, low_dims, high_dims = t._static_dims(), low._static_dims(), high._static_dims()
    if (low_dims or high_dims) and None not in (t_dims, low_dims, high_dims):
        dims = broadcast_shapes(broadcast_shapes(t_dims, high_dims) or t_dims, low_dims)
        if dims is not None and dims != t_dims:
            raise ValueError(f"Shapes {_shape_tuple(t_dims)} and {_shape_tuple(dims)} are "
                             "incompatible")
    return apply(ClipByValue, t, low, high)


def _bound(value, dtype):
    # Python numbers use the cached scalar tensors (the common, hot case).
    if type(value) in (int, float):
        return scalar_like(value, dtype)
    return convert_to_tensor(value, dtype=dtype)


def _shape_tuple(dims):
    return "(" + ", ".join("None" if d is None else str(d) for d in dims) + \
        ("," if len(dims) == 1 else "") + ")"


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescales `t` so that its L2 norm (over `axes`, all axes when None) is at most
    `clip_norm`: `t * clip_norm / max(norm, clip_norm)`.

    Composite. The norm of an all-zero slice is taken as 0 without a NaN
    gradient (the square root sees 1 there instead of 0).

    >>> clip_by_norm([3.0, 4.0], 1.0).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    t = _t(t)
    clip_norm = cast(_t(clip_norm), t.dtype)
    squared = reduce_sum(multiply(t, t), axes, keepdims=True)
    positive = greater(squared, zeros_like(squared))
    safe = where(positive, squared, _ones_like(squared))
    norm = where(positive, sqrt(safe), squared)
    from tapeflow.ops.array import identity
    return identity(divide(multiply(t, clip_norm), maximum(norm, clip_norm)))


def _ones_like(x):
    from tapeflow.ops.array import ones_like
    return ones_like(x)


def _tensor_list(t_list):
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return [None if t is None else _t(t) for t in t_list]


def global_norm(t_list, name=None):
    """`sqrt(sum(||t||^2))` over the tensors of `t_list` (None entries are skipped).

    >>> global_norm([[3.0], None, [4.0]]).numpy()
    5.0
    """
    tensors = [t for t in _tensor_list(t_list) if t is not None]
    if not tensors:
        return convert_to_tensor(0.0)
    squares = []
    for t in tensors:
        if t.dtype not in FLOATS:   # TF sums each tensor's L2Loss
            raise unsupported_dtype("L2Loss", t.dtype, FLOATS, (t,))
        squares.append(reduce_sum(multiply(t, t)))
    from tapeflow.ops.array import stack
    return sqrt(reduce_sum(stack(squares)))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor of `t_list` by `clip_norm / max(global_norm, clip_norm)`.

    Args:
      t_list: a list or tuple of tensors (None entries stay None).
      clip_norm: the largest global norm to allow.
      use_norm: the global norm to use instead of computing it.

    Returns:
      `(list_clipped, global_norm)`. If the global norm is inf or NaN, every
      clipped tensor is NaN (as in TF).

    >>> clipped, norm = clip_by_global_norm([[3.0], [4.0]], 1.0)
    >>> clipped[1].numpy(), norm.numpy()
    (array([0.8], dtype=float32), 5.0)
    """
    tensors = _tensor_list(t_list)
    norm = global_norm(tensors) if use_norm is None else _t(use_norm)
    clip_norm = as_operand(clip_norm, norm.dtype)
    one = as_operand(1.0, norm.dtype)
    scale = multiply(clip_norm, minimum(divide(one, norm), divide(one, clip_norm)))
    scale = _nan_if_not_finite(scale, norm)
    from tapeflow.ops.array import identity
    clipped = [None if t is None else identity(multiply(t, cast(scale, t.dtype)))
               for t in tensors]
    return clipped, norm


def _nan_if_not_finite(scale, norm):
    # norm - norm is 0 for a finite norm and NaN for inf or NaN: it poisons the scale.
    return add(scale, subtract(norm, norm))
