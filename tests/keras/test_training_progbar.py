"""Progress output of fit/evaluate/predict, in Keras 3's text format."""
import re

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras.training import progbar as progbar_module
from tapeflow.keras.training.progbar import Progbar, format_eta, format_time_per_unit

X = np.random.default_rng(4).random((10, 4), dtype=np.float32)
Y = np.zeros((10, 2), np.float32)
BAR = "━" * 20
TIME = r"\d+(ms|us|s)/step"


def compiled_model(metrics=("mae",)):
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
    model.compile("sgd", "mse", metrics=list(metrics))
    return model


def test_verbose_1_without_a_terminal_writes_one_line_per_epoch(capsys):
    compiled_model().fit(X, Y, batch_size=4, epochs=2, verbose=1)
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and lines[4] == ""
    for line in (lines[1], lines[3]):
        assert re.fullmatch(rf"3/3 {BAR} \d+s {TIME} - loss: \d\.\d{{4}} - mae: \d\.\d{{4}}",
                            line), line


def test_verbose_2_line_format(capsys):
    compiled_model().fit(X, Y, batch_size=4, epochs=1, verbose=2, validation_data=(X, Y))
    out = capsys.readouterr().out
    # One epoch: no "Epoch 1/1" header (Keras prints it only for several epochs).
    assert re.fullmatch(rf"3/3 - \d+s - {TIME} - loss: \d\.\d{{4}} - mae: \d\.\d{{4}} - "
                        rf"val_loss: \d\.\d{{4}} - val_mae: \d\.\d{{4}}\n", out), out


def test_verbose_0_is_silent(capsys):
    model = compiled_model()
    model.fit(X, Y, verbose=0)
    model.evaluate(X, Y, verbose=0)
    model.predict(X, verbose=0)
    assert capsys.readouterr().out == ""


def test_evaluate_and_predict_bars(capsys):
    model = compiled_model()
    model.evaluate(X, Y, batch_size=5, verbose=1)
    model.predict(X, batch_size=5, verbose=1)
    lines = capsys.readouterr().out.split("\n")
    assert re.fullmatch(rf"2/2 {BAR} \d+s {TIME} - loss: \d\.\d{{4}} - mae: \d\.\d{{4}}",
                        lines[0]), lines[0]
    assert re.fullmatch(rf"2/2 {BAR} \d+s {TIME}", lines[1]), lines[1]


def test_terminal_output_redraws_the_bar_with_colors(capsys, monkeypatch):
    monkeypatch.setattr(progbar_module, "_is_dynamic_display", lambda: True)
    compiled_model(metrics=()).fit(X, Y, batch_size=4, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("\r\x1b[1m1/3\x1b[0m \x1b[32m" + "━" * 6 + "\x1b[0m\x1b[37m"
                          + "━" * 14 + "\x1b[0m \x1b[1m")
    final = out.split("\r")[-1]
    assert final.startswith("\x1b[1m3/3\x1b[0m \x1b[32m" + BAR + "\x1b[0m\x1b[37m\x1b[0m")
    assert final.endswith("\n") and " - loss: " in final


def test_progbar_averages_stateless_metrics_over_steps(capsys, monkeypatch):
    monkeypatch.setattr(progbar_module, "_is_dynamic_display", lambda: False)
    bar = Progbar(4, verbose=1, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.5)])
    bar.update(3, [("loss", 4.0), ("acc", 0.25)])       # this value covers 2 steps
    bar.update(4, [("loss", 0.00001), ("acc", 0.75)], finalize=False)
    assert capsys.readouterr().out == ""                 # not a terminal: only the last line
    bar.update(4, [("loss", 0.0001), ("acc", 0.75)])
    line = capsys.readouterr().out
    # finalize shows the given values; a value of at most 1e-3 is written in e-notation
    assert line.endswith(" - loss: 1.0000e-04 - acc: 0.7500\n"), line
    bar = Progbar(4, verbose=1)
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 4.0)])
    assert bar._average("loss") == pytest.approx((1.0 + 4.0 * 2) / 3)


def test_progbar_unknown_target_and_verbose_2(capsys, monkeypatch):
    monkeypatch.setattr(progbar_module, "_is_dynamic_display", lambda: True)
    bar = Progbar(None, verbose=1)
    bar.update(5)
    assert "\r      5/Unknown \x1b[1m" in capsys.readouterr().out
    bar = Progbar(12, verbose=2)
    bar.update(6, [("loss", 0.5)])
    assert capsys.readouterr().out == ""
    bar.update(12, [("loss", 0.5)])
    assert re.fullmatch(rf"12/12 - \d+s - {TIME} - loss: 0\.5000\n", capsys.readouterr().out)


def test_time_formats():
    assert format_time_per_unit(0.061, "step") == " 61ms/step"
    assert format_time_per_unit(2.4, "step") == " 2s/step"
    assert format_time_per_unit(0.000512, "step") == " 512us/step"
    assert format_time_per_unit(0, "step") == " 0s/step"
    assert format_eta(3.7) == "3s" and format_eta(65) == "1:05"
    assert format_eta(3725) == "1:02:05"


def test_progbar_rejects_both_metric_lists():
    with pytest.raises(ValueError, match="Only one of `stateful_metrics` or `stateless_metrics`"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
