"""AutoGraph: Python control flow on tensors inside tf.function."""
import numpy as np
import pytest

import tapeflow as tf


def _both(fn, *args):
    """The eager result and the traced result of fn(*args)."""
    return fn(*args), tf.function(fn)(*args)


def test_if_else_on_a_tensor():
    def f(x):
        if tf.reduce_sum(x) > 0:
            y = x * 2.0
        else:
            y = -x
        return y

    for value in ([1.0, 2.0], [-1.0, -2.0]):
        eager, traced = _both(f, tf.constant(value))
        np.testing.assert_allclose(traced.numpy(), eager.numpy())


def test_one_trace_serves_both_branches():
    @tf.function
    def f(x):
        if x > 0:
            return x
        return -x

    assert float(f(tf.constant(3.0))) == 3.0 and float(f(tf.constant(-4.0))) == 4.0
    assert f.experimental_get_tracing_count() == 1


def test_python_conditions_stay_python():
    traced_branches = []

    @tf.function
    def f(x, flag):
        if flag:
            traced_branches.append("yes")
            return x + 1.0
        traced_branches.append("no")
        return x - 1.0

    assert float(f(tf.constant(1.0), True)) == 2.0
    assert traced_branches == ["yes"]


def test_while_with_break_and_nested_if():
    def f(n):
        i = tf.constant(0)
        total = tf.constant(0)
        while i < n:
            i += 1
            if i % 2 == 0:
                continue
            if total > 10:
                break
            total += i
        return total

    eager, traced = _both(f, tf.constant(20))
    assert int(traced) == int(eager) == 16   # 1 + 3 + 5 + 7, then break at total > 10


def test_return_inside_a_tensor_loop():
    def f(x):
        for i in tf.constant([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]):
            if i > 5:
                return x * tf.cast(i, tf.float32)
            x = x + 1.0
        return -x

    eager, traced = _both(f, tf.constant(1.0))
    assert float(traced) == float(eager) == 42.0


def test_for_over_a_python_list_unrolls():
    @tf.function
    def f(x):
        for scale in [1.0, 2.0, 3.0]:
            x = x * scale
        return x

    assert float(f(tf.constant(1.0))) == 6.0


def test_boolean_operators_and_conditional_expression():
    def f(x, y):
        if x > 0 and not y < 0:
            z = x + y
        else:
            z = x - y
        return z if z > 1 else z * 10.0

    for a, b in ((1.0, 2.0), (1.0, -2.0), (0.5, 0.1)):
        eager, traced = _both(f, tf.constant(a), tf.constant(b))
        assert float(traced) == pytest.approx(float(eager))


def _helper_with_control_flow(x):
    if x > 0:
        return x
    return tf.zeros_like(x)


def test_called_functions_are_converted_too():
    @tf.function
    def f(x):
        return _helper_with_control_flow(x) + 1.0

    assert float(f(tf.constant(-3.0))) == 1.0 and float(f(tf.constant(2.0))) == 3.0


def test_variable_defined_in_one_branch_only_errors_on_use():
    @tf.function
    def f(x):
        if x > 0:
            y = x
        return y * 2.0

    with pytest.raises(UnboundLocalError, match="'y'"):
        f(tf.constant(1.0))


def test_loop_changing_a_shape_raises_tfs_error():
    @tf.function
    def f(x):
        s = tf.zeros([1])
        i = tf.constant(0)
        while i < x:
            s = tf.concat([s, s], 0)
            i += 1
        return s

    with pytest.raises(ValueError, match="'s' enters the loop with shape"):
        f(tf.constant(3))


def test_gradients_through_converted_control_flow():
    w = tf.Variable(2.0)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            y = x
            i = tf.constant(0)
            while i < 3:
                y = y * w
                i += 1
            if y > 100.0:
                y = y / 2.0
        return tape.gradient(y, w)

    assert float(f(tf.constant(1.0))) == pytest.approx(12.0)        # d/dw w^3 = 3 w^2
    assert float(f(tf.constant(100.0))) == pytest.approx(600.0)     # halved branch: 1.5 * 100 w^2


class _TinyDataset:
    """The protocol AutoGraph relies on: `element_spec` and iteration (tf.data has both)."""

    element_spec = tf.TensorSpec([None], tf.float32)

    def __iter__(self):
        return iter([tf.constant([1.0, 2.0]), tf.constant([3.0]), tf.constant([4.0, 5.0])])


def test_for_over_a_dataset_runs_inside_the_compiled_function():
    counter = tf.Variable(0.0)

    @tf.function
    def f(ds):
        total = tf.constant(0.0)
        for batch in ds:
            total += tf.reduce_sum(batch)
            counter.assign_add(1.0)
        return total

    ds = _TinyDataset()
    assert float(f(ds)) == 15.0 and float(counter) == 3.0
    assert float(f(ds)) == 15.0 and float(counter) == 6.0
    assert f.experimental_get_tracing_count() == 1


def test_methods_with_super_are_converted():
    class Base:
        def scale(self):
            return 2.0

    class Child(Base):
        @tf.function
        def run(self, x):
            if x > 0:
                x = x * super().scale()
            return x

    assert float(Child().run(tf.constant(3.0))) == 6.0


def test_do_not_convert():
    @tf.autograph.experimental.do_not_convert
    def plain(x):
        if x > 0:
            return x
        return -x

    @tf.function
    def f(x):
        return plain(x)

    with pytest.raises(TypeError, match="tf.cond"):
        f(tf.constant(1.0))
