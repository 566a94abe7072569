"""`tf.strings`: operations on tf.string tensors (tapeflow.ops.strings)."""
from tapeflow.ops.strings import (as_string, bytes_split, format, join, length, lower,
                                  reduce_join, regex_full_match, regex_replace, split, strip,
                                  substr, to_number, unicode_decode, unicode_split, upper)

__all__ = [name for name in dir() if not name.startswith("_")]
