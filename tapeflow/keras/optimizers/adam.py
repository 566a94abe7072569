"""Adam: adaptive moment estimation (Kingma & Ba, 2014), with the AMSGrad option."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.math import cast, maximum, sqrt


class Adam(Optimizer):
    """The Adam optimizer (`tf.keras.optimizers.Adam`).

    With t = iterations + 1, for each variable w with gradient g:

        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        v_hat = max(v_hat, v)                          # amsgrad only; then v = v_hat
        w = w - m * alpha / (sqrt(v) + epsilon)

    `epsilon` is the paper's "epsilon hat": it is added to sqrt(v) after the bias
    correction has been folded into alpha.

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      beta_1: decay rate of the first moment. Defaults to 0.9.
      beta_2: decay rate of the second moment. Defaults to 0.999.
      epsilon: a small constant for numerical stability. Defaults to 1e-7.
      amsgrad: whether to use the AMSGrad variant. Defaults to False.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        local_step = cast(self.iterations + 1, dtype)
        beta_1_power = cast(self.beta_1, dtype) ** local_step
        beta_2_power = cast(self.beta_2, dtype) ** local_step
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        alpha = learning_rate * sqrt(1 - beta_2_power) / (1 - beta_1_power)
        self.assign_add(m, (gradient - m) * (1 - self.beta_1))
        self.assign_add(v, (gradient * gradient - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            self.assign(v_hat, maximum(v_hat, v))
            v = v_hat
        self.assign_sub(variable, (m * alpha) / (sqrt(v) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config
