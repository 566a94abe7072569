"""GradientTape semantics, checked against TF's documented behaviour."""
import numpy as np
import pytest

import tapeflow as tf


def test_watch_constant_and_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0


def test_non_persistent_tape_is_single_use():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_calls():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(z, x)) == 108.0
    assert float(tape.gradient(y, x)) == 6.0


def test_trainable_variables_are_watched_automatically():
    v = tf.Variable(2.0)
    frozen = tf.Variable(5.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * frozen
    gv, gf = tape.gradient(y, [v, frozen])
    assert float(gv) == 5.0 and gf is None


def test_watched_variables_order():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        _ = b * a
    assert [v.name for v in tape.watched_variables()] == [b.name, a.name]


def test_watch_accessed_variables_false():
    v = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = v * v
    assert tape.gradient(y, v) is None


def test_unconnected_gradients():
    x, z = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 3.0
    assert tape.gradient(y, z) is None
    assert float(tape.gradient(y, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)) == 0.0


def test_integer_sources_get_none():
    x = tf.constant(1)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2
    assert tape.gradient(y, x) is None


def test_gradient_does_not_flow_through_integer_casts():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = tf.cast(tf.cast(v, tf.int32), tf.float32) * v
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), 2.0)


def test_nested_structures_of_sources_and_list_targets():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y1, y2 = a * b, a + b
    grads = tape.gradient([y1, y2], {"a": a, "pair": (b,)})
    assert float(grads["a"]) == 3.0 and float(grads["pair"][0]) == 2.0


def test_output_gradients_weight_the_targets():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=tf.constant([10.0, 1.0]))
    np.testing.assert_allclose(g.numpy(), [20.0, 4.0])


def test_stop_recording_and_stop_gradient():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            hidden = x * x
        y = x * tf.stop_gradient(x * x) + hidden
    assert float(tape.gradient(y, x)) == 4.0


def test_reset_forgets_recorded_ops():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * 3.0
    assert float(tape.gradient(z, x)) == 3.0


def test_nested_tapes_give_second_derivatives():
    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x ** 3
        dy = inner.gradient(y, x)
    assert float(dy) == 27.0
    assert float(outer.gradient(dy, x)) == 18.0


def test_broadcast_gradients_are_reduced_to_input_shape():
    x = tf.Variable(tf.ones([3, 1]))
    b = tf.Variable(tf.ones([4]))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(x * b)
    gx, gb = tape.gradient(y, [x, b])
    assert gx.shape == [3, 1] and gb.shape == [4]
    np.testing.assert_allclose(gb.numpy(), [3.0] * 4)


def test_gradient_uses_the_value_read_before_a_later_assign():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    v.assign(100.0)
    assert float(tape.gradient(y, v)) == 4.0


def test_jacobian_and_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    j = tape.jacobian(y, x)
    assert j.shape == [2, 2, 2, 2]
    np.testing.assert_allclose(j.numpy()[1, 0, 1, 0], 6.0)
    np.testing.assert_allclose(j.numpy()[1, 0, 0, 0], 0.0)
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == [2, 2, 2]
    np.testing.assert_allclose(bj.numpy()[1], np.diag([6.0, 8.0]))


def test_custom_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(dy):
            return dy * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0


def test_custom_gradient_with_variables():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            return dy * v, [dy * x * 10.0]
        return x * v, grad

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scaled(x)
    gx, gv = tape.gradient(y, [x, v])
    assert float(gx) == 3.0 and float(gv) == 20.0


def test_no_gradient_rule_is_a_lookup_error():
    from tapeflow.core.dispatch import apply
    from tapeflow.core.op import Op, REGISTRY
    from tapeflow.ops._rules import same_as_input
    op = Op("TestNoGrad", infer=same_as_input)
    op.kernel(lambda x: x)
    try:
        x = tf.constant(1.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = apply(op, x)
        with pytest.raises(LookupError, match="No gradient defined for operation 'TestNoGrad'"):
            tape.gradient(y, x)
    finally:
        del REGISTRY["TestNoGrad"]
