"""`tf.keras.utils`: data and seeding helpers, progress bars, (de)serialization."""
from tapeflow.keras.saving.serialization import (CustomObjectScope, custom_object_scope,
                                                 deserialize_keras_object, get_custom_objects,
                                                 get_registered_name, get_registered_object,
                                                 register_keras_serializable,
                                                 serialize_keras_object)
from tapeflow.keras.training.data_adapter import (PyDataset, pack_x_y_sample_weight,
                                                  unpack_x_y_sample_weight)
from tapeflow.keras.training.progbar import Progbar
from tapeflow.keras.utils.dataset_utils import (image_dataset_from_directory,
                                                text_dataset_from_directory)
from tapeflow.keras.utils.numerical import normalize, to_categorical
from tapeflow.keras.utils.seeding import set_random_seed
from tapeflow.keras.utils.visualization import model_to_dot, plot_model

Sequence = PyDataset          # TF 2's name

__all__ = ["CustomObjectScope", "Progbar", "PyDataset", "Sequence", "custom_object_scope",
           "deserialize_keras_object", "get_custom_objects", "get_registered_name",
           "get_registered_object", "image_dataset_from_directory", "model_to_dot",
           "normalize", "pack_x_y_sample_weight", "plot_model", "register_keras_serializable",
           "serialize_keras_object", "set_random_seed", "text_dataset_from_directory", "to_categorical",
           "unpack_x_y_sample_weight"]
