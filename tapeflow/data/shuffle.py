"""Random transformations: shuffle, Dataset.random, sample_from_datasets; their seeds.

Seeds follow TF's rules (`tf.random.set_seed` plus an op seed): with either
one set, a fresh process produces the same orders. A dataset draws its seed
pair when it is built; each pass (iteration, or epoch under `repeat`) then
draws a new stream from a generator seeded with that pair, so passes differ
from one another yet repeat across processes. Without
`reshuffle_each_iteration` every pass uses the same stream.

The random numbers are NumPy's (Philox), not TF's, so orders follow TF's
buffer semantics but are not TF's exact permutations.
"""
import itertools
import threading

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import op_error
from tapeflow.core.spec import TensorSpec
from tapeflow.data.dataset import Dataset, int_arg
from tapeflow.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
from tapeflow.data.transforms import _DirectedInterleaveDataset, _UnaryDataset

_DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2 ** 31 - 1


def get_seed(op_seed):
    """TF's (seed, seed2) for an op seed: (0, 0) means "not seeded"."""
    from tapeflow.ops import random as random_ops
    tf_get_seed = getattr(random_ops, "get_seed", None)
    if tf_get_seed is not None:   # shares TF's op-seed sequence with the random ops
        return tf_get_seed(op_seed)
    global_seed = random_ops.get_global_seed()
    if global_seed is None and op_seed is None:
        return 0, 0
    if global_seed is None:
        return _DEFAULT_GRAPH_SEED, int(op_seed) % _MAXINT32
    if op_seed is None:
        op_seed = _fallback_op_seed()
    return int(global_seed) % _MAXINT32, int(op_seed) % _MAXINT32


_op_seed_counter = [0]


def _fallback_op_seed():
    _op_seed_counter[0] += 1
    return _op_seed_counter[0]


class SeedStream:
    """Hands out one NumPy generator per pass, following the dataset's seed pair."""

    def __init__(self, seed, reshuffle_each_iteration):
        self._seed = None if seed is None else int_arg(seed, "seed")
        seed, seed2 = get_seed(self._seed)
        self._seeded = (seed, seed2) != (0, 0)
        self._key = [seed, seed2] if self._seeded else None
        self._reshuffle = True if reshuffle_each_iteration is None else bool(
            reshuffle_each_iteration)
        self._passes = xp.random.default_rng(self._key)   # draws one seed per pass
        self._lock = threading.Lock()

    def next_generator(self):
        """The generator for a new pass (same one every pass without reshuffling)."""
        if not self._reshuffle and self._seeded:
            return xp.random.Generator(xp.random.Philox(self._key))
        with self._lock:
            pass_seed = int(self._passes.integers(0, 2 ** 63))
        return xp.random.Generator(xp.random.Philox(pass_seed))


def uniform_stream(generator):
    """An endless iterator of floats in [0, 1) from `generator`, drawn 4096 at a time."""
    chunks = iter(lambda: generator.random(4096).tolist(), None)
    return itertools.chain.from_iterable(chunks)


class _ShuffleDataset(_UnaryDataset):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        size = int_arg(buffer_size, "buffer_size")
        if size <= 0 and size != UNKNOWN_CARDINALITY:
            raise op_error("ShuffleDatasetV3", "buffer_size must be greater than zero or "
                           "UNKNOWN_CARDINALITY")
        self._buffer_size = size
        self._seeds = SeedStream(seed, reshuffle_each_iteration)

    def _iterator(self, ctx):
        size = self._buffer_size
        if size == UNKNOWN_CARDINALITY:   # TF: the whole input fits in the buffer
            size = float("inf")
        return _shuffle(self._input._iterate(ctx), size,
                        uniform_stream(self._seeds.next_generator()))


def _shuffle(iterator, buffer_size, uniforms):
    """TF's buffer shuffle.

    Fill a buffer with the first `buffer_size` elements. Then each output is the
    element in a random slot, and the slot is refilled with the next input
    element; once the input ends, the buffer drains in random order.
    """
    buffer = []
    for element in iterator:
        if len(buffer) < buffer_size:
            buffer.append(element)
            continue
        slot = int(next(uniforms) * len(buffer))
        yield buffer[slot]
        buffer[slot] = element
    while buffer:
        slot = int(next(uniforms) * len(buffer))
        yield buffer[slot]
        buffer[slot] = buffer[-1]
        buffer.pop()


class _RandomDataset(Dataset):
    """An infinite stream of random int64 scalars."""

    def __init__(self, seed, rerandomize_each_iteration):
        self._seeds = SeedStream(seed, rerandomize_each_iteration if
                                 rerandomize_each_iteration is not None else False)
        self._element_spec = TensorSpec((), dtypes.int64)

    def _iterator(self, ctx):
        generator = self._seeds.next_generator()
        while True:
            for value in generator.integers(0, 2 ** 32, 1024, dtype=xp.int64):
                yield (value,)

    def _cardinality(self):
        return INFINITE_CARDINALITY


class _WeightedChoices(Dataset):
    """Infinite int64 indices drawn with probabilities `weights` (renormalized as inputs end)."""

    def __init__(self, weights, seeds):
        self._weights = weights
        self._seeds = seeds
        self._element_spec = TensorSpec((), dtypes.int64)

    def _iterator(self, ctx):
        generator = self._seeds.next_generator()
        cumulative = xp.cumsum(self._weights / self._weights.sum())
        while True:
            draws = xp.searchsorted(cumulative, generator.random(1024), side="right")
            for index in xp.minimum(draws, len(cumulative) - 1).astype(xp.int64):
                yield (index,)

    def _cardinality(self):
        return INFINITE_CARDINALITY


class _SampleDataset(_DirectedInterleaveDataset):
    """sample_from_datasets: a choice is redrawn when it picks an exhausted input."""

    def _iterator(self, ctx):
        if self._stop_on_empty:
            yield from super()._iterator(ctx)
            return
        iterators = [d._iterate(ctx) for d in self._datasets]
        weights = self._selector._weights.astype(xp.float64).copy()
        uniforms = uniform_stream(self._selector._seeds.next_generator())
        while weights.sum() > 0:
            cumulative = xp.cumsum(weights / weights.sum())
            index = int(xp.searchsorted(cumulative, next(uniforms), side="right"))
            index = min(index, len(weights) - 1)
            try:
                yield next(iterators[index])
            except StopIteration:
                weights[index] = 0.0


def sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset,
                         rerandomize_each_iteration):
    datasets = list(datasets)
    if not datasets:
        raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
    if weights is None:
        weights = xp.ones(len(datasets), xp.float64)
    elif isinstance(weights, Dataset):
        raise NotImplementedError("`weights` given as a Dataset are not supported.")
    else:
        weights = xp.asarray(convert_to_tensor(weights)._value, dtype=xp.float64)
        if weights.shape != (len(datasets),):
            raise ValueError("Invalid `weights`. The shape of `weights` should be compatible "
                             f"with `[len(datasets)]` but is {list(weights.shape)}.")
    seeds = SeedStream(seed, rerandomize_each_iteration)
    selector = _WeightedChoices(weights, seeds)
    result = _SampleDataset(selector, datasets, stop_on_empty_dataset)
    result._repr_name = "_DirectedInterleaveDataset"
    return result

