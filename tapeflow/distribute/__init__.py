"""`tf.distribute`: data-parallel training on several processes, over MPI.

One replica per process: `MultiWorkerMirroredStrategy` under
`mpiexec -n N python -m mpi4py train.py` (needs `pip install "tapeflow[mpi]"`),
`MirroredStrategy` for one process. Importing this package never imports mpi4py;
creating a multi-worker strategy does.
"""
from tapeflow.distribute import cluster_resolver, experimental  # noqa: F401
from tapeflow.distribute.collective_ops import ReduceOp
from tapeflow.distribute.context import (get_replica_context, get_strategy, has_strategy,
                                         in_cross_replica_context)
from tapeflow.distribute.input import (DistributedDataset, DistributedIterator, InputContext,
                                       InputOptions, InputReplicationMode)
from tapeflow.distribute.mirrored import (MirroredStrategy, MultiWorkerMirroredStrategy,
                                          OneDeviceStrategy)
from tapeflow.distribute.strategy import ReplicaContext, Strategy, StrategyExtended
from tapeflow.distribute.values import (DistributedValues, Mirrored, MirroredVariable,
                                        PerReplica, SyncOnReadVariable)

__all__ = ["DistributedDataset", "DistributedIterator", "DistributedValues", "InputContext",
           "InputOptions", "InputReplicationMode", "Mirrored", "MirroredStrategy",
           "MirroredVariable", "MultiWorkerMirroredStrategy", "OneDeviceStrategy", "PerReplica",
           "ReduceOp", "ReplicaContext", "Strategy", "StrategyExtended", "SyncOnReadVariable",
           "cluster_resolver", "experimental", "get_replica_context", "get_strategy",
           "has_strategy", "in_cross_replica_context"]
