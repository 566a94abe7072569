"""The Strategy API: scope, run, reduce, gather, and the contexts code runs in.

A Strategy owns a Communicator (communicator.py) with one replica per process,
so `num_replicas_in_sync` is the number of processes. Everything collective goes
through the ops of collective_ops.py, so it works the same eagerly and inside a
traced `tf.function`:

- `strategy.scope()`: variables created inside are mirrored (values.py);
- `strategy.run(fn, args)`: calls `fn` once, in this process's replica context,
  and returns its results (plain tensors: there is one local replica);
- `strategy.reduce` / `gather`: cross-replica all-reduce / all-gather;
- `get_replica_context().all_reduce` inside `run` (Keras' optimizer uses it to
  sum the gradients of all replicas).

The default strategy (no scope entered) is the same machinery with one replica.
"""
from tapeflow.core import nest
from tapeflow.core.context import state
from tapeflow.core.convert import constant, convert_to_tensor
from tapeflow.core.dtypes import int32, int64
from tapeflow.distribute import collective_ops, context, input as input_lib, values
from tapeflow.distribute.collective_ops import ReduceOp, as_reduce_op
from tapeflow.distribute.communicator import LocalCommunicator
from tapeflow.distribute.context import DistributionContext, entered
from tapeflow.ops.array import identity, shape, transpose
from tapeflow.ops.math import cast, reduce_sum, truediv
from tapeflow.ops.reduction import reduce_prod

_REDUCTION_NAMES = {ReduceOp.SUM: "sum", ReduceOp.MEAN: "mean"}
_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


class Strategy:
    """A way to run a computation on several replicas (`tf.distribute.Strategy`).

    Args:
      extended: the StrategyExtended holding the communicator.
    """

    def __init__(self, extended):
        self._extended = extended

    # -- properties ---------------------------------------------------------------------
    @property
    def extended(self):
        return self._extended

    @property
    def num_replicas_in_sync(self):
        """The number of replicas: one per process of the job."""
        return self._extended._communicator.size

    @property
    def cluster_resolver(self):
        """The cluster resolver of a multi-worker strategy; None otherwise."""
        return None

    # -- contexts ----------------------------------------------------------------------------
    def scope(self):
        """A context manager: variables created inside are mirrored across replicas.

        Raises:
          RuntimeError: inside the scope of another strategy.
        """
        return _Scope(self)

    def run(self, fn, args=(), kwargs=None, options=None):
        """Calls `fn(*args, **kwargs)` in this process's replica context; returns its result.

        Distributed values among the arguments are replaced by this process's
        value. Inside a traced function, `fn`'s control flow is converted by
        AutoGraph, as TF does.

        Raises:
          ValueError: `args` is not a list or tuple.
        """
        if not isinstance(args, (list, tuple)):
            raise ValueError(f"positional args must be a list or tuple, got {type(args)}")
        args = nest.map_structure(values.local_value, tuple(args))
        kwargs = nest.map_structure(values.local_value, dict(kwargs or {}))
        replica = DistributionContext(self, self._extended._replica_context)
        with self.scope(), entered(replica):
            if state.graph is not None:
                from tapeflow.graph.autograph import converted_call
                return converted_call(fn, args, kwargs)
            return fn(*args, **kwargs)

    # -- cross-replica reductions -------------------------------------------------------------
    def reduce(self, reduce_op, value, axis):
        """Reduces `value` across replicas (and first along `axis` within each replica).

        With `axis=None` the replicas' values are combined elementwise. With an
        axis (or a tuple of axes), each replica first sums along it; MEAN then
        divides by the number of elements along it summed over all replicas, so
        replicas with different batch sizes are weighted by their sizes.

        Args:
          reduce_op: `tf.distribute.ReduceOp.SUM` or `MEAN` (or "SUM", "MEAN").
          value: a tensor (per replica) or a distributed value.
          axis: None, an int, or a tuple of ints.

        Returns:
          The reduced Tensor, the same on every replica.

        Raises:
          RuntimeError: called inside `strategy.run` (use the replica context's
            `all_reduce` there).
        """
        _require_cross_replica(self)
        reduce_op = as_reduce_op(reduce_op)
        value = convert_to_tensor(values.local_value(value))
        if axis is None:
            return self._extended._reduce(reduce_op, value)
        count = _count_along(value, axis)     # checks the axes first (ValueError, as TF)
        numerator = self._extended._reduce(ReduceOp.SUM, reduce_sum(value, axis=axis))
        if reduce_op is ReduceOp.SUM:
            return numerator
        denominator = self._extended._reduce(ReduceOp.SUM, count)
        return truediv(numerator, cast(denominator, numerator.dtype))

    def gather(self, value, axis):
        """Concatenates every replica's `value` along `axis`, in replica order."""
        _require_cross_replica(self)
        return self._extended._gather(convert_to_tensor(values.local_value(value)), axis)

    def experimental_local_results(self, value):
        """The values of `value` on this process's replicas, as a tuple (one here)."""
        if isinstance(value, values.DistributedValues):
            return value.values
        return (value,)

    # -- input ---------------------------------------------------------------------------------
    def experimental_distribute_dataset(self, dataset, options=None):
        """Splits each global batch of `dataset` among the replicas (see input.py)."""
        return input_lib.DistributedDataset(self, dataset, options)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """Calls `dataset_fn(tf.distribute.InputContext)` for this process's input pipeline."""
        return input_lib.DistributedDatasetsFromFunction(self, dataset_fn, options)

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def experimental_distribute_values_from_function(self, value_fn):
        """`value_fn(tf.distribute.experimental.ValueContext)` for this process's replica."""
        replica_id = self._extended._communicator.rank
        return value_fn(input_lib.ValueContext(replica_id, self.num_replicas_in_sync))


class StrategyExtended:
    """The strategy's communicator, replica context and the less common API."""

    def __init__(self, strategy, communicator, worker_device=_CPU):
        self._strategy = strategy
        self._communicator = communicator
        self._group_key = collective_ops.register_group(communicator)
        self._worker_device = worker_device
        self._replica_context = ReplicaContext(strategy, communicator.rank)

    def _container_strategy(self):
        return self._strategy

    # -- what each worker should do ---------------------------------------------------------
    @property
    def should_checkpoint(self):
        """Whether this worker writes checkpoints (the chief, rank 0)."""
        return self._communicator.rank == 0

    @property
    def should_save_summary(self):
        """Whether this worker writes summaries (the chief, rank 0)."""
        return self._communicator.rank == 0

    @property
    def experimental_should_init(self):
        return True

    @property
    def worker_devices(self):
        return (self._worker_device,)

    @property
    def parameter_devices(self):
        return (self._worker_device,)

    # -- variables ------------------------------------------------------------------------------
    def _mirror_variable(self, variable):
        return values.mirror_variable(variable, self._strategy)

    def variable_created_in_scope(self, v):
        """Whether `v` was created in this strategy's scope."""
        return getattr(v, "_distribute_strategy", None) is self._strategy

    def value_container(self, value):
        return value

    def colocate_vars_with(self, colocate_with_variable):
        return _NullContext()

    def update(self, var, fn, args=(), kwargs=None, group=True):
        """Runs `fn(var, *args, **kwargs)` (every replica holds the same copy)."""
        with entered(DistributionContext(self._strategy, None)):
            return fn(var, *args, **(kwargs or {}))

    # -- reductions --------------------------------------------------------------------------
    def reduce_to(self, reduce_op, value, destinations, options=None):
        return self._reduce(as_reduce_op(reduce_op), convert_to_tensor(values.local_value(value)))

    def batch_reduce_to(self, reduce_op, value_destination_pairs, options=None):
        reduce_op = as_reduce_op(reduce_op)
        tensors = [convert_to_tensor(values.local_value(v)) for v, _ in value_destination_pairs]
        return self._all_reduce(reduce_op, tensors)

    def _reduce(self, reduce_op, value):
        return self._all_reduce(reduce_op, [value])[0]

    def _all_reduce(self, reduce_op, tensors):
        """All-reduces a list of tensors (one collective per dtype)."""
        if self._communicator.size == 1:
            return [identity(t) for t in tensors]
        return collective_ops.all_reduce(tensors, _REDUCTION_NAMES[reduce_op], self._group_key)

    def _gather(self, tensor, axis):
        if self._communicator.size == 1:
            return identity(tensor)
        rank = len(tensor.shape)
        axis = axis + rank if axis < 0 else axis
        if axis == 0:
            return collective_ops.all_gather(tensor, self._group_key)
        perm = [axis] + [d for d in range(rank) if d != axis]
        gathered = collective_ops.all_gather(transpose(tensor, perm), self._group_key)
        inverse = [perm.index(d) for d in range(rank)]
        return transpose(gathered, inverse)


class ReplicaContext:
    """What code inside `strategy.run` can ask of its replica (`tf.distribute.ReplicaContext`)."""

    def __init__(self, strategy, replica_id_in_sync_group):
        self._strategy = strategy
        self._replica_id = replica_id_in_sync_group

    @property
    def strategy(self):
        return self._strategy

    @property
    def num_replicas_in_sync(self):
        return self._strategy.num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        """This replica's index, 0 .. num_replicas_in_sync - 1 (an int32 tensor)."""
        return constant(self._replica_id, dtype=int32)

    @property
    def devices(self):
        return self._strategy.extended.worker_devices

    def all_reduce(self, reduce_op, value, options=None):
        """Reduces `value` (a nested structure of tensors) across all replicas.

        Every replica gets the result. The tensors of one dtype travel in one
        collective. The gradient of a SUM (MEAN) all-reduce is the SUM (MEAN)
        all-reduce of the output gradients.
        """
        reduce_op = as_reduce_op(reduce_op)
        flat = [convert_to_tensor(values.local_value(v)) for v in nest.flatten(value)]
        reduced = self._strategy.extended._all_reduce(reduce_op, flat)
        return nest.pack_sequence_as(value, reduced)

    def all_gather(self, value, axis, options=None):
        """Concatenates every replica's tensors (a nested structure) along `axis`."""
        flat = [convert_to_tensor(values.local_value(v)) for v in nest.flatten(value)]
        gathered = [self._strategy.extended._gather(t, axis) for t in flat]
        return nest.pack_sequence_as(value, gathered)

    def merge_call(self, merge_fn, args=(), kwargs=None):
        """Calls `merge_fn(strategy, *args, **kwargs)` in the cross-replica context."""
        with entered(DistributionContext(self._strategy, None)):
            return merge_fn(self._strategy, *args, **(kwargs or {}))


# ================================================================================
# The default strategy: no scope entered, one replica
# ================================================================================

class _DefaultDistributionStrategy(Strategy):
    """The strategy in effect outside any `strategy.scope()`: one replica, no mirroring."""

    def __init__(self):
        super().__init__(StrategyExtended(self, LocalCommunicator()))

    def scope(self):
        return _NullContext()

    def run(self, fn, args=(), kwargs=None, options=None):
        if not isinstance(args, (list, tuple)):
            raise ValueError(f"positional args must be a list or tuple, got {type(args)}")
        return fn(*args, **(kwargs or {}))


class _NullContext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class _Scope:
    """`strategy.scope()`: the strategy's cross-replica context (re-entrant)."""

    def __init__(self, strategy):
        self._strategy = strategy
        self._saved = None

    def __enter__(self):
        current = state.distribution
        self._saved = current
        if current is None:
            state.distribution = DistributionContext(self._strategy)
        elif current.strategy is not self._strategy:
            raise RuntimeError("Mixing different tf.distribute.Strategy objects: "
                               f"{current.strategy} is not {self._strategy}")
        return self._strategy

    def __exit__(self, *exc):
        state.distribution = self._saved
        return False


def _require_cross_replica(strategy):
    entry = state.distribution
    if entry is None:
        return
    if entry.strategy is not strategy:
        raise RuntimeError("Mixing different tf.distribute.Strategy objects: "
                           f"{entry.strategy} is not {strategy}")
    if entry.replica_context is not None:
        raise RuntimeError("Method requires being in cross-replica context, use "
                           "get_replica_context().merge_call()")


def _count_along(value, axis):
    """The number of elements along `axis` (an int or a tuple), as an int64 tensor."""
    dims = shape(value, out_type=int64)
    rank = len(value.shape)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    picked = []
    for a in axes:
        if not isinstance(a, int):
            raise TypeError(f"Expected `axis` to be an integer, tuple or list not: {axis!r}")
        if a < -rank or a >= rank:
            raise ValueError(f"`axis` = {a!r} out of range for `value` with rank {rank}")
        picked.append(dims[a % rank])
    return picked[0] if len(picked) == 1 else reduce_prod(picked)


context._default["strategy"] = _DefaultDistributionStrategy()
context._default["replica_context"] = ReplicaContext(context._default["strategy"], 0)
