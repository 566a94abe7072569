"""Adagrad: per-coordinate rates scaled by the accumulated squared gradients."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.math import sqrt


class Adagrad(Optimizer):
    """The Adagrad optimizer (`tf.keras.optimizers.Adagrad`).

        accumulator = accumulator + g**2
        w = w - lr * g / sqrt(accumulator + epsilon)

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      initial_accumulator_value: starting value of the accumulators. Defaults to 0.1.
      epsilon: a small constant, added inside the square root. Defaults to 1e-7.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate):
        accumulator = self._accumulators[self._get_variable_index(variable)]
        self.assign_add(accumulator, gradient * gradient)
        self.assign_sub(variable, (learning_rate * gradient) / sqrt(accumulator + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
