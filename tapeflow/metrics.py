"""`tf.metrics`: the same module as `tf.keras.metrics`, as in TF 2."""
import sys as _sys

from tapeflow.keras import metrics as _keras_metrics

_sys.modules[__name__] = _keras_metrics
