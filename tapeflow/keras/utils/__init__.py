"""`tf.keras.utils` (so far: the dataset utilities; other helpers add the rest)."""
from tapeflow.keras.utils.dataset_utils import (image_dataset_from_directory,
                                                text_dataset_from_directory)

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory"]
