"""Overlap: long independent kernels start on a worker thread; results never change."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.graph import overlap
from tapeflow.graph.memory import plan_inplace
from tapeflow.ops import _parallel

pytestmark = pytest.mark.skipif(_parallel.WORKERS < 2, reason="one core: nothing to overlap")


def _branchy(x, w1, w2):
    # p = x @ w1 is independent of the chain below until the very end
    p = tf.matmul(x, w1)
    h = tf.nn.relu(x * 2.0)
    for _ in range(6):
        h = tf.matmul(h, w2) * 0.5 + h
    return tf.reduce_sum(p) + tf.reduce_sum(h)


def _inputs():
    rng = np.random.default_rng(0)
    return (tf.constant(rng.standard_normal((256, 256), dtype=np.float32)),
            tf.constant(rng.standard_normal((256, 512), dtype=np.float32)),
            tf.constant(rng.standard_normal((256, 256), dtype=np.float32) * 0.05))


def test_an_independent_product_starts_early_and_is_awaited_before_its_use(monkeypatch):
    x, w1, w2 = _inputs()
    fn = tf.function(_branchy)
    program = fn.get_concrete_function(x, w1, w2)._compiled()
    lines = program.source.splitlines()
    starts = [i for i, line in enumerate(lines) if "_submit(K_MatMul" in line]
    assert starts, program.source
    future = lines[starts[0]].split(" = _submit")[0].split("; ")[-1].strip()
    (wait,) = [i for i, line in enumerate(lines) if f"{future}.result()" in line]
    # the main thread runs the other products in between
    assert sum("K_MatMul" in line for line in lines[starts[0] + 1:wait]) >= 3
    got = fn(x, w1, w2).numpy()
    monkeypatch.setenv("TAPEFLOW_OVERLAP", "0")
    plain = tf.function(_branchy)
    plain_program = plain.get_concrete_function(x, w1, w2)._compiled()
    assert "_submit" not in plain_program.source
    assert got == plain(x, w1, w2).numpy()      # bit for bit


def test_short_kernels_and_random_draws_stay_inline():
    @tf.function
    def small(x):
        y = tf.matmul(x, x)
        z = tf.random.uniform((512, 512))
        return tf.reduce_sum(tf.matmul(y, y)) + tf.reduce_sum(z)
    program = small.get_concrete_function(tf.ones((8, 8)))._compiled()
    assert "_submit" not in program.source


def test_a_started_kernel_keeps_its_inputs_from_being_overwritten():
    x, w1, w2 = _inputs()
    fn = tf.function(_branchy)
    graph = fn.get_concrete_function(x, w1, w2)._compiled().graph
    plan = overlap.plan_overlap(graph)
    assert plan
    reads_until = {k: wait for k, (_, wait) in plan.items()}
    inplace = plan_inplace(graph, reads_until)
    position = {id(n): i for i, n in enumerate(graph.nodes)}
    for node in graph.nodes:
        if id(node) not in plan:
            continue
        _, wait = plan[id(node)]
        for other in graph.nodes[position[id(node)] + 1:wait]:
            if id(other) in inplace:
                target = other.inputs[inplace[id(other)]]
                assert all(target is not x for x in node.inputs)


def test_errors_in_a_started_kernel_name_the_op(monkeypatch):
    monkeypatch.setitem(overlap.ASYNC_OPS, "GatherV2", lambda node: 1000.0)

    @tf.function
    def bad(x, w):
        checked = tf.gather(x, [0, 9], axis=1)
        h = tf.ones((256, 256))
        for _ in range(4):
            h = tf.matmul(h, w)
        return checked, h
    x, w = tf.constant([[1.0, -1.0]]), tf.ones((256, 256)) * 0.001
    assert "_submit(K_GatherV2" in bad.get_concrete_function(x, w)._compiled().source
    with pytest.raises(tf.errors.InvalidArgumentError, match="GatherV2"):
        bad(x, w)


def test_splits_inside_a_worker_run_there_and_splits_beside_a_busy_worker_finish():
    import threading
    gate = threading.Event()
    busy = _parallel.submit(gate.wait, 5)        # the only worker is now busy
    parts = _parallel.over_rows(10, lambda a, b: (a, b, threading.current_thread().name))
    assert [p[:2] for p in parts] == [(0, 5), (5, 10)]
    assert all("tapeflow-kernel" not in p[2] for p in parts)   # ran here, not queued
    gate.set()
    busy.result()
    inner = _parallel.submit(lambda: _parallel.over_rows(10, lambda a, b: (a, b))).result(5)
    assert inner == [(0, 5), (5, 10)]
