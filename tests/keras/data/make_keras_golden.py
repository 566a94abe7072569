"""Writes the golden files of tests/keras/test_saving.py with real Keras 3.15 (TF 2.21).

Run with the TensorFlow reference interpreter (never imported by the tests):
    TF_CPP_MIN_LOG_LEVEL=3 /work/tfref/bin/python tests/keras/data/make_keras_golden.py
"""
import os

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)
x = rng.random((6, 4), dtype=np.float32)
y = rng.random((6, 2), dtype=np.float32)

sequential = tf.keras.Sequential([
    tf.keras.Input((4,)), tf.keras.layers.Dense(3, activation="relu", name="hidden"),
    tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(2)], name="golden_sequential")
sequential.compile(tf.keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
sequential.fit(x, y, batch_size=3, epochs=2, verbose=0)
sequential.save(os.path.join(HERE, "keras315_sequential.keras"))
sequential.save_weights(os.path.join(HERE, "keras315_sequential.weights.h5"))

inputs = tf.keras.Input((4,), name="features")
hidden = tf.keras.layers.Dense(5, activation="tanh")(inputs)
outputs = tf.keras.layers.Dense(2)(tf.keras.layers.Concatenate()([inputs, hidden]))
functional = tf.keras.Model(inputs, outputs, name="golden_functional")
functional.save(os.path.join(HERE, "keras315_functional.keras"))

np.savez(os.path.join(HERE, "keras315_expected.npz"), x=x,
         sequential=sequential.predict(x, verbose=0), functional=functional.predict(x, verbose=0),
         sequential_iterations=sequential.optimizer.iterations.numpy())
