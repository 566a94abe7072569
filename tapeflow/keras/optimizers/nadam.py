"""Nadam: Adam with Nesterov momentum (Dozat, 2015)."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.math import cast, sqrt


class Nadam(Optimizer):
    """The Nadam optimizer (`tf.keras.optimizers.Nadam`).

    With t = iterations + 1 and the momentum schedule u_t = beta_1 * (1 - 0.5 * 0.96**t),
    whose running product u_product = u_1 * ... * u_t is kept in a variable:

        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2**t)
        w = w - m_hat * lr / (sqrt(v_hat) + epsilon)

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      beta_1: decay rate of the first moment. Defaults to 0.9.
      beta_2: decay rate of the second moment. Defaults to 0.999.
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
        dtype = var_list[0].dtype if var_list else "float32"
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype)

    def _backend_update_step(self, grads, variables, learning_rate):
        # The momentum product advances once per step, before the per-variable updates.
        dtype = self._u_product.dtype
        step = cast(self.iterations + 1, dtype)
        self.assign(self._u_product,
                    self._u_product * self.beta_1 * (1.0 - 0.5 * 0.96 ** step))
        super()._backend_update_step(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        local_step = cast(self.iterations + 1, dtype)
        next_step = cast(self.iterations + 2, dtype)
        decay = cast(0.96, dtype)
        beta_1, beta_2 = cast(self.beta_1, dtype), cast(self.beta_2, dtype)
        u_t = beta_1 * (1.0 - 0.5 * decay ** local_step)
        u_t_1 = beta_1 * (1.0 - 0.5 * decay ** next_step)
        u_product_t = cast(self._u_product, dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = beta_2 ** local_step
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        self.assign_add(m, (gradient - m) * (1 - beta_1))
        self.assign_add(v, (gradient * gradient - v) * (1 - beta_2))
        m_hat = (u_t_1 * m) / (1 - u_product_t_1) + ((1 - u_t) * gradient) / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        self.assign_sub(variable, (m_hat * learning_rate) / (sqrt(v_hat) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
