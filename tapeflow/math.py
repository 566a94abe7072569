"""`tf.math`: re-exports of the math ops."""
from tapeflow.ops.elementwise import (acos, acosh, angle, asin, asinh, atan, atan2, atanh, conj,
                                      cosh, digamma, divide_no_nan, erf, erfc, is_non_decreasing,
                                      is_strictly_increasing, lgamma, log_sigmoid, multiply_no_nan,
                                      polyval, reciprocal_no_nan, rint, scalar_mul, sinh, xdivy,
                                      xlog1py, xlogy, zero_fraction)
from tapeflow.ops.elementwise import math_imag as imag
from tapeflow.ops.elementwise import math_real as real
from tapeflow.ops.math import (abs, accumulate_n, add, add_n, argmax, argmin, cast, ceil, cos,
                               divide, equal, exp, expm1, floor, floordiv, floormod, greater,
                               greater_equal,
                               is_finite, is_inf, is_nan, less, less_equal, log, log1p,
                               logical_and, logical_not, logical_or, logical_xor, maximum,
                               minimum, multiply, negative, not_equal, pow, reciprocal,
                               reduce_max, reduce_mean, reduce_min, reduce_sum, round, rsqrt,
                               sigmoid, sign, sin, sqrt, square, squared_difference, subtract,
                               tan, tanh, truediv)
from tapeflow.ops.nn import log_softmax, softmax, softplus, softsign
from tapeflow.ops.normalization import l2_normalize
from tapeflow.ops.reduction import (count_nonzero, cumprod, cumsum, cumulative_logsumexp,
                                    in_top_k, invert_permutation, reduce_all, reduce_any,
                                    reduce_euclidean_norm, reduce_logsumexp, reduce_prod,
                                    reduce_std, reduce_variance, top_k)
from tapeflow.ops.segment import (bincount, confusion_matrix, segment_max, segment_mean,
                                  segment_min, segment_prod, segment_sum, unsorted_segment_max,
                                  unsorted_segment_mean, unsorted_segment_min,
                                  unsorted_segment_prod, unsorted_segment_sqrt_n,
                                  unsorted_segment_sum)

mod = floormod

__all__ = [name for name in dir() if not name.startswith("_")]
