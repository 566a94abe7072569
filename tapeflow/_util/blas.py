"""One owner for the machine's cores: tapeflow's kernel threads, not BLAS's.

OpenBLAS keeps its worker threads spinning for a while after each call. When
tapeflow splits its own kernels across cores (ops/_parallel.py), those
spinning threads take the cores its workers need: on the 2-core machine the
seed's compiled step at batch 32 then took a median of 245 ms instead of 7 ms
(a run with both pools enabled, measured next to runs with either alone).
So when tapeflow uses several cores itself, BLAS runs on one thread and
tapeflow splits large matrix products across its own workers instead.

A BLAS thread count the user sets (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) is
left alone.
"""
import ctypes
import os

_SETTERS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
            "scipy_openblas_set_num_threads", "openblas_set_num_threads64_")


def _loaded_blas_libraries():
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/"))


def single_threaded_blas():
    """Sets the loaded OpenBLAS to one thread unless the user chose a count; True if set."""
    if any(os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")):
        return False
    done = False
    for path in _loaded_blas_libraries():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter.argtypes = [ctypes.c_int]
                setter(1)
                done = True
                break
    return done
