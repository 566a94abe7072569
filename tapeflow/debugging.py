"""`tf.debugging`: run-time assertions and numeric checks."""
from tapeflow.ops.debugging import (assert_equal, assert_greater, assert_greater_equal,
                                    assert_less, assert_less_equal, assert_near,
                                    assert_non_negative, assert_positive, assert_rank,
                                    assert_shapes, assert_type, check_numerics,
                                    is_numeric_tensor)
from tapeflow.ops.debugging import Assert_ as Assert

__all__ = [name for name in dir() if not name.startswith("_")]
