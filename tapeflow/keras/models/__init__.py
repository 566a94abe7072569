"""`tf.keras.models`: Model, Sequential and the functional model class."""
from tapeflow.keras.models.functional import Functional
from tapeflow.keras.models.model import Model
from tapeflow.keras.models.sequential import Sequential
from tapeflow.keras.saving.archive import load_model, model_from_json, save_model  # noqa: E402
