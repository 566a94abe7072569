"""tf.debugging asserts, tf.Assert and check_numerics, eagerly and traced."""
import numpy as np
import pytest

import tapeflow as tf


def test_eager_asserts_raise_invalid_argument():
    tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="x == y did not hold"):
        tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="custom message"):
        tf.debugging.assert_less(tf.constant(3.0), 2.0, message="custom message")


def test_traced_assert_fires_at_run_time():
    @tf.function
    def f(x):
        tf.debugging.assert_positive(x)
        return x * 2.0

    assert float(f(tf.constant(1.0))) == 2.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="x > 0"):
        f(tf.constant(-1.0))


def test_check_numerics():
    np.testing.assert_allclose(tf.debugging.check_numerics(tf.constant([1.0]), "m").numpy(), [1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad input : Tensor had NaN values"):
        tf.debugging.check_numerics(tf.constant([np.nan]), "bad input")


def test_static_shape_checks():
    with pytest.raises(ValueError, match="must have rank 2"):
        tf.debugging.assert_rank(tf.zeros([3]), 2)
    tf.debugging.assert_shapes([(tf.zeros([2, 3]), ("N", 3)), (tf.zeros([2]), ("N",))])
    with pytest.raises(ValueError, match="'N'"):
        tf.debugging.assert_shapes([(tf.zeros([2, 3]), ("N", 3)), (tf.zeros([4]), ("N",))])


def test_test_case_helpers():
    case = tf.test.TestCase()
    case.assertAllClose(tf.constant([1.0, 2.0]), [1.0, 2.0])
    with pytest.raises(AssertionError):
        case.assertAllEqual(tf.constant([1, 2]), [1, 3])
    theoretical, numerical = tf.test.compute_gradient(lambda x: x * x,
                                                      [np.array([3.0])])
    np.testing.assert_allclose(theoretical[0], [[6.0]])
    np.testing.assert_allclose(numerical[0], [[6.0]], rtol=1e-4)


def test_gradient_checker_handles_non_contiguous_inputs():
    from tapeflow.testing.gradient_checker import check_gradients
    x = np.asfortranarray(np.arange(6.0).reshape(2, 3) / 10 + 0.1)
    check_gradients(lambda t: t * t * tf.constant([[1.0, 2.0, 3.0]], tf.float64), [x])
    with pytest.raises(AssertionError):   # a wrong gradient must be caught for this layout too
        @tf.custom_gradient
        def wrong(t):
            return t * t, lambda dy: dy * 3.0
        check_gradients(wrong, [x])
