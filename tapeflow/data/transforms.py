"""Element-wise and ordering transformations: map, filter, flat_map, interleave,
repeat, take, skip, shard, concatenate, scan, ... and `reduce`.

Iterators that call user code (map, filter) are small classes rather than
generators: a Python generator is finished once an exception passes through
it, but a pipeline must go on after a failed element (`ignore_errors`).
"""
import itertools
import os
import warnings

from tapeflow.core import dtypes, nest
from tapeflow.core.errors import FailedPreconditionError, InvalidArgumentError, op_error
from tapeflow.core.spec import TensorSpec
from tapeflow.data import structure
from tapeflow.data.dataset import Dataset, int_arg, iteration_error
from tapeflow.data.functions import StructuredFunction
from tapeflow.data.options import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
from tapeflow.data.structure import DatasetSpec


class _UnaryDataset(Dataset):
    """A transformation of one input dataset with the same element spec by default."""

    def __init__(self, input_dataset, element_spec=None):
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._element_spec = (input_dataset.element_spec if element_spec is None
                              else element_spec)

    def _cardinality(self):
        return self._input._cardinality()


# -- map and filter ----------------------------------------------------------------------------

class _MapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func):
        self._function = StructuredFunction(map_func, input_dataset.element_spec,
                                            "Dataset.map()", input_dataset)
        super().__init__(input_dataset, self._function.output_spec)

    def _iterator(self, ctx):
        return _MapIterator(self._input._iterate(ctx), self._function)


class _MapIterator:
    __slots__ = ("_input", "_function")

    def __init__(self, input_iterator, function):
        self._input = input_iterator
        self._function = function

    def __iter__(self):
        return self

    def __next__(self):
        return self._function(next(self._input))


def _predicate(predicate, input_dataset, transformation):
    function = StructuredFunction(predicate, input_dataset.element_spec, transformation,
                                  input_dataset)
    spec = function.output_spec
    if not (isinstance(spec, TensorSpec) and spec.dtype is dtypes.bool
            and spec.dims is not None and len(spec.dims) == 0):
        if transformation == "Dataset.take_while()":   # TF's text, spacing included
            raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                             f"tensor but its return type is{spec}.")
        raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar "
                         f"tensor, but its return type is {spec}.")
    return function


class _FilterDataset(_UnaryDataset):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._predicate = _predicate(predicate, input_dataset, "Dataset.filter()")

    def _iterator(self, ctx):
        return _FilterIterator(self._input._iterate(ctx), self._predicate)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class _FilterIterator:
    __slots__ = ("_input", "_predicate")

    def __init__(self, input_iterator, predicate):
        self._input = input_iterator
        self._predicate = predicate

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            element = next(self._input)
            if self._predicate(element)[0]:
                return element


class _TakeWhileDataset(_UnaryDataset):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        self._predicate = _predicate(predicate, input_dataset, "Dataset.take_while()")

    def _iterator(self, ctx):
        for element in self._input._iterate(ctx):
            if not self._predicate(element)[0]:
                return
            yield element

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class _ScanDataset(_UnaryDataset):
    """Carries a state: `new_state, output = scan_func(state, element)`."""

    def __init__(self, input_dataset, initial_state, scan_func):
        state = structure.normalize(initial_state, "initial state")
        self._initial = structure.components_of(state)
        state_spec = structure.structure_spec(state)
        self._function = StructuredFunction(scan_func, (state_spec, input_dataset.element_spec),
                                            "Dataset.scan()", None)
        out = self._function.output_spec
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("Invalid `scan_func`. `scan_func` should return a pair consisting "
                            "of new state and the output value but its return type is "
                            f"{out}.")
        _check_state_dtypes(state_spec, out[0], "Invalid `scan_func`. ", ", got")
        self._state_size = len(self._initial)
        super().__init__(input_dataset, out[1])

    def _iterator(self, ctx):
        state = self._initial
        for element in self._input._iterate(ctx):
            result = self._function(state + element)
            state, output = result[:self._state_size], result[self._state_size:]
            yield output


def _check_state_dtypes(initial_spec, new_spec, prefix="", got=" but got"):
    try:
        nest.assert_same_structure(initial_spec, new_spec)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{prefix}The new state must have the structure of the initial "
                        f"state: {error}") from None
    for a, b in zip(nest.flatten(initial_spec), nest.flatten(new_spec)):
        if a.dtype is not b.dtype:
            raise TypeError(f"{prefix}The element types for the new state must match the "
                            f"initial state. Expected {a.dtype}{got} {b.dtype}.")


class _UniqueDataset(_UnaryDataset):
    def __init__(self, input_dataset):
        spec = input_dataset.element_spec
        if not isinstance(spec, TensorSpec) or spec.dtype not in (dtypes.int32, dtypes.int64,
                                                                   dtypes.string):
            dtype = getattr(spec, "dtype", spec)
            raise TypeError(f"`tf.data.Dataset.unique` does not support type {dtype} -- only "
                            "`tf.int32`, `tf.int64`, and `tf.string` are supported.")
        super().__init__(input_dataset)

    def _iterator(self, ctx):
        seen = set()
        for element in self._input._iterate(ctx):
            key = element[0].item() if hasattr(element[0], "item") else element[0]
            if key not in seen:
                seen.add(key)
                yield element

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class _IgnoreErrorsDataset(_UnaryDataset):
    def __init__(self, input_dataset, log_warning):
        super().__init__(input_dataset)
        self._log_warning = log_warning

    def _iterator(self, ctx):
        return _IgnoreErrorsIterator(self._input._iterate(ctx), self._log_warning)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


class _IgnoreErrorsIterator:
    __slots__ = ("_input", "_log_warning")

    def __init__(self, input_iterator, log_warning):
        self._input = input_iterator
        self._log_warning = log_warning

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            try:
                return next(self._input)
            except StopIteration:
                raise
            except Exception as error:   # an error for one element: skip the element
                if self._log_warning:
                    warnings.warn(f"Ignoring error: {type(error).__name__}: {error}",
                                  stacklevel=2)


# -- datasets of datasets ----------------------------------------------------------------------

def _dataset_function(map_func, input_dataset, transformation):
    function = StructuredFunction(map_func, input_dataset.element_spec, transformation,
                                  input_dataset)
    if function.empty_input:   # never called: any dataset spec will do
        function.output_spec = DatasetSpec(function.output_spec)
    spec = function.output_spec
    if not isinstance(spec, DatasetSpec):
        # TF fails here with AttributeError (reading `_name` of the returned value).
        error = AttributeError if isinstance(spec, TensorSpec) else TypeError
        raise error(f"'Tensor' object has no attribute '_name' (the function passed to "
                    f"{transformation} must return a Dataset, but it returns {spec}).")
    return function


class _FlatMapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func):
        self._function = _dataset_function(map_func, input_dataset, "Dataset.flat_map()")
        super().__init__(input_dataset, self._function.output_spec.element_spec)

    def _iterator(self, ctx):
        for element in self._input._iterate(ctx):
            yield from self._function(element)[0]._iterate(ctx)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


def default_cycle_length():
    """TF's AUTOTUNE cycle length: the number of schedulable CPU cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class _InterleaveDataset(_UnaryDataset):
    """Round robin over `cycle_length` open datasets, `block_length` elements at a time."""

    def __init__(self, input_dataset, map_func, cycle_length, block_length):
        self._function = _dataset_function(map_func, input_dataset, "Dataset.interleave()")
        super().__init__(input_dataset, self._function.output_spec.element_spec)
        self._cycle_length, self._block_length = interleave_lengths(cycle_length,
                                                                    block_length)

    def _open(self, element, ctx):
        return self._function(element)[0]._iterate(ctx)

    def _iterator(self, ctx):
        return interleave(self._input._iterate(ctx), lambda e: self._open(e, ctx),
                          self._cycle_length, self._block_length)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


def interleave_lengths(cycle_length, block_length):
    cycle = AUTOTUNE if cycle_length is None else int_arg(cycle_length, "cycle_length")
    if cycle == AUTOTUNE:
        cycle = default_cycle_length()
    block = 1 if block_length is None else int_arg(block_length, "block_length")
    if cycle <= 0:
        raise op_error("InterleaveDataset", "cycle_length must be greater than zero.")
    if block <= 0:
        raise op_error("InterleaveDataset", "block_length must be greater than zero.")
    return cycle, block


def interleave(inputs, open_iterator, cycle_length, block_length):
    """TF's interleave order over the iterators `open_iterator(element)` of `inputs`.

    Each turn visits one slot of the cycle: an empty slot is first filled with
    the next input element's iterator; the slot then gives up to `block_length`
    elements. A slot whose iterator ends gives up the rest of its turn.
    """
    cycle = [None] * cycle_length
    inputs_left = True
    slot = 0
    while True:
        if cycle[slot] is None and inputs_left:
            try:
                element = next(inputs)
            except StopIteration:
                inputs_left = False
            else:
                cycle[slot] = open_iterator(element)
        current = cycle[slot]
        if current is not None:
            for _ in range(block_length):
                try:
                    value = next(current)
                except StopIteration:
                    cycle[slot] = None
                    break
                yield value
        if not inputs_left and all(c is None for c in cycle):
            return
        slot = (slot + 1) % cycle_length


# -- count and order ---------------------------------------------------------------------------

class _RepeatDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = -1 if count is None else int_arg(count, "count")

    def _iterator(self, ctx):
        epoch = 0
        while self._count < 0 or epoch < self._count:
            produced = False
            for element in self._input._iterate(ctx):
                produced = True
                yield element
            if not produced:   # an empty input would repeat forever
                return
            epoch += 1

    def _cardinality(self):
        n, count = self._input._cardinality(), self._count
        if count == 0 or n == 0:
            return 0
        if count < 0:
            return INFINITE_CARDINALITY
        if n < 0:
            return n
        return n * count


class _TakeDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = int_arg(count, "count")

    def _iterator(self, ctx):
        if self._count < 0:
            return self._input._iterate(ctx)
        if self._count == 0:
            return iter(())
        return itertools.islice(self._input._iterate(ctx), self._count)

    def _cardinality(self):
        n, count = self._input._cardinality(), self._count
        if n == UNKNOWN_CARDINALITY or count == -1:
            return n
        if count < 0 or n == INFINITE_CARDINALITY:
            return count   # TF reports a count below -1 as is
        return min(n, count)


class _SkipDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = int_arg(count, "count")

    def _iterator(self, ctx):
        iterator = self._input._iterate(ctx)
        if self._count < 0:
            for _ in iterator:
                pass
            return
        yield from itertools.islice(iterator, self._count, None)

    def _cardinality(self):
        n, count = self._input._cardinality(), self._count
        if n < 0:
            return n
        return 0 if count < 0 else max(0, n - count)


class _ShardDataset(_UnaryDataset):
    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._num_shards = int_arg(num_shards, "num_shards")
        self._index = int_arg(index, "index")
        if self._num_shards <= 0:
            raise op_error("ShardDataset", "Number of shards must be greater than zero "
                           f"(currently num_shards = {self._num_shards}).")
        if not 0 <= self._index < self._num_shards:
            raise op_error("ShardDataset", f"Index must be between 0 and "
                           f"{self._num_shards - 1} (currently index = {self._index}).")

    def _iterator(self, ctx):
        return itertools.islice(self._input._iterate(ctx), self._index, None, self._num_shards)

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._num_shards + (1 if self._index < n % self._num_shards else 0)


class _ConcatenateDataset(Dataset):
    def __init__(self, first, second):
        _check_same_types(first.element_spec, second.element_spec)
        self._first, self._second = first, second
        self._inputs = (first, second)
        self._element_spec = structure.most_specific_common_spec(first.element_spec,
                                                                 second.element_spec)

    def _iterator(self, ctx):
        yield from self._first._iterate(ctx)
        yield from self._second._iterate(ctx)

    def _cardinality(self):
        a, b = self._first._cardinality(), self._second._cardinality()
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (a, b):
            return UNKNOWN_CARDINALITY
        return a + b


def _check_same_types(a, b):
    compatible = True
    try:
        nest.assert_same_structure(a, b)
    except (ValueError, TypeError):
        compatible = False
    if compatible:
        for x, y in zip(nest.flatten(a), nest.flatten(b)):
            if type(x) is not type(y) or getattr(x, "dtype", None) is not getattr(y, "dtype",
                                                                                  None):
                compatible = False
    if not compatible:
        raise TypeError(f"Incompatible dataset elements:\n  {a} vs.   {b}")


# -- choosing among datasets -------------------------------------------------------------------

class _DirectedInterleaveDataset(Dataset):
    """Elements of `datasets[i]` for each index `i` yielded by `selector`."""

    def __init__(self, selector, datasets, stop_on_empty_dataset):
        self._selector = selector
        self._datasets = tuple(datasets)
        self._inputs = (selector,) + self._datasets
        spec = self._datasets[0].element_spec
        for other in self._datasets[1:]:
            _check_same_types(spec, other.element_spec)
            spec = structure.most_specific_common_spec(spec, other.element_spec)
        self._element_spec = spec
        self._stop_on_empty = stop_on_empty_dataset

    def _iterator(self, ctx):
        iterators = [d._iterate(ctx) for d in self._datasets]
        live = [True] * len(iterators)
        for (index,) in self._selector._iterate(ctx):
            index = int(index)
            if not 0 <= index < len(iterators):
                raise iteration_error(InvalidArgumentError, f"Selector index out of range: "
                                           f"{index} >= {len(iterators)}")
            if not live[index]:
                continue
            try:
                yield next(iterators[index])
            except StopIteration:
                if self._stop_on_empty:
                    return
                live[index] = False
                if not any(live):
                    return


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    datasets = list(datasets)
    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    spec = choice_dataset.element_spec
    if not (isinstance(spec, TensorSpec) and spec.dtype is dtypes.int64 and spec.dims == ()):
        raise TypeError("Invalid `choice_dataset`. Elements of `choice_dataset` must be scalar "
                        f"`tf.int64` tensors but are {spec}.")
    return _DirectedInterleaveDataset(choice_dataset, datasets, stop_on_empty_dataset)


# -- options and checks ------------------------------------------------------------------------

class _OptionsDataset(_UnaryDataset):
    def __init__(self, input_dataset, options):
        super().__init__(input_dataset)
        self._own_options = options

    def _iterator(self, ctx):
        return self._input._iterate(ctx)


class _AssertCardinalityDataset(_UnaryDataset):
    def __init__(self, input_dataset, expected):
        super().__init__(input_dataset)
        self._expected = int_arg(expected, "expected_cardinality")

    def _iterator(self, ctx):
        expected = self._expected
        count = 0
        for element in self._input._iterate(ctx):
            count += 1
            if 0 <= expected < count:
                raise iteration_error(
                    FailedPreconditionError,
                    f"Input dataset was expected to contain {_elements(expected)} "
                    f"but contained at least {_elements(count)}.")
            yield element
        if count < expected or expected == INFINITE_CARDINALITY:
            raise iteration_error(
                FailedPreconditionError,
                f"Input dataset was expected to contain {_elements(expected)} but "
                f"contained only {_elements(count)}.")

    def _cardinality(self):
        return self._expected


def _elements(n):
    if n == INFINITE_CARDINALITY:
        return "an infinite number of elements"
    return f"{n} element" if n == 1 else f"{n} elements"


def assert_cardinality(expected_cardinality):
    """A transformation (for `Dataset.apply`) that checks the number of elements."""
    def apply(dataset):
        return _AssertCardinalityDataset(dataset, expected_cardinality)
    return apply


# -- to a single value -------------------------------------------------------------------------

def reduce_dataset(dataset, initial_state, reduce_func):
    state = structure.normalize(initial_state, "initial state")
    state_spec = structure.structure_spec(state)
    function = StructuredFunction(reduce_func, (state_spec, dataset.element_spec),
                                  "Dataset.reduce()", None)
    out_spec = function.output_spec
    if len(nest.flatten(out_spec)) != len(nest.flatten(state_spec)):
        raise op_error("ReduceDataset", "The number of components of the initial state and the "
                       f"reduce function output does not match. (initial_state="
                       f"{len(nest.flatten(state_spec))}, output={len(nest.flatten(out_spec))}).")
    _check_state_dtypes(state_spec, out_spec)
    components = structure.components_of(state)
    for element in dataset._iterate():
        components = function(components + element)
    return structure.make_packer(state_spec)(components)


def get_single_element(dataset):
    iterator = dataset._iterate()
    first = next(iterator, None)
    if first is None:
        raise op_error("DatasetToSingleElement", "Dataset was empty.")
    if next(iterator, None) is not None:
        raise op_error("DatasetToSingleElement", "Dataset had more than one element.")
    return structure.make_packer(dataset.element_spec)(first)
