"""`tf.keras.datasets.mnist`: the MNIST handwritten digits (60,000 train, 10,000 test).

Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "The MNIST database of
handwritten digits" (CC BY-SA 3.0).
"""
import os

from tapeflow.keras.datasets._idx import IdxDataset

MNIST = IdxDataset(
    "mnist",
    files={  # SHA-256 of the decompressed IDX files, as published
        "train-images-idx3-ubyte":
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte":
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte":
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte":
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    mirrors=("https://storage.googleapis.com/cvdf-datasets/mnist/",
             "https://ossci-datasets.s3.amazonaws.com/mnist/"),
)


def load_data(path="mnist.npz", data_dir=None):
    """Loads MNIST as Keras does: `(x_train, y_train), (x_test, y_test)`.

    Images are uint8 arrays of shape (60000, 28, 28) and (10000, 28, 28), labels
    uint8 arrays of digits 0-9. The IDX files are read from `data_dir`, else from
    `$TAPEFLOW_DATA_DIR`, else from `~/.tapeflow/datasets` (downloaded there if
    missing), and checked against their published SHA-256.

    Args:
      path: Keras' cache file name. A directory holding the IDX files, or a Keras
        `mnist.npz` file, may be given here too.
      data_dir: a directory holding the IDX files (or a `mnist/` subdirectory).

    Returns:
      `(x_train, y_train), (x_test, y_test)`.
    """
    return load_idx_pair(MNIST, path, data_dir)


def load_idx_pair(dataset, path, data_dir):
    if data_dir is None and path is not None and os.path.isdir(path):
        data_dir = path
    elif path is not None and str(path).endswith(".npz") and os.path.isfile(path):
        return _load_npz(path)
    x_train = dataset.load("train-images-idx3-ubyte", data_dir)
    y_train = dataset.load("train-labels-idx1-ubyte", data_dir)
    x_test = dataset.load("t10k-images-idx3-ubyte", data_dir)
    y_test = dataset.load("t10k-labels-idx1-ubyte", data_dir)
    return (x_train, y_train), (x_test, y_test)


def _load_npz(path):
    from tapeflow.core.array_api import xp
    with xp.load(path, allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
