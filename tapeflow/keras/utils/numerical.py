"""Array helpers of `tf.keras.utils`: to_categorical, normalize."""
from tapeflow.core.array_api import xp
from tapeflow.core.tensor import Tensor


def to_categorical(x, num_classes=None):
    """One-hot rows for integer class labels (a trailing axis of 1 is dropped).

    Args:
      x: class labels, integers in `[0, num_classes)`.
      num_classes: the number of classes (default: `max(x) + 1`).

    Returns:
      A float64 NumPy array of shape `x.shape + (num_classes,)`; for a tensor `x`,
      a float32 tensor (`tf.one_hot`).

    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    if isinstance(x, Tensor):
        from tapeflow.ops import array as _array
        from tapeflow.ops.creation import one_hot
        if x.shape.rank is not None and x.shape.rank > 1 and x.shape[-1] == 1:
            x = _array.squeeze(x, axis=-1)
        if num_classes is None:
            num_classes = int(xp.max(x.numpy())) + 1
        return one_hot(x, num_classes)
    x = xp.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = tuple(shape[:-1])
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(xp.max(x)) + 1
    categorical = xp.zeros((x.shape[0], num_classes))
    categorical[xp.arange(x.shape[0]), x] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms leave zeros).

    >>> normalize([[3.0, 4.0]])
    array([[0.6, 0.8]])
    """
    if isinstance(x, Tensor):
        from tapeflow.ops import math as _math
        from tapeflow.ops.elementwise import divide_no_nan
        from tapeflow.ops.reduction import reduce_euclidean_norm
        if order == 2:
            return divide_no_nan(x, reduce_euclidean_norm(x, axis=axis, keepdims=True))
        norm = _math.pow(_math.reduce_sum(_math.pow(_math.abs(x), float(order)), axis=axis,
                                          keepdims=True), 1.0 / order)
        return divide_no_nan(x, norm)
    x = xp.asarray(x)
    norm = xp.atleast_1d(xp.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / xp.expand_dims(norm, axis)
