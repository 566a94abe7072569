"""`tf.nest`: nested structures of lists, tuples, namedtuples and dicts."""
from tapeflow.core.nest import (assert_same_structure, flatten, flatten_up_to,
                                flatten_with_paths, is_nested, map_structure,
                                map_structure_up_to, pack_sequence_as)

__all__ = [name for name in dir() if not name.startswith("_")]
