"""Collective ops on a group of one process: the kernel still packs, reduces and
unpacks, so values, shapes, gradients and traced runs are checked here; the
reductions across real processes are tested in tests/distribute/ (mpiexec jobs)."""
import numpy as np

from tapeflow.distribute import collective_ops
from tapeflow.distribute.communicator import LocalCommunicator
from tests.ops.cases import Case, inputs, normal

_GROUP = collective_ops.register_group(LocalCommunicator())


def _all_reduce(reduction):
    return lambda *xs: collective_ops.all_reduce(list(xs), reduction, _GROUP)


def _identity(*arrays):
    return [np.asarray(a) for a in arrays]


def _shapes(rng):
    return [rng.standard_normal((2, 3)), rng.standard_normal(()), rng.standard_normal((4,))]


CASES = [
    Case("CollectiveAllReduce", _all_reduce("sum"), _shapes, _identity, label="sum"),
    Case("CollectiveAllReduce", _all_reduce("mean"), _shapes, _identity, label="mean"),
    Case("CollectiveAllReduce", _all_reduce("only_first_replica"), inputs(normal(3, 2)),
         _identity, grad=False, label="first"),
    Case("CollectiveGatherV2", lambda x: collective_ops.all_gather(x, _GROUP),
         inputs(normal(3, 2)), lambda x: x, grad=False),
]
