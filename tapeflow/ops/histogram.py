"""Fixed-width histograms: `tf.histogram_fixed_width` (counts per bin) and
`tf.histogram_fixed_width_bins` (the bin of each value). Neither has a gradient.

A value v falls in bin floor(nbins * (v - lo) / (hi - lo)), clipped to
[0, nbins - 1]: values below the range count in the first bin, values at or
above `hi` in the last. (TF's histogram kernel computes this in double
precision, its bins function in the values' dtype: near bin edges the two may
differ, and so they do here.)
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._rules import as_operand

_VALUE_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _histogram_infer(values, value_range, nbins, dtype):
    if value_range.dims is not None and value_range.dims not in ((2,), (None,)):
        raise ValueError("value_range should be a vector of 2 elements.")
    return TensorSpec((nbins,), dtype)


HistogramFixedWidth = Op("HistogramFixedWidth", infer=_histogram_infer, dtypes=_VALUE_TYPES,
                         differentiable=False)


@HistogramFixedWidth.kernel
def _(values, value_range, nbins, dtype):
    if value_range.shape != (2,):
        raise InvalidArgumentError(None, None, "value_range should be a vector of 2 elements.")
    if nbins <= 0:
        raise InvalidArgumentError(None, None, f"nbins should be a positive number, but got "
                                   f"'{nbins}'")
    low, high = value_range
    if not low < high:
        raise InvalidArgumentError(None, None, "value_range should satisfy value_range[0] < "
                                   f"value_range[1], but got '[{low:g}, {high:g}]'")
    if values.dtype.kind == "f" and xp.isnan(values).any():
        raise InvalidArgumentError(None, None, "Histogram values must not contain NaN")
    # Binned in double precision, as TF's kernel (float32 arithmetic would put 0.7f
    # with range [0, 1] and 10 bins in bin 7; TF counts it in bin 6).
    values, low, high = values.astype(xp.float64), float(low), float(high)
    bins = xp.floor((values.reshape(-1) - low) / (high - low) * nbins)
    bins = xp.clip(bins, 0, nbins - 1).astype(xp.int64)
    return xp.bincount(bins, minlength=nbins).astype(dtype._np)


def _static_nbins(nbins):
    from tapeflow.ops.framework import get_static_value
    value = get_static_value(nbins)
    if value is None:
        raise ValueError("tapeflow needs a value for `nbins` that is known while tracing "
                         "(a Python int or a constant).")
    return int(value)


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """Counts `values` in `nbins` equal-width bins spanning `value_range`.

    Args:
      values: a numeric tensor (any shape).
      value_range: `[lo, hi]`, same dtype as `values`.
      nbins: the number of bins (a positive int).
      dtype: int32 or int64, the dtype of the counts.
      name: unused.

    Returns:
      A 1-D tensor of `nbins` counts.

    Raises:
      InvalidArgumentError: NaN values, `lo >= hi`, or `nbins <= 0`.

    >>> import tapeflow as tf
    >>> tf.histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0], nbins=5).numpy()
    array([2, 1, 1, 0, 2], dtype=int32)
    """
    values = as_operand(values)
    value_range = as_operand(value_range, values.dtype)
    return apply(HistogramFixedWidth, values, value_range, nbins=_static_nbins(nbins),
                 dtype=dtypes.as_dtype(dtype))


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=dtypes.int32,
                               name=None):
    """The bin index of each of `values` (same shape), for `nbins` bins over `value_range`.

    A composite of elementwise ops. As in TF, the result is always int32 (the
    `dtype` argument is accepted and ignored), a NaN gets the int32 minimum,
    and `lo >= hi` is not checked.

    Raises:
      InvalidArgumentError: `nbins <= 0`.

    >>> import tapeflow as tf
    >>> tf.histogram_fixed_width_bins([-1.0, 0.0, 1.5, 2.0, 5.0, 15], [0.0, 5.0],
    ...                               nbins=5).numpy()
    array([0, 0, 1, 2, 4, 4], dtype=int32)
    """
    from tapeflow.ops.clip import clip_by_value
    from tapeflow.ops.math import cast, floor, multiply, subtract, truediv
    values = as_operand(values)
    value_range = as_operand(value_range, values.dtype)
    count = _static_nbins(nbins)
    if count <= 0:
        raise InvalidArgumentError(None, None, f"Expected 'tf.Tensor(False, shape=(), "
                                   f"dtype=bool)' to be true. Summarized data: b'nbins "
                                   f"tf.Tensor({count}, shape=(), dtype=int32) must > 0'")
    low, high = value_range[0], value_range[1]
    scaled = truediv(subtract(values, low), subtract(high, low))
    nbins_float = convert_to_tensor(float(count), dtype=values.dtype)
    indices = floor(multiply(nbins_float, scaled))
    clipped = clip_by_value(indices, convert_to_tensor(0.0, dtype=values.dtype),
                            convert_to_tensor(float(count - 1), dtype=values.dtype))
    return cast(clipped, dtypes.int32)
