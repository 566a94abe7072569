"""Keras under a strategy, in one process: which rank prints and writes, which
strategy a model uses. (fit on two real ranks is compared with one process in
test_mpi.py.)"""
import os

import numpy as np
import pytest

import tapeflow as tf
from tests.distribute.fakes import EchoStrategy


def _model():
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    model.compile(tf.keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    return model


def _fit(rank, tmp_path, capsys):
    strategy = EchoStrategy(rank=rank, size=2)
    with strategy.scope():
        model = _model()
    callbacks = [tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt.weights.h5"),
                                                    save_weights_only=True),
                 tf.keras.callbacks.BackupAndRestore(str(tmp_path / "backup"),
                                                     delete_checkpoint=False),
                 tf.keras.callbacks.TensorBoard(str(tmp_path / "logs"))]
    x, y = np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32)
    model.fit(x, y, batch_size=4, epochs=1, verbose=2, callbacks=callbacks)
    return model, strategy, capsys.readouterr().out


def test_a_model_trains_with_the_strategy_it_was_created_under():
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = _model()
    assert model.distribute_strategy is strategy
    assert _model().distribute_strategy is tf.distribute.get_strategy()


def test_only_the_chief_prints_and_writes(tmp_path, capsys):
    _, _, output = _fit(1, tmp_path, capsys)
    assert output == ""
    assert not os.path.exists(tmp_path / "ckpt.weights.h5")
    assert not os.path.exists(tmp_path / "backup")
    assert not os.path.exists(tmp_path / "logs")
    _, _, output = _fit(0, tmp_path, capsys)
    assert "2/2" in output
    assert os.path.exists(tmp_path / "ckpt.weights.h5")
    assert os.path.exists(tmp_path / "backup" / "latest.weights.h5")
    assert os.listdir(tmp_path / "logs" / "train")


def test_fit_splits_each_batch_and_sums_gradients(tmp_path, capsys):
    model, strategy, _ = _fit(1, tmp_path, capsys)
    calls = strategy.communicator.calls
    # per step: one all-reduce of the 8 gradient values (kernel 3x2 + bias 2)
    assert calls.count(("allreduce", "sum", 8)) == 2


@pytest.mark.parametrize("shuffle", [True, "batch"])
def test_shuffled_arrays_use_the_chiefs_order(shuffle):
    strategy = EchoStrategy(rank=1, size=2)
    with strategy.scope():
        model = _model()
    model.fit(np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32), batch_size=4,
              epochs=1, verbose=0, shuffle=shuffle)
    assert ("broadcast", 0, 8) in strategy.communicator.calls
