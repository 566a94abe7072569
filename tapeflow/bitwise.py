"""`tf.bitwise`: re-exports of the bitwise ops."""
from tapeflow.ops.bitwise import (bitwise_and, bitwise_or, bitwise_xor, invert, left_shift,
                                  right_shift)

__all__ = [name for name in dir() if not name.startswith("_")]
