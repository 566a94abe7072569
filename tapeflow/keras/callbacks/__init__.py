"""`tf.keras.callbacks`: hooks into `fit`, `evaluate` and `predict`."""
from tapeflow.keras.callbacks.callback import Callback, CallbackList
from tapeflow.keras.callbacks.history import History
from tapeflow.keras.callbacks.progbar_logger import ProgbarLogger
from tapeflow.keras.callbacks.tensorboard import TensorBoard

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "TensorBoard"]
