"""Candidates for fused elementwise kernels, measured on the seed step's longest chains.

Issue #5 asks to pick the fused-kernel technique by measurement: NumPy with
`out=` buffers (what the generated code does: graph/memory.py plans in-place
writes), numexpr and Numba. Each candidate computes the same result; numexpr
and Numba are optional and reported as 'not installed' when absent.

Run: OPENBLAS_NUM_THREADS=1 python benchmarks/fusion_candidates.py
"""
import time

import numpy as np


def best_ms(fn, number=50):
    fn()
    best = float("inf")
    for _ in range(number):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def adam_candidates(rng):
    var, m, v, g = (rng.random(346112, dtype=np.float32) for _ in range(4))   # Dense kernel
    b1, b2, lr, eps = np.float32(0.1), np.float32(0.001), np.float32(1e-3), np.float32(1e-7)

    def plain():
        m2 = m + (g - m) * b1
        v2 = v + (g * g - v) * b2
        return var - lr * m2 / (np.sqrt(v2) + eps)

    def out_buffers():
        t = np.subtract(g, m)
        np.multiply(t, b1, out=t)
        np.add(m, t, out=t)
        u = np.multiply(g, g)
        np.subtract(u, v, out=u)
        np.multiply(u, b2, out=u)
        np.add(v, u, out=u)
        np.sqrt(u, out=u)
        np.add(u, eps, out=u)
        np.multiply(t, lr, out=t)
        np.divide(t, u, out=t)
        return np.subtract(var, t, out=t)

    variants = {"numpy": plain, "numpy out=": out_buffers}
    try:
        import numexpr as ne
        ne.set_num_threads(1)

        def with_numexpr():
            names = dict(var=var, m=m, v=v, g=g, b1=b1, b2=b2, lr=lr, eps=eps)
            names["m2"] = ne.evaluate("m + (g - m) * b1", local_dict=names)
            names["v2"] = ne.evaluate("v + (g * g - v) * b2", local_dict=names)
            return ne.evaluate("var - lr * m2 / (sqrt(v2) + eps)", local_dict=names)
        variants["numexpr"] = with_numexpr
    except ImportError:
        variants["numexpr"] = None
    try:
        import numba

        @numba.njit
        def kernel(var, m, v, g, b1, b2, lr, eps, out):
            for i in range(var.size):
                m2 = m[i] + (g[i] - m[i]) * b1
                v2 = v[i] + (g[i] * g[i] - v[i]) * b2
                out[i] = var[i] - lr * m2 / (np.sqrt(v2) + eps)

        def with_numba():
            out = np.empty_like(var)
            kernel(var, m, v, g, b1, b2, lr, eps, out)
            return out
        variants["numba"] = with_numba
    except ImportError:
        variants["numba"] = None
    return "Adam update (346,112 floats)", variants


def bias_relu_candidates(rng):
    x = rng.standard_normal((128, 26, 26, 32), dtype=np.float32)    # conv output, batch 128
    b = rng.standard_normal(32, dtype=np.float32)

    def out_buffers():
        t = np.add(x, b)
        return np.maximum(t, 0, out=t)

    variants = {"numpy": lambda: np.maximum(x + b, 0), "numpy out=": out_buffers}
    try:
        import numexpr as ne
        variants["numexpr"] = lambda: ne.evaluate("where(x + b > 0, x + b, 0)",
                                                  local_dict={"x": x, "b": b})
    except ImportError:
        variants["numexpr"] = None
    try:
        import numba

        @numba.njit
        def kernel(x, b, out):
            rows, channels = out.shape
            for i in range(rows):
                for j in range(channels):
                    s = x[i, j] + b[j]
                    out[i, j] = s if s > 0 else 0.0

        def with_numba():
            out = np.empty_like(x)
            kernel(x.reshape(-1, 32), b, out.reshape(-1, 32))
            return out
        variants["numba"] = with_numba
    except ImportError:
        variants["numba"] = None
    return "bias + relu (128x26x26x32)", variants


def main():
    rng = np.random.default_rng(0)
    for title, variants in (adam_candidates(rng), bias_relu_candidates(rng)):
        reference = variants["numpy"]()
        cells = []
        for name, fn in variants.items():
            if fn is None:
                cells.append(f"{name} not installed")
                continue
            np.testing.assert_allclose(fn(), reference, rtol=1e-5, atol=1e-6)
            cells.append(f"{name} {best_ms(fn):.3f} ms")
        print(f"{title}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
