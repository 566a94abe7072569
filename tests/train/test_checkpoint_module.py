"""tf.train.Checkpoint tracks a tf.Module whose variables sit in a nested Module."""
import numpy as np

import tapeflow as tf


class _Inner(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([1.0, 2.0])


class _Outer(tf.Module):
    def __init__(self):
        super().__init__()
        self.inner = _Inner()


def test_nested_module_round_trip(tmp_path):
    model = _Outer()
    path = tf.train.Checkpoint(model=model).save(str(tmp_path / "ckpt"))
    model.inner.w.assign([5.0, 6.0])
    tf.train.Checkpoint(model=model).restore(path)
    np.testing.assert_array_equal(model.inner.w.numpy(), [1.0, 2.0])
