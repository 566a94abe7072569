"""Microseconds per call of Keras layers and models: tapeflow vs TF (Keras 3).

Eager layer calls on small inputs (where the Layer.__call__ bookkeeping shows),
building a functional model (shape inference by tracing), and the seed model's
forward pass and forward + backward with a GradientTape (batch of 32).
Run: python benchmarks/keras_layers.py   (TAPEFLOW_TF_PYTHON=<python with TF> to compare)
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import best_time, run_elsewhere, tensorflow_python  # noqa: E402


def seed_model(tf):
    return tf.keras.Sequential([
        tf.keras.Input((28, 28, 1)),
        tf.keras.layers.Conv2D(32, 3, activation="relu",
                               kernel_regularizer=tf.keras.regularizers.l2(0.02)),
        tf.keras.layers.MaxPooling2D(), tf.keras.layers.Flatten(),
        tf.keras.layers.Dropout(0.1), tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(10)])


def measure(tf):
    import numpy as np
    rng = np.random.default_rng(0)
    small = tf.constant(rng.normal(size=(4, 8)).astype(np.float32))
    dense = tf.keras.layers.Dense(8)
    lstm = tf.keras.layers.LSTM(8)
    sequence = tf.constant(rng.normal(size=(4, 5, 8)).astype(np.float32))
    images = tf.constant(rng.uniform(size=(32, 28, 28, 1)).astype(np.float32))
    model = seed_model(tf)
    dense(small), lstm(sequence), model(images)

    def build_functional():
        inputs = tf.keras.Input((16,))
        x = tf.keras.layers.Dense(16, activation="relu")(inputs)
        return tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))

    def train_forward_backward():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(images, training=True)) + tf.add_n(model.losses)
        return tape.gradient(loss, model.trainable_variables)

    return {"Dense(8) call, 4x8": best_time(lambda: dense(small), 500),
            "LSTM(8) call, 4x5x8": best_time(lambda: lstm(sequence), 50),
            "build functional model": best_time(build_functional, 20),
            "seed model inference": best_time(lambda: model(images), 10),
            "seed fwd+bwd (tape)": best_time(train_forward_backward, 10)}


def main():
    if sys.argv[1:] == ["--tensorflow"]:
        import tensorflow as tf
        print(json.dumps(measure(tf)))
        return
    import tapeflow as tf
    rows = {"tapeflow": measure(tf)}
    tf_python = tensorflow_python()
    rows["tensorflow"] = (run_elsewhere(tf_python, os.path.abspath(__file__), "--tensorflow")
                          if tf_python else None)
    header = f"{'tapeflow':>12s}{'tensorflow':>12s}{'TF / tapeflow':>15s}"
    print(f"{'microseconds per call':26s}{header}")
    for name, ours in rows["tapeflow"].items():
        theirs = rows["tensorflow"] and rows["tensorflow"].get(name)
        if theirs is None:
            print(f"{name:26s}{ours * 1e6:12.1f}{'not installed':>12s}")
        else:
            print(f"{name:26s}{ours * 1e6:12.1f}{theirs * 1e6:12.1f}{theirs / ours:15.1f}")


if __name__ == "__main__":
    main()
