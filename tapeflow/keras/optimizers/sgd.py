"""SGD: gradient descent, optionally with (Nesterov) momentum."""
from tapeflow.keras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent with optional momentum (`tf.keras.optimizers.SGD`).

    Without momentum: `w = w - learning_rate * g`. With momentum:

        velocity = momentum * velocity - learning_rate * g
        w = w + velocity                                       # nesterov=False
        w = w + momentum * velocity - learning_rate * g        # nesterov=True

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.01.
      momentum: a float in [0, 1]. Defaults to 0.0.
      nesterov: whether to apply Nesterov momentum. Defaults to False.
      **kwargs: the options of `Optimizer` (`weight_decay`, `clipnorm`, `clipvalue`,
        `global_clipnorm`, `use_ema`, ..., `name`).

    >>> import tapeflow as tf
    >>> w = tf.Variable(1.0)
    >>> _ = SGD(learning_rate=0.1).apply_gradients([(tf.constant(2.0), w)])
    >>> round(float(w), 6)
    0.8
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        lr = learning_rate
        if self.momentum == 0:
            self.assign_sub(variable, gradient * lr)
            return
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, m * self.momentum - gradient * lr)
        if self.nesterov:
            self.assign_add(variable, m * self.momentum - gradient * lr)
        else:
            self.assign_add(variable, m)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
