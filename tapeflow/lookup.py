"""`tf.lookup`: static hash tables (tapeflow.ops.lookup)."""
from tapeflow.ops.lookup import (KeyValueTensorInitializer, StaticHashTable, TextFileIndex,
                                 TextFileInitializer)

__all__ = ["KeyValueTensorInitializer", "StaticHashTable", "TextFileIndex",
           "TextFileInitializer"]
