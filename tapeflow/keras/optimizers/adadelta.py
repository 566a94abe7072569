"""Adadelta: step sizes from running averages of squared gradients and updates (Zeiler, 2012)."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.math import sqrt


class Adadelta(Optimizer):
    """The Adadelta optimizer (`tf.keras.optimizers.Adadelta`).

    With rms(x) = sqrt(x + epsilon):

        accumulated_grad = rho * accumulated_grad + (1 - rho) * g**2
        delta = -rms(accumulated_delta_var) * g / rms(accumulated_grad)
        accumulated_delta_var = rho * accumulated_delta_var + (1 - rho) * delta**2
        w = w + lr * delta

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      rho: the decay rate of both running averages. Defaults to 0.95.
      epsilon: a small constant, added inside the square roots. Defaults to 1e-7.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        index = self._get_variable_index(variable)
        accumulated_grad = self._accumulated_grads[index]
        accumulated_delta_var = self._accumulated_delta_vars[index]
        rho = self.rho

        def rms(x):
            return sqrt(x + self.epsilon)

        self.assign(accumulated_grad,
                    accumulated_grad * rho + (gradient * gradient) * (1 - rho))
        delta_var = -((rms(accumulated_delta_var) * gradient) / rms(accumulated_grad))
        self.assign(accumulated_delta_var,
                    accumulated_delta_var * rho + (delta_var * delta_var) * (1 - rho))
        self.assign_add(variable, learning_rate * delta_var)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
