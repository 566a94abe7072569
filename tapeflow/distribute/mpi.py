"""The MPI backend of the Communicator interface, on mpi4py.

mpi4py is an optional dependency (`pip install "tapeflow[mpi]"`): this module
imports it only when a communicator is created, and says what to install when it
is missing. Launch a job with

    mpiexec -n 4 python -m mpi4py train.py

The `-m mpi4py` runner aborts the whole job when one rank raises, instead of
leaving the other ranks waiting in a collective forever. As a second safety net
a job of several ranks also installs an excepthook that prints the failing
rank's traceback and aborts.
"""
import sys
import traceback

from tapeflow.core.array_api import xp
from tapeflow.distribute.communicator import Communicator, _check_reduction

INSTALL_HINT = ('pip install "tapeflow[mpi]"   (or: pip install "mpi4py>=4.1" mpich; '
                'on a cluster, build mpi4py against the site MPI)')

# dtypes MPI cannot reduce directly travel as a wider type.
_WIDER = {"float16": "float32", "bool": "int32"}


def import_mpi():
    """The `mpi4py.MPI` module, or ImportError naming what to install."""
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError(
            "tf.distribute.MultiWorkerMirroredStrategy runs on MPI through mpi4py, which is "
            f"not installed. Install it with: {INSTALL_HINT}. Then launch the script with: "
            "mpiexec -n 2 python -m mpi4py train.py") from None
    return MPI


class MPICommunicator(Communicator):
    """Collectives over an MPI communicator (a private duplicate of `comm`).

    Args:
      comm: an `mpi4py.MPI.Comm`; default `MPI.COMM_WORLD`. It is duplicated, so
        tapeflow's collectives never mix with the script's own MPI messages.
    """

    def __init__(self, comm=None):
        MPI = import_mpi()
        self._MPI = MPI
        self._comm = (comm if comm is not None else MPI.COMM_WORLD).Dup()
        self.rank = self._comm.Get_rank()
        self.size = self._comm.Get_size()
        on_this_machine = self._comm.Split_type(MPI.COMM_TYPE_SHARED)
        self.local_size = on_this_machine.Get_size()
        on_this_machine.Free()
        self._ops = {"sum": MPI.SUM, "mean": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN}
        if self.size > 1:
            _abort_job_on_uncaught_exception(self._comm)

    @property
    def comm(self):
        """The underlying mpi4py communicator."""
        return self._comm

    def allreduce(self, buffer, reduction="sum"):
        _check_reduction(reduction)
        if self.size == 1:
            return buffer
        wider = _WIDER.get(buffer.dtype.name)
        if wider is not None:
            wide = buffer.astype(wider)
            self.allreduce(wide, reduction)
            buffer[...] = wide          # (bools: nonzero is True)
            return buffer
        self._comm.Allreduce(self._MPI.IN_PLACE, buffer, op=self._ops[reduction])
        if reduction == "mean":
            _divide_in_place(buffer, self.size)
        return buffer

    def broadcast(self, buffer, root=0):
        if self.size > 1:
            self._comm.Bcast(buffer, root=root)
        return buffer

    def allgather(self, array):
        array = xp.ascontiguousarray(array)
        if self.size == 1:
            return [array]
        shapes = self._comm.allgather(array.shape)
        counts = [int(xp.prod(shape, dtype=xp.int64)) for shape in shapes]
        received = xp.empty(sum(counts), dtype=array.dtype)
        self._comm.Allgatherv(array.reshape(-1), [received, counts])
        parts, offset = [], 0
        for shape, count in zip(shapes, counts):
            parts.append(received[offset:offset + count].reshape(shape))
            offset += count
        return parts

    def barrier(self):
        self._comm.Barrier()

    def abort(self, code=1):
        self._comm.Abort(code)

    def __repr__(self):
        return f"<MPICommunicator rank {self.rank} of {self.size}>"


def _divide_in_place(buffer, size):
    if buffer.dtype.kind in "fc":
        buffer /= size
    else:   # TF divides integers towards zero
        buffer[...] = xp.trunc(buffer / size).astype(buffer.dtype)


def _abort_job_on_uncaught_exception(comm):
    """An uncaught exception on one rank prints its traceback and ends every rank."""
    if getattr(sys.excepthook, "_tapeflow_mpi", False):
        return
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        rank = comm.Get_rank()
        lines = traceback.format_exception(kind, value, tb)
        sys.stderr.write(f"tapeflow: rank {rank} raised an exception; aborting the job.\n")
        sys.stderr.write("".join(lines))
        sys.stderr.flush()
        try:
            comm.Abort(1)
        finally:
            previous(kind, value, tb)

    excepthook._tapeflow_mpi = True
    sys.excepthook = excepthook
