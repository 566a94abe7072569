"""`tf.keras.utils`: data and seeding helpers, progress bars, (de)serialization."""
from tapeflow.keras.saving.serialization import (CustomObjectScope, custom_object_scope,
                                                 deserialize_keras_object, get_custom_objects,
                                                 get_registered_name, get_registered_object,
                                                 register_keras_serializable,
                                                 serialize_keras_object)
from tapeflow.keras.training.data_adapter import (PyDataset, pack_x_y_sample_weight,
                                                  unpack_x_y_sample_weight)
from tapeflow.keras.training.progbar import Progbar
from tapeflow.keras.utils.numerical import normalize, to_categorical
from tapeflow.keras.utils.seeding import set_random_seed
from tapeflow.keras.utils.visualization import model_to_dot, plot_model

Sequence = PyDataset          # TF 2's name

try:        # the data helper's directory loaders (keras/utils/dataset_utils.py), when present
    from tapeflow.keras.utils.dataset_utils import (  # noqa: F401
        image_dataset_from_directory, text_dataset_from_directory)
except ImportError:
    pass

__all__ = ["CustomObjectScope", "Progbar", "PyDataset", "Sequence", "custom_object_scope",
           "deserialize_keras_object", "get_custom_objects", "get_registered_name",
           "get_registered_object", "model_to_dot", "normalize", "pack_x_y_sample_weight",
           "plot_model", "register_keras_serializable", "serialize_keras_object",
           "set_random_seed", "to_categorical", "unpack_x_y_sample_weight"]
