"""`tf.sysconfig`: how this build was made. tapeflow is pure Python on NumPy: no CUDA,
no C++ headers or libraries to compile custom ops against."""
import collections as _collections
import os as _os

_PACKAGE_DIR = _os.path.dirname(_os.path.abspath(__file__))


def get_build_info():
    """The build's properties (TF's keys): no CUDA, ROCm or TensorRT."""
    return _collections.OrderedDict([("is_cuda_build", False), ("is_rocm_build", False),
                                     ("is_tensorrt_build", False)])


def get_include():
    """The package directory (there are no C++ headers)."""
    return _PACKAGE_DIR


def get_lib():
    """The package directory (there is no shared library)."""
    return _PACKAGE_DIR


def get_compile_flags():
    """No flags: custom C++ ops cannot be built against tapeflow."""
    return []


def get_link_flags():
    return []
