"""`tf.random`: re-exports of the random ops."""
from tapeflow.ops.random import normal, set_seed, truncated_normal, uniform

__all__ = [name for name in dir() if not name.startswith("_")]
