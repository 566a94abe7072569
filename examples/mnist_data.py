"""MNIST for the examples: `train_data`, batches of (images, labels) as the seed expects.

Images are float32 in [0, 1] with a channel axis, shape (batch, 28, 28, 1);
labels are the digits (uint8), shape (batch,). A `tf.data.Dataset`,
reshuffled at the start of every epoch.

The IDX files are read by `tf.keras.datasets.mnist.load_data` from
`TAPEFLOW_DATA_DIR`, else `<project>/../shared/data`, else `/work/shared/data`.
`TAPEFLOW_EXAMPLE_IMAGES=n` keeps only the first n training images (the tests
run the examples on 2,000 images).
"""
import os

import numpy as np

import tapeflow as tf

_PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data_dir():
    """The directory holding `mnist/` (IDX .gz files)."""
    candidates = [os.environ.get("TAPEFLOW_DATA_DIR"),
                  os.path.join(_PROJECT, "..", "shared", "data"), "/work/shared/data"]
    for candidate in candidates:
        if candidate and os.path.isdir(os.path.join(candidate, "mnist")):
            return os.path.abspath(candidate)
    raise FileNotFoundError("MNIST not found: set TAPEFLOW_DATA_DIR to the directory that "
                            f"contains mnist/ (looked in {[c for c in candidates if c]})")


def mnist_train_data(batch_size):
    """Batched MNIST training data, shuffled anew each epoch."""
    (images, labels), _ = tf.keras.datasets.mnist.load_data(data_dir=data_dir())
    limit = int(os.environ.get("TAPEFLOW_EXAMPLE_IMAGES", 0)) or len(images)
    images = (images[:limit].astype(np.float32) / 255.0)[..., np.newaxis]
    dataset = tf.data.Dataset.from_tensor_slices((images, labels[:limit]))
    return dataset.shuffle(len(images), seed=0).batch(batch_size)
