"""Distributed values and the variables a strategy creates.

tapeflow runs one replica per process, so a per-replica value is simply the
process's own tensor: `strategy.run` returns plain tensors (as TF does with one
local replica) and distributed datasets yield plain tensors (TF wraps those in a
one-element `PerReplica`; a plain tensor also passes through `tf.function`
unchanged). `DistributedValues`, `PerReplica` and `Mirrored` exist for the
values a user builds or checks with `isinstance`.

Variables created in a strategy's scope are *mirrored*: rank 0's initial value
is broadcast to every rank, so all replicas start equal, and every rank applies
the same all-reduced gradients, so they stay equal. Plain `tf.Variable`s become:

- `MirroredVariable`: a write in a replica context is aggregated across replicas
  by the variable's `aggregation` first (SUM/MEAN all-reduce the written value,
  ONLY_FIRST_REPLICA takes replica 0's, NONE writes the local value), as TF does.
- `SyncOnReadVariable` (synchronization=ON_READ: metric state): TF keeps a local
  value per replica and sums them when read outside `strategy.run`. Here every
  rank holds that sum all the time: writes all-reduce their *change*
  (`assign_add`/`assign_sub` their delta, `assign` inside `run` the difference
  `new - current`; `assign` outside `run`, e.g. a metric's reset, sets the sum
  itself). So reads anywhere, eager or traced, give the aggregated value with no
  collective on read. The one difference from TF: a read inside `strategy.run`
  also sees the aggregate, not the replica's own share.

Other Variable subclasses (Keras weights) are broadcast but keep their class.
"""
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.variable import Variable, VariableAggregation, VariableSynchronization
from tapeflow.distribute import collective_ops


class DistributedValues:
    """Values of one logical tensor, one per local replica (`tf.distribute.DistributedValues`).

    A base class only: PerReplica, Mirrored and the strategy's variables.
    """

    __slots__ = ()   # no storage of its own, so a Variable can become a MirroredVariable

    def __init__(self, values):
        self._values = tuple(values)

    @property
    def values(self):
        return self._values

    def _local(self):
        return self._values[0]

    def __repr__(self):
        items = ",\n".join(f"  {i}: {v!r}" for i, v in enumerate(self._values))
        return f"{type(self).__name__}:{{\n{items}\n}}"


class PerReplica(DistributedValues):
    """Values that may differ between replicas."""


class Mirrored(DistributedValues):
    """Values known to be equal on every replica."""


def local_value(value):
    """This process's value of `value` (a DistributedValues or a plain value)."""
    return value._local() if isinstance(value, DistributedValues) else value


# ================================================================================
# Mirroring variables created in a strategy's scope
# ================================================================================

def mirror_variable(variable, strategy):
    """Makes `variable` one of the strategy's: equal on all ranks, aggregated on write."""
    communicator = strategy.extended._communicator
    if communicator.size > 1:
        buffer = xp.array(variable._value, copy=True, order="C")   # never write a shared array
        communicator.broadcast(buffer, root=0)
        variable._set_value_unchecked(buffer)
    variable._distribute_strategy = strategy
    if type(variable) is Variable:
        if variable.synchronization is VariableSynchronization.ON_READ:
            variable.__class__ = SyncOnReadVariable
        else:
            variable.__class__ = MirroredVariable
    return variable


def _replica_context_of(variable):
    """The ReplicaContext when writing `variable` inside its strategy's `run`, else None."""
    entry = state.distribution
    if entry is None or entry.strategy is not variable._distribute_strategy:
        return None
    return entry.replica_context


def _write_reduction(variable):
    """The collective reduction for a replica-context write, or None for a local write."""
    aggregation = variable.aggregation
    if aggregation is VariableAggregation.NONE:
        return None
    if variable._distribute_strategy.num_replicas_in_sync == 1:
        return None
    return {VariableAggregation.SUM: "sum", VariableAggregation.MEAN: "mean",
            VariableAggregation.ONLY_FIRST_REPLICA: "only_first_replica"}[aggregation]


def _reduce(variable, value, reduction):
    value = convert_to_tensor(value, dtype=variable.dtype)
    group_key = variable._distribute_strategy.extended._group_key
    return collective_ops.all_reduce([value], reduction, group_key)[0]


class MirroredVariable(Variable, DistributedValues):
    """A variable kept equal on every replica (TF's `MirroredVariable`)."""

    @property
    def values(self):
        return (self,)

    def _local(self):
        return self

    def _aggregated(self, value):
        if _replica_context_of(self) is None:
            return value
        reduction = _write_reduction(self)
        if reduction is None:
            return value
        if reduction == "mean" and not self.dtype.is_floating:
            raise ValueError("Cannot update non-float variables with "
                             "tf.VariableAggregation.MEAN aggregation in replica context. Either "
                             "change the variable dtype to float or update it in cross-replica "
                             "context.")
        return _reduce(self, value, reduction)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        return super().assign(self._aggregated(value), use_locking, name, read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return super().assign_add(self._aggregated(delta), use_locking, name, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return super().assign_sub(self._aggregated(delta), use_locking, name, read_value)

    def __repr__(self):
        return f"MirroredVariable:{{\n  0: {Variable.__repr__(self)}\n}}"


class SyncOnReadVariable(Variable, DistributedValues):
    """A variable whose replicas' values are aggregated on read (metric state).

    See the module docstring: every rank holds the aggregate, and writes
    all-reduce their change: `assign_add`/`assign_sub` their delta, `assign` in
    a replica context `value - current`. A cross-replica `assign` (a metric's
    reset) sets the aggregate itself.
    """

    @property
    def values(self):
        return (self,)

    def _local(self):
        return self

    def assign(self, value, use_locking=None, name=None, read_value=True):
        reduction = _write_reduction(self)
        if reduction is None or _replica_context_of(self) is None:
            return super().assign(value, use_locking, name, read_value)
        change = convert_to_tensor(value, dtype=self.dtype) - self.value()
        return super().assign_add(_reduce(self, change, reduction), use_locking, name,
                                  read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        reduction = _write_reduction(self)
        if reduction is not None:
            delta = _reduce(self, delta, reduction)
        return super().assign_add(delta, use_locking, name, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        reduction = _write_reduction(self)
        if reduction is not None:
            delta = _reduce(self, delta, reduction)
        return super().assign_sub(delta, use_locking, name, read_value)

    def __repr__(self):
        return f"SyncOnReadVariable:{{\n  0: {Variable.__repr__(self)}\n}}"
