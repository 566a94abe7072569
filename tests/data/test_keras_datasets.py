"""tf.keras.datasets: MNIST and Fashion-MNIST with Keras' shapes and dtypes, read from
verified IDX files; the search path, corrupt files and downloads (from local file://
mirrors: tests never use the network)."""
import gzip
import hashlib
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras.datasets import _idx


@pytest.fixture(scope="module")
def mnist(shared_data):
    return tf.keras.datasets.mnist.load_data(data_dir=shared_data)


@pytest.fixture(scope="module")
def fashion(shared_data):
    return tf.keras.datasets.fashion_mnist.load_data(data_dir=shared_data)


def test_mnist_shapes_dtypes_and_labels(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
    # the class counts published with the data (../shared/data/README.md)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                             5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]
    assert x_train.max() == 255 and x_train.flags.writeable


def test_fashion_mnist(fashion):
    (x_train, y_train), (x_test, y_test) = fashion
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_test.dtype == np.uint8 and x_test.shape == (10000, 28, 28)
    assert y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_mnist_feeds_a_dataset(mnist):
    (x_train, y_train), _ = mnist
    ds = tf.data.Dataset.from_tensor_slices((x_train[:64], y_train[:64])).batch(32)
    images, labels = next(iter(ds))
    assert images.shape == (32, 28, 28) and images.dtype == tf.uint8
    assert labels.numpy().tolist() == y_train[:32].tolist()


# -- the machinery, on a tiny IDX data set written by the tests ---------------------------

def idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


TINY = np.arange(12, dtype=np.uint8).reshape(3, 2, 2)


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A one-file data set `tiny` with its published checksum; HOME is a temp dir."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(_idx.DATA_DIR_ENV, raising=False)
    content = idx_bytes(TINY)
    dataset = _idx.IdxDataset("tiny", {"images-idx3-ubyte": hashlib.sha256(content).hexdigest()},
                              mirrors=())
    return dataset, content


def write(path, content, compress=True):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def test_reads_gzipped_or_plain_files_in_name_subdirectory_or_root(tiny, tmp_path):
    dataset, content = tiny
    write(tmp_path / "a" / "tiny" / "images-idx3-ubyte.gz", content)
    write(tmp_path / "b" / "images-idx3-ubyte", content, compress=False)
    for directory in ("a", "b"):
        loaded = dataset.load("images-idx3-ubyte", str(tmp_path / directory))
        assert loaded.tolist() == TINY.tolist() and loaded.dtype == np.uint8


def test_search_path_env_then_cache(tiny, tmp_path, monkeypatch):
    dataset, content = tiny
    write(tmp_path / "home" / ".tapeflow" / "datasets" / "tiny" / "images-idx3-ubyte.gz",
          content)
    assert dataset.load("images-idx3-ubyte").tolist() == TINY.tolist()   # from the cache
    other = np.full((3, 2, 2), 7, np.uint8)
    env_dataset = _idx.IdxDataset("tiny", {"images-idx3-ubyte": hashlib.sha256(
        idx_bytes(other)).hexdigest()}, mirrors=())
    write(tmp_path / "env" / "images-idx3-ubyte.gz", idx_bytes(other))
    monkeypatch.setenv(_idx.DATA_DIR_ENV, str(tmp_path / "env"))
    assert env_dataset.load("images-idx3-ubyte").tolist() == other.tolist()   # env first


def test_missing_files_in_a_given_directory(tiny, tmp_path):
    dataset, _ = tiny
    with pytest.raises(FileNotFoundError, match="images-idx3-ubyte"):
        dataset.load("images-idx3-ubyte", str(tmp_path))


@pytest.mark.parametrize("damage", ["truncated", "changed", "not gzip"])
def test_corrupt_files_raise_and_are_never_used(tiny, tmp_path, damage):
    dataset, content = tiny
    packed = gzip.compress(content)
    if damage == "truncated":
        packed = packed[:len(packed) // 2]
    elif damage == "changed":
        packed = gzip.compress(content[:-1] + b"\x01")
    else:
        packed = b"garbage"
    (tmp_path / "images-idx3-ubyte.gz").write_bytes(packed)
    with pytest.raises(ValueError, match="corrupt or incomplete"):
        dataset.load("images-idx3-ubyte", str(tmp_path))


def test_header_must_match_the_data():
    with pytest.raises(ValueError, match="IDX header promises"):
        _idx.read_idx(idx_bytes(TINY)[:-1])
    with pytest.raises(ValueError, match="not an IDX file"):
        _idx.read_idx(b"\x01\x02\x03\x04")


def test_download_verifies_and_falls_back_to_the_next_mirror(tiny, tmp_path, capsys):
    dataset, content = tiny
    missing = tmp_path / "mirror0"
    missing.mkdir()
    bad = write(tmp_path / "mirror1" / "images-idx3-ubyte.gz", content[:-2] + b"xx").parent
    good = write(tmp_path / "mirror2" / "images-idx3-ubyte.gz", content).parent
    dataset.mirrors = tuple(p.as_uri() + "/" for p in (missing, bad, good))
    loaded = dataset.load("images-idx3-ubyte")
    assert loaded.tolist() == TINY.tolist()
    cached = tmp_path / "home" / ".tapeflow" / "datasets" / "tiny"
    assert sorted(os.listdir(cached)) == ["images-idx3-ubyte.gz"]   # no partial file left
    out = capsys.readouterr().out
    assert f"Downloading data from {good.as_uri()}/images-idx3-ubyte.gz" in out
    assert "[==============================]" in out                # the progress bar


def test_download_failure_names_every_mirror(tiny, tmp_path):
    dataset, _ = tiny
    dataset.mirrors = ((tmp_path / "nowhere").as_uri() + "/",)
    with pytest.raises(OSError, match="Could not download images-idx3-ubyte.gz") as info:
        dataset.load("images-idx3-ubyte")
    assert "nowhere" in str(info.value) and _idx.DATA_DIR_ENV in str(info.value)
    assert os.listdir(tmp_path / "home" / ".tapeflow" / "datasets" / "tiny") == []


def test_load_data_accepts_a_directory_or_a_keras_npz(tmp_path, shared_data):
    arrays = {name: np.zeros(shape, np.uint8) for name, shape in (
        ("x_train", (2, 28, 28)), ("y_train", (2,)), ("x_test", (1, 28, 28)), ("y_test", (1,)))}
    np.savez(tmp_path / "mnist.npz", **arrays)
    (x_train, _), (x_test, _) = tf.keras.datasets.mnist.load_data(str(tmp_path / "mnist.npz"))
    assert x_train.shape == (2, 28, 28) and x_test.shape == (1, 28, 28)
    (_, y_train), _ = tf.keras.datasets.mnist.load_data(os.path.join(shared_data, "mnist"))
    assert y_train.shape == (60000,)
