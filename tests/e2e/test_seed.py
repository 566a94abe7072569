"""The seed's two programs (examples/seed_*.py), end to end on real MNIST.

The default run trains on the first 2,000 training images for 3 epochs; the
full 60,000-image, 5-epoch run is marked slow (`pytest -m slow`) and checks
the seed's figures in kind: loss from about 0.2 down to about 0.1, training
accuracy above 0.99.
"""
import os
import re
import runpy
import sys

import numpy as np
import pytest

import tapeflow as tf

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")


def run_example(name, monkeypatch, capsys, images, epochs):
    monkeypatch.setenv("TAPEFLOW_EXAMPLE_IMAGES", str(images))
    monkeypatch.setenv("TAPEFLOW_EXAMPLE_EPOCHS", str(epochs))
    monkeypatch.syspath_prepend(EXAMPLES)
    capsys.readouterr()
    namespace = runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")
    return namespace, capsys.readouterr().out


def parse_epochs(output):
    """[(epoch, loss, accuracy)] from the seed's 'Epoch:  0 / loss: / accuracy:' lines."""
    pattern = r"Epoch:  (\d+)\n  loss:     (\d+\.\d{3})\n  accuracy: (\d+\.\d{3})\n"
    return [(int(e), float(loss), float(acc)) for e, loss, acc in re.findall(pattern, output)]


def test_seed_metrics_program_learns_on_2000_images(mnist_data_dir, monkeypatch, capsys):
    namespace, output = run_example("seed_metrics.py", monkeypatch, capsys, 2000, 3)
    epochs = parse_epochs(output)
    assert [e for e, _, _ in epochs] == [0, 1, 2], output
    losses = [loss for _, loss, _ in epochs]
    accuracies = [acc for _, _, acc in epochs]
    assert losses[0] > losses[1] > losses[2], output
    assert accuracies[0] < accuracies[1] < accuracies[2], output
    assert accuracies[2] > 0.9, output
    # One trace for the full batches and one for the last batch of 16 (2000 = 31 * 64 + 16).
    assert namespace["train_step"].experimental_get_tracing_count() == 2


def test_seed_first_program_runs_on_2000_images(mnist_data_dir, monkeypatch, capsys):
    namespace, output = run_example("seed_train_step.py", monkeypatch, capsys, 2000, 2)
    assert output.split("\n")[:2] == ["Finished epoch 0", "Finished epoch 1"]
    assert namespace["optimizer"].iterations.numpy() == 2 * 32     # 31 batches of 64, 1 of 16


@pytest.mark.slow
def test_seed_metrics_program_full_mnist_5_epochs(mnist_data_dir, monkeypatch, capsys):
    _, output = run_example("seed_metrics.py", monkeypatch, capsys, 60000, 5)
    epochs = parse_epochs(output)
    sys.__stdout__.write("\n" + output)
    assert len(epochs) == 5
    losses = [loss for _, loss, _ in epochs]
    accuracies = [acc for _, _, acc in epochs]
    assert 0.1 < losses[0] < 0.4 and losses[-1] < 0.15, output
    assert all(a > b for a, b in zip(losses, losses[1:])), output
    assert accuracies[-1] > 0.99, output


def seed_model():
    return tf.keras.Sequential([
        tf.keras.Input((28, 28, 1)),
        tf.keras.layers.Conv2D(32, 3, activation="relu",
                               kernel_regularizer=tf.keras.regularizers.l2(0.02)),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dropout(0.1),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dense(10),
    ])


def train_seed_steps(initial_weights, compiled, batches):
    """The seed's train step (with metrics) for some batches; the weights and metrics after."""
    model = seed_model()
    model.set_weights(initial_weights)
    # Dropout's masks are random draws that differ between eager and traced runs (in TF
    # too); with rate 0 both runs compute the same function, so only the tracing differs.
    model.layers[3].rate = 0.0
    optimizer = tf.keras.optimizers.Adam(0.001)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss_metric = tf.keras.metrics.Mean(name="train_loss")
    accuracy_metric = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")

    def train_step(inputs, labels):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            regularization_loss = tf.math.add_n(model.losses)
            pred_loss = loss_fn(labels, predictions)
            total_loss = pred_loss + regularization_loss
        gradients = tape.gradient(total_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        loss_metric.update_state(total_loss)
        accuracy_metric.update_state(labels, predictions)

    step = tf.function(train_step) if compiled else train_step
    for inputs, labels in batches:
        step(tf.constant(inputs), tf.constant(labels))
    return model.get_weights(), float(loss_metric.result()), float(accuracy_metric.result())


def test_seed_train_step_traced_equals_eager(monkeypatch):
    # NumPy kernels only: fused Numba kernels (ops/fused.py) sum in another order, and
    # Adam turns that rounding into O(learning rate) changes of weights whose true
    # gradient is 0 (the Dense bias before BatchNormalization). Numba paths are compared
    # with tolerances in tests/graph/test_fuse_conv.py and tests/ops/test_fused.py.
    monkeypatch.setenv("TAPEFLOW_JIT", "0")
    rng = np.random.default_rng(0)
    batches = [(rng.random((16, 28, 28, 1), dtype=np.float32),
                rng.integers(0, 10, 16).astype(np.uint8)) for _ in range(4)]
    initial = seed_model().get_weights()
    eager_weights, eager_loss, eager_acc = train_seed_steps(initial, False, batches)
    traced_weights, traced_loss, traced_acc = train_seed_steps(initial, True, batches)
    assert any(not np.allclose(w, w0) for w, w0 in zip(eager_weights, initial))
    for eager, traced in zip(eager_weights, traced_weights):
        np.testing.assert_allclose(traced, eager, rtol=1e-5, atol=1e-6)
    assert traced_loss == pytest.approx(eager_loss, rel=1e-5)
    assert traced_acc == eager_acc


@pytest.mark.skipif(not __import__("tapeflow._util.jit", fromlist=["enabled"]).enabled(),
                    reason="Numba (the fast extra) is not installed")
def test_seed_train_step_with_jit_kernels_matches_eager():
    # The fused conv kernels sum in another order than BLAS, so equality is to float
    # tolerance. Where a weight's true gradient is 0 (the Dense bias feeding
    # BatchNormalization; units a relu never opens), Adam turns rounding noise into
    # steps of up to the learning rate: those may differ by 4 steps x 1e-3, no more.
    rng = np.random.default_rng(0)
    batches = [(rng.random((16, 28, 28, 1), dtype=np.float32),
                rng.integers(0, 10, 16).astype(np.uint8)) for _ in range(4)]
    tf.keras.utils.set_random_seed(0)       # the same start on every run
    model = seed_model()
    initial = model.get_weights()
    zero_gradient = [w is model.layers[4].bias for w in model.weights]
    eager_weights, eager_loss, eager_acc = train_seed_steps(initial, False, batches)
    traced_weights, traced_loss, traced_acc = train_seed_steps(initial, True, batches)
    for skip, eager, traced in zip(zero_gradient, eager_weights, traced_weights):
        np.testing.assert_allclose(traced, eager, atol=4e-3 + 1e-6)
        if not skip:   # all but a few elements (near-zero gradients) agree closely
            far = np.count_nonzero(~np.isclose(traced, eager, rtol=1e-4, atol=1e-5))
            assert far <= max(2, traced.size // 1000), (far, traced.size)
    assert traced_loss == pytest.approx(eager_loss, rel=1e-5)
    assert traced_acc == eager_acc
