"""The seed's train step (forward, GradientTape backward, Adam, metrics): samples/second.

Prints tapeflow eager and `tf.function` at batch 32 and 128, with the first-call
(trace + compile) time and peak RSS, next to TensorFlow eager/`tf.function`
and PyTorch eager when they are installed (TAPEFLOW_TF_PYTHON may name another
interpreter with TensorFlow). Targets (issue #5): tapeflow function >= TF
tf.function at both batch sizes; tapeflow eager >= 2x TF eager; tracing < 1 s;
peak RSS below TensorFlow's.

With Numba installed (the fast extra) it also prints tapeflow with TAPEFLOW_JIT=0,
i.e. NumPy kernels only.

`--seed N` sets the global seed (`tf.random.set_seed(N)`) in every framework
first, as much user code does: Dropout's masks are then TF's seeded Philox draws
instead of unseeded ones.

Run: python benchmarks/seed_step.py [--steps N] [--seed N]
"""
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import importable, run_elsewhere, tensorflow_python  # noqa: E402

BATCHES = (32, 128)


def build_model(tf):
    return tf.keras.Sequential([
        tf.keras.Input((28, 28, 1)),
        tf.keras.layers.Conv2D(32, 3, activation="relu",
                               kernel_regularizer=tf.keras.regularizers.l2(0.02)),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dropout(0.1),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dense(10),
    ])


def make_step(tf, compiled):
    model = build_model(tf)
    optimizer = tf.keras.optimizers.Adam(0.001)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss_metric = tf.keras.metrics.Mean(name="train_loss")
    accuracy_metric = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")

    def train_step(inputs, labels):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            regularization_loss = tf.math.add_n(model.losses)
            pred_loss = loss_fn(labels, predictions)
            total_loss = pred_loss + regularization_loss
        gradients = tape.gradient(total_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        loss_metric.update_state(total_loss)
        accuracy_metric.update_state(labels, predictions)

    return tf.function(train_step) if compiled else train_step


def measure(tf, compiled, batch, steps):
    import numpy as np
    rng = np.random.default_rng(0)
    x = tf.constant(rng.random((batch, 28, 28, 1), dtype=np.float32))
    y = tf.constant(rng.integers(0, 10, batch).astype(np.int32))
    step = make_step(tf, compiled)
    start = time.perf_counter()
    step(x, y)
    first = time.perf_counter() - start
    phases = {}
    if compiled and hasattr(step.get_concrete_function(x, y), "trace_seconds"):   # tapeflow
        concrete = step.get_concrete_function(x, y)
        phases = {"trace_s": concrete.trace_seconds, "compile_s": concrete.compile_seconds}
    for _ in range(3):
        step(x, y)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(steps):
            step(x, y)
        best = min(best, (time.perf_counter() - start) / steps)
    return {"samples_per_s": batch / best, "ms_per_step": best * 1e3, "first_call_s": first,
            **phases}


def run_all(tf, steps, seed=None):
    if seed is not None:
        tf.random.set_seed(seed)
    results = {}
    for batch in BATCHES:
        for compiled in (True, False):
            n = steps if compiled else max(3, steps // 4)
            results[f"{'function' if compiled else 'eager'} {batch}"] = measure(
                tf, compiled, batch, n)
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def measure_torch(steps):
    import torch
    from torch import nn
    torch.manual_seed(0)
    results = {}
    for batch in BATCHES:
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Dropout(0.1), nn.Linear(5408, 64), nn.ReLU(),
                              nn.BatchNorm1d(64, eps=1e-3, momentum=0.01), nn.Linear(64, 10))
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        x = torch.rand(batch, 1, 28, 28)
        y = torch.randint(0, 10, (batch,))

        def step():
            opt.zero_grad()
            out = model(x)
            loss = nn.functional.cross_entropy(out, y) + 0.02 * (model[0].weight ** 2).sum()
            loss.backward()
            opt.step()
        for _ in range(3):
            step()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        dt = (time.perf_counter() - start) / steps
        results[f"eager {batch}"] = {"samples_per_s": batch / dt, "ms_per_step": dt * 1e3}
    return results


def _option(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def main():
    steps = int(_option("--steps") or 30)
    seed = None if _option("--seed") is None else int(_option("--seed"))
    passed_on = ["--steps", str(steps)] + ([] if seed is None else ["--seed", str(seed)])
    if "--tensorflow" in sys.argv:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import tensorflow as tf
        print(json.dumps(run_all(tf, steps, seed)))
        return
    import tapeflow as tf
    if "--numpy-only" in sys.argv:
        print(json.dumps(run_all(tf, steps, seed)))
        return
    rows = {"tapeflow": run_all(tf, steps, seed)}
    from tapeflow._util import jit
    if jit.enabled():   # the same without the Numba-compiled kernels
        rows["tapeflow, no JIT"] = run_elsewhere(sys.executable, os.path.abspath(__file__),
                                                 "--numpy-only", *passed_on, TAPEFLOW_JIT="0")
    tf_python = tensorflow_python()
    rows["tensorflow"] = (run_elsewhere(tf_python, os.path.abspath(__file__), "--tensorflow",
                                        *passed_on) if tf_python else None)
    rows["pytorch"] = measure_torch(steps) if importable("torch") else None
    report(rows)


def theirs_ok(rows):
    theirs = rows.get("tensorflow")
    return bool(theirs) and "error" not in theirs


def report(rows):
    keys = [f"{mode} {b}" for b in BATCHES for mode in ("function", "eager")]
    print(f"{'samples/second':14s}" + "".join(f"{k:>16s}" for k in keys) +
          f"{'peak RSS MB':>14s}")
    for name, result in rows.items():
        if not result or "error" in result:
            print(f"{name:14s}  not installed" + (f" ({result['error']})" if result else ""))
            continue
        cells = "".join(f"{result[k]['samples_per_s']:16.0f}" if k in result else f"{'-':>16s}"
                        for k in keys)
        rss = result.get("peak_rss_mb")
        print(f"{name:14s}{cells}{rss:14.0f}" if rss else f"{name:14s}{cells}")
    ours = rows["tapeflow"]
    for k in (k for k in keys if k.startswith("function")):
        r = ours[k]
        print(f"first call of tapeflow {k}: {r['first_call_s']:.2f} s (trace {r['trace_s']:.2f} s, "
              f"optimize + generate code {r['compile_s']:.2f} s, the rest: JIT kernels "
              "compiled or loaded from cache, and the step itself)")
    if theirs_ok(rows):
        print("first call of TensorFlow: " + ", ".join(
            f"{k}: {rows['tensorflow'][k]['first_call_s']:.2f} s"
            for k in keys if k.startswith("function")))
    theirs = rows.get("tensorflow")
    if theirs_ok(rows):
        for name in (n for n, r in rows.items() if n.startswith("tapeflow") and r
                     and "error" not in r):
            print(f"{name} / TensorFlow:" + "".join(
                f"  {k}: {rows[name][k]['samples_per_s'] / theirs[k]['samples_per_s']:.2f}x"
                for k in keys))


if __name__ == "__main__":
    main()
