"""`tf.sparse`: SparseTensor operations (tapeflow.ops.sparse)."""
from tapeflow.ops.sparse import (SparseTensor, add, concat, expand_dims, eye, from_dense,
                                 map_values, reduce_sum, reorder, reshape, retain, slice,
                                 sparse_dense_matmul, to_dense, to_indicator, transpose)

__all__ = [name for name in dir() if not name.startswith("_")]
