"""`tf.keras.optimizers.schedules`: learning rates as functions of the optimizer step.

A schedule is called with the step (the optimizer's `iterations` variable, or any
integer) and returns a scalar tensor, computed with tapeflow ops only, so that a
traced train step recomputes it from the variable on every call. Formulas and
defaults are Keras 3's.
"""
import math

from tapeflow.core.context import name_scope
from tapeflow.core.convert import convert_to_tensor
from tapeflow.ops.math import (add, cast, ceil, cos, divide, equal, floor, greater,
                               less_equal, log, logical_and, minimum, multiply, pow, where)


class LearningRateSchedule:
    """The base class of learning rate schedules: `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override "
            "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check_decay_steps(value, argument="decay_steps"):
    if value <= 0:
        raise ValueError(f"Argument `{argument}` must be > 0. Received: {argument}={value}")


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    With `staircase=True` the exponent is floored, so the rate drops in steps.

    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> round(float(schedule(10)), 6)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step):
        with name_scope(self.name):
            initial = convert_to_tensor(self.initial_learning_rate)
            dtype = initial.dtype
            p = cast(step, dtype) / cast(self.decay_steps, dtype)
            if self.staircase:
                p = floor(p)
            return multiply(initial, pow(cast(self.decay_rate, dtype), p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` up to `boundaries[0]` (inclusive), `values[1]` up to `boundaries[1]`, ...

    >>> schedule = PiecewiseConstantDecay([3, 6], [1.0, 0.5, 0.1])
    >>> [float(schedule(s)) for s in (3, 4)]
    [1.0, 0.5]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        with name_scope(self.name):
            step = convert_to_tensor(step)
            # Boundaries take the step's dtype (float boundaries truncate, as in Keras).
            boundaries = [cast(b, step.dtype) for b in self.boundaries]
            values = [convert_to_tensor(v) for v in self.values]
            dtype = values[0].dtype
            # Sum of value * [step in its interval]: a select with no data-dependent branch.
            result = cast(less_equal(step, boundaries[0]), dtype) * values[0]
            result += cast(greater(step, boundaries[-1]), dtype) * values[-1]
            for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
                inside = logical_and(greater(step, low), less_equal(step, high))
                result += cast(inside, dtype) * value
            return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`.

    The step is capped at `decay_steps`; with `cycle=True`, `decay_steps` is
    instead stretched to the first multiple of itself above the step.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step):
        with name_scope(self.name):
            initial = convert_to_tensor(self.initial_learning_rate)
            dtype = initial.dtype
            end = cast(self.end_learning_rate, dtype)
            step = cast(step, dtype)
            decay_steps = cast(self.decay_steps, dtype)
            if self.cycle:
                multiplier = where(equal(step, 0.0), 1.0, ceil(step / decay_steps))
                decay_steps = decay_steps * multiplier
            else:
                step = minimum(step, decay_steps)
            p = divide(step, decay_steps)
            return add(multiply(initial - end, pow(1.0 - p, cast(self.power, dtype))), end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (floored with staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_decay_steps(decay_steps)

    def __call__(self, step):
        with name_scope(self.name):
            initial = convert_to_tensor(self.initial_learning_rate)
            dtype = initial.dtype
            p = cast(step, dtype) / cast(self.decay_steps, dtype)
            if self.staircase:
                p = floor(p)
            return divide(initial, add(cast(1, dtype), multiply(cast(self.decay_rate, dtype), p)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine annealing from a rate to `alpha * rate` over `decay_steps`, after an optional
    linear warmup from `initial_learning_rate` to `warmup_target` over `warmup_steps`.

    decayed = (1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_decay_steps(decay_steps)

    def _decay(self, step, decay_steps, decay_from, dtype):
        completed_fraction = divide(step, decay_steps)
        cosine_decayed = 0.5 * (1.0 + cos(multiply(cast(math.pi, dtype), completed_fraction)))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return multiply(decay_from, decayed)

    def __call__(self, step):
        with name_scope(self.name):
            initial = convert_to_tensor(self.initial_learning_rate)
            dtype = initial.dtype
            decay_steps = cast(self.decay_steps, dtype)
            step = cast(step, dtype)
            if self.warmup_target is None:
                return self._decay(minimum(step, decay_steps), decay_steps, initial, dtype)
            target = cast(self.warmup_target, dtype)
            warmup_steps = cast(self.warmup_steps, dtype)
            step = minimum(step, decay_steps + warmup_steps)
            # Both phases are computed and one is selected (Keras uses a cond).
            warming = (target - initial) * (step / warmup_steps) + initial
            decaying = self._decay(step - warmup_steps, decay_steps, target, dtype)
            return where(step < warmup_steps, warming, decaying)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period i lasts `first_decay_steps * t_mul**i`
    steps and starts from `initial_learning_rate * m_mul**i`."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_decay_steps(first_decay_steps, "first_decay_steps")

    def _restart_and_fraction(self, fraction, t_mul, dtype):
        """(index of the current period, fraction of it completed)."""
        if self._t_mul == 1.0:
            i_restart = floor(fraction)
            return i_restart, fraction - i_restart
        # Periods grow geometrically: solve sum_{k<i} t_mul**k <= fraction for i.
        i_restart = floor(log(1.0 - fraction * (1.0 - t_mul)) / log(t_mul))
        sum_r = divide(1.0 - pow(t_mul, i_restart), 1.0 - t_mul)
        return i_restart, divide(fraction - sum_r, pow(t_mul, i_restart))

    def __call__(self, step):
        with name_scope(self.name):
            initial = convert_to_tensor(self.initial_learning_rate)
            dtype = initial.dtype
            alpha = cast(self.alpha, dtype)
            t_mul = cast(self._t_mul, dtype)
            m_mul = cast(self._m_mul, dtype)
            fraction = cast(step, dtype) / cast(self.first_decay_steps, dtype)
            i_restart, fraction = self._restart_and_fraction(fraction, t_mul, dtype)
            m_fac = pow(m_mul, i_restart)
            cosine_decayed = 0.5 * m_fac * (1.0 + cos(cast(math.pi, dtype) * fraction))
            decayed = add(multiply(1 - alpha, cosine_decayed), alpha)
            return multiply(initial, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
    CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    """The schedule as a Keras config dict (`class_name`, `config`, ...)."""
    return {"module": "keras.optimizers.schedules",
            "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """The schedule described by a `serialize` dict."""
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or _SCHEDULES.get(class_name)
    if cls is None:
        raise ValueError(f"Could not interpret decay identifier: {class_name}. Valid names: "
                         f"{', '.join(sorted(_SCHEDULES))}.")
    return cls.from_config(dict(config["config"]))
