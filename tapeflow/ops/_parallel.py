"""Splitting large memory-bound kernels across the machine's cores.

NumPy releases the GIL inside its loops on large arrays, so two halves of an
elementwise op (or of a pooling op, which is independent per example) run on
two cores at once. On the 2-core machine this project targets, ReLU over a
128x26x26x32 activation took 1.02 ms in one piece and 0.58 ms in two halves
when the second core was free (and about the same 1.0 ms when it was busy).
Only arrays of at least MIN_ELEMENTS are split: below that, handing work to a
thread costs more than it saves.
"""
import concurrent.futures
import os
import threading

from tapeflow.core.array_api import xp

MIN_ELEMENTS = 1 << 18
WORKERS = max(1, min(int(os.environ.get("TAPEFLOW_NUM_THREADS", os.cpu_count() or 1)), 8))
_pool = None
_lock = threading.Lock()
_worker = threading.local()     # .active is True on the pool's own threads


def _executor():
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                from tapeflow._util.blas import single_threaded_blas
                single_threaded_blas()   # these threads take over BLAS's (see _util/blas.py)
                _pool = concurrent.futures.ThreadPoolExecutor(
                    WORKERS - 1, thread_name_prefix="tapeflow-kernel",
                    initializer=_mark_worker)
    return _pool


def _mark_worker():
    _worker.active = True


def submit(fn, *args, **kwargs):
    """Runs fn(*args, **kwargs) on a worker thread; returns a Future.

    Generated code starts a long kernel that releases the GIL (a matrix product)
    this way, and keeps running independent ops on the calling thread until it
    needs the result (graph/overlap.py).
    """
    return _executor().submit(fn, *args, **kwargs)


def worth_splitting(size, rows):
    return WORKERS > 1 and size >= MIN_ELEMENTS and rows >= WORKERS


def over_rows(rows, fn):
    """Calls fn(start, stop) on WORKERS contiguous row ranges covering [0, rows), in parallel.

    The calling thread takes the first range, then any range no worker has started
    (the workers may be busy with a kernel started by `submit`), so a split never
    waits behind other work. On a worker thread the ranges run there, one by one.
    Returns the results in order.
    """
    bounds = [rows * i // WORKERS for i in range(WORKERS + 1)]
    if getattr(_worker, "active", False):
        return [fn(bounds[i], bounds[i + 1]) for i in range(WORKERS)]
    pool = _executor()
    futures = [pool.submit(fn, bounds[i], bounds[i + 1]) for i in range(1, WORKERS)]
    results = [fn(bounds[0], bounds[1])]
    for i, future in enumerate(futures, start=1):
        results.append(fn(bounds[i], bounds[i + 1]) if future.cancel() else future.result())
    return results


def elementwise(ufunc, *operands, out):
    """`ufunc(*operands, out=out)`, split along the first axis of `out` when large.

    Operands must be `out`-shaped on the first axis, or broadcast along it (their
    first dimension 1, or fewer dimensions).
    """
    rows = out.shape[0] if out.ndim else 0
    if not worth_splitting(out.size, rows):
        return ufunc(*operands, out=out)

    def part(start, stop):
        ufunc(*[_rows(op, start, stop, out.ndim) for op in operands], out=out[start:stop])
    over_rows(rows, part)
    return out


# Below this many multiply-adds a split costs more than it saves (measured on the seed's
# matrix products: at batch 32, 11M-MAC products gained nothing; at batch 128, 44M-MAC
# products ran 1.6x faster in two row halves).
MIN_MATMUL_FLOPS = 1 << 24


def matmul(a, b):
    """`a @ b` for 2-D arrays, split across the workers when large: by rows of `a`, or by
    columns of `b`. Products with a long inner dimension only (the convolution filter
    gradient) are memory-bound: splitting them measured slower (1.9 ms vs 1.5 ms)."""
    m, k = a.shape
    n = b.shape[1]
    if WORKERS == 1 or m * k * n < MIN_MATMUL_FLOPS:
        return xp.matmul(a, b)
    if m >= 8 * WORKERS:
        out = xp.empty((m, n), dtype=xp.result_type(a, b))
        over_rows(m, lambda s, e: xp.matmul(a[s:e], b, out=out[s:e]))
        return out
    if n >= 8 * WORKERS:
        parts = over_rows(n, lambda s, e: xp.matmul(a, b[:, s:e]))
        return xp.concatenate(parts, axis=1)
    return xp.matmul(a, b)


def _rows(operand, start, stop, ndim):
    shape = getattr(operand, "shape", ())
    if len(shape) == ndim and shape[0] != 1:
        return operand[start:stop]
    return operand
