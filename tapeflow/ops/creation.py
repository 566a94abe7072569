"""Tensors made from a few numbers: range, linspace, eye, one_hot, meshgrid, sequence_mask.

`Range` and `OneHot` are primitives (neither has a gradient in TF); the others
are composites of existing ops, so they trace and differentiate like them.
"""
import numbers

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor, scalar_like
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, dtype_mismatch
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor
from tapeflow.ops._array_util import as_tensor, attr_error, is_static, static_int
from tapeflow.ops._rules import as_operand, tensor_like


def _fail(message):
    return InvalidArgumentError(None, None, message)


# ================================================================================
# Range: tf.range
# ================================================================================

def _range_infer(start, limit, delta, length):
    return TensorSpec((length,), start.dtype)


Range = Op("Range", infer=_range_infer, differentiable=False)


def _number(value):
    """A value as TF's kernels print it (C++ stream formatting, 6 significant digits)."""
    value = value.item()
    return str(value) if isinstance(value, numbers.Integral) else f"{value:g}"


def _range_length(start, limit, delta):
    """The number of elements, computed in the tensors' dtype as TF does; checks TF's rules."""
    if delta == 0:
        raise _fail(f"Requires delta != 0: {_number(delta)}")
    if delta > 0 and start > limit:
        raise _fail(f"Requires start <= limit when delta > 0: {_number(start)}/"
                    f"{_number(limit)}")
    if delta < 0 and start < limit:
        raise _fail(f"Requires start >= limit when delta < 0: {_number(start)}/"
                    f"{_number(limit)}")
    if start.dtype.kind in "iu":
        return int((abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta)))
    return int(xp.ceil(xp.abs((limit - start) / delta)))


@Range.kernel
def _(start, limit, delta, length):
    n = _range_length(start, limit, delta)
    # start + i * delta, not a running sum: the same rounding as TF's kernel.
    return start + xp.arange(n, dtype=start.dtype) * delta


# TF infers a range's dtype as the widest of its arguments' dtypes in this order.
_RANGE_DTYPES = (dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32, dtypes.float64)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """A 1-D tensor of `start, start + delta, ...` up to (not including) `limit`.

    `range(n)` counts from 0. Without `dtype`, the result takes the widest
    dtype of the arguments: Python ints give int32, Python floats float32.

    >>> import tapeflow as tf
    >>> tf.range(1, 8, 3).numpy()
    array([1, 4, 7], dtype=int32)
    >>> tf.range(2.0).dtype
    tf.float32
    """
    from tapeflow.ops.math import cast
    if limit is None:
        start, limit = 0, start
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        args = [cast(v, dtype) if tensor_like(v) else convert_to_tensor(v, dtype=dtype)
                for v in (start, limit, delta)]
    else:
        args = [_python_scalar(v) for v in (start, limit, delta)]
        for arg in args:
            if arg.dtype not in _RANGE_DTYPES:
                raise AssertionError(f"tf.range: {arg.dtype.name} is not among the dtypes "
                                     f"range infers from: {[d.name for d in _RANGE_DTYPES]}")
        dtype = max((a.dtype for a in args), key=_RANGE_DTYPES.index)
        args = [a if a.dtype is dtype else cast(a, dtype) for a in args]
    length = None
    if all(type(a) is EagerTensor and a.ndim == 0 for a in args):
        try:
            length = _range_length(*(a._value for a in args))
        except InvalidArgumentError:
            pass    # the kernel raises it, naming the op
    return apply(Range, *args, length=length)


def _python_scalar(value):
    """A tensor for a range argument; Python ints and floats come from a small cache."""
    if type(value) is int and -2 ** 31 <= value < 2 ** 31:
        return scalar_like(value, dtypes.int32)
    if type(value) is float:
        return scalar_like(value, dtypes.float32)
    return as_tensor(value)


# ================================================================================
# linspace (a composite: its gradient flows to start and stop)
# ================================================================================

def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop`, both included (TF's `tf.linspace`).

    `start` and `stop` may be tensors (broadcast together); the values are laid
    out along `axis`. Integer endpoints give float64, as in TF.

    >>> import tapeflow as tf
    >>> tf.linspace(0.0, 1.0, 5).numpy()
    array([0.  , 0.25, 0.5 , 0.75, 1.  ], dtype=float32)
    """
    from tapeflow.ops.array import broadcast_to, concat, expand_dims, reshape
    from tapeflow.ops.indexing import slice as slice_
    from tapeflow.ops.math import add, cast, divide, maximum, multiply, subtract, where
    start = as_tensor(start)
    stop = as_operand(stop, start.dtype)
    if start.dtype.is_integer:
        start = cast(start, dtypes.float64)
    if stop.dtype.is_integer:
        stop = cast(stop, dtypes.float64)
    num = as_tensor(num)
    if not num.dtype.is_integer:
        raise TypeError(f"Argument `tensor` (name: num) must be of type integer. Received "
                        f"`tensor` = {_shown(num)} of dtype: {num.dtype}")
    num = cast(num, dtypes.int64)
    dims = _broadcast_static(start, stop)
    start, stop = broadcast_to(start, dims), broadcast_to(stop, dims)
    rank = len(dims) + 1
    axis = static_int(axis, "axis")
    axis = axis % rank if -rank <= axis < rank else axis
    first, last = expand_dims(start, axis), expand_dims(stop, axis)
    steps = maximum(subtract(num, 1), convert_to_tensor(1, dtype=dtypes.int64))
    delta = divide(subtract(last, first), cast(steps, start.dtype))
    end = where(num >= 0, steps, convert_to_tensor(-1, dtype=dtypes.int64))
    positions = cast(range(1, end, dtype=dtypes.int64), start.dtype)
    shape = [1] * rank
    shape[axis] = -1
    middle = add(first, multiply(delta, reshape(positions, shape)))
    values = concat([first, middle, last], axis=axis)
    size = [-1] * rank
    size[axis] = num
    return slice_(values, [0] * rank, size)


def _shown(tensor):
    return tensor.numpy() if type(tensor) is EagerTensor else tensor


def _broadcast_static(a, b):
    from tapeflow.core.shape import broadcast_shapes
    dims = broadcast_shapes(a._static_dims(), b._static_dims())
    if dims is None or None in dims:
        raise ValueError(f"linspace: start {a.shape} and stop {b.shape} must broadcast to a "
                         "known shape.")
    return list(dims)


# ================================================================================
# eye
# ================================================================================

def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """An identity matrix (or a batch of them), TF's `tf.eye`.

    >>> import tapeflow as tf
    >>> tf.eye(2, 3, dtype=tf.int32).numpy()
    array([[1, 0, 0],
           [0, 1, 0]], dtype=int32)
    """
    dtype = dtypes.as_dtype(dtype)
    columns = num_rows if num_columns is None else num_columns
    for value in (num_rows, columns):
        if isinstance(value, float) or (tensor_like(value) and not value.dtype.is_integer):
            raise TypeError(f"Arguments `num_rows` and `num_columns` must be positive integer "
                            f"values. Received: num_rows={num_rows}, num_columns={columns}")
    rows, columns = static_int(num_rows, "num_rows"), static_int(columns, "num_columns")
    batch = [] if batch_shape is None else [static_int(d, "batch_shape") for d in batch_shape]
    for d in batch + [rows, columns]:
        if d < 0:
            raise InvalidArgumentError(None, None, f"Dimension {d} must be >= 0 [Op:Fill]")
    matrix = xp.eye(rows, columns, dtype=dtype._np)
    return convert_to_tensor(xp.broadcast_to(matrix, tuple(batch) + (rows, columns)).copy())


# ================================================================================
# OneHot: tf.one_hot
# ================================================================================

def _one_hot_infer(indices, on_value, off_value, *depth_tensor, depth, axis):
    if indices.dims is None:
        return TensorSpec(None, on_value.dtype)
    dims = list(indices.dims)
    dims.insert(len(dims) if axis == -1 else axis, depth)
    return TensorSpec(tuple(dims), on_value.dtype)


OneHot = Op("OneHot", infer=_one_hot_infer, differentiable=False)


@OneHot.kernel
def _(indices, on_value, off_value, *depth_tensor, depth, axis):
    if depth_tensor:
        depth = int(depth_tensor[0])
        if depth < 0:
            raise _fail(f"depth must be non-negative, got: {depth}")
    hot = indices[..., None] == xp.arange(depth)   # a negative index matches nothing
    out = xp.where(hot, on_value, off_value)
    return out if axis == -1 else xp.moveaxis(out, -1, axis)


_ONE_HOT_INDEX_DTYPES = (dtypes.uint8, dtypes.int8, dtypes.int32, dtypes.int64)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors: `on_value` at each index, `off_value` elsewhere (TF's `tf.one_hot`).

    The new dimension of size `depth` goes at `axis` (last by default). An
    index outside [0, depth), negative ones included, gives an all-off row.
    The dtype comes from `dtype`, else from `on_value`/`off_value`, else float32.

    >>> import tapeflow as tf
    >>> tf.one_hot([0, 2, -1], 3).numpy()
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 0., 0.]], dtype=float32)
    """
    indices = as_tensor(indices)
    if indices.dtype not in _ONE_HOT_INDEX_DTYPES:
        raise attr_error("TI", indices.dtype, "OneHot", _ONE_HOT_INDEX_DTYPES)
    on, off = _on_off_values(on_value, off_value, dtype)
    rank = indices.ndim
    axis = -1 if axis is None else static_int(axis, "axis")
    if not (axis == -1 or 0 <= axis <= rank):
        raise _fail(f"Expected axis to be -1 or between [0, {rank + 1}).  But received: "
                    f"{axis} [Op:OneHot]")
    if not is_static(depth):     # a traced depth: the kernel reads it
        return apply(OneHot, indices, on, off, as_tensor(depth), depth=None, axis=axis)
    depth = static_int(convert_to_tensor(depth, dtype=dtypes.int32) if not tensor_like(depth)
                       else depth, "depth")
    if depth < 0:
        raise _fail(f"depth must be non-negative, got: {depth} [Op:OneHot]")
    return apply(OneHot, indices, on, off, depth=depth, axis=axis)


def _on_off_values(on_value, off_value, dtype):
    """The on and off values as scalar tensors of one dtype, with TF's inference rules."""
    on = None if on_value is None else as_tensor(on_value) if dtype is None else \
        _value_of_dtype(on_value, dtype)
    off = None if off_value is None else as_tensor(off_value) if dtype is None else \
        _value_of_dtype(off_value, dtype)
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        for value, which in ((on, "on_value"), (off, "off_value")):
            if value is not None and value.dtype is not dtype:
                raise TypeError(f"dtype {value.dtype} of {which} does not match dtype "
                                f"parameter {dtype}")
    elif on is not None and off is not None and on.dtype is not off.dtype:
        raise TypeError(f"dtype {on.dtype} of on_value does not match dtype "
                        f"{off.dtype} of off_value")
    else:
        dtype = on.dtype if on is not None else off.dtype if off is not None else \
            dtypes.float32
    if on is None:
        on = convert_to_tensor(1, dtype=dtype)
    if off is None:
        off = convert_to_tensor(0, dtype=dtype)
    return on, off


def _value_of_dtype(value, dtype):
    if tensor_like(value):
        return value
    try:
        return convert_to_tensor(value, dtype=dtype)
    except (TypeError, ValueError):
        return convert_to_tensor(value)   # its own dtype, which the caller reports


# ================================================================================
# meshgrid and sequence_mask (composites)
# ================================================================================

def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D coordinate vectors (TF's `tf.meshgrid`).

    Keyword arguments: `indexing` ("xy", the default, swaps the first two output
    dimensions; "ij" does not) and `name`.

    >>> import tapeflow as tf
    >>> x, y = tf.meshgrid([1, 2, 3], [4, 5])
    >>> y.numpy()
    array([[4, 4, 4],
           [5, 5, 5]], dtype=int32)
    """
    from tapeflow.ops.array import broadcast_to, reshape
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        key = next(iter(kwargs))
        raise TypeError(f"'{key}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         f"'{indexing}'")
    vectors = [reshape(as_tensor(a), [-1]) for a in args]
    if not vectors:
        return []
    sizes = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    first = vectors[0].dtype
    outputs = []
    for i, v in enumerate(vectors):
        if v.dtype is not first:   # TF multiplies each grid by ones of the first dtype
            raise dtype_mismatch("Mul", 1, v.dtype, first)
        shape = [1] * len(vectors)
        position = 1 - i if indexing == "xy" and i < 2 and len(vectors) > 1 else i
        shape[position] = -1
        outputs.append(broadcast_to(reshape(v, shape), sizes))
    return outputs


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """A mask of the first `lengths[i]` positions of each row (TF's `tf.sequence_mask`).

    The result has shape `lengths.shape + [maxlen]`; `maxlen` defaults to the
    largest length.

    >>> import tapeflow as tf
    >>> tf.sequence_mask([1, 3], 4).numpy()
    array([[ True, False, False, False],
           [ True,  True,  True, False]])
    """
    from tapeflow.ops.array import expand_dims
    from tapeflow.ops.math import cast, less, reduce_max
    lengths = as_tensor(lengths)
    if maxlen is None:
        maxlen = reduce_max(lengths) if lengths._static_dims() != (0,) else \
            convert_to_tensor(0, dtype=lengths.dtype)
    else:
        maxlen = as_tensor(maxlen)
        if maxlen._static_dims() != ():
            raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, received "
                             f"`maxlen` = {_shown(maxlen)} with shape "
                             f"'{maxlen.shape}' instead")
    positions = range(convert_to_tensor(0, dtype=maxlen.dtype), maxlen,
                      convert_to_tensor(1, dtype=maxlen.dtype))
    limits = cast(expand_dims(lengths, -1), maxlen.dtype)
    mask = less(positions, limits)
    dtype = dtypes.as_dtype(dtype)
    return mask if dtype is dtypes.bool else cast(mask, dtype)
