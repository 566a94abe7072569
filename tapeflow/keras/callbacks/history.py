"""History: the callback `fit` always adds; `fit` returns it."""
from tapeflow.keras.callbacks.callback import Callback


class History(Callback):
    """Records each epoch's logs: `history.history["loss"]` is the list of epoch losses.

    Attributes:
      history: dict from metric name to the list of its per-epoch values.
      epoch: the list of epoch indices seen.
      params: `{"verbose", "epochs", "steps"}` of the `fit` call.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self
