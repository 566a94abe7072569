"""tf.data input pipeline on MNIST: samples per second over one epoch, and RSS with cache().

Pipelines (as in TF's tutorials), each timed over full epochs:
  plain:  from_tensor_slices((x, y)).shuffle(10000).batch(32).prefetch(AUTOTUNE)
  map:    the same with .map(normalize, num_parallel_calls=AUTOTUNE) before batching,
          normalize = (cast(x, float32) / 255, y)
The target (issue #4) is at least 10x the seed model's training throughput
(benchmarks/seed_step.py, tf.function at batch 32), so that the pipeline is never
the bottleneck. Memory: a cache()d, normalized MNIST pipeline iterated for several
epochs must hold RSS flat.

TensorFlow's tf.data figures are printed beside tapeflow's when TensorFlow imports
here or TAPEFLOW_TF_PYTHON names a Python that has it; otherwise 'not installed'.

Run: python benchmarks/input_pipeline.py [--epochs N]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks._compare import run_elsewhere, tensorflow_python  # noqa: E402


def load_mnist():
    """The MNIST training arrays, read with tapeflow's loader (no TensorFlow needed)."""
    from tapeflow.keras.datasets import mnist
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    candidates = [os.environ.get("TAPEFLOW_DATA_DIR"),
                  os.path.join(root, "..", "shared", "data"), "/work/shared/data"]
    data_dir = next((c for c in candidates if c and os.path.isdir(os.path.join(c, "mnist"))),
                    None)
    (x, y), _ = mnist.load_data(data_dir=data_dir)
    return x, y


def rss_mb():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def epoch_rate(dataset):
    """Samples per second over one full pass of `dataset`."""
    start, count = time.perf_counter(), 0
    for images, _ in dataset:
        count += int(images.shape[0])
    return count / (time.perf_counter() - start)


def measure(tf, x, y, epochs):
    autotune = tf.data.AUTOTUNE

    def normalize(image, label):
        return tf.cast(image, tf.float32) / 255.0, label

    base = tf.data.Dataset.from_tensor_slices((x, y))
    plain = base.shuffle(10000).batch(32).prefetch(autotune)
    mapped = base.shuffle(10000).map(normalize, num_parallel_calls=autotune).batch(32) \
        .prefetch(autotune)
    result = {}
    for name, dataset in (("plain", plain), ("map", mapped)):
        rates = [epoch_rate(dataset) for _ in range(epochs)]
        result[name] = {"best": max(rates), "median": sorted(rates)[len(rates) // 2]}
    cached = base.map(normalize, num_parallel_calls=autotune).cache().shuffle(10000) \
        .batch(32).prefetch(autotune)
    rss = [rss_mb()]
    for _ in range(max(epochs, 4)):
        for _batch in cached:
            pass
        rss.append(rss_mb())
    result["cache_rss_mb"] = rss
    return result


def seed_step_rate(tf):
    """The seed train step (tf.function, batch 32) in samples/s, or why it cannot run."""
    try:
        from benchmarks import seed_step
        return seed_step.measure(tf, compiled=True, batch=32, steps=20)["samples_per_s"]
    except Exception as error:   # e.g. Keras layers not available yet
        return f"not available ({type(error).__name__}: {error})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--tensorflow", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    x, y = load_mnist()
    if args.tensorflow:
        import tensorflow as tf
        result = measure(tf, x, y, args.epochs)
        result["seed_step"] = seed_step_rate(tf)
        print(json.dumps(result))
        return
    import tapeflow as tf
    ours = measure(tf, x, y, args.epochs)
    tf_python = tensorflow_python()
    theirs = run_elsewhere(tf_python, os.path.abspath(__file__), "--tensorflow",
                           "--epochs", str(args.epochs)) if tf_python else {
        "error": "not installed"}
    measured = {"tapeflow": seed_step_rate(tf), "TensorFlow": theirs.get("seed_step")}
    seeds = {name: rate for name, rate in measured.items() if isinstance(rate, float)}
    print(f"MNIST train set, 60,000 samples, batch 32, {args.epochs} epochs each")
    print(f"{'samples/second (best / median)':34s}{'tapeflow':>22s}{'tf.data':>22s}")
    for name in ("plain", "map"):
        cells = [f"{r[name]['best']:>12,.0f} / {r[name]['median']:>7,.0f}"
                 if "error" not in r else f"{r['error']:>22s}" for r in (ours, theirs)]
        print(f"{name:34s}" + "".join(f"{c:>22s}" for c in cells))
    if seeds:
        fastest = max(seeds.values())
        rates = ", ".join(f"{name} {rate:,.0f}" for name, rate in seeds.items())
        print(f"seed train step (tf.function, batch 32), samples/s: {rates}. Against the "
              f"fastest, the pipelines run {ours['plain']['median'] / fastest:.0f}x (plain) "
              f"and {ours['map']['median'] / fastest:.0f}x (map) faster (target >= 10x)")
    else:
        print(f"seed train step: {measured['tapeflow']}")
    print("RSS (MB) before and after each epoch over a cache()d normalized MNIST:")
    print("  tapeflow: " + " ".join(f"{v:.0f}" for v in ours["cache_rss_mb"]))
    print("  tf.data:  " + (" ".join(f"{v:.0f}" for v in theirs["cache_rss_mb"])
                            if "error" not in theirs else theirs["error"]))


if __name__ == "__main__":
    main()
