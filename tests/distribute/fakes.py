"""A stand-in for a multi-process job inside one process, for testing the logic.

`EchoCommunicator(rank, size)` plays rank `rank` of `size` processes that all
hold this process's values: a SUM all-reduce multiplies by `size`, MEAN keeps
the value, a broadcast keeps it, an all-gather repeats it. It counts its calls,
so tests can see when a collective really runs. Real multi-process runs are in
test_mpi.py.
"""
from tapeflow.distribute.communicator import Communicator
from tapeflow.distribute.strategy import Strategy, StrategyExtended


class EchoCommunicator(Communicator):
    def __init__(self, rank=0, size=2):
        self.rank = rank
        self.size = size
        self.calls = []

    def allreduce(self, buffer, reduction="sum"):
        self.calls.append(("allreduce", reduction, buffer.size))
        if reduction == "sum":
            buffer *= self.size
        return buffer

    def broadcast(self, buffer, root=0):
        self.calls.append(("broadcast", root, buffer.size))
        return buffer

    def allgather(self, array):
        self.calls.append(("allgather", array.size))
        return [array] * self.size

    def barrier(self):
        self.calls.append(("barrier",))


class EchoStrategy(Strategy):
    """A strategy over an EchoCommunicator: `num_replicas_in_sync == size`."""

    def __init__(self, rank=0, size=2):
        self.communicator = EchoCommunicator(rank, size)
        super().__init__(StrategyExtended(self, self.communicator))
