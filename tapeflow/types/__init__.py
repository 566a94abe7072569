"""`tf.types`: types for annotations (`tf.types.experimental.TensorLike`, ...)."""
from tapeflow.types import experimental  # noqa: F401
