"""tf.Variable: assignment, names, tensor-like behaviour."""
import numpy as np
import pytest

import tapeflow as tf


def test_assign_methods_and_read_value():
    v = tf.Variable([1.0, 2.0])
    v.assign([3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub(tf.constant([0.5, 0.5]))
    np.testing.assert_allclose(v.read_value().numpy(), [3.5, 4.5])


def test_assign_checks_shape_and_dtype():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="Shape mismatch"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="requested dtype float32"):
        v.assign(tf.constant([1, 2]))


def test_names_follow_tf():
    assert tf.Variable(1.0).name == "Variable:0"
    assert tf.Variable(1.0, name="w").name == "w:0"
    with tf.name_scope("layer"):
        assert tf.Variable(1.0, name="w").name == "layer/w:0"


def test_variable_takes_part_in_ops():
    v = tf.Variable([[1.0, 2.0]])
    np.testing.assert_allclose((v * 2).numpy(), [[2.0, 4.0]])
    np.testing.assert_allclose(tf.matmul(v, v, transpose_b=True).numpy(), [[5.0]])
    np.testing.assert_allclose(v[0, 1].numpy(), 2.0)
    assert not isinstance(v, tf.Tensor) and tf.is_tensor(v)
    assert v.shape == [1, 2] and v.dtype == tf.float32 and v.trainable


def test_initial_value_callable_and_copy():
    a = np.array([1.0, 2.0], np.float32)
    v = tf.Variable(a)
    a[0] = 9.0
    assert v.numpy()[0] == 1.0
    w = tf.Variable(lambda: tf.ones([2]), dtype=tf.float32)
    np.testing.assert_allclose(w.numpy(), [1.0, 1.0])


def test_unhashable_and_repr():
    v = tf.Variable(1.0)
    with pytest.raises(TypeError, match="Variable is unhashable"):
        hash(v)
    assert repr(v) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"


def test_variable_creator_scope_sees_every_variable():
    made = []

    def creator(next_creator, **kwargs):
        made.append(kwargs.get("name"))
        return next_creator(**kwargs)

    with tf.variable_creator_scope(creator):
        tf.Variable(1.0, name="a")
    assert made == ["a"]
