"""tf.RaggedTensor and tf.ragged: construction, conversion, indexing, operators; values
and messages from TF 2.21."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.testing.gradient_checker import check_gradients


def test_structure_and_conversions_match_tf():
    rt = tf.ragged.constant([[1, 2], [3], []])
    assert repr(rt) == str(rt) == "<tf.RaggedTensor [[1, 2], [3], []]>"
    assert rt.shape == tf.TensorShape([3, None]) and rt.dtype == tf.int32
    assert rt.ragged_rank == 1 and rt.row_splits.dtype == tf.int64
    assert rt.row_splits.numpy().tolist() == [0, 2, 3, 3]
    assert rt.values.numpy().tolist() == [1, 2, 3] and rt.flat_values.dtype == tf.int32
    assert rt.row_lengths().numpy().tolist() == [2, 1, 0] and int(rt.nrows()) == 3
    assert rt.value_rowids().numpy().tolist() == [0, 0, 1]
    assert rt.row_starts().numpy().tolist() == [0, 2, 3]
    assert rt.bounding_shape().numpy().tolist() == [3, 2]
    assert rt.to_tensor().numpy().tolist() == [[1, 2], [3, 0], [0, 0]]
    assert rt.to_tensor(default_value=-1).numpy().tolist() == [[1, 2], [3, -1], [-1, -1]]
    assert rt.to_tensor(shape=[2, 4]).numpy().tolist() == [[1, 2, 0, 0], [3, 0, 0, 0]]
    assert rt.to_list() == [[1, 2], [3], []]
    rows = rt.numpy()
    assert rows.dtype == object and [r.tolist() for r in rows] == [[1, 2], [3], []]
    assert tf.is_tensor(rt) and isinstance(rt, tf.RaggedTensor)
    assert repr(tf.type_spec_from_value(rt)) == ("RaggedTensorSpec(TensorShape([3, None]), "
                                                 "tf.int32, 1, tf.int64)")
    uniform = tf.ragged.constant([[1, 2], [3, 4]])
    assert repr(uniform) == "<tf.RaggedTensor [[1, 2],\n [3, 4]]>"


def test_factories_match_tf():
    assert tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 3]).to_list() == [[1, 2], [3]]
    assert tf.RaggedTensor.from_value_rowids([3, 1, 4, 1], [0, 0, 2, 2], nrows=4).to_list() == [
        [3, 1], [], [4, 1], []]
    assert tf.RaggedTensor.from_row_lengths([3, 1, 4], [2, 0, 1]).to_list() == [[3, 1], [],
                                                                                 [4]]
    assert tf.RaggedTensor.from_row_starts([1, 2, 3], [0, 1]).to_list() == [[1], [2, 3]]
    assert tf.RaggedTensor.from_row_limits([1, 2, 3], [1, 3]).to_list() == [[1], [2, 3]]
    assert tf.RaggedTensor.from_tensor([[1, 0], [2, 3]], padding=0).to_list() == [[1], [2, 3]]
    assert tf.RaggedTensor.from_tensor([[1, 0], [2, 3]], lengths=[1, 2]).to_list() == [[1],
                                                                                      [2, 3]]
    assert tf.RaggedTensor.from_tensor([[1, 0], [2, 3]]).to_list() == [[1, 0], [2, 3]]
    nested = tf.RaggedTensor.from_nested_row_splits([1, 2, 3, 4], [[0, 2, 3], [0, 2, 3, 4]])
    assert nested.to_list() == [[[1, 2], [3]], [[4]]]
    splits32 = tf.RaggedTensor.from_row_splits([1, 2, 3], tf.constant([0, 2, 3], tf.int32))
    assert splits32.row_splits.dtype == tf.int32
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Arguments to _from_row_partition do not form a valid "
                             "RaggedTensor"):
        tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 4])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Arguments to from_row_splits do not form a valid "
                             "RaggedTensor:zero"):
        tf.RaggedTensor.from_row_splits([1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="RaggedTensor constructor is private"):
        tf.RaggedTensor(tf.constant([1]), tf.constant([0, 1]))


def test_ragged_constant_matches_tf():
    rt3 = tf.ragged.constant([[[1, 2], [3]], [[4]]])
    assert rt3.shape == tf.TensorShape([2, None, None]) and rt3.ragged_rank == 2
    assert repr(rt3) == "<tf.RaggedTensor [[[1, 2], [3]], [[4]]]>"
    inner = tf.ragged.constant([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1)
    assert inner.shape == tf.TensorShape([2, None, 2])
    assert repr(inner) == "<tf.RaggedTensor [[[1, 2]], [[3, 4],\n            [5, 6]]]>"
    assert repr(tf.ragged.constant([[1.5], []])) == "<tf.RaggedTensor [[1.5], []]>"
    assert repr(tf.ragged.constant([["a"], ["b", "c"]])) == (
        "<tf.RaggedTensor [[b'a'], [b'b', b'c']]>")
    assert repr(tf.ragged.constant([[1], []], dtype=tf.float64)) == "<tf.RaggedTensor [[1.0], []]>"
    empty = tf.ragged.constant([])
    assert isinstance(empty, tf.Tensor) and empty.dtype == tf.float32 and empty.shape == (0,)
    assert tf.ragged.constant([[1]], row_splits_dtype=tf.int32).row_splits.dtype == tf.int32
    with pytest.raises(ValueError, match="all scalar values must have the same nesting depth"):
        tf.ragged.constant([[1], [[2]]])


def test_indexing_and_iteration():
    rt = tf.ragged.constant([[1, 2], [3], []])
    assert rt[0].numpy().tolist() == [1, 2] and rt[-1].shape == (0,)
    assert rt[1:].to_list() == [[3], []]
    assert int(rt[0, 1]) == 2
    assert [r.numpy().tolist() for r in rt] == [[1, 2], [3], []]
    with pytest.raises(ValueError, match="Cannot index into an inner ragged dimension."):
        rt[:, 0]
    with pytest.raises(IndexError, match="Row key 5 out of bounds"):
        rt[5]
    with pytest.raises(TypeError, match="has no len"):
        len(rt)


def test_operators_and_map_flat_values():
    rt = tf.ragged.constant([[1, 2], [3], []])
    assert (rt + 1).to_list() == [[2, 3], [4], []]
    assert (rt * rt).to_list() == [[1, 4], [9], []]
    assert (10 - rt).to_list() == [[9, 8], [7], []]
    assert (-rt).to_list() == [[-1, -2], [-3], []]
    assert (rt == rt).to_list() == [[True, True], [True], []]
    assert rt.with_values(rt.values * 10).to_list() == [[10, 20], [30], []]
    assert tf.ragged.map_flat_values(tf.multiply, rt, 2).to_list() == [[2, 4], [6], []]
    other = tf.ragged.constant([[1], [2, 3], []])
    with pytest.raises(ValueError, match="same row structure"):
        rt + other
    assert rt.merge_dims(0, 1).numpy().tolist() == [1, 2, 3]
    assert tf.ragged.row_splits_to_segment_ids([0, 2, 3]).numpy().tolist() == [0, 0, 1]
    assert tf.ragged.segment_ids_to_row_splits([0, 0, 1]).numpy().tolist() == [0, 2, 3]


def test_gradients_flow_through_ragged_tensors():
    splits = np.array([0, 2, 2, 5])

    def f(values, dense):
        rt = tf.RaggedTensor.from_row_splits(values, splits)
        back = tf.RaggedTensor.from_tensor(dense, lengths=[1, 3])
        return rt.to_tensor(default_value=0.5) * 2.0, back.flat_values * 3.0

    check_gradients(f, [np.arange(5.0), np.arange(8.0).reshape(2, 4)])


def test_ragged_tensors_inside_tf_function():
    @tf.function
    def f(values, splits):
        rt = tf.RaggedTensor.from_row_splits(values, splits, validate=False)
        return (rt * 2).to_tensor(), rt.row_lengths()

    dense, lengths = f(tf.constant([1, 2, 3]), tf.constant([0, 2, 3], tf.int64))
    assert dense.numpy().tolist() == [[2, 4], [6, 0]] and lengths.numpy().tolist() == [2, 1]
