"""tf.TensorArray eagerly, in traced code, and carried by traced loops."""
import numpy as np
import pytest

import tapeflow as tf


def test_eager_write_read_stack_and_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        ta = tf.TensorArray(tf.float32, size=3)
        for i in range(3):
            ta = ta.write(i, x * float(i + 1))
        out = ta.stack()
        y = tf.reduce_sum(out * out)
    assert out.shape == [3, 2]
    np.testing.assert_allclose(ta.read(1).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * 14 * np.array([1.0, 2.0]))


def test_accumulating_in_a_traced_while_loop():
    @tf.function
    def squares(n):
        ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
        i = tf.constant(0)
        while i < n:
            ta = ta.write(i, i * i)
            i += 1
        return ta.stack()

    np.testing.assert_array_equal(squares(tf.constant(5)).numpy(), [0, 1, 4, 9, 16])
    np.testing.assert_array_equal(squares(tf.constant(2)).numpy(), [0, 1])


def test_fixed_size_overflow_is_an_error():
    ta = tf.TensorArray(tf.float32, size=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not resizeable"):
        ta.write(3, 1.0)


def test_dtype_and_shape_checks():
    ta = tf.TensorArray(tf.float32, size=2)
    ta = ta.write(0, tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="dtype"):
        ta.write(1, tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Incompatible shape"):
        ta.write(1, tf.constant([1.0, 2.0, 3.0]))


def test_unstack_and_size():
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack([[1.0], [2.0], [3.0]])
    assert int(ta.size()) == 3
    np.testing.assert_allclose(ta.read(2).numpy(), [3.0])
