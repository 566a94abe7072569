"""The Dataset base class: chainable transformations, element_spec, cardinality, iteration.

A Dataset is an immutable description of a pipeline: each transformation
returns a new Dataset that holds its input(s). Nothing runs until iteration.
Iterating creates a fresh chain of Python iterators, one per dataset, each
pulling flat component tuples (see `structure.py`) from its input's iterator;
only the outermost iterator packs them into Tensors. Worker threads (prefetch,
parallel map) belong to iterators and stop when their iterator is closed or
garbage-collected.

A subclass sets `_element_spec` and `_inputs` and implements `_iterator(ctx)`
(an iterator of component tuples) and `_cardinality()` (an int, or
INFINITE/UNKNOWN). The transformations themselves live in sources.py,
transforms.py, batching.py, shuffle.py, parallel.py, cache.py and readers.py.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import TensorLike, wrap
from tapeflow.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Options


class IteratorContext:
    """What every iterator of one pipeline shares: its Options."""

    __slots__ = ("options",)

    def __init__(self, options):
        self.options = options

    @property
    def deterministic(self):
        value = self.options.deterministic
        return True if value is None else value


class DatasetV2:
    """A sequence of elements, each a nested structure of Tensors (TF's `tf.data.Dataset`).

    >>> ds = Dataset.range(5).map(lambda x: x * 2).batch(2)
    >>> [b.numpy().tolist() for b in ds]
    [[0, 2], [4, 6], [8]]
    """

    _inputs = ()
    _own_options = None
    _repr_name = None

    # -- what subclasses provide ------------------------------------------------------------
    def _iterator(self, ctx):
        raise NotImplementedError

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    # -- introspection ------------------------------------------------------------------------
    @property
    def element_spec(self):
        """The nested structure of `tf.TensorSpec`s of one element."""
        return self._element_spec

    def cardinality(self):
        """The number of elements as an int64 scalar; INFINITE (-1) or UNKNOWN (-2).

        >>> int(Dataset.range(10).batch(3).cardinality())
        4
        """
        return wrap(xp.asarray(self._cardinality(), dtype=xp.int64))

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self.cardinality()

    def options(self):
        """The `tf.data.Options` of this pipeline (merged from its inputs)."""
        merged = Options()
        for dataset in self._inputs:
            merged = merged.merge(dataset.options())
        if self._own_options is not None:
            merged = merged.merge(self._own_options)
        return merged

    def __repr__(self):
        name = self._repr_name or type(self).__name__
        return f"<{name} element_spec={self.element_spec!r}>"

    # -- iteration ----------------------------------------------------------------------------
    def _iterate(self, ctx=None):
        """A fresh iterator of flat component tuples (internal API of every transformation)."""
        if ctx is None:
            ctx = IteratorContext(self.options())
        return self._iterator(ctx)

    def __iter__(self):
        """A new iterator over the elements, as Tensors (a fresh pass each time)."""
        from tapeflow.data.iterator import OwnedIterator
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """An iterator of the elements as NumPy arrays (scalars for rank-0 tensors).

        >>> list(Dataset.range(3).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2)]
        """
        from tapeflow.data.iterator import NumpyIterator
        return NumpyIterator(self)

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds the elements into a state: `state = reduce_func(state, element)`.

        >>> int(Dataset.range(5).reduce(xp.int64(0), lambda s, x: s + x))
        10
        """
        from tapeflow.data.transforms import reduce_dataset
        return reduce_dataset(self, initial_state, reduce_func)

    def get_single_element(self, name=None):
        """The only element of a dataset with exactly one element."""
        from tapeflow.data.transforms import get_single_element
        return get_single_element(self)

    # -- sources ------------------------------------------------------------------------------
    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset with one element, `tensors`."""
        return sources._TensorDataset(tensors)

    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """A dataset of the slices of `tensors` along their first dimension.

        >>> [x.numpy() for x in Dataset.from_tensor_slices([1, 2])]
        [np.int32(1), np.int32(2)]
        """
        return sources._TensorSliceDataset(tensors)

    @staticmethod
    def range(*args, **kwargs):
        """`range(stop)`, `range(start, stop[, step])` as int64 scalars (or `output_type`)."""
        return sources._RangeDataset(*args, **kwargs)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """Elements of several datasets side by side, in the structure they are given in."""
        return sources.zip_datasets(args, datasets)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """A dataset of the elements a Python generator yields (see sources.py)."""
        return sources.from_generator(generator, output_types, output_shapes, args,
                                      output_signature)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The file names matching one or more glob patterns (shuffled by default)."""
        return readers.list_files(file_pattern, shuffle, seed)

    @staticmethod
    def counter(start=0, step=1, dtype=dtypes.int64, name=None):
        """The infinite sequence start, start + step, ..."""
        return sources.counter(start, step, dtype)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        """An infinite dataset of random int64 scalars."""
        from tapeflow.data.shuffle import _RandomDataset
        return _RandomDataset(seed, rerandomize_each_iteration)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Elements drawn at random from `datasets` with probabilities `weights`."""
        from tapeflow.data.shuffle import sample_from_datasets
        return sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset,
                                    rerandomize_each_iteration)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Elements taken from `datasets[i]` for each `i` of `choice_dataset`."""
        return transforms.choose_from_datasets(datasets, choice_dataset,
                                               stop_on_empty_dataset)

    # -- element-wise transformations -------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
            use_unbounded_threadpool=False, name=None):
        """Applies `map_func` to each element.

        With `num_parallel_calls` (an int or `tf.data.AUTOTUNE`) the calls run on a
        pool of threads; the output order is kept unless `deterministic=False`.
        """
        if num_parallel_calls is None:
            return transforms._MapDataset(self, map_func)
        return parallel._ParallelMapDataset(self, map_func, num_parallel_calls, deterministic)

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` returns True (a scalar tf.bool)."""
        return transforms._FilterDataset(self, predicate)

    def flat_map(self, map_func, name=None):
        """Maps each element to a dataset and concatenates those datasets."""
        return transforms._FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """Maps each element to a dataset and interleaves `cycle_length` of them.

        Takes `block_length` consecutive elements from each open dataset in turn.
        """
        if num_parallel_calls is None:
            return transforms._InterleaveDataset(self, map_func, cycle_length, block_length)
        return parallel._ParallelInterleaveDataset(self, map_func, cycle_length, block_length,
                                                   num_parallel_calls, deterministic)

    def enumerate(self, start=0, name=None):
        """Pairs each element with its index: `(index, element)`, index int64."""
        counter = sources._RangeDataset(int_arg(start, "start"), xp.iinfo(xp.int64).max)
        return sources._ZipDataset((counter, self), self._cardinality())

    def scan(self, initial_state, scan_func, name=None):
        """Carries a state across elements: `state, out = scan_func(state, element)`."""
        return transforms._ScanDataset(self, initial_state, scan_func)

    def take_while(self, predicate, name=None):
        """The elements up to (not including) the first for which `predicate` is False."""
        return transforms._TakeWhileDataset(self, predicate)

    def unique(self, name=None):
        """The elements with duplicates removed (first occurrences, in order)."""
        return transforms._UniqueDataset(self)

    def ignore_errors(self, log_warning=False, name=None):
        """Drops the elements whose computation raised an error."""
        return transforms._IgnoreErrorsDataset(self, log_warning)

    # -- order and count --------------------------------------------------------------------------
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles with a buffer of `buffer_size` elements (TF's buffer semantics).

        The buffer is filled with the first `buffer_size` elements; each output is a
        random element of the buffer, whose slot is then refilled from the input.
        With a seed (or `tf.random.set_seed`) the order repeats in a fresh process;
        `reshuffle_each_iteration` gives a new order for each pass.
        """
        from tapeflow.data.shuffle import _ShuffleDataset
        return _ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None, name=None):
        """Repeats the dataset `count` times (forever if None or -1)."""
        return transforms._RepeatDataset(self, count)

    def take(self, count, name=None):
        """The first `count` elements (all of them if `count` is -1)."""
        return transforms._TakeDataset(self, count)

    def skip(self, count, name=None):
        """All but the first `count` elements (none if `count` is -1)."""
        return transforms._SkipDataset(self, count)

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element, starting at `index`."""
        return transforms._ShardDataset(self, num_shards, index)

    def concatenate(self, dataset, name=None):
        """The elements of this dataset followed by those of `dataset`."""
        return transforms._ConcatenateDataset(self, dataset)

    # -- batching ---------------------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks consecutive elements into batches of `batch_size`.

        >>> [b.numpy().tolist() for b in Dataset.range(5).batch(2, drop_remainder=True)]
        [[0, 1], [2, 3]]
        """
        if num_parallel_calls is None:
            return batching._BatchDataset(self, batch_size, drop_remainder)
        return parallel._ParallelBatchDataset(self, batch_size, drop_remainder,
                                              num_parallel_calls, deterministic)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements of different shapes, padding them to a common shape."""
        return batching._PaddedBatchDataset(self, batch_size, padded_shapes, padding_values,
                                            drop_remainder)

    def unbatch(self):
        """Splits each element into its slices along the first dimension."""
        return batching._UnbatchDataset(self)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """Re-slices batched elements into batches of `batch_size` (an int or a list)."""
        return batching._RebatchDataset(self, batch_size, drop_remainder)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Groups elements into windows, each a (structure of) nested Dataset(s)."""
        return batching._WindowDataset(self, size, shift, stride, drop_remainder)

    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None,
                        name=None):
        """Groups elements by key into windows and reduces each window to a dataset."""
        return batching.group_by_window(self, key_func, reduce_func, window_size,
                                        window_size_func)

    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries,
                                  bucket_batch_sizes, padded_shapes=None, padding_values=None,
                                  pad_to_bucket_boundary=False, no_padding=False,
                                  drop_remainder=False, name=None):
        """Batches elements of similar length together (padding within a bucket)."""
        return batching.bucket_by_sequence_length(
            self, element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes,
            padding_values, pad_to_bucket_boundary, no_padding, drop_remainder)

    # -- performance ------------------------------------------------------------------------------
    def cache(self, filename="", name=None):
        """Keeps the elements after the first full pass, in memory or in `filename`."""
        return cache._CacheDataset(self, filename)

    def prefetch(self, buffer_size, name=None):
        """Produces up to `buffer_size` elements ahead, on a background thread."""
        return parallel._PrefetchDataset(self, buffer_size)

    # -- composition ------------------------------------------------------------------------------
    def apply(self, transformation_func):
        """`transformation_func(self)`, which must return a Dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a `tf.data.Dataset` object. "
                            f"Got {type(result)}.")
        return result

    def with_options(self, options, name=None):
        """The same dataset with `options` set (merged over the inputs' options)."""
        return transforms._OptionsDataset(self, options)


Dataset = DatasetV2   # TF's class is DatasetV2; users know it as tf.data.Dataset


class SymbolicDataset(Dataset):
    """A stand-in for a dataset argument while a function is traced: a spec, no elements."""

    _repr_name = "_VariantDataset"

    def __init__(self, element_spec):
        self._element_spec = element_spec

    def _iterator(self, ctx):
        raise TypeError("A dataset passed to a traced function cannot be iterated while "
                        "tracing; iterate it in the pipeline instead.")


def iteration_error(error_class, message):
    """An error raised while producing elements, labelled as TF labels them."""
    return error_class(None, None, f"{message} [Op:IteratorGetNext]")


class SymbolicArgumentError(TypeError):
    """A dataset argument needs a value, but a function trace only has a symbolic tensor."""


def int_arg(value, name):
    """A Python int from an integer argument, converted as TF converts it (to int64).

    Python ints and NumPy integers are accepted; an int32 Tensor or a float is an
    error, with TF's message.
    """
    try:
        tensor = convert_to_tensor(value, dtype=dtypes.int64)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    if tensor._value is None:
        raise SymbolicArgumentError(f"`{name}` must be known when the dataset is built, but "
                                    f"it is the symbolic tensor {value!r}.")
    if tensor._value.ndim != 0:
        raise ValueError(f"`{name}` must be a scalar, got shape {tensor._value.shape}.")
    return int(tensor._value)


def bool_arg(value):
    """A Python bool from a bool or a boolean scalar Tensor argument."""
    if isinstance(value, TensorLike):
        return bool(convert_to_tensor(value)._value)
    return bool(value)


# The transformation modules import Dataset from here, so they are imported last.
from tapeflow.data import batching, cache, parallel, readers, sources, transforms  # noqa: E402
