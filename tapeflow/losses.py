"""`tf.losses`: the same module as `tf.keras.losses`, as in TF 2."""
import sys as _sys

from tapeflow.keras import losses as _keras_losses

_sys.modules[__name__] = _keras_losses
