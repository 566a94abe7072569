"""The reference interpreter: runs a graph node by node through eager `apply`.

It is the oracle every optimization pass and the code generator are tested
against, and the way a traced function runs under an outer GradientTape (each
node is then recorded on the tape like any eager op).
"""
from tapeflow.core.dispatch import apply
from tapeflow.core.tensor import wrap
from tapeflow.graph.ir import Const, Placeholder


def interpret(graph, args, captures=None):
    """Runs `graph` on eager `args` (one per graph input); returns its flat outputs.

    Args:
      graph: a Graph.
      args: eager tensors, matching `graph.inputs`.
      captures: optional mapping id(inner placeholder) -> eager value for
        captured outer tensors; by default each capture's outer value is used.
    """
    env = {}
    for placeholder, value in zip(graph.inputs, args):
        env[id(placeholder)] = value
    for outer, inner in graph.captures.values():
        if id(inner) not in env:   # captures that are not explicit inputs
            env[id(inner)] = (captures or {}).get(id(inner), outer)
    for node in graph.nodes:
        op = node.op
        if op is Placeholder:
            continue
        if op is Const:
            env[id(node.outputs[0])] = wrap(node.attrs["value"])
            continue
        inputs = [x if x._is_variable else env[id(x)] for x in node.inputs]
        if op.side_effect and op.name.startswith("Assign"):
            _assign(op, inputs)
            continue
        result = apply(op, *inputs, **node.attrs)
        outputs = result if op.multi_output else (result,)
        for symbolic, value in zip(node.outputs, outputs):
            env[id(symbolic)] = value
    return [env[id(v)] for v in graph.outputs]


def _assign(op, inputs):
    var, value = inputs
    if op.name == "AssignVariableOp":
        var.assign(value)
    elif op.name == "AssignAddVariableOp":
        var.assign_add(value)
    else:
        var.assign_sub(value)
