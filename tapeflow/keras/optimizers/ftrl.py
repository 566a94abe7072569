"""FTRL-Proximal: follow the regularized leader (McMahan et al., 2013)."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.clip import clip_by_value


class Ftrl(Optimizer):
    """The FTRL optimizer (`tf.keras.optimizers.Ftrl`), with L1, L2 and shrinkage terms.

    With p = -learning_rate_power and l2 = l2_regularization_strength + beta / (2 * lr):

        g_shrunk = g + 2 * l2_shrinkage_regularization_strength * w
        new_accum = accum + g**2
        linear = linear + g_shrunk - (new_accum**p - accum**p) / lr * w
        quadratic = new_accum**p / lr + 2 * l2
        w = (clip(linear, -l1, l1) - linear) / quadratic
        accum = new_accum

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      learning_rate_power: <= 0; how the rate decreases. Defaults to -0.5.
      initial_accumulator_value: >= 0; starting value of the accumulators. Defaults to 0.1.
      l1_regularization_strength: >= 0. Defaults to 0.0.
      l2_regularization_strength: >= 0. Defaults to 0.0.
      l2_shrinkage_regularization_strength: >= 0; an L2 penalty applied to the
        gradient (magnitude shrinkage). Defaults to 0.0.
      beta: the beta of the FTRL paper. Defaults to 0.0.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        _check_at_least_zero("initial_accumulator_value", initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        _check_at_least_zero("l1_regularization_strength", l1_regularization_strength)
        _check_at_least_zero("l2_regularization_strength", l2_regularization_strength)
        _check_at_least_zero("l2_shrinkage_regularization_strength",
                             l2_shrinkage_regularization_strength)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[self.initial_accumulator_value, "zeros"])

    def update_step(self, gradient, variable, learning_rate):
        lr = learning_rate
        index = self._get_variable_index(variable)
        accum, linear = self._accumulators[index], self._linears[index]
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        grad_to_use = gradient + (2 * self.l2_shrinkage_regularization_strength) * variable
        new_accum = accum + gradient * gradient
        self.assign_add(linear, grad_to_use - ((new_accum ** power - accum ** power) / lr)
                        * variable)
        quadratic = (new_accum ** power) / lr + 2 * l2
        linear_clipped = clip_by_value(linear, -l1, l1)
        self.assign(variable, (linear_clipped - linear) / quadratic)
        self.assign(accum, new_accum)

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta})
        return config


def _check_at_least_zero(argument, value):
    if value < 0.0:
        raise ValueError(f"`{argument}` needs to be positive or zero. Received: "
                         f"{argument}={value}.")
