"""tapeflow: the TensorFlow 2 programming model in Python on NumPy.

`import tapeflow as tf`, then write TensorFlow 2 code. This module only
re-exports names from the modules that implement them; heavier namespaces
(`tf.keras`, `tf.data`, `tf.summary`, ...) load on first use.
"""
import importlib as _importlib
import warnings as _warnings

from tapeflow._util.malloc import tune_allocator as _tune_allocator

# ---- core: tensors, variables, tapes -----------------------------------------------------
from tapeflow.core.context import executing_eagerly, init_scope, name_scope
from tapeflow.core.convert import constant, convert_to_tensor
from tapeflow.core.custom_gradient import custom_gradient
from tapeflow.core.dtypes import (DType, as_dtype, bool, complex64, complex128, double,
                                  float16, float32, float64, half, int8, int16, int32, int64,
                                  string, uint8, uint16, uint32, uint64)
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tape import GradientTape, UnconnectedGradients
from tapeflow.core.tensor import Tensor, is_tensor
from tapeflow.core.variable import (Variable, VariableAggregation, VariableSynchronization,
                                    variable_creator_scope)
from tapeflow import ops  # noqa: F401 - registers every op before anything runs

# ---- math ops (tapeflow.ops.math, elementwise, reduction, clip) ------------------------------
from tapeflow.ops.elementwise import (acos, acosh, asin, asinh, atan, atan2, atanh, complex,
                                      cosh, scalar_mul, sinh, truncatediv, truncatemod)
from tapeflow.ops.math import (abs, add, add_n, argmax, argmin, cast, cos, divide, equal, exp,
                               floor, greater, greater_equal, less, less_equal, logical_and,
                               logical_not, logical_or, matmul, maximum, minimum, multiply,
                               negative, not_equal, pow, realdiv, reduce_max, reduce_mean,
                               reduce_min, reduce_sum, round, sigmoid, sign, sin, sqrt, square,
                               subtract, tan, tanh, truediv, where)
from tapeflow.ops.clip import clip_by_global_norm, clip_by_norm, clip_by_value
from tapeflow.ops.reduction import (cumsum, reduce_all, reduce_any, reduce_logsumexp,
                                    reduce_prod)

# ---- array ops (tapeflow.ops.array, indexing, ...) -----------------------------------------
from tapeflow.ops.array import (broadcast_to, concat, expand_dims, fill, identity, identity_n,
                                ones, ones_like, rank, reshape, shape, size, split, squeeze,
                                stack, stop_gradient, transpose, unstack, zeros, zeros_like)
from tapeflow.ops.creation import eye, linspace, meshgrid, one_hot, range, sequence_mask
from tapeflow.ops.gather import (boolean_mask, dynamic_partition, dynamic_stitch, gather,
                                 gather_nd, scatter_nd, tensor_scatter_nd_add,
                                 tensor_scatter_nd_max, tensor_scatter_nd_min,
                                 tensor_scatter_nd_sub, tensor_scatter_nd_update)
from tapeflow.ops.indexing import slice, strided_slice
from tapeflow.ops.layout import pad, repeat, reverse, reverse_sequence, roll, tile
from tapeflow.ops.shapes import (broadcast_dynamic_shape, broadcast_static_shape,
                                 ensure_shape, shape_n)
from tapeflow.ops.sort import argsort, searchsorted, sort, unique, unique_with_counts

# ---- nn, random, image, linalg, bitwise ops ------------------------------------------------
from tapeflow.ops.linalg import einsum, norm, tensordot

# ---- function compiler and control flow ----------------------------------------------------
from tapeflow.graph.function import function
from tapeflow.graph.concrete import ConcreteFunction
from tapeflow.graph.control_flow import case, cond, switch_case, while_loop
from tapeflow.graph.tensor_array import TensorArray
from tapeflow.graph.py_function import numpy_function, py_function
from tapeflow.ops.debugging import Assert_ as Assert, check_numerics
from tapeflow.graph.control_flow import print_ as print  # noqa: A001 - TF's public name

# ---- core-api: tf.Module and the rest of TF's top-level API -----------------------------------
# Imported on first use (see __getattr__): name -> implementing module.
from tapeflow.core.convert import register_tensor_conversion_function

_CORE_API = {
    "tapeflow.core.device": ("DeviceSpec", "device"),
    "tapeflow.core.module": ("Module",),
    "tapeflow.graph.ir": ("Operation",),
    "tapeflow.core.type_spec": ("NoneTensorSpec", "TypeSpec", "type_spec_from_value"),
    "tapeflow.graph.functional": ("foldl", "foldr", "map_fn", "scan", "vectorized_map"),
    "tapeflow.graph.gradients": ("RegisterGradient", "grad_pass_through", "gradients",
                                 "hessians", "no_gradient", "recompute_grad"),
    "tapeflow.ops.batch_space": ("batch_to_space", "space_to_batch", "space_to_batch_nd"),
    "tapeflow.ops.casting": ("bitcast", "saturate_cast"),
    "tapeflow.ops.edit_distance": ("edit_distance",),
    "tapeflow.ops.debugging": ("assert_equal", "assert_greater", "assert_less", "assert_rank"),
    "tapeflow.ops.framework": ("AggregationMethod", "control_dependencies",
                               "get_current_name_scope", "get_logger", "get_static_value",
                               "group", "inside_function", "is_symbolic_tensor", "no_op",
                               "parallel_stack", "tuple", "timestamp", "guarantee_const"),
    "tapeflow.ops.histogram": ("histogram_fixed_width", "histogram_fixed_width_bins"),
    "tapeflow.ops.indexed_slices": ("IndexedSlices", "IndexedSlicesSpec"),
    "tapeflow.ops.init_ops": ("constant_initializer", "ones_initializer",
                              "random_normal_initializer", "random_uniform_initializer",
                              "zeros_initializer"),
    "tapeflow.ops.ragged": ("RaggedTensor", "RaggedTensorSpec"),
    "tapeflow.ops.sparse": ("SparseTensor", "SparseTensorSpec"),
    "tapeflow.ops.strings": ("as_string",),
    "tapeflow.ops.unravel": ("unravel_index",),
}
_LAZY_ATTRIBUTES = {name: module for module, names in _CORE_API.items() for name in names}

# ---- public sub-namespaces ---------------------------------------------------------------------
from tapeflow import errors  # noqa: E402

newaxis = None

# Namespaces imported on first use, so `import tapeflow` stays fast.
_LAZY_SUBMODULES = ("math", "nn", "random", "image", "linalg", "bitwise",
                    "keras", "data", "summary", "distribute", "train", "nest", "dtypes",
                    "config", "debugging", "test", "experimental", "saved_model", "io",
                    "strings", "autograph", "compat", "sysconfig", "version", "types",
                    "losses", "metrics", "optimizers", "initializers", "ragged", "signal",
                    "sparse", "sets", "audio", "autodiff", "lookup")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        module = _importlib.import_module(f"tapeflow.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_ATTRIBUTES:
        value = getattr(_importlib.import_module(_LAZY_ATTRIBUTES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tapeflow' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_SUBMODULES) | set(_LAZY_ATTRIBUTES))


_tune_allocator()   # reuse freed activation buffers (see _util/malloc.py)

# TF computes inf/nan silently (log(0) = -inf); NumPy would warn from inside kernels.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tapeflow\.")

__version__ = "0.1.0"
