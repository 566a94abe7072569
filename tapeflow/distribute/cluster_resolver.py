"""Cluster resolvers: who the workers of a job are (`tf.distribute.cluster_resolver`).

In TensorFlow a resolver reads the cluster from TF_CONFIG or a scheduler and
the workers talk gRPC. In tapeflow the launcher is `mpiexec`, so the cluster is
the MPI job: `MPIClusterResolver` reads rank and size from MPI, and
MultiWorkerMirroredStrategy uses it by default. `task_type` is "worker" and
`task_id` the MPI rank, so the usual chief test `task_id == 0` works.
"""
from tapeflow.distribute.mpi import MPICommunicator


class ClusterSpec:
    """A cluster as a dict of job name to task addresses (`tf.train.ClusterSpec`)."""

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        self._cluster = {job: list(tasks) for job, tasks in dict(cluster).items()}

    def as_dict(self):
        return {job: list(tasks) for job, tasks in self._cluster.items()}

    @property
    def jobs(self):
        return list(self._cluster)

    def num_tasks(self, job_name):
        return len(self._cluster[job_name])

    def task_address(self, job_name, task_index):
        return self._cluster[job_name][task_index]

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and other._cluster == self._cluster

    def __bool__(self):
        return bool(self._cluster)

    def __repr__(self):
        return f"ClusterSpec({self._cluster!r})"


class ClusterResolver:
    """The interface of cluster resolvers."""

    task_type = None
    task_id = None
    rpc_layer = None
    environment = ""

    def cluster_spec(self):
        raise NotImplementedError

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        return ""

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        return {}


class SimpleClusterResolver(ClusterResolver):
    """A resolver over a given ClusterSpec (`cluster_resolver.SimpleClusterResolver`)."""

    def __init__(self, cluster_spec, master="", task_type=None, task_id=None, environment="",
                 num_accelerators=None, rpc_layer=None):
        self._cluster_spec = ClusterSpec(cluster_spec)
        self._master = master
        self.task_type = task_type
        self.task_id = task_id
        self.environment = environment
        self._num_accelerators = num_accelerators or {}
        self.rpc_layer = rpc_layer

    def cluster_spec(self):
        return self._cluster_spec

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        return self._master

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        return dict(self._num_accelerators)


class MPIClusterResolver(ClusterResolver):
    """The workers of an MPI job: one per rank (tapeflow's resolver; needs mpi4py).

    Args:
      comm: the `mpi4py.MPI.Comm` whose processes train together; default
        `MPI.COMM_WORLD` (every process `mpiexec` started).
    """

    def __init__(self, comm=None):
        self._communicator = MPICommunicator(comm)
        self.task_type = "worker"
        self.task_id = self._communicator.rank
        self.rpc_layer = "mpi"
        self._hosts = None

    @property
    def communicator(self):
        return self._communicator

    def cluster_spec(self):
        """`ClusterSpec({"worker": [host of rank 0, host of rank 1, ...]})`."""
        if self._hosts is None:
            name = self._communicator._MPI.Get_processor_name()
            self._hosts = self._communicator.comm.allgather(name)
        return ClusterSpec({"worker": self._hosts})

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        return ""
