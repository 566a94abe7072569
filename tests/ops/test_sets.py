"""tf.sets: results and messages from TF 2.21."""
import pytest

import tapeflow as tf


def _parts(sp):
    return sp.indices.numpy().tolist(), sp.values.numpy().tolist(), sp.dense_shape.numpy().tolist()


A = [[1, 2, 3, 3], [4, 5, 6, 4]]
B = [[3, 1, 7, 7], [6, 9, 9, 9]]


def test_set_operations_match_tf():
    assert _parts(tf.sets.intersection(A, B)) == ([[0, 0], [0, 1], [1, 0]], [1, 3, 6], [2, 2])
    assert _parts(tf.sets.union(A, B)) == (
        [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2], [1, 3]],
        [1, 2, 3, 7, 4, 5, 6, 9], [2, 4])
    assert _parts(tf.sets.difference(A, B)) == ([[0, 0], [1, 0], [1, 1]], [2, 4, 5], [2, 2])
    assert _parts(tf.sets.difference(A, B, aminusb=False)) == ([[0, 0], [1, 0]], [7, 9], [2, 1])
    cube = tf.sets.union(tf.reshape(tf.range(8), [2, 2, 2]), tf.ones([2, 2, 1], tf.int32))
    assert _parts(cube)[1] == [0, 1, 1, 2, 3, 1, 4, 5, 1, 6, 7] and _parts(cube)[2] == [2, 2, 3]
    assert _parts(tf.sets.union(tf.constant([["a", "b"]]), tf.constant([["c", "a"]]))) == (
        [[0, 0], [0, 1], [0, 2]], [b"a", b"b", b"c"], [1, 3])
    sparse = tf.SparseTensor([[0, 0], [1, 1]], [5, 6], [2, 3])
    assert _parts(tf.sets.union(sparse, tf.constant([[1], [2]]))) == (
        [[0, 0], [0, 1], [1, 0], [1, 1]], [1, 5, 2, 6], [2, 2])


def test_set_size_and_errors_match_tf():
    counted = tf.sets.size(tf.SparseTensor([[0, 0], [0, 1], [1, 1]], [5, 5, 6], [2, 3]))
    assert counted.dtype == tf.int32 and counted.numpy().tolist() == [1, 1]
    with pytest.raises(TypeError, match="Expected `SparseTensor`, got"):
        tf.sets.size(tf.constant(A))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Shape \\[2\\] has rank 1 < 2"):
        tf.sets.intersection([1, 2], [2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Mismatched shapes \\[1\\] vs \\[2\\]"):
        tf.sets.union(tf.constant([[1]]), tf.constant([[1], [2]]))
    with pytest.raises(TypeError, match="Types don't match, <dtype: 'int32'> vs "
                                        "<dtype: 'int64'>."):
        tf.sets.union(tf.constant([[1]]), tf.constant([[1]], tf.int64))
