"""tf.keras.callbacks.TensorBoard, driven through Keras' hook sequence with a small fake model.

The expected tags and steps are what Keras 3.15's TensorBoard callback wrote
for `fit` runs of the same shape (observed with real TensorFlow 2.21).
"""
import json
import os

import numpy as np
import pytest

import tapeflow as tf
from tests.summary.fake_keras import Sequential, fake_fit
from tests.summary.wire import read_events


def run_tags(logdir, run):
    """[(tag, step)] of the run's summaries, in file order."""
    return [(v["tag"], e["step"]) for e in read_events(os.path.join(logdir, run))
            for v in e["values"]]


def run_values(logdir, run):
    return {(v["tag"], e["step"]): v for e in read_events(os.path.join(logdir, run))
            for v in e["values"]}


def test_epoch_logs_learning_rate_and_validation(tmp_path):
    from tapeflow.keras.callbacks import TensorBoard
    model = Sequential(learning_rate=0.1)
    fake_fit(TensorBoard(str(tmp_path), write_graph=False), model, epochs=2, steps=3,
             validation_steps=1)
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    assert run_tags(tmp_path, "train") == [
        ("epoch_loss", 0), ("epoch_mae", 0), ("epoch_learning_rate", 0),
        ("epoch_loss", 1), ("epoch_mae", 1), ("epoch_learning_rate", 1)]
    assert run_tags(tmp_path, "validation") == [
        ("evaluation_loss_vs_iterations", 3), ("evaluation_mae_vs_iterations", 3),
        ("epoch_loss", 0), ("epoch_mae", 0),
        ("evaluation_loss_vs_iterations", 6), ("evaluation_mae_vs_iterations", 6),
        ("epoch_loss", 1), ("epoch_mae", 1)]
    train, val = run_values(tmp_path, "train"), run_values(tmp_path, "validation")
    assert float(train["epoch_loss", 1]["tensor"]) == np.float32(1 / 6)
    assert float(train["epoch_learning_rate", 0]["tensor"]) == np.float32(0.1)
    assert float(val["epoch_loss", 1]["tensor"]) == 1.25
    assert train["epoch_loss", 0]["plugin"] == "scalars"


def test_batch_level_update_freq_matches_keras(tmp_path):
    # Keras 3.15, update_freq=2, 3 train and 2 validation batches per epoch, 3 epochs:
    # the record_if of the last batch also gates the epoch summaries, so epochs 0 and 2
    # (ending on odd batches) are not written.
    from tapeflow.keras.callbacks import TensorBoard
    model = Sequential()
    fake_fit(TensorBoard(str(tmp_path), update_freq=2, write_graph=False), model, epochs=3,
             steps=3, validation_steps=2)
    assert [t for t in run_tags(tmp_path, "train") if "mae" not in t[0]] == [
        ("batch_loss", 2), ("batch_loss", 4), ("batch_loss", 6),
        ("epoch_loss", 1), ("epoch_learning_rate", 1), ("batch_loss", 8)]
    assert [t for t in run_tags(tmp_path, "validation") if "mae" not in t[0]] == [
        ("evaluation_loss_vs_iterations", 3), ("evaluation_loss_vs_iterations", 6),
        ("epoch_loss", 1), ("evaluation_loss_vs_iterations", 9)]
    train = run_values(tmp_path, "train")
    assert float(train["batch_loss", 4]["tensor"]) == 0.25


def test_histograms_images_and_model_config(tmp_path):
    from tapeflow.keras.callbacks import TensorBoard
    model = Sequential()
    fake_fit(TensorBoard(str(tmp_path), histogram_freq=1, write_images=True, update_freq=2),
             model, epochs=2, steps=4, validation_steps=1)
    tags = run_tags(tmp_path, "train")
    # Keras 3.15 with update_freq=2, 4 batches, 1 validation batch, 2 epochs:
    assert tags == [("keras", 0), ("batch_loss", 2), ("batch_mae", 2), ("batch_loss", 4),
                    ("batch_mae", 4), ("epoch_loss", 0), ("epoch_mae", 0),
                    ("epoch_learning_rate", 0),
                    ("sequential/d1/kernel/histogram", 0), ("sequential/d1/kernel/image", 0),
                    ("sequential/d1/bias/histogram", 0), ("sequential/d1/bias/image", 0),
                    ("sequential/d2/kernel/histogram", 0), ("sequential/d2/kernel/image", 0),
                    ("sequential/d2/bias/histogram", 0),
                    ("batch_loss", 6), ("batch_mae", 6), ("batch_loss", 8), ("batch_mae", 8),
                    ("epoch_loss", 1), ("epoch_mae", 1), ("epoch_learning_rate", 1),
                    ("sequential/d1/kernel/histogram", 1), ("sequential/d1/kernel/image", 1),
                    ("sequential/d1/bias/histogram", 1), ("sequential/d1/bias/image", 1),
                    ("sequential/d2/kernel/histogram", 1), ("sequential/d2/kernel/image", 1),
                    ("sequential/d2/bias/histogram", 1)]
    assert [t for t in run_tags(tmp_path, "validation") if "mae" not in t[0]] == [
        ("epoch_loss", 0), ("evaluation_loss_vs_iterations", 8), ("epoch_loss", 1)]
    values = run_values(tmp_path, "train")
    config = values["keras", 0]
    assert config["plugin"] == "graph_keras_model" and config["content"] == b"1"
    assert json.loads(config["tensor"].item())["class_name"] == "Sequential"
    kernel = model.layers[0].weights[0].numpy()
    histogram = values["sequential/d1/kernel/histogram", 1]["tensor"]
    assert histogram.shape == (30, 3) and histogram[:, 2].sum() == kernel.size
    assert histogram[0, 0] == np.float32(kernel.min())
    image = values["sequential/d1/kernel/image", 1]["tensor"]
    assert list(image[:2]) == [b"3", b"2"]   # (3, 2) kernel, transposed: width 3, height 2


def test_custom_summaries_inside_a_batch_go_to_the_train_run(tmp_path):
    from tapeflow.keras.callbacks import TensorBoard
    callback = TensorBoard(str(tmp_path), update_freq="batch", write_graph=False)
    model = Sequential()
    callback.set_model(model)
    callback.on_train_begin()
    for batch in range(2):
        callback.on_train_batch_begin(batch)
        tf.summary.scalar("from_model", float(batch))    # no step: the global batch
        callback.on_train_batch_end(batch, {})
    callback.on_train_end()
    assert run_tags(tmp_path, "train") == [("from_model", 1), ("from_model", 2)]
    assert tf.summary.experimental.get_step() is None     # restored after training


def test_options_tensorflow_does_not_support_here(tmp_path):
    from tapeflow.keras.callbacks import TensorBoard
    with pytest.raises(ValueError, match="profile_batch"):
        TensorBoard(str(tmp_path), profile_batch=2)
    callback = TensorBoard(str(tmp_path))
    assert (callback.log_dir, callback.histogram_freq, callback.update_freq) == (
        str(tmp_path), 0, "epoch")
