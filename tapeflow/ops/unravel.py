"""`tf.unravel_index`: flat indices to coordinates in an array of shape `dims`."""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._rules import as_operand


def _check_ranks(indices_dims, dims_dims):
    if indices_dims is not None and len(indices_dims) > 1:
        return f'The indices can only be scalar or vector, got "{shape_str(indices_dims)}"'
    if dims_dims is not None and len(dims_dims) != 1:
        return f'The indices can only be 1-D, got "{shape_str(dims_dims)}"'
    return None


def _unravel_infer(indices, dims):
    if indices.dtype is not dims.dtype:
        raise TypeError(f"Input 'dims' of 'UnravelIndex' Op has type {dims.dtype.name} that "
                        f"does not match type {indices.dtype.name} of argument 'indices'.")
    error = _check_ranks(indices.dims, dims.dims)
    if error:
        raise ValueError(error)
    ndims = None if dims.dims is None else dims.dims[0]
    if indices.dims is None:
        return TensorSpec(None, indices.dtype)
    return TensorSpec((ndims,) + tuple(indices.dims), indices.dtype)


UnravelIndex = Op("UnravelIndex", infer=_unravel_infer, dtypes=(dtypes.int32, dtypes.int64),
                  differentiable=False)


@UnravelIndex.kernel
def _(indices, dims):
    error = _check_ranks(indices.shape, dims.shape)
    if error:
        raise InvalidArgumentError(None, None, error)
    for i, d in enumerate(dims.tolist()):
        if d < 0:
            raise InvalidArgumentError(None, None, f"Input dims cannot be negative. Got dim = "
                                       f"{d} at index {i}")
        if d == 0:
            raise InvalidArgumentError(None, None, "Input dims cannot contain a dim of zero, "
                                       f"but dims contains zero at index {i}")
    if indices.size == 0:
        raise InvalidArgumentError(None, None, "received empty tensor indices: Tensor<type: "
                                   f"{dtypes.from_numpy(indices.dtype).name} shape: "
                                   f"{shape_str(indices.shape)} values: >")
    total = 1
    for d in dims.tolist():
        total *= d
    if (indices >= total).any():
        raise InvalidArgumentError(None, None, "index is out of bound as with dims")
    # C semantics (truncating division and remainder), as TF's kernel: a negative index
    # gives negative coordinates instead of an error.
    rest = indices.astype(xp.int64)
    coordinates = []
    for d in reversed(dims.tolist()):
        coordinates.append(xp.fmod(rest, d))
        rest = (rest - coordinates[-1]) // d
    return xp.stack(coordinates[::-1]).astype(indices.dtype)


def unravel_index(indices, dims, name=None):
    """The coordinates of flat `indices` in an array of shape `dims`.

    Args:
      indices: an int32 or int64 scalar or vector of flat indices.
      dims: the shape, a vector of the same dtype.
      name: unused.

    Returns:
      `[len(dims)]` for a scalar index, `[len(dims), n]` for n indices.

    Raises:
      InvalidArgumentError: an index >= prod(dims), a zero or negative dim, empty
        indices, or inputs of the wrong rank.

    >>> import tapeflow as tf
    >>> tf.unravel_index([1, 5, 4], [3, 4]).numpy()
    array([[0, 1, 1],
           [1, 1, 0]], dtype=int32)
    """
    indices = as_operand(indices)
    dims = as_operand(dims, indices.dtype)
    return apply(UnravelIndex, indices, dims)
