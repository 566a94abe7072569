"""Microseconds per call of Keras losses, metrics and optimizers: tapeflow vs TF (Keras 3).

Eager calls, and one `tf.function` step that applies Adam to 8 variables and updates
two metrics (the bookkeeping part of the seed's train step, without a model).
Run: python benchmarks/keras_objects.py   (TAPEFLOW_TF_PYTHON=<python with TF> to compare)
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import best_time, run_elsewhere, tensorflow_python  # noqa: E402

NUMBER = 200


def measure(tf):
    import numpy as np
    rng = np.random.default_rng(0)
    variables = [tf.Variable(rng.normal(size=(64, 64)).astype(np.float32)) for _ in range(8)]
    grads = [tf.constant(rng.normal(size=(64, 64)).astype(np.float32)) for _ in range(8)]
    labels = tf.constant(np.arange(32) % 10)
    logits = tf.constant(rng.normal(size=(32, 10)).astype(np.float32))
    adam = tf.keras.optimizers.Adam(0.001)
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    mean = tf.keras.metrics.Mean()
    accuracy = tf.keras.metrics.SparseCategoricalAccuracy()
    auc = tf.keras.metrics.AUC()
    binary = tf.constant((np.arange(32) % 2).astype(np.float32))
    scores = tf.constant(rng.uniform(size=32).astype(np.float32))

    def metrics_step():
        mean.update_state(loss(labels, logits))
        accuracy.update_state(labels, logits)

    compiled_optimizer = tf.keras.optimizers.Adam(0.001)

    @tf.function
    def step():
        compiled_optimizer.apply_gradients(zip(grads, variables))
        mean.update_state(loss(labels, logits))
        accuracy.update_state(labels, logits)

    adam.apply_gradients(zip(grads, variables))
    step()
    return {"Adam step, 8 x 64x64": best_time(lambda: adam.apply_gradients(zip(grads, variables)),
                                              NUMBER),
            "SCCE loss, 32x10": best_time(lambda: loss(labels, logits), NUMBER),
            "Mean + accuracy update": best_time(metrics_step, NUMBER),
            "AUC update, 32": best_time(lambda: auc.update_state(binary, scores), NUMBER),
            "tf.function step": best_time(step, NUMBER)}


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
    names = list(rows["tapeflow"])
    header = f"{'tapeflow':>12s}{'tensorflow':>12s}{'TF / tapeflow':>15s}"
    print(f"{'microseconds per call':24s}{header}")
    for name in names:
        ours = rows["tapeflow"][name] * 1e6
        theirs = rows["tensorflow"] and rows["tensorflow"].get(name)
        if theirs is None:
            print(f"{name:24s}{ours:12.1f}{'not installed':>12s}")
        else:
            print(f"{name:24s}{ours:12.1f}{theirs * 1e6:12.1f}{theirs * 1e6 / ours:15.1f}")


if __name__ == "__main__":
    main()
