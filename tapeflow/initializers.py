"""`tf.initializers`: the same module as `tf.keras.initializers`, as in TF 2."""
import sys as _sys

from tapeflow.keras import initializers as _keras_initializers

_sys.modules[__name__] = _keras_initializers
