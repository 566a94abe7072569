"""Milliseconds per call of tf.map_fn / tf.scan / tf.foldl, eager and inside tf.function
(with and without a gradient), and of a few core-api ops: tapeflow vs TensorFlow.

Run: python benchmarks/functional_ops.py   (TAPEFLOW_TF_PYTHON=<python with TF> to compare)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import compare_ops  # noqa: E402


def _ops(tf, np):
    x = tf.constant(np.random.default_rng(0).standard_normal((256, 16)).astype(np.float32))
    w = tf.Variable(np.random.default_rng(1).standard_normal((16, 16)).astype(np.float32))

    def row(v):
        return tf.tanh(tf.linalg.matvec(w, v))

    def step(a, v):
        return tf.tanh(a + v)

    traced_map = tf.function(lambda x: tf.map_fn(row, x))
    traced_scan = tf.function(lambda x: tf.scan(step, x))

    @tf.function
    def traced_map_gradient(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.map_fn(row, x))
        return tape.gradient(loss, w)

    strings = tf.constant(["the quick brown fox", "jumps over", "the lazy dog"] * 100)
    return {
        "map_fn 256 rows, eager": (lambda: tf.map_fn(row, x), 3),
        "map_fn 256 rows, traced": (lambda: traced_map(x), 20),
        "map_fn + gradient, traced": (lambda: traced_map_gradient(x), 10),
        "scan 256 steps, eager": (lambda: tf.scan(step, x), 3),
        "scan 256 steps, traced": (lambda: traced_scan(x), 20),
        "foldl 256 steps, eager": (lambda: tf.foldl(step, x), 3),
        "strings.split 300 + to_tensor": (lambda: tf.strings.split(strings).to_tensor(), 20),
        "signal.stft 16000 samples": (
            lambda: tf.signal.stft(tf.sin(tf.range(16000, dtype=tf.float32)), 256, 128), 20),
    }


if __name__ == "__main__":
    compare_ops(__file__, _ops)
