"""Worker threads: parallel map order, prefetch, clean shutdown after an early `break`
or at exit, and errors reaching the consumer with their traceback."""
import gc
import os
import subprocess
import sys
import threading
import time
import traceback

import numpy as np
import pytest

import tapeflow as tf

D = tf.data.Dataset
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def data_threads():
    return [t for t in threading.enumerate() if t.name.startswith("tf_data")]


def wait_for_no_data_threads(timeout=5.0):
    deadline = time.monotonic() + timeout
    while data_threads() and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    return data_threads()


def test_parallel_map_keeps_order():
    ds = D.range(40).map(lambda x: x * 3, num_parallel_calls=4)
    assert [int(x) for x in ds] == [3 * i for i in range(40)]


def test_parallel_map_autotune_and_threads_option():
    options = tf.data.Options()
    options.threading.private_threadpool_size = 1
    ds = D.range(10).map(lambda x: x + 1, num_parallel_calls=tf.data.AUTOTUNE)
    assert [int(x) for x in ds.with_options(options)] == list(range(1, 11))


def test_autotuned_map_keeps_order_through_its_trials():
    # AUTOTUNE tries one worker, then all of them, on the first chunks; results never change.
    ds = D.range(4000).map(lambda x: x * 2, num_parallel_calls=tf.data.AUTOTUNE)
    assert np.concatenate([b.numpy() for b in ds.batch(500)]).tolist() == list(range(0, 8000, 2))
    batched = D.range(700).batch(7, num_parallel_calls=tf.data.AUTOTUNE)
    assert np.concatenate([b.numpy() for b in batched]).tolist() == list(range(700))


def test_nondeterministic_map_gives_the_same_elements():
    ds = D.range(30).map(lambda x: x * x, num_parallel_calls=3, deterministic=False)
    assert sorted(int(x) for x in ds) == [i * i for i in range(30)]


def test_parallel_batch_equals_batch():
    ds = D.from_tensor_slices(np.arange(20.0).reshape(10, 2))
    parallel = [b.numpy().tolist() for b in ds.batch(3, num_parallel_calls=2)]
    assert parallel == [b.numpy().tolist() for b in ds.batch(3)]


def test_parallel_interleave_keeps_interleave_order():
    def make(x):
        return D.range(x).map(lambda y: y + 10 * x)
    sequential = [int(x) for x in D.range(1, 6).interleave(make, cycle_length=2)]
    parallel = [int(x) for x in D.range(1, 6).interleave(make, cycle_length=2,
                                                          num_parallel_calls=2)]
    assert parallel == sequential


def test_prefetch_gives_all_elements_in_order():
    ds = D.range(100).batch(7).prefetch(tf.data.AUTOTUNE)
    assert np.concatenate([b.numpy() for b in ds]).tolist() == list(range(100))
    assert int(ds.cardinality()) == 15


def test_threads_stop_when_the_loop_breaks_early():
    assert wait_for_no_data_threads() == []
    ds = (D.range(10 ** 6).map(lambda x: x * 2, num_parallel_calls=2).batch(4)
          .prefetch(3).interleave(lambda x: D.from_tensors(x).prefetch(1), cycle_length=2,
                                  num_parallel_calls=2))
    for i, _ in enumerate(ds):
        if i == 3:
            assert data_threads()   # the pipeline runs on worker threads
            break
    assert wait_for_no_data_threads() == []


def test_threads_stop_at_the_end_of_the_data():
    list(D.range(20).map(lambda x: x, num_parallel_calls=2).prefetch(2))
    assert wait_for_no_data_threads() == []


def test_threads_stop_when_an_infinite_pipeline_is_dropped():
    it = iter(D.range(3).repeat().map(lambda x: x + 1, num_parallel_calls=2).prefetch(5))
    assert int(next(it)) == 1
    del it
    assert wait_for_no_data_threads() == []


def test_program_exits_while_workers_are_busy():
    program = ("import tapeflow as tf\n"
               "ds = tf.data.Dataset.range(10**9).map(lambda x: x + 1, num_parallel_calls=2)"
               ".prefetch(8)\n"
               "it = iter(ds)\n"
               "print(int(next(it)))\n")
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONPATH": ROOT})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
    assert time.monotonic() - start < 30


def bad_element(x):
    # .numpy() makes the function untraceable, so it runs eagerly on each element.
    if x.numpy() == 3:
        raise ValueError(f"bad element {x.numpy()}")
    return x


@pytest.mark.parametrize("parallel", [None, 2])
def test_map_errors_reach_the_consumer_with_their_traceback(parallel):
    ds = D.range(6).map(bad_element, num_parallel_calls=parallel)
    it = iter(ds)
    assert [int(next(it)) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(Exception) as info:
        next(it)
    text = "".join(traceback.format_exception(info.value))
    assert "bad element 3" in text
    assert "in bad_element" in text                       # the user's frame is kept
    assert "Dataset.map()" in text                        # the transformation is named
    assert int(next(it)) == 4                             # the pipeline goes on


def test_op_errors_in_compiled_map_functions_name_the_op_and_the_transformation():
    source = D.from_generator(lambda: iter([[1.0], [2.0, 3.0]]),
                              output_signature=tf.TensorSpec([None], tf.float32))
    it = iter(source.map(lambda x: tf.reshape(x, [2])))   # the size is known only at run time
    with pytest.raises(tf.errors.InvalidArgumentError, match="Reshape") as info:
        next(it)
    assert any("Dataset.map()" in note for note in info.value.__notes__)
    assert next(it).numpy().tolist() == [2.0, 3.0]


def test_errors_pass_through_prefetch_and_ignore_errors_skips_them():
    ds = D.range(6).map(bad_element)
    assert [int(x) for x in ds.prefetch(2).ignore_errors()] == [0, 1, 2, 4, 5]
    assert [int(x) for x in ds.ignore_errors()] == [0, 1, 2, 4, 5]
    it = iter(ds.prefetch(2))
    assert [int(next(it)) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(Exception, match="bad element 3"):
        next(it)


def test_ignore_errors_skips_check_numerics_failures():
    ds = D.from_tensor_slices([1.0, 0.0, 2.0]).map(
        lambda x: tf.debugging.check_numerics(1.0 / x, "boom")).ignore_errors()
    assert [float(x) for x in ds] == [1.0, 0.5]
    assert int(ds.cardinality()) == tf.data.UNKNOWN_CARDINALITY


def test_generator_errors_are_unknown_errors_from_the_generator():
    def gen():
        yield 1
        raise KeyError("boom")
    it = iter(D.from_generator(gen, output_signature=tf.TensorSpec((), tf.int32)))
    assert int(next(it)) == 1
    with pytest.raises(tf.errors.UnknownError, match="KeyError: 'boom'") as info:
        next(it)
    assert isinstance(info.value.__cause__, KeyError)


def test_generator_is_closed_when_the_loop_breaks():
    closed = []

    def gen():
        try:
            for i in range(100):
                yield i
        finally:
            closed.append(True)
    for i, _ in enumerate(D.from_generator(gen, output_types=tf.int32).prefetch(2)):
        if i == 2:
            break
    assert wait_for_no_data_threads() == []
    gc.collect()
    assert closed == [True]
