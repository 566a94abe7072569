"""The C-library-exact float32 log/sin/cos behind TF's normal draws (tapeflow/ops/_libm.py).

Box-Muller feeds these functions only 2**23 distinct float32 inputs each, so the
slow test checks all of them against the C library; the fast one checks a sample.
"""
import ctypes
import ctypes.util

import numpy as np
import pytest

from tapeflow.ops import _libm

pytestmark = pytest.mark.skipif(_libm._C_FLOAT is None, reason="no C math library")


def _box_muller_inputs(k):
    u1 = np.maximum((k * 2.0 ** -23).astype(np.float32), np.float32(1e-7))
    angle = (2.0 * np.pi * (k * 2.0 ** -23)).astype(np.float32)
    return u1, angle


def _c_values(name, x):
    fn = _libm._C_FLOAT[name]
    return np.array([fn(float(v)) for v in x], dtype=np.float32)


def _check(k):
    u1, angle = _box_muller_inputs(k)
    np.testing.assert_array_equal(_libm.logf(u1), _c_values("logf", u1))
    np.testing.assert_array_equal(_libm.sinf(angle), _c_values("sinf", angle))
    np.testing.assert_array_equal(_libm.cosf(angle), _c_values("cosf", angle))


def test_float32_functions_match_c_library_on_a_sample():
    _check(np.random.default_rng(0).integers(0, 2 ** 23, 20000).astype(np.float64))


@pytest.mark.slow
def test_float32_functions_match_c_library_on_every_box_muller_input():
    _check(np.arange(2 ** 23, dtype=np.float64))


def test_float64_functions_are_the_c_library():
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    libm.log.restype, libm.log.argtypes = ctypes.c_double, [ctypes.c_double]
    x = np.random.default_rng(1).random(1000) + 1e-9
    np.testing.assert_array_equal(_libm.log(x), [libm.log(v) for v in x])
