"""Constant folding, including shapes known at trace time."""
from tapeflow.core.array_api import xp
from tapeflow.graph.ir import Const, Placeholder
from tapeflow.graph.passes import const_value, count_ops, make_const, producers, static_size

_MAX_FOLDED_ELEMENTS = 1 << 20   # do not materialize huge constants at compile time
_SHAPE_OPS = ("Shape", "Size", "Rank")
_LIKE_OPS = ("ZerosLike", "OnesLike")   # depend only on the (static) shape of their input


def fold_constants(graph):
    """Evaluates pure nodes whose inputs are all constants, replacing them by Const nodes.

    Shape, Size and Rank of values with fully known static shapes fold too.
    """
    folded = []
    producer_map = producers(graph)
    new_nodes = []
    for node in graph.nodes:
        replacement = _fold(graph, node, producer_map)
        if replacement is None:
            new_nodes.append(node)
            continue
        folded.append(node)
        for const in replacement:
            producer_map[id(const.outputs[0])] = const
            new_nodes.append(const)
    graph.nodes = new_nodes
    return [f"folded {len(folded)} nodes into constants ({count_ops(folded)})"] if folded else []


def _fold(graph, node, producer_map):
    op = node.op
    if op.stateful or op is Placeholder or op is Const or op.forward is None:
        return None
    if op.name in _SHAPE_OPS:
        return _fold_shape_op(graph, node)
    if op.name in _LIKE_OPS:
        return _fold_like_op(graph, node)
    if not node.inputs:
        values = []
    else:
        values = [const_value(x, producer_map) for x in node.inputs]
        if any(v is None for v in values):
            return None
    try:
        result = op.forward(*values, **node.attrs)
    except Exception:   # leave it to run time, where the error is reported properly
        return None
    results = result if op.multi_output else (result,)
    arrays = [xp.asarray(r) for r in results]
    if sum(a.size for a in arrays) > _MAX_FOLDED_ELEMENTS:
        return None
    return [make_const(graph, out, array) for out, array in zip(node.outputs, arrays)]


def _fold_like_op(graph, node):
    out = node.outputs[0]
    size = static_size(out)
    if size is None or size > _MAX_FOLDED_ELEMENTS:
        return None
    fill = xp.zeros if node.op.name == "ZerosLike" else xp.ones
    return [make_const(graph, out, fill(out._static_dims(), dtype=out.dtype._np))]


def _fold_shape_op(graph, node):
    (x,) = node.inputs
    dims = x._static_dims()
    if dims is None or None in dims:
        if node.op.name == "Rank" and dims is not None:
            return [make_const(graph, node.outputs[0], xp.array(len(dims), xp.int32))]
        return None
    if node.op.name == "Shape":
        array = xp.array(dims, dtype=node.attrs["out_type"]._np)
    elif node.op.name == "Size":
        size = 1
        for d in dims:
            size *= d
        array = xp.array(size, dtype=node.attrs["out_type"]._np)
    else:
        array = xp.array(len(dims), xp.int32)
    return [make_const(graph, node.outputs[0], array)]
