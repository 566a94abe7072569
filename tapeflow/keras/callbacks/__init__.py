"""`tf.keras.callbacks`: hooks into `fit`, `evaluate` and `predict`."""
from tapeflow.keras.callbacks.backup_and_restore import BackupAndRestore
from tapeflow.keras.callbacks.callback import Callback, CallbackList
from tapeflow.keras.callbacks.early_stopping import EarlyStopping
from tapeflow.keras.callbacks.history import History
from tapeflow.keras.callbacks.misc import (CSVLogger, LambdaCallback, RemoteMonitor,
                                           SwapEMAWeights, TerminateOnNaN)
from tapeflow.keras.callbacks.model_checkpoint import ModelCheckpoint
from tapeflow.keras.callbacks.progbar_logger import ProgbarLogger
from tapeflow.keras.callbacks.reduce_lr import LearningRateScheduler, ReduceLROnPlateau
from tapeflow.keras.callbacks.tensorboard import TensorBoard

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping",
           "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint",
           "ProgbarLogger", "ReduceLROnPlateau", "RemoteMonitor", "SwapEMAWeights", "TensorBoard",
           "TerminateOnNaN"]
