"""tf.Tensor behaviour: immutability, Python protocols, printing, shapes."""
import numpy as np
import pytest

import tapeflow as tf


def test_numpy_returns_a_copy_and_scalars_are_numpy_scalars():
    t = tf.constant([1.0, 2.0])
    a = t.numpy()
    a[0] = 7.0
    assert t.numpy()[0] == 1.0
    s = tf.constant(1.5).numpy()
    assert isinstance(s, np.float32) and s == 1.5


def test_python_protocols_on_eager_scalars():
    assert float(tf.constant(2.5)) == 2.5
    assert int(tf.constant(3)) == 3
    assert [10, 20, 30][tf.constant(1)] == 20
    assert bool(tf.constant(True))
    with pytest.raises(TypeError, match="only 0-dimensional"):
        float(tf.constant([1.0]))


def test_len_and_iteration():
    t = tf.constant([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and rows[1].numpy().tolist() == [3, 4]
    with pytest.raises(TypeError, match="Scalar tensor has no `len\\(\\)`"):
        len(tf.constant(1.0))
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor"):
        iter(tf.constant(1.0))


def test_tensors_are_unhashable_but_ref_is():
    t = tf.constant(1.0)
    with pytest.raises(TypeError, match="unhashable"):
        hash(t)
    assert {t.ref(): 1}[t.ref()] == 1
    assert t.ref().deref() is t


def test_repr_and_str_match_tf():
    t = tf.constant([1.0, 2.0])
    assert repr(t) == "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert str(t) == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"
    assert repr(tf.constant(1.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=1.0>"


def test_equality_is_elementwise():
    t = tf.constant([1.0, 2.0])
    assert (t == [1.0, 3.0]).numpy().tolist() == [True, False]
    assert (t == None) is False  # noqa: E711 - TF compares None as False
    assert (t == tf.constant([1.0, 2.0, 3.0])).numpy() == False  # noqa: E712


def test_operators_and_reflected_forms():
    x = tf.constant([1.0, 2.0, 4.0])
    np.testing.assert_allclose((2 - x).numpy(), [1, 0, -2])
    np.testing.assert_allclose((1 / x).numpy(), [1, 0.5, 0.25])
    np.testing.assert_allclose((x ** 2).numpy(), [1, 4, 16])
    np.testing.assert_allclose((2 ** x).numpy(), [2, 4, 16])
    np.testing.assert_allclose((-x).numpy(), [-1, -2, -4])
    np.testing.assert_allclose(abs(-x).numpy(), [1, 2, 4])
    assert (tf.constant(-5) // 3).numpy() == -2 and (tf.constant(-5) % 3).numpy() == 1
    assert (tf.constant([True]) & tf.constant([False])).numpy().tolist() == [False]
    assert (~tf.constant([True])).numpy().tolist() == [False]
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose((m @ m).numpy(), [[7, 10], [15, 22]])


def test_shape_objects():
    t = tf.zeros([2, 3])
    assert t.shape == tf.TensorShape([2, 3]) and t.shape == [2, 3]
    assert t.shape[0] == 2 and t.shape[1:] == tf.TensorShape([3])
    assert t.shape.as_list() == [2, 3] and t.ndim == 2
    assert str(tf.TensorShape([2, None])) == "(2, None)"
    assert repr(tf.TensorShape(None)) == "TensorShape(None)"
    assert tf.TensorShape([2, None]).is_compatible_with([2, 5])
    assert repr(tf.TensorSpec([2, None])) == "TensorSpec(shape=(2, None), dtype=tf.float32, name=None)"


def test_indexing_matches_numpy_and_errors_like_tf():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = tf.constant(a)
    for key in [(1,), (slice(None), 2), (Ellipsis, 1), (None, 0, slice(1, None, 2)),
                (-1, slice(None, None, -1))]:
        np.testing.assert_array_equal(t[key].numpy(), a[key])
    np.testing.assert_array_equal(t[tf.constant(1)].numpy(), a[1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        t[5]
    with pytest.raises(tf.errors.InvalidArgumentError, match="scalar"):
        tf.constant(1.0)[0]


def test_kernel_errors_name_the_op_and_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\] \[Op:AddV2\]"):
        tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Matrix size-incompatible"):
        tf.matmul(tf.ones([2, 3]), tf.ones([4, 5]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Value for attr 'T' of int32"):
        tf.sqrt(tf.constant(4))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        tf.constant([1, 2]) // 0


def test_error_hierarchy():
    assert issubclass(tf.errors.InvalidArgumentError, tf.errors.OpError)
    assert not issubclass(tf.errors.InvalidArgumentError, ValueError)
    err = tf.errors.InvalidArgumentError(None, None, "boom")
    assert err.message == "boom" and err.error_code == tf.errors.INVALID_ARGUMENT
