"""`tf.keras.callbacks` (so far only `TensorBoard`; the training callbacks join it)."""
from tapeflow.keras.callbacks.tensorboard import TensorBoard

__all__ = ["TensorBoard"]
