"""The collective operations tf.distribute needs, behind one small interface.

A Communicator connects the processes of one training job (its *ranks*). The
strategies only ever call these five methods, on NumPy arrays, in the same order
on every rank (that is the contract of collectives: a rank that skips one makes
the others wait). Two backends exist:

- `LocalCommunicator`: one process, so every collective is the identity
  (MirroredStrategy and the default strategy use it);
- `MPICommunicator` (distribute/mpi.py): MPI through mpi4py.

Another backend (NCCL, Gloo, ...) would subclass Communicator and implement the
same five methods.
"""
from tapeflow.core.array_api import xp

# The reductions every backend supports, by name.
REDUCTIONS = ("sum", "mean", "max", "min")


class Communicator:
    """A group of processes that run collectives together.

    Attributes:
      rank: this process's index in the group, 0 .. size - 1.
      size: the number of processes.
      local_size: the number of them on this machine (they share its cores).
    """

    rank = 0
    size = 1
    local_size = 1

    def allreduce(self, buffer, reduction="sum"):
        """Reduces `buffer` elementwise over all ranks, in place; returns it.

        `buffer` must be a C-contiguous ndarray owned by the caller (it is
        overwritten). `reduction` is one of "sum", "mean", "max", "min".
        """
        raise NotImplementedError

    def broadcast(self, buffer, root=0):
        """Overwrites `buffer` on every rank with `root`'s `buffer`; returns it."""
        raise NotImplementedError

    def allgather(self, array):
        """The list of every rank's `array`, in rank order (shapes may differ)."""
        raise NotImplementedError

    def barrier(self):
        """Returns once every rank has called it."""
        raise NotImplementedError

    def abort(self, code=1):
        """Ends every rank of the job (used when one rank fails)."""
        raise SystemExit(code)


class LocalCommunicator(Communicator):
    """The group of one process: every collective returns its input."""

    def allreduce(self, buffer, reduction="sum"):
        _check_reduction(reduction)
        return buffer

    def broadcast(self, buffer, root=0):
        return buffer

    def allgather(self, array):
        return [xp.asarray(array)]

    def barrier(self):
        pass

    def __repr__(self):
        return "<LocalCommunicator rank 0 of 1>"


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Unknown reduction {reduction!r}; expected one of {REDUCTIONS}.")
