"""tf.gradients / tf.hessians in traced functions, tf.recompute_grad, tf.grad_pass_through,
tf.RegisterGradient and tf.no_gradient; expected values from TF 2.21."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.op import Op
from tapeflow.testing.gradient_checker import check_gradients


def test_gradients_are_graph_only():
    for fn in (tf.gradients, tf.hessians):
        with pytest.raises(RuntimeError, match="tf.gradients is not supported when eager "
                                               "execution is enabled. Use tf.GradientTape "
                                               "instead."):
            fn(tf.constant(1.0), tf.constant(1.0))


def test_gradients_in_a_traced_function_match_tf():
    @tf.function
    def g(x):
        y = x * x
        return (tf.gradients(y, x), tf.gradients([y, x], [x]),
                tf.gradients(y, x, grad_ys=tf.constant([2.0, 3.0])),
                tf.gradients(y, x, stop_gradients=[y]), tf.gradients(tf.constant(1.0), x),
                tf.gradients(tf.constant(1.0), x, unconnected_gradients="zero"))

    plain, summed, seeded, stopped, unconnected, zeros = g(tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(plain[0], [2.0, 4.0])
    np.testing.assert_array_equal(summed[0], [3.0, 5.0])
    np.testing.assert_array_equal(seeded[0], [4.0, 12.0])
    assert stopped == [None] and unconnected == [None]
    np.testing.assert_array_equal(zeros[0], [0.0, 0.0])


def test_gradients_stop_gradients_and_variables():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        a = x * 2.0
        b = a * 3.0
        y = tf.stop_gradient(x) * x
        return (tf.gradients(tf.reduce_sum(x * v), v), tf.gradients(b, x, stop_gradients=[a]),
                tf.gradients(y, x, stop_gradients=[x]))

    through_var, stop_a, stop_x = f(tf.constant(3.0))
    assert float(through_var[0]) == 3.0 and stop_a == [None] and float(stop_x[0]) == 3.0


def test_gradients_through_control_flow_and_inside_cond():
    @tf.function
    def f(x):
        y = tf.cond(tf.reduce_sum(x) > 0, lambda: tf.sin(x), lambda: x * x)
        z = tf.map_fn(lambda v: v * v * v, x)
        return tf.gradients(tf.reduce_sum(y), x)[0], tf.gradients(tf.reduce_sum(z), x)[0]

    x = np.array([0.5, 1.0])
    dy, dz = f(tf.constant(x))
    np.testing.assert_allclose(dy, np.cos(x), rtol=1e-6)
    np.testing.assert_allclose(dz, 3 * x * x, rtol=1e-6)


def test_hessians():
    @tf.function
    def h(x):
        return tf.hessians(tf.reduce_sum(x * x * x), x)

    (hess,) = h(tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(hess, [[6.0, 0.0], [0.0, 12.0]])

    @tf.function
    def h2(m):
        return tf.hessians(tf.reduce_sum(tf.matmul(m, m)), m)[0]

    assert h2(tf.ones([2, 2])).shape == (2, 2, 2, 2)


def test_recompute_grad_matches_tf():
    w = tf.Variable([1.0, 2.0])
    calls = []

    def body(x):
        calls.append(1)
        return tf.sin(x * w)

    f = tf.recompute_grad(body)
    x = tf.constant([0.5, 0.25])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x))
    dx, dw = tape.gradient(y, [x, w])
    np.testing.assert_allclose(dx, [0.87758255, 1.7551651], rtol=1e-6)   # TF's numbers
    np.testing.assert_allclose(dw, [0.43879128, 0.21939564], rtol=1e-6)
    assert len(calls) == 2   # forward, then recomputed for the gradient
    check_gradients(tf.recompute_grad(lambda a, b: tf.tanh(a * b)),
                    [np.array([0.3, -0.4]), np.array([1.2, 0.7])])


def test_grad_pass_through_matches_tf():
    v = tf.Variable(1.0)
    y = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(y)
        z = tf.grad_pass_through(v.assign)(y) ** 2
    assert float(tape.gradient(z, y)) == 6.0 and float(v) == 3.0
    x = tf.constant([0.4, 1.6])
    with tf.GradientTape() as tape:
        tape.watch(x)
        q = tf.grad_pass_through(tf.round)(x) * 2.0
    np.testing.assert_array_equal(tape.gradient(q, x), [2.0, 2.0])


def test_register_gradient_and_no_gradient():
    with pytest.raises(KeyError, match="Registering two gradient with name 'Square'!"):
        tf.RegisterGradient("Square")(lambda op, grad: grad)
    with pytest.raises(TypeError, match="op_type must be a string"):
        tf.RegisterGradient(3)
    with pytest.raises(TypeError, match="op_type must be a string"):
        tf.no_gradient(3)
    tf.no_gradient("NotAnOpAnywhere")

    from tapeflow.core.dispatch import apply
    from tapeflow.ops._rules import same_as_input
    op = Op("CoreApiTestCube", infer=same_as_input, differentiable=False)
    op.kernel(lambda x, scale: x ** 3 * scale)
    try:
        @tf.RegisterGradient("CoreApiTestCube")
        def _cube_grad(grad_op, grad):
            (x,) = grad_op.inputs
            return grad * 3.0 * x * x * grad_op.get_attr("scale")

        x = tf.constant(2.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = apply(op, x, scale=0.5)
        assert float(tape.gradient(y, x)) == 6.0
        tf.no_gradient("CoreApiTestCube")
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = apply(op, x, scale=0.5)
        assert tape.gradient(y, x) is None
    finally:
        from tapeflow.core.op import REGISTRY
        del REGISTRY["CoreApiTestCube"]
