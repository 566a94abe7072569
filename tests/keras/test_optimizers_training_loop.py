"""The seed's custom training loop without layers: loss object, optimizer and metrics in a
`tf.function` train step, eager and compiled, against numbers from Keras 3.15 (TF 2.21)."""
import numpy as np
import pytest

import tapeflow as tf

X = np.random.default_rng(1).normal(size=(8, 4)).astype(np.float32)
Y = np.array([0, 1, 2, 1, 0, 2, 2, 1], np.int32)
W0 = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)

# Printed by the same program under TF 2.21 / Keras 3.15 (eager and tf.function agree):
# (mean loss, accuracy) per epoch, and the kernel after the three epochs.
KERAS_EPOCHS = [(1.7719337940216064, 0.25), (1.4417040348052979, 0.25),
                (1.1983953714370728, 0.25)]
KERAS_KERNEL = [[0.5923393368721008, 0.32992830872535706, 0.17777445912361145],
                [0.2657688856124878, -0.08407340943813324, -0.11661375313997269],
                [1.0896676778793335, 0.9351514577865601, -0.13142108917236328],
                [-1.440551519393921, -0.5297890901565552, 0.03186384215950966]]


def train(compiled):
    w, b = tf.Variable(W0, name="kernel"), tf.Variable(np.zeros(3, np.float32), name="bias")
    optimizer = tf.keras.optimizers.Adam(0.1)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss_metric = tf.keras.metrics.Mean(name="train_loss")
    accuracy_metric = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")

    def train_step(inputs, labels):
        with tf.GradientTape() as tape:
            logits = tf.matmul(inputs, w) + b
            loss = loss_fn(labels, logits)
        gradients = tape.gradient(loss, [w, b])
        optimizer.apply_gradients(zip(gradients, [w, b]))
        loss_metric.update_state(loss)
        accuracy_metric.update_state(labels, logits)

    if compiled:
        train_step = tf.function(train_step)
    epochs = []
    for _ in range(3):
        loss_metric.reset_states()
        accuracy_metric.reset_states()
        for i in range(0, 8, 4):
            train_step(tf.constant(X[i:i + 4]), tf.constant(Y[i:i + 4]))
        epochs.append((float(loss_metric.result()), float(accuracy_metric.result())))
    return epochs, w.numpy(), optimizer


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "tf.function"])
def test_training_loop_matches_keras(compiled):
    epochs, kernel, optimizer = train(compiled)
    np.testing.assert_allclose(epochs, KERAS_EPOCHS, rtol=1e-6)
    np.testing.assert_allclose(kernel, KERAS_KERNEL, rtol=1e-5, atol=1e-6)
    assert int(optimizer.iterations) == 6 and len(optimizer.variables) == 6
