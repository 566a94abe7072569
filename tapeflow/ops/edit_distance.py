"""`tf.edit_distance`: Levenshtein distances between sequences held in SparseTensors.

The last dimension of each SparseTensor holds a sequence; the dimensions before
it index the sequences. The result has the larger of the two shapes (without
the last dimension); missing sequences are empty.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import dtype_mismatch
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec


def _infer(h_indices, h_values, h_shape, t_indices, t_values, t_shape, normalize):
    rank = None if h_shape.dims is None or h_shape.dims[0] is None else h_shape.dims[0] - 1
    return TensorSpec(None if rank is None else (None,) * rank, dtypes.float32)


EditDistance = Op("EditDistance", infer=_infer, differentiable=False)


def _sequences(indices, values, shape):
    sequences = {}
    for index, value in zip(indices.tolist(), values.tolist()):
        sequences.setdefault(tuple(index[:-1]), []).append((index[-1], value))
    return {key: [v for _, v in sorted(items)] for key, items in sequences.items()}


def _levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@EditDistance.kernel
def _(h_indices, h_values, h_shape, t_indices, t_values, t_shape, normalize):
    hypotheses = _sequences(h_indices, h_values, h_shape)
    truths = _sequences(t_indices, t_values, t_shape)
    shape = tuple(max(a, b) for a, b in zip(h_shape[:-1].tolist(), t_shape[:-1].tolist()))
    out = xp.zeros(shape, dtype=xp.float32)
    for index in xp.ndindex(*shape):
        hypothesis, truth = hypotheses.get(index, []), truths.get(index, [])
        distance = float(_levenshtein(hypothesis, truth))
        if normalize:
            distance = distance / len(truth) if truth else (xp.inf if hypothesis else 0.0)
        out[index] = distance
    return out


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """The Levenshtein distance of each hypothesis sequence to its truth (float32),
    divided by the truth's length when `normalize` (inf for an empty truth).

    Raises:
      TypeError: an argument that is not a SparseTensor.
      InvalidArgumentError: values of different dtypes.

    >>> import tapeflow as tf
    >>> h = tf.SparseTensor([[0, 0], [0, 1], [0, 2]], [1, 2, 3], [1, 3])
    >>> t = tf.SparseTensor([[0, 0], [0, 1]], [1, 3], [1, 2])
    >>> tf.edit_distance(h, t).numpy()
    array([0.5], dtype=float32)
    """
    from tapeflow.ops.sparse import SparseTensor
    if not isinstance(hypothesis, SparseTensor):
        raise TypeError("Hypothesis must be a SparseTensor.")
    if not isinstance(truth, SparseTensor):
        raise TypeError("Truth must be a SparseTensor.")
    inputs = (hypothesis.indices, hypothesis.values, hypothesis.dense_shape, truth.indices,
              truth.values, truth.dense_shape)
    if hypothesis.dtype is not truth.dtype:
        raise dtype_mismatch("EditDistance", 4, hypothesis.dtype, truth.dtype, inputs)
    return apply(EditDistance, *inputs, normalize=bool(normalize))
