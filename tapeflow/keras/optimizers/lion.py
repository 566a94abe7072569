"""Lion: evolved sign momentum (Chen et al., 2023)."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.math import cast, sign


class Lion(Optimizer):
    """The Lion optimizer (`tf.keras.optimizers.Lion`).

        w = w - lr * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      beta_1: interpolation rate for the update direction, in (0, 1]. Defaults to 0.9.
      beta_2: decay rate of the momentum. Defaults to 0.99.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        beta_1 = cast(self.beta_1, variable.dtype)
        beta_2 = cast(self.beta_2, variable.dtype)
        m = self._momentums[self._get_variable_index(variable)]
        self.assign_sub(variable, learning_rate * sign(m * beta_1 + gradient * (1.0 - beta_1)))
        self.assign(m, m * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
