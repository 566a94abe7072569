"""ReduceLROnPlateau and LearningRateScheduler: change the optimizer's learning rate."""
import warnings

from tapeflow.core.array_api import xp
from tapeflow.keras.callbacks.callback import Callback
from tapeflow.keras.callbacks.monitor import MonitorCallback
from tapeflow.keras.training.progbar import _write


def _current_learning_rate(optimizer):
    return float(xp.asarray(optimizer.learning_rate))


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` after `patience` epochs without improvement.

    Args:
      monitor: the logged quantity to watch.
      factor: new_lr = lr * factor (must be < 1).
      patience: epochs without improvement before reducing.
      verbose: 1 prints each reduction.
      mode: "min", "max" or "auto".
      min_delta: the smallest change that counts as an improvement.
      cooldown: epochs to wait after a reduction before counting again.
      min_lr: the lowest learning rate.

    Each epoch's logs gain `learning_rate` (so `History` records it).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _current_learning_rate(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: "
                          f"{','.join(list(logs))}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch):
        optimizer = self.model.optimizer
        old_lr = _current_learning_rate(optimizer)
        if old_lr <= xp.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            _write(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                   f"{new_lr}.\n")
        return True


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch to `schedule(epoch, lr)`.

    Args:
      schedule: a function `(epoch, lr) -> new lr` (or TF 1's `(epoch) -> lr`),
        returning a float.
      verbose: 1 prints each new rate.

    >>> import tapeflow as tf
    >>> callback = tf.keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, _current_learning_rate(optimizer))
        except TypeError:      # the old one-argument schedules
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, xp.float32, xp.float64)):
            raise ValueError("The output of the `schedule` function should be a float. Got: "
                             f"{learning_rate}")
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            _write(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                   f"{learning_rate}.\n")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _current_learning_rate(self.model.optimizer)
