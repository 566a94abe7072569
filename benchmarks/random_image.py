"""Milliseconds per random draw and image resize: tapeflow vs TensorFlow (same numbers).

Run: python benchmarks/random_image.py   (TAPEFLOW_TF_PYTHON=<python with TF> to compare)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import compare_ops  # noqa: E402


def _ops(tf, np):
    images = tf.constant(np.random.default_rng(0).random((32, 64, 64, 3), np.float32))

    def resize_gradient():
        with tf.GradientTape() as tape:
            tape.watch(images)
            out = tf.image.resize(images, [128, 128])
        return tape.gradient(out, images)

    return {
        "uniform [10], op seed": (lambda: tf.random.uniform([10], seed=1), 500),
        "stateless_uniform [10]": (lambda: tf.random.stateless_uniform([10], [1, 2]), 500),
        # Dropout masks of the seed model (a seeded draw each training step)
        "uniform 32x5408, op seed": (lambda: tf.random.uniform([32, 5408], seed=1), 50),
        "uniform 128x5408, op seed": (lambda: tf.random.uniform([128, 5408], seed=1), 20),
        "normal 128x5408, op seed": (lambda: tf.random.normal([128, 5408], seed=1), 5),
        "stateless_uniform 784x128": (
            lambda: tf.random.stateless_uniform([784, 128], [1, 2]), 20),
        "stateless_normal 784x128": (
            lambda: tf.random.stateless_normal([784, 128], [1, 2]), 10),
        "stateless_trunc_normal 784x128": (
            lambda: tf.random.stateless_truncated_normal([784, 128], [1, 2]), 10),
        "categorical 64x10, 100": (lambda: tf.random.categorical(tf.zeros([64, 10]), 100), 50),
        "resize bilinear 32x64x64x3->128": (lambda: tf.image.resize(images, [128, 128]), 5),
        "resize bicubic 32x64x64x3->128": (
            lambda: tf.image.resize(images, [128, 128], method="bicubic"), 5),
        "resize area 32x64x64x3->28": (
            lambda: tf.image.resize(images, [28, 28], method="area"), 5),
        "resize bilinear gradient": (resize_gradient, 3),
    }


if __name__ == "__main__":
    compare_ops(__file__, _ops)
