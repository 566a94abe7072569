"""MNIST for the examples: `train_data`, batches of (images, labels) as the seed expects.

Images are float32 in [0, 1] with a channel axis, shape (batch, 28, 28, 1);
labels are the digits (uint8), shape (batch,). The data is shuffled again at
the start of every epoch.

MNIST comes from `tf.keras.datasets.mnist.load_data()` when tapeflow has it,
otherwise from the IDX files read here (`read_idx`). The directory is
`TAPEFLOW_DATA_DIR`, else `<project>/../shared/data`, else `/work/shared/data`.
`TAPEFLOW_EXAMPLE_IMAGES=n` keeps only the first n training images (the tests
run the examples on 2,000 images).
"""
import gzip
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


def read_idx(path):
    """A NumPy array from an IDX file (gzipped or not): big-endian header, uint8 payload."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist_train():
    """(images uint8 (60000, 28, 28), labels uint8 (60000,))."""
    datasets = _optional(lambda: tf.keras.datasets)
    if datasets is not None and hasattr(datasets, "mnist"):
        (images, labels), _ = datasets.mnist.load_data()
        return np.asarray(images), np.asarray(labels)
    directory = os.path.join(data_dir(), "mnist")
    return (read_idx(os.path.join(directory, "train-images-idx3-ubyte.gz")),
            read_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz")))


def _optional(get):
    """A namespace of tapeflow that may not exist yet (tf.data, tf.keras.datasets), or None."""
    try:
        return get()
    except (ImportError, AttributeError):
        return None


class ShuffledBatches:
    """Iterable over (images, labels) tensor batches, reshuffled on every pass."""

    def __init__(self, images, labels, batch_size, seed=0):
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self._rng = np.random.default_rng(seed)

    def __iter__(self):
        order = self._rng.permutation(len(self.images))
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            yield tf.constant(self.images[rows]), tf.constant(self.labels[rows])

    def __len__(self):
        return -(-len(self.images) // self.batch_size)


def mnist_train_data(batch_size):
    """Batched, shuffled MNIST training data (a tf.data.Dataset when tapeflow has tf.data)."""
    images, labels = load_mnist_train()
    limit = int(os.environ.get("TAPEFLOW_EXAMPLE_IMAGES", 0)) or len(images)
    images = (images[:limit].astype(np.float32) / 255.0)[..., np.newaxis]
    labels = labels[:limit]
    data = _optional(lambda: tf.data)
    if data is not None and hasattr(data, "Dataset"):
        dataset = data.Dataset.from_tensor_slices((images, labels))
        return dataset.shuffle(len(images), seed=0).batch(batch_size)
    return ShuffledBatches(images, labels, batch_size)
