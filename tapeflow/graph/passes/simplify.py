"""Algebraic simplification: a table of local rewrite rules.

Each rule looks at one node (and the nodes producing its inputs) and returns
the value that can replace the node's output, or None. Add a rule by adding a
row to RULES. Every rule preserves the output's value, dtype and shape.
"""
from tapeflow.core.array_api import xp
from tapeflow.graph.passes import const_value, count_ops, new_node, producers, substitute


class _Context:
    def __init__(self, graph):
        self.graph = graph
        self.inserted = {}   # id(node) -> new nodes a rule built to replace it
        self.producer = producers(graph)
        self.uses = {}
        for node in graph.nodes:
            for x in node.inputs:
                self.uses[id(x)] = self.uses.get(id(x), 0) + 1
        for value in graph.outputs:
            self.uses[id(value)] = self.uses.get(id(value), 0) + 1

    def const(self, value):
        return const_value(value, self.producer)

    def is_const(self, value, number):
        array = self.const(value)
        return array is not None and array.dtype != object and bool(xp.all(array == number))

    def emit(self, at, op, inputs, attrs):
        """A new node computing op(*inputs) placed before the node `at`; returns its output."""
        node = new_node(self.graph, op, inputs, attrs)
        self.inserted.setdefault(id(at), []).append(node)
        self.producer[id(node.outputs[0])] = node
        return node.outputs[0]

    def made_by(self, value, op_name):
        node = self.producer.get(id(value))
        return node if node is not None and node.op.name == op_name else None


def _dims(value):
    return value._static_dims()


def _same_shape(a, b):
    da, db = _dims(a), _dims(b)
    return da is not None and da == db and None not in da


def _passthrough(node, ctx):
    return node.inputs[0]


def _mul(node, ctx):
    x, y = node.inputs
    out = node.outputs[0]
    if ctx.is_const(y, 1) and _same_shape(x, out):
        return x
    if ctx.is_const(x, 1) and _same_shape(y, out):
        return y
    return None


def _add(node, ctx):
    x, y = node.inputs
    out = node.outputs[0]
    if ctx.is_const(y, 0) and _same_shape(x, out):
        return x
    if ctx.is_const(x, 0) and _same_shape(y, out):
        return y
    return None


def _sub(node, ctx):
    x, y = node.inputs
    return x if ctx.is_const(y, 0) and _same_shape(x, node.outputs[0]) else None


def _div(node, ctx):
    x, y = node.inputs
    return x if ctx.is_const(y, 1) and _same_shape(x, node.outputs[0]) else None


def _same_shape_as_output(node, ctx):
    x = node.inputs[0]
    return x if _same_shape(x, node.outputs[0]) else None


def _double_negation(node, ctx):
    inner = ctx.made_by(node.inputs[0], "Neg")
    return inner.inputs[0] if inner is not None else None


def _transpose(node, ctx):
    perm = node.attrs["perm"]
    if tuple(perm) == tuple(range(len(perm))):
        return node.inputs[0]
    inner = ctx.made_by(node.inputs[0], "Transpose")
    if inner is not None:
        composed = tuple(inner.attrs["perm"][p] for p in perm)
        if composed == tuple(range(len(composed))):
            return inner.inputs[0]
    return None


def _reshape(node, ctx):
    x = node.inputs[0]
    if _same_shape(x, node.outputs[0]):
        return x
    inner = ctx.made_by(x, "Reshape")
    if inner is not None and _same_shape(inner.inputs[0], node.outputs[0]):
        return inner.inputs[0]
    return None


def _relu_grad_of_max_pool_grad(node, ctx):
    # ReluGrad(MaxPoolGrad(x, y, dy), x) with x = Relu(...) and y = MaxPool(x):
    # max pooling hands each window's gradient to one position p, where x[p] = y, so
    # the relu mask there is (y > 0): apply it to the pooled dy (4x smaller for 2x2
    # windows) instead of to the full-size gradient. Exact, ties included.
    dx, features = node.inputs
    pool_grad = ctx.made_by(dx, "MaxPoolGrad")
    if pool_grad is None or ctx.uses.get(id(dx), 0) != 1:
        return None
    x, y, dy = pool_grad.inputs
    if x is not features or ctx.made_by(x, "Relu") is None:
        return None
    masked = ctx.emit(node, node.op, (dy, y), {})
    return ctx.emit(node, pool_grad.op, (x, y, masked), pool_grad.attrs)


def _sum_to_shape(node, ctx):
    g, like = node.inputs
    return g if _same_shape(g, like) else None


RULES = {
    "Identity": _passthrough,            # Identity(x) -> x
    "StopGradient": _passthrough,        # gradients are already built when we optimize
    "Mul": _mul,                         # x * 1 -> x (shape-preserving only)
    "AddV2": _add,                       # x + 0 -> x
    "Sub": _sub,                         # x - 0 -> x
    "RealDiv": _div,                     # x / 1 -> x
    "Neg": _double_negation,             # -(-x) -> x
    "Transpose": _transpose,             # identity perm, transpose of its inverse -> x
    "Reshape": _reshape,                 # to its own shape, reshape back -> x
    "BroadcastTo": _same_shape_as_output,
    "BroadcastLike": _same_shape_as_output,
    "ReshapeLike": _same_shape_as_output,
    "SumToShape": _sum_to_shape,         # nothing was broadcast -> g
    "ReluGrad": _relu_grad_of_max_pool_grad,   # relu mask on the pooled gradient
}


def simplify(graph):
    """Applies RULES until nothing changes; replaced nodes are left for dead-code elimination."""
    changed = []
    for _ in range(10):
        ctx = _Context(graph)
        mapping = {}
        for node in graph.nodes:
            rule = RULES.get(node.op.name)
            if rule is None or node.op.multi_output or not ctx.uses.get(id(node.outputs[0])):
                continue   # (an unused node is already replaced; DCE removes it)
            replacement = rule(node, ctx)
            if replacement is not None and replacement is not node.outputs[0]:
                mapping[id(node.outputs[0])] = replacement
                changed.append(node)
        if not mapping:
            break
        if ctx.inserted:
            graph.nodes = [new for node in graph.nodes
                           for new in ctx.inserted.get(id(node), []) + [node]]
        substitute(graph, mapping)
    return [f"simplified {len(changed)} nodes ({count_ops(changed)})"] if changed else []
