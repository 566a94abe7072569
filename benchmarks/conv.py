"""Conv2D speed on the seed model's first layer, against the bare matmul it reduces to.

The seed's Conv2D maps [batch, 28, 28, 1] to [batch, 26, 26, 32] with 3x3 filters
(VALID). tapeflow runs it as im2col + ONE matmul ([batch*26*26, 9] @ [9, 32]);
its backward pass is one matmul for the filter gradient (cols^T @ dy) and one
for the input gradient (dy @ W^T, then col2im). This prints, per batch size:

  forward            tf.nn.conv2d, eager
  backward (filter)  the filter gradient only (what the seed's first layer needs)
  backward (both)    filter and input gradients
  bare matmuls       the same matmuls on prepared NumPy arrays (no im2col, no ops)
  ratio              (forward + backward) / bare matmuls; the target is <= 2

Times are the best of several runs, taken in turns (the machine is shared, and a
multi-threaded BLAS waits for a busy core: set OPENBLAS_NUM_THREADS=1 for steady
figures). With TensorFlow
installed (`/work/tfref/bin/python benchmarks/conv.py`), TF's forward and
backward times on the same shapes are printed too.

Run: PYTHONPATH=$PWD python benchmarks/conv.py
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tapeflow as tf  # noqa: E402
from tapeflow.core.dispatch import apply  # noqa: E402
from tapeflow.ops import conv as conv_ops  # noqa: E402

REPEATS = 15
ATTRS = dict(strides=(1, 1), padding="VALID", explicit_paddings=None, dilations=(1, 1))


def best_ms(*fns, repeats=REPEATS):
    """Best time of each function in ms. The functions are timed in turns, so that
    they all see the same machine load (other processes share the cores)."""
    for fn in fns:
        for _ in range(3):   # warm up (allocator, BLAS threads)
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, record in zip(fns, times):
            start = time.perf_counter()
            fn()
            record.append(time.perf_counter() - start)
    return [min(record) * 1e3 for record in times]


def measure(x, w, dy):
    """((forward, backward filter, backward both) for tapeflow, the same for bare matmuls)."""
    sizes_x = tf.constant(np.array(x.shape, np.int32))
    sizes_w = tf.constant(np.array(w.shape, np.int32))
    xt, wt, dyt = tf.constant(x), tf.constant(w), tf.constant(dy)

    def filter_grad():
        return apply(conv_ops.Conv2DBackpropFilter, xt, sizes_w, dyt, filter_dims=w.shape,
                     **ATTRS)

    def input_grad():
        return apply(conv_ops.Conv2DBackpropInput, sizes_x, wt, dyt, input_dims=x.shape,
                     **ATTRS)

    pixels = dy.shape[0] * dy.shape[1] * dy.shape[2]
    cols = np.random.default_rng(0).random((pixels, 9), dtype=np.float32)
    w2 = w.reshape(9, -1)
    dy2 = dy.reshape(pixels, -1)
    times = best_ms(lambda: tf.nn.conv2d(xt, wt, 1, "VALID"),
                    filter_grad,
                    lambda: (filter_grad(), input_grad()),
                    lambda: cols @ w2,
                    lambda: cols.T @ dy2,
                    lambda: (cols.T @ dy2, dy2 @ w2.T))
    return times[:3], times[3:]


def tensorflow_times(x, w, dy):
    try:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as real_tf
    except ImportError:
        return None
    xt, wt, dyt = real_tf.constant(x), real_tf.constant(w), real_tf.constant(dy)

    def backward():
        with real_tf.GradientTape() as tape:
            tape.watch(wt)
            y = real_tf.nn.conv2d(xt, wt, 1, "VALID")
        return tape.gradient(y, wt, output_gradients=dyt)
    return best_ms(lambda: real_tf.nn.conv2d(xt, wt, 1, "VALID"), backward)


def main():
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}; best of {REPEATS} runs; times in ms")
    for batch in (32, 128):
        x = rng.standard_normal((batch, 28, 28, 1)).astype(np.float32)
        w = rng.standard_normal((3, 3, 1, 32)).astype(np.float32)
        dy = rng.standard_normal((batch, 26, 26, 32)).astype(np.float32)
        (fwd, bwd_f, bwd_b), (m_fwd, m_bwd_f, m_bwd_b) = measure(x, w, dy)
        print(f"\nbatch {batch}: [{batch},28,28,1] * [3,3,1,32] -> [{batch},26,26,32]")
        print(f"  forward            {fwd:7.2f}   bare matmul {m_fwd:7.2f}   "
              f"x{fwd / m_fwd:.2f}")
        print(f"  backward (filter)  {bwd_f:7.2f}   bare matmul {m_bwd_f:7.2f}   "
              f"x{bwd_f / m_bwd_f:.2f}")
        print(f"  backward (both)    {bwd_b:7.2f}   bare matmuls {m_bwd_b:6.2f}   "
              f"x{bwd_b / m_bwd_b:.2f}")
        print(f"  forward + backward (filter): {fwd + bwd_f:.2f} vs bare {m_fwd + m_bwd_f:.2f}"
              f"  ratio x{(fwd + bwd_f) / (m_fwd + m_bwd_f):.2f}")
        print(f"  forward + backward (both):   {fwd + bwd_b:.2f} vs bare {m_fwd + m_bwd_b:.2f}"
              f"  ratio x{(fwd + bwd_b) / (m_fwd + m_bwd_b):.2f}")
        real = tensorflow_times(x, w, dy)
        if real is None:
            print("  TensorFlow: not installed")
        else:
            print(f"  TensorFlow: forward {real[0]:.2f}, forward + filter backward "
                  f"{real[1]:.2f}")


if __name__ == "__main__":
    main()
