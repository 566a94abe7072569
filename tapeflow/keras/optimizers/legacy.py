"""`tf.keras.optimizers.legacy`: TF 2.11-2.15 code names these; here they are the
current optimizers (Keras 3 itself raises ImportError for them)."""
from tapeflow.keras.optimizers.adadelta import Adadelta
from tapeflow.keras.optimizers.adagrad import Adagrad
from tapeflow.keras.optimizers.adam import Adam
from tapeflow.keras.optimizers.adamax import Adamax
from tapeflow.keras.optimizers.ftrl import Ftrl
from tapeflow.keras.optimizers.nadam import Nadam
from tapeflow.keras.optimizers.optimizer import Optimizer
from tapeflow.keras.optimizers.rmsprop import RMSprop
from tapeflow.keras.optimizers.sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop",
           "SGD"]
