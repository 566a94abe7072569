"""More reductions (prod, logsumexp, variance, norms, any/all, count_nonzero),
cumulative sums and products, and top-k.

Sum, Mean, Max, Min and ArgMax live in `ops/math.py`; this module reuses their
axis handling (`_reduce`) and gradient helpers.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, dtype_mismatch
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.math import (FLOATS, NUMBERS, REAL, _axis_list, _c_type, _dims_str,
                               _keepdims_gradient, _reduce, _reduce_infer, _t, add, cast, divide,
                               exp, is_finite, log, multiply, negative, not_equal, reduce_max,
                               reduce_mean, reduce_sum, shape_error, sqrt, square, subtract,
                               where)

# ================================================================================
# Reductions
# ================================================================================

Prod = Op("Prod", infer=_reduce_infer, dtypes=NUMBERS)


@Prod.kernel
def _(x, axis, keepdims):
    return xp.multiply.reduce(x, axis=axis, dtype=x.dtype, keepdims=keepdims)


@Prod.gradient
def _(dy, x, out, axis, keepdims):
    # d prod / d x_i is the product of all the other elements. Dividing out/x_i
    # fails where x_i == 0, so (as TF) move the reduced axes to the front,
    # flatten them, and multiply the exclusive cumulative products from the left
    # and from the right.
    dy = _keepdims_gradient(dy, x, axis, keepdims)
    dims = x._static_dims()
    if not axis:
        return dy
    from tapeflow.ops.array import reshape, reshape_like, transpose
    others = tuple(i for i in range(len(dims)) if i not in axis)
    perm = axis + others
    permuted = transpose(x, perm)
    reduced_size = _size(dims[a] for a in axis)
    other_size = _size(dims[a] for a in others)
    if reduced_size is None and other_size is None:
        return multiply(dy, divide(_keepdims_gradient(out, x, axis, keepdims), x))
    flat = reshape(permuted, (reduced_size if reduced_size is not None else -1,
                              other_size if other_size is not None else -1))
    left = cumprod(flat, axis=0, exclusive=True)
    right = cumprod(flat, axis=0, exclusive=True, reverse=True)
    others_product = transpose(reshape_like(multiply(left, right), permuted), _inverse(perm))
    return multiply(dy, others_product)


def _size(dims):
    size = 1
    for d in dims:
        if d is None:
            return None
        size *= d
    return size


def _inverse(perm):
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    return tuple(inverse)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Multiplies elements across `axis` (all axes when None); 1 for empty reductions.

    >>> reduce_prod([[1, 2], [3, 4]], axis=0).numpy()
    array([3, 8], dtype=int32)
    """
    return _reduce(Prod, input_tensor, axis, keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """Computes `log(sum(exp(x)))` across `axis` without overflow.

    Composite (TF's formula): the maximum is subtracted before `exp` and added
    back, and treated as a constant (its gradient contributions cancel); an
    infinite maximum is replaced by 0 so that inf - inf never appears.

    >>> round(float(reduce_logsumexp([1000.0, 1000.0])), 4)
    1000.6931
    """
    from tapeflow.ops.array import squeeze, stop_gradient
    x = _t(input_tensor)
    raw_max = reduce_max(x, axis, keepdims=True)
    shift = stop_gradient(where(is_finite(raw_max), raw_max, _zeros_like(raw_max)))
    total = reduce_sum(exp(subtract(x, shift)), axis, keepdims=keepdims)
    if not keepdims:
        axes = _reduction_axes(x, axis)
        shift = squeeze(shift, axis=axes) if axes else shift
    return add(log(total), shift)


def _reduction_axes(x, axis):
    from tapeflow.ops.math import reduction_axes
    return reduction_axes(axis, x.ndim, "Sum")


def _zeros_like(x):
    from tapeflow.ops.array import zeros_like
    return zeros_like(x)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """The variance (mean squared deviation from the mean) across `axis`.

    Complex inputs give a real variance. Integer inputs are a TypeError, as in TF.
    """
    x = _t(input_tensor)
    if x.dtype.is_integer:
        raise TypeError(f"Input must be either real or complex. Received integer type {x.dtype}.")
    deviations = subtract(x, reduce_mean(x, axis, keepdims=True))
    if x.dtype.is_complex:
        from tapeflow.ops.elementwise import conj, math_real
        squared = math_real(multiply(deviations, conj(deviations)))
    else:
        squared = square(deviations)
    return reduce_mean(squared, axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """The standard deviation (square root of `reduce_variance`) across `axis`."""
    return sqrt(reduce_variance(input_tensor, axis, keepdims))


EuclideanNorm = Op("EuclideanNorm", infer=_reduce_infer, dtypes=NUMBERS)


@EuclideanNorm.kernel
def _(x, axis, keepdims):
    if x.dtype.kind in "iu":   # computed exactly, then truncated to the integer type as TF
        squares = xp.square(x.astype(xp.float64))
        return xp.sqrt(xp.sum(squares, axis=axis, keepdims=keepdims)).astype(x.dtype)
    squares = (x * xp.conj(x)) if x.dtype.kind == "c" else xp.square(x)
    return xp.sqrt(xp.sum(squares, axis=axis, keepdims=keepdims, dtype=x.dtype))


@EuclideanNorm.gradient
def _(dy, x, out, axis, keepdims):
    # d ||x|| / dx = x / ||x|| (NaN at 0, as TF).
    norm = _keepdims_gradient(out, x, axis, keepdims)
    return multiply(_keepdims_gradient(dy, x, axis, keepdims), divide(x, norm))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """Computes `sqrt(sum(x ** 2))` across `axis` (integer inputs give a truncated integer)."""
    return _reduce(EuclideanNorm, input_tensor, axis, keepdims)


All = Op("All", infer=_reduce_infer, dtypes={dtypes.bool}, differentiable=False)
All.kernel(lambda x, axis, keepdims: xp.all(x, axis=axis, keepdims=keepdims))
Any = Op("Any", infer=_reduce_infer, dtypes={dtypes.bool}, differentiable=False)
Any.kernel(lambda x, axis, keepdims: xp.any(x, axis=axis, keepdims=keepdims))


def _bool_input(x, op_name):
    x = x if tensor_like(x) else convert_to_tensor(x, dtype=dtypes.bool)
    if x.dtype is not dtypes.bool:
        raise dtype_mismatch(op_name, 0, dtypes.bool, x.dtype, (x,))
    return x


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical AND across `axis` of a bool tensor (True for empty reductions)."""
    return _reduce(All, _bool_input(input_tensor, "All"), axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical OR across `axis` of a bool tensor (False for empty reductions)."""
    return _reduce(Any, _bool_input(input_tensor, "Any"), axis, keepdims)


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):  # noqa: A002
    """Counts the non-zero elements across `axis` (non-empty strings for string tensors).

    >>> count_nonzero([[0, 1], [2, 0]], axis=0).numpy()
    array([1, 1])
    """
    x = _t(input)
    zero = convert_to_tensor(b"" if x.dtype is dtypes.string else xp.zeros((), x.dtype._np))
    counts = cast(not_equal(x, zero), dtypes.int64)
    return cast(reduce_sum(counts, axis, keepdims=bool(keepdims)), dtype)


# ================================================================================
# Cumulative sums and products
# ================================================================================

def _scan_infer(x, axis, exclusive, reverse):
    return TensorSpec(x.dims, x.dtype)


def _scan_kernel(accumulate, identity):
    def kernel(x, axis, exclusive, reverse):
        if reverse:
            x = xp.flip(x, axis)
        out = accumulate(x, axis=axis, dtype=x.dtype)
        if exclusive:   # shift by one along the axis, starting from the identity
            out = xp.roll(out, 1, axis=axis)
            first = [slice(None)] * x.ndim
            first[axis] = 0
            out[tuple(first)] = identity
        return xp.flip(out, axis) if reverse else out
    return kernel


Cumsum = Op("Cumsum", infer=_scan_infer, dtypes=NUMBERS)
Cumsum.kernel(_scan_kernel(xp.cumsum, 0))
Cumprod = Op("Cumprod", infer=_scan_infer, dtypes=NUMBERS)
Cumprod.kernel(_scan_kernel(xp.cumprod, 1))


@Cumsum.gradient
def _(dy, x, out, axis, exclusive, reverse):
    # Each output sums the inputs on one side: the gradient sums from the other side.
    return cumsum(dy, axis, exclusive=exclusive, reverse=not reverse)


@Cumprod.gradient
def _(dy, x, out, axis, exclusive, reverse):
    # sum_j dy_j * out_j / x_i over the outputs that include x_i. As in TF the
    # division is div_no_nan, so the gradient at an element equal to 0 is 0.
    from tapeflow.ops.elementwise import divide_no_nan
    total = cumsum(multiply(out, dy), axis, exclusive=exclusive, reverse=not reverse)
    return divide_no_nan(total, x)


def _scan(op, x, axis, exclusive, reverse):
    x = _t(x)
    axis = _axis_list(axis, op.name)[0]
    rank = x.ndim
    if not -rank <= axis < rank:
        raise shape_error(f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got "
                          f"{axis}", None, op.name)
    return apply(op, x, axis=axis % rank, exclusive=bool(exclusive), reverse=bool(reverse))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along `axis`; `exclusive` leaves out the element itself,
    `reverse` sums from the end.

    >>> cumsum([1, 2, 3], exclusive=True, reverse=True).numpy()
    array([5, 3, 0], dtype=int32)
    """
    return _scan(Cumsum, x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product along `axis` (see `cumsum` for `exclusive` and `reverse`).

    >>> cumprod([1.0, 2.0, 3.0], exclusive=True).numpy()
    array([1., 1., 2.], dtype=float32)
    """
    return _scan(Cumprod, x, axis, exclusive, reverse)


# ================================================================================
# Top-k
# ================================================================================

_TOPK_DTYPES = REAL


def _top_k_infer(x, k, sorted, index_type):
    dims = None if x.dims is None else x.dims[:-1] + (k,)
    return TensorSpec(dims, x.dtype), TensorSpec(dims, index_type)


TopKV2 = Op("TopKV2", infer=_top_k_infer, dtypes=_TOPK_DTYPES, multi_output=True)


def _descending_order(x):
    """Indices that sort the last axis from largest to smallest; ties keep index order
    and NaN counts as the largest value (as TF)."""
    if x.dtype.kind == "f":
        return xp.lexsort((-x, ~xp.isnan(x)), axis=-1)
    return xp.argsort(~x, axis=-1, kind="stable")   # ~x reverses the order without overflow


@TopKV2.kernel
def _(x, k, sorted, index_type):
    if x.ndim < 1:
        raise InvalidArgumentError(None, None, f"input must be >= 1-D, got shape "
                                               f"{_dims_str(x.shape)}")
    if x.shape[-1] < k:
        raise InvalidArgumentError(None, None, f"input must have at least k columns. Had "
                                               f"{x.shape[-1]}, needed {k}")
    # `sorted=False` allows any order; the sorted one is as good as any.
    indices = _descending_order(x)[..., :k]
    return xp.take_along_axis(x, indices, axis=-1), indices.astype(index_type._np)


@TopKV2.gradient
def _(dy, x, out, k, sorted, index_type):
    # Each selected value's gradient goes back to the position it came from: the
    # gradient of gathering along the last axis (GatherV2 with batch_dims = axis).
    from tapeflow.ops.gather import GatherGrad
    last = len(x._static_dims()) - 1
    return apply(GatherGrad, dy[0], x, out[1], axis=last, batch_dims=last)


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """The `k` largest entries of the last axis and their indices (TF's `TopKV2`).

    Returns:
      A namedtuple `TopKV2(values, indices)`; ties are broken by the lower index.

    >>> top_k([1.0, 3.0, 2.0], k=2).indices.numpy()
    array([1, 2], dtype=int32)
    """
    x = _t(input)
    k = int(k.numpy()) if tensor_like(k) else int(k)
    if k < 0:
        raise InvalidArgumentError(None, None, f"Need k >= 0, got {k} [Op:TopKV2]")
    values, indices = apply(TopKV2, x, k=k, sorted=bool(sorted),
                            index_type=dtypes.as_dtype(index_type))
    return TopKResult(values, indices)


class TopKResult(tuple):
    """`(values, indices)` with names, printed as TF's `TopKV2(values=..., indices=...)`."""

    __slots__ = ()
    _fields = ("values", "indices")

    def __new__(cls, values, indices):
        return tuple.__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"TopKV2(values={self[0]!r}, indices={self[1]!r})"


def _in_top_k_infer(predictions, targets, k):
    dims = None if predictions.dims is None else predictions.dims[:1]
    return TensorSpec(dims, dtypes.bool)


InTopKV2 = Op("InTopKV2", infer=_in_top_k_infer, dtypes={dtypes.float32}, differentiable=False)


@InTopKV2.kernel
def _(predictions, targets, k):
    if predictions.ndim != 2:
        raise InvalidArgumentError(None, None, f"predictions must be 2-dimensional, got shape "
                                               f"{_dims_str(predictions.shape)}")
    if targets.shape != predictions.shape[:1]:
        raise InvalidArgumentError(None, None, f"First dimension of predictions "
                                               f"{predictions.shape[0]} must match length of "
                                               f"targets {targets.shape[0]}")
    classes = predictions.shape[1]
    valid = (targets >= 0) & (targets < classes)
    safe = xp.where(valid, targets, 0).astype(xp.intp)
    target_scores = xp.take_along_axis(predictions, safe[:, None], axis=1)
    better = xp.sum(predictions > target_scores, axis=1)
    # A row with any non-finite prediction cannot be ranked: TF answers False.
    finite = xp.isfinite(predictions).all(axis=1)
    return valid & finite & (better < k)


def in_top_k(targets, predictions, k, name=None):
    """Whether each target class is among the `k` highest predictions of its row.

    Ties count in the target's favour; rows with a NaN or inf prediction give False,
    as do out-of-range targets.

    >>> in_top_k([2, 0], [[0.1, 0.2, 0.7], [0.5, 0.5, 0.1]], 1).numpy()
    array([ True,  True])
    """
    targets = _t(targets)
    predictions = convert_to_tensor(predictions, dtype_hint=dtypes.float32)
    if targets.dtype not in (dtypes.int32, dtypes.int64):
        raise InvalidArgumentError(None, None, f"Value for attr 'T' of {_c_type(targets.dtype)} is "
                                               "not in the list of allowed values: int32, int64 "
                                               "[Op:InTopKV2]")
    if predictions.dtype is not dtypes.float32:
        raise dtype_mismatch("InTopKV2", 0, dtypes.float32, predictions.dtype,
                             (predictions, targets))
    return apply(InTopKV2, predictions, targets, k=int(k))


# ================================================================================
# Cumulative log-sum-exp
# ================================================================================

def _logsumexp_scan(x, axis, exclusive, reverse):
    if reverse:
        x = xp.flip(x, axis)
    out = xp.logaddexp.accumulate(x, axis=axis)   # exact running log(exp(a) + exp(b))
    if exclusive:
        out = xp.roll(out, 1, axis=axis)
        first = [slice(None)] * x.ndim
        first[axis] = 0
        out[tuple(first)] = -xp.inf
    return xp.flip(out, axis) if reverse else out


CumulativeLogsumexp = Op("CumulativeLogsumexp", infer=_scan_infer, dtypes=FLOATS)
CumulativeLogsumexp.kernel(_logsumexp_scan)


@CumulativeLogsumexp.gradient
def _(dy, x, out, axis, exclusive, reverse):
    # d out_j / d x_i = exp(x_i - out_j) for the x_i that out_j sums. The sum over j
    # runs in log space, separately for the positive and negative parts of dy, so
    # nothing overflows: exp(x_i + log sum_j exp(log(dy_j) - out_j)).
    from tapeflow.ops.math import maximum
    zeros = _zeros_like(dy)
    scan = dict(axis=axis, exclusive=exclusive, reverse=not reverse)
    positive = log(maximum(dy, zeros))
    negative_part = log(maximum(negative(dy), zeros))
    up = exp(add(cumulative_logsumexp(subtract(positive, out), **scan), x))
    down = exp(add(cumulative_logsumexp(subtract(negative_part, out), **scan), x))
    return subtract(up, down)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """`log(cumsum(exp(x)))` along `axis`, computed without overflow or underflow.

    >>> cumulative_logsumexp([1000.0, 1000.0]).numpy()
    array([1000.    , 1000.6931], dtype=float32)
    """
    return _scan(CumulativeLogsumexp, x, axis, exclusive, reverse)


# ================================================================================
# Permutations
# ================================================================================

def _invert_permutation_infer(x):
    return TensorSpec(x.dims, x.dtype)


InvertPermutation = Op("InvertPermutation", infer=_invert_permutation_infer,
                       dtypes={dtypes.int32, dtypes.int64}, differentiable=False)


@InvertPermutation.kernel
def _(x):
    if x.ndim != 1:
        raise InvalidArgumentError(None, None, "invert_permutation expects a 1D vector.")
    n = x.shape[0]
    out = xp.full(n, -1, dtype=x.dtype)
    for i, p in enumerate(x.tolist()):
        if not 0 <= p < n:
            raise InvalidArgumentError(None, None, f"{p} is not between 0 and {n}")
        if out[p] != -1:
            raise InvalidArgumentError(None, None, f"{p} is duplicated in the input.")
        out[p] = i
    return out


def invert_permutation(x, name=None):
    """The inverse permutation: `y[x[i]] = i`.

    >>> invert_permutation([3, 4, 0, 2, 1]).numpy()
    array([2, 4, 3, 0, 1], dtype=int32)
    """
    return apply(InvertPermutation, _t(x))
