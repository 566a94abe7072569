"""Cases for tapeflow.ops.math: arithmetic, comparisons, reductions, matmul."""
import math

import numpy as np

import tapeflow as tf
from tapeflow.core.dispatch import apply
from tapeflow.ops.elementwise import Trigamma
from tests.ops.cases import Case, away_from, inputs, normal, uniform

F32_F64 = ("float32", "float64")


def _ints(low, high, *shape):
    return lambda rng: rng.integers(low, high, shape).astype(np.int32)


def _bools(*shape):
    return lambda rng: rng.random(shape) > 0.5


CASES = [
    # -- binary arithmetic (second order for the elementwise ops) --
    Case("AddV2", tf.add, inputs(normal(2, 3), normal(3)), np.add, order=2),
    Case("AddV2", lambda x, y: x + y, inputs(_ints(-5, 5, 4), _ints(-5, 5, 4)),
         lambda x, y: x + y, grad=False, label="int32"),
    Case("Sub", tf.subtract, inputs(normal(2, 1), normal(1, 3)), np.subtract, order=2),
    Case("Mul", tf.multiply, inputs(normal(2, 3), normal(2, 3)), np.multiply, order=2),
    Case("Mul", lambda x: x * 2.5, inputs(normal(3)), lambda x: x * x.dtype.type(2.5),
         label="scalar"),
    Case("RealDiv", tf.divide, inputs(normal(2, 3), uniform(0.5, 2.0, 3)), np.true_divide,
         order=2),
    Case("RealDiv", tf.divide, inputs(_ints(-5, 5, 4), _ints(1, 5, 4)),
         lambda x, y: x.astype(np.float64) / y.astype(np.float64), grad=False,
         label="int32_to_float64"),
    Case("FloorDiv", lambda x, y: x // y, inputs(_ints(-9, 9, 6), _ints(1, 4, 6)),
         np.floor_divide, grad=False),
    Case("FloorDiv", tf.math.floordiv, inputs(normal(5), uniform(0.5, 2, 5)),
         lambda x, y: np.floor(x / y), grad=False, label="float"),
    Case("FloorMod", tf.math.floormod, inputs(uniform(-5, 5, 6), uniform(0.7, 2.0, 6)),
         np.mod),
    Case("Pow", tf.pow, inputs(uniform(0.5, 2.0, 2, 3), uniform(-1.5, 1.5, 3)), np.power,
         order=2),
    Case("Maximum", tf.maximum, inputs(normal(3, 4), normal(4)), np.maximum, order=2),
    Case("Minimum", tf.minimum, inputs(normal(3, 4), normal(4)), np.minimum, order=2),
    Case("SquaredDifference", tf.math.squared_difference, inputs(normal(2, 3), normal(3)),
         lambda x, y: (x - y) ** 2, order=2),
    # -- unary --
    Case("Neg", tf.negative, inputs(normal(2, 3)), np.negative, order=2),
    Case("Abs", tf.abs, inputs(away_from([0.0], 2, 3)), np.abs, order=2),
    Case("Sign", tf.sign, inputs(away_from([0.0], 5)), np.sign),
    Case("Square", tf.square, inputs(normal(2, 3)), np.square, order=2),
    Case("Sqrt", tf.sqrt, inputs(uniform(0.5, 3, 2, 3)), np.sqrt, order=2),
    Case("Rsqrt", tf.math.rsqrt, inputs(uniform(0.5, 3, 2, 3)), lambda x: 1 / np.sqrt(x),
         order=2),
    Case("Exp", tf.exp, inputs(normal(2, 3)), np.exp, order=2),
    Case("Expm1", tf.math.expm1, inputs(normal(2, 3)), np.expm1, order=2),
    Case("Log", tf.math.log, inputs(uniform(0.5, 3, 2, 3)), np.log, order=2),
    Case("Log1p", tf.math.log1p, inputs(uniform(-0.5, 3, 2, 3)), np.log1p, order=2),
    Case("Sin", tf.math.sin, inputs(normal(2, 3)), np.sin, order=2),
    Case("Cos", tf.math.cos, inputs(normal(2, 3)), np.cos, order=2),
    Case("Tan", tf.math.tan, inputs(uniform(-1.2, 1.2, 2, 3)), np.tan, order=2),
    Case("Tanh", tf.tanh, inputs(normal(2, 3)), np.tanh, order=2),
    Case("Sigmoid", tf.sigmoid, inputs(uniform(-8, 8, 2, 3)), lambda x: 1 / (1 + np.exp(-x)),
         order=2),
    Case("Reciprocal", tf.math.reciprocal, inputs(uniform(0.5, 2, 2, 3)), np.reciprocal,
         order=2),
    Case("Floor", tf.math.floor, inputs(uniform(-3, 3, 6)), np.floor, grad=False),
    Case("Ceil", tf.math.ceil, inputs(uniform(-3, 3, 6)), np.ceil, grad=False),
    Case("Round", tf.math.round, inputs(lambda rng: np.array([0.5, 1.5, 2.5, -0.5, -1.7])),
         np.round, grad=False),
    Case("IsNan", tf.math.is_nan, inputs(lambda rng: np.array([0.0, np.nan, np.inf])),
         np.isnan, grad=False),
    Case("IsFinite", tf.math.is_finite, inputs(lambda rng: np.array([0.0, np.nan, np.inf])),
         np.isfinite, grad=False),
    Case("IsInf", tf.math.is_inf, inputs(lambda rng: np.array([0.0, np.nan, -np.inf])),
         np.isinf, grad=False),
    # -- comparisons and logic --
    Case("Equal", tf.equal, inputs(_ints(0, 3, 6), _ints(0, 3, 6)), np.equal, grad=False),
    Case("NotEqual", tf.not_equal, inputs(_ints(0, 3, 6), _ints(0, 3, 6)), np.not_equal,
         grad=False),
    Case("Less", tf.less, inputs(normal(2, 3), normal(3)), np.less, grad=False),
    Case("LessEqual", tf.less_equal, inputs(normal(2, 3), normal(3)), np.less_equal,
         grad=False),
    Case("Greater", tf.greater, inputs(normal(2, 3), normal(3)), np.greater, grad=False),
    Case("GreaterEqual", tf.greater_equal, inputs(normal(2, 3), normal(3)), np.greater_equal,
         grad=False),
    Case("LogicalAnd", tf.logical_and, inputs(_bools(4), _bools(4)), np.logical_and,
         grad=False),
    Case("LogicalOr", tf.logical_or, inputs(_bools(4), _bools(4)), np.logical_or, grad=False),
    Case("LogicalNot", tf.logical_not, inputs(_bools(4)), np.logical_not, grad=False),
    # -- selection --
    Case("SelectV2", tf.where, inputs(_bools(2, 3), normal(2, 3), normal(3)), np.where,
         wrt=(1, 2), order=2),
    Case("Where", tf.where, inputs(_bools(3, 2)),
         lambda c: np.argwhere(c).astype(np.int64), grad=False),
    # -- reductions --
    Case("Sum", lambda x: tf.reduce_sum(x, axis=1), inputs(normal(2, 3, 4)),
         lambda x: x.sum(axis=1), order=2),
    Case("Sum", lambda x: tf.reduce_sum(x, axis=[0, 2], keepdims=True), inputs(normal(2, 3, 4)),
         lambda x: x.sum(axis=(0, 2), keepdims=True), label="keepdims"),
    Case("Mean", lambda x: tf.reduce_mean(x, axis=-1), inputs(normal(2, 3, 4)),
         lambda x: x.mean(axis=-1), order=2),
    Case("Mean", tf.reduce_mean, inputs(_ints(-9, 9, 5)),
         lambda x: np.array(int(np.trunc(x.sum() / x.size)), dtype=np.int32), grad=False,
         label="int_truncates"),
    Case("Max", lambda x: tf.reduce_max(x, axis=0), inputs(normal(4, 3)),
         lambda x: x.max(axis=0)),
    Case("Max", tf.reduce_max, inputs(lambda rng: np.array([1.0, 3.0, 3.0, 2.0])),
         lambda x: x.max(), label="ties_split"),
    Case("Min", lambda x: tf.reduce_min(x, axis=1, keepdims=True), inputs(normal(4, 3)),
         lambda x: x.min(axis=1, keepdims=True)),
    Case("ArgMax", lambda x: tf.argmax(x, axis=1), inputs(normal(4, 3)),
         lambda x: x.argmax(axis=1), grad=False),
    Case("ArgMin", lambda x: tf.argmin(x), inputs(normal(4, 3)),
         lambda x: x.argmin(axis=0), grad=False),
    # -- matmul, cast, add_n --
    Case("MatMul", tf.matmul, inputs(normal(2, 3), normal(3, 4)), np.matmul, order=2),
    Case("MatMul", lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
         inputs(normal(3, 2), normal(4, 3)), lambda a, b: a.T @ b.T, label="transposed"),
    Case("BatchMatMulV2", lambda a, b: tf.matmul(a, b, transpose_b=True),
         inputs(normal(5, 2, 3), normal(4, 3)), lambda a, b: a @ b.T, order=2),
    Case("BatchMatMulV2", lambda a, b: tf.linalg.matmul(a, b, adjoint_a=True),
         inputs(normal(2, 1, 3, 2), normal(3, 3, 4)),
         lambda a, b: np.swapaxes(a, -1, -2) @ b, label="broadcast_batch"),
    Case("MatMul", lambda a, b: tf.matmul(a, b), inputs(_ints(-5, 5, 2, 3), _ints(-5, 5, 3, 2)),
         np.matmul, grad=False, label="int32"),
    Case("Cast", lambda x: tf.cast(x, tf.float64), inputs(normal(2, 3)),
         lambda x: x.astype(np.float64), dtypes=("float32",), order=2),
    Case("Cast", lambda x: tf.cast(x, tf.int32), inputs(uniform(-3, 3, 6)),
         lambda x: x.astype(np.int32), grad=False, label="to_int_truncates"),
    Case("AddN", lambda a, b, c: tf.add_n([a, b, c]), inputs(normal(2, 3), normal(2, 3),
                                                             normal(2, 3)),
         lambda a, b, c: a + b + c, order=2),
]


# -- ops/elementwise.py: independent references (erf/erfc from Python's libm) --------

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _like(fn):
    """A reference computed in float64 and returned in the input's dtype."""
    return lambda x: fn(x.astype(np.float64)).astype(x.dtype)


def _with_zeros(*shape):
    def make(rng):
        x = rng.standard_normal(shape)
        x.reshape(-1)[::3] = 0.0
        return x
    return make


def _complex_dtype(x):
    return np.complex64 if x.dtype == np.float32 else np.complex128


def _c(re, im):
    return (re + 1j * im).astype(_complex_dtype(re))


def _trunc_div(x, y):
    q = np.abs(x) // np.abs(y)
    return (np.sign(x) * np.sign(y) * q).astype(x.dtype)


CASES += [
    Case("Asin", tf.math.asin, inputs(uniform(-0.9, 0.9, 2, 3)), np.arcsin, order=2),
    Case("Acos", tf.math.acos, inputs(uniform(-0.9, 0.9, 2, 3)), np.arccos, order=2),
    Case("Atan", tf.math.atan, inputs(normal(2, 3)), np.arctan, order=2),
    Case("Sinh", tf.math.sinh, inputs(normal(2, 3)), np.sinh, order=2),
    Case("Cosh", tf.math.cosh, inputs(normal(2, 3)), np.cosh, order=2),
    Case("Asinh", tf.math.asinh, inputs(normal(2, 3)), np.arcsinh, order=2),
    Case("Acosh", tf.math.acosh, inputs(uniform(1.2, 4, 2, 3)), np.arccosh, order=2),
    Case("Atanh", tf.math.atanh, inputs(uniform(-0.9, 0.9, 2, 3)), np.arctanh, order=2),
    Case("Atan2", tf.math.atan2, inputs(normal(2, 3), away_from([0.0], 3)), np.arctan2,
         order=2),
    Case("Erf", tf.math.erf, inputs(normal(3, 4)), _like(_erf), order=2),
    Case("Erf", tf.math.erf, inputs(lambda rng: np.array([-6.0, -3.5, -0.3, 1e-9, 0.46875,
                                                          0.47, 2.0, 4.0, 4.1, 9.0, 30.0])),
         _like(_erf), grad=False, label="all_intervals"),
    Case("Erfc", tf.math.erfc, inputs(normal(3, 4)), _like(_erfc), order=2),
    Case("Erfc", tf.math.erfc, inputs(lambda rng: np.array([-6.0, -0.3, 0.2, 0.5, 3.0, 4.5,
                                                           9.0, 26.0, 27.0])),
         _like(_erfc), grad=False, label="tails"),
    Case("Rint", tf.math.rint, inputs(lambda rng: np.array([0.5, 1.5, 2.5, -0.5, -1.7, 3.2])),
         np.rint, grad=False),
    Case("Xlogy", tf.math.xlogy, inputs(normal(2, 3), uniform(0.5, 2.0, 3)),
         lambda x, y: x * np.log(y), order=2),
    Case("Xlogy", tf.math.xlogy, inputs(_with_zeros(6), uniform(0.0, 2.0, 6)),
         lambda x, y: np.where(x == 0, 0, x * np.log(np.where(y == 0, 1, y))).astype(x.dtype),
         grad=False, label="zeros"),
    Case("Xlog1py", tf.math.xlog1py, inputs(normal(2, 3), uniform(-0.5, 2.0, 3)),
         lambda x, y: x * np.log1p(y), order=2),
    Case("Xdivy", tf.math.xdivy, inputs(normal(2, 3), uniform(0.5, 2.0, 2, 3)),
         lambda x, y: x / y, order=2),
    Case("Xdivy", tf.math.xdivy, inputs(_with_zeros(6), _with_zeros(6)),
         lambda x, y: np.where(x == 0, 0, x / np.where(y == 0, 1, y)).astype(x.dtype) +
         np.where((x != 0) & (y == 0), np.where(x > 0, np.inf, -np.inf), 0).astype(x.dtype),
         grad=False, label="zeros"),
    Case("DivNoNan", tf.math.divide_no_nan, inputs(normal(2, 3), uniform(0.5, 2.0, 3)),
         lambda x, y: x / y, order=2),
    Case("DivNoNan", tf.math.divide_no_nan, inputs(normal(6), _with_zeros(6)),
         lambda x, y: np.where(y == 0, 0, x / np.where(y == 0, 1, y)).astype(x.dtype),
         grad=False, label="zeros"),
    Case("DivNoNan", tf.math.reciprocal_no_nan, inputs(_with_zeros(6)),
         lambda x: np.where(x == 0, 0, 1 / np.where(x == 0, 1, x)).astype(x.dtype),
         grad=False, label="reciprocal"),
    Case("MulNoNan", tf.math.multiply_no_nan, inputs(normal(2, 3), normal(3)), np.multiply,
         order=2),
    Case("MulNoNan", tf.math.multiply_no_nan,
         inputs(lambda rng: np.array([np.inf, np.nan, 2.0, np.inf]),
                lambda rng: np.array([0.0, 0.0, 3.0, 2.0])),
         lambda x, y: np.array([0.0, 0.0, 6.0, np.inf], x.dtype), grad=False, label="inf_nan"),
    Case("TruncateDiv", tf.truncatediv, inputs(_ints(-20, 20, 12), _ints(1, 6, 12)),
         _trunc_div, grad=False),
    Case("TruncateDiv", tf.truncatediv, inputs(_ints(-20, 20, 12), _ints(-6, -1, 12)),
         _trunc_div, grad=False, label="negative_divisor"),
    Case("TruncateDiv", tf.truncatediv, inputs(uniform(-9, 9, 8), uniform(0.5, 3, 8)),
         lambda x, y: np.trunc(x / y), grad=False, label="float"),
    Case("TruncateMod", tf.truncatemod, inputs(_ints(-20, 20, 12), _ints(1, 6, 12)),
         lambda x, y: (x - _trunc_div(x, y) * y).astype(x.dtype), grad=False),
    Case("TruncateMod", tf.truncatemod, inputs(_ints(-20, 20, 12), _ints(-6, -1, 12)),
         lambda x, y: (x - _trunc_div(x, y) * y).astype(x.dtype), grad=False,
         label="negative_divisor"),
    Case("TruncateMod", tf.truncatemod, inputs(uniform(-9, 9, 8), uniform(0.5, 3, 8)),
         lambda x, y: x - np.trunc(x / y) * y, grad=False, label="float", atol=1e-5),
    Case("Complex", tf.complex, inputs(normal(2, 3), normal(3)), lambda re, im: _c(re, im),
         grad=False),
    Case("Complex", lambda re, im: tf.math.imag(tf.complex(re, im) + tf.complex(im, re)),
         inputs(normal(2, 3), normal(3)), lambda re, im: re + im, order=2, label="grad"),
    Case("Real", lambda re, im: tf.math.real(tf.complex(re, im)), inputs(normal(2, 3),
                                                                       normal(2, 3)),
         lambda re, im: re, order=2),
    Case("Imag", lambda re, im: tf.math.imag(tf.complex(re, im)), inputs(normal(2, 3),
                                                                       normal(3)),
         lambda re, im: np.broadcast_to(im, (2, 3)), order=2),
    Case("Conj", lambda re, im: tf.math.imag(tf.math.conj(tf.complex(re, im))),
         inputs(normal(2, 3), normal(2, 3)), lambda re, im: -im, order=2),
    Case("ComplexAbs", lambda re, im: tf.abs(tf.complex(re, im)),
         inputs(normal(2, 3), normal(2, 3)), lambda re, im: np.hypot(re, im), order=2),
]


# -- ops/reduction.py -------------------------------------------------------------------

def _nonzero(*shape):
    return lambda rng: rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)


def _sparse(*shape):
    """Values with exact zeros: one row without, one with one zero, one with two."""
    def make(rng):
        x = rng.uniform(0.5, 1.5, shape)
        x[1, 0] = 0.0
        x[2, 1:3] = 0.0
        return x
    return make


def _exclusive_scan(fn, identity):
    def ref(x, axis=0, exclusive=False, reverse=False):
        y = np.flip(x, axis) if reverse else x
        out = fn(y, axis=axis, dtype=x.dtype)
        if exclusive:
            out = np.roll(out, 1, axis=axis)
            index = [slice(None)] * x.ndim
            index[axis] = 0
            out[tuple(index)] = identity
        return np.flip(out, axis) if reverse else out
    return ref


_cumsum = _exclusive_scan(np.cumsum, 0)
_cumprod = _exclusive_scan(np.cumprod, 1)


def _top_k_ref(x, k):
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return [np.take_along_axis(x, order, axis=-1), order.astype(np.int32)]


def _in_top_k_ref(predictions, targets, k):
    target = predictions[np.arange(len(targets)), targets]
    return (predictions > target[:, None]).sum(axis=1) < k


CASES += [
    Case("Prod", lambda x: tf.reduce_prod(x, axis=1), inputs(_nonzero(3, 4)),
         lambda x: x.prod(axis=1), order=2),
    Case("Prod", lambda x: tf.reduce_prod(x, axis=[0, 2], keepdims=True),
         inputs(_nonzero(2, 3, 2)), lambda x: x.prod(axis=(0, 2), keepdims=True),
         label="axes_keepdims", order=2),
    Case("Prod", lambda x: tf.reduce_prod(x, axis=1), inputs(_sparse(3, 4)),
         lambda x: x.prod(axis=1), label="zeros"),
    Case("Prod", tf.reduce_prod, inputs(_ints(-3, 4, 5)),
         lambda x: np.prod(x, dtype=np.int32), grad=False, label="int32"),
    Case("EuclideanNorm", lambda x: tf.math.reduce_euclidean_norm(x, axis=-1),
         inputs(normal(3, 4)), lambda x: np.sqrt((x * x).sum(axis=-1)), order=2),
    Case("EuclideanNorm", tf.math.reduce_euclidean_norm, inputs(_ints(-5, 5, 6)),
         lambda x: np.int32(np.sqrt((x.astype(np.float64) ** 2).sum())), grad=False,
         label="int32_truncates"),
    Case("All", lambda x: tf.reduce_all(x, axis=1), inputs(_bools(3, 4)),
         lambda x: x.all(axis=1), grad=False),
    Case("Any", lambda x: tf.reduce_any(x, axis=0, keepdims=True), inputs(_bools(3, 4)),
         lambda x: x.any(axis=0, keepdims=True), grad=False),
    Case("Cumsum", lambda x: tf.cumsum(x, axis=1), inputs(normal(3, 4)),
         lambda x: _cumsum(x, 1), order=2),
    Case("Cumsum", lambda x: tf.cumsum(x, exclusive=True, reverse=True), inputs(normal(4, 2)),
         lambda x: _cumsum(x, 0, True, True), order=2, label="exclusive_reverse"),
    Case("Cumsum", lambda x: tf.cumsum(x, axis=-1, exclusive=True), inputs(_ints(-9, 9, 2, 5)),
         lambda x: _cumsum(x, 1, True), grad=False, label="int32"),
    Case("Cumprod", lambda x: tf.math.cumprod(x, axis=1), inputs(_nonzero(2, 4)),
         lambda x: _cumprod(x, 1), order=2),
    Case("Cumprod", lambda x: tf.math.cumprod(x, exclusive=True, reverse=True),
         inputs(_nonzero(4, 2)), lambda x: _cumprod(x, 0, True, True), order=2,
         label="exclusive_reverse"),
    Case("TopKV2", lambda x: list(tf.math.top_k(x, k=3)), inputs(normal(2, 5)),
         lambda x: _top_k_ref(x, 3), grad=False),
    Case("TopKV2", lambda x: tf.math.top_k(x, k=2).values, inputs(normal(3, 4)),
         lambda x: _top_k_ref(x, 2)[0], order=2, label="values_grad"),
    Case("TopKV2", lambda x: list(tf.math.top_k(x, k=2)),
         inputs(lambda rng: np.array([[2, 1, 2, 2], [-5, 7, 7, 0]], np.int32)),
         lambda x: [np.array([[2, 2], [7, 7]], np.int32), np.array([[0, 2], [1, 2]], np.int32)],
         grad=False, label="ties_lower_index_first"),
    Case("InTopKV2", lambda p, t: tf.math.in_top_k(t, p, 2),
         inputs(lambda rng: rng.standard_normal((5, 4)).astype(np.float32),
                lambda rng: rng.integers(0, 4, 5).astype(np.int32)),
         lambda p, t: _in_top_k_ref(p, t, 2), dtypes=("float32",), grad=False),
]


# -- ops/clip.py ---------------------------------------------------------------------------

def _clip_inputs(rng):
    x = rng.uniform(-3, 3, (3, 4))
    low = rng.uniform(-1.5, -0.5, (4,))
    high = rng.uniform(0.5, 1.5, ())
    # keep values away from the bounds, where the function has kinks
    x[np.abs(x - low) < 0.05] += 0.2
    x[np.abs(x - high) < 0.05] += 0.2
    return [x, low, high]


CASES += [
    Case("ClipByValue", tf.clip_by_value, _clip_inputs,
         lambda x, low, high: np.minimum(np.maximum(x, low), high), order=2),
    Case("ClipByValue", lambda x: tf.clip_by_value(x, 2, 7), inputs(_ints(-5, 12, 8)),
         lambda x: np.clip(x, 2, 7).astype(np.int32), grad=False, label="int32"),
]


# -- ops/segment.py ------------------------------------------------------------------------

_IDS = np.array([0, 3, 0, -1, 3, 1], np.int32)       # segment 2 empty, row 3 dropped
_SORTED_IDS = np.array([0, 0, 1, 3, 3, 3], np.int32)  # segment 2 empty
_FULL_IDS = np.array([2, 0, 1, 2, -1, 0], np.int32)   # every segment used


def _segment_ref(fn, ids, num, empty):
    def ref(data):
        out = np.full((num,) + data.shape[1:], empty, dtype=data.dtype)
        for s in range(num):
            rows = data[ids == s]
            if len(rows):
                out[s] = fn(rows, axis=0)
        return out
    return ref


def _segment_data(rng):
    return [rng.standard_normal((6, 2))]


def _segment_data_with_zeros(rng):
    x = rng.uniform(0.5, 1.5, (6, 2))
    x[0, 0] = 0.0          # one zero in segment 0 (column 0)
    x[1, 1] = x[4, 1] = 0.0  # zeros in two segments of column 1
    x[5, 1] = 0.0
    return [x]


def _unsorted_case(op, fn, np_fn, empty, **kwargs):
    return Case(op, lambda d: fn(d, tf.constant(_IDS), 4), _segment_data,
                _segment_ref(np_fn, _IDS, 4, empty), **kwargs)


def _sorted_case(op, fn, np_fn, **kwargs):
    return Case(op, lambda d: fn(d, tf.constant(_SORTED_IDS)), _segment_data,
                _segment_ref(np_fn, _SORTED_IDS, 4, 0), **kwargs)


CASES += [
    _unsorted_case("UnsortedSegmentSum", tf.math.unsorted_segment_sum, np.sum, 0, order=2),
    Case("UnsortedSegmentSum", lambda d, i: tf.math.unsorted_segment_sum(d, i, 3),
         inputs(_ints(-5, 5, 2, 3), lambda rng: np.array([[0, 2, 2], [-1, 0, 1]], np.int32)),
         lambda d, i: np.array([d[0, 0] + d[1, 1], d[1, 2], d[0, 1] + d[0, 2]], np.int32),
         grad=False, label="int32_2d_ids"),
    # An empty segment holds the dtype's lowest (highest) value, too large for the
    # finite-difference check: that runs on ids without empty segments.
    Case("UnsortedSegmentMax", lambda d: tf.math.unsorted_segment_max(d, tf.constant(_IDS), 4),
         _segment_data, lambda d: _segment_ref(np.max, _IDS, 4, np.finfo(d.dtype).min)(d),
         grad=False, label="empty_segment"),
    Case("UnsortedSegmentMax",
         lambda d: tf.math.unsorted_segment_max(d, tf.constant(_FULL_IDS), 3), _segment_data,
         _segment_ref(np.max, _FULL_IDS, 3, 0), order=2),
    Case("UnsortedSegmentMin", lambda d: tf.math.unsorted_segment_min(d, tf.constant(_IDS), 4),
         _segment_data, lambda d: _segment_ref(np.min, _IDS, 4, np.finfo(d.dtype).max)(d),
         grad=False, label="empty_segment"),
    Case("UnsortedSegmentMin",
         lambda d: tf.math.unsorted_segment_min(d, tf.constant(_FULL_IDS), 3), _segment_data,
         _segment_ref(np.min, _FULL_IDS, 3, 0), order=2),
    _unsorted_case("UnsortedSegmentProd", tf.math.unsorted_segment_prod, np.prod, 1, order=2),
    Case("UnsortedSegmentProd", lambda d: tf.math.unsorted_segment_prod(d, tf.constant(_IDS), 4),
         _segment_data_with_zeros, _segment_ref(np.prod, _IDS, 4, 1), label="zeros"),
    Case("UnsortedSegmentSum",
         lambda d: tf.math.unsorted_segment_mean(d, tf.constant(_IDS), 4), _segment_data,
         _segment_ref(np.mean, _IDS, 4, 0), order=2, label="mean"),
    Case("UnsortedSegmentSum",
         lambda d: tf.math.unsorted_segment_sqrt_n(d, tf.constant(_IDS), 4), _segment_data,
         _segment_ref(lambda r, axis: r.sum(axis) / np.sqrt(len(r)), _IDS, 4, 0), order=2,
         label="sqrt_n"),
    _sorted_case("SegmentSum", tf.math.segment_sum, np.sum, order=2),
    _sorted_case("SegmentMean", tf.math.segment_mean, np.mean, order=2),
    _sorted_case("SegmentMax", tf.math.segment_max, np.max, order=2),
    _sorted_case("SegmentMin", tf.math.segment_min, np.min, order=2),
    Case("SegmentProd", lambda d: tf.math.segment_prod(d, tf.constant(_SORTED_IDS)),
         _segment_data, _segment_ref(np.prod, _SORTED_IDS, 4, 1), order=2),
    Case("SegmentMean", lambda d: tf.math.segment_mean(d, [0, 0, 0, 2]),
         inputs(lambda rng: np.array([1, 2, 4, -7], np.int32)),
         lambda d: np.array([2, 0, -7], np.int32), grad=False, label="int32_truncates"),
    Case("DenseBincount", tf.math.bincount, inputs(_ints(0, 6, 20)),
         lambda x: np.bincount(x).astype(np.int32), grad=False),
    Case("DenseBincount", lambda x, w: tf.math.bincount(x, weights=w, minlength=8, maxlength=8),
         inputs(_ints(0, 10, 20), normal(20)),
         lambda x, w: np.bincount(x[x < 8], w[x < 8], minlength=8).astype(w.dtype),
         grad=False, label="weights_min_max_length"),
    Case("DenseBincount", lambda x: tf.math.bincount(x, axis=-1, binary_output=True),
         inputs(_ints(0, 5, 3, 4)),
         lambda x: np.stack([np.minimum(np.bincount(r, minlength=x.max() + 1), 1)
                             for r in x]).astype(np.int32), grad=False, label="rows_binary"),
    Case("DenseBincount", lambda l, p: tf.math.confusion_matrix(l, p, num_classes=4),
         inputs(_ints(0, 4, 12), _ints(0, 4, 12)),
         lambda l, p: np.histogram2d(l, p, bins=4, range=[[0, 4], [0, 4]])[0].astype(np.int32),
         grad=False, label="confusion_matrix"),
]


# -- cumulative_logsumexp, invert_permutation ------------------------------------------------

def _cumulative_logsumexp_ref(x, axis=0, exclusive=False, reverse=False):
    y = np.flip(x, axis) if reverse else x
    out = np.log(np.cumsum(np.exp(y.astype(np.float64)), axis=axis))
    if exclusive:
        out = np.roll(out, 1, axis=axis)
        index = [slice(None)] * x.ndim
        index[axis] = 0
        out[tuple(index)] = -np.inf
    return (np.flip(out, axis) if reverse else out).astype(x.dtype)


# First order only: the gradient (TF's log-space formula) takes log(max(dy, 0)), whose
# own derivative is NaN where dy < 0, in TF as here.
CASES += [
    Case("CumulativeLogsumexp", lambda x: tf.math.cumulative_logsumexp(x, axis=1),
         inputs(normal(2, 4)), lambda x: _cumulative_logsumexp_ref(x, 1)),
    Case("CumulativeLogsumexp",
         lambda x: tf.math.cumulative_logsumexp(x, exclusive=True, reverse=True),
         inputs(normal(4, 2)), lambda x: _cumulative_logsumexp_ref(x, 0, True, True),
         label="exclusive_reverse", grad=False),
    Case("CumulativeLogsumexp", lambda x: tf.math.cumulative_logsumexp(x, reverse=True),
         inputs(normal(5)), lambda x: _cumulative_logsumexp_ref(x, 0, False, True),
         label="reverse"),
    Case("InvertPermutation", tf.math.invert_permutation,
         inputs(lambda rng: rng.permutation(7).astype(np.int32)),
         lambda p: np.argsort(p).astype(np.int32), grad=False),
]


# -- lgamma, digamma (references from Python's math.lgamma; digamma by series) -------------

_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


def _digamma_ref(x):
    """digamma by the recurrence to x >= 20 and the asymptotic series (float64)."""
    x = x.astype(np.float64)
    out = np.zeros_like(x)
    for i, v in np.ndenumerate(x):
        acc = 0.0
        if v < 0.5:   # reflection
            acc -= math.pi / math.tan(math.pi * v)
            v = 1.0 - v
        while v < 20:
            acc -= 1.0 / v
            v += 1.0
        acc += math.log(v) - 0.5 / v - 1 / (12 * v ** 2) + 1 / (120 * v ** 4) - 1 / (252 * v ** 6)
        out[i] = acc
    return out


def _away_from_poles(*shape):
    def make(rng):
        x = rng.uniform(-3.5, 6, shape)
        return np.where(np.abs(x - np.round(x)) < 0.1, x + 0.3, x)
    return make


CASES += [
    Case("Lgamma", tf.math.lgamma, inputs(_away_from_poles(3, 4)),
         lambda x: _lgamma(x).astype(x.dtype), order=2, rtol=1e-5, atol=1e-5),
    Case("Lgamma", tf.math.lgamma, inputs(lambda rng: np.array([0.5, 1.0, 2.0, 1e-8, 150.0,
                                                               1e6, -2.5])),
         lambda x: _lgamma(x).astype(x.dtype), grad=False, label="range"),
    Case("Digamma", tf.math.digamma, inputs(_away_from_poles(3, 4)),
         lambda x: _digamma_ref(x).astype(x.dtype), rtol=1e-5, atol=1e-5),
    Case("Trigamma", lambda x: apply(Trigamma, x), inputs(_away_from_poles(3, 4)),
         lambda x: ((_digamma_ref(x.astype(np.float64) + 1e-5) -
                     _digamma_ref(x.astype(np.float64) - 1e-5)) / 2e-5).astype(x.dtype),
         grad=False, rtol=1e-5, atol=1e-5, dtypes=("float32",)),
]
