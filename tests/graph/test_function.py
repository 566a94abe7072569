"""tf.function semantics: tracing, retracing keys, variables, tapes, errors."""
import logging

import numpy as np
import pytest

import tapeflow as tf


def test_traces_once_per_shape_and_dtype():
    @tf.function
    def f(x):
        return x * 2.0

    f(tf.constant([1.0, 2.0]))
    f(tf.constant([3.0, 4.0]))
    assert f.experimental_get_tracing_count() == 1
    f(tf.constant([1.0, 2.0, 3.0]))
    assert f.experimental_get_tracing_count() == 2
    f(tf.constant([1.0, 2.0], tf.float64))
    assert f.experimental_get_tracing_count() == 3


def test_python_values_retrace_by_value():
    @tf.function
    def f(x, scale):
        return x * scale

    f(tf.constant(1.0), 2.0)
    f(tf.constant(1.0), 2.0)
    f(tf.constant(1.0), 3.0)
    assert f.experimental_get_tracing_count() == 2
    assert float(f(tf.constant(1.0), 3.0)) == 3.0


def test_python_side_effects_happen_at_trace_time_only():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x + 1.0

    for _ in range(3):
        f(tf.constant(1.0))
    assert len(calls) == 1


def test_variables_keyed_by_identity():
    @tf.function
    def f(v):
        return v * 2.0

    a, b = tf.Variable(1.0), tf.Variable(2.0)
    assert float(f(a)) == 2.0 and float(f(b)) == 4.0 and float(f(a)) == 2.0
    assert f.experimental_get_tracing_count() == 2


def test_input_signature_with_none_dimension():
    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def f(x):
        return tf.reduce_sum(x, axis=0)

    np.testing.assert_allclose(f(tf.ones([3, 2])).numpy(), [3.0, 3.0])
    np.testing.assert_allclose(f(tf.ones([5, 2])).numpy(), [5.0, 5.0])
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="incompatible with input_signature"):
        f(tf.ones([3, 3]))


def test_reduce_retracing_generalizes_shapes():
    @tf.function(reduce_retracing=True)
    def f(x):
        return x + 1.0

    f(tf.ones([1]))
    f(tf.ones([2]))
    f(tf.ones([3]))
    f(tf.ones([4]))
    assert f.experimental_get_tracing_count() == 2


def test_retracing_warning_names_the_changed_argument(caplog):
    @tf.function
    def f(x):
        return x

    with caplog.at_level(logging.WARNING, logger="tapeflow"):
        for n in range(1, 7):
            f(tf.ones([n]))
    assert "triggered tf.function retracing" in caplog.text
    assert "argument 'x' changed from f32[4] to f32[5]" in caplog.text


def test_variables_only_on_first_trace():
    @tf.function
    def f(x):
        v = tf.Variable(1.0)
        return x + v

    f(tf.constant(1.0))
    with pytest.raises(ValueError, match="singleton tf.Variables created on the first call"):
        f(tf.constant([1.0, 2.0]))


def test_lazily_created_variable_is_kept():
    class Counter:
        def __init__(self):
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(0.0)
            self.v.assign_add(x)
            return self.v.read_value()

    c = Counter()
    c(tf.constant(1.0))
    assert float(c(tf.constant(2.0))) == 3.0


def test_reads_and_writes_keep_program_order():
    v = tf.Variable(1.0)

    @tf.function
    def f():
        a = v.read_value()
        v.assign(10.0)
        b = v.read_value()
        v.assign_add(5.0)
        return a, b, v.read_value()

    a, b, c = f()
    assert (float(a), float(b), float(c)) == (1.0, 10.0, 15.0)
    assert float(v) == 15.0


def test_methods_trace_per_instance():
    class Model:
        def __init__(self, k):
            self.k = k

        @tf.function
        def apply(self, x):
            return x * self.k

    m1, m2 = Model(2.0), Model(3.0)
    assert float(m1.apply(tf.constant(1.0))) == 2.0
    assert float(m2.apply(tf.constant(1.0))) == 3.0
    assert m1.apply.experimental_get_tracing_count() == 1


def test_gradient_tape_inside_function_matches_eager():
    w = tf.Variable([[0.5, -1.0], [2.0, 0.1]])

    def step(x):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.tanh(tf.matmul(x, w)) ** 2)
        return y, tape.gradient(y, w)

    x = tf.constant([[1.0, 2.0], [3.0, -1.0]])
    eager_y, eager_g = step(x)
    traced_y, traced_g = tf.function(step)(x)
    np.testing.assert_allclose(traced_y.numpy(), eager_y.numpy(), rtol=1e-6)
    np.testing.assert_allclose(traced_g.numpy(), eager_g.numpy(), rtol=1e-6)


def test_function_called_under_an_outer_tape_is_differentiable():
    @tf.function
    def f(x):
        return tf.reduce_sum(x ** 3)

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0, 12.0])


def test_nested_functions():
    @tf.function
    def inner(x):
        return x * x

    @tf.function
    def outer(x):
        return inner(x) + inner(x + 1.0)

    assert float(outer(tf.constant(2.0))) == 13.0


def test_concrete_function_and_graph():
    @tf.function
    def f(x):
        return tf.reduce_sum(x * 3.0)

    cf = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    assert float(cf(tf.constant([1.0, 2.0]))) == 9.0
    assert [n.type for n in cf.graph.get_operations()] == ["Placeholder", "Const", "Mul", "Sum"]
    assert "Mul" in cf.optimization_report() and "def run" in cf.source()
    with pytest.raises(TypeError, match="incompatible"):
        cf(tf.constant([1.0, 2.0, 3.0]))


def test_python_function_attribute_and_eager_mode_switch():
    def g(x):
        return x + 1

    f = tf.function(g)
    assert f.python_function is g
    tf.config.run_functions_eagerly(True)
    try:
        assert int(f(tf.constant(1))) == 2
        assert f.experimental_get_tracing_count() == 0
    finally:
        tf.config.run_functions_eagerly(False)


def test_symbolic_bool_error_says_what_to_do():
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(TypeError, match="tf.cond"):
        f(tf.constant(1.0))


def test_kernel_error_in_compiled_code_names_the_op():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return tf.reshape(x, [2, 2])

    assert f(tf.ones([4])).shape == [2, 2]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Reshape\]"):
        f(tf.ones([3]))


def test_failed_step_leaves_variables_unchanged():
    v = tf.Variable(1.0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        v.assign_add(1.0)
        return tf.reshape(x, [2])

    f(tf.ones([2]))
    assert float(v) == 2.0
    with pytest.raises(tf.errors.InvalidArgumentError):
        f(tf.ones([3]))
    assert float(v) == 2.0


def test_traced_equals_eager_on_returned_structures():
    @tf.function
    def f(x):
        return {"sum": tf.reduce_sum(x), "pair": (x * 2.0, None), "n": 3}

    out = f(tf.constant([1.0, 2.0]))
    assert float(out["sum"]) == 3.0 and out["pair"][1] is None and out["n"] == 3
    np.testing.assert_allclose(out["pair"][0].numpy(), [2.0, 4.0])
