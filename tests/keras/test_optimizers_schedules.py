"""tf.keras.optimizers.schedules: values at several steps, config, errors."""
import math

import numpy as np
import pytest

import tapeflow as tf

S = tf.keras.optimizers.schedules

# Schedule values at steps 0, 2, 4, ..., 14, printed by Keras 3.15 (TF 2.21), float32.
KERAS_3_15 = {
    "exponential": ("ExponentialDecay(0.1, 4, 0.5)",
        [0.1, 0.07071068, 0.05, 0.03535534, 0.025, 0.01767767, 0.0125, 0.008838835]),
    "exponential_staircase": ("ExponentialDecay(0.1, 10, 0.5, staircase=True)",
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05]),
    "piecewise": ("PiecewiseConstantDecay([3, 6], [1.0, 0.5, 0.1])",
        [1.0, 1.0, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1]),
    "polynomial": ("PolynomialDecay(0.1, 5)",
        [0.1, 0.060040005, 0.020079998, 1e-04, 1e-04, 1e-04, 1e-04, 1e-04]),
    "polynomial_power_cycle": (
        "PolynomialDecay(0.1, 5, end_learning_rate=0.01, power=2.0, cycle=True)",
        [0.1, 0.042400002, 0.013599999, 0.0244, 0.013599999, 0.01, 0.013599999, 0.0104]),
    "inverse_time": ("InverseTimeDecay(0.1, 4, 0.5)",
        [0.1, 0.08, 0.06666667, 0.057142857, 0.05, 0.044444446, 0.04, 0.036363635]),
    "inverse_time_staircase": ("InverseTimeDecay(0.1, 4, 0.5, staircase=True)",
        [0.1, 0.1, 0.06666667, 0.06666667, 0.05, 0.05, 0.04, 0.04]),
    "cosine": ("CosineDecay(0.1, 8, alpha=0.1)",
        [0.1, 0.08681981, 0.054999996, 0.023180196, 0.010000001, 0.010000001, 0.010000001,
         0.010000001]),
    "cosine_warmup": ("CosineDecay(0.0, 8, warmup_target=0.2, warmup_steps=4)",
        [0.0, 0.1, 0.2, 0.17071068, 0.099999994, 0.029289324, 0.0, 0.0]),
    "cosine_restarts": ("CosineDecayRestarts(0.1, 3)",
        [0.1, 0.024999997, 0.093301274, 0.049999997, 0.006698725, 0.09829629, 0.08535534,
         0.06294096]),
    "cosine_restarts_constant_period": (
        "CosineDecayRestarts(0.1, 3, t_mul=1.0, m_mul=0.5, alpha=0.1)",
        [0.1, 0.032499995, 0.04375, 0.0325, 0.015624997, 0.018437503, 0.015625, 0.011406251]),
}
STEPS = range(0, 15, 2)


@pytest.mark.parametrize("name", sorted(KERAS_3_15))
def test_values_match_keras(name):
    expression, expected = KERAS_3_15[name]
    schedule = eval(expression, vars(S))
    values = [schedule(step) for step in STEPS]
    assert all(v.dtype == tf.float32 and v.shape == () for v in values)
    np.testing.assert_allclose([float(v) for v in values], expected, rtol=2e-6, atol=1e-8)


def numpy_cosine_restarts(step, initial, first, t_mul, m_mul, alpha):
    """SGDR by walking the periods one by one (independent of the closed form)."""
    start, period, i = 0.0, float(first), 0
    while step >= start + period:
        start, period, i = start + period, period * t_mul, i + 1
    fraction = (step - start) / period
    return initial * ((1 - alpha) * 0.5 * m_mul ** i * (1 + math.cos(math.pi * fraction)) + alpha)


@pytest.mark.parametrize("t_mul, m_mul, alpha",
    [(2.0, 1.0, 0.0), (1.5, 0.8, 0.1), (1.0, 0.5, 0.2)])
def test_cosine_restarts_matches_period_walk(t_mul, m_mul, alpha):
    schedule = S.CosineDecayRestarts(0.3, 4, t_mul=t_mul, m_mul=m_mul, alpha=alpha)
    for step in [0, 1, 3, 5, 9, 13, 20]:
        expected = numpy_cosine_restarts(step, 0.3, 4, t_mul, m_mul, alpha)
        np.testing.assert_allclose(float(schedule(step)), expected, rtol=1e-5, atol=1e-7)


def test_numpy_formulas_for_the_simple_schedules():
    for step in [0, 3, 7, 12]:
        np.testing.assert_allclose(float(S.ExponentialDecay(0.2, 5, 0.3)(step)),
                                   0.2 * 0.3 ** (step / 5), rtol=1e-6)
        np.testing.assert_allclose(float(S.InverseTimeDecay(0.2, 5, 0.3)(step)),
                                   0.2 / (1 + 0.3 * step / 5), rtol=1e-6)
        p = min(step, 10) / 10
        np.testing.assert_allclose(float(S.PolynomialDecay(0.2, 10, 0.02, power=0.5)(step)),
                                   (0.2 - 0.02) * (1 - p) ** 0.5 + 0.02, rtol=1e-6)
        cosine = 0.5 * (1 + math.cos(math.pi * min(step, 10) / 10))
        np.testing.assert_allclose(float(S.CosineDecay(0.2, 10, alpha=0.25)(step)),
                                   0.2 * (0.75 * cosine + 0.25), rtol=1e-6, atol=1e-8)


def test_step_may_be_an_int64_variable():
    step = tf.Variable(6, dtype=tf.int64)
    np.testing.assert_allclose(float(S.PiecewiseConstantDecay([5], [1.0, 0.5])(step)), 0.5)
    np.testing.assert_allclose(float(S.ExponentialDecay(1.0, 3, 0.5)(step)), 0.25)


def test_config_round_trip_and_serialization():
    schedules = [S.ExponentialDecay(0.1, 4, 0.5, staircase=True),
                 S.PiecewiseConstantDecay([3, 6], [1.0, 0.5, 0.1]),
                 S.PolynomialDecay(0.1, 5, cycle=True), S.InverseTimeDecay(0.1, 4, 0.5),
                 S.CosineDecay(0.0, 8, warmup_target=0.2, warmup_steps=4),
                 S.CosineDecayRestarts(0.1, 3, t_mul=1.5)]
    for schedule in schedules:
        config = schedule.get_config()
        clone = type(schedule).from_config(config)
        assert clone.get_config() == config
        data = S.serialize(schedule)
        assert data["class_name"] == type(schedule).__name__ and data["config"] == config
        restored = S.deserialize(data)
        np.testing.assert_allclose(float(restored(5)), float(schedule(5)))
    assert S.PolynomialDecay(0.1, 5).get_config() == {
        "initial_learning_rate": 0.1, "decay_steps": 5, "end_learning_rate": 0.0001,
        "power": 1.0, "cycle": False, "name": "PolynomialDecay"}
    assert S.CosineDecayRestarts(0.1, 3).get_config()["name"] == "SGDRDecay"


def test_errors():
    with pytest.raises(ValueError, match="Argument `decay_steps` must be > 0"):
        S.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="`first_decay_steps` must be > 0"):
        S.CosineDecayRestarts(0.1, 0)
    with pytest.raises(ValueError, match="boundaries should be 1 less"):
        S.PiecewiseConstantDecay([1, 2], [1.0])
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        S.LearningRateSchedule()(1)
    with pytest.raises(ValueError, match="Could not interpret decay identifier"):
        S.deserialize({"class_name": "Nope", "config": {}})
