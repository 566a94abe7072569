"""tf.py_function and tf.numpy_function, eagerly and inside traced functions."""
import numpy as np
import pytest

import tapeflow as tf


def test_eager_calls():
    out = tf.py_function(lambda a: a * 2, [tf.constant(3.0)], tf.float32)
    assert float(out) == 6.0 and out.dtype == tf.float32
    out = tf.numpy_function(lambda a: np.sort(a), [tf.constant([3, 1, 2])], tf.int32)
    assert out.numpy().tolist() == [1, 2, 3]


def test_traced_calls_run_every_time_with_unknown_shapes():
    calls = []

    def count(a):
        calls.append(1)
        return a + 1

    @tf.function
    def f(x):
        y = tf.numpy_function(count, [x], tf.float32)
        assert y.shape.rank is None   # unknown after the call, as in TF
        return y * 2.0

    assert float(f(tf.constant(1.0))) == 4.0
    assert float(f(tf.constant(2.0))) == 6.0
    assert len(calls) == 2


def test_several_outputs_and_errors():
    a, b = tf.py_function(lambda x: (x, x * 3), [tf.constant([1, 2])], [tf.int32, tf.int32])
    assert b.numpy().tolist() == [3, 6]

    @tf.function
    def bad(x):
        return tf.py_function(lambda v: (v, v), [x], [tf.float32])

    with pytest.raises(tf.errors.InvalidArgumentError, match="returned 2 values"):
        bad(tf.constant(1.0))


def test_cast_to_and_from_string_is_unimplemented():
    with pytest.raises(tf.errors.UnimplementedError, match="Cast int32 to string"):
        tf.cast(tf.constant([1]), tf.string)


def test_mixed_dtypes_while_tracing_is_a_type_error():
    @tf.function
    def f(x):
        return x + tf.constant(1)

    with pytest.raises(TypeError, match="Input 'y' of 'AddV2' Op has type int32"):
        f(tf.constant(1.0))
