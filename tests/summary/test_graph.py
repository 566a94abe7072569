"""tf.summary.graph and trace_on/trace_export: traced graphs as GraphDef events."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.ir import Graph
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


def test_trace_export_writes_the_graphs_traced_while_on(writer):
    tf.summary.trace_on(graph=True)
    trace.graph_traced(_traced_graph())       # what `function` reports when it traces
    tf.summary.trace_export("step_fn", step=5)
    trace.graph_traced(_traced_graph())       # tracing is off again: not kept
    with pytest.warns(UserWarning, match="nothing was traced"):
        tf.summary.trace_export("again", step=6)
    graphs = [e for e in read_events(writer.path) if e["graph_def"]]
    assert [e["step"] for e in graphs] == [5]


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
