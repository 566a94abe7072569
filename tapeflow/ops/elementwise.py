"""More element-wise math: inverse trigonometric and hyperbolic functions, erf/erfc,
the x*log(y) family, divisions that return 0 instead of NaN, truncating division,
and the parts of complex numbers.

Each op: record with shape/dtype rule, kernel, gradient rule (in tapeflow ops),
public function. The core arithmetic these build on lives in `ops/math.py`.
"""
import math as _math

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply, apply_unary
from tapeflow.core.errors import InternalError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import _erf, _gamma
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import binary_operands, broadcast_binary, tensor_like
from tapeflow.ops.math import (FLOATS, INEXACT, _TRUEDIV_FLOAT, _binary_function,
                               _conj_if_complex, _t, _unary, add, cast, divide, exp, greater,
                               greater_equal, multiply, negative, not_equal, rsqrt, square,
                               subtract, zeros_like)

_COMPLEX = frozenset({dtypes.complex64, dtypes.complex128})


# ================================================================================
# Inverse trigonometric and hyperbolic functions
# ================================================================================

Asin = _unary("Asin", xp.arcsin, INEXACT)
Asin.gradient(lambda dy, x, out: multiply(dy, rsqrt(subtract(1, square(x)))))


def asin(x, name=None):
    """Returns arcsin(x) element-wise (NaN outside [-1, 1])."""
    return apply_unary(Asin, _t(x))


Acos = _unary("Acos", xp.arccos, INEXACT)
Acos.gradient(lambda dy, x, out: negative(multiply(dy, rsqrt(subtract(1, square(x))))))


def acos(x, name=None):
    """Returns arccos(x) element-wise (NaN outside [-1, 1])."""
    return apply_unary(Acos, _t(x))


Atan = _unary("Atan", xp.arctan, INEXACT)
Atan.gradient(lambda dy, x, out: divide(dy, add(square(x), 1)))


def atan(x, name=None):
    """Returns arctan(x) element-wise."""
    return apply_unary(Atan, _t(x))


Sinh = _unary("Sinh", xp.sinh, INEXACT)
Sinh.gradient(lambda dy, x, out: multiply(dy, cosh(x)))
Cosh = _unary("Cosh", xp.cosh, INEXACT)
Cosh.gradient(lambda dy, x, out: multiply(dy, sinh(x)))


def sinh(x, name=None):
    """Returns the hyperbolic sine of `x` element-wise."""
    return apply_unary(Sinh, _t(x))


def cosh(x, name=None):
    """Returns the hyperbolic cosine of `x` element-wise."""
    return apply_unary(Cosh, _t(x))

Asinh = _unary("Asinh", xp.arcsinh, INEXACT)
Asinh.gradient(lambda dy, x, out: divide(dy, cosh(out)))      # 1 / cosh(asinh(x))
Acosh = _unary("Acosh", xp.arccosh, INEXACT)
Acosh.gradient(lambda dy, x, out: divide(dy, sinh(out)))      # 1 / sinh(acosh(x))
Atanh = _unary("Atanh", xp.arctanh, INEXACT)
Atanh.gradient(lambda dy, x, out: divide(dy, subtract(1, square(x))))


def asinh(x, name=None):
    """Returns the inverse hyperbolic sine of `x` element-wise."""
    return apply_unary(Asinh, _t(x))


def acosh(x, name=None):
    """Returns the inverse hyperbolic cosine of `x` element-wise (NaN below 1)."""
    return apply_unary(Acosh, _t(x))


def atanh(x, name=None):
    """Returns the inverse hyperbolic tangent of `x` element-wise (inf at +-1)."""
    return apply_unary(Atanh, _t(x))


def _atan2_kernel(y, x):
    return xp.arctan2(y, x)


Atan2 = Op("Atan2", infer=broadcast_binary("Atan2"), dtypes=FLOATS, elementwise=True)
Atan2.kernel(_atan2_kernel)


@Atan2.gradient
def _(dz, y, x, out):
    # d atan2(y, x) = (x dy - y dx) / (x^2 + y^2)
    scaled = divide(dz, add(square(x), square(y)))
    return sum_to_shape(multiply(x, scaled), y), sum_to_shape(negative(multiply(y, scaled)), x)


def atan2(y, x, name=None):
    """Returns the angle of the point (x, y) in (-pi, pi], element-wise.

    >>> atan2(1.0, 1.0).numpy()
    0.7853982
    """
    y, x = binary_operands(y, x, "Atan2")
    return apply(Atan2, y, x)


# ================================================================================
# Error functions (kernels in ops/_erf.py: NumPy has none)
# ================================================================================

_TWO_OVER_SQRT_PI = 2.0 / _math.sqrt(_math.pi)

Erf = _unary("Erf", _erf.erf, FLOATS)
Erf.gradient(lambda dy, x, out: multiply(dy, multiply(exp(negative(square(x))),
                                                      _TWO_OVER_SQRT_PI)))
Erfc = _unary("Erfc", _erf.erfc, FLOATS)
Erfc.gradient(lambda dy, x, out: multiply(dy, multiply(exp(negative(square(x))),
                                                       -_TWO_OVER_SQRT_PI)))


def erf(x, name=None):
    """The Gauss error function, element-wise.

    >>> erf([0.0, 0.5]).numpy()
    array([0.       , 0.5204999], dtype=float32)
    """
    return apply_unary(Erf, _t(x))


def erfc(x, name=None):
    """The complementary error function `1 - erf(x)`, accurate in the tails."""
    return apply_unary(Erfc, _t(x))


# ================================================================================
# Log-gamma and digamma (kernels in ops/_gamma.py)
# ================================================================================

Lgamma = _unary("Lgamma", _gamma.lgamma, FLOATS)
Lgamma.gradient(lambda dy, x, out: multiply(dy, digamma(x)))
Digamma = _unary("Digamma", _gamma.digamma, FLOATS)
Digamma.gradient(lambda dy, x, out: multiply(dy, apply(Trigamma, x)))
# tapeflow-internal (TF uses Polygamma(1, x)); its own gradient is not needed so far.
Trigamma = _unary("Trigamma", _gamma.trigamma, FLOATS, differentiable=False)


def lgamma(x, name=None):
    """`log(|Gamma(x)|)` element-wise (inf at 0, -1, -2, ...).

    >>> lgamma([0.5, 1.0, 3.0]).numpy()
    array([0.5723649, 0.       , 0.6931472], dtype=float32)
    """
    return apply_unary(Lgamma, _t(x))


def digamma(x, name=None):
    """The digamma function `d/dx log(Gamma(x))` element-wise (NaN at 0, -1, ...).

    >>> round(float(digamma(1.0)), 6)
    -0.577216
    """
    return apply_unary(Digamma, _t(x))


# Round half to even; piecewise constant, so no gradient (as TF).
Rint = _unary("Rint", xp.rint, FLOATS, differentiable=False)


def rint(x, name=None):
    """Rounds to the nearest integer, halves to even (`rint(2.5) == 2.0`)."""
    return apply_unary(Rint, _t(x))


def log_sigmoid(x, name=None):
    """Returns `log(sigmoid(x)) = -softplus(-x)` (composite, as TF), stable for large |x|.

    >>> round(float(log_sigmoid(0.0)), 6)
    -0.693147
    """
    from tapeflow.ops.nn import softplus
    return negative(softplus(negative(_t(x))))


# ================================================================================
# x*log(y), x/y and x*y with TF's "0 when x (or y) is 0" conventions
# ================================================================================

def _zero_where(condition, value):
    return xp.where(condition, xp.zeros((), dtype=value.dtype), value)


Xlogy = Op("Xlogy", infer=broadcast_binary("Xlogy"), dtypes=INEXACT, elementwise=True)
Xlogy.kernel(lambda x, y: _zero_where(x == 0, x * xp.log(y)))
Xlog1py = Op("Xlog1py", infer=broadcast_binary("Xlog1py"), dtypes=INEXACT, elementwise=True)
Xlog1py.kernel(lambda x, y: _zero_where(x == 0, x * xp.log1p(y)))
Xdivy = Op("Xdivy", infer=broadcast_binary("Xdivy"), dtypes=INEXACT, elementwise=True)
Xdivy.kernel(lambda x, y: _zero_where(x == 0, x / y))


def _nonzero(x):
    return cast(not_equal(x, zeros_like(x)), x.dtype)


@Xlogy.gradient
def _(dy, x, y, out):
    # d/dx = log(y) where x != 0 (else 0); d/dy = x / y (0 where x == 0).
    return (sum_to_shape(multiply(dy, xlogy(_nonzero(x), y)), x),
            sum_to_shape(multiply(dy, xdivy(x, y)), y))


@Xlog1py.gradient
def _(dy, x, y, out):
    return (sum_to_shape(multiply(dy, xlog1py(_nonzero(x), y)), x),
            sum_to_shape(multiply(dy, xdivy(x, add(y, 1))), y))


@Xdivy.gradient
def _(dy, x, y, out):
    # d/dx = 1/y where x != 0; d/dy = -x / y^2.
    return (sum_to_shape(multiply(dy, xdivy(_nonzero(x), y)), x),
            sum_to_shape(multiply(dy, xdivy(negative(x), square(y))), y))


xlogy = _binary_function(Xlogy, """Returns `x * log(y)`, and 0 where `x == 0` (even if y is 0).

    >>> xlogy([0.0, 2.0], [0.0, 1.0]).numpy()
    array([0., 0.], dtype=float32)
    """)
xlog1py = _binary_function(Xlog1py, """Returns `x * log1p(y)`, and 0 where `x == 0`.""")
xdivy = _binary_function(Xdivy, """Returns `x / y`, and 0 where `x == 0` (even if y is 0).""")


DivNoNan = Op("DivNoNan", infer=broadcast_binary("DivNoNan"), dtypes=INEXACT, elementwise=True)
DivNoNan.kernel(lambda x, y: _zero_where(y == 0, x / xp.where(y == 0, 1, y).astype(y.dtype)))


@DivNoNan.gradient
def _(dz, x, y, out):
    # d/dx = 1/y, d/dy = -x/y^2, both 0 where y == 0 (conjugated for complex, as TF).
    x, y = _conj_if_complex(x), _conj_if_complex(y)
    return (sum_to_shape(divide_no_nan(dz, y), x),
            sum_to_shape(multiply(dz, divide_no_nan(divide_no_nan(negative(x), y), y)), y))


def divide_no_nan(x, y, name=None):
    """Returns `x / y`, and 0 where `y == 0`; integers are divided as floats (as `truediv`).

    >>> divide_no_nan([1.0, 2.0], [0.0, 4.0]).numpy()
    array([0. , 0.5], dtype=float32)
    """
    x, y = _same_dtype(x, y)
    target = _TRUEDIV_FLOAT.get(x.dtype)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return apply(DivNoNan, x, y)


def reciprocal_no_nan(x, name=None):
    """Returns `1 / x`, and 0 where `x == 0`."""
    x = _t(x)
    return apply(DivNoNan, _ones_for(x), x)


def _ones_for(x):
    from tapeflow.ops.array import ones_like
    return ones_like(x)


def _same_dtype(x, y):
    """Operands of a Python-level TF function that requires equal dtypes (TypeError otherwise)."""
    if tensor_like(x):
        y = y if tensor_like(y) else _as_like(y, x.dtype)
    elif tensor_like(y):
        x = _as_like(x, y.dtype)
    else:
        x = _t(x)
        y = _as_like(y, x.dtype)
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    return x, y


def _as_like(value, dtype):
    from tapeflow.ops._rules import as_operand
    return as_operand(value, dtype)


MulNoNan = Op("MulNoNan", infer=broadcast_binary("MulNoNan"), dtypes=INEXACT, elementwise=True)
MulNoNan.kernel(lambda x, y: _zero_where(y == 0, x * y))


@MulNoNan.gradient
def _(dz, x, y, out):
    x, y = _conj_if_complex(x), _conj_if_complex(y)
    return sum_to_shape(multiply_no_nan(dz, y), x), sum_to_shape(multiply_no_nan(x, dz), y)


def multiply_no_nan(x, y, name=None):
    """Returns `x * y`, and 0 where `y == 0` even if x is inf or NaN.

    >>> multiply_no_nan([float("inf"), 2.0], [0.0, 3.0]).numpy()
    array([0., 6.], dtype=float32)
    """
    from tapeflow.core.convert import convert_to_tensor
    x = _t(x)
    y = convert_to_tensor(y, dtype=x.dtype)
    return apply(MulNoNan, x, y)


# ================================================================================
# Truncating division (C semantics: the quotient rounds toward zero)
# ================================================================================

def _raise_if_int_division_by_zero(y):
    if y.dtype.kind in "iu" and not y.all():
        # TF's kernel reports integer division by zero this way for the truncating ops.
        raise InternalError(None, None, "Unexpected error in binary operator (only integer "
                                        "div and mod should have errors)")


def _truncate_div_kernel(x, y):
    if x.dtype.kind == "f":
        return xp.trunc(x / y)
    _raise_if_int_division_by_zero(y)
    quotient = xp.floor_divide(x, y)
    if x.dtype.kind == "u":
        return quotient
    # floor and trunc differ by one where the exact quotient is negative and inexact.
    inexact = (quotient * y != x) & ((x < 0) != (y < 0))
    return quotient + inexact.astype(quotient.dtype)


def _truncate_mod_kernel(x, y):
    _raise_if_int_division_by_zero(y)
    return xp.fmod(x, y)   # the remainder has the sign of x


# TF registers no gradient for either op.
TruncateDiv = Op("TruncateDiv", infer=broadcast_binary("TruncateDiv"),
                 dtypes=dtypes.REAL_NUMBERS, elementwise=True, differentiable=False)
TruncateDiv.kernel(_truncate_div_kernel)
TruncateMod = Op("TruncateMod", infer=broadcast_binary("TruncateMod"),
                 dtypes={dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64},
                 elementwise=True, differentiable=False)
TruncateMod.kernel(_truncate_mod_kernel)

truncatediv = _binary_function(TruncateDiv, """Returns `x / y` rounded toward zero.

    >>> truncatediv([7, -7], [2, 2]).numpy()
    array([ 3, -3], dtype=int32)
    """)
truncatemod = _binary_function(TruncateMod, """Returns the remainder of truncating division
    (with the sign of `x`): `x - truncatediv(x, y) * y`.

    >>> truncatemod([7, -7], [2, 2]).numpy()
    array([ 1, -1], dtype=int32)
    """)


# ================================================================================
# Complex numbers
# ================================================================================

_REAL_OF = {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}


def _complex_infer(real, imag, **attrs):
    rule = broadcast_binary("Complex")
    return TensorSpec(rule(real, imag).dims, _COMPLEX_OF[real.dtype])


Complex = Op("Complex", infer=_complex_infer, dtypes=set(_COMPLEX_OF), elementwise=True)


@Complex.kernel
def _(real, imag):
    out = xp.empty(xp.broadcast_shapes(real.shape, imag.shape), dtype=_COMPLEX_OF[
        dtypes.from_numpy(real.dtype)]._np)
    out.real = real
    out.imag = imag
    return out


@Complex.gradient
def _(dy, real, imag, out):
    return sum_to_shape(math_real(dy), real), sum_to_shape(math_imag(dy), imag)


def complex(real, imag, name=None):  # noqa: A001 - TF's public name
    """Returns `real + imag * 1j` (float32 -> complex64, float64 -> complex128)."""
    real, imag = binary_operands(real, imag, "Complex")
    if real.dtype not in _COMPLEX_OF:
        raise TypeError(f"real and imag must be float32 or float64, got {real.dtype!r}.")
    return apply(Complex, real, imag)


def _part_infer(x, **attrs):
    return TensorSpec(x.dims, _REAL_OF[x.dtype])


Real = Op("Real", infer=_part_infer, dtypes=_COMPLEX, elementwise=True)
Real.kernel(lambda x: xp.ascontiguousarray(x.real))
Real.gradient(lambda dy, x, out: complex(dy, zeros_like(dy)))
Imag = Op("Imag", infer=_part_infer, dtypes=_COMPLEX, elementwise=True)
Imag.kernel(lambda x: xp.ascontiguousarray(x.imag))
Imag.gradient(lambda dy, x, out: complex(zeros_like(dy), dy))
Conj = _unary("Conj", xp.conj, _COMPLEX)
Conj.gradient(lambda dy, x, out: conj(dy))
ComplexAbs = Op("ComplexAbs", infer=_part_infer, dtypes=_COMPLEX, elementwise=True)
ComplexAbs.kernel(xp.abs)
# d|z| = Re(conj(z) dz) / |z|: the gradient w.r.t. z is dy * z / |z| (0 at z = 0).
ComplexAbs.gradient(lambda dy, x, out: multiply(complex(dy, zeros_like(dy)),
                                                divide_no_nan(x, complex(out, zeros_like(out)))))


def math_real(input, name=None):  # noqa: A002 - TF's argument name
    """The real part of a complex tensor; a real tensor is returned as is."""
    x = _t(input)
    return apply(Real, x) if x.dtype in _COMPLEX else x


def math_imag(input, name=None):  # noqa: A002
    """The imaginary part of a complex tensor; zeros for a real tensor."""
    x = _t(input)
    return apply(Imag, x) if x.dtype in _COMPLEX else zeros_like(x)


def conj(x, name=None):
    """The complex conjugate; real numeric tensors are returned as is."""
    x = _t(x)
    if x.dtype in _COMPLEX:
        return apply(Conj, x)
    if not (x.dtype.is_floating or x.dtype.is_integer):
        raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}.")
    return x


def complex_abs(x):
    """|x| of a complex tensor, as a real tensor (what `tf.abs` does for complex input)."""
    return apply(ComplexAbs, x)


# ================================================================================
# Small composites
# ================================================================================

def scalar_mul(scalar, x, name=None):
    """Multiplies the tensor `x` by a rank-0 `scalar` (converted to x's dtype).

    Raises:
      ValueError: `scalar` is not rank 0.
    """
    from tapeflow.core.convert import convert_to_tensor
    x = _t(x)
    scalar = convert_to_tensor(scalar, dtype=x.dtype)
    dims = scalar._static_dims()
    if dims is not None and len(dims) != 0:
        raise ValueError(f"The input scalar must be a 0-D value. Received shape "
                         f"{tuple(dims)}.")
    return multiply(scalar, x)


def _is_monotonic(x, strict):
    from tapeflow.ops.array import reshape
    from tapeflow.ops.reduction import reduce_all
    x = _t(x)
    if not (x.dtype.is_floating or x.dtype.is_integer or x.dtype.is_complex):
        raise TypeError(f"Expected x to be numeric, instead found: {x}")
    flat = reshape(x, [-1])
    later, earlier = flat[1:], flat[:-1]
    steps = greater(later, earlier) if strict else greater_equal(later, earlier)
    return reduce_all(steps)


def is_non_decreasing(x, name=None):
    """True if `x[i] <= x[i + 1]` for the flattened `x` (True for fewer than 2 elements)."""
    return _is_monotonic(x, strict=False)


def is_strictly_increasing(x, name=None):
    """True if `x[i] < x[i + 1]` for the flattened `x` (True for fewer than 2 elements)."""
    return _is_monotonic(x, strict=True)




def angle(input, name=None):  # noqa: A002 - TF's argument name
    """The argument of complex numbers (`atan2(imag, real)`); for real numbers
    pi where negative and 0 elsewhere.

    >>> angle([1.0, -1.0]).numpy()
    array([0.       , 3.1415927], dtype=float32)
    """
    from tapeflow.ops.math import less
    from tapeflow.ops._rules import as_operand
    x = _t(input)
    if x.dtype in _COMPLEX:
        return atan2(math_imag(x), math_real(x))
    pi = as_operand(_math.pi, x.dtype)
    if pi.dtype is not x.dtype:   # an integer tensor cannot hold pi (TF's TypeError)
        raise TypeError(f"Cannot convert {_math.pi} to EagerTensor of dtype {x.dtype.name}")
    from tapeflow.ops.math import broadcast_like, where
    zeros = zeros_like(x)
    return where(less(x, zeros), broadcast_like(pi, x), zeros)


def polyval(coeffs, x, name=None):
    """Evaluates the polynomial `coeffs[0] * x**(n-1) + ... + coeffs[-1]` by Horner's rule.

    Args:
      coeffs: a Python list of tensors (or numbers), highest degree first.

    >>> polyval([1.0, 2.0, 3.0], 2.0).numpy()
    11.0
    """
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    x = _t(x)
    if not coeffs:
        return zeros_like(x)
    from tapeflow.ops._rules import as_operand
    result = as_operand(coeffs[0], x.dtype)
    for c in coeffs[1:]:
        result = add(as_operand(c, x.dtype), multiply(result, x))
    return result


def zero_fraction(value, name=None):
    """The fraction of elements of `value` that are zero, as a float32 scalar.

    >>> zero_fraction([0.0, 1.0, 0.0, 3.0]).numpy()
    0.5
    """
    from tapeflow.ops.math import equal, reduce_mean
    x = _t(value)
    return reduce_mean(cast(equal(x, zeros_like(x)), dtypes.float32))
