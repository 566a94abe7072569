"""Background threads: parallel map and batch, prefetch, parallel interleave.

All threads are daemon threads owned by one iterator. They hold no reference
to the iterator that owns them, so when a consumer drops its iterator (a
`break` out of a `for` loop) the iterator is garbage-collected and a
`weakref.finalize` stops its threads; the same finalizers run at interpreter
exit. Nothing here keeps a process alive.

Errors raised on a worker thread are handed to the consumer in element order
and re-raised there with their original traceback; the iterator then goes on
with the next element (so `ignore_errors` works downstream).

Parallel calls help when the mapped function spends its time in NumPy (which
releases the GIL): large image ops, file decoding, I/O.
"""
import collections
import queue
import threading
import time
import weakref

from tapeflow.core.errors import op_error
from tapeflow.data import batching
from tapeflow.data.dataset import int_arg
from tapeflow.data.functions import StructuredFunction
from tapeflow.data.options import AUTOTUNE, UNKNOWN_CARDINALITY
from tapeflow.data.transforms import (_UnaryDataset, _dataset_function, default_cycle_length,
                                      interleave, interleave_lengths)

AUTOTUNE_PREFETCH = 2        # batches held ahead when the buffer size is AUTOTUNE
_JOIN_TIMEOUT = 1.0          # seconds to wait for a worker to finish its current element


def parallelism(num_parallel_calls, ctx, op_name):
    """The number of worker threads for `num_parallel_calls` (AUTOTUNE: one per core)."""
    calls = int_arg(num_parallel_calls, "num_parallel_calls")
    if calls == AUTOTUNE:
        calls = default_cycle_length()
    elif calls <= 0:
        raise op_error(op_name, "num_parallel_calls must be greater than zero.")
    limit = ctx.options.threading.private_threadpool_size if ctx is not None else None
    return min(calls, limit) if limit else calls


# -- a pool of worker threads ------------------------------------------------------------------

class _Task:
    """A chunk of inputs for one worker: per input its (result, error), when done."""

    __slots__ = ("inputs", "results", "seconds", "done", "notify")

    def __init__(self, inputs, notify=None):
        self.inputs = inputs
        self.results = None
        self.seconds = 0.0
        self.done = threading.Event()
        self.notify = notify

    def finish(self):
        self.done.set()
        if self.notify is not None:
            self.notify.put(self)

    @classmethod
    def failed(cls, error, notify=None):
        task = cls((), notify)
        task.results = [(None, error)]
        task.finish()
        return task


def _work(tasks, stop):
    clock = time.perf_counter
    while True:
        item = tasks.get()
        if item is None or stop.is_set():
            return
        task, fn = item
        start = clock()
        results = []
        for argument in task.inputs:
            try:
                results.append((fn(argument), None))
            except Exception as error:
                results.append((None, error))
        task.inputs, task.results, task.seconds = None, results, clock() - start
        task.finish()
        del task, fn, item, results


class WorkerPool:
    """Daemon threads running submitted calls; `resize` changes their number, `close()`
    stops them."""

    def __init__(self, size, name):
        self._tasks = queue.SimpleQueue()
        self._stop = threading.Event()
        self._name = name
        self._threads = []
        self.size = 0
        self.resize(size)

    def resize(self, size):
        """Starts threads, or lets the surplus ones exit after the work queued so far."""
        for _ in range(self.size - size):
            self._tasks.put(None)
        for i in range(self.size, size):
            thread = threading.Thread(target=_work, args=(self._tasks, self._stop),
                                      name=f"{self._name}_{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.size = size

    def submit(self, fn, inputs, notify=None):
        """Runs `fn` on each of `inputs` (a list) on one worker; returns the _Task."""
        task = _Task(inputs, notify)
        self._tasks.put((task, fn))
        return task

    def close(self):
        self._stop.set()
        for _ in self._threads:
            self._tasks.put(None)
        _join(self._threads)


def _join(threads):
    """Waits (at most _JOIN_TIMEOUT in all) for threads busy with their last element."""
    current = threading.current_thread()
    deadline = time.monotonic() + _JOIN_TIMEOUT
    for thread in threads:
        if thread is not current:
            thread.join(max(0.0, deadline - time.monotonic()))


class ParallelApplyIterator:
    """`fn` applied to each input on a pool; results in input order unless not deterministic.

    Inputs go to the workers in chunks, sized so that a chunk takes about
    `_CHUNK_SECONDS`: one input at a time for slow functions (file decoding),
    up to `_MAX_CHUNK` for fast ones, whose cost would otherwise be dominated by
    handing work between threads. At most two chunks per worker are in flight.
    Inputs are pulled on the consumer's thread, so the input iterator is only
    ever used by one thread.

    With `autotune` (num_parallel_calls=AUTOTUNE) the number of workers is
    chosen by measurement: `_TRIAL_CHUNKS` chunks on one worker, as many on all
    `threads`, and the faster of the two is kept. Threads only help functions
    that release the GIL (NumPy on large arrays, decoding, I/O); for the others
    one worker is faster.
    """

    _CHUNK_SECONDS = 0.002
    _MAX_CHUNK = 64
    _TRIAL_CHUNKS = 8

    def __init__(self, inputs, fn, threads, deterministic, name, autotune=False):
        self._inputs = inputs
        self._fn = fn
        self._max_threads = threads
        self._trial = [] if autotune and threads > 1 else None   # rates per width tried
        self._pool = WorkerPool(1 if self._trial is not None else threads, name)
        self._finalizer = weakref.finalize(self, self._pool.close)
        self._chunk = 1
        self._pending = collections.deque()
        self._ready = collections.deque()   # (result, error) of the chunk being handed out
        self._completed = None if deterministic else queue.SimpleQueue()
        self._inputs_left = True
        self._phase_start, self._phase_chunks, self._phase_items = None, 0, 0

    def __iter__(self):
        return self

    def _fill(self):
        while self._inputs_left and len(self._pending) < 2 * self._pool.size:
            chunk = []
            try:
                for _ in range(self._chunk):
                    chunk.append(next(self._inputs))
            except StopIteration:
                self._inputs_left = False
            except Exception as error:   # an input error takes its place in the order
                if chunk:
                    self._pending.append(self._pool.submit(self._fn, chunk, self._completed))
                self._pending.append(_Task.failed(error, self._completed))
                return
            if chunk:
                self._pending.append(self._pool.submit(self._fn, chunk, self._completed))

    def _next_task(self):
        if self._completed is None:
            task = self._pending.popleft()
            task.done.wait()
        else:
            task = self._completed.get()
            self._pending.remove(task)
        if task.seconds:
            per_input = task.seconds / len(task.results)
            self._chunk = max(1, min(self._MAX_CHUNK,
                                     int(self._CHUNK_SECONDS / max(per_input, 1e-9))))
        if self._trial is not None:
            self._tune(len(task.results))
        return task

    def _tune(self, items):
        """Measures the rate with one worker, then with all; keeps the faster."""
        now = time.perf_counter()
        if self._phase_start is None:
            self._phase_start = now
            return
        self._phase_chunks += 1
        self._phase_items += items
        if self._phase_chunks < self._TRIAL_CHUNKS:
            return
        self._trial.append(self._phase_items / max(now - self._phase_start, 1e-9))
        self._phase_start, self._phase_chunks, self._phase_items = now, 0, 0
        if len(self._trial) == 1:
            self._pool.resize(self._max_threads)
        else:
            one, many = self._trial
            if many < 1.1 * one:
                self._pool.resize(1)
            self._trial = None

    def __next__(self):
        while not self._ready:
            self._fill()
            if not self._pending:
                self.close()
                raise StopIteration
            self._ready.extend(self._next_task().results)
        result, error = self._ready.popleft()
        if error is not None:
            raise error
        return result

    def close(self):
        self._finalizer()


def _autotuned(num_parallel_calls):
    return int_arg(num_parallel_calls, "num_parallel_calls") == AUTOTUNE


def _is_deterministic(deterministic, ctx):
    return ctx.deterministic if deterministic is None else bool(deterministic)


# -- parallel map and batch --------------------------------------------------------------------

class _ParallelMapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func, num_parallel_calls, deterministic):
        self._function = StructuredFunction(map_func, input_dataset.element_spec,
                                            "Dataset.map()", input_dataset)
        super().__init__(input_dataset, self._function.output_spec)
        parallelism(num_parallel_calls, None, "ParallelMapDatasetV2")   # checks the value
        self._num_parallel_calls = num_parallel_calls
        self._deterministic = deterministic

    def _iterator(self, ctx):
        threads = parallelism(self._num_parallel_calls, ctx, "ParallelMapDatasetV2")
        return ParallelApplyIterator(self._input._iterate(ctx), self._function, threads,
                                     _is_deterministic(self._deterministic, ctx),
                                     "tf_data_map", _autotuned(self._num_parallel_calls))


class _ParallelBatchDataset(batching._BatchDataset):
    """`batch` whose stacking runs on worker threads (same elements, same order)."""

    def __init__(self, input_dataset, batch_size, drop_remainder, num_parallel_calls,
                 deterministic):
        super().__init__(input_dataset, batch_size, drop_remainder)
        parallelism(num_parallel_calls, None, "ParallelBatchDataset")
        self._num_parallel_calls = num_parallel_calls
        self._deterministic = deterministic

    def _iterator(self, ctx):
        groups = batching._BatchIterator(self._input._iterate(ctx), self._size, self._drop,
                                         list)
        threads = parallelism(self._num_parallel_calls, ctx, "ParallelBatchDataset")
        stack = batching.element_stacker(self._input.element_spec)
        return ParallelApplyIterator(groups, stack, threads,
                                     _is_deterministic(self._deterministic, ctx),
                                     "tf_data_batch", _autotuned(self._num_parallel_calls))


# -- prefetch ----------------------------------------------------------------------------------

_VALUE, _ERROR, _END = 0, 1, 2


def _prefetch_worker(iterator, buffer, stop):
    """Moves elements from `iterator` into `buffer` until the end or until `stop`."""
    try:
        while not stop.is_set():
            try:
                item = (_VALUE, next(iterator))
            except StopIteration:
                item = (_END, None)
            except Exception as error:
                item = (_ERROR, error)
            while not stop.is_set():
                try:
                    buffer.put(item, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if item[0] == _END:
                return
            del item
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _stop_prefetch(stop, buffer, thread):
    stop.set()
    while True:   # make room, so a worker blocked on a full buffer wakes up and sees `stop`
        try:
            buffer.get_nowait()
        except queue.Empty:
            break
    _join([thread])


class PrefetchIterator:
    """Elements produced ahead by a daemon thread into a buffer of `buffer_size`."""

    def __init__(self, inputs, buffer_size, name="tf_data_prefetch"):
        self._buffer = queue.Queue(maxsize=buffer_size)
        stop = threading.Event()
        thread = threading.Thread(target=_prefetch_worker, args=(inputs, self._buffer, stop),
                                  name=name, daemon=True)
        thread.start()
        self._finalizer = weakref.finalize(self, _stop_prefetch, stop, self._buffer, thread)
        self._ended = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._ended:
            raise StopIteration
        kind, value = self._buffer.get()
        if kind == _VALUE:
            return value
        if kind == _ERROR:
            raise value
        self._ended = True
        self.close()
        raise StopIteration

    def close(self):
        self._finalizer()


class _PrefetchDataset(_UnaryDataset):
    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset)
        size = int_arg(buffer_size, "buffer_size")
        if size < 0 and size != AUTOTUNE:
            raise op_error("PrefetchDataset", "buffer_size must be >= 0 or set buffer_size to "
                           "be -1 for auto-tuning")
        self._buffer_size = AUTOTUNE_PREFETCH if size == AUTOTUNE else size

    def _iterator(self, ctx):
        if self._buffer_size == 0:
            return self._input._iterate(ctx)
        return PrefetchIterator(self._input._iterate(ctx), self._buffer_size)


# -- parallel interleave -----------------------------------------------------------------------

class _ParallelInterleaveDataset(_UnaryDataset):
    """`interleave` in TF's order, with each open dataset produced ahead on its own thread."""

    def __init__(self, input_dataset, map_func, cycle_length, block_length,
                 num_parallel_calls, deterministic):
        self._function = _dataset_function(map_func, input_dataset, "Dataset.interleave()")
        super().__init__(input_dataset, self._function.output_spec.element_spec)
        self._cycle_length, self._block_length = interleave_lengths(cycle_length,
                                                                    block_length)
        parallelism(num_parallel_calls, None, "ParallelInterleaveDatasetV4")
        self._deterministic = deterministic

    def _open(self, element, ctx):
        inner = self._function(element)[0]._iterate(ctx)
        return PrefetchIterator(inner, self._block_length, "tf_data_interleave")

    def _iterator(self, ctx):
        return interleave(self._input._iterate(ctx), lambda e: self._open(e, ctx),
                          self._cycle_length, self._block_length)

    def _cardinality(self):
        return UNKNOWN_CARDINALITY


# -- NumPy functions with a declared spec ----------------------------------------------------------

class _NumpyMapDataset(_UnaryDataset):
    """`fn(components) -> components` on NumPy values, with a declared output spec.

    The tf.data side of `tf.numpy_function` followed by `set_shape`: library code
    (Keras' dataset utilities) uses it for per-element work that is not made of
    tapeflow ops, such as decoding files.
    """

    _repr_name = "_ParallelMapDataset"

    def __init__(self, input_dataset, fn, element_spec, num_parallel_calls, name):
        super().__init__(input_dataset, element_spec)
        self._fn = fn
        self._num_parallel_calls = num_parallel_calls
        self._name = name

    def _call(self, components):
        try:
            return self._fn(components)
        except Exception as error:
            from tapeflow.data.functions import annotate
            annotate(error, self._name)
            raise

    def _iterator(self, ctx):
        from tapeflow.data.transforms import _MapIterator
        if self._num_parallel_calls is None:
            return _MapIterator(self._input._iterate(ctx), self._call)
        threads = parallelism(self._num_parallel_calls, ctx, "ParallelMapDatasetV2")
        return ParallelApplyIterator(self._input._iterate(ctx), self._call, threads,
                                     ctx.deterministic, "tf_data_map",
                                     _autotuned(self._num_parallel_calls))


def map_numpy(dataset, fn, element_spec, num_parallel_calls=None, name="numpy function"):
    """`dataset` with `fn` applied to each element's components (see _NumpyMapDataset)."""
    return _NumpyMapDataset(dataset, fn, element_spec, num_parallel_calls, name)
