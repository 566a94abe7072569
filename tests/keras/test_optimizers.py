"""tf.keras.optimizers: update formulas, options, bookkeeping, errors and config.

Two independent checks per optimizer: a NumPy version of the update formula run
for several steps, and golden numbers recorded from real Keras 3.15 (TF 2.21).
"""

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph

O = tf.keras.optimizers
f32 = np.float32

W0 = [[0.5, -1.0], [2.0, 0.25]]
B0 = [0.1, -0.3]
GRADS = [([[0.1, -0.2], [0.3, 0.05]], [0.5, -0.25]),
         ([[-0.4, 0.1], [0.2, -0.3]], [-0.1, 0.2]),
         ([[0.05, 0.6], [-0.2, 0.1]], [0.3, 0.0]),
         ([[0.2, 0.2], [-0.1, -0.5]], [-0.2, 0.4])]

# Final values after the four GRADS steps from W0/B0, printed by Keras 3.15 (TF 2.21)
# for the optimizer built by CONFIGS[name] (float32 values, shortest repr).
KERAS_3_15 = {
    "sgd": {"w": [[0.50500005, -1.0699999], [1.98, 0.31500003]], "b": [0.050000004, -0.335]},
    "sgd_momentum": {"w": [[0.54451, -1.0923201], [1.89063, 0.345105]],
                     "b": [-0.08184999, -0.30822504]},
    "sgd_nesterov": {"w": [[0.54505897, -1.153088], [1.881567, 0.4005945]],
                     "b": [-0.113664985, -0.3424025]},
    "adam": {"w": [[0.49196288, -0.9845748], [1.754588, 0.2986123]],
             "b": [-0.15048626, -0.23279078]},
    "adam_amsgrad": {"w": [[0.49196288, -0.9845748], [1.754588, 0.2986123]],
                     "b": [-0.15048626, -0.23279303]},
    "adam_weight_decay": {"w": [[0.4827958, -0.966219], [1.7175204, 0.29439047]],
                          "b": [-0.1501368, -0.22840855]},
    "adamw": {"w": [[0.4737651, -0.948144], [1.6810268, 0.2902311]],
              "b": [-0.14977512, -0.22410023]},
    "adamax": {"w": [[0.4623805, -0.94415414], [1.7801874, 0.24653798]],
               "b": [-0.102977365, -0.21901007]},
    "nadam": {"w": [[0.44030035, -1.0736771], [1.8946687, 0.31445202]],
              "b": [-0.026003592, -0.33941734]},
    "rmsprop": {"w": [[0.3018385, -1.2305353], [1.7491876, 0.4162017]],
                "b": [-0.21042225, -0.446934]},
    "rmsprop_momentum_centered": {"w": [[0.21869083, -1.206568], [1.3567698, 0.32590994]],
                                  "b": [-0.56917804, -0.29940724]},
    "adagrad": {"w": [[0.5014735, -1.0833524], [1.9468608, 0.35486615]],
                "b": [0.016001323, -0.34886348]},
    "adadelta": {"w": [[0.4989465, -1.0024579], [1.9992226, 0.25212744]],
                 "b": [0.09869086, -0.30170357]},
    "ftrl": {"w": [[0.024742259, -0.2381982], [0.49590817, 0.107933775]],
             "b": [-0.037450936, -0.11352411]},
    "ftrl_regularized": {"w": [[0.012169912, -0.17952172], [0.36699998, 0.0867626]],
                         "b": [-0.030534154, -0.0889869]},
    "lion": {"w": [[0.3, -1.2], [2.0, 0.25]], "b": [0.1, -0.3]},
    "sgd_clipnorm": {"w": [[0.5013363, -1.0278987], [1.9796908, 0.28351188]],
                     "b": [0.06658359, -0.33341643]},
    "sgd_clipvalue": {"w": [[0.48999998, -1.035], [1.985, 0.28500003]],
                      "b": [0.080000006, -0.32000002]},
    "sgd_global_clipnorm": {"w": [[0.5092586, -1.0495555], [1.9817704, 0.2986156]],
                            "b": [0.063836984, -0.3255884]},
    "adam_schedule": {"w": [[0.4574581, -0.928202], [1.8092207, 0.22839108]],
                      "b": [-0.081003405, -0.20888157]},
    "sgd_ema": {"w":
        [[0.50500005, -1.0699999], [1.98, 0.31500003]], "b": [0.050000004, -0.335], "averages":
         [[[0.51125, -1.0437499], [1.9725001, 0.28875]], [0.04625, -0.3125]]},
    "sgd_ema_overwrite": {"w":
        [[0.49145585, -1.0478888], [1.9587718, 0.30729192]], "b": [0.013338506, -0.31290278],
         "averages": [[[0.49085197, -0.981044], [1.9687412, 0.24625349]], [0.048335, -0.27530754]]},
    "sgd_accumulation": {"w": [[0.516, -1.0305], [1.9675, 0.29375]], "b": [0.056999996, -0.31525]},
    "sgd_loss_scale": {"w": [[0.50124997, -1.0175], [1.995, 0.26624998]], "b": [0.0875, -0.30875]},
}

CONFIGS = {
    "sgd": lambda: O.SGD(0.1),
    "sgd_momentum": lambda: O.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: O.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: O.Adam(0.1),
    "adam_amsgrad": lambda: O.Adam(0.1, amsgrad=True),
    "adam_weight_decay": lambda: O.Adam(0.1, weight_decay=0.05),
    "adamw": lambda: O.AdamW(0.1, weight_decay=0.1),
    "adamax": lambda: O.Adamax(0.1),
    "nadam": lambda: O.Nadam(0.1),
    "rmsprop": lambda: O.RMSprop(0.1),
    "rmsprop_momentum_centered": lambda: O.RMSprop(0.1, momentum=0.5, centered=True),
    "adagrad": lambda: O.Adagrad(0.1),
    "adadelta": lambda: O.Adadelta(1.0),
    "ftrl": lambda: O.Ftrl(0.1),
    "ftrl_regularized": lambda: O.Ftrl(0.1, l1_regularization_strength=0.01,
                                       l2_regularization_strength=0.02,
                                       l2_shrinkage_regularization_strength=0.03, beta=0.1),
    "lion": lambda: O.Lion(0.1),
    "sgd_clipnorm": lambda: O.SGD(0.1, clipnorm=0.3),
    "sgd_clipvalue": lambda: O.SGD(0.1, clipvalue=0.25),
    "sgd_global_clipnorm": lambda: O.SGD(0.1, global_clipnorm=0.5),
    "adam_schedule": lambda: O.Adam(O.schedules.ExponentialDecay(0.1, 2, 0.5)),
    "sgd_ema": lambda: O.SGD(0.1, use_ema=True, ema_momentum=0.5),
    "sgd_ema_overwrite": lambda: O.SGD(0.1, momentum=0.9, use_ema=True,
                                       ema_overwrite_frequency=3),
    "sgd_accumulation": lambda: O.SGD(0.1, momentum=0.9, gradient_accumulation_steps=2),
    "sgd_loss_scale": lambda: O.SGD(0.1, loss_scale_factor=4.0),
}


def run(optimizer, grads=GRADS, dtype=tf.float32):
    w, b = tf.Variable(W0, dtype=dtype), tf.Variable(B0, dtype=dtype)
    for gw, gb in grads:
        optimizer.apply_gradients([(tf.constant(gw, dtype), w), (tf.constant(gb, dtype), b)])
    return w, b


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_matches_keras_golden_numbers(name):
    optimizer = CONFIGS[name]()
    w, b = run(optimizer)
    expected = KERAS_3_15[name]
    np.testing.assert_allclose(w.numpy(), expected["w"], rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(b.numpy(), expected["b"], rtol=2e-6, atol=1e-7)
    if "averages" in expected:
        averages = optimizer._model_variables_moving_average
        for average, values in zip(averages, expected["averages"]):
            np.testing.assert_allclose(average.numpy(), values, rtol=2e-6, atol=1e-7)


# -- independent NumPy formulas (float32, like the variables) ------------------------------

def numpy_sgd(w, g, t, s, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - g * lr
    s["m"] = s.get("m", 0 * w) * momentum - g * lr
    if nesterov:
        return w + s["m"] * momentum - g * lr
    return w + s["m"]


def numpy_adam(w, g, t, s, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    m = s["m"] = s.get("m", 0 * w) * beta_1 + g * (1 - beta_1)
    v = s["v"] = s.get("v", 0 * w) * beta_2 + g * g * (1 - beta_2)
    if amsgrad:
        v = s["v_hat"] = np.maximum(s.get("v_hat", 0 * w), v)
    # Kingma & Ba's efficient form (before their section 2.1): epsilon is "epsilon hat".
    alpha = lr * np.sqrt(1 - f32(beta_2) ** t) / (1 - f32(beta_1) ** t)
    return w - alpha * m / (np.sqrt(v) + epsilon)


def numpy_adamax(w, g, t, s, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = s["m"] = s.get("m", 0 * w) * beta_1 + g * (1 - beta_1)
    u = s["u"] = np.maximum(s.get("u", 0 * w) * beta_2, np.abs(g))
    return w - lr / (1 - f32(beta_1) ** t) * m / (u + epsilon)


def numpy_nadam(w, g, t, s, lr, shared, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def mu(step):
        return beta_1 * (1 - 0.5 * f32(0.96) ** step)
    if shared.get("step") != t:            # the momentum product advances once per step
        shared["step"] = t
        shared["u_product"] = shared.get("u_product", f32(1)) * mu(t)
    u_product = shared["u_product"]
    m = s["m"] = s.get("m", 0 * w) * beta_1 + g * (1 - beta_1)
    v = s["v"] = s.get("v", 0 * w) * beta_2 + g * g * (1 - beta_2)
    m_hat = mu(t + 1) * m / (1 - u_product * mu(t + 1)) + (1 - mu(t)) * g / (1 - u_product)
    v_hat = v / (1 - f32(beta_2) ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)


def numpy_rmsprop(w, g, t, s, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    s["ms"] = rho * s.get("ms", 0 * w) + (1 - rho) * g * g
    denominator = s["ms"] + epsilon
    if centered:
        s["mg"] = rho * s.get("mg", 0 * w) + (1 - rho) * g
        denominator = denominator - s["mg"] ** 2
    step = lr * g / np.sqrt(denominator)
    if momentum > 0:
        s["mom"] = momentum * s.get("mom", 0 * w) + step
        step = s["mom"]
    return w - step


def numpy_adagrad(w, g, t, s, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    s["acc"] = s.get("acc", 0 * w + f32(initial_accumulator_value)) + g * g
    return w - lr * g / np.sqrt(s["acc"] + epsilon)


def numpy_adadelta(w, g, t, s, lr, rho=0.95, epsilon=1e-7):
    s["eg"] = rho * s.get("eg", 0 * w) + (1 - rho) * g * g
    delta = -np.sqrt(s.get("ed", 0 * w) + epsilon) / np.sqrt(s["eg"] + epsilon) * g
    s["ed"] = rho * s.get("ed", 0 * w) + (1 - rho) * delta * delta
    return w + lr * delta


def numpy_lion(w, g, t, s, lr, beta_1=0.9, beta_2=0.99):
    m = s.get("m", 0 * w)
    s["m"] = beta_2 * m + (1 - beta_2) * g
    return w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)


def numpy_ftrl(w, g, t, s, lr, learning_rate_power=-0.5, initial_accumulator_value=0.1,
               l1=0.0, l2=0.0, shrinkage=0.0, beta=0.0):
    accum = s.get("accum", 0 * w + f32(initial_accumulator_value))
    linear = s.get("linear", 0 * w)
    p = -learning_rate_power
    new_accum = accum + g * g
    sigma = (new_accum ** p - accum ** p) / lr
    s["linear"] = linear + g + 2 * shrinkage * w - sigma * w
    s["accum"] = new_accum
    quadratic = new_accum ** p / lr + 2 * (l2 + beta / (2 * lr))
    # Closed-form proximal step: 0 inside the L1 ball, shrink towards it outside.
    return np.where(np.abs(s["linear"]) > l1,
                    (np.sign(s["linear"]) * l1 - s["linear"]) / quadratic, 0 * w)


def numpy_run(formula, grads=GRADS, weight_decay=None, **options):
    """Runs `formula` on (W0, B0) for every step of `grads`; returns the final values."""
    values = [np.array(W0, f32), np.array(B0, f32)]
    states, shared = [{}, {}], {}
    if formula is numpy_nadam:
        options["shared"] = shared
    lr = f32(options.pop("lr"))
    for t, step_grads in enumerate(grads, start=1):
        for i, g in enumerate(step_grads):
            if weight_decay is not None:
                values[i] = values[i] - values[i] * f32(weight_decay) * lr
            values[i] = formula(values[i], np.array(g, f32), f32(t), states[i], lr, **options)
    return values


NUMPY_CASES = [
    (lambda: O.SGD(0.1), numpy_sgd, {}),
    (lambda: O.SGD(0.05, momentum=0.9), numpy_sgd, {"momentum": 0.9}),
    (lambda: O.SGD(0.05, momentum=0.5, nesterov=True), numpy_sgd,
     {"momentum": 0.5, "nesterov": True}),
    (lambda: O.Adam(0.1), numpy_adam, {}),
    (lambda: O.Adam(0.02, beta_1=0.8, beta_2=0.9, epsilon=1e-3, amsgrad=True), numpy_adam,
     {"beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3, "amsgrad": True}),
    (lambda: O.Adam(0.1, weight_decay=0.2), numpy_adam, {"weight_decay": 0.2}),
    (lambda: O.AdamW(0.1), numpy_adam, {"weight_decay": 0.004}),
    (lambda: O.Adamax(0.1), numpy_adamax, {}),
    (lambda: O.Adamax(0.01, beta_1=0.5, epsilon=1e-2), numpy_adamax,
     {"beta_1": 0.5, "epsilon": 1e-2}),
    (lambda: O.Nadam(0.1), numpy_nadam, {}),
    (lambda: O.Nadam(0.01, beta_1=0.7, beta_2=0.9), numpy_nadam, {"beta_1": 0.7, "beta_2": 0.9}),
    (lambda: O.RMSprop(0.1), numpy_rmsprop, {}),
    (lambda: O.RMSprop(0.01, rho=0.8, momentum=0.9), numpy_rmsprop,
     {"rho": 0.8, "momentum": 0.9}),
    (lambda: O.RMSprop(0.01, centered=True, epsilon=1e-3), numpy_rmsprop,
     {"centered": True, "epsilon": 1e-3}),
    (lambda: O.Adagrad(0.1), numpy_adagrad, {}),
    (lambda: O.Adagrad(0.5, initial_accumulator_value=1.0), numpy_adagrad,
     {"initial_accumulator_value": 1.0}),
    (lambda: O.Adadelta(1.0), numpy_adadelta, {}),
    (lambda: O.Adadelta(0.5, rho=0.5, epsilon=1e-3), numpy_adadelta, {"rho": 0.5, "epsilon": 1e-3}),
    (lambda: O.Ftrl(0.1), numpy_ftrl, {}),
    (lambda: O.Ftrl(0.2, learning_rate_power=-0.7, initial_accumulator_value=0.5,
                    l1_regularization_strength=0.01, l2_regularization_strength=0.1,
                    l2_shrinkage_regularization_strength=0.05, beta=0.3), numpy_ftrl,
     {"learning_rate_power": -0.7, "initial_accumulator_value": 0.5, "l1": 0.01, "l2": 0.1,
      "shrinkage": 0.05, "beta": 0.3}),
    (lambda: O.Lion(0.1), numpy_lion, {}),
    (lambda: O.Lion(0.01, beta_1=0.5, beta_2=0.9, weight_decay=0.1), numpy_lion,
     {"beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("make, formula, options", NUMPY_CASES,
                         ids=lambda x: getattr(x, "__name__", ""))
def test_matches_numpy_formula(make, formula, options):
    optimizer = make()
    w, b = run(optimizer)
    lr = optimizer.get_config()["learning_rate"]
    expected_w, expected_b = numpy_run(formula, lr=lr, **options)
    np.testing.assert_allclose(w.numpy(), expected_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.numpy(), expected_b, rtol=1e-5, atol=1e-6)
    assert int(optimizer.iterations) == len(GRADS)


def test_clipping_options_match_numpy():
    grads = [([[3.0, -4.0], [0.0, 0.0]], [0.1, 0.2])]
    # clipnorm: each gradient to L2 norm <= 1; clipvalue: each element to [-0.15, 0.15];
    # global_clipnorm: all gradients together to norm <= 1.
    w, b = run(O.SGD(1.0, clipnorm=1.0), grads)
    np.testing.assert_allclose(w.numpy(), np.array(W0) - [[0.6, -0.8], [0.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), np.array(B0) - [0.1, 0.2], rtol=1e-6)
    w, b = run(O.SGD(1.0, clipvalue=0.15), grads)
    np.testing.assert_allclose(w.numpy(), np.array(W0) - [[0.15, -0.15], [0.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), np.array(B0) - [0.1, 0.15], rtol=1e-6)
    w, b = run(O.SGD(1.0, global_clipnorm=1.0), grads)
    norm = np.sqrt(25.0 + 0.05)
    np.testing.assert_allclose(w.numpy(), np.array(W0) - np.array(grads[0][0]) / norm,
                               rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), np.array(B0) - np.array(grads[0][1]) / norm,
                               rtol=1e-6)


# -- bookkeeping ----------------------------------------------------------------------------

def test_defaults_names_and_variables_match_keras():
    defaults = {O.SGD: 0.01, O.Adam: 0.001, O.AdamW: 0.001, O.Adamax: 0.001, O.Nadam: 0.001,
                O.RMSprop: 0.001, O.Adagrad: 0.001, O.Adadelta: 0.001, O.Ftrl: 0.001,
                O.Lion: 0.001}
    for cls, lr in defaults.items():
        optimizer = cls()
        assert optimizer.learning_rate.dtype == tf.float32
        np.testing.assert_allclose(optimizer.learning_rate.numpy(), lr)
    assert O.RMSprop(name="rms").name == "rms"
    first, second = O.AdamW(), O.AdamW()
    assert first.name.startswith("adam_w") and second.name != first.name
    adam = O.Adam(amsgrad=True, name="adam_x")
    w = tf.Variable([1.0, 2.0], name="w")
    adam.apply_gradients([(tf.constant([0.1, 0.2]), w)])
    assert [v.name for v in adam.variables] == [
        "adam_x/iteration:0", "adam_x/learning_rate:0", "adam_x/w_0_momentum:0",
        "adam_x/w_0_velocity:0", "adam_x/w_0_velocity_hat:0"]
    assert adam.iterations.dtype == tf.int64 and int(adam.iterations) == 1
    assert not any(v.trainable for v in adam.variables)


def test_slots_are_created_lazily_on_first_apply():
    optimizer = O.SGD(0.1, momentum=0.9)
    assert len(optimizer.variables) == 2 and not optimizer.built
    optimizer.build([tf.Variable([1.0]), tf.Variable([[1.0, 2.0]])])
    assert optimizer.built and [tuple(v.shape) for v in optimizer.variables[2:]] == [(1,), (1, 2)]


def test_none_gradients_are_skipped_with_a_warning():
    optimizer = O.SGD(0.1)
    w, b = tf.Variable([1.0, 2.0], name="w"), tf.Variable(3.0, name="b")
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['w:0'\]"):
        optimizer.apply_gradients([(None, w), (tf.constant(1.0), b)])
    np.testing.assert_allclose(w.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(b.numpy(), 2.9)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        optimizer.apply_gradients([(None, w), (None, b)])


def test_bad_gradient_shape_updates_nothing():
    optimizer = O.Adam(0.1)
    w, b = tf.Variable([1.0, 2.0], name="w"), tf.Variable([[3.0]], name="b")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[3\] vs"):
        optimizer.apply_gradients([(tf.constant([1.0, 1.0]), w),
                                   (tf.constant([1.0, 2.0, 3.0]), b)])
    np.testing.assert_allclose(w.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(b.numpy(), [[3.0]])
    assert int(optimizer.iterations) == 0
    assert all(not v.numpy().any() for v in optimizer.variables[2:])


def test_unknown_variable_and_empty_list():
    optimizer = O.SGD(0.1)
    optimizer.apply_gradients([(tf.constant(1.0), tf.Variable(1.0))])
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply_gradients([(tf.constant(1.0), tf.Variable(2.0))])
    with pytest.raises(ValueError):
        optimizer.apply_gradients([])


def test_gradients_are_cast_to_the_variable_dtype():
    optimizer = O.SGD(0.5)
    w = tf.Variable([1.0, 2.0])
    optimizer.apply_gradients([(tf.constant([1, 2]), w)])           # int32 gradient
    optimizer.apply_gradients([([1.0, 1.0], w)])                      # a Python list
    optimizer.apply_gradients([(tf.constant([1.0, 1.0], tf.float64), w)])
    np.testing.assert_allclose(w.numpy(), [-0.5, 0.0])
    v64 = tf.Variable([1.0, 2.0], dtype=tf.float64)
    adam = O.Adam(0.1)
    adam.apply_gradients([(tf.constant([0.5, -0.5], tf.float64), v64)])
    adam.apply_gradients([(tf.constant([0.25, 1.0], tf.float64), v64)])
    assert v64.dtype == tf.float64 and adam.variables[2].dtype == tf.float64
    # Keras 3.15 gives these float64 values (the float32 learning rate is cast up).
    np.testing.assert_allclose(v64.numpy(), [0.8067844816148804, 2.0633886956027063],
                               rtol=1e-14)


def test_learning_rate_property_setter_and_lr_alias():
    optimizer = O.SGD(0.1)
    optimizer.learning_rate = 0.5
    np.testing.assert_allclose(optimizer.learning_rate.numpy(), 0.5)
    optimizer.lr.assign(0.25)
    np.testing.assert_allclose(optimizer.learning_rate.numpy(), 0.25)
    w = tf.Variable(1.0)
    optimizer.apply_gradients([(tf.constant(1.0), w)])
    np.testing.assert_allclose(w.numpy(), 0.75)
    with pytest.raises(ValueError, match="Argument `learning_rate` should be float"):
        O.SGD(1)
    scheduled = O.SGD(O.schedules.ExponentialDecay(0.1, 1, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.3
    callable_rate = O.SGD(lambda: 0.5)
    callable_rate.apply_gradients([(tf.constant(1.0), w)])
    np.testing.assert_allclose(w.numpy(), 0.25)


def test_schedule_is_evaluated_at_iterations():
    optimizer = O.SGD(O.schedules.PiecewiseConstantDecay([1], [1.0, 0.1]))
    w = tf.Variable(0.0)
    for _ in range(3):     # steps 0 and 1 use 1.0, step 2 uses 0.1
        optimizer.apply_gradients([(tf.constant(1.0), w)])
    np.testing.assert_allclose(w.numpy(), -2.1, rtol=1e-6)
    np.testing.assert_allclose(optimizer.learning_rate.numpy(), 0.1)


def test_exclude_from_weight_decay():
    optimizer = O.SGD(1.0, weight_decay=0.5)
    w, bias = tf.Variable(2.0, name="w"), tf.Variable(2.0, name="dense/bias")
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.apply_gradients([(tf.constant(0.0), w), (tf.constant(0.0), bias)])
    np.testing.assert_allclose([w.numpy(), bias.numpy()], [1.0, 2.0])
    with pytest.raises(ValueError, match="before the optimizer is built"):
        optimizer.exclude_from_weight_decay(var_names=["w"])


def test_constraints_are_applied_after_the_update():
    w = tf.Variable([1.0, -1.0], constraint=lambda x: tf.maximum(x, 0.0))
    O.SGD(1.0).apply_gradients([(tf.constant([2.0, 2.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])


def test_option_errors():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue`"):
        O.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="Argument\\(s\\) not recognized"):
        O.Adam(lr=0.1)
    with pytest.raises(ValueError, match="`momentum` must be a float between"):
        O.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="weight_decay=None"):
        O.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="`gradient_accumulation_steps` must be"):
        O.SGD(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="beta_1"):
        O.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="`learning_rate_power` needs to be negative"):
        O.Ftrl(learning_rate_power=0.5)


def test_minimize_with_callable_loss_and_with_tape():
    w = tf.Variable(3.0)
    optimizer = O.SGD(0.1)
    optimizer.minimize(lambda: w * w, [w])                  # d/dw w^2 = 6
    np.testing.assert_allclose(w.numpy(), 2.4, rtol=1e-6)
    with tf.GradientTape() as tape:
        loss = w * w
    optimizer.minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), 1.92, rtol=1e-6)
    with pytest.raises(ValueError, match="`tape` is required"):
        optimizer.minimize(w * w, [w])


def test_traced_update_matches_eager():
    """apply_gradients under a trace builds Assign* nodes; running the graph updates the
    variables exactly like the eager step."""
    eager_w, eager_b = run(O.Adam(0.1, amsgrad=True), grads=GRADS[:2])
    optimizer = O.Adam(0.1, amsgrad=True)
    w, b = tf.Variable(W0), tf.Variable(B0)
    graph = Graph("train_step")
    with graph_scope(graph):
        gw = graph.placeholder(tf.TensorSpec((2, 2), tf.float32))
        gb = graph.placeholder(tf.TensorSpec((2,), tf.float32))
        optimizer.apply_gradients([(gw, w), (gb, b)])
    assert any(node.op.name == "AssignVariableOp" for node in graph.nodes)
    assert int(optimizer.iterations) == 0 and optimizer.built     # nothing ran yet
    for step_grads in GRADS[:2]:
        interpret(graph, [tf.constant(g) for g in step_grads])
    np.testing.assert_allclose(w.numpy(), eager_w.numpy(), rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), eager_b.numpy(), rtol=1e-6)
    assert int(optimizer.iterations) == 2


# -- config and lookup -----------------------------------------------------------------------

def test_get_config_matches_keras_keys_and_round_trips():
    config = O.Adam(0.01, beta_1=0.8, amsgrad=True, clipnorm=1.0, name="a").get_config()
    assert config == {"name": "a", "learning_rate": pytest.approx(0.01), "weight_decay": None,
                      "clipnorm": 1.0, "global_clipnorm": None, "clipvalue": None,
                      "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                      "loss_scale_factor": None, "gradient_accumulation_steps": None,
                      "beta_1": 0.8, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": True}
    clone = O.Adam.from_config(config)
    assert clone.get_config() == config
    scheduled = O.SGD(O.schedules.CosineDecay(0.1, 10), momentum=0.5)
    config = scheduled.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    restored = O.SGD.from_config(config)
    assert isinstance(restored._learning_rate, O.schedules.CosineDecay)
    assert restored.get_config()["learning_rate"] == config["learning_rate"]


def test_get_serialize_deserialize():
    for name, cls in [("adam", O.Adam), ("SGD", O.SGD), ("RMSprop", O.RMSprop),
                      ("rmsprop", O.RMSprop), ("adamw", O.AdamW), ("ftrl", O.Ftrl),
                      ("lion", O.Lion), ("nadam", O.Nadam), ("adamax", O.Adamax),
                      ("adagrad", O.Adagrad), ("adadelta", O.Adadelta)]:
        assert type(O.get(name)) is cls
    optimizer = O.SGD(0.5, momentum=0.25)
    assert O.get(optimizer) is optimizer and O.get(None) is None
    data = O.serialize(optimizer)
    assert data["class_name"] == "SGD" and data["module"] == "keras.optimizers"
    clone = O.deserialize(data)
    assert type(clone) is O.SGD and clone.momentum == 0.25
    assert O.get({"class_name": "Adam", "config": {"learning_rate": 0.5}}).get_config()[
        "learning_rate"] == 0.5
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: adamx.*"
                                         "adam, adamax"):
        O.get("adamx")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        O.get(42)
    assert O.legacy.Adam is O.Adam


def test_set_weights_restores_state():
    source = O.Adam(0.1)
    w = tf.Variable([1.0, 2.0])
    source.apply_gradients([(tf.constant([0.3, -0.1]), w)])
    target = O.Adam(0.1)
    target.build([w])
    target.set_weights(source.get_weights())
    for a, b in zip(source.variables, target.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="not yet been built"):
        O.Adam().set_weights([])


@pytest.mark.parametrize("module", ["tapeflow.keras.optimizers", "tapeflow.keras.optimizers.sgd",
                                    "tapeflow.keras.optimizers.schedules"])
def test_docstring_examples(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_custom_optimizer_subclass_writes_only_build_and_update_step():
    class MomentumSGD(O.Optimizer):
        def __init__(self, learning_rate=0.1, momentum=0.5, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)
            self.momentum = momentum

        def build(self, variables):
            super().build(variables)
            self.velocities = self.add_optimizer_variables(variables, "velocity")

        def update_step(self, gradient, variable, learning_rate):
            v = self.velocities[self._get_variable_index(variable)]
            self.assign(v, v * self.momentum - gradient * learning_rate)
            self.assign_add(variable, v)

    optimizer = MomentumSGD(clipvalue=1.0)
    w = tf.Variable([1.0, 2.0], name="w")
    optimizer.apply_gradients([(tf.constant([5.0, -0.5]), w)])   # clipped to [1, -0.5]
    optimizer.apply_gradients([(tf.constant([0.0, 0.0]), w)])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.1 - 0.05, 2.0 + 0.05 + 0.025], rtol=1e-6)
    assert optimizer.name.startswith("momentum_sgd")
    assert [v.name.split("/")[-1] for v in optimizer.variables][2:] == ["w_0_velocity:0"]


def test_overwrite_with_gradient_variables_take_the_gradient():
    scale = tf.Variable([1.0, 1.0], name="scale")
    scale.overwrite_with_gradient = True            # what Keras' float8 layers set
    w = tf.Variable([1.0, 1.0], name="w")
    optimizer = O.Adam(0.1)
    optimizer.apply_gradients([(tf.constant([3.0, 4.0]), scale), (tf.constant([1.0, 1.0]), w)])
    np.testing.assert_allclose(scale.numpy(), [3.0, 4.0])
    assert not any("scale" in v.name for v in optimizer.variables)   # no slots for it
    accumulating = O.SGD(0.1, gradient_accumulation_steps=2)
    scale.assign([0.0, 0.0])
    accumulating.apply_gradients([(tf.constant([3.0, 1.0]), scale)])
    np.testing.assert_allclose(scale.numpy(), [0.0, 0.0])          # not an update step
    accumulating.apply_gradients([(tf.constant([2.0, 5.0]), scale)])
    np.testing.assert_allclose(scale.numpy(), [3.0, 5.0])          # the running maximum
