"""compile / fit / evaluate / predict / *_on_batch against Keras 3's documented behaviour.

Expected numbers come from independent NumPy computations (SGD on a linear
model) or from Keras 3.15 runs of the same code (noted where used).
"""
import numpy as np
import pytest

import tapeflow as tf
from tests.keras.datasets_for_tests import batches_dataset

RNG = np.random.default_rng(0)
X = RNG.random((10, 4), dtype=np.float32)
Y = RNG.random((10, 2), dtype=np.float32)


def linear_model(kernel=None, units=2):
    model = tf.keras.Sequential([tf.keras.Input((4,)),
                                 tf.keras.layers.Dense(units, name="out")])
    if kernel is not None:
        model.set_weights([kernel, np.zeros(units, np.float32)])
    return model


def classifier(classes=3):
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(classes)])


def numpy_sgd_epoch(kernel, bias, x, y, batch_size, lr):
    """Plain NumPy: one epoch of SGD on mean squared error, in order; returns weights and
    the per-batch losses (before each update) with their batch sizes."""
    losses = []
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        pred = xb @ kernel + bias
        losses.append((np.mean((pred - yb) ** 2), len(xb)))
        grad = 2 * (pred - yb) / pred.size
        kernel = kernel - lr * xb.T @ grad
        bias = bias - lr * grad.sum(0)
    return kernel, bias, losses


# -- compile and metrics ----------------------------------------------------------------------

def test_metrics_before_and_after_compile():
    model = classifier()
    assert model.metrics == [] and model.metrics_names == []
    model.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    assert model.metrics_names == ["loss", "compile_metrics"]
    model.fit(X, np.arange(10) % 3, verbose=0)
    # Keras 3: the compiled metrics stay one entry; "accuracy" became a sparse accuracy.
    assert model.metrics_names == ["loss", "compile_metrics"]
    inner = model.metrics[1].metrics
    assert [type(m).__name__ for m in inner] == ["SparseCategoricalAccuracy"]
    assert inner[0].name == "accuracy"


@pytest.mark.parametrize("y, expected", [
    (np.arange(10) % 3, "SparseCategoricalAccuracy"),                    # integer labels
    (np.eye(3, dtype=np.float32)[np.arange(10) % 3], "CategoricalAccuracy"),   # one-hot
])
def test_accuracy_string_resolves_from_shapes(y, expected):
    model = classifier()
    model.compile("sgd", "mse" if y.ndim == 2 else "sparse_categorical_crossentropy",
                  metrics=["acc"])
    model.evaluate(X, y, verbose=0)
    assert [type(m).__name__ for m in model.metrics[1].metrics] == [expected]
    assert model.metrics[1].metrics[0].name == "acc"


def test_binary_accuracy_for_one_output_unit():
    model = classifier(1)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    model.evaluate(X, (np.arange(10) % 2).astype(np.float32), verbose=0)
    assert type(model.metrics[1].metrics[0]).__name__ == "BinaryAccuracy"


def test_fit_before_compile_raises():
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the model"):
        linear_model().fit(X, Y, verbose=0)


def test_no_loss_to_compute():
    model = linear_model()
    model.compile("sgd")
    with pytest.raises(ValueError, match="No loss to compute"):
        model.fit(X, Y, verbose=0)


def test_reset_metrics_clears_state():
    model = linear_model()
    model.compile("sgd", "mse", metrics=["mae"])
    model.evaluate(X, Y, verbose=0)
    assert float(model.metrics[0].result()) > 0
    model.reset_metrics()
    assert float(model.metrics[0].result()) == 0.0
    assert all(float(m.result()) == 0.0 for m in model.metrics[1].metrics)


# -- fit ----------------------------------------------------------------------------------------

def test_fit_matches_numpy_sgd_and_logs_the_sample_weighted_mean_loss():
    kernel = RNG.standard_normal((4, 2)).astype(np.float32)
    model = linear_model(kernel)
    model.compile(tf.keras.optimizers.SGD(0.1), "mse")
    history = model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    want_kernel, want_bias, losses = numpy_sgd_epoch(kernel, np.zeros(2), X, Y, 4, 0.1)
    got_kernel, got_bias = model.get_weights()
    np.testing.assert_allclose(got_kernel, want_kernel, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_bias, want_bias, rtol=1e-5, atol=1e-6)
    # Keras' loss tracker is a Mean weighted by batch size: 4, 4 then 2 samples.
    mean = sum(loss * n for loss, n in losses) / sum(n for _, n in losses)
    assert history.history["loss"][0] == pytest.approx(mean, rel=1e-5)


def test_history_keys_params_and_epochs():
    model = classifier()
    model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(X, np.arange(10) % 3, batch_size=4, epochs=3, verbose=0,
                        validation_split=0.2)
    assert isinstance(history, tf.keras.callbacks.History)
    assert model.history is history
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}   # 8 training samples
    assert history.epoch == [0, 1, 2]


def test_initial_epoch_and_epochs_count_from_zero():
    model = linear_model()
    model.compile("sgd", "mse")
    history = model.fit(X, Y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]


def test_validation_split_takes_the_last_samples_before_shuffling():
    seen = []

    class Record(tf.keras.callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model = linear_model()
    model.compile("sgd", "mse")
    history = model.fit(X, Y, batch_size=2, epochs=1, validation_split=0.3, verbose=0,
                        callbacks=[Record()])
    assert seen == [0, 1]                           # 3 validation samples in batches of 2
    assert history.params["steps"] == 4             # 7 training samples
    expected = model.evaluate(X[7:], Y[7:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-6)


def test_validation_split_needs_enough_samples_and_arrays():
    model = linear_model()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="not sufficient to split it"):
        model.fit(X[:1], Y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="only supported for tensors or NumPy arrays"):
        model.fit(batches_dataset(), validation_split=0.5, verbose=0)


def test_validation_data_and_validation_freq():
    model = linear_model()
    model.compile("sgd", "mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=4, verbose=0, validation_data=(X[:4], Y[:4]),
                        validation_freq=2)
    assert len(history.history["loss"]) == 4
    assert len(history.history["val_loss"]) == 2    # epochs 2 and 4 (1-based)
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]


def test_shuffle_false_keeps_order_and_true_permutes_each_epoch():
    orders = {False: [], True: []}
    for shuffle in (False, True):
        model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
        model.compile("sgd", "mse", run_eagerly=True)
        original = model.train_step

        def train_step(data, shuffle=shuffle, original=original):
            orders[shuffle].extend(data[0].numpy()[:, 0].astype(int).tolist())
            return original(data)
        model.train_step = train_step
        x = np.arange(12, dtype=np.float32)[:, None]
        model.fit(x, x, batch_size=5, epochs=2, shuffle=shuffle, verbose=0)
    assert orders[False] == list(range(12)) * 2
    assert sorted(orders[True][:12]) == list(range(12)) and orders[True] != orders[False]
    assert orders[True][:12] != orders[True][12:]


def test_shuffle_batch_keeps_batch_membership():
    batches = []
    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    model.compile("sgd", "mse", run_eagerly=True)
    original = model.train_step

    def train_step(data):
        batches.append(sorted(data[0].numpy()[:, 0].astype(int).tolist()))
        return original(data)
    model.train_step = train_step
    x = np.arange(10, dtype=np.float32)[:, None]
    model.fit(x, x, batch_size=4, shuffle="batch", verbose=0)
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_steps_per_epoch_continues_through_the_data_and_warns_when_it_runs_out():
    model = linear_model()
    model.compile("sgd", "mse")
    steps = []
    callback = tf.keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: steps.append(batch))
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        model.fit(X, Y, batch_size=4, epochs=2, steps_per_epoch=2, verbose=0,
                  callbacks=[callback])
    # 3 batches of data: epoch 1 takes 2, epoch 2 takes the last one and runs out.
    assert steps == [0, 1, 0]


def test_sample_weight_and_class_weight_weight_the_loss():
    model = classifier()
    model.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    y = np.arange(10) % 3
    logits = model.predict(X, verbose=0)
    per_sample = -np.log(np.exp(logits[np.arange(10), y]) / np.exp(logits).sum(1))
    weights = np.linspace(0.0, 2.0, 10).astype(np.float32)
    got = model.evaluate(X, y, sample_weight=weights, batch_size=10, verbose=0)
    assert got == pytest.approx(np.sum(per_sample * weights) / 10, rel=1e-5)
    class_weight = {0: 2.0, 1: 0.5}
    model.fit(X, y, class_weight=class_weight, batch_size=10, epochs=1, verbose=0,
              shuffle=False)
    logged = model.history.history["loss"][0]
    expected = np.array([class_weight.get(c, 1.0) for c in y])
    assert logged == pytest.approx(np.sum(per_sample * expected) / 10, rel=1e-5)
    with pytest.raises(ValueError, match="`class_weight` and `sample_weight`"):
        model.fit(X, y, class_weight=class_weight, sample_weight=weights, verbose=0)


def test_data_cardinality_error_lists_sizes():
    model = linear_model()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Data cardinality is ambiguous") as info:
        model.fit(X, Y[:7], verbose=0)
    assert "'x' sizes: 10" in str(info.value) and "'y' sizes: 7" in str(info.value)


# -- tracing --------------------------------------------------------------------------------

def test_train_function_traces_once_per_batch_shape():
    model = linear_model()
    model.compile("sgd", "mse")
    model.fit(X, Y, batch_size=5, epochs=3, verbose=0)          # 2 full batches per epoch
    assert model.train_function.experimental_get_tracing_count() == 1
    # A new batch size retraces once with the batch dimension relaxed to None
    # (reduce_retracing, as Keras' train function); that trace serves 4, 4 and 2.
    model.fit(X, Y, batch_size=4, epochs=3, verbose=0)
    assert model.train_function.experimental_get_tracing_count() == 2
    fresh = linear_model()
    fresh.compile("sgd", "mse")
    fresh.fit(X, Y, batch_size=4, epochs=3, verbose=0)          # 4, 4, then a last 2
    assert fresh.train_function.experimental_get_tracing_count() == 2


def test_run_eagerly_runs_python_steps():
    calls = []

    class Model(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(2)

        def call(self, x):
            calls.append(tf.executing_eagerly())
            return self.dense(x)

    model = Model()
    model.compile("sgd", "mse", run_eagerly=True)
    model.fit(X, Y, batch_size=5, epochs=2, verbose=0)
    assert calls == [True] * 4
    calls.clear()
    model.run_eagerly = False
    model.fit(X, Y, batch_size=5, epochs=2, verbose=0)
    assert calls == [False]                                     # traced once


def test_config_run_functions_eagerly():
    calls = []

    class Model(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(2)

        def call(self, x):
            calls.append(tf.executing_eagerly())
            return self.dense(x)

    model = Model()
    model.compile("sgd", "mse")
    tf.config.run_functions_eagerly(True)
    try:
        model.fit(X, Y, batch_size=5, verbose=0)
    finally:
        tf.config.run_functions_eagerly(False)
    assert calls == [True, True]


def test_python_control_flow_on_tensors_inside_fit_is_converted():
    class Model(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(1, kernel_initializer="ones")

        def call(self, x):
            y = self.dense(x)
            if tf.reduce_sum(y) > 0:       # a tensor condition: AutoGraph makes it a tf.cond
                y = y * 2.0
            else:
                y = y * 0.0
            return y

    model = Model()
    model.compile("sgd", "mse")
    x = np.ones((4, 3), np.float32)
    model.fit(x, np.ones((4, 1), np.float32), verbose=0, epochs=1)
    out = model.predict(np.ones((2, 3), np.float32), verbose=0)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(out, 2.0 * (np.ones((2, 3)) @ kernel + bias), rtol=1e-6)
    assert model.predict(-np.ones((2, 3), np.float32), verbose=0).tolist() == [[0.0]] * 2


# -- evaluate / predict / *_on_batch -------------------------------------------------------

def test_evaluate_return_forms():
    model = classifier()
    model.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    y = np.arange(10) % 3
    loss, accuracy = model.evaluate(X, y, verbose=0)
    logits = model.predict(X, verbose=0)
    assert accuracy == pytest.approx(np.mean(logits.argmax(1) == y))
    assert model.evaluate(X, y, verbose=0, return_dict=True) == {"accuracy": accuracy,
                                                                  "loss": loss}
    plain = linear_model()
    plain.compile("sgd", "mse")
    assert isinstance(plain.evaluate(X, Y, verbose=0), float)


def test_evaluate_rejects_unknown_arguments():
    model = linear_model()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Arguments not recognized"):
        model.evaluate(X, Y, verbose=0, foo=1)


def test_predict_concatenates_batches_as_numpy():
    kernel = RNG.standard_normal((4, 2)).astype(np.float32)
    model = linear_model(kernel)
    out = model.predict(X, batch_size=3, verbose=0)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == (10, 2)
    np.testing.assert_allclose(out, X @ kernel, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(X[:3]), X[:3] @ kernel, rtol=1e-6)


def test_predict_keeps_the_output_structure():
    inputs = tf.keras.Input((4,))
    outputs = [tf.keras.layers.Dense(2, name="a")(inputs),
               tf.keras.layers.Dense(3, name="b")(inputs)]
    model = tf.keras.Model(inputs, outputs)
    out = model.predict(X, batch_size=4, verbose=0)
    assert isinstance(out, list) and [o.shape for o in out] == [(10, 2), (10, 3)]


def test_train_and_test_on_batch():
    kernel = RNG.standard_normal((4, 2)).astype(np.float32)
    model = linear_model(kernel)
    model.compile(tf.keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    loss, mae = model.train_on_batch(X[:4], Y[:4])
    assert loss == pytest.approx(np.mean((X[:4] @ kernel - Y[:4]) ** 2), rel=1e-5)
    assert mae == pytest.approx(np.mean(np.abs(X[:4] @ kernel - Y[:4])), rel=1e-5)
    want, want_bias, _ = numpy_sgd_epoch(kernel, np.zeros(2), X[:4], Y[:4], 4, 0.1)
    np.testing.assert_allclose(model.get_weights()[0], want, rtol=1e-5, atol=1e-6)
    logs = model.test_on_batch(X[:4], Y[:4], return_dict=True)
    assert sorted(logs) == ["loss", "mae"]
    expected = np.mean((X[:4] @ want + want_bias - Y[:4]) ** 2)
    assert logs["loss"] == pytest.approx(expected, rel=1e-5)
    assert int(model.optimizer.iterations.numpy()) == 1


# -- multiple outputs -------------------------------------------------------------------------

def test_two_outputs_losses_weights_and_metric_names():
    inputs = tf.keras.Input((4,))
    model = tf.keras.Model(inputs, [tf.keras.layers.Dense(2, name="a")(inputs),
                                    tf.keras.layers.Dense(1, name="b")(inputs)])
    model.compile("sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5],
                  metrics={"a": ["mae"], "b": ["mse"]})
    y_b = Y[:, :1]
    logs = model.evaluate(X, [Y, y_b], verbose=0, return_dict=True)
    assert sorted(logs) == ["a_loss", "a_mae", "b_loss", "b_mse", "loss"]
    pred_a, pred_b = model.predict(X, verbose=0)
    a_loss = np.mean((pred_a - Y) ** 2)
    b_loss = np.mean(np.abs(pred_b - y_b))
    assert logs["a_loss"] == pytest.approx(a_loss, rel=1e-5)
    assert logs["b_loss"] == pytest.approx(b_loss, rel=1e-5)
    assert logs["loss"] == pytest.approx(a_loss + 0.5 * b_loss, rel=1e-5)
    assert logs["b_mse"] == pytest.approx(np.mean((pred_b - y_b) ** 2), rel=1e-5)
    history = model.fit(X, {"a": Y, "b": y_b}, epochs=1, verbose=0)
    assert "a_loss" in history.history


# -- custom train_step ---------------------------------------------------------------------------

class CustomModel(tf.keras.Model):
    """Keras 3's guide pattern: train_step with compute_loss and the model's metrics."""

    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(2)
        self.steps = 0

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_custom_train_step_with_compute_loss_and_metrics():
    model = CustomModel()
    model.compile(tf.keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    history = model.fit(X, Y, batch_size=5, epochs=2, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]       # compile_metrics dict flattened
    assert history.history["loss"][1] < history.history["loss"][0]
    assert model.train_function.experimental_get_tracing_count() == 1


class LossTrackerModel(tf.keras.Model):
    """A model that keeps its own Mean metric as an attribute (tracked in `metrics`)."""

    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(2)
        self.loss_tracker = tf.keras.metrics.Mean(name="my_loss")

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        return {"my_loss": self.loss_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker]


def test_custom_metric_attribute_is_reset_each_epoch():
    model = LossTrackerModel()
    model.compile(tf.keras.optimizers.SGD(0.05))
    history = model.fit(X, Y, batch_size=10, epochs=3, verbose=0)
    per_epoch = history.history["my_loss"]
    # one batch per epoch: each epoch's mean is that batch's loss, not a running mean
    assert per_epoch[0] > per_epoch[1] > per_epoch[2]
    assert float(model.loss_tracker.count.numpy()) == 1.0


def test_attribute_metrics_appear_in_model_metrics():
    class Model(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(2)
            self.tracker = tf.keras.metrics.Mean(name="tracker")

        def call(self, x):
            return self.dense(x)

    model = Model()
    model.compile("sgd", "mse")
    assert [m.name for m in model.metrics] == ["loss", "tracker"]


def test_tf2_compiled_loss_and_compiled_metrics_shims():
    class Model(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = Model()
    model.compile(tf.keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    logs = model.fit(X, Y, batch_size=10, epochs=1, verbose=0).history
    pred = model.predict(X, verbose=0)
    assert sorted(logs) == ["loss", "mae"]
    assert logs["loss"][0] > np.mean((pred - Y) ** 2)      # the loss fell after the update


def test_custom_test_step_used_by_evaluate():
    class Model(CustomModel):
        def test_step(self, data):
            return {"answer": tf.constant(42.0)}

    model = Model()
    model.compile("sgd", "mse")
    assert model.evaluate(X, Y, verbose=0, return_dict=True) == {"answer": 42.0}


def test_steps_per_execution_groups_callback_calls():
    batches = []
    model = linear_model()
    model.compile("sgd", "mse", steps_per_execution=2)
    callback = tf.keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: batches.append(("begin", batch)),
        on_train_batch_end=lambda batch, logs: batches.append(("end", batch)))
    model.fit(X, Y, batch_size=2, epochs=1, verbose=0, callbacks=[callback])
    assert batches == [("begin", 0), ("end", 1), ("begin", 2), ("end", 3), ("begin", 4),
                       ("end", 4)]
    assert int(model.optimizer.iterations.numpy()) == 5
