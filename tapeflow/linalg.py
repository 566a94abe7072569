"""`tf.linalg`: re-exports of the linear-algebra ops."""
from tapeflow.ops.math import matmul

__all__ = [name for name in dir() if not name.startswith("_")]
