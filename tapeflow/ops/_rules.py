"""Shape/dtype rules shared by many ops, and TF's conversion of op operands.

A rule receives TensorSpecs (and the op's attributes) and returns the output
TensorSpec. Rules raise ValueError for incompatible shapes and TypeError for
mismatched dtypes: the errors TF raises while building a graph. Eager kernels
raise InvalidArgumentError for the same problems, as TF's do.
"""
from tapeflow.core import dtypes
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor, scalar_like
from tapeflow.core.errors import dtype_mismatch
from tapeflow.core.shape import broadcast_shapes, shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, TensorLike

# -- operand conversion ------------------------------------------------------------


def tensor_like(x):
    return isinstance(x, TensorLike)


def as_operand(value, dtype=None):
    """A tensor for `value`; Python scalars convert to `dtype` when they can (cached)."""
    if tensor_like(value):
        return value
    if dtype is not None and type(value) in (int, float, bool):
        try:
            return scalar_like(value, dtype)
        except (TypeError, ValueError):
            return convert_to_tensor(value)
    return convert_to_tensor(value, dtype_hint=dtype)


def binary_operands(x, y, op_name):
    """Converts the operands of a same-dtype binary op with TF's rules.

    The tensor operand's dtype guides the conversion of the other (so `x * 2`
    keeps x's dtype); two tensors of different dtypes are an InvalidArgumentError.
    """
    if type(x) is EagerTensor and type(y) is EagerTensor:
        if x._dtype is y._dtype:
            return x, y
    elif tensor_like(x):
        y = as_operand(y, x._dtype)
    elif tensor_like(y):
        x = as_operand(x, y._dtype)
    else:
        x = convert_to_tensor(x)
        y = as_operand(y, x._dtype)
    if x._dtype is not y._dtype:
        if state.graph is not None:   # building a graph: TF raises TypeError here
            raise TypeError(f"Input 'y' of '{op_name}' Op has type {y._dtype.name} that does "
                            f"not match type {x._dtype.name} of argument 'x'.")
        raise dtype_mismatch(op_name, 1, x._dtype, y._dtype, (x, y))
    return x, y


def operand_list(values, op_name, dtype=None):
    """Converts a list of operands to tensors of one dtype (the first tensor's)."""
    if dtype is None:
        dtype = next((v.dtype for v in values if tensor_like(v)), None)
    tensors = [as_operand(v, dtype) for v in values]
    if dtype is None and tensors:
        dtype = tensors[0].dtype
    for i, t in enumerate(tensors):
        if t.dtype is not dtype:
            raise dtype_mismatch(op_name, i, dtype, t.dtype, tensors)
    return tensors


# -- shape/dtype rules -----------------------------------------------------------------


def same_as_input(x, **attrs):
    """Elementwise unary ops: the output is like the input."""
    return TensorSpec(x.dims, x.dtype)


def bool_like_input(x, **attrs):
    return TensorSpec(x.dims, dtypes.bool)


def _check_same_dtype(op_name, specs):
    first = specs[0].dtype
    for i, spec in enumerate(specs[1:], start=1):
        if spec.dtype is not first:
            raise TypeError(f"Input {i} of '{op_name}' Op has type {spec.dtype.name} that does "
                            f"not match type {first.name} of argument 0.")


def _broadcast_dims(op_name, x, y):
    if x.dims is None or y.dims is None:
        return None
    dims = broadcast_shapes(x.dims, y.dims)
    if dims is None:
        raise ValueError(f"Dimensions must be equal, but are incompatible for '{op_name}' with "
                         f"input shapes: {shape_str(x.dims)}, {shape_str(y.dims)}.")
    return dims


def broadcast_binary(op_name):
    """Rule for same-dtype binary ops with NumPy broadcasting (Add, Mul, ...)."""
    def rule(x, y, **attrs):
        _check_same_dtype(op_name, (x, y))
        return TensorSpec(_broadcast_dims(op_name, x, y), x.dtype)
    return rule


def broadcast_compare(op_name):
    """Rule for comparisons: broadcast shape, bool output."""
    def rule(x, y, **attrs):
        _check_same_dtype(op_name, (x, y))
        return TensorSpec(_broadcast_dims(op_name, x, y), dtypes.bool)
    return rule


def normalize_axis(axis, rank, op_name="op"):
    """A non-negative axis; raises InvalidArgumentError-compatible ValueError if out of range."""
    if not -rank <= axis < max(rank, 1) and not (rank == 0 and axis in (0, -1)):
        raise ValueError(f"{op_name}: axis {axis} is out of bounds for a tensor of rank {rank} "
                         f"(expected -{rank} <= axis < {rank}).")
    return axis % rank if rank else 0


def reduction_axes(axis, rank, op_name="Reduce"):
    """A sorted tuple of non-negative axes for `axis` (None = all axes)."""
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, int):
        axis = (axis,)
    axes = set()
    for a in axis:
        a = int(a)
        if not -rank <= a < rank:
            raise ValueError(f"Invalid reduction dimension {a} for input with {rank} "
                             f"dimensions. [Op:{op_name}]")
        axes.add(a % rank)
    return tuple(sorted(axes))


def reduced_dims(dims, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(dims))
    return tuple(d for i, d in enumerate(dims) if i not in axes)
