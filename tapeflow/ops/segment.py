"""Segment reductions, bincount and confusion_matrix.

A segment reduction combines the rows of `data` that share a segment id:
`out[s] = reduce(data[i] for i where segment_ids[i] == s)`. The unsorted ops
take the number of segments and drop negative ids; the sorted ops (`segment_*`)
require ids in increasing order and have `ids[-1] + 1` segments. Gradients send
each output row back to the input rows that made it, with a gather of the output
gradient (ids < 0 masked out, as TF).
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.math import (NUMBERS, REAL, _dims_str, _t, cast, divide, equal, greater,
                               maximum, multiply, rsqrt, where, zeros_like)

_SEGMENT_ID_DTYPES = {"unsorted": (dtypes.int16, dtypes.int32, dtypes.int64),
                      "sorted": (dtypes.int32, dtypes.int64)}


# ================================================================================
# Kernels shared by all segment ops
# ================================================================================

def _identity(kind, dtype):
    """The starting value of a reduction (what an empty segment holds)."""
    if kind == "sum":
        return 0
    if kind == "prod":
        return 1
    if dtype.kind == "f":
        return xp.finfo(dtype).min if kind == "max" else xp.finfo(dtype).max
    return xp.iinfo(dtype).min if kind == "max" else xp.iinfo(dtype).max


_UFUNC = {"sum": xp.add, "prod": xp.multiply, "max": xp.maximum, "min": xp.minimum}


def _segment_reduce(data, ids, num_segments, kind, empty_is_zero=False):
    """out[s] = reduce(data[ids == s]) over rows; rows with negative ids are dropped."""
    out = xp.full((num_segments,) + data.shape[ids.ndim:],
                  _identity(kind, data.dtype), dtype=data.dtype)
    keep = ids >= 0
    rows, kept = data[keep], ids[keep].astype(xp.intp)
    if kind == "sum" and data.dtype.kind == "f":
        # One bincount over (segment, column) pairs: much faster than add.at.
        width = rows[0].size if len(rows) else 0
        pairs = (kept[:, None] * width + xp.arange(width)).reshape(-1)
        sums = xp.bincount(pairs, weights=rows.reshape(-1), minlength=num_segments * width)
        return sums.astype(data.dtype).reshape(out.shape)
    _UFUNC[kind].at(out, kept, rows)
    if empty_is_zero and kind in ("max", "min"):
        counts = xp.bincount(kept, minlength=num_segments)
        out[counts == 0] = 0
    return out


def _check_ids(data, ids, kind):
    if data.shape[:ids.ndim] != ids.shape:
        if kind == "sorted":
            raise InvalidArgumentError(None, None, "segment_ids should be the same size as "
                                                   "dimension 0 of input.")
        raise InvalidArgumentError(None, None, f"data.shape = {_dims_str(data.shape)} does not "
                                               f"start with segment_ids.shape = "
                                               f"{_dims_str(ids.shape)}")


def _unsorted_kernel(kind):
    def kernel(data, segment_ids, num_segments):
        _check_ids(data, segment_ids, "unsorted")
        too_big = segment_ids >= num_segments
        if too_big.any():
            i = int(xp.argmax(too_big.reshape(-1)))
            raise InvalidArgumentError(None, None, f"segment_ids[{i}] = "
                                                   f"{int(segment_ids.reshape(-1)[i])} is out of "
                                                   f"range [0, {num_segments})")
        return _segment_reduce(data, segment_ids, num_segments, kind)
    return kernel


def _sorted_kernel(kind):
    def kernel(data, segment_ids):
        if data.ndim < 1:
            raise InvalidArgumentError(None, None, "input must be at least rank 1")
        if segment_ids.ndim != 1:
            raise InvalidArgumentError(None, None, "segment_ids should be a vector.")
        _check_ids(data, segment_ids, "sorted")
        num_segments = int(segment_ids[-1]) + 1 if segment_ids.size else 0
        if segment_ids.size and (xp.diff(segment_ids) < 0).any():
            raise InvalidArgumentError(None, None, "segment ids are not increasing")
        if segment_ids.size and segment_ids[0] < 0:
            raise InvalidArgumentError(None, None, f"Segment id {int(segment_ids[0])} out of "
                                                   f"range [0, {num_segments}), possibly "
                                                   "because 'segment_ids' input is not sorted.")
        if kind != "mean":
            return _segment_reduce(data, segment_ids, num_segments, kind, empty_is_zero=True)
        total = _segment_reduce(data, segment_ids, num_segments, "sum")
        counts = xp.bincount(segment_ids, minlength=num_segments)
        counts = xp.maximum(counts, 1).reshape((-1,) + (1,) * (data.ndim - 1))
        if data.dtype.kind in "iu":   # integer means truncate toward zero, as C division
            return (xp.sign(total) * (xp.abs(total) // counts)).astype(data.dtype)
        return (total / counts).astype(data.dtype)
    return kernel


def _unsorted_infer(data, segment_ids, num_segments):
    rest = None if data.dims is None or segment_ids.dims is None else \
        data.dims[len(segment_ids.dims):]
    return TensorSpec(None if rest is None else (num_segments,) + rest, data.dtype)


def _sorted_infer(data, segment_ids):
    dims = None if data.dims is None else (None,) + data.dims[1:]
    return TensorSpec(dims, data.dtype)


# ================================================================================
# The ops
# ================================================================================

UnsortedSegmentSum = Op("UnsortedSegmentSum", infer=_unsorted_infer, dtypes=NUMBERS)
UnsortedSegmentSum.kernel(_unsorted_kernel("sum"))
UnsortedSegmentProd = Op("UnsortedSegmentProd", infer=_unsorted_infer, dtypes=NUMBERS)
UnsortedSegmentProd.kernel(_unsorted_kernel("prod"))
UnsortedSegmentMax = Op("UnsortedSegmentMax", infer=_unsorted_infer, dtypes=REAL)
UnsortedSegmentMax.kernel(_unsorted_kernel("max"))
UnsortedSegmentMin = Op("UnsortedSegmentMin", infer=_unsorted_infer, dtypes=REAL)
UnsortedSegmentMin.kernel(_unsorted_kernel("min"))

SegmentSum = Op("SegmentSum", infer=_sorted_infer, dtypes=NUMBERS)
SegmentSum.kernel(_sorted_kernel("sum"))
SegmentMean = Op("SegmentMean", infer=_sorted_infer, dtypes=NUMBERS)
SegmentMean.kernel(_sorted_kernel("mean"))
SegmentProd = Op("SegmentProd", infer=_sorted_infer, dtypes=NUMBERS)
SegmentProd.kernel(_sorted_kernel("prod"))
SegmentMax = Op("SegmentMax", infer=_sorted_infer, dtypes=REAL)
SegmentMax.kernel(_sorted_kernel("max"))
SegmentMin = Op("SegmentMin", infer=_sorted_infer, dtypes=REAL)
SegmentMin.kernel(_sorted_kernel("min"))


def _num_segments(like):
    """The (static) number of segments of a segment op's output `like`."""
    n = like._static_dims()[0]
    if n is None:
        raise NotImplementedError("The gradient of a segment op needs the number of segments; "
                                  "it is unknown in this traced graph.")
    return n


def _segment_sum(data, ids, like):
    return apply(UnsortedSegmentSum, data, ids, num_segments=_num_segments(like))


def _gather(values, ids):
    """values[ids] with zero rows where ids < 0 (as TF's _GatherDropNegatives): a
    gather of the clipped ids, masked. Its gradient is a segment sum again."""
    from tapeflow.ops.array import reshape
    from tapeflow.ops.gather import gather
    from tapeflow.ops.math import greater_equal
    rows = gather(values, maximum(ids, zeros_like(ids)))
    keep = greater_equal(ids, zeros_like(ids))
    trailing = len(rows._static_dims()) - len(ids._static_dims())
    if trailing:
        keep = reshape(keep, tuple(ids._static_dims()) + (1,) * trailing)
    return where(keep, rows, zeros_like(rows))


def _sum_gradient(dy, data, ids, out, **attrs):
    return _gather(dy, ids), None


def _extreme_gradient(dy, data, ids, out, **attrs):
    # The output gradient is shared equally by the rows equal to the extreme.
    selected = equal(data, _gather(out, ids))
    count = _segment_sum(cast(selected, dy.dtype), ids, out)
    share = _gather(divide(dy, maximum(count, _ones(count))), ids)
    return where(selected, share, zeros_like(share)), None


def _prod_gradient(dy, data, ids, out, **attrs):
    # d out_s / d data_i = product of the other rows of segment s. Divide out/x when
    # x != 0; for a single zero use the product of the non-zero rows; with two or
    # more zeros in a segment every derivative is 0.
    is_zero = equal(data, zeros_like(data))
    zero_count = _segment_sum(cast(is_zero, dy.dtype), ids, out)
    dy = where(greater(zero_count, _ones(zero_count)), zeros_like(dy), dy)
    nonzero_data = where(is_zero, _ones(data), data)
    nonzero_prod = apply(UnsortedSegmentProd, nonzero_data, ids,
                         num_segments=_num_segments(out))
    partial = where(is_zero, _gather(nonzero_prod, ids), divide(_gather(out, ids), nonzero_data))
    return multiply(_gather(dy, ids), partial), None


def _mean_gradient(dy, data, ids, out):
    counts = _segment_sum(_ones(data), ids, out)
    return _gather(divide(dy, maximum(counts, _ones(counts))), ids), None


def _ones(x):
    from tapeflow.ops.array import ones_like
    return ones_like(x)


for _op, _rule in ((UnsortedSegmentSum, _sum_gradient), (SegmentSum, _sum_gradient),
                   (UnsortedSegmentMax, _extreme_gradient), (UnsortedSegmentMin, _extreme_gradient),
                   (SegmentMax, _extreme_gradient), (SegmentMin, _extreme_gradient),
                   (UnsortedSegmentProd, _prod_gradient), (SegmentProd, _prod_gradient),
                   (SegmentMean, _mean_gradient)):
    _op.gradient(_rule)


# ================================================================================
# Public functions
# ================================================================================

def _segment_ids(segment_ids, kind, op_name):
    ids = _t(segment_ids)
    if ids.dtype not in _SEGMENT_ID_DTYPES[kind]:
        allowed = ", ".join(d.name for d in _SEGMENT_ID_DTYPES[kind])
        raise InvalidArgumentError(None, None, f"Value for attr 'Tindices' of "
                                               f"{_c_type(ids.dtype)} is not in the list of "
                                               f"allowed values: {allowed} [Op:{op_name}]")
    return ids


def _c_type(dtype):
    from tapeflow.ops.math import _c_type as c_type
    return c_type(dtype)


def _unsorted(op, data, segment_ids, num_segments):
    data = _t(data)
    ids = _segment_ids(segment_ids, "unsorted", op.name)
    if tensor_like(num_segments):
        if num_segments.dtype not in (dtypes.int32, dtypes.int64):
            raise InvalidArgumentError(None, None, f"Value for attr 'Tnumsegments' of "
                                                   f"{_c_type(num_segments.dtype)} is not in "
                                                   "the list of allowed values: int32, int64 "
                                                   f"[Op:{op.name}]")
        num_segments = num_segments.numpy()
    elif isinstance(num_segments, float):
        raise InvalidArgumentError(None, None, "Value for attr 'Tnumsegments' of float is not "
                                               "in the list of allowed values: int32, int64 "
                                               f"[Op:{op.name}]")
    num_segments = int(num_segments)
    if num_segments < 0:
        raise InvalidArgumentError(None, None, f"Input num_segments == {num_segments} must not "
                                               f"be negative. [Op:{op.name}]")
    return apply(op, data, ids, num_segments=num_segments)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums the rows of `data` per segment id; ids < 0 are dropped, empty segments are 0.

    >>> unsorted_segment_sum([1, 2, 3], [0, 1, 0], 2).numpy()
    array([4, 2], dtype=int32)
    """
    return _unsorted(UnsortedSegmentSum, data, segment_ids, num_segments)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    """Multiplies the rows of `data` per segment id (1 for empty segments)."""
    return _unsorted(UnsortedSegmentProd, data, segment_ids, num_segments)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """The row-wise maximum per segment id (the dtype's lowest value for empty segments)."""
    return _unsorted(UnsortedSegmentMax, data, segment_ids, num_segments)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """The row-wise minimum per segment id (the dtype's highest value for empty segments)."""
    return _unsorted(UnsortedSegmentMin, data, segment_ids, num_segments)


def _segment_counts(data, segment_ids, num_segments):
    """Rows per segment (at least 1), shaped to broadcast against the segment output."""
    from tapeflow.ops.array import ones, reshape
    ids = _t(segment_ids)
    data = _t(data)
    counts = unsorted_segment_sum(ones(ids.shape, data.dtype), ids, num_segments)
    counts = maximum(counts, _ones(counts))
    trailing = data.ndim - ids.ndim
    return reshape(counts, (-1,) + (1,) * trailing)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """The mean of the rows per segment id (0 for empty segments; integers divide as floats).

    >>> unsorted_segment_mean([1.0, 2.0, 4.0], [0, 1, 0], 2).numpy()
    array([2.5, 2. ], dtype=float32)
    """
    total = unsorted_segment_sum(data, segment_ids, num_segments)
    from tapeflow.ops.math import truediv
    return truediv(total, _segment_counts(data, segment_ids, num_segments))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """The sum of the rows per segment id divided by sqrt(rows in the segment)."""
    total = unsorted_segment_sum(data, segment_ids, num_segments)
    return multiply(total, rsqrt(_segment_counts(data, segment_ids, num_segments)))


def _sorted(op, data, segment_ids):
    return apply(op, _t(data), _segment_ids(segment_ids, "sorted", op.name))


def segment_sum(data, segment_ids, name=None):
    """Sums the rows of `data` per segment id; ids must be sorted (`ids[-1] + 1` segments).

    >>> segment_sum([1, 2, 3], [0, 0, 2]).numpy()
    array([3, 0, 3], dtype=int32)
    """
    return _sorted(SegmentSum, data, segment_ids)


def segment_mean(data, segment_ids, name=None):
    """The mean of the rows per sorted segment id (0 for empty segments)."""
    return _sorted(SegmentMean, data, segment_ids)


def segment_prod(data, segment_ids, name=None):
    """The product of the rows per sorted segment id (1 for empty segments)."""
    return _sorted(SegmentProd, data, segment_ids)


def segment_max(data, segment_ids, name=None):
    """The maximum of the rows per sorted segment id (0 for empty segments)."""
    return _sorted(SegmentMax, data, segment_ids)


def segment_min(data, segment_ids, name=None):
    """The minimum of the rows per sorted segment id (0 for empty segments)."""
    return _sorted(SegmentMin, data, segment_ids)


# ================================================================================
# Counting
# ================================================================================

def _bincount_infer(arr, weights, minlength, maxlength, binary_output, dtype):
    size = minlength if minlength is not None and minlength == maxlength else None
    dims = (size,) if arr.dims is None or len(arr.dims) < 2 else (arr.dims[0], size)
    return TensorSpec(dims, dtype)


# arr is a vector (counted whole) or a matrix (counted row by row).
DenseBincount = Op("DenseBincount", infer=_bincount_infer, differentiable=False)


@DenseBincount.kernel
def _(arr, weights, minlength, maxlength, binary_output, dtype):
    if arr.ndim > 2:
        raise InvalidArgumentError(None, None, f"Shape must be at most rank 2 but is rank "
                                               f"{arr.ndim}")
    if arr.size and arr.min() < 0:
        raise InvalidArgumentError(None, None, "Input arr must be non-negative!")
    if weights.size and weights.shape != arr.shape:
        raise InvalidArgumentError(None, None, "`weights` must be the same shape as `arr` or a "
                                               "length-0 `Tensor`, in which case it acts as all "
                                               "weights equal to 1. Received "
                                               f"{_dims_str(weights.shape)}")
    size = int(arr.max()) + 1 if arr.size else 0
    if minlength is not None:
        size = max(size, minlength)
    if maxlength is not None:
        size = min(size, maxlength)
    rows = arr.reshape(-1, arr.shape[-1]) if arr.ndim == 2 else arr.reshape(1, -1)
    row_weights = weights.reshape(rows.shape) if weights.size else None
    out = xp.zeros((rows.shape[0], size), dtype=dtype._np)
    for r in range(rows.shape[0]):
        keep = rows[r] < size
        w = None if row_weights is None else row_weights[r][keep]
        counts = xp.bincount(rows[r][keep], weights=w, minlength=size)
        out[r] = xp.minimum(counts, 1) if binary_output else counts
    return out if arr.ndim == 2 else out[0]


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output=False):
    """Counts the occurrences of each value in the non-negative integer tensor `arr`.

    Args:
      arr: integer values (other dtypes are cast to int32).
      weights: if given, sums these (of `arr`'s shape) instead of counting ones;
        the output then has the weights' dtype.
      minlength, maxlength: bounds on the output length (values >= maxlength are dropped).
      dtype: the output dtype when there are no weights.
      axis: None counts over everything; -1 counts each row of a matrix.
      binary_output: 1 for present values instead of counts.

    >>> bincount([1, 1, 3]).numpy()
    array([0, 2, 0, 1], dtype=int32)
    """
    arr = _t(arr)
    if not arr.dtype.is_integer:
        arr = cast(arr, dtypes.int32)
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                         "Please specify only one.")
    if axis is None or (axis == 0 and arr.ndim == 2):
        from tapeflow.ops.array import reshape
        arr = reshape(arr, [-1])
        weights = None if weights is None else reshape(_t(weights), [-1])
    elif axis not in (-1, arr.ndim - 1):
        raise ValueError(f"Unsupported axis value {axis}. Only 0 and -1 are currently "
                         "supported.")
    if weights is None:
        dtype = dtypes.as_dtype(dtype)
        weights = convert_to_tensor(xp.zeros((0,), dtype._np))
    else:
        weights = _t(weights)
        dtype = weights.dtype
    if dtype not in (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64):
        raise InvalidArgumentError(None, None, f"Value for attr 'T' of {_c_type(dtype)} is not "
                                               "in the list of allowed values: int32, int64, "
                                               "float, double [Op:DenseBincount]")
    minlength = None if minlength is None else max(int(minlength), 0)
    maxlength = None if maxlength is None else max(int(maxlength), 0)
    return apply(DenseBincount, arr, weights, minlength=minlength, maxlength=maxlength,
                 binary_output=bool(binary_output), dtype=dtype)


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32,
                     name=None):
    """The confusion matrix: `out[i, j]` counts (or sums `weights` of) the examples with
    label `i` and prediction `j`.

    Args:
      labels, predictions: integer class ids of the same length (cast to int64).
      num_classes: the matrix size; by default `max(labels, predictions) + 1`.
      weights: per-example weights, cast to `dtype`.
      dtype: the output dtype.

    >>> confusion_matrix([1, 2], [2, 2]).numpy()
    array([[0, 0, 0],
           [0, 0, 1],
           [0, 0, 1]], dtype=int32)

    Raises:
      InvalidArgumentError: negative or out-of-range class ids, mismatched lengths.
    """
    from tapeflow.ops.array import reshape
    dtype = dtypes.as_dtype(dtype)
    labels = reshape(cast(_t(labels), dtypes.int64), [-1])
    predictions = reshape(cast(_t(predictions), dtypes.int64), [-1])
    n_labels, n_predictions = labels.shape[0], predictions.shape[0]
    if n_labels is not None and n_predictions is not None and n_labels != n_predictions:
        raise InvalidArgumentError(None, None, f"Shapes of all inputs must match: "
                                               f"values[0].shape = [{n_labels}] != "
                                               f"values[1].shape = [{n_predictions}] [Op:Pack]")
    if num_classes is None:   # needs the values: eager only, as the output's size
        from tapeflow.ops.math import reduce_max
        num_classes = int(maximum(reduce_max(labels), reduce_max(predictions)).numpy()) + 1
    num_classes = int(num_classes.numpy()) if tensor_like(num_classes) else int(num_classes)
    for which, values in (("labels", labels), ("predictions", predictions)):
        _check_classes(which, values, num_classes)
    if weights is not None:
        weights = reshape(cast(_t(weights), dtype), [-1])
        if weights.shape[0] != n_labels:
            raise ValueError(f"Shapes ({n_labels},) and ({weights.shape[0]},) are incompatible")
    index = labels * num_classes + predictions
    counts = bincount(index, weights=weights, minlength=num_classes * num_classes,
                      maxlength=num_classes * num_classes, dtype=dtype)
    return reshape(cast(counts, dtype), (num_classes, num_classes))


def _check_classes(which, values, num_classes):
    array = getattr(values, "_value", None)
    if array is None:   # traced: the values are unknown
        return
    if (array < 0).any():
        raise InvalidArgumentError(None, None, f"`{which}` contains negative values.  "
                                               "Condition x >= 0 did not hold element-wise")
    if (array >= num_classes).any():
        raise InvalidArgumentError(None, None, f"`{which}` out of bound\nCondition x < y did "
                                               "not hold.")
