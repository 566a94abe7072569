"""tf.map_fn, tf.scan, tf.foldl/foldr, tf.vectorized_map: eager loops and the traced Scan op.

Expected values and messages are TF 2.21's.
"""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.testing.gradient_checker import check_gradients


# -- map_fn ---------------------------------------------------------------------------------

def test_map_fn_values_and_signatures():
    np.testing.assert_array_equal(tf.map_fn(lambda x: x * x, tf.constant([1.0, 2.0, 3.0])),
                                  [1.0, 4.0, 9.0])
    out = tf.map_fn(lambda x: x * x, np.array([1, 2, 3]))
    assert out.dtype == tf.int64
    out = tf.map_fn(lambda x: tf.cast(x, tf.float32), tf.constant([1, 2]),
                    fn_output_signature=tf.float32)
    assert out.dtype == tf.float32
    a, b = tf.map_fn(lambda x: (x, x * 2), tf.constant([1, 2]),
                     fn_output_signature=(tf.int32, tf.int32))
    np.testing.assert_array_equal(b, [2, 4])
    d = tf.map_fn(lambda x: {"a": x["a"] * 2}, {"a": tf.constant([1, 2])})
    np.testing.assert_array_equal(d["a"], [2, 4])
    out = tf.map_fn(lambda x: x[0] * x[1], [tf.constant([1, 2]), tf.constant([3, 4])],
                    fn_output_signature=tf.int32)
    np.testing.assert_array_equal(out, [3, 8])
    spec = tf.TensorSpec([1], tf.float32)
    out = tf.map_fn(lambda x: x * 2, tf.constant([[1.0], [2.0]]), fn_output_signature=spec)
    assert out.shape == (2, 1)
    assert tf.map_fn(lambda v: 3, tf.constant([1, 2])).numpy().tolist() == [3, 3]
    strings = tf.map_fn(lambda x: x, tf.constant(["a", "bb"]))
    assert strings.numpy().tolist() == [b"a", b"bb"] and strings.numpy().dtype == object


def test_map_fn_empty_elems_give_an_empty_result():
    assert tf.map_fn(lambda x: x * 2, tf.zeros([0, 3])).shape == (0,)   # eager TF: (0,)
    spec = tf.TensorSpec([2], tf.float32)
    assert tf.map_fn(lambda x: x * 2, tf.zeros([0, 2]), fn_output_signature=spec).shape == (0, 2)


def test_map_fn_errors_match_tf():
    with pytest.raises(ValueError, match="Elements in elems must be 1\\+ dimensional Tensors, "
                                         "not scalars"):
        tf.map_fn(lambda x: x, [1.0, 2.0])
    with pytest.raises(ValueError, match="Dimensions 2 and 3 are not compatible"):
        tf.map_fn(lambda x: x, (tf.constant([1, 2]), tf.constant([1, 2, 3])))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.map_fn(lambda x: (x, x * 2), tf.constant([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="TensorArray dtype is int32 but Op is trying to write dtype "
                             "float32"):
        tf.map_fn(lambda x: tf.cast(x, tf.float32), tf.constant([1, 2]))
    with pytest.raises(ValueError, match=r"Incompatible shape for value \(\(2,\)\), expected "
                                         r"\(\(1,\)\)"):
        tf.map_fn(lambda x: tf.range(x), tf.constant([1, 2]))
    with pytest.raises(ValueError, match=r"Incompatible shape for value \(\(1,\)\), expected "
                                         r"\(\(2,\)\)"):
        tf.map_fn(lambda x: x * 2, tf.constant([[1.0], [2.0]]),
                  fn_output_signature=tf.TensorSpec([2], tf.float32))
    with pytest.raises(TypeError):
        tf.map_fn(3, tf.constant([1, 2]))


def test_map_fn_traced_matches_eager_and_keeps_static_shapes():
    @tf.function
    def f(x):
        return tf.map_fn(lambda v: v * v, x)

    np.testing.assert_allclose(f(tf.constant([1.0, 2.0, 3.0])), [1.0, 4.0, 9.0])
    np.testing.assert_allclose(f(tf.zeros([0, 3])).shape, (0, 3))   # traced TF: (0, 3)

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def g(x):
        out = tf.map_fn(lambda v: tf.reduce_sum(v), x)
        assert out.shape.as_list() == [None]
        return out

    np.testing.assert_allclose(g(tf.ones([4, 2])), [2.0] * 4)


def test_map_fn_traced_body_captures_variables_and_outer_tensors():
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x, s):
        return tf.map_fn(lambda v: v * w + s, x)

    np.testing.assert_allclose(f(tf.constant([[1.0, 1.0], [2.0, 3.0]]), tf.constant(0.5)),
                               [[1.5, 2.5], [2.5, 6.5]])
    w.assign([0.0, 1.0])
    np.testing.assert_allclose(f(tf.constant([[1.0, 1.0]]), tf.constant(0.0)), [[0.0, 1.0]])


def test_map_fn_gradients_eager_and_traced():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.map_fn(lambda v: v * v * v, x)
    np.testing.assert_allclose(tape.gradient(y, x), [3.0, 12.0, 27.0])

    @tf.function
    def traced(x, w):
        return tf.map_fn(lambda v: tf.sin(v * w), x)

    check_gradients(traced, [np.array([[0.3, -0.2], [0.5, 0.1], [1.0, 2.0]]),
                             np.array([1.1, -0.7])], order=2)


def test_map_fn_gradient_inside_a_traced_function():
    w = tf.Variable([0.5, -1.5])

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            y = tf.map_fn(lambda v: tf.reduce_sum(tf.sin(v) * w), x)
        return tape.gradient(y, [x, w]) if False else tape.gradient(y, w)

    x = tf.constant([[1.0, 2.0], [0.5, -1.0]])
    np.testing.assert_allclose(f(x), np.sin(x.numpy()).sum(0), rtol=1e-6)


# -- scan ------------------------------------------------------------------------------------

def test_scan_values_match_tf():
    np.testing.assert_array_equal(tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4, 5, 6])),
                                  [1, 3, 6, 10, 15, 21])
    np.testing.assert_array_equal(
        tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3]), initializer=tf.constant(10)),
        [11, 13, 16])
    np.testing.assert_array_equal(tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3]),
                                          reverse=True), [6, 5, 3])
    a, b = tf.scan(lambda a, x: (a[0] + x, a[1] * x), tf.constant([1, 2, 3]), initializer=(0, 1))
    assert a.numpy().tolist() == [1, 3, 6] and b.numpy().tolist() == [1, 2, 6]
    fib = tf.scan(lambda a, _: (a[1], a[0] + a[1]), tf.constant([1, 2, 3, 4]),
                  initializer=(tf.constant(0), tf.constant(1)))
    assert fib[1].numpy().tolist() == [1, 2, 3, 5]
    out = tf.scan(lambda a, x: a + x[0] * x[1],
                  (tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])), initializer=0.0)
    np.testing.assert_allclose(out, [3.0, 11.0])
    assert tf.scan(lambda a, x: a + x, tf.zeros([0]), initializer=1.0).shape == (0,)


def test_scan_errors_match_tf():
    with pytest.raises(tf.errors.OutOfRangeError,
                       match="Tried to read from index 0 but array size is: 0"):
        tf.scan(lambda a, x: a + x, tf.zeros([0]))
    with pytest.raises(ValueError, match=r"Incompatible shape for value \(\(2,\)\), expected "
                                         r"\(\(1,\)\)"):
        tf.scan(lambda a, v: tf.concat([a, [v]], 0), tf.constant([1, 2]),
                initializer=tf.constant([0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorArray dtype is int32"):
        tf.scan(lambda a, v: tf.cast(a, tf.float32), tf.constant([1, 2]),
                initializer=tf.constant(0))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.scan(lambda a, v: (a, a), tf.constant([1, 2]), initializer=tf.constant(0))
    with pytest.raises(IndexError):
        tf.scan(lambda a, v: a + v, tf.constant(1))


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("with_initializer", [False, True])
def test_scan_traced_matches_eager(reverse, with_initializer):
    def run(x):
        init = tf.constant(1.0) if with_initializer else None
        return tf.scan(lambda a, v: a * 0.5 + v, x, initializer=init, reverse=reverse)

    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(tf.function(run)(x), run(x), rtol=1e-6)


def test_scan_gradients_eager_and_traced():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.scan(lambda a, v: a * v, x)
    np.testing.assert_allclose(tape.gradient(y, x), [9.0, 4.0, 2.0])   # TF's numbers

    @tf.function
    def traced(x, init, w):
        return tf.scan(lambda a, v: tf.tanh(a * w + v), x, initializer=init, reverse=True)

    check_gradients(traced, [np.array([[0.3, -0.2], [0.5, 0.1], [1.0, 2.0]]),
                             np.array([0.2, 0.4]), np.array([1.1, -0.7])], order=2)


def test_scan_with_integer_carry_and_float_outputs_differentiates_the_floats():
    @tf.function
    def f(x):
        count, total = tf.scan(lambda a, v: (a[0] + 1, a[1] + v * tf.cast(a[0], tf.float64)),
                               x, initializer=(tf.constant(0), tf.constant(0.0, tf.float64)))
        return total

    check_gradients(f, [np.array([0.5, 1.5, -2.0])])


# -- folds -------------------------------------------------------------------------------------

def test_folds_match_tf():
    assert int(tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3, 4, 5, 6]))) == 21
    assert int(tf.foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]))) == 321
    assert int(tf.foldl(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]), initializer=5)) == 5123
    assert float(tf.foldl(lambda a, x: a + x, tf.zeros([0]), initializer=1.0)) == 1.0
    np.testing.assert_array_equal(tf.foldl(lambda a, x: a + x, tf.constant([[1, 2], [3, 4]])),
                                  [4, 6])
    with pytest.raises(tf.errors.OutOfRangeError):
        tf.foldl(lambda a, x: a + x, tf.zeros([0]))
    # Eagerly the accumulator may change dtype and shape (a Python loop, as in TF).
    assert tf.foldl(lambda a, v: tf.cast(a, tf.float32), tf.constant([1, 2]),
                    initializer=tf.constant(0)).dtype == tf.float32
    assert tf.foldl(lambda a, v: tf.concat([a, [v]], 0), tf.constant([1, 2]),
                    initializer=tf.constant([0])).numpy().tolist() == [0, 1, 2]


def test_folds_traced_and_gradients():
    @tf.function
    def f(x):
        return tf.foldl(lambda a, v: a * v, x), tf.foldr(lambda a, v: a * 10.0 + v, x)

    prod, digits = f(tf.constant([1.0, 2.0, 3.0]))
    assert float(prod) == 6.0 and float(digits) == 321.0
    single = f(tf.constant([4.0]))
    assert float(single[0]) == 4.0 and float(single[1]) == 4.0
    check_gradients(tf.function(lambda x, y: tf.foldr(lambda a, v: tf.sin(a) * v, x,
                                                      initializer=y)),
                    [np.array([0.3, 1.2, -0.8]), np.array(0.7)], order=2)


# -- vectorized_map --------------------------------------------------------------------------------

def test_vectorized_map_matches_tf():
    np.testing.assert_array_equal(tf.vectorized_map(lambda x: x * 2, tf.constant([1, 2, 3])),
                                  [2, 4, 6])
    np.testing.assert_array_equal(tf.vectorized_map(lambda x: tf.reduce_sum(x), tf.ones([3, 2])),
                                  [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(tf.vectorized_map(lambda x: 3, tf.ones([3, 2])), [3, 3, 3])
    a, b = tf.vectorized_map(lambda x: (x, 2.0), tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(b, [2.0, 2.0])
    assert tf.vectorized_map(lambda x: x * 2, tf.zeros([0, 2])).shape == (0, 2)
    assert tf.vectorized_map(lambda x: None, tf.constant([1.0, 2.0])) is None
    traced = tf.function(lambda x: tf.vectorized_map(lambda v: v + 1, x))
    np.testing.assert_array_equal(traced(tf.constant([1.0, 2.0])), [2.0, 3.0])


def test_map_fn_with_a_stateful_body_runs_it_for_every_element():
    counter = tf.Variable(0)

    @tf.function
    def f(x):
        def body(v):
            counter.assign_add(1)
            return v * 2
        return tf.map_fn(body, x)

    np.testing.assert_array_equal(f(tf.constant([1, 2, 3])), [2, 4, 6])
    assert int(counter) == 3
    f(tf.constant([1, 2, 3]))
    assert int(counter) == 6
