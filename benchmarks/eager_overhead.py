"""Microseconds per small-tensor op (4 elements): tapeflow vs NumPy (and TF/PyTorch).

Target (issue #2): tapeflow <= 3x NumPy's time per op, well under TF eager.
Run: python benchmarks/eager_overhead.py   (TAPEFLOW_TF_PYTHON=<python with TF> to compare)
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import best_time, importable, run_elsewhere, tensorflow_python  # noqa

NUMBER = 20000


def measure_numpy():
    import numpy as np
    a = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    b = np.array([4.0, 3.0, 2.0, 1.0], np.float32)
    m = a.reshape(2, 2)
    return {"add": best_time(lambda: np.add(a, b), NUMBER),
            "mul": best_time(lambda: np.multiply(a, b), NUMBER),
            "exp": best_time(lambda: np.exp(a), NUMBER),
            "matmul 2x2": best_time(lambda: np.matmul(m, m), NUMBER),
            "reduce_sum": best_time(lambda: np.sum(a), NUMBER)}


def _ops(tf):
    a = tf.constant([1.0, 2.0, 3.0, 4.0])
    b = tf.constant([4.0, 3.0, 2.0, 1.0])
    m = tf.reshape(a, [2, 2])
    ops = {"add": lambda: a + b, "mul": lambda: a * b, "exp": lambda: tf.exp(a),
           "matmul 2x2": lambda: tf.matmul(m, m), "reduce_sum": lambda: tf.reduce_sum(a)}
    return a, m, ops


def measure_tf_like(tf, tape=False):
    a, m, ops = _ops(tf)
    if not tape:
        return {name: best_time(fn, NUMBER) for name, fn in ops.items()}
    results = {}
    for name, fn in ops.items():
        with tf.GradientTape() as t:
            t.watch(a)
            t.watch(m)
            results[name] = best_time(fn, NUMBER // 4)
    return results


def measure_torch():
    import torch
    a = torch.tensor([1.0, 2.0, 3.0, 4.0])
    b = torch.tensor([4.0, 3.0, 2.0, 1.0])
    m = a.reshape(2, 2)
    return {"add": best_time(lambda: a + b, NUMBER), "mul": best_time(lambda: a * b, NUMBER),
            "exp": best_time(lambda: torch.exp(a), NUMBER),
            "matmul 2x2": best_time(lambda: m @ m, NUMBER),
            "reduce_sum": best_time(lambda: torch.sum(a), NUMBER)}


def main():
    if sys.argv[1:] == ["--tensorflow"]:
        import tensorflow as tf
        print(json.dumps({"eager": measure_tf_like(tf), "tape": measure_tf_like(tf, True)}))
        return
    import tapeflow as tf
    rows = {"numpy": measure_numpy(), "tapeflow": measure_tf_like(tf),
            "tapeflow + tape": measure_tf_like(tf, tape=True)}
    tf_python = tensorflow_python()
    if tf_python:
        result = run_elsewhere(tf_python, os.path.abspath(__file__), "--tensorflow")
        rows["tensorflow eager"] = result.get("eager")
        rows["tensorflow + tape"] = result.get("tape")
    else:
        rows["tensorflow eager"] = None
    rows["pytorch eager"] = measure_torch() if importable("torch") else None
    ops = list(rows["numpy"])
    print(f"{'microseconds per op':22s}" + "".join(f"{op:>12s}" for op in ops))
    for name, values in rows.items():
        if values is None:
            print(f"{name:22s}  not installed")
            continue
        print(f"{name:22s}" + "".join(f"{values[op] * 1e6:12.2f}" for op in ops))
    print()
    print(f"{'tapeflow / NumPy':22s}" + "".join(
        f"{rows['tapeflow'][op] / rows['numpy'][op]:12.2f}" for op in ops))
    if rows.get("tensorflow eager"):
        print(f"{'TF eager / tapeflow':22s}" + "".join(
            f"{rows['tensorflow eager'][op] / rows['tapeflow'][op]:12.2f}" for op in ops))


if __name__ == "__main__":
    main()
