"""Each optimization pass: a before/after graph assertion, and equality with the interpreter."""
import numpy as np

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.compile import compile_graph
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph
from tapeflow.graph.passes import clone_graph
from tapeflow.graph.passes.cse import eliminate_common_subexpressions
from tapeflow.graph.passes.dce import eliminate_dead_code
from tapeflow.graph.passes.fold import fold_constants
from tapeflow.graph.passes.simplify import simplify


def _trace(fn, *specs):
    graph = Graph("test")
    with graph_scope(graph):
        args = [graph.placeholder(tf.TensorSpec(s, tf.float32)) for s in specs]
        out = fn(*args)
        graph.outputs = list(out) if isinstance(out, (list, tuple)) else [out]
    return graph


def _ops(graph):
    return [n.op.name for n in graph.nodes if n.op.name != "Placeholder"]


def _same_results(graph, optimized, *arrays):
    inputs = [tf.constant(a) for a in arrays]
    expected = interpret(graph, inputs)
    got = interpret(optimized, inputs)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6)


def test_dead_code_elimination_removes_unused_nodes():
    graph = _trace(lambda x: (tf.exp(x), tf.tanh(x))[0], [3])
    assert _ops(graph) == ["Exp", "Tanh"]
    optimized = clone_graph(graph)
    changes = eliminate_dead_code(optimized)
    assert _ops(optimized) == ["Exp"] and "removed 1 unused nodes (1 Tanh)" in changes[0]
    _same_results(graph, optimized, np.ones(3, np.float32))


def test_dead_code_elimination_keeps_side_effects():
    v = tf.Variable(0.0)

    def fn(x):
        v.assign_add(1.0)
        return x * 2.0
    optimized = clone_graph(_trace(fn, []))
    eliminate_dead_code(optimized)
    assert "AssignAddVariableOp" in _ops(optimized)


def test_unneeded_gradients_are_pruned():
    w = tf.Variable(tf.ones([3, 2]))

    def fn(x):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.matmul(x, w))
        return tape.gradient(y, w)
    graph = _trace(fn, [4, 3])
    # only the weight gradient (a^T @ dy) is built: no MatMul for the input's gradient
    assert _ops(graph).count("MatMul") == 2


def test_common_subexpressions_are_merged():
    graph = _trace(lambda x: tf.exp(x) + tf.exp(x), [3])
    assert _ops(graph) == ["Exp", "Exp", "AddV2"]
    optimized = clone_graph(graph)
    changes = eliminate_common_subexpressions(optimized)
    assert _ops(optimized) == ["Exp", "AddV2"] and "merged 1 duplicate nodes" in changes[0]
    add = optimized.nodes[-1]
    assert add.inputs[0] is add.inputs[1]
    _same_results(graph, optimized, np.arange(3, dtype=np.float32))


def test_random_ops_are_never_merged():
    graph = _trace(lambda x: x + tf.random.uniform([3]) + tf.random.uniform([3]), [3])
    optimized = clone_graph(graph)
    eliminate_common_subexpressions(optimized)
    assert _ops(optimized).count("RandomUniform") == 2


def test_constant_folding_including_static_shapes():
    graph = _trace(lambda x: x * (tf.ones([3]) * 2.0) + tf.cast(tf.size(x), tf.float32), [3])
    optimized = clone_graph(graph)
    changes = fold_constants(optimized)
    eliminate_dead_code(optimized)
    assert _ops(optimized) == ["Const", "Mul", "Const", "AddV2"]
    assert "folded" in changes[0]
    _same_results(graph, optimized, np.arange(3, dtype=np.float32))


def test_algebraic_simplification_rules():
    def fn(x):
        y = tf.identity(x) * 1.0 + 0.0
        z = tf.transpose(tf.transpose(tf.reshape(y, [2, 3])))
        return tf.reshape(z, [6]) - 0.0
    graph = _trace(fn, [6])
    optimized = clone_graph(graph)
    changes = simplify(optimized)
    eliminate_dead_code(optimized)
    assert _ops(optimized) == [] and "simplified" in changes[0]
    assert optimized.outputs[0] is optimized.inputs[0]
    _same_results(graph, optimized, np.arange(6, dtype=np.float32))


def test_simplification_keeps_broadcasting_multiplications():
    graph = _trace(lambda x: x * tf.ones([2, 3]), [3])
    optimized = clone_graph(graph)
    simplify(optimized)
    assert "Mul" in _ops(optimized)   # x * ones broadcasts x from [3] to [2,3]: not x


def test_generated_code_writes_dead_buffers_in_place_and_matches():
    def fn(x):
        h = tf.tanh(tf.matmul(x, tf.ones([3, 3])))
        return tf.reduce_sum(h * h + 1.0), h * 0.0 + x
    graph = _trace(fn, [2, 3])
    program = compile_graph(graph, "test")
    assert "out=" in program.source
    x = np.array([[0.1, 0.2, 0.3], [-0.4, 0.5, 0.6]], np.float32)
    original = x.copy()
    expected = interpret(graph, [tf.constant(x)])
    got = program.run([tf.constant(x)])
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(x, original)   # the caller's inputs are never overwritten


def test_optimization_report_lists_every_pass():
    @tf.function
    def f(x):
        return tf.exp(x) + tf.exp(x)
    report = f.get_concrete_function(tf.TensorSpec([2])).optimization_report()
    for name in ("eliminate_dead_code", "fold_constants", "simplify",
                 "eliminate_common_subexpressions", "== optimized graph"):
        assert name in report


def test_scheduling_lowers_peak_memory_and_keeps_results():
    from tapeflow.graph.passes.schedule import estimate_peak, schedule_for_memory

    def fn(x):
        # Four large temporaries, each reduced at once: computed in this order the
        # traced program holds all four at the same time.
        bigs = [tf.exp(x * float(i)) for i in range(4)]
        sums = [tf.reduce_sum(b) for b in bigs]
        return tf.add_n(sums)
    graph = _trace(fn, [256, 256])
    optimized = clone_graph(graph)
    before = estimate_peak(optimized)
    changes = schedule_for_memory(optimized)
    assert changes and estimate_peak(optimized) < before
    _same_results(graph, optimized, np.full((256, 256), 0.001, np.float32))


def test_scheduling_keeps_variable_reads_and_writes_in_order():
    from tapeflow.graph.passes.schedule import schedule_for_memory
    v = tf.Variable(1.0)

    def fn(x):
        a = v.read_value() * x
        v.assign(5.0)
        b = v.read_value() * x
        return a + b
    graph = _trace(fn, [])
    optimized = clone_graph(graph)
    schedule_for_memory(optimized)
    names = _ops(optimized)
    assert names.index("AssignVariableOp") > names.index("ReadVariableOp")
    assert names.index("AssignVariableOp") < len(names) - names[::-1].index("ReadVariableOp") - 1


def test_reads_of_a_variable_merge_only_between_writes():
    v = tf.Variable(2.0)

    def fn(x):
        a = v.read_value() * x
        b = v.read_value() * x       # same value as a: merged
        v.assign(3.0)
        c = v.read_value() * x       # after a write: not merged
        return a + b + c
    graph = _trace(fn, [])
    optimized = clone_graph(graph)
    eliminate_common_subexpressions(optimized)
    eliminate_dead_code(optimized)
    assert _ops(optimized).count("ReadVariableOp") == 2
    assert _ops(optimized).count("Mul") == 2
    v.assign(2.0)
    (expected,) = interpret(graph, [tf.constant(1.0)])
    v.assign(2.0)
    (got,) = interpret(optimized, [tf.constant(1.0)])
    assert float(got) == float(expected) == 7.0


def test_relu_mask_moves_to_the_pooled_gradient():
    def fn(x, w):
        with tf.GradientTape() as tape:
            tape.watch(x)
            h = tf.nn.relu(x * w)
            y = tf.reduce_sum(tf.nn.max_pool2d(h, 2, 2, "VALID") ** 2)
        return tape.gradient(y, x)
    graph = _trace(fn, [2, 4, 4, 3], [2, 4, 4, 3])
    optimized = clone_graph(graph)
    changes = simplify(optimized)
    eliminate_dead_code(optimized)
    relu_grad = next(n for n in optimized.nodes if n.op.name == "ReluGrad")
    assert relu_grad.outputs[0]._static_dims() == (2, 2, 2, 3)      # pooled size
    assert any("ReluGrad" in c for c in changes)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 4, 3)).astype(np.float32)
    x[0, :2, :2, 0] = -1.0      # an all-negative window: relu zeros, tied maxima
    _same_results(graph, optimized, x, np.abs(rng.standard_normal((2, 4, 4, 3))).astype(
        np.float32))
