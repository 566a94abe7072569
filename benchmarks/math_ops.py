"""Microseconds per eager math op: tapeflow vs NumPy (and TF), small and medium tensors.

Run: python benchmarks/math_ops.py   (TAPEFLOW_TF_PYTHON=<python with TF> to compare)
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import best_time, run_elsewhere, tensorflow_python  # noqa: E402

NUMBER = 2000


def _data(np):
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((32, 10)).astype(np.float32),
            "w": rng.standard_normal((10, 10)).astype(np.float32),
            "big": rng.standard_normal((256, 256)).astype(np.float32),
            "batch": rng.standard_normal((8, 16, 32)).astype(np.float32),
            "ids": np.array([0, 3, 1, 3] * 8, np.int32)}


def _ops(tf, np):
    d = {k: tf.constant(v) for k, v in _data(np).items()}
    x, w, big, batch, ids = d["x"], d["w"], d["big"], d["batch"], d["ids"]
    return {
        "x / y": lambda: x / x,
        "reduce_sum axis=1": lambda: tf.reduce_sum(x, axis=1),
        "reduce_mean": lambda: tf.reduce_mean(x),
        "argmax axis=1": lambda: tf.argmax(x, axis=1),
        "matmul 32x10": lambda: tf.matmul(x, w),
        "erf 32x10": lambda: tf.math.erf(x),
        "clip_by_value": lambda: tf.clip_by_value(x, -0.5, 0.5),
        "logsumexp axis=1": lambda: tf.reduce_logsumexp(x, axis=1),
        "cumsum axis=1": lambda: tf.cumsum(x, axis=1),
        "top_k k=3": lambda: tf.math.top_k(x, k=3),
        "segment_sum 32 rows": lambda: tf.math.unsorted_segment_sum(x, ids, 4),
        "einsum bij,bkj": lambda: tf.einsum("bij,bkj->bik", batch, batch),
        "erf 256x256": lambda: tf.math.erf(big),
        "norm 256x256": lambda: tf.norm(big),
        "inv 256x256": lambda: tf.linalg.inv(big),
    }


def _numpy(np):
    d = _data(np)
    x, w, big, batch, ids = d["x"], d["w"], d["big"], d["batch"], d["ids"]
    erf = np.vectorize(math.erf, otypes=[np.float32])   # NumPy has no erf: Python's, per element

    def top_k(v, k):
        order = np.argsort(-v, axis=-1, kind="stable")[..., :k]
        return np.take_along_axis(v, order, axis=-1), order

    def segment_sum(v, s, n):
        out = np.zeros((n,) + v.shape[1:], v.dtype)
        np.add.at(out, s, v)
        return out

    def logsumexp(v, axis):
        m = v.max(axis=axis, keepdims=True)
        return np.log(np.exp(v - m).sum(axis=axis)) + m.squeeze(axis)

    return {
        "x / y": lambda: x / x,
        "reduce_sum axis=1": lambda: x.sum(axis=1),
        "reduce_mean": lambda: x.mean(),
        "argmax axis=1": lambda: x.argmax(axis=1),
        "matmul 32x10": lambda: x @ w,
        "erf 32x10": lambda: erf(x),
        "clip_by_value": lambda: np.clip(x, -0.5, 0.5),
        "logsumexp axis=1": lambda: logsumexp(x, 1),
        "cumsum axis=1": lambda: np.cumsum(x, axis=1),
        "top_k k=3": lambda: top_k(x, 3),
        "segment_sum 32 rows": lambda: segment_sum(x, ids, 4),
        "einsum bij,bkj": lambda: np.einsum("bij,bkj->bik", batch, batch),
        "erf 256x256": lambda: erf(big),
        "norm 256x256": lambda: np.sqrt((big * big).sum()),
        "inv 256x256": lambda: np.linalg.inv(big),
    }


def measure(ops):
    return {name: best_time(fn, NUMBER if "256" not in name else 50) for name, fn in ops.items()}


def main():
    import numpy as np
    if sys.argv[1:] == ["--tensorflow"]:
        import tensorflow as tf
        print(json.dumps(measure(_ops(tf, np))))
        return
    import tapeflow as tf
    rows = {"numpy": measure(_numpy(np)), "tapeflow": measure(_ops(tf, np))}
    tf_python = tensorflow_python()
    result = run_elsewhere(tf_python, os.path.abspath(__file__), "--tensorflow") \
        if tf_python else {"error": "not installed"}
    rows["tensorflow eager"] = None if "error" in result else result
    print(f"{'microseconds per op':22s}" + "".join(f"{name:>18s}" for name in rows))
    for op in rows["numpy"]:
        cells = "".join(f"{values[op] * 1e6:18.2f}" if values else f"{'not installed':>18s}"
                        for values in rows.values())
        print(f"{op:22s}{cells}")


if __name__ == "__main__":
    main()
