"""tf.distribute over MPI: the seed model's training throughput at 1 and 2 ranks.

Measures the seed model's distributed train step (strategy.run in tf.function,
Adam, the all-reduce of its 347,274 gradient values: 1.39 MB of float32) with
MultiWorkerMirroredStrategy, each rank pinned to one thread (BLAS and tapeflow's
kernel threads):

- strong scaling: global batch 64 on 1 rank, then 2 x 32 on 2 ranks;
- weak scaling: 64 per rank (global 64 on 1 rank, 128 on 2 ranks);
- 1 rank with 2 BLAS threads, what one process can get from both cores;
- the time per step spent in all-reduce calls, and the raw MPI Allreduce of
  1.4 MB and 40 MB buffers; one packed all-reduce vs one per gradient tensor.

Needs the mpi extra (pip install "tapeflow[mpi]"); prints 'not installed'
otherwise. TensorFlow's MultiWorkerMirroredStrategy is not measured (it needs a
gRPC cluster). Run: python benchmarks/distributed.py [--steps N]
"""
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
REPEAT = 7


# ================================================================================
# Worker side (run by mpiexec)
# ================================================================================

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


class TimedCommunicator:
    """Wraps a communicator's allreduce/broadcast to add up the seconds spent in them."""

    def __init__(self, communicator):
        self.inner = communicator
        self.seconds = 0.0
        self.calls = 0
        for name in ("allreduce", "broadcast"):
            setattr(self, name, self._timed(getattr(communicator, name)))

    def _timed(self, method):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1
        return timed

    def __getattr__(self, name):
        return getattr(self.inner, name)


def train_throughput(tf, np, strategy, global_batch, steps):
    from tapeflow.distribute import collective_ops
    timed = TimedCommunicator(strategy.extended._communicator)
    collective_ops._GROUPS[strategy.extended._group_key] = timed
    with strategy.scope():
        model = build_model(tf)
        optimizer = tf.keras.optimizers.Adam(0.001)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = (tf.nn.compute_average_loss(loss_fn(y, model(x, training=True)),
                                               global_batch_size=global_batch)
                    + tf.nn.scale_regularization_loss(model.losses))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function
    def step(x, y):
        return strategy.reduce("SUM", strategy.run(train_step, args=(x, y)), axis=None)

    rng = np.random.default_rng(0)
    batch = (rng.random((global_batch, 28, 28, 1), dtype=np.float32),
             rng.integers(0, 10, global_batch).astype(np.int64))
    (x, y), = list(strategy.experimental_distribute_dataset([batch]))
    for _ in range(3):
        step(x, y)
    comm = strategy.extended._communicator
    best, best_comm, calls = float("inf"), 0.0, 0
    for _ in range(REPEAT):             # best of REPEAT: the machine may be shared
        comm.barrier()
        timed.seconds, timed.calls = 0.0, 0
        start = time.perf_counter()
        for _ in range(steps):
            step(x, y)
        float(step(x, y))                      # (the last step's result is read)
        elapsed = (time.perf_counter() - start) / (steps + 1)
        if elapsed < best:
            best, best_comm, calls = elapsed, timed.seconds / (steps + 1), timed.calls
    return {"samples_per_s": global_batch / best, "ms_per_step": best * 1e3,
            "collective_ms_per_step": best_comm * 1e3, "collectives_per_step":
            calls / (steps + 1)}


def raw_allreduce(np, communicator, size_bytes, repeat=20):
    buffer = np.ones(size_bytes // 4, np.float32)
    communicator.allreduce(buffer)
    communicator.barrier()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        communicator.allreduce(buffer)
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def packed_vs_per_tensor(tf, np, strategy, repeat=20):
    """One CollectiveAllReduce of the seed model's 8 gradients vs 8 separate ones (ms)."""
    from tapeflow.distribute import collective_ops
    shapes = [(3, 3, 1, 32), (32,), (5408, 64), (64,), (64,), (64,), (64, 10), (10,)]
    grads = [tf.constant(np.ones(s, np.float32)) for s in shapes]
    key = strategy.extended._group_key
    comm = strategy.extended._communicator

    def best(fn):
        fn()
        comm.barrier()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times) * 1e3
    packed = best(lambda: collective_ops.all_reduce(grads, "sum", key))
    separate = best(lambda: [collective_ops.all_reduce([g], "sum", key) for g in grads])
    return {"packed_ms": packed, "per_tensor_ms": separate}


def worker(steps):
    import numpy as np
    import tapeflow as tf
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    ranks = strategy.num_replicas_in_sync
    result = {"ranks": ranks,
              "strong": train_throughput(tf, np, strategy, 64, steps),
              "weak": train_throughput(tf, np, strategy, 64 * ranks, steps)}
    communicator = strategy.extended._communicator
    if ranks > 1:
        result["allreduce_1.4MB_ms"] = raw_allreduce(np, communicator, 347274 * 4)
        result["allreduce_40MB_ms"] = raw_allreduce(np, communicator, 40 << 20, repeat=5)
        result["packing"] = packed_vs_per_tensor(tf, np, strategy)
    if strategy.cluster_resolver.task_id == 0:
        print("RESULT " + json.dumps(result), flush=True)


# ================================================================================
# Launcher side
# ================================================================================

def mpiexec():
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return beside if os.path.exists(beside) else shutil.which("mpiexec")


def launch(ranks, threads, steps):
    env = dict(os.environ, HYDRA_IFACE="lo", PYTHONPATH=ROOT, OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               TAPEFLOW_NUM_THREADS=str(threads))
    command = [mpiexec(), "-n", str(ranks), sys.executable, "-m", "mpi4py",
               os.path.abspath(__file__), "--worker", "--steps", str(steps)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    return {"error": (out.stderr or out.stdout)[-2000:]}


def main():
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 20
    if "--worker" in sys.argv:
        worker(steps)
        return
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        print("mpi4py not installed: pip install \"tapeflow[mpi]\" to run this benchmark")
        return
    if mpiexec() is None:
        print("mpiexec not found: pip install mpich (or use the site MPI)")
        return
    runs = {"1 rank, 1 thread": launch(1, 1, steps), "1 rank, 2 threads": launch(1, 2, steps),
            "2 ranks, 1 thread each": launch(2, 1, steps)}
    report(runs)


def report(runs):
    print("seed model, tf.function train step, Adam; samples/second (ms per step; "
          "of which in collectives)")
    print(f"{'':24s}{'global batch 64 (strong)':>34s}{'64 per rank (weak)':>34s}")
    for name, result in runs.items():
        if "error" in result:
            print(f"{name:24s} failed: {result['error']}")
            continue
        cells = []
        for kind in ("strong", "weak"):
            r = result[kind]
            cells.append(f"{r['samples_per_s']:8.0f} ({r['ms_per_step']:6.1f} ms; "
                         f"{r['collective_ms_per_step']:5.2f} ms)")
        print(f"{name:24s}" + "".join(f"{c:>34s}" for c in cells))
    one, two = runs["1 rank, 1 thread"], runs["2 ranks, 1 thread each"]
    if "error" not in one and "error" not in two:
        for kind in ("strong", "weak"):
            speedup = two[kind]["samples_per_s"] / one[kind]["samples_per_s"]
            print(f"scaling, {kind}: 2 ranks / 1 rank = {speedup:.2f}x "
                  f"(efficiency {speedup / 2:.0%})")
        print(f"raw MPI Allreduce, 2 ranks: 1.4 MB {two['allreduce_1.4MB_ms']:.2f} ms, "
              f"40 MB {two['allreduce_40MB_ms']:.1f} ms")
        packing = two["packing"]
        print(f"seed gradients (8 tensors): one packed all-reduce {packing['packed_ms']:.2f} ms,"
              f" one per tensor {packing['per_tensor_ms']:.2f} ms")
        print(f"collectives per step: {two['strong']['collectives_per_step']:.0f} (gradients, "
              "optimizer.iterations, the reduced loss)")


if __name__ == "__main__":
    main()
