"""Cases for tapeflow.ops.bitwise (no gradients: TF registers none)."""
import numpy as np

import tapeflow as tf
from tests.ops.cases import Case, inputs


def _ints(low, high, *shape, dtype=np.int32):
    return lambda rng: rng.integers(low, high, shape).astype(dtype)


def _shift(np_shift, bits):
    # TF clamps the shift amount to [0, bits - 1].
    return lambda x, y: np_shift(x, np.clip(y, 0, bits - 1).astype(x.dtype))


CASES = [
    Case("BitwiseAnd", tf.bitwise.bitwise_and, inputs(_ints(-50, 50, 2, 3), _ints(-50, 50, 3)),
         np.bitwise_and, grad=False),
    Case("BitwiseAnd", lambda x, y: x & y, inputs(_ints(0, 255, 5, dtype=np.uint8),
                                                  _ints(0, 255, 5, dtype=np.uint8)),
         np.bitwise_and, grad=False, label="operator_uint8"),
    Case("BitwiseOr", tf.bitwise.bitwise_or, inputs(_ints(-50, 50, 6), _ints(-50, 50, 6)),
         np.bitwise_or, grad=False),
    Case("BitwiseOr", lambda x: x | 3, inputs(_ints(-50, 50, 6, dtype=np.int64)),
         lambda x: x | np.int64(3), grad=False, label="operator_scalar"),
    Case("BitwiseXor", tf.bitwise.bitwise_xor, inputs(_ints(0, 1000, 6, dtype=np.uint16),
                                                      _ints(0, 1000, 6, dtype=np.uint16)),
         np.bitwise_xor, grad=False),
    Case("BitwiseXor", lambda x: 10 ^ x, inputs(_ints(-50, 50, 6)),
         lambda x: np.int32(10) ^ x, grad=False, label="operator_reflected"),
    Case("Invert", tf.bitwise.invert, inputs(_ints(-128, 127, 6, dtype=np.int8)), np.invert,
         grad=False),
    Case("Invert", lambda x: ~x, inputs(_ints(0, 2**31, 6, dtype=np.uint32)), np.invert,
         grad=False, label="operator_uint32"),
    Case("LeftShift", tf.bitwise.left_shift, inputs(_ints(-100, 100, 8), _ints(-3, 40, 8)),
         _shift(np.left_shift, 32), grad=False),
    Case("LeftShift", tf.bitwise.left_shift, inputs(_ints(0, 255, 8, dtype=np.uint8),
                                                    _ints(0, 12, 8, dtype=np.uint8)),
         _shift(np.left_shift, 8), grad=False, label="uint8"),
    Case("RightShift", tf.bitwise.right_shift, inputs(_ints(-1000, 1000, 8, dtype=np.int16),
                                                      _ints(-3, 20, 8, dtype=np.int16)),
         _shift(np.right_shift, 16), grad=False),
]
