"""Helpers shared by the benchmarks: timing, and running the TensorFlow/PyTorch side.

TensorFlow and PyTorch are never dependencies. A benchmark measures them when
they import in this interpreter, or when TAPEFLOW_TF_PYTHON names another
Python that has TensorFlow (the measurement then runs in a subprocess and its
printed figures are read back); otherwise it prints 'not installed'.
"""
import json
import os
import subprocess
import sys
import time


def best_time(fn, number, repeat=5):
    """Best average seconds per call of `fn` over `repeat` runs of `number` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def importable(module):
    try:
        __import__(module)
        return True
    except Exception:
        return False


def run_elsewhere(python, script, *args, timeout=900, **env_vars):
    """Runs `script` (a path) with another interpreter; returns its last JSON line."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", **env_vars)
    result = subprocess.run([python, script, *args], capture_output=True, text=True,
                            timeout=timeout, env=env)
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    lines = [line for line in result.stdout.strip().splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": "no output"}


def tensorflow_python():
    """The interpreter to measure TensorFlow with, or None."""
    if importable("tensorflow"):
        return sys.executable
    other = os.environ.get("TAPEFLOW_TF_PYTHON")
    return other if other and os.path.exists(other) else None


def compare_ops(script, make_ops, width=18):
    """The main of a per-op benchmark: `make_ops(tf, np)` -> {name: (fn, calls)}, timed in
    tapeflow and (through `script --tensorflow`) in TensorFlow, printed in ms per call."""
    import numpy as np

    def measure(ops):
        return {name: best_time(fn, number, repeat=3) for name, (fn, number) in ops.items()}

    if sys.argv[1:] == ["--tensorflow"]:
        import tensorflow as tf
        print(json.dumps(measure(make_ops(tf, np))))
        return
    import tapeflow as tf
    rows = {"tapeflow": measure(make_ops(tf, np))}
    tf_python = tensorflow_python()
    result = run_elsewhere(tf_python, os.path.abspath(script), "--tensorflow") \
        if tf_python else {"error": "not installed"}
    rows["tensorflow"] = None if "error" in result else result
    print(f"{'milliseconds per call':32s}" + "".join(f"{name:>{width}s}" for name in rows))
    for op in rows["tapeflow"]:
        cells = "".join(f"{values[op] * 1e3:{width}.3f}" if values else
                        f"{'not installed':>{width}s}" for values in rows.values())
        print(f"{op:32s}{cells}")
