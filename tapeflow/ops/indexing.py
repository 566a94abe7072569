"""Indexing: `tensor[key]`, `tf.slice`, `tf.strided_slice`, and `variable[key].assign(...)`.

Every slicing form is turned into one *key*: a tuple of NumPy basic-indexing
items (ints, `Span`s - hashable slices -, `None` for a new axis, `Ellipsis`).
The key is a static op attribute; an index that is only known at run time (a
tensor inside a traced function, or a variable) appears in it as a `_Dyn`
marker that names one of the op's extra inputs, so traced indices work. Checks follow TF's
`StridedSlice`: the same messages, raised as ValueError by the shape rule
while tracing and as InvalidArgumentError by the kernel when running.
"""
import functools
import numbers
import weakref

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, override_operator
from tapeflow.ops._array_util import INT16_32_64, INT32_64, attr_error, shape_error
from tapeflow.ops._array_util import as_tensor as _t
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import tensor_like

_pyslice = slice   # the builtin; this module defines TF's `slice` below
_INDEX_DTYPES = INT16_32_64
_BAD_INDEX = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
              "tf.int32/tf.int64 tensors are valid indices, got {!r}")


# ================================================================================
# Keys: templates of ints, slices, None and Ellipsis
# ================================================================================

class _Dyn:
    """A run-time index in a key: element `j` of the op's extra input `i` (j=None: scalar)."""

    __slots__ = ("i", "j")

    def __init__(self, i, j=None):
        self.i = i
        self.j = j

    def __eq__(self, other):
        return isinstance(other, _Dyn) and other.i == self.i and other.j == self.j

    def __hash__(self):
        return hash(("_Dyn", self.i, self.j))

    def __repr__(self):
        return f"<index {self.i}>" if self.j is None else f"<index {self.i}[{self.j}]>"


class Span:
    """A slice in a key: `start:stop:step`, each an int, None or a `_Dyn` marker.

    Python's own slice objects are not hashable before Python 3.12, and op
    attributes must be (the graph compiler compares them).
    """

    __slots__ = ("start", "stop", "step")

    def __init__(self, start=None, stop=None, step=None):
        self.start, self.stop, self.step = start, stop, step

    def __eq__(self, other):
        return type(other) is Span and (self.start, self.stop, self.step) == (
            other.start, other.stop, other.step)

    def __hash__(self):
        return hash((Span, self.start, self.stop, self.step))

    def __repr__(self):
        def part(v):
            return "" if v is None else repr(v)
        text = f"{part(self.start)}:{part(self.stop)}"
        return text if self.step is None else f"{text}:{part(self.step)}"

    def indices(self, length):
        return _pyslice(self.start, self.stop, self.step).indices(length)


def _is_slice(item):
    return type(item) is Span or type(item) is _pyslice


def _numpy_key(key, values=()):
    """The key for NumPy: Spans as slices, `_Dyn` markers replaced by their run-time ints."""
    if not values:
        try:
            return _static_numpy_key(key)
        except TypeError:   # a key written with Python slices (unhashable before 3.12)
            pass

    def v(item):
        if type(item) is not _Dyn:
            return item
        value = values[item.i]
        return int(value if item.j is None else value[item.j])
    return tuple(_pyslice(v(item.start), v(item.stop), v(item.step)) if _is_slice(item)
                 else v(item) for item in key)


@functools.lru_cache(maxsize=4096)
def _static_numpy_key(key):
    return tuple(_pyslice(item.start, item.stop, item.step) if type(item) is Span else item
                 for item in key)


class _KeyBuilder:
    """Collects the run-time index tensors of a key while it is being built."""

    def __init__(self):
        self.tensors = []

    def scalar(self, value):
        """An int, None, or a `_Dyn` marker for one index value."""
        if value is None:
            return None
        if isinstance(value, numbers.Integral):   # Python bools count as ints, as in TF
            return int(value)
        if tensor_like(value):
            if value.dtype not in _INDEX_DTYPES or value._static_dims() != ():
                raise TypeError(_BAD_INDEX.format(value))
            if type(value) is EagerTensor or (value._is_variable and state.graph is None):
                return int(value._value)     # a known value: fold it into the key
            return self.dynamic(value)
        raise TypeError(_BAD_INDEX.format(value))

    def dynamic(self, tensor, j=None):
        for i, seen in enumerate(self.tensors):
            if seen is tensor:
                return _Dyn(i, j)
        self.tensors.append(tensor)
        return _Dyn(len(self.tensors) - 1, j)

    def item(self, item):
        if type(item) is _pyslice:
            return Span(self.scalar(item.start), self.scalar(item.stop), self.scalar(item.step))
        if item is Ellipsis or item is None:
            return item
        return self.scalar(item)


def _is_bool_mask(key):
    if isinstance(key, bool):
        return True
    if tensor_like(key):
        return key.dtype is dtypes.bool
    return isinstance(key, xp.ndarray) and key.dtype == xp.bool_


def _normalize_key(key):
    """(template, index tensors) for a `tensor[key]` key, with TF's rules.

    TF reads a list like a tuple (`x[[0, 1]]` is `x[0, 1]`), and a boolean key
    (a Python bool, bool tensor or bool array) as a mask for `tf.boolean_mask`;
    the caller handles that case.
    """
    if not isinstance(key, (tuple, list)):
        key = (key,)
    if len(key) > 1 and all(type(k) is bool for k in key):
        raise InvalidArgumentError(None, None, "Value for attr 'Index' of bool is not in the "
                                               "list of allowed values: int16, int32, int64")
    builder = _KeyBuilder()
    template = tuple(builder.item(item) for item in key)
    return template, builder.tensors


def _consumes(item):
    return item is not None and item is not Ellipsis


def _expand(key, rank):
    """Pairs each key item with the input dimension it indexes (None for a new axis).

    The Ellipsis, and the dimensions the key leaves out at the end, become full
    slices, so the result covers every input dimension in order.
    """
    used = sum(1 for item in key if _consumes(item))
    pairs, pos = [], 0
    for item in key:
        if item is Ellipsis:
            for _ in range(rank - used):
                pairs.append((Span(), pos))
                pos += 1
        elif item is None:
            pairs.append((None, None))
        else:
            pairs.append((item, pos))
            pos += 1
    while pos < rank:
        pairs.append((Span(), pos))
        pos += 1
    return pairs


def _check_key(dims, key, fail):
    """TF's validation of a key against input dims (None = unknown); `fail(message)` raises."""
    if sum(1 for item in key if item is Ellipsis) > 1:
        raise fail("Multiple ellipses in slice spec not allowed")
    rank = len(dims)
    used = sum(1 for item in key if _consumes(item))
    if rank == 0 and used:
        raise fail("Attempting to slice scalar input.")
    if used > rank:
        raise fail(f"Index out of range using input dim {rank}; input has only {rank} dims")
    for item, pos in _expand(key, rank):
        if _is_slice(item):
            if item.step == 0:
                raise fail(f"strides[{pos}] must be non-zero")
        elif type(item) is int and dims[pos] is not None:
            d = dims[pos]
            if not -d <= item < d:
                shown = item + d if item < 0 else item
                raise fail(f"slice index {shown} of dimension {pos} out of bounds.")


def _sliced_dims(dims, key):
    out = []
    for item, pos in _expand(key, len(dims)):
        if item is None:
            out.append(1)
        elif _is_slice(item):
            d = dims[pos]
            dynamic = any(type(p) is _Dyn for p in (item.start, item.stop, item.step))
            out.append(None if d is None or dynamic else len(range(*item.indices(d))))
    return tuple(out)


def _static_fail(message):
    return ValueError(message)


def _kernel_fail(message):
    return InvalidArgumentError(None, None, message)


# ================================================================================
# StridedSlice: tensor[key]
# ================================================================================

def _strided_slice_infer(x, *indices, key):
    for spec in indices:
        if spec.dtype not in _INDEX_DTYPES:
            raise TypeError(f"Value for attr 'Index' of {spec.dtype.name} is not in the list "
                            "of allowed values: int16, int32, int64")
    if x.dims is None:
        return TensorSpec(None, x.dtype)
    _check_key(x.dims, key, _static_fail)
    return TensorSpec(_sliced_dims(x.dims, key), x.dtype)


StridedSlice = Op("StridedSlice", infer=_strided_slice_infer)


@StridedSlice.kernel
def _(x, *indices, key):
    key = _numpy_key(key, indices)
    _check_key(x.shape, key, _kernel_fail)
    return x[key]   # a view: tensors are never written, so sharing memory is safe


@StridedSlice.gradient
def _(dy, x, *indices, out, key):
    """The slice's gradient is `dy` placed into zeros shaped like `x`."""
    return (apply(StridedSliceGrad, dy, x, *indices, key=key),) + (None,) * len(indices)


def _strided_slice_grad_infer(dy, like, *indices, key):
    return TensorSpec(like.dims, dy.dtype)


StridedSliceGrad = Op("StridedSliceGrad", infer=_strided_slice_grad_infer)


@StridedSliceGrad.kernel
def _(dy, like, *indices, key):
    out = xp.zeros(like.shape, dtype=dy.dtype)
    out[_numpy_key(key, indices)] = dy
    return out


@StridedSliceGrad.gradient
def _(ddx, dy, like, *indices, out, key):
    return (apply(StridedSlice, ddx, *indices, key=key), None) + (None,) * len(indices)


def strided_slice_by_key(x, key, var=None):
    """`x[key]` with TF's rules (ints, slices, `...`, `tf.newaxis`, scalar int tensors).

    A boolean key selects with `tf.boolean_mask`, as in TF. When `var` is given
    (`x` reads it), the result's `assign` writes the slice back to `var`.
    """
    x = _t(x)
    if type(key) is int:    # the most common case, kept short
        template, tensors = (key,), ()
    elif _is_bool_mask(key):
        from tapeflow.ops.gather import boolean_mask
        return boolean_mask(x, key)
    else:
        template, tensors = _normalize_key(key)
    out = apply(StridedSlice, x, *tensors, key=template)
    if var is not None:
        _remember_variable_slice(out, var, template, tensors)
    return out


def _getitem(self, key):
    return strided_slice_by_key(self, key, self if self._is_variable else None)


override_operator("__getitem__", _getitem)


# ================================================================================
# tf.strided_slice and tf.slice
# ================================================================================

def _index_values(value, builder, what, op_name, allowed=_INDEX_DTYPES):
    """The entries of a 1-D index argument: ints, or `_Dyn` markers for a traced tensor."""
    if tensor_like(value) and (type(value) is not EagerTensor):
        if value.dtype not in allowed:
            raise attr_error("Index", value.dtype, op_name, allowed)
        dims = value._static_dims()
        if dims is None or len(dims) != 1 or dims[0] is None:
            raise ValueError(f"{op_name}: `{what}` must be a 1-D tensor of known length, got "
                             f"shape {shape_str(dims)}.")
        return [builder.dynamic(value, j) for j in range(dims[0])]
    if isinstance(value, (list, tuple)) and any(tensor_like(v) and type(v) is not EagerTensor
                                                for v in value):
        return [builder.scalar(v) for v in value]
    tensor = value if type(value) is EagerTensor else convert_to_tensor(value)
    if tensor.dtype not in allowed:
        raise attr_error("Index", tensor.dtype, op_name, allowed)
    return tensor._value


def _shape_of(values):
    return list(getattr(values, "shape", (len(values),)))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """Extracts a strided slice of a tensor (TF's `tf.strided_slice`).

    Entry `i` of `begin`, `end` and `strides` describes one item of a NumPy-style
    key, shaped by the masks (bit `i` of each): `begin_mask`/`end_mask` ignore
    `begin[i]`/`end[i]` (as an omitted slice bound), `ellipsis_mask` makes it
    `...`, `new_axis_mask` makes it `tf.newaxis`, and `shrink_axis_mask` makes
    it the single index `begin[i]`.

    Args:
      input_: the tensor to slice.
      begin, end, strides: 1-D int lists or tensors of one length (strides
        default to ones).
      begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask: ints.
      var: a variable the result slices; its `assign` then writes the slice.
      name: unused.

    Returns:
      The sliced tensor.

    >>> import tapeflow as tf
    >>> tf.strided_slice([[1, 2, 3], [4, 5, 6]], [0, 2], [2, 0], [1, -1]).numpy()
    array([[3, 2],
           [6, 5]], dtype=int32)
    """
    x = _t(input_)
    builder = _KeyBuilder()
    begin = _index_values(begin, builder, "begin", "StridedSlice")
    end = _index_values(end, builder, "end", "StridedSlice")
    if strides is None:
        strides = xp.ones(_shape_of(begin), dtype=xp.int32)
    else:
        strides = _index_values(strides, builder, "strides", "StridedSlice")
    shapes = [_shape_of(v) for v in (begin, end, strides)]
    if len(shapes[0]) != 1 or shapes[0] != shapes[1] or shapes[0] != shapes[2]:
        raise shape_error(f"Expected begin, end, and strides to be 1D equal size tensors, "
                           f"but got shapes {shapes[0]}, {shapes[1]}, and {shapes[2]} "
                           "instead.", "StridedSlice")
    key = []
    for i in range(len(begin)):
        bit = 1 << i
        b, e, s = (_scalar_entry(v[i]) for v in (begin, end, strides))
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            if type(s) is int and s != 1:
                raise shape_error("only stride 1 allowed on non-range indexing.",
                                   "StridedSlice")
            key.append(b)
        else:
            key.append(Span(None if begin_mask & bit else b, None if end_mask & bit else e, s))
    out = apply(StridedSlice, x, *builder.tensors, key=tuple(key))
    if var is not None:
        _remember_variable_slice(out, var, tuple(key), builder.tensors)
    return out


def _scalar_entry(value):
    return value if type(value) is _Dyn else int(value)


def _slice_infer(x, *indices, begin, size):
    dims = []
    for i, (b, s) in enumerate(zip(begin, size)):
        d = None if x.dims is None else x.dims[i]
        if type(s) is _Dyn:
            dims.append(None)
        elif s == -1:
            dims.append(None if d is None or type(b) is _Dyn else d - b)
        else:
            dims.append(s)
    return TensorSpec(tuple(dims), x.dtype)


Slice = Op("Slice", infer=_slice_infer)


@Slice.kernel
def _(x, *indices, begin, size):
    if indices:
        begin, size = _numpy_key(begin, indices), _numpy_key(size, indices)
    key = []
    for i, (d, b, s) in enumerate(zip(x.shape, begin, size)):
        if not 0 <= b <= d:
            raise InvalidArgumentError(None, None, f"Expected begin[{i}] in [0, {d}], but got "
                                                   f"{b}")
        if s == -1:
            s = d - b
        if not 0 <= s <= d - b:
            raise InvalidArgumentError(None, None, f"Expected size[{i}] in [0, {d - b}], but "
                                                   f"got {s}")
        key.append(_pyslice(b, b + s))
    return x[tuple(key)]


@Slice.gradient
def _(dy, x, *indices, out, begin, size):
    """`dy` written into zeros shaped like `x`, at the sliced window."""
    if not any(type(v) is _Dyn for v in begin + size):
        key = tuple(Span(b, None if s == -1 else b + s) for b, s in zip(begin, size))
        return (apply(StridedSliceGrad, dy, x, key=key),) + (None,) * len(indices)
    # Run-time bounds: the window ends at begin + dy's shape, computed by ops.
    from tapeflow.ops.array import shape, stack
    from tapeflow.ops.math import add, cast
    starts = stack([cast(_entry_tensor(b, indices), dtypes.int64) for b in begin])
    ends = add(starts, shape(dy, out_type=dtypes.int64))
    n = len(indices)
    key = tuple(Span(b, _Dyn(n, j)) for j, b in enumerate(begin))
    return (apply(StridedSliceGrad, dy, x, *indices, ends, key=key),) + (None,) * n


def _entry_tensor(entry, indices):
    if type(entry) is not _Dyn:
        return convert_to_tensor(entry, dtype=dtypes.int64)
    value = indices[entry.i]
    return value if entry.j is None else apply(StridedSlice, value, key=(entry.j,))


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's public name
    """Extracts a slice of `size` starting at `begin` (TF's `tf.slice`).

    A size of -1 takes every remaining element of that dimension.

    >>> import tapeflow as tf
    >>> tf.slice([[1, 2, 3], [4, 5, 6]], [1, 0], [1, -1]).numpy()
    array([[4, 5, 6]], dtype=int32)
    """
    x = _t(input_)
    builder = _KeyBuilder()
    allowed = INT32_64
    begin = _index_values(begin, builder, "begin", "Slice", allowed)
    size = _index_values(size, builder, "size", "Slice", allowed)
    begin_shape, size_shape = _shape_of(begin), _shape_of(size)
    rank = x.ndim
    if begin_shape != [rank] or size_shape != [rank]:
        raise shape_error(f"Expected begin and size arguments to be 1-D tensors of size "
                           f"{rank}, but got shapes {begin_shape} and {size_shape} instead.",
                           "Slice")
    begin = tuple(_scalar_entry(b) for b in begin)
    size = tuple(_scalar_entry(s) for s in size)
    return apply(Slice, x, *builder.tensors, begin=begin, size=size)


# ================================================================================
# Sliced assignment: variable[key].assign(value)
# ================================================================================

def _update_infer(x, value, *indices, key):
    if value.dtype is not x.dtype:
        raise TypeError(f"Input 'value' of 'TensorStridedSliceUpdate' Op has type "
                        f"{value.dtype.name} that does not match type {x.dtype.name} of "
                        "argument 'input'.")
    return TensorSpec(x.dims, x.dtype)


TensorStridedSliceUpdate = Op("TensorStridedSliceUpdate", infer=_update_infer)


@TensorStridedSliceUpdate.kernel
def _(x, value, *indices, key):
    key = _numpy_key(key, indices)
    _check_key(x.shape, key, _kernel_fail)
    final = x[key].shape
    if not _broadcasts_to(value.shape, final):
        raise InvalidArgumentError(None, None, f"Cannot broadcast input shape "
                                               f"{list(value.shape)} into final shape "
                                               f"{list(final)}")
    out = x.copy()
    out[key] = value
    return out


def _broadcasts_to(shape, target):
    """NumPy's assignment rule: leading 1s of `shape` may go, then it broadcasts to `target`."""
    extra = len(shape) - len(target)
    if extra > 0:
        if any(d != 1 for d in shape[:extra]):
            return False
        shape = shape[extra:]
    return all(a == 1 or a == b for a, b in zip(reversed(shape), reversed(target)))


@TensorStridedSliceUpdate.gradient
def _(dy, x, value, *indices, out, key):
    """d/dx: `dy` with the window zeroed; d/dvalue: the window of `dy`, summed to value's shape."""
    from tapeflow.ops.array import expand_dims
    zero = convert_to_tensor(0, dtype=dy.dtype)
    dx = apply(TensorStridedSliceUpdate, dy, zero, *indices, key=key)
    window = apply(StridedSlice, dy, *indices, key=key)
    extra = len(value._static_dims()) - len(window._static_dims())
    for _ in range(extra):      # the value's extra leading 1s
        window = expand_dims(window, 0)
    dvalue = sum_to_shape(window, value)
    return (dx, dvalue) + (None,) * len(indices)


# Each tensor read as `variable[key]` remembers where it came from, so that its
# `assign` writes the slice back (TF attaches `assign` to such tensors). The
# table holds weak references: entries disappear with their tensors.
_VARIABLE_SLICES = {}


def _remember_variable_slice(tensor, var, key, index_tensors):
    token = id(tensor)

    def forget(ref):
        entry = _VARIABLE_SLICES.get(token)
        if entry is not None and entry[0] is ref:
            del _VARIABLE_SLICES[token]

    _VARIABLE_SLICES[token] = (weakref.ref(tensor, forget), var, key, tuple(index_tensors))


def _slice_assign(self):
    entry = _VARIABLE_SLICES.get(id(self))
    if entry is None or entry[0]() is not self:
        raise AttributeError(f"'{type(self).__name__}' object has no attribute 'assign'")
    _, var, key, index_tensors = entry

    def assign(value, name=None):
        """Writes `value` (broadcast to the slice) into the sliced part of the variable."""
        value = convert_to_tensor(value, dtype=var.dtype)
        return var.assign(apply(TensorStridedSliceUpdate, var, value, *index_tensors, key=key))
    return assign


# Tensors have no `assign` attribute unless they are slices of a variable.
override_operator("assign", property(_slice_assign))
