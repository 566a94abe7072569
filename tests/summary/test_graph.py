"""tf.summary.graph and trace_on/trace_export: traced graphs as GraphDef events."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.ir import Graph
from tapeflow.graph import function as tf_function
from tapeflow.summary import trace
from tests.summary.wire import fields, read_events


def _traced_graph():
    kernel = tf.Variable(np.ones((3, 2), np.float32), name="dense/kernel")
    graph = Graph("train_step")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([None, 3], tf.float32), "x")
        left, right = tf.split(tf.matmul(x, kernel), 2, axis=1)
        graph.outputs = [tf.reduce_sum(left + right, axis=0)]
    return graph


def _nodes(graph_def):
    """[(name, op, inputs, attr names)] of a serialized GraphDef."""
    nodes = []
    for node in fields(graph_def).get(1, []):
        f = fields(node)
        attrs = sorted(fields(entry)[1][0].decode() for entry in f.get(5, []))
        nodes.append((f[1][0].decode(), f[2][0].decode(),
                      [i.decode() for i in f.get(3, [])], attrs))
    return nodes


@pytest.fixture
def writer(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=0)
    with writer.as_default():
        yield writer
    writer.close()


def test_graph_writes_a_graph_def_at_step_0(writer):
    assert bool(tf.summary.graph(_traced_graph()))
    (event,) = [e for e in read_events(writer.path) if e["graph_def"]]
    assert event["step"] == 0
    nodes = _nodes(event["graph_def"])
    assert [(n, op, inputs) for n, op, inputs, _ in nodes] == [
        ("x", "Placeholder", []),
        ("dense/kernel", "VarHandleOp", []),
        ("ReadVariableOp", "ReadVariableOp", ["dense/kernel"]),
        ("MatMul", "MatMul", ["x", "ReadVariableOp"]),
        ("SplitV", "SplitV", ["MatMul"]),
        ("AddV2", "AddV2", ["SplitV", "SplitV:1"]),
        ("Sum", "Sum", ["AddV2"])]
    assert nodes[3][3] == ["T", "_output_shapes", "transpose_a", "transpose_b"]


def test_graph_without_a_writer_writes_nothing():
    assert not bool(tf.summary.graph(_traced_graph()))


def trace_double_and_export(name, step):
    """Traces `double` between trace_on and trace_export; `before` is traced before."""
    @tf.function
    def before(x):
        return x + 1.0

    @tf.function
    def double(x):
        return x * 2.0
    before(tf.constant(1.0))
    tf.summary.trace_on(graph=True)
    double(tf.constant(1.0))
    before(tf.constant(2.0))                  # already traced: nothing new to export
    tf.summary.trace_export(name, step=step)
    double(tf.constant([1.0, 2.0]))           # a new trace, but tracing is off


def test_trace_export_writes_the_functions_traced_while_on(writer):
    trace_double_and_export("double_trace", step=5)
    (event,) = [e for e in read_events(writer.path) if e["values"]]
    (value,) = event["values"]
    assert (value["tag"], event["step"]) == ("double_trace", 5)
    assert (value["plugin"], value["content"]) == ("graph_run_metadata_graph", b"1")
    function_graphs = fields(value["tensor"].item())[4]          # RunMetadata.function_graphs
    (graph_def,) = [fields(g)[2][0] for g in function_graphs]    # .pre_optimization_graph
    assert [op for _, op, _, _ in _nodes(graph_def)] == ["Placeholder", "Const", "Mul"]


def test_trace_export_needs_trace_on_and_a_step(writer):
    with pytest.raises(ValueError, match="Must enable trace before export"):
        tf.summary.trace_export("x", step=0)
    tf.summary.trace_on()
    with pytest.warns(UserWarning, match="Trace already enabled"):
        tf.summary.trace_on()
    with pytest.raises(ValueError, match="No step set"):
        tf.summary.trace_export("x")
    tf.summary.trace_export("x", step=1)                          # tracing was still on
    assert not trace._trace.on and trace.graph_traced not in tf_function.trace_listeners


def test_tensorboard_parses_the_graph(writer):
    graph_pb2 = pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    tf.summary.graph(_traced_graph())
    (event,) = [e for e in read_events(writer.path) if e["graph_def"]]
    graph_def = graph_pb2.GraphDef.FromString(event["graph_def"])
    split = {n.name: n for n in graph_def.node}["SplitV"]
    assert list(split.attr["sizes"].list.i) == [1, 1] and split.attr["axis"].i == 1
    shapes = split.attr["_output_shapes"].list.shape
    assert [[d.size for d in s.dim] for s in shapes] == [[-1, 1], [-1, 1]]
    assert split.attr["T"].type == 1                      # DT_FLOAT
