"""tf.cond, tf.while_loop, tf.case/switch_case and tf.print, eager and traced."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.testing.gradient_checker import check_gradients


def test_cond_eager_runs_only_the_chosen_branch():
    calls = []
    out = tf.cond(tf.constant(True), lambda: calls.append("t") or tf.constant(1),
                  lambda: calls.append("f") or tf.constant(2))
    assert int(out) == 1 and calls == ["t"]


def test_cond_traced_picks_at_run_time():
    @tf.function
    def f(x):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)

    np.testing.assert_allclose(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(f(tf.constant([-1.0, -2.0])).numpy(), [-2.0, -3.0])
    assert f.experimental_get_tracing_count() == 1


def test_cond_branches_must_match():
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: x, lambda: tf.cast(x, tf.int32))

    with pytest.raises(TypeError, match="same dtype"):
        f(tf.constant(1.0))


def test_while_loop_eager_and_traced_agree():
    def run(n):
        return tf.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc * 2.0),
                             (tf.constant(0), tf.constant(1.0)))

    eager = run(tf.constant(5))
    traced = tf.function(run)(tf.constant(5))
    assert int(traced[0]) == 5 and float(traced[1]) == 32.0 == float(eager[1])


def test_while_loop_maximum_iterations_and_single_var():
    out = tf.function(lambda: tf.while_loop(lambda i: i < 100, lambda i: i + 1,
                                            [tf.constant(0)], maximum_iterations=7))()
    assert int(out[0]) == 7


def test_while_loop_shape_change_needs_invariants():
    @tf.function
    def grow():
        return tf.while_loop(lambda x: tf.size(x) < 4, lambda x: tf.concat([x, x], 0),
                             [tf.ones([1])])

    with pytest.raises(ValueError, match="shape_invariants"):
        grow()

    @tf.function
    def grow_relaxed():
        return tf.while_loop(lambda x: tf.size(x) < 4, lambda x: tf.concat([x, x], 0),
                             [tf.ones([1])], shape_invariants=[tf.TensorShape([None])])

    assert grow_relaxed()[0].shape == [4]


def test_variable_updates_inside_a_traced_loop():
    counter = tf.Variable(0.0)

    @tf.function
    def f(n):
        def body(i):
            counter.assign_add(2.0)
            return i + 1
        tf.while_loop(lambda i: i < n, body, [tf.constant(0)])
        return counter.read_value()

    assert float(f(tf.constant(3))) == 6.0 and float(counter) == 6.0


def test_gradients_through_traced_while_and_cond():
    x = tf.Variable([1.0, 2.0])

    @tf.function
    def g():
        with tf.GradientTape() as tape:
            _, acc = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x),
                                   (tf.constant(0), tf.ones([2])))
            y = tf.reduce_sum(tf.cond(acc[0] > 0, lambda: acc * acc, lambda: acc))
        return tape.gradient(y, x)

    np.testing.assert_allclose(g().numpy(), [6.0, 192.0])   # d/dx sum(x^6) = 6 x^5


@pytest.mark.parametrize("positive", [True, False])
def test_cond_gradient_matches_finite_differences(positive):
    @tf.function
    def f(x, y):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: tf.math.sin(x) * y, lambda: x * x - y)

    x = np.array([0.3, 0.7]) * (1 if positive else -1)
    check_gradients(f, [x, np.array([1.5, -0.5])])


def test_while_gradient_matches_finite_differences():
    @tf.function
    def f(x, w):
        _, out = tf.while_loop(lambda i, v: i < 4, lambda i, v: (i + 1, tf.tanh(v * w)),
                               (tf.constant(0), x))
        return out

    check_gradients(f, [np.array([0.3, -0.2, 0.5]), np.array([1.1, 0.9, -0.7])])


def test_case_and_switch_case():
    @tf.function
    def pick(i):
        return tf.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)],
                              default=lambda: tf.constant(-1))

    assert [int(pick(tf.constant(k))) for k in (0, 1, 5)] == [10, 20, -1]
    x = tf.constant(3)
    out = tf.case([(x < 2, lambda: tf.constant("small")), (x < 5, lambda: tf.constant("mid"))],
                  default=lambda: tf.constant("big"))
    assert out.numpy() == b"mid"


def test_print_runs_on_every_call(capfd):
    @tf.function
    def f(x):
        tf.print("value:", x)
        return x

    f(tf.constant(1))
    f(tf.constant(2))
    err = capfd.readouterr().err
    assert "value: 1" in err and "value: 2" in err
