"""Vectorized log-gamma, digamma and trigamma (NumPy has none of them).

- lgamma: the Lanczos approximation (g = 7, 9 terms; about 1e-15 relative error
  for x >= 1/2), with the reflection formula
  lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x) below 1/2.
- digamma and trigamma: the recurrences psi(x) = psi(x + 1) - 1/x and
  psi1(x) = psi1(x + 1) + 1/x^2 move x above 6, where the asymptotic series
  converge to float64 precision; negative x use the reflection formulas.

Poles (0, -1, -2, ...) give inf for lgamma and NaN for digamma, as TF.
Computations run in float64 and are cast back to the input dtype.
"""
import math

from tapeflow.core.array_api import xp

_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905,
            -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)
_SHIFT = 6.0   # the asymptotic series are used from here up


def _lgamma_positive(x):
    """lgamma for x >= 1/2 (Lanczos)."""
    z = x - 1.0
    series = xp.full_like(z, _LANCZOS[0])
    for k, c in enumerate(_LANCZOS[1:], start=1):
        series += c / (z + k)
    t = z + _G + 0.5
    return _HALF_LOG_TWO_PI + (z + 0.5) * xp.log(t) - t + xp.log(series)


def _poles(x):
    return (x <= 0) & (x == xp.floor(x))


def lgamma(x):
    """log|Gamma(x)| element-wise."""
    x64 = xp.asarray(x, dtype=xp.float64)
    reflect = x64 < 0.5
    positive = _lgamma_positive(xp.where(reflect, 1.0 - x64, x64))
    with xp.errstate(divide="ignore"):
        reflected = math.log(math.pi) - xp.log(xp.abs(xp.sin(math.pi * x64))) - positive
    out = xp.where(reflect, reflected, positive)
    out[_poles(x64)] = xp.inf
    out[(x64 == 1.0) | (x64 == 2.0)] = 0.0   # exact zeros, not Lanczos' 1e-16
    return out.astype(x.dtype, copy=False)


def _shifted(x64, term):
    """Adds `term(x + k)` for each k with x + k < _SHIFT; returns (sum, x + shift)."""
    total = xp.zeros_like(x64)
    y = x64.copy()
    for _ in range(int(_SHIFT)):
        below = y < _SHIFT
        if not below.any():
            break
        total += xp.where(below, term(xp.where(below, y, 1.0)), 0.0)
        y = xp.where(below, y + 1.0, y)
    return total, y


def _digamma_positive(x):
    shift, y = _shifted(x, lambda v: 1.0 / v)
    inv2 = 1.0 / (y * y)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
        1 / 240 - inv2 * (1 / 132 - inv2 * 691 / 32760)))))
    return xp.log(y) - 0.5 / y - series - shift


def digamma(x):
    """The logarithmic derivative of Gamma, element-wise."""
    x64 = xp.asarray(x, dtype=xp.float64)
    reflect = x64 < 0.5
    positive = _digamma_positive(xp.where(reflect, 1.0 - x64, x64))
    with xp.errstate(divide="ignore", invalid="ignore"):
        reflected = positive - math.pi / xp.tan(math.pi * x64)
    out = xp.where(reflect, reflected, positive)
    out[_poles(x64)] = xp.nan
    return out.astype(x.dtype, copy=False)


def _trigamma_positive(x):
    shift, y = _shifted(x, lambda v: 1.0 / (v * v))
    inv = 1.0 / y
    inv2 = inv * inv
    series = inv + 0.5 * inv2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (
        1 / 42 - inv2 * (1 / 30 - inv2 * 5 / 66))))
    return series + shift


def trigamma(x):
    """The derivative of digamma, element-wise."""
    x64 = xp.asarray(x, dtype=xp.float64)
    reflect = x64 < 0.5
    positive = _trigamma_positive(xp.where(reflect, 1.0 - x64, x64))
    with xp.errstate(divide="ignore"):
        reflected = (math.pi / xp.sin(math.pi * x64)) ** 2 - positive
    out = xp.where(reflect, reflected, positive)
    out[_poles(x64)] = xp.inf
    return out.astype(x.dtype, copy=False)
