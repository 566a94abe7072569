"""Adamax: the infinity-norm variant of Adam (Kingma & Ba, 2014, section 7.1)."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.math import abs, cast, maximum


class Adamax(Optimizer):
    """The Adamax optimizer (`tf.keras.optimizers.Adamax`).

    With t = iterations + 1:

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w = w - lr * m / ((1 - beta_1**t) * (u + epsilon))

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      beta_1: decay rate of the first moment. Defaults to 0.9.
      beta_2: decay rate of the infinity norm. Defaults to 0.999.
      epsilon: a small constant for numerical stability. Defaults to 1e-7.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        local_step = cast(self.iterations + 1, dtype)
        beta_1_power = cast(self.beta_1, dtype) ** local_step
        index = self._get_variable_index(variable)
        m, u = self._m[index], self._u[index]
        self.assign_add(m, (gradient - m) * (1 - self.beta_1))
        self.assign(u, maximum(u * self.beta_2, abs(gradient)))
        self.assign_sub(variable, (learning_rate * m) / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
