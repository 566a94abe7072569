"""Elementwise fusion: which nodes fuse, and fused results equal to the unfused ops bit for bit."""
import numpy as np
import pytest

import tapeflow as tf
import tapeflow.ops.nn  # noqa: F401  (registers Relu, ReluGrad)
from tapeflow._util import jit
from tapeflow.core import dtypes
from tapeflow.core.context import graph_scope
from tapeflow.core.op import get_op
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph
from tapeflow.graph.passes import clone_graph
from tapeflow.graph.passes.fuse_elementwise import fuse_elementwise
from tapeflow.ops.fused_elementwise import SCALAR_OPS, FusedProgram, _FusedElementwise

needs_numba = pytest.mark.skipif(not jit.enabled(), reason="Numba is not installed "
                                 "(the fast extra); the NumPy path is tested below")


def _trace(fn, *specs, dtype=tf.float32):
    graph = Graph("test")
    with graph_scope(graph):
        args = [graph.placeholder(tf.TensorSpec(s, dtype)) for s in specs]
        out = fn(*args)
        graph.outputs = list(out) if isinstance(out, (list, tuple)) else [out]
    return graph


def _ops(graph):
    return [n.op.name for n in graph.nodes if n.op.name != "Placeholder"]


def _bits(array):
    array = np.asarray(array)
    return array.view(f"u{array.dtype.itemsize}") if array.dtype.kind == "f" else array


def _special(rng, shape, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    flat[:8] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.0]
    return x


def test_a_chain_becomes_one_node_and_single_element_inputs_broadcast():
    graph = _trace(lambda x, y, s: tf.sqrt(x * y + 1.0) - x * s, [4, 5], [4, 5], [])
    optimized = clone_graph(graph)
    changes = fuse_elementwise(optimized)
    assert changes == ["fused 5 elementwise ops into 1 kernels"]
    assert _ops(optimized) == ["Const", "_FusedElementwise"] or \
        _ops(optimized).count("_FusedElementwise") == 1
    assert not {"Mul", "AddV2", "Sqrt", "Sub"} & set(_ops(optimized))
    (fused,) = [n for n in optimized.nodes if n.op is _FusedElementwise]
    program = fused.attrs["program"]
    assert [op for op, _, _ in program.instructions] == ["Mul", "AddV2", "Sqrt", "Mul", "Sub"]
    assert program.scalar.count(True) == 2          # the constant 1.0 and s
    rng = np.random.default_rng(0)
    x, y = rng.random((4, 5), dtype=np.float32), rng.random((4, 5), dtype=np.float32)
    s = np.float32(0.5)
    inputs = [tf.constant(x), tf.constant(y), tf.constant(s)]
    (expected,) = interpret(graph, inputs)
    (got,) = interpret(optimized, inputs)
    np.testing.assert_array_equal(_bits(got.numpy()), _bits(expected.numpy()))
    np.testing.assert_allclose(got.numpy(), np.sqrt(x * y + 1) - x * s, rtol=1e-6)


def test_values_used_outside_the_group_are_outputs_and_others_are_not():
    def fn(x):
        a = x * 2.0
        b = a + 1.0
        return tf.reduce_sum(a), b * b
    graph = _trace(fn, [3, 4])
    optimized = clone_graph(graph)
    fuse_elementwise(optimized)
    (fused,) = [n for n in optimized.nodes if n.op is _FusedElementwise]
    assert len(fused.outputs) == 2                  # a (read by the sum) and b * b
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    got = interpret(optimized, [tf.constant(x)])
    np.testing.assert_array_equal(got[0].numpy(), (x * 2).sum())
    np.testing.assert_array_equal(got[1].numpy(), (x * 2 + 1) ** 2)


def test_different_shapes_and_unsupported_ops_are_not_fused():
    graph = _trace(lambda x, y: tf.exp(x * 2.0) + y, [3, 4], [4])
    optimized = clone_graph(graph)
    assert fuse_elementwise(optimized) == []        # exp is not exact; y broadcasts
    assert _ops(optimized) == _ops(graph)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(set(SCALAR_OPS) - {"Cast"}))
def test_every_scalar_op_equals_its_unfused_kernel_bit_for_bit(name, dtype):
    rng = np.random.default_rng(1)
    op = get_op(name)
    arity = SCALAR_OPS[name][0].count("{2}") and 3 or SCALAR_OPS[name][0].count("{1}") and 2 or 1
    if name.startswith("Logical"):
        arrays = [rng.random(64) > 0.5 for _ in range(arity)]
    elif name == "SelectV2":
        arrays = [rng.random(64) > 0.5, _special(rng, 64, dtype), _special(rng, 64, dtype)[::-1]]
    else:
        arrays = [_special(rng, 64, dtype), _special(rng, 64, dtype)[::-1].copy()][:arity]
        arrays[-1][9:13] = arrays[0][9:13]           # equal operands (ties)
        if arity == 2:
            arrays[1][14], arrays[0][14] = 0.0, -0.0     # max/min of signed zeros
            arrays[1][15], arrays[0][15] = -0.0, 0.0
    with np.errstate(all="ignore"):
        expected = op.forward(*arrays)
    out_dtype = dtypes.as_dtype(np.asarray(expected).dtype)
    in_dtypes = [dtypes.as_dtype(a.dtype) for a in arrays]
    program = FusedProgram(arity, [False] * arity, in_dtypes,
                           [(name, tuple(range(arity)), out_dtype)], [arity])
    (reference,) = _FusedElementwise.forward(*arrays, program=program, shape=(64,), jit=False)
    np.testing.assert_array_equal(_bits(reference), _bits(expected))
    if jit.enabled():
        (fused,) = _FusedElementwise.forward(*arrays, program=program, shape=(64,), jit=True)
        assert fused.dtype == np.asarray(expected).dtype
        np.testing.assert_array_equal(_bits(fused), _bits(expected))


@needs_numba
@pytest.mark.parametrize("source", [np.bool_, np.float32, np.float64])
def test_cast_to_float_is_fused_exactly(source):
    rng = np.random.default_rng(2)
    x = (rng.random(50) > 0.5) if source is np.bool_ else _special(rng, 50, source)
    for target in (dtypes.float32, dtypes.float64):
        program = FusedProgram(1, [False], [dtypes.as_dtype(x.dtype)],
                               [("Cast", (0,), target)], [1])
        (fused,) = _FusedElementwise.forward(x, program=program, shape=(50,), jit=True)
        np.testing.assert_array_equal(_bits(fused), _bits(x.astype(target._np)))


@needs_numba
def test_large_arrays_are_split_across_threads_with_the_same_result():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(700_001).astype(np.float32)
    program = FusedProgram(2, [False, True], [dtypes.float32] * 2,
                           [("Mul", (0, 1), dtypes.float32), ("Relu", (2,), dtypes.float32)],
                           [3])
    (fused,) = _FusedElementwise.forward(x, np.float32(3), program=program,
                                         shape=(700_001,), jit=True)
    np.testing.assert_array_equal(fused, np.maximum(x * np.float32(3), 0))


def _adam_like_step(jit_compile):
    v = tf.Variable(np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 6))
    m = tf.Variable(tf.zeros((4, 6)))

    @tf.function(jit_compile=jit_compile)
    def step(g):
        before = v.read_value()             # read before the update: the old value
        m.assign_add((g - m) * 0.1)
        v.assign_sub(m * 0.01 / (tf.sqrt(tf.square(m)) + 1e-7))
        tf.print(v[0, 0])                   # a side effect in the middle
        after = v * 2.0                     # read after: the new value
        return before, after
    g = tf.constant(np.cos(np.arange(24, dtype=np.float32)).reshape(4, 6))
    outs = [step(g) for _ in range(3)]
    return [t.numpy() for pair in outs for t in pair] + [v.numpy(), m.numpy()], step


@needs_numba
def test_variable_updates_fuse_and_keep_read_write_order(capsys):
    fused, step = _adam_like_step(None)
    fused_log = capsys.readouterr().err
    plain, plain_step = _adam_like_step(False)
    plain_log = capsys.readouterr().err
    for a, b in zip(fused, plain):
        np.testing.assert_array_equal(_bits(a), _bits(b))
    assert fused_log == plain_log and len(fused_log.split()) == 3
    g = tf.constant(np.zeros((4, 6), np.float32))
    program = step.get_concrete_function(g)._compiled()
    ops = [n.op.name for n in program.graph.nodes]
    assert "_FusedElementwise" in ops and "AssignSubVariableOp" not in ops
    assert "fused" in program.report and "skipped" not in program.report.split("fuse_elementwise")[1][:20]
    plain_program = plain_step.get_concrete_function(g)._compiled()
    assert "_FusedElementwise" not in [n.op.name for n in plain_program.graph.nodes]
    assert "fuse_elementwise: skipped (no JIT: jit_compile=False)" in plain_program.report


def test_without_numba_functions_run_unfused(monkeypatch):
    monkeypatch.setenv("TAPEFLOW_JIT", "0")
    outs, step = _adam_like_step(None)
    program = step.get_concrete_function(tf.zeros((4, 6)))._compiled()
    assert "_FusedElementwise" not in [n.op.name for n in program.graph.nodes]
    assert "Numba absent or TAPEFLOW_JIT=0" in program.report
    # the same numbers as eager execution
    v = tf.Variable(np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 6))
    m = tf.Variable(tf.zeros((4, 6)))
    g = tf.constant(np.cos(np.arange(24, dtype=np.float32)).reshape(4, 6))
    for _ in range(3):
        m.assign_add((g - m) * 0.1)
        v.assign_sub(m * 0.01 / (tf.sqrt(tf.square(m)) + 1e-7))
    np.testing.assert_allclose(outs[-2], v.numpy(), rtol=1e-6)


@needs_numba
def test_dense_train_step_fused_equals_unfused_bit_for_bit():
    # (no conv block: its fused kernels sum in another order, tests/graph/test_fuse_conv.py)
    def run(jit_compile):
        tf.random.set_seed(1)
        model = tf.keras.Sequential([
            tf.keras.Input((8, 8, 1)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(8, activation="relu"),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Dense(3),
        ])
        optimizer = tf.keras.optimizers.Adam(0.01)
        loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

        @tf.function(jit_compile=jit_compile)
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss
        rng = np.random.default_rng(0)
        x = rng.random((16, 8, 8, 1), dtype=np.float32)
        y = rng.integers(0, 3, 16).astype(np.int32)
        losses = [step(x, y).numpy() for _ in range(4)]
        return losses, [w.numpy() for w in model.weights]
    fused_losses, fused_weights = run(None)
    plain_losses, plain_weights = run(False)
    np.testing.assert_array_equal(fused_losses, plain_losses)
    for a, b in zip(fused_weights, plain_weights):
        np.testing.assert_array_equal(_bits(a), _bits(b))
