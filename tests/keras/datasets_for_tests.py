"""Batched datasets for the training tests: `tf.data` when tapeflow has it, else a stand-in.

The stand-in has what `fit` reads from a `tf.data.Dataset`: `element_spec`,
`cardinality()` and iteration yielding tuples of tapeflow tensors.
"""
import numpy as np

import tapeflow as tf


def has_tf_data():
    try:
        return hasattr(tf.data, "Dataset")
    except ImportError:
        return False


class BatchedArrays:
    """Iterates over `(x, y)` batches of NumPy arrays as tensors, like `Dataset.batch`."""

    def __init__(self, arrays, batch_size, cardinality=True):
        self.arrays, self.batch_size, self._known = arrays, batch_size, cardinality

    @property
    def element_spec(self):
        return tuple(tf.TensorSpec((None,) + a.shape[1:], tf.as_dtype(a.dtype))
                     for a in self.arrays)

    def cardinality(self):
        n = -(-len(self.arrays[0]) // self.batch_size)
        return tf.constant(n if self._known else -2, dtype=tf.int64)

    def __iter__(self):
        for start in range(0, len(self.arrays[0]), self.batch_size):
            yield tuple(tf.constant(a[start:start + self.batch_size]) for a in self.arrays)


def batches_dataset(x=None, y=None, batch_size=4, known_cardinality=True):
    """`(x, y)` batches as a Dataset (real tf.data if available)."""
    rng = np.random.default_rng(1)
    x = rng.random((10, 4), dtype=np.float32) if x is None else x
    y = rng.random((10, 2), dtype=np.float32) if y is None else y
    if has_tf_data() and known_cardinality:
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    return BatchedArrays((x, y), batch_size, known_cardinality)
