"""`tf.dtypes`: DType objects and conversions."""
from tapeflow.core.dtypes import (DType, as_dtype, bool, complex64, complex128, double,
                                  float16, float32, float64, half, int8, int16, int32, int64,
                                  string, uint8, uint16, uint32, uint64)
from tapeflow.ops.math import cast

__all__ = [name for name in dir() if not name.startswith("_")]
