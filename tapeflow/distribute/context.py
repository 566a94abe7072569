"""Which strategy is current, and whether code runs per replica or across replicas.

TensorFlow code is in one of three places:

- the *default* context: no `strategy.scope()` is active; one replica, the
  default strategy, the default replica context;
- a *cross-replica* context: inside `with strategy.scope():`, outside
  `strategy.run` (`get_replica_context()` is None);
- a *replica* context: inside `strategy.run(fn)` (or a `merge_call` back out of
  it): `get_replica_context()` is that replica's ReplicaContext.

The current place is one `DistributionContext` (or None for the default) kept in
the thread-local `state.distribution` of core/context.py, so the layers below
tf.distribute (variables, losses) can consult it without importing this package.
"""
import contextlib

from tapeflow.core.array_api import xp
from tapeflow.core.context import state

_default = {}   # "strategy" and "replica_context" of the default context, set by strategy.py


class DistributionContext:
    """One entry of the context: a strategy and, per replica, its ReplicaContext."""

    __slots__ = ("strategy", "replica_context")

    def __init__(self, strategy, replica_context=None):
        self.strategy = strategy
        self.replica_context = replica_context

    @property
    def num_replicas_in_sync(self):
        return self.strategy.num_replicas_in_sync

    @property
    def in_cross_replica_context(self):
        return self.replica_context is None

    def variable_created(self, variable):
        """Called by Variable for every variable created here: mirror it (values.py)."""
        return self.strategy.extended._mirror_variable(variable)


@contextlib.contextmanager
def entered(entry):
    """Makes `entry` the current distribution context for the body."""
    saved = state.distribution
    state.distribution = entry
    try:
        yield entry
    finally:
        state.distribution = saved


# -- the public queries (tf.distribute.get_strategy, ...) ----------------------------

def get_strategy():
    """The current `tf.distribute.Strategy` (the default strategy outside any scope)."""
    entry = state.distribution
    return _default["strategy"] if entry is None else entry.strategy


def has_strategy():
    """True inside a non-default strategy's `scope()` or `run()`."""
    return state.distribution is not None


def in_cross_replica_context():
    """True inside `strategy.scope()` but outside `strategy.run()`."""
    entry = state.distribution
    return entry is not None and entry.replica_context is None


def get_replica_context():
    """The current ReplicaContext, or None in a cross-replica context.

    Outside any strategy this is the default replica context (one replica).
    """
    entry = state.distribution
    return _default["replica_context"] if entry is None else entry.replica_context


def num_replicas_in_sync():
    """The current strategy's replica count (1 outside any strategy)."""
    entry = state.distribution
    return 1 if entry is None else entry.strategy.num_replicas_in_sync


# -- the hook Keras' optimizer calls -------------------------------------------------------

def all_reduce_sum_gradients(grads):
    """SUM-all-reduces `grads` in the replica context of a multi-replica strategy.

    Keras 3 does this in `Optimizer._backend_update_step`, after clipping, so each
    replica applies the sum of every replica's gradients (losses scaled by the
    replica count, e.g. by `compute_average_loss`, make that sum a mean). Anywhere
    else (no strategy, one replica, a cross-replica context) `grads` is returned
    as is.
    """
    entry = state.distribution
    if entry is None or entry.replica_context is None or \
            entry.strategy.num_replicas_in_sync == 1:
        return grads
    return entry.replica_context.all_reduce("SUM", list(grads))


# -- the hooks Keras' fit and callbacks call ------------------------------------------------

def is_chief(strategy=None):
    """Whether this process writes checkpoints, summaries and progress bars.

    Rank 0 of `strategy` (default: the current one) does, as TF's chief worker;
    with one replica, always true.
    """
    strategy = strategy if strategy is not None else get_strategy()
    return strategy.extended.should_checkpoint


def broadcast_from_chief(array):
    """Rank 0's `array` on every rank of the current strategy (e.g. a shuffle order,
    so that all replicas cut their shares out of the same global batches)."""
    communicator = get_strategy().extended._communicator
    if communicator.size == 1:
        return array
    buffer = xp.array(array, copy=True, order="C")
    return communicator.broadcast(buffer, root=0)
