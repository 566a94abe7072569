"""Collective ops: all-reduce and all-gather across the replicas of a strategy.

They are ops like any other, so eagerly they run at once and inside a traced
`tf.function` they become graph nodes whose kernels call the communicator on
every call of the compiled function (not once, at trace time). They are marked
`side_effect`: the graph passes never drop, merge or reorder them, so every rank
calls its collectives in the same order (a collective waits for all ranks).

A collective's attributes name its group with an integer `group_key`, as TF's do;
the group's Communicator is looked up at run time in `_GROUPS`.

- `CollectiveAllReduce(*tensors)` reduces several tensors of one dtype with one
  communication: the kernel packs them into one fresh buffer, reduces it in place
  and returns views of it, one per input (for gradients: one Allreduce per step).
- `CollectiveGatherV2(x)` concatenates every rank's `x` along axis 0.
"""
import enum
import itertools

from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec

_GROUPS = {}               # group_key -> Communicator
_group_keys = itertools.count(1)


def register_group(communicator):
    """Registers `communicator` for collective ops; returns its group key."""
    key = next(_group_keys)
    _GROUPS[key] = communicator
    return key


class ReduceOp(enum.Enum):
    """How values of several replicas combine (`tf.distribute.ReduceOp`)."""

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation):
        from tapeflow.core.variable import VariableAggregation
        mapping = {VariableAggregation.SUM: ReduceOp.SUM,
                   VariableAggregation.MEAN: ReduceOp.MEAN}
        if aggregation not in mapping:
            raise ValueError(f"Could not convert from `tf.VariableAggregation` {aggregation} "
                             "to`tf.distribute.ReduceOp` type")
        return mapping[aggregation]


def as_reduce_op(reduce_op):
    """A ReduceOp from a ReduceOp or its name ("SUM", "mean", ...)."""
    if isinstance(reduce_op, str):
        return ReduceOp(reduce_op.upper())
    if not isinstance(reduce_op, ReduceOp):
        raise ValueError(f"{reduce_op!r} is not a valid ReduceOp")
    return reduce_op


# "only_first_replica" (VariableAggregation.ONLY_FIRST_REPLICA) takes rank 0's values.
REDUCTIONS = ("sum", "mean", "max", "min", "only_first_replica")


# ================================================================================
# CollectiveAllReduce
# ================================================================================

def _all_reduce_infer(*specs, group_key, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"CollectiveAllReduce: unknown reduction {reduction!r}; expected one "
                         f"of {REDUCTIONS}.")
    dtypes = {spec.dtype for spec in specs}
    if len(dtypes) > 1:
        raise TypeError("CollectiveAllReduce packs its inputs into one buffer: they must have "
                        f"one dtype, got {sorted(d.name for d in dtypes)}.")
    return tuple(TensorSpec(spec.dims, spec.dtype) for spec in specs)


CollectiveAllReduce = Op("CollectiveAllReduce", infer=_all_reduce_infer, multi_output=True,
                         side_effect=True)


@CollectiveAllReduce.kernel
def _(*arrays, group_key, reduction):
    communicator = _GROUPS[group_key]
    buffer = xp.concatenate([xp.asarray(a).reshape(-1) for a in arrays])   # a fresh buffer
    if reduction == "only_first_replica":
        communicator.broadcast(buffer, root=0)
    else:
        communicator.allreduce(buffer, reduction)
    outputs, offset = [], 0
    for a in arrays:
        size = a.size
        outputs.append(buffer[offset:offset + size].reshape(a.shape))
        offset += size
    return tuple(outputs)


@CollectiveAllReduce.gradient
def _(dy, *inputs, out, group_key, reduction):
    """Every rank's output is the sum (mean) of all inputs, so the gradient of the
    total loss for one rank's input is the sum (mean) of every rank's output gradient."""
    if reduction not in ("sum", "mean"):
        return (None,) * len(inputs)
    return tuple(apply(CollectiveAllReduce, *dy, group_key=group_key, reduction=reduction))


def all_reduce(tensors, reduction, group_key):
    """Reduces a list of tensors across the group: one collective per dtype.

    Returns the reduced tensors in the order given.
    """
    tensors = [convert_to_tensor(t) for t in tensors]
    by_dtype = {}
    for index, tensor in enumerate(tensors):
        by_dtype.setdefault(tensor.dtype, []).append(index)
    results = [None] * len(tensors)
    for indices in by_dtype.values():
        reduced = apply(CollectiveAllReduce, *[tensors[i] for i in indices],
                        group_key=group_key, reduction=reduction)
        for i, value in zip(indices, reduced):
            results[i] = value
    return results


# ================================================================================
# CollectiveGatherV2
# ================================================================================

def _gather_infer(x, group_key):
    if x.dims is not None and len(x.dims) == 0:
        raise ValueError("CollectiveGatherV2: the input must have rank >= 1 (values are "
                         "concatenated along axis 0), got a scalar.")
    if x.dims is None:
        return TensorSpec(None, x.dtype)
    group_size = _GROUPS[group_key].size
    first = x.dims[0] if group_size == 1 else None   # ranks may hold different lengths
    return TensorSpec((first,) + tuple(x.dims[1:]), x.dtype)


CollectiveGatherV2 = Op("CollectiveGatherV2", infer=_gather_infer, side_effect=True,
                        differentiable=False)


@CollectiveGatherV2.kernel
def _(x, group_key):
    return xp.concatenate(_GROUPS[group_key].allgather(x), axis=0)


def all_gather(tensor, group_key):
    """Every rank's `tensor`, concatenated along axis 0 in rank order."""
    return apply(CollectiveGatherV2, convert_to_tensor(tensor), group_key=group_key)
