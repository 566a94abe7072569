"""`tf.config`: runtime switches."""
from tapeflow.graph.function import functions_run_eagerly, run_functions_eagerly


def list_physical_devices(device_type=None):
    """tapeflow runs on the CPU only."""
    from types import SimpleNamespace
    cpu = SimpleNamespace(name="/physical_device:CPU:0", device_type="CPU")
    return [cpu] if device_type in (None, "CPU") else []


def list_logical_devices(device_type=None):
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None):
    return None


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)


class experimental:  # noqa: N801 - TF's namespace name
    @staticmethod
    def set_memory_growth(device, enable):
        return None

    @staticmethod
    def enable_op_determinism():
        return None


class threading:  # noqa: N801 - TF's namespace name
    @staticmethod
    def set_intra_op_parallelism_threads(num_threads):
        return None

    @staticmethod
    def set_inter_op_parallelism_threads(num_threads):
        return None

    @staticmethod
    def get_intra_op_parallelism_threads():
        return 0

    @staticmethod
    def get_inter_op_parallelism_threads():
        return 0
