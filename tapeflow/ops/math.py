"""Elementwise arithmetic, comparisons, logical ops, reductions and matmul.

Each op: its record with the shape/dtype rule, its kernel, its gradient rule,
and the public function, read top to bottom. Gradient rules are written in
tapeflow ops (so they are differentiable again) and undo broadcasting with
`sum_to_shape` only.
"""
import numbers

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.ops import _parallel
from tapeflow.core.context import state
from tapeflow.core.dispatch import apply, apply_binary, apply_unary
from tapeflow.core.errors import InvalidArgumentError, dtype_mismatch
from tapeflow.core.op import Op
from tapeflow.core.shape import broadcast_shapes
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, override_operator
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import (as_operand, binary_operands, bool_like_input,
                                 broadcast_binary, broadcast_compare, operand_list,
                                 reduced_dims, same_as_input, tensor_like)
from tapeflow.core.convert import convert_to_tensor

NUMBERS = dtypes.NUMBERS
SIGNED = dtypes.SIGNED
FLOATS = dtypes.FLOATS
INEXACT = dtypes.INEXACT
REAL = dtypes.REAL_NUMBERS


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _binary_function(op, doc):
    """The public function of a same-dtype binary op: `fn(x, y, name=None)`.

    Two eager tensors of one dtype (the hot path) go straight to `apply`;
    anything else is converted by `binary_operands` with TF's rules.
    """
    op_name = op.name

    def fn(x, y, name=None):
        if type(x) is not EagerTensor or type(y) is not EagerTensor or x._dtype is not y._dtype:
            x, y = binary_operands(x, y, op_name)
        return apply_binary(op, x, y)
    fn.__doc__ = doc
    fn.op = op
    return fn


# ================================================================================
# Binary arithmetic
# ================================================================================

AddV2 = Op("AddV2", infer=broadcast_binary("AddV2"), dtypes=NUMBERS | {dtypes.string},
           elementwise=True)
AddV2.kernel(xp.add)


@AddV2.gradient
def _(dy, x, y, out):
    return sum_to_shape(dy, x), sum_to_shape(dy, y)


add = _binary_function(AddV2, """Returns `x + y` element-wise, broadcasting like NumPy.

    >>> add([1, 2], 3).numpy()
    array([4, 5], dtype=int32)
    """)


Sub = Op("Sub", infer=broadcast_binary("Sub"), dtypes=NUMBERS, elementwise=True)
Sub.kernel(xp.subtract)


@Sub.gradient
def _(dy, x, y, out):
    return sum_to_shape(dy, x), sum_to_shape(negative(dy), y)


subtract = _binary_function(Sub, """Returns `x - y` element-wise.""")


Mul = Op("Mul", infer=broadcast_binary("Mul"), dtypes=NUMBERS, elementwise=True)
Mul.kernel(xp.multiply)


@Mul.gradient
def _(dy, x, y, out):
    x, y = _conj_if_complex(x), _conj_if_complex(y)
    return sum_to_shape(multiply(dy, y), x), sum_to_shape(multiply(dy, x), y)


def _conj_if_complex(x):
    # TF's gradients of complex functions use the conjugate derivative.
    if x.dtype.is_complex:
        from tapeflow.ops.elementwise import conj
        return conj(x)
    return x


multiply = _binary_function(Mul, """Returns `x * y` element-wise.""")


RealDiv = Op("RealDiv", infer=broadcast_binary("RealDiv"), dtypes=INEXACT, elementwise=True)
RealDiv.kernel(xp.true_divide)


@RealDiv.gradient
def _(dy, x, y, out):
    # d(x/y)/dx = 1/y; d(x/y)/dy = -x/y^2 = -out/y.
    y, out = _conj_if_complex(y), _conj_if_complex(out)
    return (sum_to_shape(divide(dy, y), x),
            sum_to_shape(negative(multiply(dy, divide(out, y))), y))


# TF's truediv casts integer operands to a float type first.
_TRUEDIV_FLOAT = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32,
                  dtypes.int16: dtypes.float32, dtypes.uint16: dtypes.float32,
                  dtypes.int32: dtypes.float64, dtypes.uint32: dtypes.float64,
                  dtypes.int64: dtypes.float64, dtypes.uint64: dtypes.float64}


def truediv(x, y, name=None):
    """Returns `x / y`; integer inputs are first cast to float (int32 -> float64), as in TF.

    Raises:
      TypeError: `x` and `y` have different dtypes.
    """
    if type(x) is EagerTensor and type(y) is EagerTensor and x._dtype is y._dtype:
        if x._dtype._bit & _REAL_DIV_MASK:
            return apply_binary(RealDiv, x, y)
    else:
        x, y = _truediv_operands(x, y)
    target = _TRUEDIV_FLOAT.get(x.dtype)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return apply_binary(RealDiv, x, y)


_REAL_DIV_MASK = dtypes.mask(INEXACT)


def _truediv_operands(x, y):
    # Like binary_operands, but a dtype mismatch is TF's TypeError from Python code.
    if tensor_like(x):
        y = as_operand(y, x.dtype)
    elif tensor_like(y):
        x = as_operand(x, y.dtype)
    else:
        x = convert_to_tensor(x)
        y = as_operand(y, x.dtype)
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    return x, y


def realdiv(x, y, name=None):
    """Returns `x / y` for floating-point and complex tensors (TF's RealDiv op, no casting)."""
    x, y = binary_operands(x, y, "RealDiv")
    return apply_binary(RealDiv, x, y)


def divide(x, y, name=None):
    """Returns `x / y` element-wise (TF's `tf.math.divide`, the same as `truediv`)."""
    return truediv(x, y)


def _raise_if_int_zero(y):
    if y.dtype.kind in "iu" and not y.all():
        raise InvalidArgumentError(None, None, "Integer division by zero")


FloorDiv = Op("FloorDiv", infer=broadcast_binary("FloorDiv"), dtypes=REAL, elementwise=True,
              differentiable=False)   # TF registers no gradient for FloorDiv


@FloorDiv.kernel
def _(x, y):
    _raise_if_int_zero(y)
    if x.dtype.kind == "f":
        return xp.floor(xp.true_divide(x, y))
    return xp.floor_divide(x, y)


floordiv = _binary_function(FloorDiv, """Returns `floor(x / y)` element-wise (`x // y`).""")


FloorMod = Op("FloorMod", infer=broadcast_binary("FloorMod"), dtypes=REAL, elementwise=True)


@FloorMod.kernel
def _(x, y):
    _raise_if_int_zero(y)
    return xp.mod(x, y)


@FloorMod.gradient
def _(dy, x, y, out):
    # x mod y = x - floor(x / y) * y.
    return (sum_to_shape(dy, x),
            sum_to_shape(multiply(dy, negative(floor(divide(x, y)))), y))


floormod = _binary_function(FloorMod, """Returns `x mod y` with the sign of `y` (`x % y`), as
    TF's FloorMod.""")


Pow = Op("Pow", infer=broadcast_binary("Pow"), dtypes=SIGNED, elementwise=True)


@Pow.kernel
def _(x, y):
    if y.dtype.kind in "iu" and (y < 0).any():
        raise InvalidArgumentError(None, None, "Integers to negative integer powers are not "
                                               "allowed")
    return xp.power(x, y)


@Pow.gradient
def _(dy, x, y, out):
    # d/dx x^y = y x^(y-1); d/dy x^y = x^y log(x), taken as 0 where x <= 0 (as TF).
    dx = multiply(dy, multiply(y, pow(x, subtract(y, 1))))
    safe_x = where(greater(x, 0), x, ones_like(x))
    dlog = where(greater(x, 0), log(safe_x), zeros_like(x))
    return sum_to_shape(dx, x), sum_to_shape(multiply(dy, multiply(out, dlog)), y)


pow = _binary_function(Pow, """Returns `x ** y` element-wise.""")


Maximum = Op("Maximum", infer=broadcast_binary("Maximum"), dtypes=REAL, elementwise=True)
Maximum.kernel(xp.maximum)


@Maximum.gradient
def _(dy, x, y, out):
    x_wins = greater_equal(x, y)   # ties send the gradient to x, as in TF
    zeros = zeros_like(dy)
    return (sum_to_shape(where(x_wins, dy, zeros), x),
            sum_to_shape(where(x_wins, zeros, dy), y))


maximum = _binary_function(Maximum, """Returns the element-wise maximum of `x` and `y`.""")


Minimum = Op("Minimum", infer=broadcast_binary("Minimum"), dtypes=REAL, elementwise=True)
Minimum.kernel(xp.minimum)


@Minimum.gradient
def _(dy, x, y, out):
    x_wins = less_equal(x, y)
    zeros = zeros_like(dy)
    return (sum_to_shape(where(x_wins, dy, zeros), x),
            sum_to_shape(where(x_wins, zeros, dy), y))


minimum = _binary_function(Minimum, """Returns the element-wise minimum of `x` and `y`.""")


SquaredDifference = Op("SquaredDifference", infer=broadcast_binary("SquaredDifference"),
                       dtypes=INEXACT | {dtypes.int32, dtypes.int64}, elementwise=True)


@SquaredDifference.kernel
def _(x, y):
    d = xp.subtract(x, y)
    if type(d) is not xp.ndarray:   # rank-0 inputs give a NumPy scalar
        return d * d
    return xp.multiply(d, d, out=d)


@SquaredDifference.gradient
def _(dy, x, y, out):
    g = multiply(dy, multiply(subtract(x, y), 2))
    return sum_to_shape(g, x), sum_to_shape(negative(g), y)


squared_difference = _binary_function(SquaredDifference, """Returns `(x - y)^2` element-wise.""")


# ================================================================================
# Unary elementwise
# ================================================================================

def _unary(name, kernel, allowed, differentiable=True):
    op = Op(name, infer=same_as_input, dtypes=allowed, elementwise=True,
            differentiable=differentiable)
    op.kernel(kernel)
    return op


Neg = _unary("Neg", xp.negative, SIGNED)
Neg.gradient(lambda dy, x, out: negative(dy))


def negative(x, name=None):
    """Returns `-x` element-wise."""
    return apply_unary(Neg, _t(x))


Abs = _unary("Abs", xp.abs, SIGNED - {dtypes.complex64, dtypes.complex128})
Abs.gradient(lambda dy, x, out: multiply(dy, sign(x)))


def abs(x, name=None):  # noqa: A001 - TF's public name
    """Returns `|x|` element-wise (a real tensor for complex `x`)."""
    x = _t(x)
    if x._dtype.is_complex:
        from tapeflow.ops.elementwise import complex_abs
        return complex_abs(x)
    return apply(Abs, x)


Sign = _unary("Sign", xp.sign, SIGNED)
Sign.gradient(lambda dy, x, out: zeros_like(x))


def sign(x, name=None):
    """Returns -1, 0 or 1 according to the sign of each element."""
    return apply_unary(Sign, _t(x))


Square = _unary("Square", xp.square, NUMBERS)
Square.gradient(lambda dy, x, out: multiply(dy, multiply(x, 2)))


def square(x, name=None):
    """Returns `x * x` element-wise."""
    return apply_unary(Square, _t(x))


Sqrt = _unary("Sqrt", xp.sqrt, INEXACT)
Sqrt.gradient(lambda dy, x, out: divide(multiply(dy, 0.5), out))   # 1 / (2 sqrt(x))


def sqrt(x, name=None):
    """Returns the square root of `x` element-wise."""
    return apply_unary(Sqrt, _t(x))


def _rsqrt_kernel(x):
    return xp.reciprocal(xp.sqrt(x))


Rsqrt = _unary("Rsqrt", _rsqrt_kernel, INEXACT)
# d/dx x^(-1/2) = -1/2 x^(-3/2) = -1/2 out^3
Rsqrt.gradient(lambda dy, x, out: multiply(dy, multiply(pow(out, 3), -0.5)))


def rsqrt(x, name=None):
    """Returns `1 / sqrt(x)` element-wise."""
    return apply_unary(Rsqrt, _t(x))


Exp = _unary("Exp", xp.exp, INEXACT)
Exp.gradient(lambda dy, x, out: multiply(dy, out))


def exp(x, name=None):
    """Returns `e ** x` element-wise."""
    return apply_unary(Exp, _t(x))


Expm1 = _unary("Expm1", xp.expm1, INEXACT)
Expm1.gradient(lambda dy, x, out: multiply(dy, exp(x)))


def expm1(x, name=None):
    """Returns `exp(x) - 1`, accurate for small x."""
    return apply_unary(Expm1, _t(x))


Log = _unary("Log", xp.log, INEXACT)
Log.gradient(lambda dy, x, out: divide(dy, x))


def log(x, name=None):
    """Returns the natural logarithm of `x` element-wise."""
    return apply_unary(Log, _t(x))


Log1p = _unary("Log1p", xp.log1p, INEXACT)
Log1p.gradient(lambda dy, x, out: divide(dy, add(x, 1)))


def log1p(x, name=None):
    """Returns `log(1 + x)`, accurate for small x."""
    return apply_unary(Log1p, _t(x))


Sin = _unary("Sin", xp.sin, INEXACT)
Sin.gradient(lambda dy, x, out: multiply(dy, cos(x)))


def sin(x, name=None):
    return apply_unary(Sin, _t(x))


Cos = _unary("Cos", xp.cos, INEXACT)
Cos.gradient(lambda dy, x, out: negative(multiply(dy, sin(x))))


def cos(x, name=None):
    return apply_unary(Cos, _t(x))


Tan = _unary("Tan", xp.tan, INEXACT)
Tan.gradient(lambda dy, x, out: multiply(dy, add(square(out), 1)))   # 1 + tan^2


def tan(x, name=None):
    return apply_unary(Tan, _t(x))


Tanh = _unary("Tanh", xp.tanh, INEXACT)
Tanh.gradient(lambda dy, x, out: multiply(dy, subtract(1, square(out))))   # 1 - tanh^2


def tanh(x, name=None):
    """Returns the hyperbolic tangent of `x` element-wise."""
    return apply_unary(Tanh, _t(x))


def _sigmoid_kernel(x):
    # Stable for large |x|: exp is only taken of non-positive numbers.
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


Sigmoid = _unary("Sigmoid", _sigmoid_kernel, INEXACT)
Sigmoid.gradient(lambda dy, x, out: multiply(dy, multiply(out, subtract(1, out))))


def sigmoid(x, name=None):
    """Returns `1 / (1 + exp(-x))` element-wise."""
    return apply_unary(Sigmoid, _t(x))


Reciprocal = _unary("Reciprocal", xp.reciprocal, INEXACT)
Reciprocal.gradient(lambda dy, x, out: negative(multiply(dy, square(out))))


def reciprocal(x, name=None):
    """Returns `1 / x` element-wise."""
    return apply_unary(Reciprocal, _t(x))


# Rounding: piecewise constant, so TF gives them no gradient.
Floor = _unary("Floor", xp.floor, FLOATS, differentiable=False)
Ceil = _unary("Ceil", xp.ceil, FLOATS, differentiable=False)
Round = _unary("Round", lambda x: xp.rint(x) if x.dtype.kind == "f" else x,   # half to even
               REAL, differentiable=False)


def floor(x, name=None):
    return apply_unary(Floor, _t(x))


def ceil(x, name=None):
    return apply_unary(Ceil, _t(x))


def round(x, name=None):  # noqa: A001 - TF's public name
    """Rounds half to even, as TF does."""
    return apply_unary(Round, _t(x))


IsNan = Op("IsNan", infer=bool_like_input, dtypes=FLOATS, differentiable=False)
IsNan.kernel(xp.isnan)
IsFinite = Op("IsFinite", infer=bool_like_input, dtypes=FLOATS, differentiable=False)
IsFinite.kernel(xp.isfinite)
IsInf = Op("IsInf", infer=bool_like_input, dtypes=FLOATS, differentiable=False)
IsInf.kernel(xp.isinf)


def is_nan(x, name=None):
    return apply_unary(IsNan, _t(x))


def is_finite(x, name=None):
    return apply_unary(IsFinite, _t(x))


def is_inf(x, name=None):
    return apply_unary(IsInf, _t(x))


# ================================================================================
# Comparisons and logic (no gradients)
# ================================================================================

def _compare(name, kernel, allowed):
    op = Op(name, infer=broadcast_compare(name), dtypes=allowed, differentiable=False,
            elementwise=True)
    op.kernel(kernel)
    return op, _binary_function(op, None)


_ANY = frozenset(dtypes.ALL)
Equal, equal = _compare("Equal", xp.equal, _ANY)
NotEqual, not_equal = _compare("NotEqual", xp.not_equal, _ANY)
Less, less = _compare("Less", xp.less, REAL)
LessEqual, less_equal = _compare("LessEqual", xp.less_equal, REAL)
Greater, greater = _compare("Greater", xp.greater, REAL)
GreaterEqual, greater_equal = _compare("GreaterEqual", xp.greater_equal, REAL)
equal.__doc__ = "Returns the truth value of `x == y` element-wise."
not_equal.__doc__ = "Returns the truth value of `x != y` element-wise."
less.__doc__ = "Returns the truth value of `x < y` element-wise."
less_equal.__doc__ = "Returns the truth value of `x <= y` element-wise."
greater.__doc__ = "Returns the truth value of `x > y` element-wise."
greater_equal.__doc__ = "Returns the truth value of `x >= y` element-wise."

_BOOL = {dtypes.bool}
LogicalAnd = Op("LogicalAnd", infer=broadcast_compare("LogicalAnd"), dtypes=_BOOL,
                differentiable=False, elementwise=True)
LogicalAnd.kernel(xp.logical_and)
LogicalOr = Op("LogicalOr", infer=broadcast_compare("LogicalOr"), dtypes=_BOOL,
               differentiable=False, elementwise=True)
LogicalOr.kernel(xp.logical_or)
LogicalNot = Op("LogicalNot", infer=bool_like_input, dtypes=_BOOL, differentiable=False,
                elementwise=True)
LogicalNot.kernel(xp.logical_not)


def _bool_operands(x, y, op_name):
    x, y = _t(x), _t(y)
    for i, t in enumerate((x, y)):
        if t.dtype is not dtypes.bool:
            raise dtype_mismatch(op_name, i, dtypes.bool, t.dtype, (x, y))
    return x, y


def logical_and(x, y, name=None):
    """Returns the truth value of `x AND y` element-wise (bool tensors only)."""
    return apply(LogicalAnd, *_bool_operands(x, y, "LogicalAnd"))


def logical_or(x, y, name=None):
    """Returns the truth value of `x OR y` element-wise (bool tensors only)."""
    return apply(LogicalOr, *_bool_operands(x, y, "LogicalOr"))


def logical_xor(x, y, name="LogicalXor"):
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


def logical_not(x, name=None):
    return apply_unary(LogicalNot, _t(x))


# ================================================================================
# Selection
# ================================================================================

def _select_infer(condition, x, y):
    from tapeflow.core.shape import broadcast_shapes
    if x.dtype is not y.dtype:
        raise TypeError(f"Input 'e' of 'SelectV2' Op has type {y.dtype.name} that does not "
                        f"match type {x.dtype.name} of argument 't'.")
    if condition.dtype is not dtypes.bool:
        raise TypeError(f"Input 'condition' of 'SelectV2' Op has type {condition.dtype.name} "
                        "that does not match expected type of bool.")
    if None in (condition.dims, x.dims, y.dims):
        return TensorSpec(None, x.dtype)
    dims = broadcast_shapes(broadcast_shapes(x.dims, y.dims) or (), condition.dims)
    if dims is None or broadcast_shapes(x.dims, y.dims) is None:
        raise ValueError("SelectV2: condition, x and y are not broadcastable: "
                         f"{condition.dims}, {x.dims}, {y.dims}")
    return TensorSpec(dims, x.dtype)


SelectV2 = Op("SelectV2", infer=_select_infer, elementwise=True)
SelectV2.kernel(xp.where)


@SelectV2.gradient
def _(dy, condition, x, y, out):
    zeros = zeros_like(dy)
    return (None, sum_to_shape(where(condition, dy, zeros), x),
            sum_to_shape(where(condition, zeros, dy), y))


def _where_indices_infer(condition):
    return TensorSpec((None, condition.rank), dtypes.int64)


Where = Op("Where", infer=_where_indices_infer, differentiable=False)


@Where.kernel
def _(condition):
    return xp.argwhere(condition).astype(xp.int64)


def where(condition, x=None, y=None, name=None):
    """`where(c)`: indices of true elements; `where(c, x, y)`: elements from x where c, else y.

    Both forms broadcast like TF2's `tf.where`.
    """
    condition = _t(condition)
    if x is None and y is None:
        if condition.dtype is not dtypes.bool:
            condition = not_equal(condition, zeros_like(condition))
        return apply(Where, condition)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x, y = binary_operands(x, y, "SelectV2")
    if condition.dtype is not dtypes.bool:
        raise TypeError(f"tf.where: condition must be a bool tensor, got {condition.dtype!r}.")
    return apply(SelectV2, condition, x, y)


# ================================================================================
# Reductions
# ================================================================================

def _reduce_infer(x, axis, keepdims):
    if x.dims is None:
        return TensorSpec(None, x.dtype)
    return TensorSpec(reduced_dims(x.dims, axis, keepdims), x.dtype)


def _keepdims_gradient(dy, x, axis, keepdims):
    """dy of a reduction, reshaped to keep the reduced axes, broadcast to x's shape."""
    if not keepdims:
        for a in axis:
            dy = expand_dims(dy, a)
    return broadcast_like(dy, x)


Sum = Op("Sum", infer=_reduce_infer, dtypes=NUMBERS)


@Sum.kernel
def _(x, axis, keepdims):
    # The ufunc method directly: no Python wrapper, and overflow warnings are
    # attributed to this module (silenced as TF computes inf silently).
    return xp.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims)


@Sum.gradient
def _(dy, x, out, axis, keepdims):
    return _keepdims_gradient(dy, x, axis, keepdims)


def _reduce(op, x, axis, keepdims):
    x = _t(x)
    rank = x.ndim
    if rank is None:
        raise ValueError(f"{op.name}: reductions of tensors of unknown rank are not supported.")
    return apply(op, x, axis=reduction_axes(axis, rank, op.name), keepdims=bool(keepdims))


def reduction_axes(axis, rank, op_name):
    """The sorted tuple of non-negative axes a reduction over `axis` (None = all) covers.

    Raises TF's errors: InvalidArgumentError eagerly (ValueError while tracing)
    for an axis out of range or repeated, and for a non-integer axis.
    """
    if axis is None:
        return tuple(range(rank))
    if type(axis) is int and -rank <= axis < rank:   # the common case, kept fast
        return (axis % rank,)
    values = _axis_list(axis, op_name)
    axes = []
    for a in values:
        if not -rank <= a < rank:
            raise shape_error(f"Invalid reduction dimension ({a} for input with {rank} "
                              f"dimension(s)", f"Invalid reduction dimension {a} for input "
                              f"with {rank} dimensions.", op_name)
        if a % rank in axes:
            raise shape_error(f"Invalid reduction arguments: Axes contains duplicate "
                              f"dimension: {a % rank}", None, op_name)
        axes.append(a % rank)
    return tuple(sorted(axes))


def _axis_list(axis, op_name, attr="Tidx"):
    """A list of Python ints from an int, a list of ints or an integer tensor."""
    if tensor_like(axis):
        if not axis.dtype.is_integer:
            raise _bad_attr_type(attr, axis.dtype.name, op_name)
        value = axis.numpy()
        return [int(a) for a in xp.reshape(value, -1)]
    if isinstance(axis, (list, tuple)):
        items = list(axis)
    else:
        items = [axis]
    values = []
    for a in items:
        if tensor_like(a):
            a = a.numpy()
        if isinstance(a, bool) or not isinstance(a, (int, xp.integer)):
            kind = {float: "float", str: "string"}.get(type(a), type(a).__name__)
            raise _bad_attr_type(attr, kind, op_name)
        values.append(int(a))
    return values


def _bad_attr_type(attr, kind, op_name):
    return InvalidArgumentError(None, None, f"Value for attr '{attr}' of {kind} is not in the "
                                            f"list of allowed values: int32, int64 "
                                            f"[Op:{op_name}]")


def shape_error(eager_message, graph_message, op_name):
    """TF's error for a bad static argument: InvalidArgumentError when executing eagerly,
    ValueError while tracing (where TF finds it while building the graph)."""
    if state.graph is None:
        return InvalidArgumentError(None, None, f"{eager_message} [Op:{op_name}]")
    return ValueError(graph_message or eager_message)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sums elements across `axis` (all axes when None).

    >>> reduce_sum([[1, 2], [3, 4]], axis=1).numpy()
    array([3, 7], dtype=int32)
    """
    return _reduce(Sum, input_tensor, axis, keepdims)


Mean = Op("Mean", infer=_reduce_infer, dtypes=NUMBERS)


@Mean.kernel
def _(x, axis, keepdims):
    count = 1
    for a in axis:
        count *= x.shape[a]
    if x.dtype.kind in "iu":   # TF's integer mean truncates toward zero
        total = xp.sum(x, axis=axis, keepdims=keepdims, dtype=xp.int64)
        quotient = xp.abs(total) // max(count, 1)
        return (xp.sign(total) * quotient).astype(x.dtype)
    if count == 0:   # the mean of nothing is NaN (NumPy would also warn)
        return xp.full(reduced_dims(x.shape, axis, keepdims), xp.nan, dtype=x.dtype)
    return xp.add.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims) / count


@Mean.gradient
def _(dy, x, out, axis, keepdims):
    return divide(_keepdims_gradient(dy, x, axis, keepdims), _reduced_count(x, out, dy.dtype))


def _reduced_count(x, out, dtype):
    """The number of elements each output of a reduction summarizes."""
    x_dims, out_dims = x._static_dims(), out._static_dims()
    if None not in x_dims and None not in out_dims:
        x_size = 1
        for d in x_dims:
            x_size *= d
        out_size = 1
        for d in out_dims:
            out_size *= d
        return constant_scalar(x_size // max(out_size, 1), dtype)
    from tapeflow.ops.array import size
    return divide(cast(size(x), dtype), cast(size(out), dtype))


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Averages elements across `axis` (integer means truncate, as in TF)."""
    return _reduce(Mean, input_tensor, axis, keepdims)


def _extreme_kernel(fn, empty_fill):
    def kernel(x, axis, keepdims):
        if x.size == 0:
            out_shape = reduced_dims(x.shape, axis, keepdims)
            return xp.full(out_shape, empty_fill(x.dtype), dtype=x.dtype)
        return fn(x, axis=axis, keepdims=keepdims)
    return kernel


def _lowest(dtype):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def _highest(dtype):
    return xp.inf if dtype.kind == "f" else xp.iinfo(dtype).max


Max = Op("Max", infer=_reduce_infer, dtypes=REAL)
Max.kernel(_extreme_kernel(xp.maximum.reduce, _lowest))
Min = Op("Min", infer=_reduce_infer, dtypes=REAL)
Min.kernel(_extreme_kernel(xp.minimum.reduce, _highest))


def _extreme_gradient(dy, x, out, axis, keepdims):
    # The gradient is shared equally among the elements equal to the extreme (as TF).
    out_b = _keepdims_gradient(out, x, axis, keepdims)
    selected = cast(equal(x, out_b), dy.dtype)
    count = _keepdims_gradient(reduce_sum(selected, axis, keepdims=keepdims), x, axis,
                               keepdims)
    return divide(multiply(selected, _keepdims_gradient(dy, x, axis, keepdims)), count)


Max.gradient(_extreme_gradient)
Min.gradient(_extreme_gradient)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """The maximum across `axis`; -inf (or the dtype's lowest) for empty reductions."""
    return _reduce(Max, input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """The minimum across `axis`; +inf (or the dtype's highest) for empty reductions."""
    return _reduce(Min, input_tensor, axis, keepdims)


def _arg_infer(x, axis, output_type):
    dims = None if x.dims is None else tuple(d for i, d in enumerate(x.dims) if i != axis)
    return TensorSpec(dims, output_type)


def _arg_kernel(pick, nan_fill):
    def kernel(x, axis, output_type):
        if x.shape[axis] == 0:
            raise InvalidArgumentError(None, None, f"Reduction axis {axis} is empty in shape "
                                                   f"{_dims_str(x.shape)}")
        # NumPy picks the first NaN; TF skips NaNs (index 0 if all are NaN). A NaN
        # anywhere makes the sum NaN: one fast pass decides whether to mask them.
        if x.dtype.kind == "f" and xp.isnan(xp.add.reduce(x, axis=None)):
            x = xp.where(xp.isnan(x), nan_fill, x)
        return pick(x, axis=axis).astype(output_type._np)
    return kernel


_ARG_DTYPES = REAL | {dtypes.bool}
_ARG_OUTPUT_TYPES = (dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64)
ArgMax = Op("ArgMax", infer=_arg_infer, dtypes=_ARG_DTYPES, differentiable=False)
ArgMin = Op("ArgMin", infer=_arg_infer, dtypes=_ARG_DTYPES, differentiable=False)
ArgMax.kernel(_arg_kernel(xp.argmax, -xp.inf))
ArgMin.kernel(_arg_kernel(xp.argmin, xp.inf))


def _arg(op, x, axis, output_type):
    x = _t(x)
    output_type = dtypes.as_dtype(output_type)
    if output_type not in _ARG_OUTPUT_TYPES:
        raise InvalidArgumentError(None, None, f"Value for attr 'output_type' of "
                                               f"{_c_type(output_type)} is not in the list of "
                                               "allowed values: int16, uint16, int32, int64 "
                                               f"[Op:{op.name}]")
    if axis is None:
        axis = 0
    elif isinstance(axis, (list, tuple)):
        raise TypeError("axis must be int or Tensor with integer datatype")
    else:
        axis = _axis_list(axis, op.name)[0]
    rank = x.ndim
    if not -rank <= axis < rank:
        raise shape_error(f"Expected dimension in the range [{-rank}, {rank}), but got {axis}",
                          None, op.name)
    return apply(op, x, axis=axis % rank, output_type=output_type)


def _c_type(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name,
                                                                            dtype.name)


def argmax(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the largest value along `axis` (0 when None, as TF)."""
    return _arg(ArgMax, input, axis, output_type)


def argmin(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the smallest value along `axis` (0 when None, as TF)."""
    return _arg(ArgMin, input, axis, output_type)


# ================================================================================
# Matrix multiplication
# ================================================================================

def _matmul_rule(op_name, batched):
    def rule(a, b, **attrs):
        transpose_a, transpose_b = _matmul_flags(attrs)
        if a.dtype is not b.dtype:
            raise TypeError(f"Input 'b' of '{op_name}' Op has type {b.dtype.name} that does not "
                            f"match type {a.dtype.name} of argument 'a'.")
        if a.dims is None or b.dims is None:
            return TensorSpec(None, a.dtype)
        if len(a.dims) < 2 or len(b.dims) < 2 or (not batched and (len(a.dims) > 2
                                                                    or len(b.dims) > 2)):
            raise ValueError(f"Shape must be rank 2 but is rank "
                             f"{len(a.dims) if len(a.dims) != 2 else len(b.dims)} for "
                             f"'{op_name}' with input shapes: {_spec_str(a)}, {_spec_str(b)}.")
        m, k = a.dims[-1:-3:-1] if transpose_a else a.dims[-2:]
        k2, n = b.dims[-1:-3:-1] if transpose_b else b.dims[-2:]
        if k is not None and k2 is not None and k != k2:
            raise ValueError(f"Dimensions must be equal, but are {k} and {k2} for "
                             f"'{op_name}' with input shapes: {_spec_str(a)}, "
                             f"{_spec_str(b)}.")
        batch = broadcast_shapes(a.dims[:-2], b.dims[:-2])
        if batch is None:
            raise ValueError(f"Dimensions must be equal, but are incompatible batch dimensions "
                             f"for '{op_name}' with input shapes: {_spec_str(a)}, "
                             f"{_spec_str(b)}.")
        return TensorSpec(batch + (m, n), a.dtype)
    return rule


def _matmul_flags(attrs):
    if "adj_x" in attrs:
        return attrs["adj_x"], attrs["adj_y"]
    return attrs["transpose_a"], attrs["transpose_b"]


def _spec_str(spec):
    return "[" + ",".join("?" if d is None else str(d) for d in spec.dims) + "]"


# Allowed dtypes as declared by TF; unsigned ones are declared but have no CPU kernel.
_MATMUL_DTYPES = INEXACT | {dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16,
                            dtypes.uint32, dtypes.uint64}
_UNSIGNED = frozenset({dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64})
MatMul = Op("MatMul", infer=_matmul_rule("MatMul", batched=False), dtypes=_MATMUL_DTYPES)
BatchMatMulV2 = Op("BatchMatMulV2", infer=_matmul_rule("BatchMatMulV2", batched=True),
                   dtypes=_MATMUL_DTYPES | {dtypes.int16})


def _swap(x):
    return xp.swapaxes(x, -1, -2)


@MatMul.kernel
def _(a, b, transpose_a, transpose_b):
    if a.ndim < 2 or b.ndim < 2:
        raise InvalidArgumentError(None, None, f"In[{0 if a.ndim < 2 else 1}] ndims must be >= 2")
    a = a.T if transpose_a else a
    b = b.T if transpose_b else b
    if a.shape[1] != b.shape[0]:
        raise InvalidArgumentError(None, None, f"Matrix size-incompatible: In[0]: "
                                               f"{_dims_str(a.shape)}, In[1]: "
                                               f"{_dims_str(b.shape)}")
    return _parallel.matmul(a, b)


@BatchMatMulV2.kernel
def _(x, y, adj_x, adj_y):
    for i, t in enumerate((x, y)):
        if t.ndim < 2:
            raise InvalidArgumentError(None, None, f"In[{i}] ndims must be >= 2: {t.ndim}")
    if broadcast_shapes(x.shape[:-2], y.shape[:-2]) is None:
        raise InvalidArgumentError(None, None, f"In[0] and In[1] must have compatible batch "
                                               f"dimensions: {_dims_str(x.shape)} vs. "
                                               f"{_dims_str(y.shape)}")
    k = x.shape[-2] if adj_x else x.shape[-1]
    if k != (y.shape[-1] if adj_y else y.shape[-2]):
        raise InvalidArgumentError(None, None, f"Matrix size-incompatible: In[0]: "
                                               f"{_dims_str(x.shape)}, In[1]: "
                                               f"{_dims_str(y.shape)} {int(adj_x)} {int(adj_y)}")
    return xp.matmul(_swap(x) if adj_x else x, _swap(y) if adj_y else y)


def _matmul_gradient(dy, a, b, transpose_a, transpose_b):
    """TF's four cases: (da, db) as thunks, each computed only if that input needs it."""
    if not transpose_a and not transpose_b:
        return (lambda: matmul(dy, b, transpose_b=True)), (lambda: matmul(a, dy, transpose_a=True))
    if not transpose_a:
        return (lambda: matmul(dy, b)), (lambda: matmul(dy, a, transpose_a=True))
    if not transpose_b:
        return (lambda: matmul(b, dy, transpose_b=True)), (lambda: matmul(a, dy))
    return ((lambda: matmul(b, dy, transpose_a=True, transpose_b=True)),
            (lambda: matmul(dy, a, transpose_a=True, transpose_b=True)))


@MatMul.gradient
def _(dy, a, b, out, transpose_a, transpose_b):
    return _matmul_gradient(dy, a, b, transpose_a, transpose_b)


@BatchMatMulV2.gradient
def _(dy, x, y, out, adj_x, adj_y):
    # The batch dimensions broadcast: sum each gradient back to its input's shape.
    dx, dy_ = _matmul_gradient(dy, x, y, adj_x, adj_y)
    return (lambda: sum_to_shape(dx(), x)), (lambda: sum_to_shape(dy_(), y))


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None):
    """Multiplies matrices `a @ b`, batched over leading dimensions (which broadcast).

    Rank-2 inputs run TF's MatMul op, higher ranks BatchMatMulV2. `adjoint_*`
    transposes and conjugates.

    >>> matmul([[1., 2.]], [[3.], [4.]]).numpy()
    array([[11.]], dtype=float32)

    Raises:
      ValueError: both `transpose_x` and `adjoint_x` are set.
      InvalidArgumentError: ranks below 2, mismatched inner or batch dimensions, dtypes.
    """
    for label, transpose, adjoint in (("a", transpose_a, adjoint_a), ("b", transpose_b, adjoint_b)):
        if transpose and adjoint:
            raise ValueError(f"Only one of `transpose_{label}` and `adjoint_{label}` can be True. "
                             f"Received `transpose_{label}`=True, `adjoint_{label}`=True.")
    a, b = binary_operands(a, b, "MatMul")
    if output_type is not None and dtypes.as_dtype(output_type) is not a.dtype:
        output_type = dtypes.as_dtype(output_type)
        a, b = cast(a, output_type), cast(b, output_type)
    if a.dtype.is_complex:
        a = _conj(a) if adjoint_a else a
        b = _conj(b) if adjoint_b else b
    flip_a, flip_b = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    a_dims, b_dims = a._static_dims(), b._static_dims()
    batched = a_dims is None or b_dims is None or len(a_dims) > 2 or len(b_dims) > 2
    op = BatchMatMulV2 if batched else MatMul
    if a.dtype in _UNSIGNED:
        from tapeflow.core.errors import NotFoundError
        raise NotFoundError(None, None, f"Could not find device for node: {{{{node {op.name}}}}}"
                                        f" = {op.name}[T=DT_{a.dtype.name.upper()}]")
    if batched:
        return apply(BatchMatMulV2, a, b, adj_x=flip_a, adj_y=flip_b)
    return apply(MatMul, a, b, transpose_a=flip_a, transpose_b=flip_b)


def _conj(x):
    from tapeflow.ops.elementwise import conj
    return conj(x)


# ================================================================================
# Cast, AddN
# ================================================================================

def _cast_infer(x, dtype):
    return TensorSpec(x.dims, dtype)


Cast = Op("Cast", infer=_cast_infer, elementwise=True)


@Cast.kernel
def _(x, dtype):
    if x.dtype.kind == "c" and dtype._np.kind != "c":
        x = x.real
    return x.astype(dtype._np)


@Cast.gradient
def _(dy, x, out, dtype):
    if (x.dtype.is_floating or x.dtype.is_complex) and (dtype.is_floating or dtype.is_complex):
        return cast(dy, x.dtype)
    return None


def cast(x, dtype, name=None):
    """Casts `x` to `dtype` (float to int truncates toward zero); a no-op for the same dtype."""
    dtype = dtypes.as_dtype(dtype)
    x = _t(x)
    if x.dtype is dtype:
        return x
    if dtypes.string in (x.dtype, dtype):
        from tapeflow.core.errors import UnimplementedError
        raise UnimplementedError(None, None, f"Cast {_c_name(x.dtype)} to {_c_name(dtype)} is "
                                             "not supported [Op:Cast]")
    return apply(Cast, x, dtype=dtype)


def _c_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name,
                                                                             dtype.name)


def _add_n_infer(*xs):
    first = xs[0]
    for i, x in enumerate(xs[1:], start=1):
        if x.dtype is not first.dtype:
            raise TypeError(f"AddN: input {i} has dtype {x.dtype.name}, expected "
                            f"{first.dtype.name}.")
        if x.dims is not None and first.dims is not None and x.dims != first.dims and \
                None not in x.dims and None not in first.dims:
            raise ValueError(f"AddN: inputs must have the same shape; input 0: {first.dims} "
                             f"!= input {i}: {x.dims}")
    return TensorSpec(first.dims, first.dtype)


AddN = Op("AddN", infer=_add_n_infer, dtypes=NUMBERS)


def _dims_str(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


@AddN.kernel
def _(*xs):
    for i, x in enumerate(xs[1:], start=1):
        if x.shape != xs[0].shape:
            raise InvalidArgumentError(
                None, None, "Inputs to operation AddN of type AddN must have the same size and "
                            f"shape.  Input 0: {_dims_str(xs[0].shape)} != input {i}: "
                            f"{_dims_str(x.shape)}")
    out = xs[0].copy()
    for x in xs[1:]:
        out += x
    return out


@AddN.gradient
def _(dy, *xs, out):
    return tuple(dy for _ in xs)


def add_n(inputs, name=None):
    """Adds all input tensors element-wise (they must have the same shape and dtype)."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices with "
                         "the same dtype and shape.")
    tensors = operand_list(list(inputs), "AddN")
    if len(tensors) == 1:
        return identity(tensors[0])
    return apply(AddN, *tensors)


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    """Adds all input tensors element-wise (deprecated in TF in favour of `add_n`).

    Raises:
      ValueError: `inputs` is empty, or disagrees with `shape` or `tensor_dtype`.
    """
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and "
                         "shape")
    tensors = [_t(x) for x in inputs]
    if tensor_dtype is not None and any(t.dtype != dtypes.as_dtype(tensor_dtype)
                                        for t in tensors):
        raise TypeError(f"Expected {dtypes.as_dtype(tensor_dtype).name}, got "
                        f"{tensors[0].dtype.name} for the inputs of accumulate_n.")
    if shape is not None and any(tuple(t.shape) != tuple(shape) for t in tensors):
        raise ValueError(f"Input tensor shapes must be {tuple(shape)}.")
    return add_n(tensors)


# ================================================================================
# Helpers used by gradient rules (defined in other modules, imported lazily there)
# ================================================================================

def constant_scalar(value, dtype):
    """A rank-0 constant of `dtype`."""
    return as_operand(value, dtype) if type(value) in (int, float) else cast(value, dtype)


def _lazy_array_ops():
    from tapeflow.ops import array
    return array


def zeros_like(x, dtype=None, name=None):
    return _lazy_array_ops().zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None, name=None):
    return _lazy_array_ops().ones_like(x, dtype=dtype)


def broadcast_like(x, like):
    return _lazy_array_ops().broadcast_like(x, like)


def expand_dims(x, axis, name=None):
    return _lazy_array_ops().expand_dims(x, axis)


def identity(x, name=None):
    return _lazy_array_ops().identity(x)


# ================================================================================
# Python operators on Tensor and Variable
# ================================================================================

def _binary_operator(fn):
    # An operand we cannot convert gives NotImplemented, so Python tries the other
    # object's reflected operator (as TF's operator wrappers do).
    op = getattr(fn, "op", None)

    def forward(self, other):
        if (op is not None and type(self) is EagerTensor and type(other) is EagerTensor
                and self._dtype is other._dtype):
            return apply_binary(op, self, other)
        try:
            return fn(self, other)
        except (TypeError, ValueError):
            if _operand_ok(other):
                raise
            return NotImplemented

    def reflected(self, other):
        try:
            return fn(other, self)
        except (TypeError, ValueError):
            if _operand_ok(other):
                raise
            return NotImplemented
    return forward, reflected


def _operand_ok(value):
    return tensor_like(value) or isinstance(value, (numbers.Number, list, tuple, xp.ndarray,
                                                    xp.generic))


def _tensor_equals(self, other):
    # TF2: `==` is element-wise; None compares False; incompatible shapes give False.
    if other is None or not _operand_ok(other):
        return False
    try:
        return equal(self, other)
    except InvalidArgumentError as error:
        if "Incompatible shapes" in str(error):
            return as_operand(False)
        raise


def _tensor_not_equals(self, other):
    if other is None or not _operand_ok(other):
        return True
    try:
        return not_equal(self, other)
    except InvalidArgumentError as error:
        if "Incompatible shapes" in str(error):
            return as_operand(True)
        raise


def _bitwise_or_logical(logical, name, logical_op, bitwise_op):
    # `&`, `|`, `^`: logical for bool tensors, bitwise for integers (errors name the op).
    def fn(x, y):
        first = x if tensor_like(x) else y
        is_bool = getattr(first, "dtype", None) is dtypes.bool
        x, y = binary_operands(x, y, logical_op if is_bool else bitwise_op)
        if is_bool:
            return logical(x, y)
        from tapeflow.ops import bitwise
        return getattr(bitwise, name)(x, y)
    return fn


def _invert(x):
    if x.dtype is dtypes.bool:
        return logical_not(x)
    from tapeflow.ops import bitwise
    return bitwise.invert(x)


for _name, _fn in (("add", add), ("sub", subtract), ("mul", multiply), ("truediv", truediv),
                   ("floordiv", floordiv), ("mod", floormod), ("pow", pow),
                   ("matmul", matmul),
                   ("and", _bitwise_or_logical(logical_and, "bitwise_and", "LogicalAnd",
                                               "BitwiseAnd")),
                   ("or", _bitwise_or_logical(logical_or, "bitwise_or", "LogicalOr",
                                              "BitwiseOr")),
                   ("xor", _bitwise_or_logical(logical_xor, "bitwise_xor", "LogicalAnd",
                                               "BitwiseXor"))):
    _forward, _reflected = _binary_operator(_fn)
    override_operator(f"__{_name}__", _forward)
    override_operator(f"__r{_name}__", _reflected)

for _name, _fn in (("lt", less), ("le", less_equal), ("gt", greater), ("ge", greater_equal)):
    override_operator(f"__{_name}__", _binary_operator(_fn)[0])

override_operator("__eq__", _tensor_equals)
override_operator("__ne__", _tensor_not_equals)
override_operator("__neg__", negative)
override_operator("__abs__", abs)
override_operator("__invert__", _invert)
