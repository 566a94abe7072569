"""TF's dtype rules: Python defaults, NumPy dtypes kept, no silent promotion."""
import numpy as np
import pytest

import tapeflow as tf


@pytest.mark.parametrize("value, dtype", [
    (1.5, tf.float32), (3, tf.int32), (2 ** 40, tf.int64), (True, tf.bool),
    ([1, 2.5], tf.float32), ([[1, 2], [3, 4]], tf.int32), (np.float64(1.0), tf.float64),
    (np.array([1.0, 2.0]), tf.float64), (np.array([1, 2], np.uint8), tf.uint8),
    ("abc", tf.string), ([np.float64(1.0), np.float64(2.0)], tf.float64),
])
def test_constant_dtype_follows_tf_rules(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_mixing_tensor_dtypes_is_an_invalid_argument_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="AddV2.*float.*int32"):
        tf.constant([1.0, 2.0]) + tf.constant([1, 2])


def test_python_scalar_takes_the_tensor_dtype():
    assert (tf.constant(1.0, tf.float64) * 2.0).dtype == tf.float64
    assert (tf.constant(1.0, tf.float16) + 1).dtype == tf.float16
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([1, 2]) + 1.5


def test_numpy_array_operand_converts_to_tensor_dtype():
    out = np.ones(2) + tf.constant([1.0, 2.0])
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), [2.0, 3.0])


def test_explicit_dtype_conversion_errors():
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant([[1, 2], [3]])
    with pytest.raises(ValueError, match="mixed types"):
        tf.constant([True, 1])
    with pytest.raises(ValueError, match="requested dtype float32"):
        tf.convert_to_tensor(tf.constant([1, 2]), dtype=tf.float32)


def test_constant_with_shape_broadcasts_scalars():
    np.testing.assert_array_equal(tf.constant(0.0, shape=[2, 3]).numpy(), np.zeros((2, 3)))
    assert tf.constant([1, 2, 3, 4], shape=[2, 2]).shape == [2, 2]


def test_constant_copies_numpy_input():
    a = np.array([1.0, 2.0])
    t = tf.constant(a)
    a[0] = 99.0
    assert t.numpy()[0] == 1.0


def test_dtype_objects():
    assert tf.float32.name == "float32"
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.float32.is_floating and not tf.float32.is_integer
    assert tf.int32.is_integer and tf.int32.max == 2 ** 31 - 1
    assert tf.as_dtype("float64") is tf.float64
    assert tf.as_dtype(np.int16) is tf.int16
    assert tf.float32 == "float32"
    assert repr(tf.float32) == "tf.float32" and str(tf.float32) == "<dtype: 'float32'>"
    with pytest.raises(TypeError):
        tf.as_dtype("nope")
