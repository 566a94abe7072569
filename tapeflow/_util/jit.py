"""Optional JIT compilation of fused kernels with Numba (the `fast` extra).

NumPy runs one op per pass over memory; a chain of elementwise ops (an Adam
update is twelve) or a conv + bias + relu + max-pool block makes several passes
where one would do. The graph compiler fuses such chains into single kernels,
compiled by Numba when it is installed. Measured on the seed model
(benchmarks/fusion_candidates.py): Numba ran the chains 2-6x faster than NumPy
with `out=` buffers, and numexpr slower than NumPy, so Numba is the candidate
kept. Without it, or with TAPEFLOW_JIT=0, graphs run NumPy kernels only and give
the same results.

Numba is imported on the first compile, never by `import tapeflow`. Compiled
code is cached on disk (Numba's `cache=True`): next to this package's sources for
the hand-written kernels, and in `cache_dir()` for generated ones, so a new
process loads a kernel in milliseconds instead of compiling it again.
"""
import hashlib
import importlib.util
import os
import sys
import threading

from tapeflow._util import atomic

_numba = None
_checked = False
_lock = threading.Lock()


def enabled():
    """True when fused kernels can be JIT-compiled: Numba imports and TAPEFLOW_JIT is not 0."""
    global _numba, _checked
    if os.environ.get("TAPEFLOW_JIT", "1") == "0":
        return False
    if not _checked:
        with _lock:
            if not _checked:
                try:
                    import numba
                    _numba = numba
                except ImportError:
                    _numba = None
                _checked = True
    return _numba is not None


_helpers = []          # functions kernels call, registered with Numba on the first compile
_registered = 0


def helper(fn):
    """Decorator: a plain Python function that kernels may call (inlined into them).

    Numba learns about it (`register_jitable`) just before the first kernel
    compiles, so defining one imports nothing. Keep a helper in the same file as
    the kernels calling it: Numba's disk cache checks only the kernel's own file.
    """
    _helpers.append(fn)
    return fn


def _register_helpers():
    global _registered
    from numba.extending import register_jitable
    for fn in _helpers[_registered:]:
        register_jitable(inline="always")(fn)
    _registered = len(_helpers)


def _njit(fn):
    _register_helpers()
    # nogil: the kernel thread pool (ops/_parallel.py) runs pieces of one kernel on
    # several cores. No fastmath: fused results must equal the unfused ops' bit for bit
    # wherever the operation order is unchanged.
    return _numba.njit(nogil=True, cache=True, error_model="numpy")(fn)


class kernel:
    """Decorator: `fn` compiled by Numba on its first call (enabled() must be True)."""

    def __init__(self, fn):
        self.python_function = fn
        self._compiled = None
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__

    def compiled(self):
        if self._compiled is None:
            _require()
            with _lock:
                if self._compiled is None:
                    self._compiled = _njit(self.python_function)
        return self._compiled

    def __call__(self, *args):
        return self.compiled()(*args)


def cache_dir():
    """Where generated kernel modules (and Numba's cache of them) are kept."""
    root = os.environ.get("TAPEFLOW_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "tapeflow")
    return os.path.join(root, "jit")


_generated = {}


def compile_source(source, name):
    """Function `name` of generated Python `source`, compiled by Numba.

    The source is written to a module file named by its hash (atomically), so
    Numba's on-disk cache applies across processes. One module per distinct source.
    """
    _require()
    key = hashlib.sha256(source.encode()).hexdigest()[:24]
    cached = _generated.get((key, name))
    if cached is not None:
        return cached
    directory = cache_dir()
    os.makedirs(directory, exist_ok=True)
    module_name = f"tapeflow_fused_{key}"
    path = os.path.join(directory, module_name + ".py")
    if not os.path.exists(path):
        atomic.write_bytes(path, source.encode())
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module       # Numba's cache looks modules up by name
    spec.loader.exec_module(module)
    fn = _njit(getattr(module, name))
    _generated[(key, name)] = fn
    return fn


def _require():
    if not enabled():
        raise RuntimeError("Numba is not available (install tapeflow[fast]).")


__all__ = ["cache_dir", "compile_source", "enabled", "helper", "kernel"]
