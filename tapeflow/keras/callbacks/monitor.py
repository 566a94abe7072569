"""MonitorCallback: the shared "is this epoch better?" logic of EarlyStopping,
ModelCheckpoint and ReduceLROnPlateau.

With `mode="auto"` the direction comes from the monitored name, as in Keras 3:
`loss`/`val_loss` go down; a compiled metric goes the way its `_direction`
says (accuracies and AUC up, errors down); anything else must say `mode`.
"""
import warnings

from tapeflow.keras.callbacks.callback import Callback


def _less(a, b):
    return a < b


def _greater(a, b):
    return a > b


class MonitorCallback(Callback):
    """Base of callbacks that watch one logged quantity (`monitor`)."""

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = _less
        elif self.mode == "max":
            self.monitor_op = _greater
        else:
            name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
            if name == "loss":
                self.monitor_op = _less
            for metric in self._compiled_metrics():
                if metric.name == name and hasattr(metric, "_direction"):
                    self.monitor_op = _greater if metric._direction == "up" else _less
            if self.monitor_op is None:
                raise ValueError(f"{type(self).__name__} callback received monitor="
                                 f"{self.monitor}, but Keras isn't able to automatically "
                                 "determine whether that metric should be maximized or "
                                 "minimized. Pass `mode='max'` in order to monitor based on "
                                 "the highest metric value, or pass `mode='min'` in order to "
                                 "use the lowest value.")
        if self.monitor_op is _less:
            self.min_delta *= -1

    def _compiled_metrics(self):
        from tapeflow.keras.training.compile_utils import CompileMetrics
        found = []
        for metric in getattr(self.model, "metrics", []):
            if isinstance(metric, CompileMetrics):
                found.extend(metric.metrics)
        return found

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return self.monitor_op(monitor_value - self.min_delta, reference_value)
