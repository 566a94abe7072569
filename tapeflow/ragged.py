"""`tf.ragged`: building and transforming RaggedTensors (tapeflow.ops.ragged)."""
from tapeflow.ops.ragged import (RaggedTensor, RaggedTensorSpec, constant, map_flat_values,
                                 row_splits_to_segment_ids, segment_ids_to_row_splits)

__all__ = ["constant", "map_flat_values", "row_splits_to_segment_ids",
           "segment_ids_to_row_splits"]
del RaggedTensor, RaggedTensorSpec
