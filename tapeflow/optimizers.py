"""`tf.optimizers`: the same module as `tf.keras.optimizers`, as in TF 2."""
import sys as _sys

from tapeflow.keras import optimizers as _keras_optimizers

_sys.modules[__name__] = _keras_optimizers
