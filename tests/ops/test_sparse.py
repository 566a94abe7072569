"""tf.SparseTensor and tf.sparse: values and messages from TF 2.21."""
import pytest

import tapeflow as tf


def _st():
    return tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])


def _parts(sp):
    return sp.indices.numpy().tolist(), sp.values.numpy().tolist(), sp.dense_shape.numpy().tolist()


def test_sparse_tensor_basics_match_tf():
    st = _st()
    assert tf.SparseTensor is tf.sparse.SparseTensor and tf.is_tensor(st)
    assert st.indices.dtype == tf.int64 and st.dense_shape.dtype == tf.int64
    assert st.dtype == tf.int32 and st.shape == (3, 4) and st.get_shape() == (3, 4)
    assert str(st).startswith("SparseTensor(indices=tf.Tensor(") and repr(st) == str(st)
    assert repr(tf.type_spec_from_value(st)) == "SparseTensorSpec(TensorShape([3, 4]), tf.int32)"
    assert repr(tf.SparseTensorSpec([3, 4], tf.int32)) == (
        "SparseTensorSpec(TensorShape([3, 4]), tf.int32)")
    assert _parts(st.with_values(st.values * 10))[1] == [10, 20]
    assert _parts(tf.SparseTensor.from_value(st)) == _parts(st)
    with pytest.raises(ValueError, match="Shape \\(2,\\) must have rank 2"):
        tf.SparseTensor([0, 1], [1, 2], [3, 4])
    with pytest.raises(ValueError, match="Dimensions 1 and 2 are not compatible"):
        tf.SparseTensor([[0, 1]], [1, 2], [3, 4])
    assert _parts(st * 2)[1] == [2, 4]
    assert _parts(st * tf.ones([3, 4], tf.int32))[1] == [1, 2]
    with pytest.raises(TypeError):
        st + st   # noqa: B018 - TF defines no `+` on SparseTensors
    with pytest.raises(TypeError):
        -st   # noqa: B018
    with pytest.raises(ValueError, match="Attempt to convert a value"):
        tf.convert_to_tensor(st)


def test_to_dense_and_from_dense_match_tf():
    st = _st()
    assert tf.sparse.to_dense(st).numpy().tolist() == [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]]
    assert tf.sparse.to_dense(st, default_value=-1).numpy()[0].tolist() == [1, -1, -1, -1]
    unordered = tf.SparseTensor([[1, 2], [0, 0]], [1, 2], [3, 4])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="indices\\[1\\] = \\[0,0\\] is out of order. Many sparse ops "
                             "require sorted indices."):
        tf.sparse.to_dense(unordered)
    assert tf.sparse.to_dense(unordered, validate_indices=False).numpy()[0, 0] == 2
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="indices\\[1\\] = \\[0,0\\] is repeated"):
        tf.sparse.to_dense(tf.SparseTensor([[0, 0], [0, 0]], [1, 2], [3, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="indices\\[0\\] = \\[5,0\\] is out of bounds: need 0 <= index < "
                             "\\[3,4\\]"):
        tf.sparse.to_dense(tf.SparseTensor([[5, 0]], [1], [3, 4]))
    assert _parts(tf.sparse.from_dense([[0, 1], [2, 0]])) == ([[0, 1], [1, 0]], [1, 2], [2, 2])
    assert _parts(tf.sparse.reorder(unordered)) == ([[0, 0], [1, 2]], [2, 1], [3, 4])
    v = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        dense = tf.sparse.to_dense(tf.SparseTensor([[0, 0], [1, 1]], v, [2, 2]))
        loss = tf.reduce_sum(dense * tf.constant([[3.0, 4.0], [5.0, 6.0]]))
    assert tape.gradient(loss, v).numpy().tolist() == [3.0, 6.0]


def test_matmul_and_add_match_tf():
    a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    b = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert tf.sparse.sparse_dense_matmul(a, b).numpy().tolist() == [[1, 2], [6, 8]]
    c = tf.SparseTensor([[0, 1]], [3.0], [2, 2])
    assert tf.sparse.sparse_dense_matmul(c, b, adjoint_a=True).numpy().tolist() == [[0, 0],
                                                                                  [3, 6]]
    assert tf.sparse.sparse_dense_matmul(b, c).numpy().tolist() == [[0, 3], [0, 9]]
    v = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        loss = tf.reduce_sum(tf.sparse.sparse_dense_matmul(
            tf.SparseTensor([[0, 0], [1, 1]], v, [2, 2]), b))
    assert tape.gradient(loss, v).numpy().tolist() == [3.0, 7.0]
    st = _st()
    assert tf.sparse.add(st, tf.ones([3, 4], tf.int32)).numpy()[1].tolist() == [1, 1, 3, 1]
    summed = tf.sparse.add(st, tf.SparseTensor([[0, 0], [2, 3]], [10, 20], [3, 4]))
    assert _parts(summed) == ([[0, 0], [1, 2], [2, 3]], [11, 2, 20], [3, 4])
    cancelled = tf.sparse.add(tf.SparseTensor([[0, 0]], [1.0], [2, 2]),
                              tf.SparseTensor([[0, 0]], [-1.0], [2, 2]), threshold=0.5)
    assert cancelled.indices.shape == (0, 2) and cancelled.values.shape == (0,)


def test_reductions_and_reshaping_match_tf():
    st = _st()
    assert int(tf.sparse.reduce_sum(st)) == 3
    assert tf.sparse.reduce_sum(st, axis=1).numpy().tolist() == [1, 2, 0]
    assert tf.sparse.reduce_sum(st, axis=0, keepdims=True).numpy().tolist() == [[1, 0, 2, 0]]
    assert _parts(tf.sparse.reduce_sum(st, axis=1, output_is_sparse=True)) == (
        [[0], [1]], [1, 2], [3])
    assert _parts(tf.sparse.retain(st, [True, False])) == ([[0, 0]], [1], [3, 4])
    assert _parts(tf.sparse.transpose(st)) == ([[0, 0], [2, 1]], [1, 2], [4, 3])
    assert _parts(tf.sparse.reshape(st, [4, 3])) == ([[0, 0], [2, 0]], [1, 2], [4, 3])
    assert _parts(tf.sparse.reshape(st, [-1, 3])) == ([[0, 0], [2, 0]], [1, 2], [4, 3])
    assert _parts(tf.sparse.concat(1, [st, st])) == (
        [[0, 0], [0, 4], [1, 2], [1, 6]], [1, 1, 2, 2], [3, 8])
    assert _parts(tf.sparse.slice(st, [0, 1], [2, 3])) == ([[1, 1]], [2], [2, 3])
    assert _parts(tf.sparse.eye(2)) == ([[0, 0], [1, 1]], [1.0, 1.0], [2, 2])
    assert tf.sparse.to_indicator(tf.SparseTensor([[0, 0], [0, 1]], [1, 3], [1, 2]),
                                  4).numpy().tolist() == [[False, True, False, True]]
    assert _parts(tf.sparse.expand_dims(st, 0))[2] == [1, 3, 4]
    assert _parts(tf.sparse.map_values(tf.multiply, st, 3))[1] == [3, 6]


def test_sparse_ops_in_a_traced_function():
    @tf.function
    def f(values, b):
        a = tf.SparseTensor([[0, 0], [1, 1]], values, [2, 2])
        return tf.sparse.sparse_dense_matmul(a, b), tf.sparse.to_dense(a)

    product, dense = f(tf.constant([1.0, 2.0]), tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    assert product.numpy().tolist() == [[1, 2], [6, 8]]
    assert dense.numpy().tolist() == [[1, 0], [0, 2]]
