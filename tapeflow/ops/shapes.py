"""Shape utilities: shape_n, ensure_shape, broadcast_static_shape, broadcast_dynamic_shape.

(`tf.shape`, `tf.size` and `tf.rank` live in array.py with the other basic ops.)
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape, broadcast_shapes
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._array_util import INT32_64, as_tensor, attr_error
from tapeflow.ops._rules import binary_operands, operand_list
from tapeflow.ops.array import identity


def _shape_n_infer(*xs, out_type):
    return tuple(TensorSpec((None if x.dims is None else len(x.dims),), out_type) for x in xs)


ShapeN = Op("ShapeN", infer=_shape_n_infer, differentiable=False, multi_output=True)
ShapeN.kernel(lambda *xs, out_type: tuple(xp.array(x.shape, dtype=out_type._np) for x in xs))


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The shapes of several tensors (of one dtype), as a list of 1-D int tensors."""
    tensors = operand_list(list(input), "ShapeN")
    out_type = dtypes.as_dtype(out_type)
    if out_type not in INT32_64:
        raise attr_error("out_type", out_type, "ShapeN", INT32_64)
    return list(apply(ShapeN, *tensors, out_type=out_type))


def _shape_compatible(dims, expected):
    return len(dims) == len(expected) and all(
        a is None or b is None or a == b for a, b in zip(dims, expected))


def _ensure_shape_infer(x, shape):
    if x.dims is None:
        return TensorSpec(shape, x.dtype)
    if not _shape_compatible(x.dims, shape):
        raise ValueError(f"Shape of tensor {_dims_text(x.dims)} is not compatible with "
                         f"expected shape {_dims_text(shape)}.")
    return TensorSpec(tuple(a if a is not None else b for a, b in zip(x.dims, shape)),
                      x.dtype)


def _dims_text(dims):
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


EnsureShape = Op("EnsureShape", infer=_ensure_shape_infer)


@EnsureShape.kernel
def _(x, shape):
    if not _shape_compatible(x.shape, shape):
        raise InvalidArgumentError(None, None, f"Shape of tensor input {_dims_text(x.shape)} "
                                               f"is not compatible with expected shape "
                                               f"{_dims_text(shape)}.")
    return x


EnsureShape.gradient(lambda dy, x, out, shape: dy)


def ensure_shape(x, shape, name=None):
    """Checks that `x`'s shape is compatible with `shape` (None = any), and returns `x`.

    While tracing, the result also carries the more specific of the two shapes.
    """
    x = as_tensor(x)
    shape = TensorShape(shape)
    if shape.rank is None:
        return identity(x)
    return apply(EnsureShape, x, shape=tuple(shape.as_list()))


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two TensorShapes (None dimensions allowed), TF's rules.

    Raises:
      ValueError: the shapes cannot broadcast.
    """
    for shape in (shape_x, shape_y):
        if not isinstance(shape, TensorShape):
            raise AttributeError(f"'{type(shape).__name__}' object has no attribute 'ndims'")
    if shape_x.rank is None or shape_y.rank is None:
        return TensorShape(None)
    x, y = list(shape_x.as_list()), list(shape_y.as_list())
    n = max(len(x), len(y))
    x, y = [1] * (n - len(x)) + x, [1] * (n - len(y)) + y
    out = []
    for a, b in zip(x, y):
        if a == 1 or a == b:
            out.append(b)
        elif b == 1:
            out.append(a)
        elif a is None or b is None:
            out.append(a if b is None else b)
        else:
            raise ValueError(f"Incompatible shapes for broadcasting. Two shapes are compatible "
                             f"if for each dimension pair they are either equal or one of "
                             f"them is 1. Received: {shape_x} and {shape_y}.")
    return TensorShape(out)


def _broadcast_args_infer(x, y):
    n = None if x.dims is None or y.dims is None or None in (x.dims + y.dims) else \
        max(x.dims[0], y.dims[0])
    return TensorSpec((n,), x.dtype)


BroadcastArgs = Op("BroadcastArgs", infer=_broadcast_args_infer, differentiable=False)


@BroadcastArgs.kernel
def _(x, y):
    for i, s in enumerate((x, y)):
        if s.ndim != 1:
            raise InvalidArgumentError(None, None, f"In[{i}] must be a vector."
                                                   f"{_dims_text(s.shape)}")
    dims = broadcast_shapes(tuple(int(d) for d in x), tuple(int(d) for d in y))
    if dims is None:
        raise InvalidArgumentError(None, None, f"Incompatible shapes: {_dims_text(x)} vs. "
                                               f"{_dims_text(y)}")
    return xp.array(dims, dtype=x.dtype)


def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shapes given as 1-D int tensors (TF's `tf.broadcast_dynamic_shape`)."""
    x, y = binary_operands(shape_x, shape_y, "BroadcastArgs")
    return apply(BroadcastArgs, x, y)
