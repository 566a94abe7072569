"""`tf.RaggedTensor`: rows of different lengths, stored as flat values plus row splits.

A ragged tensor with `ragged_rank` k is `values` (a Tensor, or a RaggedTensor
one rank lower) and `row_splits`, an int64 (or int32) vector: row i is
`values[row_splits[i]:row_splits[i + 1]]`. So

    [[1, 2], [3], []]  ==  values [1, 2, 3],  row_splits [0, 2, 3, 3]

Two ops move between ragged and dense layouts, each the other's gradient:
RaggedTensorToTensor pads the rows into a dense tensor, RaggedTensorFromDense
reads the ragged positions back out. Everything else is row-splits arithmetic
on ordinary tensors, so gradients flow to the values.

Elementwise Python operators work with scalars and with ragged tensors of the
same row structure; `tf.ragged.map_flat_values` applies any op to the values.
(TF also dispatches its ops, like `tf.add`, on ragged tensors; tapeflow does not.)
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, TensorLike
from tapeflow.core.type_spec import TypeSpec
from tapeflow.ops import array as _array
from tapeflow.ops import math as _math

# ================================================================================
# Ragged <-> dense ops
# ================================================================================


def _positions(splits_list, nvals):
    """For each flat value, its index along the leading and every ragged dimension."""
    ids = xp.arange(nvals)
    columns = []
    for splits in reversed(splits_list):
        rows = xp.repeat(xp.arange(len(splits) - 1), xp.diff(splits))[ids]
        columns.append(ids - splits[rows])
        ids = rows
    return (ids,) + tuple(reversed(columns))


def _bounding_dims(splits_list, inner):
    dims = [len(splits_list[0]) - 1]
    for splits in splits_list:
        lengths = xp.diff(splits)
        dims.append(int(lengths.max()) if lengths.size else 0)
    return tuple(dims) + tuple(inner)


def _to_tensor_infer(values, default, *splits, shape):
    if shape is not None:
        return TensorSpec(shape, values.dtype)
    inner = None if values.dims is None else tuple(values.dims[1:])
    nrows = splits[0].dims[0] - 1 if splits[0].dims and splits[0].dims[0] is not None else None
    dims = None if inner is None else (nrows,) + (None,) * len(splits) + inner
    return TensorSpec(dims, values.dtype)


RaggedTensorToTensor = Op("RaggedTensorToTensor", infer=_to_tensor_infer)


@RaggedTensorToTensor.kernel
def _(values, default, *splits, shape):
    splits = [s.astype(xp.int64) for s in splits]
    full = _bounding_dims(splits, values.shape[1:])
    dims = full if shape is None else tuple(f if s is None else s for s, f in zip(shape, full))
    out = xp.empty(dims, dtype=values.dtype)
    out[...] = xp.broadcast_to(default, dims[len(splits) + 1:]) if default.ndim else default
    index = _positions(splits, values.shape[0])
    keep = xp.ones(values.shape[0], dtype=bool)
    for axis, positions in enumerate(index):
        keep &= positions < dims[axis]
    out[tuple(p[keep] for p in index)] = values[keep]
    return out


def _from_dense_infer(dense, *splits):
    dims = None if dense.dims is None else (None,) + tuple(dense.dims[len(splits) + 1:])
    return TensorSpec(dims, dense.dtype)


RaggedTensorFromDense = Op("RaggedTensorFromDense", infer=_from_dense_infer)


@RaggedTensorFromDense.kernel
def _(dense, *splits):
    splits = [s.astype(xp.int64) for s in splits]
    nvals = int(splits[-1][-1]) if splits[-1].size else 0
    return dense[_positions(splits, nvals)]


@RaggedTensorToTensor.gradient
def _(dy, values, default, *splits, out, shape):
    d_values = apply(RaggedTensorFromDense, dy, *splits)

    def d_default():   # the gradient of the padding: what is left of dy
        from tapeflow.ops.math import reduce_sum
        total = _math.subtract(reduce_sum(dy), reduce_sum(d_values))
        return total if default.shape.rank == 0 else None
    return (d_values, d_default) + (None,) * len(splits)


@RaggedTensorFromDense.gradient
def _(dy, dense, *splits, out):
    zero = _array.zeros([], dtype=dy.dtype)
    shape = tuple(dense._static_dims()) if None not in (dense._static_dims() or (None,)) \
        else None
    return (apply(RaggedTensorToTensor, dy, zero, *splits, shape=shape),) + (None,) * len(
        splits)


# ================================================================================
# RaggedTensor
# ================================================================================

def _tensor(value, dtype=None):
    if isinstance(value, (TensorLike, RaggedTensor)):
        return value
    return convert_to_tensor(value, dtype=dtype)


def _splits_tensor(value):
    splits = value if isinstance(value, TensorLike) else convert_to_tensor(value,
                                                                          dtype_hint=dtypes.int64)
    if splits.dtype not in (dtypes.int32, dtypes.int64):
        splits = _math.cast(splits, dtypes.int64)
    return splits


class RaggedTensor:
    """A tensor whose rows may have different lengths (TF's `tf.RaggedTensor`).

    Build one with `tf.ragged.constant` or a `from_*` factory.

    >>> import tapeflow as tf
    >>> rt = tf.RaggedTensor.from_row_splits([3, 1, 4, 1, 5], row_splits=[0, 2, 2, 5])
    >>> rt
    <tf.RaggedTensor [[3, 1], [], [4, 1, 5]]>
    >>> rt.to_tensor().numpy()
    array([[3, 1, 0],
           [0, 0, 0],
           [4, 1, 5]], dtype=int32)
    """

    _is_composite = True   # tf.is_tensor is True for composite tensors

    def __init__(self, values, row_splits, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits

    # -- factories -------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Rows `values[row_splits[i]:row_splits[i + 1]]`.

        Raises:
          InvalidArgumentError: (eagerly, with `validate`) splits that do not start
            at 0, decrease, or do not end at the number of values.
        """
        values = _tensor(values)
        splits = _splits_tensor(row_splits)
        if validate:
            _validate_splits(values, splits)
        return cls(values, splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        lengths = _splits_tensor(row_lengths)
        zero = _array.zeros([1], dtype=lengths.dtype)
        splits = _array.concat([zero, _cumsum(lengths)], 0)
        return cls.from_row_splits(values, splits, validate=validate)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        values = _tensor(values)
        starts = _splits_tensor(row_starts)
        end = _array.reshape(_nvals(values, starts.dtype), [1])
        return cls.from_row_splits(values, _array.concat([starts, end], 0), validate=validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        limits = _splits_tensor(row_limits)
        zero = _array.zeros([1], dtype=limits.dtype)
        return cls.from_row_splits(values, _array.concat([zero, limits], 0), validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Value i goes to row `value_rowids[i]` (sorted); `nrows` adds empty trailing rows."""
        from tapeflow.ops.segment import bincount
        rowids = _splits_tensor(value_rowids)
        if nrows is None:
            nrows = _math.add(_math.reduce_max(rowids), 1) if _static_len(rowids) else 0
        counts = bincount(_math.cast(rowids, dtypes.int32), minlength=nrows, maxlength=nrows,
                          dtype=rowids.dtype)
        return cls.from_row_lengths(values, counts, validate=validate)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        result = _tensor(flat_values)
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None,
                                validate=True):
        result = _tensor(flat_values)
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64):
        """The rows of a dense tensor, cut to `lengths` or with trailing `padding` removed.

        Raises:
          ValueError: both `lengths` and `padding` are given, or `ragged_rank` is not 1.
        """
        if lengths is not None and padding is not None:
            raise ValueError("Specify argument `lengths` or `padding`, but not both.")
        if ragged_rank != 1:
            raise ValueError("tapeflow's RaggedTensor.from_tensor supports ragged_rank=1.")
        tensor = _tensor(tensor)
        row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        if lengths is None:
            lengths = _lengths_without_padding(tensor, padding, row_splits_dtype)
        lengths = _math.cast(_splits_tensor(lengths), row_splits_dtype)
        zero = _array.zeros([1], dtype=row_splits_dtype)
        splits = _array.concat([zero, _cumsum(lengths)], 0)
        values = apply(RaggedTensorFromDense, tensor, splits)
        return cls(values, splits, internal=True)

    # -- structure ------------------------------------------------------------------
    values = property(lambda self: self._values)
    row_splits = property(lambda self: self._row_splits)

    @property
    def flat_values(self):
        values = self._values
        while isinstance(values, RaggedTensor):
            values = values._values
        return values

    @property
    def nested_row_splits(self):
        splits, rt = [], self
        while isinstance(rt, RaggedTensor):
            splits.append(rt._row_splits)
            rt = rt._values
        return tuple(splits)

    @property
    def ragged_rank(self):
        return len(self.nested_row_splits)

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def shape(self):
        """`[nrows, None, ...]`: None for the ragged dimensions."""
        dims = self._row_splits._static_dims()
        nrows = None if not dims or dims[0] is None else dims[0] - 1
        inner = self._values.shape
        if inner.rank is None:
            return TensorShape(None)
        return TensorShape([nrows, None] + list(inner)[1:])

    def get_shape(self):
        return self.shape

    @property
    def row_splits_dtype(self):
        return self._row_splits.dtype

    def row_lengths(self, axis=1, name=None):
        if axis != 1:
            return self.with_values(self._values.row_lengths(axis - 1))
        return _math.subtract(self._row_splits[1:], self._row_splits[:-1])

    def nested_row_lengths(self, name=None):
        return tuple(_math.subtract(s[1:], s[:-1]) for s in self.nested_row_splits)

    def nrows(self, out_type=None, name=None):
        n = _math.subtract(_array.size(self._row_splits, out_type=self._row_splits.dtype), 1)
        return n if out_type is None else _math.cast(n, out_type)

    def row_starts(self, name=None):
        return self._row_splits[:-1]

    def row_limits(self, name=None):
        return self._row_splits[1:]

    def value_rowids(self, name=None):
        """The row of each value."""
        from tapeflow.ops.layout import repeat
        rows = _math.cast(_range_like(self.nrows()), self._row_splits.dtype)
        return repeat(rows, self.row_lengths())

    def nested_value_rowids(self, name=None):
        ids, rt = [], self
        while isinstance(rt, RaggedTensor):
            ids.append(rt.value_rowids())
            rt = rt._values
        return tuple(ids)

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """The shape of the smallest dense tensor holding this one (int64)."""
        out_type = dtypes.as_dtype(out_type or self._row_splits.dtype)
        dims = [self.nrows()]
        for splits in self.nested_row_splits:
            lengths = _math.subtract(splits[1:], splits[:-1])
            dims.append(_math.reduce_max(_array.concat([lengths, _array.zeros([1], lengths.dtype)],
                                                       0)))
        inner = _array.shape(self.flat_values, out_type=out_type)[1:]
        shape = _array.concat([_array.stack([_math.cast(d, out_type) for d in dims]), inner], 0)
        return shape if axis is None else shape[axis]

    # -- conversions -------------------------------------------------------------------
    def to_tensor(self, default_value=None, name=None, shape=None):
        """The rows padded with `default_value` (zeros, or b"" for strings) into a dense tensor.

        `shape` fixes the output shape (None entries: the bounding size); rows and
        columns beyond it are cut.
        """
        flat = self.flat_values
        if default_value is None:
            default_value = b"" if flat.dtype is dtypes.string else 0
        default = convert_to_tensor(default_value, dtype=flat.dtype)
        if shape is not None:
            shape = tuple(None if d is None or d == -1 else int(d) for d in TensorShape(shape))
        return apply(RaggedTensorToTensor, flat, default, *self.nested_row_splits, shape=shape)

    def with_values(self, new_values):
        return RaggedTensor(_tensor(new_values), self._row_splits, internal=True)

    def with_flat_values(self, new_values):
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype):
        dtype = dtypes.as_dtype(dtype)
        values = self._values.with_row_splits_dtype(dtype) if isinstance(
            self._values, RaggedTensor) else self._values
        return RaggedTensor(values, _math.cast(self._row_splits, dtype), internal=True)

    def merge_dims(self, outer_axis, inner_axis):
        """Merges dimensions `outer_axis..inner_axis`; (0, 1) gives the values."""
        if (outer_axis, inner_axis) == (0, 1):
            return self._values
        raise NotImplementedError("tapeflow's RaggedTensor.merge_dims supports (0, 1) only.")

    def numpy(self):
        """An array of row arrays (one array when all rows have the same length), as TF."""
        values = self._values.numpy()
        splits = self._row_splits.numpy()
        rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return xp.zeros((0, 0) + values.shape[1:], dtype=values.dtype)
        uniform = all(row.shape == rows[0].shape for row in rows)
        if uniform:
            return xp.array(rows, dtype=rows[0].dtype)
        out = xp.empty(len(rows), dtype=object)
        for i, row in enumerate(rows):
            out[i] = row
        return out

    def to_list(self):
        """The value as nested Python lists."""
        values = self._values.to_list() if isinstance(self._values, RaggedTensor) \
            else self._values.numpy().tolist()
        splits = self._row_splits.numpy().tolist()
        return [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

    @property
    def _type_spec(self):
        return RaggedTensorSpec(self.shape, self.dtype, self.ragged_rank, self.row_splits_dtype)

    def __repr__(self):
        if not self._is_eager():
            return (f"tf.RaggedTensor(values={self._values!r}, "
                    f"row_splits={self._row_splits!r})")
        with xp.printoptions(formatter={"all": _formatter}):
            return f"<tf.RaggedTensor {_formatter(self.numpy())}>"

    __str__ = __repr__

    def _is_eager(self):
        return all(isinstance(s, EagerTensor) for s in self.nested_row_splits) and isinstance(
            self.flat_values, EagerTensor)

    # -- indexing ----------------------------------------------------------------------------
    def __getitem__(self, key):
        if isinstance(key, tuple):
            if not key:
                return self
            first, rest = key[0], key[1:]
            if isinstance(first, slice):
                if rest and not all(k == slice(None) for k in rest):
                    raise ValueError("Cannot index into an inner ragged dimension.")
                return self[first]
            row = self[first]
            return row[rest] if rest else row
        if isinstance(key, slice):
            return self._slice_rows(key)
        return self._row(key)

    def _row(self, index):
        if isinstance(index, TensorLike) and state.graph is not None:
            start, stop = self._row_splits[index], self._row_splits[index + 1]
            return self._values[start:stop]
        index = int(index)
        nrows = int(self.nrows())
        if not -nrows <= index < nrows:
            raise IndexError(f"Row key {index} out of bounds")
        index %= nrows
        splits = self._row_splits.numpy()
        return self._values[int(splits[index]):int(splits[index + 1])]

    def _slice_rows(self, key):
        if key.step not in (None, 1):
            raise ValueError("tapeflow's RaggedTensor supports row slices with step 1 only.")
        nrows = int(self.nrows())
        start, stop, _ = key.indices(nrows)
        stop = max(start, stop)
        splits = self._row_splits[start:stop + 1]
        first, last = int(self._row_splits.numpy()[start]), int(self._row_splits.numpy()[stop])
        return RaggedTensor(self._values[first:last], _math.subtract(splits, splits[0]),
                            internal=True)

    def __iter__(self):
        if not self._is_eager():
            raise TypeError("Iterating over a symbolic RaggedTensor is not allowed; use "
                            "tf.map_fn or its values and row_splits.")
        return (self._row(i) for i in range(int(self.nrows())))

    # -- elementwise operators ------------------------------------------------------------------
    def _elementwise(self, other, op, reverse=False):
        flat = self.flat_values
        if isinstance(other, RaggedTensor):
            _check_same_splits(self, other)
            other = other.flat_values
        else:
            other = other if isinstance(other, TensorLike) else convert_to_tensor(
                other, dtype_hint=flat.dtype)
            if other.shape.rank not in (0, None):
                raise ValueError("tapeflow's RaggedTensor operators take scalars or ragged "
                                 "tensors of the same row structure; use "
                                 "tf.ragged.map_flat_values for anything else.")
        return self.with_flat_values(op(other, flat) if reverse else op(flat, other))

    def __neg__(self):
        return self.with_flat_values(_math.negative(self.flat_values))

    def __abs__(self):
        return self.with_flat_values(_math.abs(self.flat_values))

    def __invert__(self):
        return self.with_flat_values(_math.logical_not(self.flat_values))

    __hash__ = None


def _binary(op_name, reverse=False):
    def method(self, other):
        return self._elementwise(other, getattr(_math, op_name), reverse)
    return method


for _name, _op in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                   ("truediv", "truediv"), ("floordiv", "floordiv"), ("mod", "floormod"),
                   ("pow", "pow")):
    setattr(RaggedTensor, f"__{_name}__", _binary(_op))
    setattr(RaggedTensor, f"__r{_name}__", _binary(_op, reverse=True))
for _name, _op in (("eq", "equal"), ("ne", "not_equal"), ("lt", "less"), ("le", "less_equal"),
                   ("gt", "greater"), ("ge", "greater_equal"), ("and", "logical_and"),
                   ("or", "logical_or")):
    setattr(RaggedTensor, f"__{_name}__", _binary(_op))


def _formatter(x):
    """TF's printing of a ragged value: nested arrays, `str` of each element."""
    if isinstance(x, xp.ndarray):
        if x.size != 0:
            return xp.array2string(x, separator=", ")
        return repr(x.tolist())
    return str(x)


# -- helpers -----------------------------------------------------------------------------------

def _cumsum(x):
    from tapeflow.ops.reduction import cumsum
    return cumsum(x)


def _range_like(n):
    from tapeflow.ops.creation import range as range_
    return range_(n)


def _nvals(values, dtype):
    if isinstance(values, RaggedTensor):
        return _math.cast(values.nrows(), dtype)
    return _array.shape(values, out_type=dtype)[0]


def _static_len(tensor):
    dims = tensor._static_dims()
    return dims is None or dims[0] is None or dims[0] > 0


def _validate_splits(values, splits):
    """TF's checks of row splits (eagerly; a traced function trusts its inputs)."""
    if not isinstance(splits, EagerTensor):
        return
    array = splits.numpy()
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"Shape {splits.shape} must have rank 1 and at least one element "
                         "(row_splits).")
    if array[0] != 0:
        raise InvalidArgumentError(None, None, "Arguments to from_row_splits do not form a "
                                   f"valid RaggedTensor:zero\nCondition x == y did not hold.\n"
                                   f"First 1 elements of x:\n[{array[0]}]\nFirst 1 elements of "
                                   "y:\n[0]")
    if (xp.diff(array) < 0).any():
        raise InvalidArgumentError(None, None, "Arguments to from_row_splits do not form a "
                                   "valid RaggedTensor:monotonic")
    nvals = int(values.nrows()) if isinstance(values, RaggedTensor) else values.shape[0]
    if nvals is not None and array[-1] != nvals:
        raise InvalidArgumentError(None, None, "Arguments to _from_row_partition do not form a "
                                   "valid RaggedTensor\nCondition x == y did not hold.\nFirst 1 "
                                   f"elements of x:\n[{array[-1]}]\nFirst 1 elements of y:\n"
                                   f"[{nvals}]")


def _check_same_splits(a, b):
    sa, sb = a.nested_row_splits, b.nested_row_splits
    same = len(sa) == len(sb) and all(
        not (isinstance(x, EagerTensor) and isinstance(y, EagerTensor)) or
        (x.shape == y.shape and bool(xp.array_equal(x.numpy(), y.numpy())))
        for x, y in zip(sa, sb))
    if not same:
        raise ValueError("Ragged tensors in an elementwise op must have the same row "
                         "structure (row_splits).")


def _lengths_without_padding(tensor, padding, dtype):
    """Row lengths of a dense [rows, cols, ...] tensor: all of it, or up to trailing padding."""
    shape = _array.shape(tensor, out_type=dtype)
    if padding is None:
        return _array.fill(shape[:1], shape[1])
    from tapeflow.ops.reduction import reduce_any
    keep = _math.not_equal(tensor, convert_to_tensor(padding, dtype=tensor.dtype))
    if tensor.shape.rank and tensor.shape.rank > 2:
        keep = reduce_any(keep, axis=list(range(2, tensor.shape.rank)))
    positions = _math.cast(_range_like(shape[1]), dtype) + 1
    return _math.reduce_max(_math.multiply(_math.cast(keep, dtype), positions), axis=1)


# ================================================================================
# RaggedTensorSpec, tf.ragged functions
# ================================================================================

class RaggedTensorSpec(TypeSpec):
    """The spec of a RaggedTensor (TF's `tf.RaggedTensorSpec`)."""

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None,
                 row_splits_dtype=dtypes.int64, flat_values_spec=None):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        if ragged_rank is None:
            if self._shape.rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = self._shape.rank - 1
        self._ragged_rank = ragged_rank
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)

    value_type = property(lambda self: RaggedTensor)
    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    ragged_rank = property(lambda self: self._ragged_rank)
    row_splits_dtype = property(lambda self: self._row_splits_dtype)

    def _serialize(self):
        return (self._shape, self._dtype, self._ragged_rank, self._row_splits_dtype)

    def __repr__(self):
        return (f"RaggedTensorSpec({self._shape!r}, {self._dtype!r}, {self._ragged_rank}, "
                f"{self._row_splits_dtype!r})")


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """A RaggedTensor from a nested Python list (TF's `tf.ragged.constant`).

    Lists nested to the same depth everywhere; `ragged_rank` (default: all but
    the innermost level) says how many levels are ragged, the rest must be
    uniform. A list with no ragged level gives a plain tensor.

    Raises:
      ValueError: scalars at different depths.

    >>> import tapeflow as tf
    >>> tf.ragged.constant([[1, 2], [3], []])
    <tf.RaggedTensor [[1, 2], [3], []]>
    """
    depth = _scalar_depth(pylist)
    if inner_shape is not None and ragged_rank is None:
        ragged_rank = max(depth - 1 - len(inner_shape), 0)
    if ragged_rank is None:
        ragged_rank = max(depth - 1, 0)
    if ragged_rank == 0:
        return convert_to_tensor(pylist, dtype=dtype) if pylist != [] or dtype else \
            convert_to_tensor([], dtype=dtypes.float32)
    row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
    nested_splits, items = [], list(pylist)
    for _ in range(ragged_rank):
        lengths = [len(row) for row in items]
        nested_splits.append(convert_to_tensor(xp.concatenate([[0], xp.cumsum(lengths)]).astype(
            row_splits_dtype._np)))
        items = [item for row in items for item in row]
    if items:
        values = convert_to_tensor(items, dtype=dtype)
    else:
        inner = tuple(inner_shape or ())
        values = convert_to_tensor(xp.zeros((0,) + inner), dtype=dtype or dtypes.float32)
    return RaggedTensor.from_nested_row_splits(values, nested_splits, validate=False)


def _scalar_depth(value):
    """The nesting depth of the scalars in `value` (checking it is the same everywhere)."""
    if not isinstance(value, (list, tuple)):
        return 0
    depths = {_scalar_depth(v) for v in value}
    if len(depths) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    return 1 + (depths.pop() if depths else 0)


def map_flat_values(op, *args, **kwargs):
    """`op` applied to the flat values of the ragged arguments; the result has their rows.

    >>> import tapeflow as tf
    >>> tf.ragged.map_flat_values(tf.multiply, tf.ragged.constant([[1, 2], [3]]), 2)
    <tf.RaggedTensor [[2, 4], [6]]>

    Raises:
      ValueError: no ragged argument, or ragged arguments of different row structures.
    """
    ragged = [a for a in list(args) + list(kwargs.values()) if isinstance(a, RaggedTensor)]
    if not ragged:
        raise ValueError("map_flat_values requires at least one RaggedTensor argument.")
    for other in ragged[1:]:
        _check_same_splits(ragged[0], other)

    def flat(a):
        return a.flat_values if isinstance(a, RaggedTensor) else a

    result = op(*[flat(a) for a in args], **{k: flat(v) for k, v in kwargs.items()})
    return ragged[0].with_flat_values(result)


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """The row of each value, from row splits: [0, 2, 3] -> [0, 0, 1]."""
    splits = _splits_tensor(splits)
    result = RaggedTensor.from_row_splits(_array.zeros(_array.reshape(splits[-1], [1])),
                                          splits, validate=False).value_rowids()
    return result if out_type is None else _math.cast(result, out_type)


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """Row splits from sorted row ids: [0, 0, 1] -> [0, 2, 3]."""
    rt = RaggedTensor.from_value_rowids(_array.zeros(_array.shape(segment_ids)), segment_ids,
                                        nrows=num_segments)
    splits = rt.row_splits
    return splits if out_type is None else _math.cast(splits, out_type)
