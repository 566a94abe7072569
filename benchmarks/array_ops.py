"""Microseconds per eager array op on small tensors: tapeflow vs NumPy (and TF).

Run: python benchmarks/array_ops.py   (TAPEFLOW_TF_PYTHON=<python with TF> to compare)
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import best_time, run_elsewhere, tensorflow_python  # noqa: E402

NUMBER = 5000


def _ops(tf, np):
    x = tf.constant(np.arange(64 * 32, dtype=np.float32).reshape(64, 32))
    i = tf.constant(3)
    return {
        "x[3]": lambda: x[3],
        "x[:, 2]": lambda: x[:, 2],
        "x[i] (tensor)": lambda: x[i],
        "gather 3 rows": lambda: tf.gather(x, [1, 5, 7]),
        "tile [2,1]": lambda: tf.tile(x, [2, 1]),
        "pad 1": lambda: tf.pad(x, [[1, 1], [1, 1]]),
        "sort rows": lambda: tf.sort(x),
        "one_hot 3x10": lambda: tf.one_hot([1, 2, 3], 10),
        "range(10)": lambda: tf.range(10),
        "boolean_mask": lambda: tf.boolean_mask(x, x[:, 0] > 500.0),
    }


def _numpy(np):
    x = np.arange(64 * 32, dtype=np.float32).reshape(64, 32)
    return {
        "x[3]": lambda: x[3], "x[:, 2]": lambda: x[:, 2], "x[i] (tensor)": lambda: x[3],
        "gather 3 rows": lambda: np.take(x, [1, 5, 7], axis=0),
        "tile [2,1]": lambda: np.tile(x, (2, 1)), "pad 1": lambda: np.pad(x, 1),
        "sort rows": lambda: np.sort(x), "one_hot 3x10": lambda: np.eye(10)[[1, 2, 3]],
        "range(10)": lambda: np.arange(10), "boolean_mask": lambda: x[x[:, 0] > 500.0],
    }


def measure(ops):
    return {name: best_time(fn, NUMBER) for name, fn in ops.items()}


def main():
    import numpy as np
    if sys.argv[1:] == ["--tensorflow"]:
        import tensorflow as tf
        print(json.dumps(measure(_ops(tf, np))))
        return
    import tapeflow as tf
    rows = {"numpy": measure(_numpy(np)), "tapeflow": measure(_ops(tf, np))}
    tf_python = tensorflow_python()
    if tf_python:
        result = run_elsewhere(tf_python, os.path.abspath(__file__), "--tensorflow")
        rows["tensorflow eager"] = None if "error" in result else result
    else:
        rows["tensorflow eager"] = None
    print(f"{'microseconds per op':16s}" + "".join(f"{name:>18s}" for name in rows))
    for op in rows["numpy"]:
        cells = "".join(f"{values[op] * 1e6:18.2f}" if values else f"{'not installed':>18s}"
                        for values in rows.values())
        print(f"{op:16s}{cells}")


if __name__ == "__main__":
    main()
