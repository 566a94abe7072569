"""TensorFlow behaviours of the math family, with expected values and errors taken
from TF 2.21 (each value below was printed by real TensorFlow)."""
import numpy as np
import pytest

import tapeflow as tf

NAN, INF = np.nan, np.inf


def check(tensor, dtype, expected, rtol=1e-6, atol=1e-7):
    assert tensor.dtype == dtype, f"dtype {tensor.dtype} != {dtype}"
    np.testing.assert_allclose(tensor.numpy(), np.asarray(expected), rtol=rtol, atol=atol)


def check5(tensor, dtype, expected, rtol=1e-5, atol=1e-5):
    """`check` for values printed by TF rounded to 5 decimals."""
    check(tensor, dtype, expected, rtol=rtol, atol=atol)


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


# -- linear algebra -----------------------------------------------------------------------------

class TestMatmul:
    def test_dtypes(self):
        check(tf.matmul(tf.constant([[1, 2]]), tf.constant([[3], [4]])), tf.int32, [[11]])
        check(tf.matmul(tf.constant([[1, 2]], tf.int64), tf.constant([[3], [4]], tf.int64)),
              tf.int64, [[11]])
        check(tf.matmul(tf.ones([1, 2, 2], tf.int16), tf.ones([1, 2, 2], tf.int16)), tf.int16,
              [[[2, 2], [2, 2]]])
        for dtype in (tf.int8, tf.int16, tf.bool):
            with raises(tf.errors.InvalidArgumentError, "is not in the list of allowed values"):
                tf.matmul(tf.ones([2, 2], dtype), tf.ones([2, 2], dtype))
        with raises(tf.errors.NotFoundError, "MatMul"):
            tf.matmul(tf.ones([2, 2], tf.uint8), tf.ones([2, 2], tf.uint8))
        check(tf.matmul(tf.ones([2, 2], tf.int8), tf.ones([2, 2], tf.int8),
                        output_type=tf.int32), tf.int32, [[2, 2], [2, 2]])

    def test_batch_broadcasting_and_gradients(self):
        assert tf.matmul(tf.ones([2, 1, 2, 3]), tf.ones([3, 3, 2])).shape == (2, 3, 2, 2)
        assert tf.matmul(tf.ones([4, 2, 3]), tf.ones([3, 5])).shape == (4, 2, 5)
        assert tf.matmul(tf.ones([1, 2, 3]), tf.ones([1, 2, 3]), adjoint_a=True).shape == \
            (1, 3, 3)
        ga, gb = grads(tf.matmul, np.ones((2, 1, 2, 3)), np.ones((3, 3, 2)))
        np.testing.assert_allclose(ga, np.full((2, 1, 2, 3), 6.0))
        np.testing.assert_allclose(gb, np.full((3, 3, 2), 4.0))
        check(tf.matmul(tf.constant([[1 + 1j]]), tf.constant([[1 + 1j]]), adjoint_a=True),
              tf.complex128, [[2 + 0j]])

    def test_errors(self):
        with raises(tf.errors.InvalidArgumentError, "In\\[0\\] ndims must be >= 2"):
            tf.matmul(tf.constant([1.0, 2.0]), tf.constant([[3.0], [4.0]]))
        with raises(tf.errors.InvalidArgumentError, "Matrix size-incompatible: In\\[0\\]: "
                                                    "\\[2,3\\], In\\[1\\]: \\[2,3\\]"):
            tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))
        with raises(tf.errors.InvalidArgumentError, "In\\[0\\] and In\\[1\\] must have "
                                                    "compatible batch dimensions: \\[2,2,3\\] vs."
                                                    " \\[3,3,2\\]"):
            tf.matmul(tf.ones([2, 2, 3]), tf.ones([3, 3, 2]))
        with raises(tf.errors.InvalidArgumentError, "Matrix size-incompatible: In\\[0\\]: "
                                                    "\\[1,2,3\\], In\\[1\\]: \\[1,2,3\\] 1 1"):
            tf.matmul(tf.ones([1, 2, 3]), tf.ones([1, 2, 3]), adjoint_b=True, adjoint_a=True)
        with raises(tf.errors.InvalidArgumentError, "In\\[1\\] ndims must be >= 2: 1 "
                                                    "\\[Op:BatchMatMulV2\\]"):
            tf.matmul(tf.ones([1, 2, 2]), tf.ones([2]))
        with raises(ValueError, "Only one of `transpose_a` and `adjoint_a` can be True."):
            tf.matmul(tf.ones([2, 2]), tf.ones([2, 2]), adjoint_a=True, transpose_a=True)


class TestEinsumTensordot:
    a = np.arange(6.0).reshape(2, 3).astype(np.float32)

    def test_einsum_forms(self):
        check(tf.einsum("ij,jk->ik", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("ij,jk", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("ij, jk -> ik", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("iJ,Jk->ik", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("ii", np.eye(3, dtype=np.float32)), tf.float32, 3.0)
        check(tf.einsum("ii->i", np.eye(3, dtype=np.float32)), tf.float32, [1, 1, 1])
        check(tf.einsum("ij,j->i", self.a, np.ones(3, np.float32)), tf.float32, [3, 12])
        check(tf.einsum("ij,jk,kl->il", self.a, self.a.T, self.a), tf.float32,
              [[42, 61, 80], [150, 214, 278]])
        check(tf.einsum("ij,jk->ik", tf.constant([[1, 2]]), tf.constant([[3], [4]])), tf.int32,
              [[11]])
        assert tf.einsum("...ij,...jk->...ik", np.ones((2, 2, 3), np.float32),
                         np.ones((2, 3, 4), np.float32)).shape == (2, 2, 4)
        assert tf.einsum("...ij,jk->...ik", np.ones((1, 2, 3), np.float32),
                         np.ones((3, 4), np.float32)).shape == (1, 2, 4)
        assert tf.einsum("...i,...i->...", np.ones((2, 1, 3), np.float32),
                         np.ones((4, 3), np.float32)).shape == (2, 4)

    def test_einsum_gradients(self):
        ga, gb = grads(lambda x, y: tf.einsum("ij,jk->ik", x, y), self.a, self.a.T)
        np.testing.assert_allclose(ga, [[3, 5, 7], [3, 5, 7]])
        np.testing.assert_allclose(gb, [[3, 3], [5, 5], [7, 7]])
        g, = grads(lambda x: tf.einsum("ii->i", x), np.ones((2, 2), np.float32))
        np.testing.assert_allclose(g, [[1, 0], [0, 1]])
        ga, gb = grads(lambda x, y: tf.einsum("...i,...i->...", x, y), np.ones((2, 1, 3)),
                       np.ones((4, 3)))
        np.testing.assert_allclose(ga, np.full((2, 1, 3), 4.0))
        np.testing.assert_allclose(gb, np.full((4, 3), 2.0))

    def test_einsum_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Expected dimension 3 at axis 0 of the "
                                                    "input shaped \\[2,3\\] but got dimension 2"):
            tf.einsum("ij,jk->ik", self.a, self.a)
        with raises(ValueError, "Output subscripts contain the label l not present in the "
                                "input subscripts."):
            tf.einsum("ij,jk->il", self.a, self.a.T)
        with raises(ValueError, 'Got 1 inputs for equation "ij,jk->ik", expecting 2'):
            tf.einsum("ij,jk->ik", self.a)
        with raises(ValueError, "Output subscripts contain a label appearing more than once: "
                                "ij->jj"):
            tf.einsum("ij->jj", self.a)
        with raises(tf.errors.InvalidArgumentError, "Expected input 1 to have rank 2 but got: 1"):
            tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3]))

    def test_tensordot(self):
        check(tf.tensordot(self.a, self.a.T, 1), tf.float32, [[5, 14], [14, 50]])
        check(tf.tensordot(self.a, self.a, [[1], [1]]), tf.float32, [[5, 14], [14, 50]])
        check(tf.tensordot(self.a, self.a, [1, 1]), tf.float32, [[5, 14], [14, 50]])
        check(tf.tensordot(self.a, self.a, [[-1], [-1]]), tf.float32, [[5, 14], [14, 50]])
        assert tf.tensordot(np.ones(2, np.float32), np.ones(3, np.float32), 0).shape == (2, 3)
        check(tf.tensordot(tf.constant([[1, 2]]), tf.constant([[3], [4]]), 1), tf.int32, [[11]])

    def test_tensordot_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Matrix size-incompatible"):
            tf.tensordot(self.a, self.a, 1)
        with raises(ValueError, "`axes` must not be larger than the number of dimensions of "
                                "tensor \\[\\[0. 1. 2.\\]\n \\[3. 4. 5.\\]\\].  Received 3, vs "
                                "tensor dimensions 2."):
            tf.tensordot(self.a, self.a, 3)
        with raises(ValueError, "`axes` must be at least 0. Received: -1."):
            tf.tensordot(self.a, self.a, -1)
        with raises(ValueError, "Different number of contraction axes `a` and `b`, 2 != 1."):
            tf.tensordot(self.a, self.a, [[0, 1], [1]])
        with raises(tf.errors.InvalidArgumentError, "cannot compute MatMul"):
            tf.tensordot(self.a, self.a.T.astype(np.float64), 1)


class TestNorms:
    a = np.array([[3.0, -4.0], [1.0, 2.0]], np.float32)

    def test_vector_norms(self):
        check5(tf.norm(self.a), tf.float32, 5.477230072021484)
        check5(tf.norm(self.a, axis=0), tf.float32, [3.1622800827026367, 4.472139835357666])
        check5(tf.norm(self.a, ord=1, axis=1), tf.float32, [7.0, 3.0])
        check5(tf.norm(self.a, ord=np.inf, axis=1), tf.float32, [4.0, 2.0])
        check5(tf.norm(self.a, ord=3, axis=1), tf.float32, [4.4979400634765625, 2.080080032348633])
        check5(tf.norm(self.a, ord=0.5, axis=1), tf.float32, [13.928199768066406, 5.82843017578125],
              rtol=1e-5)
        check5(tf.norm(self.a, ord=1), tf.float32, 10.0)
        check5(tf.norm(self.a, axis=1, keepdims=True), tf.float32, [[5.0], [2.236069917678833]])
        check5(tf.norm(self.a, keepdims=True), tf.float32, [[5.477230072021484]])
        check5(tf.norm(tf.constant([3, -4]), ord=1), tf.int32, 7)
        check5(tf.norm(tf.constant([3 + 4j])), tf.complex128, 5 + 0j)

    def test_matrix_norms(self):
        check5(tf.norm(self.a, ord="fro", axis=[0, 1]), tf.float32, 5.477230072021484)
        check5(tf.norm(self.a, axis=(0, 1)), tf.float32, 5.477230072021484)
        check5(tf.norm(self.a, ord=1, axis=[0, 1]), tf.float32, 6.0)
        check5(tf.norm(self.a, ord=np.inf, axis=[0, 1]), tf.float32, 7.0)
        check5(tf.norm(self.a, ord=2, axis=[0, 1]), tf.float32, 5.11667013168335)
        check5(tf.norm(np.stack([self.a, 2 * self.a]), ord=2, axis=[-2, -1]), tf.float32,
              [5.11667013168335, 10.233349800109863], rtol=1e-5)
        check5(tf.norm(self.a, ord=1, axis=[0, 1], keepdims=True), tf.float32, [[6.0]])
        cube = np.arange(24.0).reshape(2, 3, 4).astype(np.float32)
        check5(tf.norm(cube, ord=2, axis=[0, 2]), tf.float32,
              [27.278745651245117, 36.79500961303711, 47.10309600830078], rtol=1e-5)
        assert tf.norm(cube, ord=2, axis=[0, 2], keepdims=True).shape == (1, 3, 1)

    def test_norm_gradients(self):
        g, = grads(tf.norm, self.a)
        np.testing.assert_allclose(g, [[0.54772, -0.7303], [0.18257, 0.36515]], atol=1e-5)
        g, = grads(tf.norm, np.zeros(2, np.float32))
        assert np.isnan(g).all()
        g, = grads(lambda x: tf.norm(x, ord=1), self.a)
        np.testing.assert_allclose(g, [[1, -1], [1, 1]])
        g, = grads(lambda x: tf.norm(x, ord=np.inf, axis=1), self.a)
        np.testing.assert_allclose(g, [[0, -1], [0, 1]])
        g, = grads(lambda x: tf.norm(x, ord=1, axis=[0, 1]), self.a)
        np.testing.assert_allclose(g, [[0, -1], [0, 1]])
        g, = grads(lambda x: tf.norm(x, ord=2, axis=[0, 1]), self.a)
        np.testing.assert_allclose(g, [[0.51167, -0.8279], [-0.12079, 0.19544]], atol=1e-4)
        g, = grads(lambda x: tf.norm(x, ord=3), self.a)
        np.testing.assert_allclose(g, [[0.41774, -0.74265], [0.04642, 0.18566]], atol=1e-4)

    def test_norm_errors(self):
        for ord in (0, -1, "fro", "nuc"):
            with raises(ValueError, "'ord' must be a supported vector norm, got"):
                tf.norm(self.a, ord=ord, axis=1)
        with raises(ValueError, "'ord' must be a supported matrix norm in \\['euclidean', "
                                "'fro', 1, 2, inf\\], got 3"):
            tf.norm(self.a, ord=3, axis=[0, 1])
        with raises(ValueError, "'axis' must be None, an integer, or a tuple of 2 unique "
                                "integers, got \\[0, 1, 0\\]"):
            tf.norm(self.a, axis=[0, 1, 0])
        with raises(tf.errors.InvalidArgumentError, "Invalid reduction dimension \\(2 for input "
                                                    "with 2 dimension\\(s\\)"):
            tf.norm(self.a, axis=2)
        with raises(tf.errors.InvalidArgumentError, "\\[Op:Sqrt\\]"):
            tf.norm(tf.constant([3, 4]))


class TestMatrixStructure:
    def test_transposes(self):
        assert tf.linalg.matrix_transpose(np.ones((2, 3, 4))).shape == (2, 4, 3)
        check5(tf.linalg.matrix_transpose(tf.constant([[1 + 1j, 2]]), conjugate=True),
              tf.complex128, [[1 - 1j], [2 - 0j]])
        check5(tf.linalg.adjoint(tf.constant([[1 + 1j, 2]])), tf.complex128, [[1 - 1j], [2]])
        with raises(ValueError, "Argument `a` should be a \\(batch\\) matrix with rank >= 2."):
            tf.linalg.matrix_transpose(np.ones(3))
        check5(tf.linalg.matvec(np.arange(6.0).reshape(2, 3).astype(np.float32), [1.0, 2.0, 3.0]),
              tf.float32, [8.0, 26.0])
        check5(tf.linalg.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]), tf.float32, [0.0, 0.0, 1.0])

    def test_diag(self):
        check5(tf.linalg.diag([1.0, 2.0]), tf.float32, [[1, 0], [0, 2]])
        check5(tf.linalg.diag([[1.0, 2.0], [3.0, 4.0]]), tf.float32,
              [[[1, 0], [0, 2]], [[3, 0], [0, 4]]])
        check5(tf.linalg.diag([1.0, 2.0], k=1), tf.float32, [[0, 1, 0], [0, 0, 2], [0, 0, 0]])
        check5(tf.linalg.diag([1.0, 2.0], k=-1), tf.float32, [[0, 0, 0], [1, 0, 0], [0, 2, 0]])
        check5(tf.linalg.diag([1.0, 2.0], num_rows=3), tf.float32, [[1, 0], [0, 2], [0, 0]])
        check5(tf.linalg.diag([1.0, 2.0], k=1, padding_value=9), tf.float32,
              [[9, 1, 9], [9, 9, 2], [9, 9, 9]])
        check5(tf.linalg.diag([1, 2]), tf.int32, [[1, 0], [0, 2]])
        check5(tf.linalg.diag([[1.0, 2.0], [3.0, 0.0]], k=(0, 1)), tf.float32, [[3, 2], [0, 0]])
        with raises(tf.errors.InvalidArgumentError, "diagonal must be at least 1-dim, received "
                                                    "shape: \\[\\]"):
            tf.linalg.diag(1.0)
        g, = grads(lambda x: tf.linalg.diag(x) * np.arange(4.0).reshape(2, 2), [1.0, 2.0])
        np.testing.assert_allclose(g, [0.0, 3.0])

    def test_diag_part_trace_band(self):
        square = np.arange(9.0).reshape(3, 3)
        check5(tf.linalg.diag_part(np.arange(6.0).reshape(2, 3)), tf.float64, [0.0, 4.0])
        check5(tf.linalg.diag_part(square, k=1), tf.float64, [1.0, 5.0])
        check5(tf.linalg.diag_part(square, k=(-1, 1)), tf.float64,
              [[0, 1, 5], [0, 4, 8], [3, 7, 0]])
        check5(tf.linalg.trace(np.arange(6.0).reshape(2, 3)), tf.float64, 4.0)
        check5(tf.linalg.trace(np.arange(12).reshape(2, 2, 3)), tf.int64, [4, 16])
        with raises(tf.errors.InvalidArgumentError, "input must be at least 2-dim, received "
                                                    "shape: \\[3\\]"):
            tf.linalg.trace(np.arange(3.0))
        check5(tf.linalg.band_part(np.arange(16.0).reshape(4, 4), 1, -1), tf.float64,
              [[0, 1, 2, 3], [4, 5, 6, 7], [0, 9, 10, 11], [0, 0, 14, 15]])
        check5(tf.linalg.band_part(tf.constant(np.arange(9).reshape(3, 3)), 0, 0), tf.int64,
              [[0, 0, 0], [0, 4, 0], [0, 0, 8]])
        with raises(tf.errors.InvalidArgumentError, "num_lower must be negative or less or "
                                                    "equal to number of rows \\(3\\) got: 5"):
            tf.linalg.band_part(square, 5, 0)
        check5(tf.linalg.set_diag(square, [10.0, 20.0], k=1), tf.float64,
              [[0, 10, 2], [3, 4, 20], [6, 7, 8]])
        g, = grads(lambda x: tf.linalg.band_part(x, 0, 1), np.ones((2, 3)))
        np.testing.assert_allclose(g, [[1, 1, 0], [0, 1, 1]])


class TestInverseAndFactorizations:
    m = np.array([[4.0, 1.0], [2.0, 3.0]], np.float32)
    s = np.array([[4.0, 1.0], [1.0, 3.0]], np.float32)

    def test_inverse_determinant_solve(self):
        check5(tf.linalg.inv(self.m), tf.float32, [[0.3, -0.1], [-0.2, 0.4]])
        check5(tf.linalg.inv(self.m, adjoint=True), tf.float32, [[0.3, -0.2], [-0.1, 0.4]])
        check5(tf.linalg.det(self.m), tf.float32, 10.0)
        check5(tf.linalg.det(np.stack([self.m, self.s])), tf.float32, [10.0, 11.0])
        check5(tf.linalg.det(np.ones((0, 0), np.float32)), tf.float32, 1.0)
        sign, log_abs = tf.linalg.slogdet(np.array([[-4.0, 1.0], [2.0, 3.0]], np.float32))
        check5(sign, tf.float32, -1.0)
        check5(log_abs, tf.float32, 2.6390600204467773)
        check5(tf.linalg.slogdet(np.zeros((2, 2), np.float32)).log_abs_determinant, tf.float32,
              -INF)
        check5(tf.linalg.logdet(self.s), tf.float32, 2.397900104522705)
        check5(tf.linalg.solve(self.m, np.array([[1.0], [2.0]], np.float32)), tf.float32,
              [[0.1], [0.6]])
        check5(tf.linalg.solve(self.m, np.array([[1.0], [2.0]], np.float32), adjoint=True),
              tf.float32, [[-0.1], [0.7]])
        check5(tf.linalg.triangular_solve(np.array([[2.0, 0.0], [1.0, 1.0]], np.float32),
                                         np.array([[2.0], [2.0]], np.float32)), tf.float32,
              [[1.0], [1.0]])
        check5(tf.linalg.triangular_solve(np.array([[0.0, 0.0], [1.0, 1.0]], np.float32),
                                         np.array([[1.0], [1.0]], np.float32)), tf.float32,
              [[INF], [-INF]])
        check5(tf.linalg.cholesky_solve(tf.linalg.cholesky([[4.0, 2.0], [2.0, 5.0]]),
                                       [[1.0], [2.0]]), tf.float32, [[0.0625], [0.375]])

    def test_gradients(self):
        g, = grads(tf.linalg.inv, self.m)
        np.testing.assert_allclose(g, [[-0.02, -0.02], [-0.06, -0.06]], atol=1e-6)
        g, = grads(tf.linalg.det, self.m)
        np.testing.assert_allclose(g, [[3.0, -2.0], [-1.0, 4.0]], rtol=1e-6)
        g, = grads(lambda x: tf.linalg.slogdet(x)[1], self.m)
        np.testing.assert_allclose(g, [[0.3, -0.2], [-0.1, 0.4]], rtol=1e-6)
        ga, gb = grads(tf.linalg.solve, self.m, np.array([[1.0], [2.0]], np.float32))
        np.testing.assert_allclose(ga, [[-0.01, -0.06], [-0.03, -0.18]], atol=1e-6)
        np.testing.assert_allclose(gb, [[0.1], [0.3]], atol=1e-6)
        g, = grads(tf.linalg.cholesky, self.s)
        np.testing.assert_allclose(g, [[0.20634, 0.17462], [0.17462, 0.30151]], atol=1e-5)
        g, = grads(lambda x: tf.linalg.qr(x)[0], np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
        np.testing.assert_allclose(g, [[-0.35625, 0.0], [-0.10961, 0.0], [0.13702, 0.0]],
                                   atol=1e-5)
        g, = grads(tf.linalg.eigvalsh, self.s)
        np.testing.assert_allclose(g, [[1.0, 0.0], [0.0, 1.0]], atol=1e-6)

    def test_singular_matrices(self):
        with raises(tf.errors.InvalidArgumentError, "Input is not invertible."):
            tf.linalg.inv(np.zeros((2, 2), np.float32))
        check5(tf.linalg.det(np.zeros((2, 2), np.float32)), tf.float32, 0.0)
        with raises(tf.errors.InvalidArgumentError, "Input is not invertible."):
            grads(tf.linalg.det, np.zeros((2, 2), np.float32))
        with raises(tf.errors.InvalidArgumentError, "Input matrix is not invertible."):
            tf.linalg.solve(np.zeros((2, 2), np.float32), np.ones((2, 1), np.float32))
        chol = tf.linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)).numpy()
        assert np.isnan(chol[[0, 1, 1], [0, 0, 1]]).all() and chol[0, 1] == 0.0

    def test_shape_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Input matrix must be square."):
            tf.linalg.inv(np.ones((2, 3), np.float32))
        with raises(tf.errors.InvalidArgumentError, "Input tensor 0 must have rank >= 2, got 1"):
            tf.linalg.inv(np.ones(2, np.float32))
        with raises(tf.errors.InvalidArgumentError, "of int32 is not in the list"):
            tf.linalg.det(tf.constant([[1, 0], [0, 1]]))
        with raises(tf.errors.InvalidArgumentError, "All input tensors must have the same rank."):
            tf.linalg.solve(self.m, np.array([1.0, 2.0], np.float32))
        with raises(tf.errors.InvalidArgumentError, "Input matrix and rhs are incompatible."):
            tf.linalg.solve(self.m, np.ones((3, 1), np.float32))
        with raises(tf.errors.InvalidArgumentError, "All input tensors must have the same outer "
                                                    "dimensions."):
            tf.linalg.solve(np.ones((2, 2, 2), np.float32), np.ones((3, 2, 1), np.float32))
        with raises(tf.errors.NotFoundError, "Cholesky"):
            tf.linalg.cholesky(tf.constant([[4.0, 2.0], [2.0, 5.0]], tf.float16))

    def test_factorization_values(self):
        check5(tf.linalg.cholesky(self.s), tf.float32, [[2.0, 0.0], [0.5, 1.658310055732727]])
        # only the lower triangle is read
        check5(tf.linalg.cholesky([[4.0, 100.0], [1.0, 3.0]]), tf.float32,
              [[2.0, 0.0], [0.5, 1.658310055732727]])
        q, r = tf.linalg.qr(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32))
        check5(q, tf.float32, [[-0.16903, 0.89709], [-0.50709, 0.27603], [-0.84515, -0.34503]],
              atol=1e-5)
        check5(r, tf.float32, [[-5.91608, -7.43736], [0.0, 0.82808]], atol=1e-5)
        q, r = tf.linalg.qr(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), full_matrices=True)
        assert q.shape == (3, 3) and r.shape == (3, 2)
        e, v = tf.linalg.eigh(self.s)
        check5(e, tf.float32, [2.381969928741455, 4.618030071258545])
        np.testing.assert_allclose(np.abs(v.numpy()), [[0.52573, 0.85065], [0.85065, 0.52573]],
                                   atol=1e-5)
        check5(tf.linalg.svd(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32),
                            compute_uv=False), tf.float32, [9.525520324707031, 0.5142999887466431])
        check5(tf.linalg.pinv(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)),
              tf.float32, [[-1.33334, -0.33333, 0.66667], [1.08333, 0.33333, -0.41667]],
              atol=1e-4)

    def test_decompositions_reconstruct(self):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((2, 4, 3))
        s, u, v = tf.linalg.svd(a)
        np.testing.assert_allclose((u.numpy() * s.numpy()[:, None, :]) @
                                   np.swapaxes(v.numpy(), -1, -2), a, atol=1e-12)
        q, r = tf.linalg.qr(a)
        np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-12)
        sym = a @ np.swapaxes(a, -1, -2) + np.eye(4)
        e, v = tf.linalg.eigh(sym)
        np.testing.assert_allclose(v.numpy() @ (e.numpy()[:, :, None] *
                                                np.swapaxes(v.numpy(), -1, -2)), sym, atol=1e-10)
        chol = tf.linalg.cholesky(sym).numpy()
        np.testing.assert_allclose(chol @ np.swapaxes(chol, -1, -2), sym, atol=1e-10)


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


class TestLinalgComposites:
    a = np.array([[3.0, -4.0], [1.0, 2.0]], np.float32)
    b = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], np.float32)

    def test_normalize(self):
        unit, magnitude = tf.linalg.normalize(self.a, axis=1)
        check5(unit, tf.float32, [[0.6, -0.8], [0.44721, 0.89443]])
        check5(magnitude, tf.float32, [[5.0], [2.23607]])
        unit, magnitude = tf.linalg.normalize(self.a, ord=1, axis=0)
        check5(unit, tf.float32, [[0.75, -0.66667], [0.25, 0.33333]])
        check5(magnitude, tf.float32, [[4.0, 6.0]])

    def test_matrix_rank(self):
        check(tf.linalg.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)), tf.int32, 1)
        check(tf.linalg.matrix_rank(np.stack([self.a, np.zeros((2, 2), np.float32)])),
              tf.int32, [2, 0])
        check(tf.linalg.matrix_rank(self.a, tol=5.0), tf.int32, 1)

    def test_tensor_diag(self):
        assert tf.linalg.tensor_diag([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 2, 2, 2)
        check(tf.linalg.tensor_diag([1.0, 2.0]), tf.float32, [[1, 0], [0, 2]])
        check(tf.linalg.tensor_diag_part(np.arange(16.0).reshape(2, 2, 2, 2)), tf.float64,
              [[0, 5], [10, 15]])
        with raises(tf.errors.InvalidArgumentError, "The rank of the tensor should be even "
                                                    "and positive, got shape \\[2,2,2\\]"):
            tf.linalg.tensor_diag_part(np.arange(8.0).reshape(2, 2, 2))
        with raises(tf.errors.InvalidArgumentError, "Invalid shape \\[2,3\\]: dimensions 0 and "
                                                    "1 do not match."):
            tf.linalg.tensor_diag_part(np.arange(6.0).reshape(2, 3))

    def test_lstsq(self):
        rhs = np.array([[1.0], [2.0], [3.0]], np.float32)
        check5(tf.linalg.lstsq(self.b, rhs), tf.float32, [[-0.07143], [0.5]])
        check5(tf.linalg.lstsq(self.b, rhs, l2_regularizer=0.5), tf.float32,
               [[0.15095], [0.33962]])
        check5(tf.linalg.lstsq(self.b.T, np.array([[1.0], [2.0]], np.float32)), tf.float32,
               [[0.92857], [-0.21428], [0.14286]])
        check5(tf.linalg.lstsq(self.b, rhs, fast=False), tf.float32, [[-0.07143], [0.5]])
        check(tf.linalg.eye(2), tf.float32, [[1, 0], [0, 1]])
