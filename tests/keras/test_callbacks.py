"""tf.keras.callbacks: hook order and each callback's documented Keras 3 behaviour."""
import csv
import os

import numpy as np
import pytest

import tapeflow as tf

RNG = np.random.default_rng(5)
X = RNG.random((10, 4), dtype=np.float32)
Y = RNG.random((10, 1), dtype=np.float32)


def model(lr=0.1, metrics=("mae",)):
    m = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
    m.compile(tf.keras.optimizers.SGD(lr), "mse", metrics=list(metrics))
    return m


class Recorder(tf.keras.callbacks.Callback):
    HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
             "on_predict_batch_begin", "on_predict_batch_end")

    def __init__(self):
        super().__init__()
        self.calls = []
        for hook in self.HOOKS:
            setattr(self, hook, self._recorder(hook))

    def _recorder(self, hook):
        def record(*args):
            index = args[0] if len(args) == 2 else None
            logs = args[-1]
            self.calls.append((hook, index, sorted((logs or {}).keys())))
        return record


def scripted(name, values):
    """A callback that puts `values[epoch]` in the epoch logs as `name` (it must come first)."""
    def on_epoch_end(epoch, logs):
        logs[name] = values[epoch]
    return tf.keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)


def test_hook_order_in_fit_evaluate_and_predict():
    # The sequence Keras 3.15 produces for the same calls.
    recorder = Recorder()
    m = model()
    m.fit(X, Y, batch_size=4, epochs=2, verbose=0, validation_data=(X, Y),
          callbacks=[recorder])
    batch_logs = ["loss", "mae"]
    epoch = []
    for step in range(3):
        epoch += [("on_train_batch_begin", step, []), ("on_train_batch_end", step, batch_logs)]
    epoch += [("on_test_begin", None, [])]
    for step in range(3):
        epoch += [("on_test_batch_begin", step, []), ("on_test_batch_end", step, batch_logs)]
    epoch += [("on_test_end", None, batch_logs)]
    end_logs = ["loss", "mae", "val_loss", "val_mae"]
    expected = [("on_train_begin", None, [])]
    for e in range(2):
        expected += [("on_epoch_begin", e, [])] + epoch + [("on_epoch_end", e, end_logs)]
    expected += [("on_train_end", None, end_logs)]
    assert recorder.calls == expected
    assert recorder.params == {"verbose": 0, "epochs": 2, "steps": 3}
    recorder.calls.clear()
    m.evaluate(X, Y, batch_size=5, verbose=0, callbacks=[recorder])
    assert recorder.calls == [("on_test_begin", None, []), ("on_test_batch_begin", 0, []),
                              ("on_test_batch_end", 0, batch_logs),
                              ("on_test_batch_begin", 1, []),
                              ("on_test_batch_end", 1, batch_logs),
                              ("on_test_end", None, batch_logs)]
    assert recorder.params == {"verbose": 0, "epochs": 1, "steps": 2}
    recorder.calls.clear()
    m.predict(X, batch_size=5, verbose=0, callbacks=[recorder])
    assert recorder.calls == [("on_predict_begin", None, []), ("on_predict_batch_begin", 0, []),
                              ("on_predict_batch_end", 0, ["outputs"]),
                              ("on_predict_batch_begin", 1, []),
                              ("on_predict_batch_end", 1, ["outputs"]),
                              ("on_predict_end", None, [])]


def test_batch_logs_are_python_floats_and_callback_list_parts():
    seen = []
    m = model()
    m.fit(X, Y, epochs=1, verbose=0, callbacks=[tf.keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(logs))])
    assert all(type(v) is float for logs in seen for v in logs.values())
    callbacks = tf.keras.callbacks.CallbackList([], add_history=True, add_progbar=True,
                                                model=m, verbose=1, epochs=1, steps=1)
    assert [type(c).__name__ for c in callbacks.callbacks] == ["History", "ProgbarLogger"]


def test_early_stopping_patience_and_restore_best_weights(capsys):
    m = model()
    weights = []
    keep = tf.keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights.append(m.get_weights()))
    stop = tf.keras.callbacks.EarlyStopping(monitor="score", patience=2, mode="min",
                                            restore_best_weights=True, verbose=1)
    history = m.fit(X, Y, epochs=10, verbose=0,
                    callbacks=[scripted("score", [5, 4, 4.5, 4.2, 3, 1, 1, 1, 1, 1]), keep,
                               stop])
    # epoch 1 is the best; epochs 2 and 3 do not improve: stop after epoch 3 (0-based)
    assert history.epoch == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best == 4 and stop.best_epoch == 1
    for got, want in zip(m.get_weights(), weights[1]):
        np.testing.assert_array_equal(got, want)
    assert capsys.readouterr().out == ("Epoch 4: early stopping\nRestoring model weights from "
                                       "the end of the best epoch: 2.\n")


def test_early_stopping_min_delta_baseline_and_auto_mode():
    m = model(metrics=["accuracy"])
    stop = tf.keras.callbacks.EarlyStopping(monitor="score", patience=1, min_delta=0.5,
                                            mode="max")
    history = m.fit(X, Y, epochs=6, verbose=0,
                    callbacks=[scripted("score", [1, 1.4, 2, 2.2, 3, 9]), stop])
    assert history.epoch == [0, 1]               # +0.4 is below min_delta
    base = tf.keras.callbacks.EarlyStopping(monitor="score", patience=3, baseline=10,
                                            mode="max")
    history = m.fit(X, Y, epochs=6, verbose=0,
                    callbacks=[scripted("score", [1, 2, 3, 4, 5, 6]), base])
    # Keras 3.15: an epoch that beats the best so far never stops training, even when it
    # does not beat the baseline (only `wait` keeps counting).
    assert history.epoch == [0, 1, 2, 3, 4, 5]
    base = tf.keras.callbacks.EarlyStopping(monitor="score", patience=2, baseline=10,
                                            mode="max")
    history = m.fit(X, Y, epochs=6, verbose=0,
                    callbacks=[scripted("score", [1, 1, 1, 1, 1, 1]), base])
    assert history.epoch == [0, 1]
    auto = tf.keras.callbacks.EarlyStopping(monitor="val_accuracy")
    m.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), callbacks=[auto])
    assert auto.monitor_op(2, 1)                 # accuracy: higher is better
    unknown = tf.keras.callbacks.EarlyStopping(monitor="score")
    with pytest.raises(ValueError, match="isn't able to automatically determine whether that "
                                         "metric should be maximized or minimized"):
        m.fit(X, Y, epochs=1, verbose=0, callbacks=[scripted("score", [1]), unknown])


def test_early_stopping_warns_on_a_missing_metric():
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss` which "
                                         "is not available. Available metrics are: loss,mae"):
        model().fit(X, Y, epochs=1, verbose=0,
                    callbacks=[tf.keras.callbacks.EarlyStopping()])


def test_model_checkpoint_save_best_only_and_filename_placeholders(tmp_path, capsys):
    m = model()
    pattern = str(tmp_path / "ep{epoch:02d}-{score:.1f}.keras")
    checkpoint = tf.keras.callbacks.ModelCheckpoint(pattern, monitor="score", mode="max",
                                                    save_best_only=True, verbose=1)
    m.fit(X, Y, epochs=4, verbose=0, callbacks=[scripted("score", [1, 3, 2, 4]), checkpoint])
    assert sorted(os.listdir(tmp_path)) == ["ep01-1.0.keras", "ep02-3.0.keras",
                                            "ep04-4.0.keras"]
    out = capsys.readouterr().out
    assert "\nEpoch 1: score improved from None to 1.00000, saving model to" in out
    assert "\nEpoch 3: score did not improve from 3.00000\n" in out
    restored = tf.keras.models.load_model(str(tmp_path / "ep04-4.0.keras"))
    for got, want in zip(restored.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_model_checkpoint_weights_only_every_n_batches(tmp_path):
    m = model()
    path = str(tmp_path / "b{batch}.weights.h5")
    checkpoint = tf.keras.callbacks.ModelCheckpoint(path, save_weights_only=True, save_freq=2)
    m.fit(X, Y, batch_size=2, epochs=1, verbose=0, callbacks=[checkpoint])
    assert sorted(os.listdir(tmp_path)) == ["b2.weights.h5", "b4.weights.h5"]
    fresh = model()
    fresh.load_weights(str(tmp_path / "b4.weights.h5"))


def test_model_checkpoint_file_name_checks():
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        tf.keras.callbacks.ModelCheckpoint("w.h5", save_weights_only=True)
    with pytest.raises(ValueError, match="must end in `.keras`"):
        tf.keras.callbacks.ModelCheckpoint("m.h5")
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        tf.keras.callbacks.ModelCheckpoint("m.keras", save_freq="batch")


def test_reduce_lr_on_plateau_logs_and_reduces_the_learning_rate(capsys):
    m = model(lr=0.1)
    reduce = tf.keras.callbacks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1,
                                                  min_delta=0, mode="min", verbose=1,
                                                  min_lr=0.02)
    history = m.fit(X, Y, epochs=5, verbose=0, callbacks=[scripted("score", [5] * 5), reduce])
    np.testing.assert_allclose(history.history["learning_rate"],
                               [0.1, 0.1, 0.05, 0.025, 0.02], rtol=1e-6)
    assert float(m.optimizer.learning_rate) == pytest.approx(0.02)
    assert "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.05" in capsys.readouterr().out
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        tf.keras.callbacks.ReduceLROnPlateau(factor=1.0)


def test_reduce_lr_cooldown():
    m = model(lr=1.0)
    reduce = tf.keras.callbacks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1,
                                                  cooldown=2, mode="min")
    history = m.fit(X, Y, epochs=6, verbose=0, callbacks=[scripted("score", [5] * 6), reduce])
    # Keras 3.15's sequence: reduce at epoch 1 (cooldown 2), the cooldown counter reaches
    # 0 at epoch 3, which then counts towards patience again and reduces.
    np.testing.assert_allclose(history.history["learning_rate"],
                               [1.0, 1.0, 0.5, 0.5, 0.25, 0.25])


def test_learning_rate_scheduler():
    m = model(lr=0.1)
    seen = []
    scheduler = tf.keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: lr if epoch == 0 else lr * 0.5)
    spy = tf.keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(float(m.optimizer.learning_rate)))
    history = m.fit(X, Y, epochs=3, verbose=0, callbacks=[scheduler, spy])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)
    old_api = tf.keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    m.fit(X, Y, epochs=2, verbose=0, callbacks=[old_api])
    assert float(m.optimizer.learning_rate) == pytest.approx(0.02)
    bad = tf.keras.callbacks.LearningRateScheduler(lambda epoch, lr: "fast")
    with pytest.raises(ValueError, match="The output of the `schedule` function should be a "
                                         "float"):
        m.fit(X, Y, epochs=1, verbose=0, callbacks=[bad])


def test_csv_logger_rows_and_append(tmp_path):
    path = str(tmp_path / "log.csv")
    m = model()
    m.fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y),
          callbacks=[tf.keras.callbacks.CSVLogger(path)])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    assert float(rows[2][1]) == pytest.approx(m.history.history["loss"][1])
    m.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y),
          callbacks=[tf.keras.callbacks.CSVLogger(path, append=True)])
    with open(path) as f:
        assert len(list(csv.reader(f))) == 4               # one header only
    plain = str(tmp_path / "plain.csv")
    m.fit(X, Y, epochs=1, verbose=0, callbacks=[tf.keras.callbacks.CSVLogger(plain, ";")])
    with open(plain) as f:
        lines = f.read().splitlines()
    assert lines[0] == "epoch;loss;mae;val_loss;val_mae" and lines[1].endswith(";NA;NA")


def test_terminate_on_nan(capsys):
    y = Y.copy()
    y[6] = np.nan                                          # in the second batch of 5
    m = model()
    history = m.fit(X, y, batch_size=5, epochs=3, verbose=0, shuffle=False,
                    callbacks=[tf.keras.callbacks.TerminateOnNaN()])
    assert history.epoch == [0]
    assert capsys.readouterr().out == "Batch 1: Invalid loss, terminating training\n"
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        model().fit(X, y, batch_size=5, verbose=0, shuffle=False,
                    callbacks=[tf.keras.callbacks.TerminateOnNaN(raise_error=True)])


def test_lambda_callback_hooks_and_extra_attributes():
    events = []
    callback = tf.keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch {epoch}"),
        on_train_end=lambda logs: events.append("end"),
        on_test_end=lambda logs: events.append("test end"), note="kept")
    model().fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y), callbacks=[callback])
    assert events == ["begin", "epoch 0", "test end", "epoch 1", "test end", "end"]
    assert callback.note == "kept"


class Interrupt(tf.keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("Interrupting!")


def test_backup_and_restore_resumes_a_restarted_job(tmp_path):
    backup_dir = str(tmp_path / "backup")
    m = model()
    weights = []
    keep = tf.keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights.append(m.get_weights()))
    with pytest.raises(RuntimeError, match="Interrupting"):
        m.fit(X, Y, batch_size=5, epochs=5, verbose=0,
              callbacks=[tf.keras.callbacks.BackupAndRestore(backup_dir), keep, Interrupt(2)])
    assert sorted(os.listdir(backup_dir)) == ["latest.weights.h5", "training_metadata.json"]
    # A new process: a fresh model of the same architecture and the same backup directory.
    restarted = model()
    at_start = []
    spy = tf.keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: at_start.append(restarted.get_weights()))
    history = restarted.fit(X, Y, batch_size=5, epochs=5, verbose=0,
                            callbacks=[tf.keras.callbacks.BackupAndRestore(backup_dir), spy])
    assert history.epoch == [2, 3, 4]
    for got, want in zip(at_start[0], weights[1]):
        np.testing.assert_array_equal(got, want)
    assert int(restarted.optimizer.iterations.numpy()) == 5 * 2
    assert not os.path.exists(backup_dir)                  # deleted when fit completes


def test_backup_and_restore_every_n_batches_and_arguments(tmp_path):
    backup_dir = str(tmp_path / "b")
    callback = tf.keras.callbacks.BackupAndRestore(backup_dir, save_freq=3,
                                                   delete_checkpoint=False)
    model().fit(X, Y, batch_size=2, epochs=1, verbose=0, callbacks=[callback])
    with open(os.path.join(backup_dir, "training_metadata.json")) as f:
        assert f.read() == '{"epoch": 0, "batch": 2}'     # saved after batch 3 of 5
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed"):
        tf.keras.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        tf.keras.callbacks.BackupAndRestore(backup_dir, save_freq="batch")


def test_tensorboard_callback_is_exported_on_the_callback_base():
    assert issubclass(tf.keras.callbacks.TensorBoard, tf.keras.callbacks.Callback)


def test_swap_ema_weights_evaluates_with_the_averages():
    m = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
    optimizer = tf.keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    m.compile(optimizer, "mse")
    for _ in range(3):        # train_on_batch, unlike fit, does not end by finalizing
        m.train_on_batch(X, Y)
    weights = [w.copy() for w in m.get_weights()]
    averages = [v.numpy().copy() for v in optimizer._model_variables_moving_average]
    assert any(not np.array_equal(a, w) for a, w in zip(averages, weights))
    seen = []
    spy = tf.keras.callbacks.LambdaCallback(
        on_test_batch_begin=lambda batch, logs: seen.append(m.get_weights()))
    m.evaluate(X, Y, verbose=0, callbacks=[tf.keras.callbacks.SwapEMAWeights(), spy])
    for got, want in zip(seen[0], averages):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(m.get_weights(), weights):        # swapped back afterwards
        np.testing.assert_array_equal(got, want)
    plain = model()
    with pytest.raises(ValueError, match="SwapEMAWeights must be used when `use_ema=True`"):
        plain.evaluate(X, Y, verbose=0, callbacks=[tf.keras.callbacks.SwapEMAWeights()])


def test_remote_monitor_posts_epoch_logs():
    import http.server
    import json as json_module
    import threading
    import urllib.parse
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        model().fit(X, Y, epochs=2, verbose=0,
                    callbacks=[tf.keras.callbacks.RemoteMonitor(root=root)])
        model().fit(X, Y, epochs=1, verbose=0, callbacks=[
            tf.keras.callbacks.RemoteMonitor(root=root, path="/json", send_as_json=True)])
    finally:
        server.shutdown()
    assert [r[0] for r in received] == ["/publish/epoch/end/"] * 2 + ["/json"]
    form = urllib.parse.parse_qs(received[1][2])
    assert sorted(json_module.loads(form["data"][0])) == ["epoch", "loss", "mae"]
    assert json_module.loads(received[2][2])["epoch"] == 0
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        model().fit(X, Y, epochs=1, verbose=0, callbacks=[
            tf.keras.callbacks.RemoteMonitor(root="http://127.0.0.1:1")])
