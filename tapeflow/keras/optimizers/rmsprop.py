"""RMSprop: divide the gradient by a running root mean square (Hinton's lecture 6e)."""
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.ops.math import sqrt


class RMSprop(Optimizer):
    """The RMSprop optimizer (`tf.keras.optimizers.RMSprop`).

        velocity = rho * velocity + (1 - rho) * g**2
        average_grad = rho * average_grad + (1 - rho) * g               # centered only
        denominator = velocity - average_grad**2 + epsilon              # centered
                    = velocity + epsilon                                # otherwise
        increment = lr * g / sqrt(denominator)
        momentum = momentum_rate * momentum + increment; w = w - momentum   # momentum > 0
        w = w - increment                                                   # otherwise

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      rho: discounting factor of the running mean square. Defaults to 0.9.
      momentum: momentum rate (0 disables momentum). Defaults to 0.0.
      epsilon: a small constant, added inside the square root. Defaults to 1e-7.
      centered: normalize by the estimated variance instead of the second moment.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient, variable, learning_rate):
        index = self._get_variable_index(variable)
        velocity = self._velocities[index]
        rho = self.rho
        self.assign(velocity, velocity * rho + (gradient * gradient) * (1 - rho))
        if self.centered:
            average_grad = self._average_gradients[index]
            self.assign(average_grad, average_grad * rho + gradient * (1 - rho))
            denominator = velocity - average_grad * average_grad + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = (learning_rate * gradient) / sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            self.assign(momentum, momentum * self.momentum + increment)
            self.assign_sub(variable, momentum)
        else:
            self.assign_sub(variable, increment)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
