"""Batching transformations: batch, padded_batch, unbatch, rebatch, window, group_by_window.

Batches are built by stacking the components' NumPy arrays directly (one
`stack` per component), never through per-element tensor ops.
"""
import collections
import functools
import itertools

from tapeflow.core import dtypes, nest
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import DataLossError, InvalidArgumentError, op_error
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.data import structure
from tapeflow.data.dataset import Dataset, bool_arg, int_arg, iteration_error
from tapeflow.data.functions import StructuredFunction
from tapeflow.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
from tapeflow.data.structure import DatasetSpec
from tapeflow.data.transforms import _UnaryDataset


def _dims_str(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def stack_column(values, index, rank_known=True):
    """Stacks the `index`-th components of a batch of elements into one array.

    `rank_known` (from the element spec) picks TF's message for elements of
    different shapes.
    """
    first = values[0]
    try:
        if first.dtype != object:   # `array` is several times faster than `stack` here
            out = xp.array(values)
            if out.dtype == first.dtype and out.shape[1:] == xp.shape(first):
                return out
        return xp.stack(values)
    except ValueError:
        pass
    shape = xp.shape(first)
    for position, value in enumerate(values):
        if xp.shape(value) == shape:
            continue
        if rank_known and len(xp.shape(value)) == len(shape):
            message = ("Cannot add tensor to the batch: number of elements does not match. "
                       f"Shapes are: [tensor]: {_dims_str(xp.shape(value))}, [batch]: "
                       f"{_dims_str(shape)}")
        else:
            message = (f"Cannot batch tensors with different shapes in component {index}. "
                       f"First element had shape {_dims_str(shape)} and element {position} "
                       f"had shape {_dims_str(xp.shape(value))}.")
        raise iteration_error(InvalidArgumentError, message)
    raise iteration_error(InvalidArgumentError, f"Cannot batch component {index}.")


def stack_elements(elements, ranks_known=None):
    """One batch (a tuple of stacked components) from a list of elements."""
    if len(elements[0]) == 1:
        return (stack_column([e[0] for e in elements], 0, not ranks_known or ranks_known[0]),)
    return tuple(stack_column(list(column), i, not ranks_known or ranks_known[i])
                 for i, column in enumerate(zip(*elements)))


def element_stacker(element_spec):
    """`stack_elements` for elements of `element_spec`."""
    ranks_known = tuple(spec.dims is not None for spec in nest.flatten(element_spec))
    return functools.partial(stack_elements, ranks_known=ranks_known)


def _batch_size(batch_size):
    size = int_arg(batch_size, "batch_size")
    if size <= 0:
        raise op_error("BatchDatasetV2", "Batch size must be greater than zero.")
    return size


def batched_cardinality(n, size, drop_remainder):
    if n < 0:
        return n
    return n // size if drop_remainder else -(-n // size)


class _BatchDataset(_UnaryDataset):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        self._size = _batch_size(batch_size)
        self._drop = bool_arg(drop_remainder)
        spec = structure.with_batch_dim(input_dataset.element_spec,
                                        self._size if self._drop else None)
        super().__init__(input_dataset, spec)

    def _iterator(self, ctx):
        return _BatchIterator(self._input._iterate(ctx), self._size, self._drop,
                              element_stacker(self._input.element_spec))

    def _cardinality(self):
        return batched_cardinality(self._input._cardinality(), self._size, self._drop)


class _BatchIterator:
    """Pulls `size` elements per batch; an input error loses only that batch."""

    __slots__ = ("_input", "_size", "_drop", "_combine")

    def __init__(self, input_iterator, size, drop_remainder, combine):
        self._input = input_iterator
        self._size = size
        self._drop = drop_remainder
        self._combine = combine

    def __iter__(self):
        return self

    def __next__(self):
        elements = list(itertools.islice(self._input, self._size))
        if not elements or (self._drop and len(elements) < self._size):
            raise StopIteration
        return self._combine(elements)


# -- padded_batch ------------------------------------------------------------------------------

class _PaddedBatchDataset(_UnaryDataset):
    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values,
                 drop_remainder):
        self._size = _batch_size(batch_size)
        self._drop = bool_arg(drop_remainder)
        spec = input_dataset.element_spec
        specs = nest.flatten(spec)
        self._padded_shapes = _padded_shapes(spec, padded_shapes)
        self._padding_values = _padding_values(spec, padding_values)
        batch_dim = self._size if self._drop else None
        out = [TensorSpec((batch_dim,) + shape, s.dtype)
               for shape, s in zip(self._padded_shapes, specs)]
        super().__init__(input_dataset, nest.pack_sequence_as(spec, out))

    def _iterator(self, ctx):
        return _BatchIterator(self._input._iterate(ctx), self._size, self._drop, self._pad)

    def _cardinality(self):
        return batched_cardinality(self._input._cardinality(), self._size, self._drop)

    def _pad(self, elements):
        columns = zip(*elements) if len(elements[0]) > 1 else ([e[0] for e in elements],)
        return tuple(_pad_column(list(values), shape, value)
                     for values, shape, value in zip(columns, self._padded_shapes,
                                                     self._padding_values))


def _padded_shapes(element_spec, padded_shapes):
    """One tuple of dims (None = pad to the longest in the batch) per component."""
    specs = nest.flatten(element_spec)
    if padded_shapes is None:
        for i, spec in enumerate(specs):
            if spec.dims is None:
                raise ValueError("You must provide `padded_shapes` argument because component "
                                 f"{i} has unknown rank.")
        return [spec.dims for spec in specs]
    given = nest.flatten_up_to(element_spec, padded_shapes) if nest.is_nested(
        element_spec) else [padded_shapes]
    shapes = []
    for shape, spec in zip(given, specs):
        dims = _as_padded_dims(shape)
        if not _fits(spec.dims, dims):
            raise ValueError(f"The padded shape {TensorShape(dims)} is not compatible with the "
                             f"shape {spec.shape} of the corresponding input component.")
        shapes.append(dims)
    return shapes


def _fits(dims, padded_dims):
    """True when elements of shape `dims` can be padded to `padded_dims`."""
    if dims is None:
        return True
    if len(dims) != len(padded_dims):
        return False
    return all(d is None or p is None or d <= p for d, p in zip(dims, padded_dims))


def _as_padded_dims(shape):
    if isinstance(shape, TensorShape):
        return tuple(shape.as_list())
    if isinstance(shape, TensorLike):
        shape = convert_to_tensor(shape)._value.tolist()
    return tuple(None if d is None or int(d) == -1 else int(d) for d in shape)


def _padding_values(element_spec, padding_values):
    specs = nest.flatten(element_spec)
    if padding_values is None:
        return [b"" if s.dtype is dtypes.string else xp.zeros((), s.dtype._np) for s in specs]
    if nest.is_nested(padding_values):
        given = nest.flatten_up_to(element_spec, padding_values)
    else:
        given = [padding_values] * len(specs)
    values = []
    for value, spec in zip(given, specs):
        tensor = convert_to_tensor(value)
        if tensor.dtype is not spec.dtype:
            raise TypeError("Invalid `padding_values`. `padding_values` values type "
                            f"{tensor.dtype} does not match type {spec.dtype} of the "
                            "corresponding input component.")
        if tensor._value.ndim != 0:
            raise ValueError("Invalid `padding_values`. `padding_values` values should be "
                             f"scalars, but got shape {tensor.shape}.")
        values.append(tensor._value[()])
    return values


def _pad_column(values, padded_dims, padding_value):
    shapes = [xp.shape(v) for v in values]
    rank = len(padded_dims)
    target = []
    for axis in range(rank):
        longest = max(s[axis] for s in shapes)
        wanted = padded_dims[axis]
        if wanted is not None and longest > wanted:
            raise iteration_error(
                DataLossError,
                "Attempted to pad to a smaller size than the input "
                "element.")
        target.append(longest if wanted is None else wanted)
    first = xp.asarray(values[0])
    out = xp.full((len(values),) + tuple(target), padding_value, dtype=first.dtype)
    for i, (value, shape) in enumerate(zip(values, shapes)):
        out[(i,) + tuple(slice(0, d) for d in shape)] = value
    return out


# -- unbatch and rebatch -----------------------------------------------------------------------

def _rows_of_element(element):
    """The slices of one element along the leading dimension of its components."""
    sizes = [xp.shape(c)[0] for c in element]
    for i, size in enumerate(sizes):
        if size != sizes[0]:
            raise iteration_error(
                InvalidArgumentError,
                "`unbatch()` is only supported for datasets of elements whose "
                f"components have a matching leading dimension. Encountered both {sizes[0]} "
                f"and {size}.")
    from tapeflow.data.sources import _rows
    return zip(*[_rows(xp.asarray(c)) for c in element])


class _UnbatchDataset(_UnaryDataset):
    def __init__(self, input_dataset):
        spec = structure.without_batch_dim(input_dataset.element_spec,
                                           "Cannot unbatch an input with scalar components.")
        dims = {s.dims[0] for s in nest.flatten(input_dataset.element_spec)
                if s.dims and s.dims[0] is not None}
        if len(dims) > 1:
            a, b = sorted(dims)[:2]
            raise ValueError("`unbatch()` is only supported for datasets of elements whose "
                             "components have a matching leading dimension. Encountered both "
                             f"{a} and {b}.")
        super().__init__(input_dataset, spec)

    def _iterator(self, ctx):
        for element in self._input._iterate(ctx):
            yield from _rows_of_element(element)

    def _cardinality(self):
        n = self._input._cardinality()
        rows = structure.leading_dim(self._input.element_spec)
        if not rows or n == UNKNOWN_CARDINALITY:
            return UNKNOWN_CARDINALITY
        return n if n == INFINITE_CARDINALITY else n * rows


class _RebatchDataset(_UnaryDataset):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        sizes = batch_size if isinstance(batch_size, (list, tuple)) else None
        if sizes is None and isinstance(batch_size, TensorLike):
            value = convert_to_tensor(batch_size)._value
            sizes = value.tolist() if value.ndim == 1 else None
        self._sizes = ([int_arg(s, "batch_size") for s in sizes] if sizes is not None
                       else [int_arg(batch_size, "batch_size")])
        if any(s < 0 for s in self._sizes) or not any(self._sizes):
            raise op_error("RebatchDatasetV2", "batch_sizes must be positive.")
        self._drop = bool_arg(drop_remainder)
        for spec in nest.flatten(input_dataset.element_spec):
            if spec.dims is not None and len(spec.dims) == 0:
                raise ValueError("Invalid `batch_sizes`. Expected dataset with rank of >= 1 but "
                                 "found a dataset with scalar elements. Fix the issue by adding "
                                 "the `batch` transformation to the dataset.")
        fixed = self._sizes[0] if self._drop and len(set(self._sizes)) == 1 else None
        spec = structure.with_batch_dim(
            structure.without_batch_dim(input_dataset.element_spec, ""), fixed)
        super().__init__(input_dataset, spec)
        self._row_specs = nest.flatten(structure.without_batch_dim(input_dataset.element_spec,
                                                                   ""))

    def _iterator(self, ctx):
        rows = (row for element in self._input._iterate(ctx)
                for row in _rows_of_element(element))
        for size in itertools.cycle(self._sizes):
            chunk = list(itertools.islice(rows, size))
            if len(chunk) < size:
                if chunk and not self._drop:
                    yield stack_elements(chunk)
                return
            yield stack_elements(chunk) if chunk else self._empty_batch()

    def _empty_batch(self):
        return tuple(xp.empty((0,) + tuple(d or 0 for d in (s.dims or ())), s.dtype._np)
                     for s in self._row_specs)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


# -- windows -----------------------------------------------------------------------------------

class _ListDataset(Dataset):
    """A dataset over a list of already computed elements (a window's contents)."""

    _repr_name = "_VariantDataset"

    def __init__(self, elements, element_spec):
        self._elements = elements
        self._element_spec = element_spec

    def _iterator(self, ctx):
        return iter(self._elements)

    def _cardinality(self):
        return len(self._elements)


class _WindowDataset(_UnaryDataset):
    def __init__(self, input_dataset, size, shift, stride, drop_remainder):
        self._size = int_arg(size, "size")
        self._shift = self._size if shift is None else int_arg(shift, "shift")
        self._stride = int_arg(stride, "stride")
        for value, what in ((self._size, "size"), (self._shift, "shift"),
                            (self._stride, "stride")):
            if value <= 0:
                raise op_error("WindowDataset", f"Window {what} must be greater than zero.")
        self._drop = bool_arg(drop_remainder)
        spec = input_dataset.element_spec
        self._component_specs = nest.flatten(spec)
        super().__init__(input_dataset, nest.map_structure(DatasetSpec, spec))

    def _iterator(self, ctx):
        span = (self._size - 1) * self._stride + 1
        iterator = self._input._iterate(ctx)
        buffer = collections.deque()
        exhausted = False
        while True:
            while len(buffer) < span and not exhausted:
                try:
                    buffer.append(next(iterator))
                except StopIteration:
                    exhausted = True
            if not buffer:
                return
            window = [buffer[i] for i in range(0, min(len(buffer), span), self._stride)]
            if self._drop and len(window) < self._size:
                return
            yield self._as_datasets(window)
            exhausted = self._advance(buffer, iterator, exhausted)

    def _advance(self, buffer, iterator, exhausted):
        """Moves the window start by `shift` elements; returns whether the input ended."""
        dropped = min(self._shift, len(buffer))
        for _ in range(dropped):
            buffer.popleft()
        for _ in range(self._shift - dropped):
            if exhausted:
                break
            try:
                next(iterator)
            except StopIteration:
                exhausted = True
        return exhausted

    def _as_datasets(self, window):
        return tuple(_ListDataset([(element[i],) for element in window], spec)
                     for i, spec in enumerate(self._component_specs))

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        if self._drop:
            span = (self._size - 1) * self._stride + 1
            return max(0, (n - span) // self._shift + 1)
        return -(-n // self._shift)


# -- grouping ----------------------------------------------------------------------------------

class _GroupByWindowDataset(_UnaryDataset):
    """Groups elements by an int64 key into windows; each full window is reduced to a dataset.

    `reduce(key, window)` returns the dataset that replaces a window; windows still
    open at the end of the input are reduced in the order their keys first appeared.
    """

    def __init__(self, input_dataset, key_func, reduce, window_size_func, element_spec):
        self._key = StructuredFunction(key_func, input_dataset.element_spec,
                                       "Dataset.group_by_window()", input_dataset)
        key_spec = self._key.output_spec
        if not (isinstance(key_spec, TensorSpec) and key_spec.dtype is dtypes.int64
                and key_spec.dims == ()):
            raise ValueError("Invalid `key_func`. `key_func` must return a single tf.int64 "
                             f"scalar tensor but its return type is {key_spec}.")
        self._reduce = reduce
        self._window_size = window_size_func
        self._window_spec = input_dataset.element_spec
        super().__init__(input_dataset, element_spec)

    def _iterator(self, ctx):
        windows = {}   # key -> (window size, elements)
        for element in self._input._iterate(ctx):
            key = self._key(element)[0]
            entry = windows.get(int(key))
            if entry is None:
                entry = windows[int(key)] = (self._window_size(key), [])
            entry[1].append(element)
            if len(entry[1]) >= entry[0]:
                del windows[int(key)]
                yield from self._reduced(key, entry[1], ctx)
        for key, (_, elements) in windows.items():
            yield from self._reduced(xp.int64(key), elements, ctx)

    def _reduced(self, key, elements, ctx):
        return self._reduce(key, _ListDataset(elements, self._window_spec))._iterate(ctx)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


def group_by_window(dataset, key_func, reduce_func, window_size, window_size_func):
    if (window_size is None) == (window_size_func is None):
        raise ValueError("Either the `window_size` argument or the `window_size_func` argument "
                         "must be specified.")
    if window_size is not None:
        size = int_arg(window_size, "window_size")
        sizer = lambda key: size  # noqa: E731
    else:
        sizer = lambda key: int_arg(window_size_func(convert_to_tensor(key)),  # noqa: E731
                                    "window_size")
    reduce = StructuredFunction(reduce_func, (TensorSpec((), dtypes.int64),
                                              DatasetSpec(dataset.element_spec)),
                                "Dataset.group_by_window()", None)
    if not isinstance(reduce.output_spec, DatasetSpec):
        raise TypeError("Invalid `reduce_func`. `reduce_func` must return a single "
                        "`tf.data.Dataset` object.")
    return _GroupByWindowDataset(dataset, key_func, lambda key, window: reduce((key, window))[0],
                                 sizer, reduce.output_spec.element_spec)


def bucket_by_sequence_length(dataset, element_length_func, bucket_boundaries,
                              bucket_batch_sizes, padded_shapes, padding_values,
                              pad_to_bucket_boundary, no_padding, drop_remainder):
    """Groups elements into buckets by length and (padded-)batches each bucket.

    Bucket `i` holds the lengths in [boundaries[i-1], boundaries[i]); each full
    bucket becomes one batch of `bucket_batch_sizes[i]` elements.
    """
    boundaries = [int(b) for b in bucket_boundaries]
    sizes = [int(s) for s in bucket_batch_sizes]
    if len(sizes) != len(boundaries) + 1:
        raise ValueError("len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1")
    if boundaries != sorted(boundaries):
        raise ValueError("bucket_boundaries must be sorted in increasing order.")

    def bucket_of(*element):
        from tapeflow.ops.math import cast, greater_equal, reduce_sum
        length = element_length_func(*element)
        return reduce_sum(cast(greater_equal(length, boundaries), dtypes.int64))

    def batch_bucket(key, window):
        size = sizes[int(key)]
        if no_padding:
            return window.batch(size, drop_remainder=drop_remainder)
        shapes = padded_shapes
        if pad_to_bucket_boundary:
            shapes = _bucket_padded_shapes(window.element_spec, padded_shapes, boundaries,
                                           int(key))
        return window.padded_batch(size, shapes, padding_values, drop_remainder)

    fixed = sizes[0] if drop_remainder and len(set(sizes)) == 1 else None
    spec = dataset.element_spec
    if not no_padding:   # padded dimensions vary from bucket to bucket
        given = (padded_shapes if padded_shapes is not None
                 else nest.map_structure(lambda s: s.shape, spec))
        spec = nest.pack_sequence_as(spec, [
            TensorSpec(tuple(None if pad_to_bucket_boundary or d is None else d
                             for d in _as_padded_dims(shape)), s.dtype)
            for shape, s in zip(nest.flatten_up_to(spec, given) if nest.is_nested(spec)
                                else [given], nest.flatten(spec))])
    return _GroupByWindowDataset(dataset, bucket_of, batch_bucket,
                                 lambda key: sizes[int(key)],
                                 structure.with_batch_dim(spec, fixed))


def _bucket_padded_shapes(element_spec, padded_shapes, boundaries, bucket):
    if bucket >= len(boundaries):
        raise iteration_error(
            InvalidArgumentError,
            "When pad_to_bucket_boundary=True, elements must have length < "
            "max(bucket_boundaries).")
    boundary = boundaries[bucket] - 1
    shapes = padded_shapes if padded_shapes is not None else nest.map_structure(
        lambda s: s.shape, element_spec)

    def fill(shape):
        return [boundary if d is None or d == -1 else d for d in TensorShape(shape).as_list()]
    return nest.map_structure_up_to(element_spec, fill, shapes)
