"""`tf.sets`: set operations along the last dimension (tapeflow.ops.sets)."""
from tapeflow.ops.sets import difference, intersection, size, union

__all__ = ["difference", "intersection", "size", "union"]
