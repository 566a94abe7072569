"""`tf.distribute.experimental`: the older and experimental names."""
import enum

from tapeflow.distribute.input import ValueContext
from tapeflow.distribute.mirrored import MultiWorkerMirroredStrategy as _MultiWorkerMirrored


class CommunicationImplementation(enum.Enum):
    """Which collective implementation to use (MPI decides in tapeflow)."""

    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


CollectiveCommunication = CommunicationImplementation


class CommunicationOptions:
    """Options for collectives; accepted for compatibility."""

    def __init__(self, bytes_per_pack=0, timeout_seconds=None,
                 implementation=CommunicationImplementation.AUTO):
        if bytes_per_pack < 0:
            raise ValueError(f"bytes_per_pack must be non-negative, got {bytes_per_pack}.")
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds
        self.implementation = implementation


class MultiWorkerMirroredStrategy(_MultiWorkerMirrored):
    """The deprecated `tf.distribute.experimental.MultiWorkerMirroredStrategy`."""

    def __init__(self, communication=CommunicationImplementation.AUTO, cluster_resolver=None,
                 communication_options=None):
        super().__init__(cluster_resolver=cluster_resolver,
                         communication_options=communication_options)


__all__ = ["CollectiveCommunication", "CommunicationImplementation", "CommunicationOptions",
           "MultiWorkerMirroredStrategy", "ValueContext"]
