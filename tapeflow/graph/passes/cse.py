"""Common-subexpression elimination."""
from tapeflow.core.array_api import xp
from tapeflow.graph.ir import Placeholder
from tapeflow.graph.passes import count_ops, substitute

_MAX_HASHED_CONSTANT = 4096   # larger constants are compared by identity only
_ASSIGN_OPS = ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp")


def eliminate_common_subexpressions(graph):
    """Merges nodes that apply the same pure op to the same inputs with the same attributes.

    Stateful ops (random draws, variable writes) are never merged, except reads of one
    variable with no write to it in between: they see the same value.
    """
    seen, mapping, merged = {}, {}, []
    writes = {}   # id(var) -> number of writes so far: reads in one epoch are one value
    opaque = 0    # side effects that may write any variable (loops, py_function, ...)
    for node in graph.nodes:
        if any(id(x) in mapping for x in node.inputs):
            node.inputs = tuple(mapping.get(id(x), x) for x in node.inputs)
        if node.op.side_effect:
            if node.op.name in _ASSIGN_OPS:
                var = node.inputs[0]
                writes[id(var)] = writes.get(id(var), 0) + 1
            else:
                opaque += 1
            continue
        if node.op.name == "ReadVariableOp":
            (var,) = node.inputs
            key = ("ReadVariableOp", id(var), writes.get(id(var), 0), opaque)
        elif node.op.stateful or node.op is Placeholder:
            continue
        else:
            key = _node_key(node)
        prior = seen.get(key)
        if prior is None:
            seen[key] = node
            continue
        for old, new in zip(node.outputs, prior.outputs):
            mapping[id(old)] = new
        merged.append(node)
    if not merged:
        return []
    dropped = {id(n) for n in merged}
    graph.nodes = [n for n in graph.nodes if id(n) not in dropped]
    substitute(graph, mapping)
    return [f"merged {len(merged)} duplicate nodes ({count_ops(merged)})"]


def _node_key(node):
    inputs = tuple(id(x) for x in node.inputs)
    attrs = tuple(sorted((k, _attr_key(v)) for k, v in node.attrs.items()))
    return node.op.name, inputs, attrs


def _attr_key(value):
    if isinstance(value, xp.ndarray):
        if value.size <= _MAX_HASHED_CONSTANT and value.dtype != object:
            return ("array", value.dtype.str, value.shape, value.tobytes())
        return ("array-id", id(value))
    try:
        hash(value)
        return value
    except TypeError:
        return ("id", id(value))
