"""Bitwise ops on integer tensors (`tf.bitwise`): and, or, xor, invert, shifts.

They also implement the `&`, `|`, `^` and `~` operators of integer tensors
(`ops/math.py` routes bool tensors to the logical ops instead). None of them
has a gradient.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.ops._rules import broadcast_binary, same_as_input
from tapeflow.ops.math import _binary_function, _t

_INTEGERS = dtypes.INTEGERS


def _bitwise(name, kernel):
    op = Op(name, infer=broadcast_binary(name), dtypes=_INTEGERS, elementwise=True,
            differentiable=False)
    op.kernel(kernel)
    return op


BitwiseAnd = _bitwise("BitwiseAnd", xp.bitwise_and)
BitwiseOr = _bitwise("BitwiseOr", xp.bitwise_or)
BitwiseXor = _bitwise("BitwiseXor", xp.bitwise_xor)


def _clamped_shift(shift, dtype):
    # TF clamps the shift amount to [0, bits - 1] (C leaves larger shifts undefined).
    return xp.clip(shift, 0, dtype.itemsize * 8 - 1).astype(dtype, copy=False)


LeftShift = _bitwise("LeftShift", lambda x, y: xp.left_shift(x, _clamped_shift(y, x.dtype)))
RightShift = _bitwise("RightShift", lambda x, y: xp.right_shift(x, _clamped_shift(y, x.dtype)))

Invert = Op("Invert", infer=same_as_input, dtypes=_INTEGERS, elementwise=True,
            differentiable=False)
Invert.kernel(xp.invert)


bitwise_and = _binary_function(BitwiseAnd, """Returns `x & y` element-wise for integer tensors.

    >>> bitwise_and([12, 10], [10, 6]).numpy()
    array([8, 2], dtype=int32)
    """)
bitwise_or = _binary_function(BitwiseOr, """Returns `x | y` element-wise for integer tensors.""")
bitwise_xor = _binary_function(BitwiseXor, """Returns `x ^ y` element-wise for integer tensors.""")
left_shift = _binary_function(LeftShift, """Returns `x << y` element-wise.

    Shift amounts are clamped to `[0, bits - 1]`, and bits shifted out of a signed
    integer wrap around (`left_shift(int8 1, 7) == -128`).
    """)
right_shift = _binary_function(RightShift, """Returns `x >> y` element-wise.

    Signed integers shift arithmetically (the sign is kept); shift amounts are
    clamped to `[0, bits - 1]`.

    >>> right_shift([-8, 8], [1, 1]).numpy()
    array([-4,  4], dtype=int32)
    """)


def invert(x, name=None):
    """Flips all bits of an integer tensor (`~x`).

    >>> invert([0, 5]).numpy()
    array([-1, -6], dtype=int32)
    """
    return apply(Invert, _t(x))
