"""`tf.data.experimental`: the experimental tf.data API (re-exports, plus thin wrappers)."""
from tapeflow.data.dataset import Dataset
from tapeflow.data.iterator import Optional
from tapeflow.data.options import (AUTOTUNE, INFINITE_CARDINALITY, SHARD_HINT,
                                   UNKNOWN_CARDINALITY, AutoShardPolicy, AutotuneAlgorithm,
                                   AutotuneOptions, DistributeOptions, ExternalStatePolicy,
                                   OptimizationOptions, ServiceOptions, ThreadingOptions)
from tapeflow.data.readers import CsvDataset, make_csv_dataset
from tapeflow.data.structure import DatasetSpec
from tapeflow.data.transforms import assert_cardinality

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "SHARD_HINT",
           "AutoShardPolicy", "AutotuneAlgorithm", "AutotuneOptions", "CsvDataset",
           "DatasetSpec", "DistributeOptions", "ExternalStatePolicy", "OptimizationOptions",
           "Optional", "ServiceOptions", "ThreadingOptions", "assert_cardinality",
           "cardinality", "choose_from_datasets", "enumerate_dataset", "get_single_element",
           "get_structure", "ignore_errors", "sample_from_datasets", "scan", "take_while",
           "unbatch", "unique", "group_by_window", "bucket_by_sequence_length", "Counter",
           "RandomDataset", "from_list", "get_next_as_optional", "make_csv_dataset",
           "map_and_batch", "parallel_interleave", "shuffle_and_repeat", "prefetch_to_device",
           "copy_to_device", "at"]


def cardinality(dataset):
    """The number of elements of `dataset` (an int64 tensor; -1 infinite, -2 unknown)."""
    return dataset.cardinality()


def get_structure(dataset_or_iterator):
    """The element spec of a dataset or an iterator."""
    return dataset_or_iterator.element_spec


def get_single_element(dataset):
    return dataset.get_single_element()


def get_next_as_optional(iterator):
    return iterator.get_next_as_optional()


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    return Dataset.choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    return Dataset.sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


def Counter(start=0, step=1, dtype=None):  # noqa: N802 - TF's name
    kwargs = {} if dtype is None else {"dtype": dtype}
    return Dataset.counter(start, step, **kwargs)


def RandomDataset(seed=None):  # noqa: N802 - TF's name
    return Dataset.random(seed)


def from_list(elements, name=None):
    """A dataset of the given list of elements (all of the same structure)."""
    if not elements:
        raise ValueError("Invalid `elements`. `elements` should not be empty.")
    from tapeflow.core import nest
    from tapeflow.data import structure
    normalized = [structure.normalize(e) for e in elements]
    columns = [list(column) for column in zip(*[nest.flatten(e) for e in normalized])]
    from tapeflow.ops.array import stack
    stacked = [stack(column) for column in columns]
    return Dataset.from_tensor_slices(nest.pack_sequence_as(normalized[0], stacked))


# Transformations for `dataset.apply(...)`, TF's older spelling of the Dataset methods.

def enumerate_dataset(start=0):
    return lambda dataset: dataset.enumerate(start)


def ignore_errors(log_warning=False):
    return lambda dataset: dataset.ignore_errors(log_warning)


def scan(initial_state, scan_func):
    return lambda dataset: dataset.scan(initial_state, scan_func)


def take_while(predicate):
    return lambda dataset: dataset.take_while(predicate)


def unbatch():
    return lambda dataset: dataset.unbatch()


def unique():
    return lambda dataset: dataset.unique()


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    return lambda dataset: dataset.group_by_window(key_func, reduce_func, window_size,
                                                   window_size_func)


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes,
                              padded_shapes=None, padding_values=None,
                              pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    return lambda dataset: dataset.bucket_by_sequence_length(
        element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes,
        padding_values, pad_to_bucket_boundary, no_padding, drop_remainder)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """`map` then `batch` (TF fuses them; the elements are the same)."""
    calls = num_parallel_calls if num_parallel_calls is not None else num_parallel_batches
    return lambda dataset: dataset.map(map_func, num_parallel_calls=calls).batch(
        batch_size, drop_remainder=drop_remainder)


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False,
                        buffer_output_elements=None, prefetch_input_elements=None):
    """`interleave` with each open dataset produced on its own thread."""
    return lambda dataset: dataset.interleave(map_func, cycle_length, block_length,
                                              num_parallel_calls=cycle_length,
                                              deterministic=not sloppy)


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """`shuffle(buffer_size, seed).repeat(count)`, a new order each epoch."""
    return lambda dataset: dataset.shuffle(buffer_size, seed=seed).repeat(count)


def prefetch_to_device(device, buffer_size=None):
    """`prefetch` (tapeflow has one device, the CPU)."""
    return lambda dataset: dataset.prefetch(AUTOTUNE if buffer_size is None else buffer_size)


def copy_to_device(target_device, source_device="/cpu:0"):
    """The dataset unchanged (tapeflow has one device, the CPU)."""
    return lambda dataset: dataset


def at(dataset, index):
    """The element at position `index` (found by iterating up to it)."""
    from tapeflow.core.errors import OutOfRangeError
    count = 0
    for element in dataset:
        if count == index:
            return element
        count += 1
    raise OutOfRangeError(None, None, f"Index out of range [0, {count}):{index} "
                          "[Op:GetElementAtIndex]")
