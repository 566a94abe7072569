"""Distributed input: each replica's share of every global batch.

`strategy.experimental_distribute_dataset(dataset)` takes batches of the
*global* batch size. Every rank iterates the whole dataset (TF's DATA
auto-sharding does the same for datasets not read from files) and keeps its
slice of each batch: with global batch size B and R replicas, replica r gets
rows `[r*c, (r+1)*c)` of every batch, where `c = ceil(B / R)`, cut at the
batch's end. So a short last batch gives the last replicas fewer rows, possibly
none, exactly as TF splits it (B = 4, R = 2, last batch [8, 9, 10]: [8, 9] and
[10]). B is the batch dimension of the dataset's `element_spec` when it is
static, otherwise the size of the first (largest) batch.

`strategy.distribute_datasets_from_function(dataset_fn)` calls
`dataset_fn(InputContext)` once per process; the function returns batches of
the per-replica size, usually sharded with
`dataset.shard(ctx.num_input_pipelines, ctx.input_pipeline_id)`.

Both accept a `tf.data.Dataset` or any re-iterable of batches (lists of NumPy
arrays, a generator function's output, ...). Batches are yielded as plain
tensors (values.py explains why, not as `PerReplica`). Keras' `fit` and
`evaluate` under a strategy split their batches with the same rule
(`per_replica_steps`).
"""
import enum

from tapeflow.core import nest
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import Tensor, wrap


class InputContext:
    """What an input function needs to know (`tf.distribute.InputContext`).

    Args:
      num_input_pipelines: the number of input pipelines (processes).
      input_pipeline_id: this pipeline's index.
      num_replicas_in_sync: the number of replicas training in sync.
    """

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self._num_input_pipelines = num_input_pipelines
        self._input_pipeline_id = input_pipeline_id
        self._num_replicas_in_sync = num_replicas_in_sync

    @property
    def num_replicas_in_sync(self):
        return self._num_replicas_in_sync

    @property
    def input_pipeline_id(self):
        return self._input_pipeline_id

    @property
    def num_input_pipelines(self):
        return self._num_input_pipelines

    def get_per_replica_batch_size(self, global_batch_size):
        """The per-replica batch size for `global_batch_size`.

        Raises:
          ValueError: `global_batch_size` is not divisible by the replica count.
        """
        if global_batch_size % self._num_replicas_in_sync != 0:
            raise ValueError(f"The `global_batch_size` {global_batch_size!r} is not divisible "
                             f"by `num_replicas_in_sync` {self._num_replicas_in_sync!r} ")
        return global_batch_size // self._num_replicas_in_sync

    def __str__(self):
        return (f"tf.distribute.InputContext(input pipeline id {self._input_pipeline_id}, "
                f"total: {self._num_input_pipelines})")


class ValueContext:
    """What `experimental_distribute_values_from_function`'s function is told."""

    def __init__(self, replica_id_in_sync_group=0, num_replicas_in_sync=1):
        self._replica_id_in_sync_group = replica_id_in_sync_group
        self._num_replicas_in_sync = num_replicas_in_sync

    @property
    def num_replicas_in_sync(self):
        return self._num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        return self._replica_id_in_sync_group

    def __str__(self):
        return (f"tf.distribute.ValueContext(replica id {self._replica_id_in_sync_group},  "
                f"total replicas in sync: {self._num_replicas_in_sync})")


class InputReplicationMode(enum.Enum):
    """Whether input functions run once per worker or once per replica."""

    PER_WORKER = "PER_WORKER"
    PER_REPLICA = "PER_REPLICA"


class InputOptions:
    """Options of distributed datasets (`tf.distribute.InputOptions`); kept for
    compatibility: with one replica per process they change nothing."""

    def __init__(self, experimental_fetch_to_device=None,
                 experimental_replication_mode=InputReplicationMode.PER_WORKER,
                 experimental_place_dataset_on_device=False,
                 experimental_per_replica_buffer_size=1):
        self.experimental_fetch_to_device = (True if experimental_fetch_to_device is None
                                             else experimental_fetch_to_device)
        self.experimental_replication_mode = experimental_replication_mode
        self.experimental_place_dataset_on_device = experimental_place_dataset_on_device
        self.experimental_per_replica_buffer_size = experimental_per_replica_buffer_size

    def __repr__(self):
        return (f"InputOptions(experimental_fetch_to_device={self.experimental_fetch_to_device}"
                f", experimental_replication_mode={self.experimental_replication_mode}, "
                "experimental_place_dataset_on_device="
                f"{self.experimental_place_dataset_on_device}, "
                "experimental_per_replica_buffer_size="
                f"{self.experimental_per_replica_buffer_size})")


# ================================================================================
# Distributed datasets
# ================================================================================

def _check_iterable(dataset):
    if not hasattr(dataset, "__iter__"):
        raise TypeError("A distributed dataset needs a `tf.data.Dataset` or an iterable of "
                        f"batches, got {type(dataset).__name__}.")


def _as_tensor(leaf):
    return leaf if isinstance(leaf, Tensor) else convert_to_tensor(leaf)


class DistributedDataset:
    """This replica's share of each global batch of `dataset` (see the module docstring)."""

    def __init__(self, strategy, dataset, options=None):
        _check_iterable(dataset)
        self._strategy = strategy
        self._dataset = dataset
        self._options = options

    def __iter__(self):
        split = BatchSplitter(self._strategy, _static_batch_size(self._dataset))
        return DistributedIterator(split(batch) for batch in self._dataset)

    @property
    def element_spec(self):
        """The dataset's element_spec with an unknown batch dimension (per replica)."""
        spec = getattr(self._dataset, "element_spec", None)
        if spec is None:
            return None
        return nest.map_structure(_per_replica_spec, spec)


class DistributedDatasetsFromFunction:
    """The dataset `dataset_fn(InputContext)` returns for this process."""

    def __init__(self, strategy, dataset_fn, options=None):
        communicator = strategy.extended._communicator
        context = InputContext(num_input_pipelines=communicator.size,
                               input_pipeline_id=communicator.rank,
                               num_replicas_in_sync=strategy.num_replicas_in_sync)
        self._dataset = dataset_fn(context)
        _check_iterable(self._dataset)

    def __iter__(self):
        return DistributedIterator(
            nest.map_structure(_as_tensor, batch) for batch in self._dataset)

    @property
    def element_spec(self):
        return getattr(self._dataset, "element_spec", None)


class DistributedIterator:
    """An iterator over a distributed dataset (`tf.distribute.DistributedIterator`)."""

    def __init__(self, batches):
        self._batches = iter(batches)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def get_next(self):
        """The next batch; raises `tf.errors.OutOfRangeError` at the end."""
        try:
            return next(self._batches)
        except StopIteration:
            from tapeflow.core.errors import OutOfRangeError
            raise OutOfRangeError(None, None, "End of sequence") from None


class BatchSplitter:
    """Cuts this replica's rows out of global batches (the rule in the module docstring).

    Args:
      strategy: the strategy whose replica this process is.
      batch_size: the global batch size B, if known; otherwise the largest batch
        seen so far (the first one of a batched dataset).
    """

    def __init__(self, strategy, batch_size=None):
        communicator = strategy.extended._communicator
        self._rank, self._size = communicator.rank, communicator.size
        self._batch_size = batch_size

    def __call__(self, batch):
        leaves = [None if leaf is None else _as_tensor(leaf) for leaf in nest.flatten(batch)]
        if self._size > 1:
            rows = _rows([leaf for leaf in leaves if leaf is not None])
            self._batch_size = max(self._batch_size or 0, rows)
            share = -(-self._batch_size // self._size)             # ceil(B / R)
            start = min(self._rank * share, rows)
            stop = min(start + share, rows)
            leaves = [None if leaf is None else wrap(leaf._value[start:stop])
                      for leaf in leaves]
        return nest.pack_sequence_as(batch, leaves)


class ReplicaSteps:
    """Keras' epoch iterator, yielding `(step, this replica's share of the batch)`.

    `fit` and `evaluate` under a strategy iterate this instead of the iterator
    itself; any other attribute (`num_batches`, ...) is the wrapped iterator's.
    """

    def __init__(self, epoch_iterator, strategy):
        self._epoch_iterator = epoch_iterator
        self._split = BatchSplitter(strategy)

    def __iter__(self):
        for step, batch in self._epoch_iterator:
            yield step, self._split(batch)

    def __getattr__(self, name):
        return getattr(self._epoch_iterator, name)


def per_replica_steps(epoch_iterator, strategy):
    """`epoch_iterator` as ReplicaSteps when `strategy` has several replicas, else itself."""
    if strategy.num_replicas_in_sync == 1:
        return epoch_iterator
    return ReplicaSteps(epoch_iterator, strategy)


def _rows(leaves):
    rows = None
    for leaf in leaves:
        dims = leaf.shape
        if len(dims) == 0:
            raise ValueError("experimental_distribute_dataset splits each batch along its first "
                             "dimension, but an element is a scalar: batch the dataset with "
                             "the global batch size (`dataset.batch(global_batch_size)`).")
        if rows is not None and dims[0] != rows:
            raise ValueError(f"The components of a batch have different batch sizes ({rows} "
                             f"and {dims[0]}).")
        rows = dims[0]
    return rows


def _static_batch_size(dataset):
    spec = getattr(dataset, "element_spec", None)
    if spec is None:
        return None
    sizes = {s.shape[0] if s.shape.rank else None for s in nest.flatten(spec)
             if hasattr(s, "shape")}
    sizes.discard(None)
    return sizes.pop() if len(sizes) == 1 else None


def _per_replica_spec(spec):
    shape = getattr(spec, "shape", None)
    if shape is None or shape.rank is None or shape.rank == 0:
        return spec
    from tapeflow.core.spec import TensorSpec
    return TensorSpec((None,) + tuple(shape)[1:], spec.dtype)
