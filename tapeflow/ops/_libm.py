"""log, sin and cos rounded exactly as the C math library rounds them.

TF's normal distributions call the C library's `logf`, `sinf`/`cosf` (float32)
and `log`, `sin`, `cos` (float64) one element at a time. Those functions are
accurate to about half an ulp but not always correctly rounded, and NumPy's
vectorized versions round differently in roughly 1% of cases. To give TF's
exact numbers:

- float64: each value goes through Python's `math` module, which calls the C
  library's double functions directly.
- float32: NumPy computes the function in float64 and rounds to float32. That
  agrees with the C library except when the float64 value lies very close to
  the midpoint between two float32 numbers; those few elements (about 10%)
  are recomputed by the C library's float function through ctypes. The
  closeness bounds below are the largest seen where glibc (2.28 and later)
  and the rounded float64 value differ, over every float32 input TF's
  Box-Muller transform can produce (2**23 per function), plus 2%; the slow
  test in tests/ops/test_random_libm.py re-checks all those inputs.

Without a C library reachable by ctypes, the float64-rounded values are used
(statistically identical; about 1% of values then differ from TF's by one ulp).
"""
import ctypes
import ctypes.util
import math

from tapeflow.core.array_api import xp


def _load_float_functions():
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        functions = {}
        for name in ("logf", "sinf", "cosf"):
            fn = getattr(libm, name)
            fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
            functions[name] = fn
        return functions
    except (OSError, AttributeError):
        return None


_C_FLOAT = _load_float_functions()

# name: (float64 function, absolute, relative, ulp-relative closeness to a midpoint)
_F32 = {
    "logf": (xp.log, 2.27e-9, 1.97e-8, 0.292),
    "sinf": (xp.sin, 2.83e-9, 4.0e-9, 0.0617),
    "cosf": (xp.cos, 2.88e-9, 4.07e-9, 0.0618),
}


def _float32_function(name, x):
    f64, abs_tol, rel_tol, ulp_tol = _F32[name]
    exact = f64(x.astype(xp.float64))
    y = exact.astype(xp.float32)
    if _C_FLOAT is None:
        return y
    # The float32 neighbour on the other side of `exact`, and the midpoint between them.
    other = xp.nextafter(y, xp.where(exact > y, xp.float32(xp.inf), xp.float32(-xp.inf)))
    y64, other64 = y.astype(xp.float64), other.astype(xp.float64)
    distance = xp.abs(exact - (y64 + other64) * 0.5)
    hard = ((distance <= abs_tol) & (distance <= rel_tol * xp.abs(exact))
            & (distance <= ulp_tol * xp.abs(other64 - y64)))
    if hard.any():
        c_function = _C_FLOAT[name]
        y[hard] = list(map(c_function, x[hard].tolist()))
    return y


def logf(x):
    """The C library's `logf` of each element of the float32 array `x`."""
    return _float32_function("logf", x)


def sinf(x):
    return _float32_function("sinf", x)


def cosf(x):
    return _float32_function("cosf", x)


def _float64_function(fn, x):
    return xp.fromiter(map(fn, x.tolist()), dtype=xp.float64, count=x.size).reshape(x.shape)


def log(x):
    """The C library's `log` of each element of the float64 array `x`."""
    return _float64_function(math.log, x)


def sin(x):
    return _float64_function(math.sin, x)


def cos(x):
    return _float64_function(math.cos, x)
