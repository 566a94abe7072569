"""Helpers shared by the array-op modules (indexing, gather, sort, layout, creation).

Argument conversion with TF's index-dtype rules, static reads of small int
arguments, and the one place that decides an error's kind: TF raises shape
problems as ValueError while building a graph and InvalidArgumentError when
running eagerly.
"""
import numbers

from tapeflow.core import dtypes
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.tensor import EagerTensor
from tapeflow.ops._rules import tensor_like

INT16_32_64 = (dtypes.int16, dtypes.int32, dtypes.int64)
INT32_64 = (dtypes.int32, dtypes.int64)

# TF's kernel-level messages name dtypes by their C type words.
_C_TYPE_WORDS = {"float32": "float", "float64": "double", "float16": "half"}


def as_tensor(x):
    """`x` if it is already a tensor or variable, else `convert_to_tensor(x)`."""
    return x if tensor_like(x) else convert_to_tensor(x)


def shape_error(message, op_name):
    """ValueError while tracing (TF's shape functions), else InvalidArgumentError `[Op:name]`."""
    if state.graph is not None:
        return ValueError(message)
    return InvalidArgumentError(None, None, f"{message} [Op:{op_name}]")


def attr_error(attr, dtype, op_name, allowed):
    """TF's error for an input dtype outside an op's allowed list (DTypes or TF's names)."""
    names = ", ".join(_c_word(d if isinstance(d, str) else d.name) for d in allowed)
    word = _c_word(dtype.name)
    return InvalidArgumentError(None, None, f"Value for attr '{attr}' of {word} is not in the "
                                            f"list of allowed values: {names} [Op:{op_name}]")


def _c_word(name):
    return _C_TYPE_WORDS.get(name, name)


def index_tensor(value, op_name, allowed=INT16_32_64, attr="Tindices"):
    """Converts an indices argument; Python ints become int32 as in TF."""
    tensor = as_tensor(value)
    if tensor.dtype not in allowed:
        raise attr_error(attr, tensor.dtype, op_name, allowed)
    return tensor


def static_int(value, what="value"):
    """A Python int from an int, NumPy int or eager scalar tensor (axis-like arguments)."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if type(value) is EagerTensor or getattr(value, "_is_variable", False):
        return int(value._value)
    if tensor_like(value):
        raise ValueError(f"`{what}` must be known while tracing (a Python int or a constant), "
                         f"got the symbolic tensor {value!r}.")
    return int(value)


def is_static(value):
    """True when `value`'s contents can be read now (not a symbolic tensor)."""
    if tensor_like(value):
        return type(value) is EagerTensor or (value._is_variable and state.graph is None)
    if isinstance(value, (list, tuple)):
        return all(is_static(v) for v in value)
    return True


def prod(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def shape_list(dims):
    """`[3,4]`: TF's compact shape format in kernel messages."""
    return "[" + ",".join(str(d) for d in dims) + "]"
