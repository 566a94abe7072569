"""The data-parallel strategies: one replica per process, all equal.

- `MirroredStrategy`: one process, one replica (this machine's CPU); the same
  code path as the multi-worker strategy, with a LocalCommunicator.
- `MultiWorkerMirroredStrategy`: one replica per MPI rank; launch with
  `mpiexec -n N python -m mpi4py train.py`.
- `OneDeviceStrategy`: one replica on one named device.
"""
import os

from tapeflow.distribute.communicator import LocalCommunicator
from tapeflow.distribute.strategy import Strategy, StrategyExtended


class MirroredStrategy(Strategy):
    """Synchronous training on the replicas of one machine (`tf.distribute.MirroredStrategy`).

    tapeflow computes on the CPU with one replica per process, so this strategy
    has one replica. Use MultiWorkerMirroredStrategy under `mpiexec` for more.

    Args:
      devices: the devices to mirror on (at most one, e.g. "/cpu:0").
      cross_device_ops: accepted for compatibility; unused.

    Raises:
      ValueError: more than one device, or a duplicate device.
    """

    def __init__(self, devices=None, cross_device_ops=None):
        devices = list(devices) if devices is not None else []
        if len(set(devices)) != len(devices):
            raise ValueError("No duplicates allowed in `devices` argument: %s" % (devices,))
        if len(devices) > 1:
            raise ValueError(
                f"tapeflow runs one replica per process; MirroredStrategy got {len(devices)} "
                "devices. Run one process per replica with MultiWorkerMirroredStrategy and "
                "`mpiexec -n N python -m mpi4py train.py`.")
        super().__init__(StrategyExtended(self, LocalCommunicator()))


class OneDeviceStrategy(Strategy):
    """Runs on one device (`tf.distribute.OneDeviceStrategy`)."""

    def __init__(self, device):
        super().__init__(StrategyExtended(self, LocalCommunicator()))
        self._device = device


class MultiWorkerMirroredStrategy(Strategy):
    """Synchronous training on many processes: one replica per MPI rank.

    Variables created in `scope()` start from rank 0's values; each
    `optimizer.apply_gradients` inside `strategy.run` sums the gradients of all
    replicas with one all-reduce. Launch every process with

        mpiexec -n 4 python -m mpi4py train.py

    (`-m mpi4py` makes a rank that raises abort the whole job). Started without
    mpiexec, the strategy has one replica.

    Args:
      cluster_resolver: an `MPIClusterResolver` (default: all ranks of
        `MPI.COMM_WORLD`).
      communication_options: accepted for compatibility; MPI chooses the algorithm.

    Raises:
      ImportError: mpi4py is not installed (the message says what to install).
      ValueError: a cluster resolver that is not MPI's.
    """

    def __init__(self, cluster_resolver=None, communication_options=None):
        from tapeflow.distribute.cluster_resolver import MPIClusterResolver
        if cluster_resolver is None:
            cluster_resolver = MPIClusterResolver()
        if not isinstance(cluster_resolver, MPIClusterResolver):
            raise ValueError(
                "tapeflow's MultiWorkerMirroredStrategy takes its workers from MPI: pass "
                "tf.distribute.cluster_resolver.MPIClusterResolver() (or nothing) and start "
                f"the workers with mpiexec; got {type(cluster_resolver).__name__}.")
        self._cluster_resolver = cluster_resolver
        communicator = cluster_resolver.communicator
        _share_cores(communicator.local_size)
        device = f"/job:worker/replica:0/task:{communicator.rank}/device:CPU:0"
        super().__init__(StrategyExtended(self, communicator, worker_device=device))

    @property
    def cluster_resolver(self):
        return self._cluster_resolver


def _share_cores(ranks_on_this_machine):
    """Ranks sharing a machine split its cores: each caps its kernel threads (ops/_parallel.py)
    at cores / ranks, unless TAPEFLOW_NUM_THREADS says otherwise."""
    if ranks_on_this_machine > 1 and "TAPEFLOW_NUM_THREADS" not in os.environ:
        from tapeflow.ops import _parallel
        _parallel.WORKERS = max(1, min(_parallel.WORKERS,
                                       (os.cpu_count() or 1) // ranks_on_this_machine))
