"""The real TensorBoard server shows tapeflow's runs: its HTTP data API and its Scalars page.

Starts `tensorboard --logdir <tmp> --host 127.0.0.1 --port <free port>`, reads the
scalars of a training run written through the Keras TensorBoard callback, then
loads the Scalars page in headless Chromium. Everything stays on loopback; the
server and the browser are stopped by their process ids.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest

import tapeflow as tf

pytest.importorskip("tensorboard", reason="the `tensorboard` test extra is not installed")

from tapeflow.keras.callbacks import TensorBoard  # noqa: E402
from tests.summary.headless import Chromium, find_chromium  # noqa: E402
from tests.summary.test_graph import _traced_graph, trace_double_and_export  # noqa: E402

# Loopback requests must not go through a proxy from the environment.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url):
    with _LOOPBACK.open(url, timeout=10) as response:
        return json.loads(response.read())


def _short_fit(logdir):
    """A real `fit` of a small model with the TensorBoard callback; returns (model, history)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3, name="d1"),
                                 tf.keras.layers.Dense(1, name="d2")], name="sequential")
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(x[:12], y[:12], batch_size=6, epochs=3, verbose=0,
                        validation_data=(x[12:], y[12:]),
                        callbacks=[TensorBoard(logdir, histogram_freq=1)])
    return model, history


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A TensorBoard server over a real training run; yields (base_url, logdir, model, history)."""
    root = tmp_path_factory.mktemp("tensorboard_server")
    logdir = str(root / "logs")
    model, history = _short_fit(logdir)
    graph_writer = tf.summary.create_file_writer(os.path.join(logdir, "graph"))
    with graph_writer.as_default():
        tf.summary.graph(_traced_graph())
        trace_double_and_export("double_trace", step=0)
    graph_writer.close()
    port = _free_port()
    log = open(root / "tensorboard.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", logdir,
         "--host", "127.0.0.1", "--port", str(port)],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_loaded(process, base_url, root / "tensorboard.log")
        yield base_url, logdir, model, history
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _wait_until_loaded(process, base_url, log_path, timeout=120.0):
    """Polls until the server answers and has read all runs (the deadline bounds a hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"tensorboard exited early:\n{log_path.read_text()}")
        try:
            tags = _get_json(f"{base_url}/data/plugin/scalars/tags")
            runs = _get_json(f"{base_url}/data/runs")
            if ({"graph", "train", "validation"} <= set(runs)
                    and {"train", "validation"} <= set(tags)
                    and "epoch_loss" in tags["validation"]):
                return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"tensorboard did not load the runs in time:\n{log_path.read_text()}")


def _scalars(base_url, run, tag):
    query = urllib.parse.urlencode({"run": run, "tag": tag})
    return [(step, value) for _, step, value in
            _get_json(f"{base_url}/data/plugin/scalars/scalars?{query}")]


def test_scalars_endpoint_serves_the_fit_values(server):
    base_url, _, _, history = server
    assert sorted(_get_json(f"{base_url}/data/runs")) == ["graph", "train", "validation"]
    train_loss = _scalars(base_url, "train", "epoch_loss")
    assert [s for s, _ in train_loss] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in train_loss], history.history["loss"], rtol=1e-6)
    val_loss = _scalars(base_url, "validation", "epoch_loss")
    np.testing.assert_allclose([v for _, v in val_loss], history.history["val_loss"], rtol=1e-6)
    assert history.history["loss"][-1] < history.history["loss"][0]   # it trained
    np.testing.assert_allclose([v for _, v in _scalars(base_url, "train", "epoch_learning_rate")],
                               [0.05] * 3, rtol=1e-6)
    # 2 batches of 6 per epoch: the validation summaries sit at the global batch step.
    assert [s for s, _ in _scalars(base_url, "validation",
                                   "evaluation_loss_vs_iterations")] == [2, 4, 6]


def test_histograms_endpoint(server):
    base_url, _, model, _ = server
    query = urllib.parse.urlencode({"run": "train", "tag": "sequential/d1/kernel/histogram"})
    data = _get_json(f"{base_url}/data/plugin/histograms/histograms?{query}")
    assert [step for _, step, _ in data] == [0, 1, 2]
    buckets = np.asarray(data[-1][2])
    assert buckets.shape == (30, 3) and buckets[:, 2].sum() == 12   # a 4x3 kernel
    assert buckets[0, 0] == pytest.approx(float(model.layers[0].weights[0].numpy().min()))


def test_graphs_plugin_serves_the_traced_graph(server):
    base_url, _, _, _ = server
    with _LOOPBACK.open(f"{base_url}/data/plugin/graphs/graph?run=graph", timeout=10) as reply:
        text = reply.read().decode()
    assert 'name: "MatMul"' in text and 'input: "SplitV:1"' in text
    query = urllib.parse.urlencode({"run": "graph", "tag": "double_trace"})
    with _LOOPBACK.open(f"{base_url}/data/plugin/graphs/graph?{query}", timeout=10) as reply:
        text = reply.read().decode()
    assert 'op: "Mul"' in text


def test_scalars_page_renders_in_headless_chromium(server, tmp_path):
    executable = find_chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    base_url, _, _, _ = server
    browser = Chromium(executable, tmp_path / "chromium-profile")
    try:
        browser.open(f"{base_url}/#scalars")
        texts = browser.wait_for_texts(["train", "validation", "epoch_loss"])
        browser.screenshot(tmp_path / "scalars.png")
    finally:
        browser.close()
    assert "train" in texts and "validation" in texts       # the runs selector
    assert "epoch_loss" in texts and "epoch_learning_rate" in texts   # the chart cards
    png = (tmp_path / "scalars.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
