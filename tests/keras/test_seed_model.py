"""The seed program's model (customize-the-training-step): it must build and run unchanged."""
import numpy as np
import pytest

import tapeflow as tf

SEED_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ conv2d (Conv2D)                 │ (None, 26, 26, 32)     │           320 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ max_pooling2d (MaxPooling2D)    │ (None, 13, 13, 32)     │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ flatten (Flatten)               │ (None, 5408)           │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 5408)           │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 64)             │       346,176 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ (None, 64)             │           256 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 347,402 (1.33 MB)
 Trainable params: 347,274 (1.32 MB)
 Non-trainable params: 128 (512.00 B)
"""


@pytest.fixture
def model(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    tf.keras.backend.clear_session()
    with pytest.warns(UserWarning, match="Do not pass an `input_shape`"):
        return tf.keras.Sequential([
            tf.keras.layers.Conv2D(32, 3, activation='relu',
                                   kernel_regularizer=tf.keras.regularizers.l2(0.02),
                                   input_shape=(28, 28, 1)),
            tf.keras.layers.MaxPooling2D(),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(0.1),
            tf.keras.layers.Dense(64, activation='relu'),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Dense(10)
        ])


def _images(n=4, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (n, 28, 28, 1)).astype("float32")


def test_parameter_counts(model):
    assert model.count_params() == 347_402
    assert sum(int(np.prod(v.shape)) for v in model.trainable_variables) == 347_274
    assert sum(int(np.prod(v.shape)) for v in model.non_trainable_weights) == 128
    # As in Keras 3, `variables` also hold Dropout's seed generator state (int64, 2 values).
    assert sum(int(np.prod(v.shape)) for v in model.non_trainable_variables) == 130
    assert (len(model.variables), len(model.weights)) == (11, 10)


def test_summary_is_keras_table(model):
    out = []
    model.summary(print_fn=out.append)
    assert out == [SEED_SUMMARY]


def test_names_and_variable_order(model):
    assert [layer.name for layer in model.layers] == [
        "conv2d", "max_pooling2d", "flatten", "dropout", "dense", "batch_normalization",
        "dense_1"]
    assert [v.path for v in model.trainable_variables] == [
        "sequential/conv2d/kernel", "sequential/conv2d/bias", "sequential/dense/kernel",
        "sequential/dense/bias", "sequential/batch_normalization/gamma",
        "sequential/batch_normalization/beta", "sequential/dense_1/kernel",
        "sequential/dense_1/bias"]
    assert [v.path for v in model.non_trainable_weights] == [
        "sequential/batch_normalization/moving_mean",
        "sequential/batch_normalization/moving_variance"]
    assert [v.path for v in model.non_trainable_variables] == [
        "seed_generator/seed_generator_state", "sequential/batch_normalization/moving_mean",
        "sequential/batch_normalization/moving_variance"]
    assert model.non_trainable_variables[0].dtype == tf.int64
    assert all(isinstance(v, tf.Variable) for v in model.variables)
    assert [w.name for w in model.layers[0].weights] == ["kernel", "bias"]


def test_losses_are_the_l2_penalty_recomputed_from_current_weights(model):
    kernel = model.layers[0].kernel
    assert len(model.losses) == 1
    outputs = model(_images(), training=True)
    assert outputs.shape == (4, 10) and outputs.dtype == tf.float32
    (loss,) = model.losses
    np.testing.assert_allclose(loss.numpy(), 0.02 * np.sum(np.square(kernel.numpy())),
                               rtol=1e-6)
    kernel.assign(kernel * 2.0)
    model(_images(), training=True)
    np.testing.assert_allclose(model.losses[0].numpy(),
                               0.02 * np.sum(np.square(kernel.numpy())), rtol=1e-6)


def test_training_step_gradients_reach_every_trainable_variable(model):
    images, labels = _images(8), np.arange(8) % 10
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        regularization_loss = tf.math.add_n(model.losses)
        logits = predictions - tf.reduce_logsumexp(predictions, axis=1, keepdims=True)
        pred_loss = -tf.reduce_mean(tf.gather(tf.reshape(logits, [-1]),
                                              labels + 10 * np.arange(8)))
        total_loss = pred_loss + regularization_loss
    gradients = tape.gradient(total_loss, model.trainable_variables)
    assert all(g is not None for g in gradients)
    assert [tuple(g.shape) for g in gradients] == [tuple(v.shape)
                                                   for v in model.trainable_variables]


def test_training_updates_batch_norm_moving_stats_inference_does_not(model):
    bn = model.layers[5]
    model(_images(), training=False)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(64, np.float32))
    model(_images(), training=True)
    assert np.any(bn.moving_mean.numpy() != 0)
    assert np.any(bn.moving_variance.numpy() != 1)


def test_inference_is_deterministic_and_traced_step_matches_eager(model):
    images = _images()
    eager = model(images, training=False).numpy()
    np.testing.assert_array_equal(model(images).numpy(), eager)

    @tf.function
    def predict(x):
        return model(x, training=False)
    np.testing.assert_allclose(predict(images).numpy(), eager, rtol=1e-5, atol=1e-6)
