"""A stand-in for a Keras model and `fit`, for driving the TensorBoard callback.

`fake_fit` calls a callback's hooks in the order Keras 3's `fit` does, with a model
that has just what the callback reads, so tests can pin exact steps and values
(tests/summary/test_tensorboard_server.py uses the real `fit`).
"""
import json

import numpy as np

import tapeflow as tf


class PathVariable(tf.Variable):
    """A variable with a Keras 3 style `path` ("sequential/d1/kernel")."""

    @property
    def path(self):
        return self.name.rsplit(":", 1)[0]


class Dense:
    def __init__(self, name, units_in, units_out, rng):
        self.name = name
        self.weights = [
            PathVariable(rng.standard_normal((units_in, units_out)).astype(np.float32),
                         name=f"sequential/{name}/kernel"),
            PathVariable(np.zeros(units_out, np.float32), name=f"sequential/{name}/bias")]


class Optimizer:
    def __init__(self, learning_rate):
        self.learning_rate = tf.Variable(learning_rate)
        self.iterations = tf.Variable(0, dtype=tf.int64)


class Sequential:
    """Just what the callback reads: optimizer, layers with weights, to_json."""

    def __init__(self, learning_rate=0.1):
        rng = np.random.default_rng(0)
        self.layers = [Dense("d1", 3, 2, rng), Dense("d2", 2, 1, rng)]
        self.optimizer = Optimizer(learning_rate)

    def to_json(self):
        return json.dumps({"class_name": "Sequential", "config": {"name": "sequential"}})


def fake_fit(callback, model, epochs, steps, validation_steps):
    """Calls the hooks in the order Keras' `fit` does; returns the logged values.

    Batch logs are running means as in Keras: loss = 1 / global_batch, and the
    epoch logs are the last batch's, plus `val_` values.
    """
    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        for batch in range(steps):
            callback.on_train_batch_begin(batch)
            model.optimizer.iterations.assign_add(1)
            logs = {"loss": 1.0 / int(model.optimizer.iterations), "mae": 0.5}
            callback.on_train_batch_end(batch, logs)
        callback.on_test_begin()
        for batch in range(validation_steps):
            callback.on_test_batch_begin(batch)
            callback.on_test_batch_end(batch, {"loss": 0.25})
        val_logs = {"loss": 0.25 + epoch, "mae": 0.125}
        callback.on_test_end(val_logs)
        callback.on_epoch_end(epoch, {**logs, **{f"val_{k}": v for k, v in val_logs.items()}})
    callback.on_train_end()
