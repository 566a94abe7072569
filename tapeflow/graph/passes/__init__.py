"""Graph-to-graph optimization passes and the helpers they share.

A pass takes a Graph, rewrites it in place, and returns a list of short
sentences saying what it changed (shown in `optimization_report()`). Each
pass keeps one guarantee, stated in its docstring; every pass is tested
against the reference interpreter.
"""
from tapeflow.graph.ir import Const, Graph, Node, Placeholder


def clone_graph(graph):
    """A copy with new Node objects (same values), so passes leave the trace intact."""
    copy = Graph(graph.name, graph.outer)
    copy.inputs = list(graph.inputs)
    copy.outputs = list(graph.outputs)
    copy.captures = dict(graph.captures)
    copy.variables = dict(graph.variables)
    copy._name_counts = dict(graph._name_counts)
    for node in graph.nodes:
        new = Node(copy, node.op, node.inputs, dict(node.attrs), node.name)
        new.outputs = node.outputs
        copy.nodes.append(new)
    return copy


def producers(graph):
    """id(value) -> the node that computes it."""
    return {id(v): node for node in graph.nodes for v in node.outputs}


def substitute(graph, mapping):
    """Replaces every use of value `old` by `mapping[id(old)]` (chains are followed)."""
    if not mapping:
        return

    def resolve(x):
        seen = 0
        while id(x) in mapping and seen < 1000:
            x = mapping[id(x)]
            seen += 1
        return x
    for node in graph.nodes:
        if any(id(x) in mapping for x in node.inputs):
            node.inputs = tuple(resolve(x) for x in node.inputs)
    graph.outputs = [resolve(v) for v in graph.outputs]


def const_value(value, producer_map):
    """The array of `value` if a Const node computes it, else None."""
    if value._is_variable:
        return None
    node = producer_map.get(id(value))
    if node is not None and node.op is Const:
        return node.attrs["value"]
    return None


def make_const(graph, value, array):
    """A Const node whose output is the existing symbolic `value` (its uses stay valid)."""
    node = Node(graph, Const, (), {"value": array}, graph.unique_name("Const"))
    node.outputs = (value,)
    return node


def new_node(graph, op, inputs, attrs):
    """A node of `graph` computing op(*inputs, **attrs), outputs typed by the op's shape rule.

    Unlike tracing (Graph.apply), nothing is captured: the inputs are already values of
    the graph being optimized. The caller places the node in `graph.nodes`.
    """
    from tapeflow.core.spec import TensorSpec
    from tapeflow.core.tensor import SymbolicTensor
    specs = [x if x._is_variable else TensorSpec(x._static_dims(), x.dtype) for x in inputs]
    result = op.infer(*specs, **attrs)
    node = Node(graph, op, tuple(inputs), dict(attrs), graph.unique_name(op.name))
    out_specs = result if op.multi_output else (result,)
    node.outputs = tuple(SymbolicTensor(graph, node, i, spec)
                         for i, spec in enumerate(out_specs))
    return node


def static_size(value):
    """The number of elements of `value` if its shape is fully known when tracing, else None."""
    dims = value._static_dims()
    if dims is None or None in dims:
        return None
    size = 1
    for d in dims:
        size *= d
    return size


def count_ops(nodes):
    counts = {}
    for node in nodes:
        counts[node.op.name] = counts.get(node.op.name, 0) + 1
    return ", ".join(f"{n} {name}" for name, n in sorted(counts.items(), key=lambda kv: -kv[1]))


__all__ = ["clone_graph", "producers", "substitute", "const_value", "make_const", "count_ops",
           "new_node", "static_size",
           "Const", "Placeholder"]
