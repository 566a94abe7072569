"""The graph IR: placeholders, captured constants, the text dump, the interpreter."""
import numpy as np

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph


def test_build_dump_and_interpret():
    graph = Graph("f")
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
    c = tf.constant(1.0)
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([None, 2]), "x")
        y = tf.matmul(x, w) + c
        graph.outputs = [tf.reduce_sum(y, axis=1)]
    text = graph.as_text()
    assert "function f(%0: f32[?,2])" in text
    assert "ReadVariableOp($w)" in text and "Const() value=1.0" in text
    assert "%4 f32[?,2] = AddV2(%2, %3)" in text
    (out,) = interpret(graph, [tf.constant([[1.0, 1.0]])])
    np.testing.assert_allclose(out.numpy(), [12.0])   # [1,1] @ w = [4,6]; +1; sum


def test_eager_tensor_captured_once():
    graph = Graph("g")
    c = tf.constant([1.0, 2.0])
    with graph_scope(graph):
        a = c * 2.0
        b = c * 3.0
    consts = [n for n in graph.nodes if n.op.name == "Const" and n.attrs["value"].shape == (2,)]
    assert len(consts) == 1 and a.shape == [2] and b.shape == [2]
