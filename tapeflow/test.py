"""`tf.test`: gradient checking and a TestCase with TF's assertion helpers."""
import unittest as _unittest

import numpy as _np

from tapeflow.testing.gradient_checker import compute_gradient


def _as_array(value):
    if hasattr(value, "numpy"):
        value = value.numpy()
    return _np.asarray(value)


class TestCase(_unittest.TestCase):
    """unittest.TestCase with TF's helpers (assertAllClose, assertAllEqual, evaluate, ...)."""

    def evaluate(self, tensors):
        from tapeflow.core import nest
        return nest.map_structure(lambda t: t.numpy() if hasattr(t, "numpy") else t, tensors)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        _np.testing.assert_allclose(_as_array(a), _as_array(b), rtol=rtol, atol=atol,
                                    err_msg=msg or "")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        _np.testing.assert_array_equal(_as_array(a), _as_array(b), err_msg=msg or "")

    def assertNotAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        if _np.allclose(_as_array(a), _as_array(b), rtol=rtol, atol=atol):
            raise AssertionError(msg or "The two values are close at all elements.")

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self.assertTrue(_np.all(_as_array(a) > comparison_target))

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self.assertTrue(_np.all(_as_array(a) < comparison_target))

    def assertShapeEqual(self, expected, tensor, msg=None):  # noqa: N802
        self.assertEqual(tuple(_as_array(expected).shape), tuple(tensor.shape), msg)


def main(argv=None):
    _unittest.main(argv=argv)


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    return False


def is_built_with_cuda():
    return False


def gpu_device_name():
    return ""


__all__ = ["TestCase", "compute_gradient", "main", "is_gpu_available", "is_built_with_cuda",
           "gpu_device_name"]
