"""TensorFlow behaviours of the math family, with expected values and errors taken
from TF 2.21 (each value below was printed by real TensorFlow)."""
import numpy as np
import pytest

import tapeflow as tf

NAN, INF = np.nan, np.inf


def check(tensor, dtype, expected, rtol=1e-6, atol=1e-7):
    assert tensor.dtype == dtype, f"dtype {tensor.dtype} != {dtype}"
    np.testing.assert_allclose(tensor.numpy(), np.asarray(expected), rtol=rtol, atol=atol)


def grads(f, *values):
    xs = [tf.constant(v) for v in values]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = f(*xs)
    return [None if g is None else g.numpy() for g in tape.gradient(y, xs)]


def raises(kind, match=None):
    return pytest.raises(kind, match=match)


# -- dtype rules and integer arithmetic -----------------------------------------------------

class TestIntegerArithmetic:
    def test_integer_mean_truncates_toward_zero(self):
        check(tf.reduce_mean(tf.constant([1, 2, 2])), tf.int32, 1)
        check(tf.reduce_mean(tf.constant([-1, -2, -2])), tf.int32, -1)
        check(tf.reduce_mean(tf.constant([255, 255], tf.uint8)), tf.uint8, 255)
        check(tf.reduce_mean(tf.constant([100, 100], tf.int8)), tf.int8, 100)
        check(tf.reduce_mean(tf.zeros([0], tf.int32)), tf.int32, 0)

    def test_mean_of_nothing_is_nan(self):
        check(tf.reduce_mean(tf.zeros([0])), tf.float32, NAN)

    def test_integer_sum_wraps_around(self):
        check(tf.reduce_sum(tf.constant([100, 100], tf.int8)), tf.int8, -56)

    def test_truediv_casts_integers_to_float(self):
        check(tf.truediv(tf.constant([1]), tf.constant([2])), tf.float64, [0.5])
        check(tf.truediv(tf.constant([1], tf.int16), tf.constant([2], tf.int16)), tf.float32,
              [0.5])
        check(tf.constant([1]) / 2, tf.float64, [0.5])
        check(tf.divide(1, 2), tf.float64, 0.5)
        check(tf.truediv(tf.constant([1]), tf.constant([0])), tf.float64, [INF])

    def test_truediv_with_mismatched_dtypes_is_a_type_error(self):
        with raises(TypeError, "`x` and `y` must have the same dtype, got tf.int32 != "
                               "tf.float32."):
            tf.constant([1]) / 2.5

    def test_pow_of_negative_integer_exponent_is_an_error(self):
        with raises(tf.errors.InvalidArgumentError, "Integers to negative integer powers"):
            tf.pow(tf.constant([2]), tf.constant([-1]))
        with raises(tf.errors.InvalidArgumentError, "Integers to negative integer powers"):
            tf.pow(2, -1)
        check(tf.pow(0.0, -1.0), tf.float32, INF)
        check(tf.pow(tf.constant([2, 3]), 2), tf.int32, [4, 9])
        with raises(tf.errors.InvalidArgumentError, "of uint8 is not in the list"):
            tf.pow(tf.constant([2], tf.uint8), tf.constant([2], tf.uint8))

    def test_integer_division_by_zero(self):
        with raises(tf.errors.InvalidArgumentError, "Integer division by zero"):
            tf.constant([1]) // 0
        with raises(tf.errors.InvalidArgumentError, "Integer division by zero"):
            tf.constant([1]) % 0
        check(tf.constant([1.0]) // 0.0, tf.float32, [INF])

    def test_floormod_takes_the_sign_of_the_divisor(self):
        check(tf.constant([-7, 7]) % tf.constant([2, -2]), tf.int32, [1, -1])
        check(tf.constant([-7.5, 7.5]) % tf.constant([2.0, -2.0]), tf.float32, [0.5, -0.5])

    def test_unsigned_types_are_not_allowed_in_abs_neg_sign(self):
        for fn in (tf.abs, tf.negative, tf.sign):
            with raises(tf.errors.InvalidArgumentError, "of uint8 is not in the list"):
                fn(tf.constant([1], tf.uint8))
        with raises(tf.errors.InvalidArgumentError, "of uint32 is not in the list"):
            tf.negative(tf.constant([1], tf.uint32))
        check(tf.abs(tf.constant([-128], tf.int8)), tf.int8, [-128])

    def test_abs_of_complex_is_real(self):
        check(tf.abs(tf.constant([3 + 4j])), tf.float64, [5.0])
        check(tf.abs(tf.constant([3 + 4j], tf.complex64)), tf.float32, [5.0])

    def test_float_functions_reject_python_ints(self):
        for fn in (tf.sqrt, tf.exp, tf.math.log, tf.sigmoid, tf.math.erf, tf.math.floor):
            with raises(tf.errors.InvalidArgumentError, "of int32 is not in the list"):
                fn(1)
        check(tf.square(3), tf.int32, 9)
        check(tf.round(tf.constant([1, 2])), tf.int32, [1, 2])

    def test_round_is_half_to_even(self):
        check(tf.round([0.5, 1.5, 2.5, -0.5, -1.5]), tf.float32, [0.0, 2.0, 2.0, -0.0, -2.0])
        check(tf.math.rint([0.5, 1.5, -2.5]), tf.float32, [0.0, 2.0, -2.0])

    def test_squared_difference_dtypes(self):
        check(tf.math.squared_difference(tf.constant([1]), tf.constant([4])), tf.int32, [9])
        with raises(tf.errors.InvalidArgumentError, "of uint8 is not in the list"):
            tf.math.squared_difference(tf.constant([1], tf.uint8), tf.constant([4], tf.uint8))

    def test_logical_ops_need_bools(self):
        with raises(tf.errors.InvalidArgumentError, "cannot compute LogicalAnd as input "
                                                    "#0\\(zero-based\\) was expected to be a "
                                                    "bool tensor but is a int32 tensor"):
            tf.logical_and(tf.constant([1]), tf.constant([1]))
        check(tf.math.logical_xor(True, False), tf.bool, True)

    def test_add_n_errors(self):
        with raises(tf.errors.InvalidArgumentError, "must have the same size and shape.  "
                                                    "Input 0: \\[2\\] != input 1: \\[1\\]"):
            tf.add_n([tf.constant([1, 2]), tf.constant([2])])
        with raises(ValueError, "Inputs must be an iterable of at least one"):
            tf.add_n([])

    def test_equality_of_mismatched_dtypes_and_shapes(self):
        with raises(tf.errors.InvalidArgumentError, "cannot compute Equal as input #1"):
            tf.equal(tf.constant([1]), tf.constant([1.0]))
        check(tf.constant([1, 2]) == tf.constant([1, 2, 3]), tf.bool, False)


# -- reductions and argmax -------------------------------------------------------------------

class TestReductions:
    def test_argmax_defaults_to_axis_0_and_int64(self):
        check(tf.argmax([[1, 5], [3, 2]]), tf.int64, [1, 0])
        check(tf.argmax([1, 5, 5]), tf.int64, 1)
        check(tf.argmax([True, False]), tf.int64, 0)
        check(tf.argmax([1, 5], output_type=tf.int16), tf.int16, 1)
        check(tf.argmax([[1, 2]], axis=tf.constant(1)), tf.int64, [1])

    def test_argmax_skips_nans(self):
        check(tf.argmax([1.0, NAN, 5.0]), tf.int64, 2)
        check(tf.argmax([NAN, 1.0]), tf.int64, 1)
        check(tf.argmax([NAN, NAN]), tf.int64, 0)
        check(tf.argmin([1.0, NAN, 0.0]), tf.int64, 2)
        check(tf.argmax([[NAN, 1.0], [2.0, NAN]], axis=1), tf.int64, [1, 0])

    def test_argmax_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Reduction axis 0 is empty in shape \\[0\\]"):
            tf.argmax(tf.zeros([0]))
        with raises(tf.errors.InvalidArgumentError, "Expected dimension in the range \\[-1, "
                                                    "1\\), but got 1"):
            tf.argmax([1, 5], axis=1)
        with raises(tf.errors.InvalidArgumentError, "Expected dimension in the range \\[0, 0\\)"):
            tf.argmax(3)
        with raises(tf.errors.InvalidArgumentError, "attr 'output_type' of float is not in"):
            tf.argmax([1, 5], output_type=tf.float32)
        with raises(TypeError, "axis must be int or Tensor with integer datatype"):
            tf.argmax([[1, 2]], axis=[1])

    def test_extremes_of_empty_reductions(self):
        check(tf.reduce_max(tf.zeros([0])), tf.float32, -INF)
        check(tf.reduce_max(tf.zeros([0], tf.int32)), tf.int32, -2147483648)
        check(tf.reduce_min(tf.zeros([0, 2]), axis=0), tf.float32, [INF, INF])
        check(tf.reduce_prod(tf.zeros([0])), tf.float32, 1.0)
        check(tf.reduce_all(tf.zeros([0], tf.bool)), tf.bool, True)
        check(tf.reduce_logsumexp(tf.zeros([0])), tf.float32, -INF)

    def test_reduction_axis_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Axes contains duplicate dimension: 1"):
            tf.reduce_sum([[1, 2]], axis=[1, 1])
        with raises(tf.errors.InvalidArgumentError, "Invalid reduction dimension \\(2 for input "
                                                    "with 2 dimension\\(s\\)"):
            tf.reduce_sum([[1, 2]], axis=2)
        with raises(tf.errors.InvalidArgumentError, "Invalid reduction dimension \\(0 for input "
                                                    "with 0 dimension\\(s\\)"):
            tf.reduce_sum(3, axis=0)
        with raises(tf.errors.InvalidArgumentError, "attr 'Tidx' of float is not in the list"):
            tf.reduce_sum([[1, 2]], axis=1.0)
        with raises(tf.errors.InvalidArgumentError, "of bool is not in the list"):
            tf.reduce_sum(tf.constant([True]))

    def test_reduction_axis_forms(self):
        check(tf.reduce_sum([[1, 2]], axis=[]), tf.int32, [[1, 2]])
        check(tf.reduce_sum([[1, 2]], axis=np.int64(1)), tf.int32, [3])
        check(tf.reduce_sum([[1, 2]], axis=tf.constant([0, 1])), tf.int32, 3)
        check(tf.reduce_mean([[1.0, 2.0]], axis=1, keepdims=1), tf.float32, [[1.5]])

    def test_reduce_prod_gradient_with_zeros(self):
        x = [[0.0, 2.0, 3.0], [0.0, 0.0, 2.0], [1.0, 2.0, 3.0]]
        g, = grads(lambda x: tf.reduce_prod(x, axis=1), x)
        np.testing.assert_allclose(g, [[6, 0, 0], [0, 0, 0], [6, 3, 2]])
        check(tf.reduce_prod(tf.constant([[1, 2], [3, 4]]), axis=0), tf.int32, [3, 8])

    def test_reduce_logsumexp_is_stable(self):
        out = tf.reduce_logsumexp([[1000.0, 1000.0], [-INF, -INF]], axis=1)
        check(out, tf.float32, [1000.6931762695312, -INF])
        check(tf.reduce_logsumexp([INF, 1.0]), tf.float32, INF)
        check(tf.reduce_logsumexp([[1.0, 2.0]], axis=1, keepdims=True), tf.float32,
              [[2.3132617473602295]])
        g, = grads(lambda x: tf.reduce_logsumexp(x, axis=0), [1.0, 2.0, 3.0])
        np.testing.assert_allclose(g, [0.09003057, 0.24472847, 0.66524094], rtol=1e-6)
        g, = grads(lambda x: tf.reduce_logsumexp(x, axis=1), [[-INF, -INF], [0.0, 1.0]])
        np.testing.assert_allclose(g, [[NAN, NAN], [0.26894142, 0.73105858]], rtol=1e-6)
        with raises(tf.errors.InvalidArgumentError, "\\[Op:IsFinite\\]"):
            tf.reduce_logsumexp(tf.constant([1, 2]))

    def test_variance_and_std(self):
        check(tf.math.reduce_std([[1.0, 2.0], [3.0, 5.0]], axis=0), tf.float32, [1.0, 1.5])
        check(tf.math.reduce_variance(tf.constant([1 + 1j, 2])), tf.float64, 0.5)
        with raises(TypeError, "Input must be either real or complex. Received integer type "
                               "<dtype: 'int32'>."):
            tf.math.reduce_variance(tf.constant([1, 2]))
        g, = grads(tf.math.reduce_variance, [1.0, 2.0, 4.0])
        np.testing.assert_allclose(g, [-0.8888889, -0.2222222, 1.1111112], rtol=1e-6)
        g, = grads(tf.math.reduce_std, [1.0, 1.0, 1.0])
        assert np.isnan(g).all()

    def test_euclidean_norm(self):
        check(tf.math.reduce_euclidean_norm([[3.0, 4.0]], axis=1), tf.float32, [5.0])
        check(tf.math.reduce_euclidean_norm(tf.constant([3, 4])), tf.int32, 5)
        check(tf.math.reduce_euclidean_norm(tf.constant([1, 1])), tf.int32, 1)
        g, = grads(tf.math.reduce_euclidean_norm, [3.0, 4.0])
        np.testing.assert_allclose(g, [0.6, 0.8], rtol=1e-6)
        g, = grads(tf.math.reduce_euclidean_norm, [0.0, 0.0])
        assert np.isnan(g).all()

    def test_any_all_need_bools(self):
        check(tf.reduce_any([[True, False], [False, False]], axis=1), tf.bool, [True, False])
        with raises(TypeError):
            tf.reduce_any([1.0, 0.0])

    def test_count_nonzero(self):
        check(tf.math.count_nonzero([[0, 1], [2, 0]], axis=0), tf.int64, [1, 1])
        check(tf.math.count_nonzero([0.0, 1.0, 2.0]), tf.int64, 2)
        check(tf.math.count_nonzero([True, False]), tf.int64, 1)
        check(tf.math.count_nonzero(["a", ""]), tf.int64, 1)
        check(tf.math.count_nonzero([1, 2], dtype=tf.float32), tf.float32, 2.0)
        check(tf.math.count_nonzero([[1, 2]], axis=1, keepdims=True), tf.int64, [[2]])


class TestScans:
    def test_cumsum_exclusive_and_reverse(self):
        check(tf.cumsum([1, 2, 3], exclusive=True, reverse=True), tf.int32, [5, 3, 0])
        check(tf.cumsum([[1.0, 2.0], [3.0, 4.0]], axis=1, reverse=True), tf.float32,
              [[3.0, 2.0], [7.0, 4.0]])
        check(tf.math.cumprod([1.0, 2.0, 3.0], exclusive=True), tf.float32, [1.0, 1.0, 2.0])

    def test_scan_errors(self):
        with raises(tf.errors.InvalidArgumentError, "ScanOp: Expected scan axis in the range "
                                                    "\\[-1, 1\\), but got 1"):
            tf.cumsum([1.0, 2.0], axis=1)
        with raises(tf.errors.InvalidArgumentError, "ScanOp: Expected scan axis in the range "
                                                    "\\[0, 0\\), but got 0"):
            tf.cumsum(1.0)
        with raises(tf.errors.InvalidArgumentError, "of bool is not in the list"):
            tf.cumsum([True])

    def test_cumsum_gradient(self):
        g, = grads(lambda x: tf.cumsum(x, exclusive=True) * [1.0, 2.0, 3.0], [2.0, 0.0, 3.0])
        np.testing.assert_allclose(g, [5.0, 3.0, 0.0])

    def test_cumprod_gradient_is_zero_at_zeros_as_tf(self):
        g, = grads(tf.math.cumprod, [2.0, 0.0, 3.0])
        np.testing.assert_allclose(g, [1.0, 0.0, 0.0])
        g, = grads(lambda x: tf.math.cumprod(x, exclusive=True, reverse=True), [2.0, 0.0, 3.0])
        np.testing.assert_allclose(g, [0.0, 0.0, 1.0])


class TestTopK:
    def test_values_indices_and_ties(self):
        values, indices = tf.math.top_k([[1.0, 3.0, 2.0], [4.0, 4.0, 0.0]], k=2)
        check(values, tf.float32, [[3.0, 2.0], [4.0, 4.0]])
        check(indices, tf.int32, [[1, 2], [0, 1]])
        check(tf.math.top_k([2.0, 1.0, 2.0, 2.0], k=2).indices, tf.int32, [0, 2])
        assert tf.math.top_k(tf.constant([1, 3, 2]), k=2, index_type=tf.int64).indices.dtype \
            == tf.int64
        assert repr(tf.math.top_k([1.0], 1)).startswith("TopKV2(values=")

    def test_nan_is_largest(self):
        values, indices = tf.math.top_k([1.0, NAN, 2.0, 5.0], k=2)
        check(indices, tf.int32, [1, 3])
        assert np.isnan(values.numpy()[0]) and values.numpy()[1] == 5.0

    def test_errors(self):
        with raises(tf.errors.InvalidArgumentError, "input must have at least k columns. Had "
                                                    "3, needed 4"):
            tf.math.top_k([1.0, 3.0, 2.0], k=4)
        with raises(tf.errors.InvalidArgumentError, "Need k >= 0, got -1"):
            tf.math.top_k([1.0, 3.0, 2.0], k=-1)
        with raises(tf.errors.InvalidArgumentError, "input must be >= 1-D, got shape \\[\\]"):
            tf.math.top_k(1.0, k=1)
        with raises(tf.errors.InvalidArgumentError, "of bool is not in the list"):
            tf.math.top_k([True, False], k=1)
        check(tf.math.top_k([2.0, 1.0], k=0).values, tf.float32, np.zeros(0))

    def test_gradient_scatters_to_the_indices(self):
        g, = grads(lambda x: tf.math.top_k(x, k=2).values * [1.0, 10.0],
                   [[1.0, 3.0, 2.0], [4.0, 4.0, 0.0]])
        np.testing.assert_allclose(g, [[0.0, 1.0, 10.0], [1.0, 10.0, 0.0]])

    def test_in_top_k(self):
        predictions = tf.constant([[0.1, 0.2, 0.7], [0.5, 0.5, 0.1]])
        check(tf.math.in_top_k(tf.constant([2, 0]), predictions, 1), tf.bool, [True, True])
        check(tf.math.in_top_k(tf.constant([1, 0]), predictions, 1), tf.bool, [False, True])
        check(tf.math.in_top_k(tf.constant([3, 0]), predictions, 1), tf.bool, [False, True])
        check(tf.math.in_top_k(tf.constant([2, 0]), [[0.1, NAN, 0.7], [0.5, 0.5, 0.1]], 1),
              tf.bool, [False, True])
        with raises(tf.errors.InvalidArgumentError, "as input #0\\(zero-based\\) was expected "
                                                    "to be a float tensor but is a double"):
            tf.math.in_top_k(tf.constant([2, 0]), tf.cast(predictions, tf.float64), 2)
        with raises(tf.errors.InvalidArgumentError, "First dimension of predictions 2 must "
                                                    "match length of targets 3"):
            tf.math.in_top_k(tf.constant([1, 0, 1]), predictions, 1)


# -- element-wise functions --------------------------------------------------------------------

class TestElementwise:
    def test_erf_and_erfc_values(self):
        x = tf.constant([-3.0, -0.5, 0.0, 1e-10, 0.5, 3.0, 10.0], tf.float64)
        check(tf.math.erf(x), tf.float64, [-0.9999779095030015, -0.5204998778130466, 0.0,
                                           1.1283791670955126e-10, 0.5204998778130466,
                                           0.9999779095030014, 1.0], rtol=1e-15, atol=0)
        x = tf.constant([-3.0, -0.5, 0.0, 0.5, 3.0, 10.0, 27.0], tf.float64)
        check(tf.math.erfc(x), tf.float64, [1.9999779095030015, 1.5204998778130467, 1.0,
                                            0.47950012218695337, 2.209049699858544e-05,
                                            2.0884875837625443e-45, 0.0], rtol=1e-15, atol=0)
        check(tf.math.erf([0.5, 2.0]), tf.float32, [0.5204999, 0.99532235])
        check(tf.math.erf(tf.constant([0.5], tf.float16)), tf.float16, [0.5205], rtol=1e-3)

    def test_domains_give_nan_and_inf(self):
        check(tf.math.acosh(0.5), tf.float32, NAN)
        check(tf.math.atanh([1.0, 2.0]), tf.float32, [INF, NAN])
        check(tf.math.asin([0.5, 2.0]), tf.float32, [0.5235988, NAN])

    def test_float_only_ops_name_their_allowed_dtypes(self):
        with raises(tf.errors.InvalidArgumentError, "attr 'T' of int32 is not in the list of "
                                                    "allowed values.*\\[Op:Asin\\]"):
            tf.math.asin(tf.constant([1, 2]))
        with raises(tf.errors.InvalidArgumentError, "of complex128 is not in the list"):
            tf.math.erf(tf.constant([0.5 + 0.1j]))
        with raises(tf.errors.InvalidArgumentError, "\\[Op:Softplus\\]"):
            tf.math.log_sigmoid(tf.constant([1]))

    def test_log_sigmoid(self):
        check(tf.math.log_sigmoid([-100.0, 0.0]), tf.float32, [-100.0, -0.6931472])
        check(tf.math.log_sigmoid(tf.constant([-1000.0, 1000.0], tf.float64)), tf.float64,
              [-1000.0, 0.0])
        g, = grads(tf.math.log_sigmoid, [0.0])
        np.testing.assert_allclose(g, [0.5])

    def test_x_log_y_family(self):
        check(tf.math.xlogy([0.0, 0.0, 1.0], [0.0, -1.0, 0.0]), tf.float32, [0.0, 0.0, -INF])
        check(tf.math.xdivy([0.0, 0.0, 1.0], [0.0, NAN, 0.0]), tf.float32, [0.0, 0.0, INF])
        check(tf.math.xlog1py([0.0, 1.0], [-1.0, 1.0]), tf.float32, [0.0, 0.6931472])
        with raises(tf.errors.InvalidArgumentError, "Incompatible shapes: \\[2,3\\] vs. \\[4\\]"):
            tf.math.xlogy(tf.ones([2, 3]), tf.ones([4]))

    def test_no_nan_divisions(self):
        check(tf.math.divide_no_nan([1.0, 0.0, NAN], [0.0, 0.0, 0.0]), tf.float32, [0, 0, 0])
        check(tf.math.divide_no_nan(tf.constant([1, 2]), tf.constant([0, 2])), tf.float64,
              [0.0, 1.0])
        with raises(TypeError, "`x` and `y` must have the same dtype, got tf.float32 != "
                               "tf.float64."):
            tf.math.divide_no_nan(tf.constant([1.0]), tf.constant([1.0], tf.float64))
        check(tf.math.multiply_no_nan([INF, NAN, 1.0], [0.0, 0.0, INF]), tf.float32,
              [0.0, 0.0, INF])
        with raises(tf.errors.InvalidArgumentError, "of int32 is not in the list"):
            tf.math.multiply_no_nan(tf.constant([1, 2]), tf.constant([0, 2]))
        check(tf.math.reciprocal_no_nan([0.0, 2.0]), tf.float32, [0.0, 0.5])

    def test_truncating_division(self):
        x, y = tf.constant([7, -7, 7, -7], tf.int8), tf.constant([2, 2, -2, -2], tf.int8)
        check(tf.truncatediv(x, y), tf.int8, [3, -3, -3, 3])
        check(tf.truncatemod(tf.cast(x, tf.int32), tf.cast(y, tf.int32)), tf.int32,
              [1, -1, 1, -1])
        check(tf.truncatemod([7.5, -7.5], [2.0, 2.0]), tf.float32, [1.5, -1.5])
        check(tf.truncatediv(tf.constant([7, 8], tf.uint8), tf.constant([2, 3], tf.uint8)),
              tf.uint8, [3, 2])
        with raises(tf.errors.InternalError, "only integer div and mod should have errors"):
            tf.truncatediv(tf.constant([1]), tf.constant([0]))
        with raises(tf.errors.InvalidArgumentError, "of int8 is not in the list"):
            tf.truncatemod(x, y)
        assert grads(tf.truncatediv, [7.0, 3.0], [2.0, 2.0]) == [None, None]

    def test_scalar_mul(self):
        check(tf.math.scalar_mul(2, tf.constant([1.0, 2.0])), tf.float32, [2.0, 4.0])
        check(tf.math.scalar_mul(2, tf.constant([1, 2])), tf.int32, [2, 4])
        with raises(ValueError, "The input scalar must be a 0-D value. Received shape \\(2,\\)."):
            tf.math.scalar_mul(tf.constant([2.0, 3.0]), tf.constant([1.0, 2.0]))
        with raises(TypeError):
            tf.math.scalar_mul(2.5, tf.constant([1, 2]))

    def test_complex_parts(self):
        check(tf.math.real(tf.constant([1 + 2j])), tf.float64, [1.0])
        check(tf.math.real(tf.constant([1, 2])), tf.int32, [1, 2])
        check(tf.math.imag(tf.constant([1 + 2j], tf.complex64)), tf.float32, [2.0])
        check(tf.math.imag(tf.constant([1.0, 2.0])), tf.float32, [0.0, 0.0])
        check(tf.math.conj(tf.constant([1 + 2j])), tf.complex128, [1 - 2j])
        check(tf.math.conj(tf.constant([1, 2])), tf.int32, [1, 2])
        check(tf.complex(1.0, 2.0), tf.complex64, 1 + 2j)

    def test_monotonicity_checks(self):
        check(tf.math.is_non_decreasing([1, 1, 2]), tf.bool, True)
        check(tf.math.is_non_decreasing([[1, 2], [3, 2]]), tf.bool, False)
        check(tf.math.is_non_decreasing([]), tf.bool, True)
        check(tf.math.is_non_decreasing(3), tf.bool, True)
        check(tf.math.is_strictly_increasing([1, 1, 2]), tf.bool, False)
        check(tf.math.is_strictly_increasing([1.0, 2.0]), tf.bool, True)
        with raises(TypeError, "Expected x to be numeric"):
            tf.math.is_non_decreasing(["a"])


# -- clipping ---------------------------------------------------------------------------------

class TestClipping:
    def test_clip_by_value(self):
        check(tf.clip_by_value([-2.0, 0.5, 3.0], -1.0, 1.0), tf.float32, [-1.0, 0.5, 1.0])
        check(tf.clip_by_value(tf.constant([-2, 0, 3]), -1, 1), tf.int32, [-1, 0, 1])
        check(tf.clip_by_value(tf.constant([1, 200], tf.uint8), 2, 100), tf.uint8, [2, 100])
        check(tf.clip_by_value([[-2.0, 0.5, 3.0]], [-1.0, 0.0, 0.0], 1.0), tf.float32,
              [[-1.0, 0.5, 1.0]])
        check(tf.clip_by_value([-2.0, 0.5, 3.0], 1.0, -1.0), tf.float32, [1.0, 1.0, 1.0])

    def test_clip_by_value_errors(self):
        with raises(TypeError):
            tf.clip_by_value(tf.constant([-2, 0, 3]), -1.5, 1.0)
        with raises(tf.errors.InvalidArgumentError, "Incompatible shapes"):
            tf.clip_by_value([-2.0, 0.5, 3.0], [-1.0, 0.0], 1.0)
        with raises(ValueError, "Shapes \\(3,\\) and \\(2, 3\\) are incompatible"):
            tf.clip_by_value([-2.0, 0.5, 3.0], [[-1.0], [0.0]], 1.0)
        with raises(tf.errors.InvalidArgumentError, "of bool is not in the list"):
            tf.clip_by_value(tf.constant([True]), False, True)

    def test_clip_by_value_gradient(self):
        x = [-2.0, -1.0, 0.5, 1.0, 3.0]
        g = grads(lambda x, lo, hi: tf.clip_by_value(x, lo, hi), x, -1.0, 1.0)
        np.testing.assert_allclose(g[0], [0, 1, 1, 1, 0])
        assert g[1] == 1.0 and g[2] == 1.0
        g = grads(lambda x, lo, hi: tf.clip_by_value(x, lo, hi), x, [-1.0] * 5, 1.0)
        np.testing.assert_allclose(g[1], [1, 0, 0, 0, 0])

    def test_clip_by_norm(self):
        check(tf.clip_by_norm([3.0, 4.0], 1.0), tf.float32, [0.6, 0.8])
        check(tf.clip_by_norm([3.0, 4.0], 10.0), tf.float32, [3.0, 4.0])
        check(tf.clip_by_norm([[3.0, 4.0], [0.3, 0.4]], 1.0, axes=1), tf.float32,
              [[0.6, 0.8], [0.3, 0.4]])
        check(tf.clip_by_norm([0.0, 0.0], 1.0), tf.float32, [0.0, 0.0])
        check(tf.clip_by_norm(tf.constant([3.0, 4.0]), tf.constant(1.0, tf.float64)),
              tf.float32, [0.6, 0.8])
        g, = grads(lambda x: tf.clip_by_norm(x, 1.0), [3.0, 4.0])
        np.testing.assert_allclose(g, [0.032, -0.024], rtol=1e-5)
        g, = grads(lambda x: tf.clip_by_norm(x, 1.0), [0.0, 0.0])
        np.testing.assert_allclose(g, [1.0, 1.0])
        with raises(tf.errors.InvalidArgumentError, "\\[Op:Sqrt\\]"):
            tf.clip_by_norm(tf.constant([3, 4]), 1)

    def test_clip_by_global_norm(self):
        clipped, norm = tf.clip_by_global_norm([[3.0], None, [4.0]], 1.0)
        check(clipped[0], tf.float32, [0.6])
        assert clipped[1] is None
        check(clipped[2], tf.float32, [0.8])
        check(norm, tf.float32, 5.0)
        clipped, norm = tf.clip_by_global_norm(([3.0], [4.0]), 10.0)
        assert isinstance(clipped, list)
        check(clipped[1], tf.float32, [4.0])
        clipped, norm = tf.clip_by_global_norm([[INF], [4.0]], 1.0)
        assert np.isnan(clipped[0].numpy()).all() and norm.numpy() == INF
        clipped, norm = tf.clip_by_global_norm([], 1.0)
        assert clipped == [] and norm.numpy() == 0.0 and norm.dtype == tf.float32
        g = grads(lambda a, b: tf.clip_by_global_norm([a, b], 1.0)[0][0], [3.0], [4.0])
        np.testing.assert_allclose(np.concatenate(g), [0.128, -0.096], rtol=1e-5)

    def test_clip_by_global_norm_errors(self):
        with raises(TypeError, "`t_list` should be a sequence of tensors"):
            tf.clip_by_global_norm(tf.constant([3.0, 4.0]), 1.0)
        with raises(tf.errors.InvalidArgumentError, "cannot compute Pack"):
            tf.clip_by_global_norm([tf.constant([3.0], tf.float64), tf.constant([4.0])], 1.0)
        with raises(tf.errors.InvalidArgumentError, "\\[Op:L2Loss\\]"):
            tf.linalg.global_norm([tf.constant([3])])
        check(tf.linalg.global_norm([[3.0], None, [4.0]]), tf.float32, 5.0)


# -- segments, bincount, confusion matrix -------------------------------------------------------

class TestSegments:
    data = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]

    def test_unsorted_segment_reductions(self):
        check(tf.math.unsorted_segment_sum(self.data, [0, 2, 0], 3), tf.float32,
              [[6, 8], [0, 0], [3, 4]])
        check(tf.math.unsorted_segment_sum(self.data, [0, -1, 0], 3), tf.float32,
              [[6, 8], [0, 0], [0, 0]])
        check(tf.math.unsorted_segment_sum([[1, 2], [3, 4]], [[0, 1], [1, 0]], 2), tf.int32,
              [5, 5])
        check(tf.math.unsorted_segment_mean(self.data, [0, 2, 0], 3), tf.float32,
              [[3, 4], [0, 0], [3, 4]])
        check(tf.math.unsorted_segment_mean(tf.constant([1, 2, 4]), [0, 1, 0], 2), tf.float64,
              [2.5, 2.0])
        lowest = np.finfo(np.float32).min
        check(tf.math.unsorted_segment_max(self.data, [0, 2, 0], 3), tf.float32,
              [[5, 6], [lowest, lowest], [3, 4]])
        check(tf.math.unsorted_segment_max(tf.constant([1, 2, 4]), [0, 2, 0], 3), tf.int32,
              [4, -2147483648, 2])
        check(tf.math.unsorted_segment_prod(self.data, [0, 2, 0], 3), tf.float32,
              [[5, 12], [1, 1], [3, 4]])
        check(tf.math.unsorted_segment_sqrt_n(self.data, [0, 2, 0], 3), tf.float32,
              [[4.242641, 5.656854], [0, 0], [3, 4]])

    def test_unsorted_segment_errors(self):
        with raises(tf.errors.InvalidArgumentError, "segment_ids\\[1\\] = 5 is out of range "
                                                    "\\[0, 3\\)"):
            tf.math.unsorted_segment_sum(self.data, [0, 5, 0], 3)
        with raises(tf.errors.InvalidArgumentError, "data.shape = \\[3,2\\] does not start "
                                                    "with segment_ids.shape = \\[2\\]"):
            tf.math.unsorted_segment_sum(self.data, [0, 1], 3)
        with raises(tf.errors.InvalidArgumentError, "Input num_segments == -1 must not be "
                                                    "negative."):
            tf.math.unsorted_segment_sum(self.data, [0, 1, 0], -1)
        with raises(tf.errors.InvalidArgumentError, "attr 'Tindices' of float is not in the "
                                                    "list of allowed values: int16, int32, "
                                                    "int64"):
            tf.math.unsorted_segment_sum(self.data, [0.0, 1.0, 0.0], 3)

    def test_unsorted_segment_gradients(self):
        g, = grads(lambda x: tf.math.unsorted_segment_sum(x, [0, 2, -1], 3) * self.data,
                   self.data)
        np.testing.assert_allclose(g, [[1, 2], [5, 6], [0, 0]])
        g, = grads(lambda x: tf.math.unsorted_segment_mean(x, [0, 2, 0], 3), self.data)
        np.testing.assert_allclose(g, [[0.5, 0.5], [1, 1], [0.5, 0.5]])
        g, = grads(lambda x: tf.math.unsorted_segment_max(x, [0, 0, 0, 1], 3),
                   [1.0, 3.0, 3.0, 2.0])
        np.testing.assert_allclose(g, [0, 0.5, 0.5, 1])
        g, = grads(lambda x: tf.math.unsorted_segment_prod(x, [0, 0, 1], 2), [2.0, 3.0, 4.0])
        np.testing.assert_allclose(g, [3, 2, 1])

    def test_sorted_segment_reductions(self):
        check(tf.math.segment_sum(self.data, [0, 0, 2]), tf.float32, [[4, 6], [0, 0], [5, 6]])
        check(tf.math.segment_mean(self.data, [0, 0, 2]), tf.float32, [[2, 3], [0, 0], [5, 6]])
        check(tf.math.segment_max(self.data, [0, 0, 2]), tf.float32, [[3, 4], [0, 0], [5, 6]])
        check(tf.math.segment_min(self.data, [0, 0, 2]), tf.float32, [[1, 2], [0, 0], [5, 6]])
        check(tf.math.segment_prod(self.data, [0, 0, 2]), tf.float32, [[3, 8], [1, 1], [5, 6]])
        check(tf.math.segment_mean(tf.constant([1, 2, 4]), [0, 0, 1]), tf.int32, [1, 4])
        check(tf.math.segment_sum(tf.zeros([0, 2]), tf.zeros([0], tf.int32)), tf.float32,
              np.zeros((0, 2)))
        g, = grads(lambda x: tf.math.segment_sum(x, [0, 0, 2]), self.data)
        np.testing.assert_allclose(g, np.ones((3, 2)))

    def test_sorted_segment_errors(self):
        with raises(tf.errors.InvalidArgumentError, "segment ids are not increasing"):
            tf.math.segment_sum(self.data, [1, 0, 2])
        with raises(tf.errors.InvalidArgumentError, "Segment id -1 out of range \\[0, 3\\), "
                                                    "possibly because 'segment_ids' input is "
                                                    "not sorted."):
            tf.math.segment_sum(self.data, [-1, 0, 2])
        with raises(tf.errors.InvalidArgumentError, "segment_ids should be the same size as "
                                                    "dimension 0 of input."):
            tf.math.segment_sum(self.data, [0, 0])
        with raises(tf.errors.InvalidArgumentError, "segment_ids should be a vector."):
            tf.math.segment_sum(self.data, [[0, 0, 1]])
        with raises(tf.errors.InvalidArgumentError, "input must be at least rank 1"):
            tf.math.segment_sum(1.0, [0])

    def test_bincount(self):
        check(tf.math.bincount([1, 1, 3]), tf.int32, [0, 2, 0, 1])
        check(tf.math.bincount([1, 1, 3], minlength=6), tf.int32, [0, 2, 0, 1, 0, 0])
        check(tf.math.bincount([1, 1, 3], maxlength=2), tf.int32, [0, 2])
        check(tf.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0]), tf.float32,
              [0.0, 1.5, 0.0, 2.0])
        check(tf.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0], dtype=tf.float64),
              tf.float32, [0.0, 1.5, 0.0, 2.0])
        check(tf.math.bincount([1, 1, 3], weights=[1, 2, 3]), tf.int32, [0, 3, 0, 3])
        check(tf.math.bincount([1, 1, 3], dtype=tf.int64), tf.int64, [0, 2, 0, 1])
        check(tf.math.bincount(tf.constant([1.0, 1.0, 3.0])), tf.int32, [0, 2, 0, 1])
        check(tf.math.bincount([[1, 2], [3, 3]]), tf.int32, [0, 1, 1, 2])
        check(tf.math.bincount([[1, 2], [3, 3]], axis=-1), tf.int32,
              [[0, 1, 1, 0], [0, 0, 0, 2]])
        check(tf.math.bincount([1, 1, 3], binary_output=True), tf.int32, [0, 1, 0, 1])
        check(tf.math.bincount(tf.zeros([0], tf.int32), minlength=3), tf.int32, [0, 0, 0])
        check(tf.math.bincount(3), tf.int32, [0, 0, 0, 1])

    def test_bincount_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Input arr must be non-negative!"):
            tf.math.bincount([1, -1, 3])
        with raises(ValueError, "mutually exclusive"):
            tf.math.bincount([1, 1], weights=[1.0, 2.0], binary_output=True)
        with raises(tf.errors.InvalidArgumentError, "Shape must be at most rank 2 but is rank 3"):
            tf.math.bincount(tf.ones([2, 2, 2], tf.int32), axis=-1)
        with raises(tf.errors.InvalidArgumentError, "attr 'T' of half is not in the list"):
            tf.math.bincount([1, 2], dtype=tf.float16)

    def test_confusion_matrix(self):
        check(tf.math.confusion_matrix([1, 2, 4], [2, 2, 4]), tf.int32,
              [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0],
               [0, 0, 0, 0, 1]])
        check(tf.math.confusion_matrix([1, 2], [2, 2], num_classes=3), tf.int32,
              [[0, 0, 0], [0, 0, 1], [0, 0, 1]])
        check(tf.math.confusion_matrix([1, 2], [2, 2], weights=[0.5, 2.0], dtype=tf.float32),
              tf.float32, [[0, 0, 0], [0, 0, 0.5], [0, 0, 2]])
        check(tf.math.confusion_matrix([1, 2], [2, 2], weights=[0.5, 2.0]), tf.int32,
              [[0, 0, 0], [0, 0, 0], [0, 0, 2]])
        check(tf.math.confusion_matrix([1, 2], [2, 2], dtype=tf.float64), tf.float64,
              [[0, 0, 0], [0, 0, 1], [0, 0, 1]])
        check(tf.math.confusion_matrix([[1], [2]], [1, 2]), tf.int32,
              [[0, 0, 0], [0, 1, 0], [0, 0, 1]])

    def test_confusion_matrix_errors(self):
        with raises(tf.errors.InvalidArgumentError, "`labels` out of bound"):
            tf.math.confusion_matrix([1, 2], [2, 2], num_classes=2)
        with raises(tf.errors.InvalidArgumentError, "`labels` contains negative values"):
            tf.math.confusion_matrix([-1, 2], [2, 2])
        with raises(tf.errors.InvalidArgumentError, "`predictions` out of bound"):
            tf.math.confusion_matrix([1, 2], [5, 2], num_classes=3)
        with raises(tf.errors.InvalidArgumentError, "Shapes of all inputs must match: "
                                                    "values\\[0\\].shape = \\[2\\] != "
                                                    "values\\[1\\].shape = \\[3\\]"):
            tf.math.confusion_matrix([1, 2], [2, 2, 1])
        with raises(ValueError, "Shapes \\(2,\\) and \\(1,\\) are incompatible"):
            tf.math.confusion_matrix([1, 2], [2, 2], weights=[1.0])


# -- bitwise ------------------------------------------------------------------------------------

class TestBitwise:
    def test_values(self):
        check(tf.bitwise.bitwise_and(tf.constant([12, 10]), tf.constant([10, 6])), tf.int32,
              [8, 2])
        check(tf.bitwise.bitwise_and(12, 10), tf.int32, 8)
        check(tf.bitwise.bitwise_and(tf.constant([[12], [3]]), tf.constant([10, 6])), tf.int32,
              [[8, 4], [2, 2]])
        check(tf.bitwise.bitwise_and(tf.constant([12], tf.int64), 10), tf.int64, [8])
        check(tf.bitwise.invert(tf.constant([0, 5, -1], tf.int8)), tf.int8, [-1, -6, 0])
        check(tf.bitwise.invert(tf.constant([0, 5], tf.uint16)), tf.uint16, [65535, 65530])

    def test_operators(self):
        check(tf.constant([12]) & 10, tf.int32, [8])
        check(10 & tf.constant([12]), tf.int32, [8])
        check(tf.constant([12]) | 3, tf.int32, [15])
        check(tf.constant([12]) ^ 10, tf.int32, [6])
        check(~tf.constant([12]), tf.int32, [-13])
        check(~tf.constant([12], tf.uint8), tf.uint8, [243])
        check(~tf.constant([True]), tf.bool, [False])
        check(tf.constant([True]) & tf.constant([False]), tf.bool, [False])
        check(tf.constant([True]) & True, tf.bool, [True])
        with raises(tf.errors.InvalidArgumentError, "cannot compute BitwiseAnd as input "
                                                    "#1\\(zero-based\\) was expected to be a "
                                                    "int32 tensor but is a bool tensor"):
            tf.constant([1]) & tf.constant([True])
        with raises(tf.errors.InvalidArgumentError, "attr 'T' of float is not in the list.*"
                                                    "\\[Op:Invert\\]"):
            ~tf.constant([1.0])

    def test_shifts_clamp_the_shift_amount(self):
        check(tf.bitwise.left_shift(tf.constant([1, -1, 5]), tf.constant([2, 3, 31])), tf.int32,
              [4, -8, -2147483648])
        check(tf.bitwise.left_shift(tf.constant([1, 1, 1], tf.int8),
                                    tf.constant([7, 8, -1], tf.int8)), tf.int8, [-128, -128, 1])
        check(tf.bitwise.left_shift(tf.constant([1, 1, 1], tf.uint8),
                                    tf.constant([7, 8, 200], tf.uint8)), tf.uint8,
              [128, 128, 128])
        check(tf.bitwise.left_shift(tf.constant([1, 3]), tf.constant([32, 33])), tf.int32,
              [-2147483648, -2147483648])
        check(tf.bitwise.right_shift(tf.constant([-8, 8, 255]), tf.constant([1, 1, 4])),
              tf.int32, [-4, 4, 15])
        check(tf.bitwise.right_shift(tf.constant([-8, 8], tf.int8), tf.constant([8, -1], tf.int8)),
              tf.int8, [-1, 8])
        check(tf.bitwise.right_shift(tf.constant([-8, 8]), tf.constant([40, 100])), tf.int32,
              [-1, 0])
        check(tf.bitwise.left_shift(tf.constant([1], tf.int64), tf.constant([63], tf.int64)),
              tf.int64, [-9223372036854775808])

    def test_errors(self):
        with raises(tf.errors.InvalidArgumentError, "cannot compute BitwiseAnd as input #1"):
            tf.bitwise.bitwise_and(tf.constant([1]), tf.constant([1], tf.int64))
        with raises(tf.errors.InvalidArgumentError, "Incompatible shapes: \\[3\\] vs. \\[2\\]"):
            tf.bitwise.bitwise_and(tf.constant([12, 1, 2]), tf.constant([10, 6]))
        with raises(tf.errors.InvalidArgumentError, "of bool is not in the list"):
            tf.bitwise.bitwise_or(tf.constant([True]), tf.constant([True]))


class TestSmallComposites:
    def test_polyval(self):
        check(tf.math.polyval([1.0, 2.0, 3.0], 2.0), tf.float32, 11.0)
        check(tf.math.polyval([tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])],
                              tf.constant([2.0, 3.0])), tf.float32, [5.0, 10.0])
        check(tf.math.polyval([], 2.0), tf.float32, 0.0)
        check(tf.math.polyval([1, 2], 3), tf.int32, 5)
        with raises(ValueError, "Argument coeffs must be list type."):
            tf.math.polyval(tf.constant([1.0, 2.0]), 2.0)
        assert grads(lambda c, x: tf.math.polyval([c, c], x), 2.0, 3.0) == [4.0, 2.0]

    def test_zero_fraction_and_angle(self):
        check(tf.math.zero_fraction([0.0, 1.0, 0.0, 3.0]), tf.float32, 0.5)
        check(tf.math.zero_fraction([0, 1]), tf.float32, 0.5)
        check(tf.math.zero_fraction([True, False, False]), tf.float32, 0.6666669845581055,
              rtol=1e-6)
        check(tf.math.zero_fraction(tf.zeros([0])), tf.float32, NAN)
        check(tf.math.angle([1 + 1j, -1]), tf.float64, [0.785398, 3.141593], rtol=1e-6)
        check(tf.math.angle([1.0, -1.0, 0.0]), tf.float32, [0.0, 3.1415929794311523, 0.0])
        with raises(TypeError, "Cannot convert 3.141592653589793 to EagerTensor of dtype int32"):
            tf.math.angle([1, -1])

    def test_cumulative_logsumexp(self):
        check(tf.math.cumulative_logsumexp([1.0, 2.0, 3.0]), tf.float32,
              [1.0, 2.3132619857788086, 3.4076058864593506])
        check(tf.math.cumulative_logsumexp([1.0, 2.0, 3.0], exclusive=True), tf.float32,
              [-INF, 1.0, 2.3132619857788086])
        check(tf.math.cumulative_logsumexp([1.0, 2.0, 3.0], reverse=True), tf.float32,
              [3.4076058864593506, 3.3132619857788086, 3.0])
        check(tf.math.cumulative_logsumexp([1000.0, 1000.0]), tf.float32,
              [1000.0, 1000.6931762695312])
        g, = grads(tf.math.cumulative_logsumexp, [1.0, 2.0, 3.0])
        np.testing.assert_allclose(g, [1.3589719533920288, 0.9757869839668274,
                                       0.665241003036499], rtol=1e-6)
        with raises(tf.errors.InvalidArgumentError, "of int32 is not in the list"):
            tf.math.cumulative_logsumexp([1, 2])

    def test_accumulate_n_and_invert_permutation(self):
        check(tf.math.accumulate_n([[1.0, 2.0], [3.0, 4.0]]), tf.float32, [4.0, 6.0])
        check(tf.math.invert_permutation([3, 4, 0, 2, 1]), tf.int32, [2, 4, 3, 0, 1])
        with raises(tf.errors.InvalidArgumentError, "3 is not between 0 and 3"):
            tf.math.invert_permutation([3, 3, 0])
        with raises(tf.errors.InvalidArgumentError, "invert_permutation expects a 1D vector."):
            tf.math.invert_permutation([[0]])
        with raises(tf.errors.InvalidArgumentError, "attr 'T' of float is not in the list"):
            tf.math.invert_permutation([0.0])

    def test_lgamma_and_digamma(self):
        x = [0.5, 1.0, 2.5, -1.5, 0.0, -1.0]
        check(tf.math.lgamma(x), tf.float32, [0.5723649859428406, 0.0, 0.2846829891204834,
                                              0.8600469827651978, INF, INF])
        check(tf.math.digamma(x), tf.float32, [-1.9635109901428223, -0.5772160291671753,
                                               0.7031570076942444, 0.7031570076942444, NAN,
                                               NAN], rtol=1e-6)
        g, = grads(tf.math.lgamma, [1.0, 2.0])
        np.testing.assert_allclose(g, [-0.5772157, 0.4227843], rtol=1e-6)
        with raises(tf.errors.InvalidArgumentError, "of int32 is not in the list"):
            tf.math.lgamma(1)
