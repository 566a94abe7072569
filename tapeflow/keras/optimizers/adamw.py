"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""
from tapeflow.keras.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (`tf.keras.optimizers.AdamW`).

    Each step first decays the weights, `w = w - w * weight_decay * lr`, then
    applies the Adam update (the decay lives in the base class, shared with
    every optimizer that is given a `weight_decay`).

    Args:
      learning_rate: a float, schedule or callable. Defaults to 0.001.
      weight_decay: the decay rate (required). Defaults to 0.004.
      beta_1, beta_2, epsilon, amsgrad: as for `Adam`.
      **kwargs: the options of `Optimizer` (`clipnorm`, ..., `name`).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
