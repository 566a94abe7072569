"""Helpers shared by gradient rules.

`sum_to_shape` is the one place where broadcasting is undone: a rule computes
the gradient at the broadcast shape and hands it here to be summed back to the
input's shape.
"""
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.shape import broadcast_shapes
from tapeflow.core.spec import TensorSpec
from tapeflow.core.array_api import xp


def _static_dims(x):
    return x._static_dims()


def _sum_to_shape_infer(g, like):
    return TensorSpec(like.dims, g.dtype)


SumToShape = Op("SumToShape", infer=_sum_to_shape_infer)


@SumToShape.kernel
def _(g, like):
    return sum_array_to_shape(g, like.shape)


@SumToShape.gradient
def _(dy, g, like, out):
    from tapeflow.ops.array import broadcast_like
    return broadcast_like(dy, g), None


def sum_array_to_shape(g, shape):
    """Sums the ndarray `g` over the axes that broadcasting added to reach `shape`."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1)
    out = xp.sum(g, axis=axes, keepdims=True, dtype=g.dtype) if axes else g
    if lead:
        out = out.reshape(out.shape[lead:])
    return out


def sum_to_shape(g, like):
    """Reduces the gradient `g` to the shape of the tensor `like` (undoes broadcasting)."""
    g_dims, like_dims = _static_dims(g), _static_dims(like)
    if g_dims == like_dims and g_dims is not None and None not in g_dims:
        return g
    return apply(SumToShape, g, like)


def broadcast_dims(x, y):
    return broadcast_shapes(_static_dims(x), _static_dims(y))
