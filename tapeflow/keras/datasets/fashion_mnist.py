"""`tf.keras.datasets.fashion_mnist`: Zalando's article images (60,000 train, 10,000 test).

Han Xiao, Kashif Rasul and Roland Vollgraf, "Fashion-MNIST: a Novel Image Dataset
for Benchmarking Machine Learning Algorithms", arXiv:1708.07747 (MIT license).
Classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag,
Ankle boot.
"""
from tapeflow.keras.datasets._idx import IdxDataset
from tapeflow.keras.datasets.mnist import load_idx_pair

FASHION_MNIST = IdxDataset(
    "fashion-mnist",
    files={  # SHA-256 of the decompressed IDX files, as published
        "train-images-idx3-ubyte":
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte":
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte":
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte":
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    mirrors=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
             "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
)


def load_data(data_dir=None):
    """Loads Fashion-MNIST as Keras does: `(x_train, y_train), (x_test, y_test)`.

    Same shapes and dtypes as `mnist.load_data` (uint8 images (60000, 28, 28), uint8
    labels 0-9), read and verified the same way.

    Args:
      data_dir: a directory holding the IDX files (or a `fashion-mnist/` subdirectory);
        by default `$TAPEFLOW_DATA_DIR`, then `~/.tapeflow/datasets`.
    """
    return load_idx_pair(FASHION_MNIST, None, data_dir)
