"""Random ops: TF's seed semantics and the distributions' statistics."""
import subprocess
import sys

import numpy as np

import tapeflow as tf


def test_global_seed_makes_sequences_repeat():
    tf.random.set_seed(7)
    a = [tf.random.uniform([3]).numpy() for _ in range(2)]
    tf.random.set_seed(7)
    b = [tf.random.uniform([3]).numpy() for _ in range(2)]
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], a[1])


def test_same_seeds_same_numbers_in_a_fresh_process():
    code = ("import tapeflow as tf; tf.random.set_seed(3); "
            "print(tf.random.normal([4], seed=5).numpy().tolist())")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].strip()


def test_distributions():
    tf.random.set_seed(0)
    u = tf.random.uniform([20000], minval=-2.0, maxval=3.0).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.05
    n = tf.random.normal([20000], mean=1.0, stddev=2.0).numpy()
    assert abs(n.mean() - 1.0) < 0.06 and abs(n.std() - 2.0) < 0.06
    t = tf.random.truncated_normal([20000], stddev=0.5).numpy()
    assert np.abs(t).max() <= 1.0 and t.dtype == np.float32
    i = tf.random.uniform([1000], 0, 10, dtype=tf.int32).numpy()
    assert i.dtype == np.int32 and i.min() >= 0 and i.max() <= 9
