"""Elementwise fusion: connected chains of same-shaped elementwise ops become one kernel.

Guarantee: the program computes the same values, bit for bit, and reads and
writes every variable in the same order as written.

Nodes are taken in program order. A node whose op has a scalar form (see
ops/fused_elementwise.py) and whose inputs are either its own shape or a single
element joins the open group it is connected to (by a value computed in the
group, or a full-size input the group also reads), or opens a new one. Variable
updates join too: `AssignAddVariableOp(v, d)` becomes an in-group `v + d` and an
assignment of the result after the fused node, so an Adam step (twelve ops
over the gradient, two slots and the variable) is one pass over memory.

A group is closed (emitted) before any node that would see it half done: a
node reading one of its values, reading a variable it assigns, or assigning a
variable it reads; and before any other side effect. A read of a variable the
group has assigned joins it, as the assigned value. The fused node takes the
place of the group's last node, followed by its variable assignments.
"""
from tapeflow.core.variable import AssignAddVariableOp, AssignSubVariableOp, AssignVariableOp
from tapeflow.graph.passes import new_node, static_size, substitute
from tapeflow.ops.fused_elementwise import DTYPES, SCALAR_OPS, FusedProgram, _FusedElementwise

_ASSIGNS = {AssignVariableOp: None, AssignAddVariableOp: "AddV2", AssignSubVariableOp: "Sub"}
MIN_OPS = 2      # a group of one op gains nothing


def _full_dims(value):
    dims = value._static_dims()
    if dims is None or None in dims:
        return None
    return tuple(dims)


class _Group:
    def __init__(self, shape):
        self.shape = shape
        self.nodes = []            # member nodes, in program order
        self.inputs = []           # external input values
        self.input_index = {}      # id(value) -> input number
        self.internal = {}         # id(value) -> value number inside the program
        self.instructions = []
        self.var_reads = set()     # id(var) read from outside the group
        self.pending = {}          # id(var) -> (var, value number of its new value)
        self.full_inputs = set()   # id() of full-size external inputs (for connectivity)

    def value_number(self, x):
        if id(x) in self.internal:
            return self.internal[id(x)]
        if x._is_variable and id(x) in self.pending:
            return self.pending[id(x)][1]
        if id(x) not in self.input_index:
            self.input_index[id(x)] = len(self.inputs)
            self.inputs.append(x)
            if x._is_variable:
                self.var_reads.add(id(x))
            if static_size(x) > 1 or self.shape == ():
                self.full_inputs.add(id(x))
        return ("in", self.input_index[id(x)])

    def connected(self, node):
        for x in node.inputs:
            if id(x) in self.internal or (x._is_variable and id(x) in self.pending):
                return True
            if id(x) in self.full_inputs:
                return True
        return False

    def sees_unfinished(self, node):
        """True if `node`, run before this group's fused node, would see it half done."""
        for x in node.inputs:
            if id(x) in self.internal:
                return True
            if x._is_variable and id(x) in self.pending:
                return True
        if node.op in _ASSIGNS:
            return id(node.inputs[0]) in self.var_reads or id(node.inputs[0]) in self.pending
        return node.op.side_effect


def _fusible(node):
    """The group shape `node` could join, or None."""
    op = node.op
    if op in _ASSIGNS:
        var, value = node.inputs
        dims = _full_dims(var)
        if dims is None or _full_dims(value) != dims or value.dtype not in DTYPES:
            return None
        return dims
    if (op.name not in SCALAR_OPS or op.multi_output or len(node.outputs) != 1
            or (node.attrs and op.name != "Cast")):
        return None
    out = node.outputs[0]
    dims = _full_dims(out)
    if dims is None or out.dtype not in DTYPES:
        return None
    if op.name == "Cast" and not (out.dtype.is_floating and node.inputs[0].dtype in DTYPES):
        return None
    for x in node.inputs:
        x_dims = _full_dims(x)
        if x_dims is None or x.dtype not in DTYPES:
            return None
        if x_dims != dims and static_size(x) != 1:
            return None
    return dims


def fuse_elementwise(graph):
    """Rewrites groups of elementwise nodes into _FusedElementwise nodes (Numba kernels)."""
    open_groups = []
    closed = []

    def close(group):
        open_groups.remove(group)
        closed.append(group)

    for node in graph.nodes:
        if node.op.name == "ReadVariableOp":
            # a read of a variable a group has assigned: the group's new value
            owner = [g for g in open_groups if id(node.inputs[0]) in g.pending]
            if owner:
                owner[0].nodes.append(node)
                owner[0].internal[id(node.outputs[0])] = owner[0].pending[id(node.inputs[0])][1]
                continue
        shape = _fusible(node)
        joined = None
        if shape is not None:
            candidates = [g for g in open_groups if g.shape == shape and g.connected(node)]
            if len(candidates) == 1:
                joined = candidates[0]
            elif not candidates:
                joined = _Group(shape)
                open_groups.append(joined)
            # (connected to two groups: close both below and leave the node alone)
        for group in list(open_groups):
            if group is not joined and group.sees_unfinished(node):
                close(group)
        if joined is not None:
            _add(joined, node)
    closed.extend(open_groups)
    return _emit(graph, [g for g in closed if len(g.instructions) >= MIN_OPS])


def _add(group, node):
    group.nodes.append(node)
    op = node.op
    if op in _ASSIGNS:
        var, value = node.inputs
        if _ASSIGNS[op] is None:
            number = group.value_number(value)
        else:
            number = _instruction(group, _ASSIGNS[op], (var, value), var.dtype)
        group.pending[id(var)] = (var, number)
        return
    out = node.outputs[0]
    group.internal[id(out)] = _instruction(group, op.name, node.inputs, out.dtype)


def _instruction(group, op_name, inputs, dtype):
    args = tuple(group.value_number(x) for x in inputs)
    group.instructions.append((op_name, args, dtype))
    return ("op", len(group.instructions) - 1)


def _emit(graph, groups):
    if not groups:
        return []
    position = {id(node): i for i, node in enumerate(graph.nodes)}
    members = {id(node) for g in groups for node in g.nodes}
    group_of = {id(node): i for i, g in enumerate(groups) for node in g.nodes}
    users = {}              # id(value) -> groups (or -1: not fused) of the nodes reading it
    for node in graph.nodes:
        for x in node.inputs:
            users.setdefault(id(x), set()).add(group_of.get(id(node), -1))
    for v in graph.outputs:
        users.setdefault(id(v), set()).add(-1)

    replacement = {}        # id(last member node) -> nodes to put in its place
    mapping = {}
    for index, group in enumerate(groups):
        n_in = len(group.inputs)

        def number(ref):
            kind, k = ref
            return k if kind == "in" else n_in + k

        instructions = [(op, tuple(number(a) for a in args), dtype)
                        for op, args, dtype in group.instructions]
        outputs, exported = [], []
        for value_id, ref in group.internal.items():
            if users.get(value_id, set()) - {index}:
                outputs.append(number(ref))
                exported.append(value_id)
        assigned = list(group.pending.values())
        for var, ref in assigned:
            outputs.append(number(ref))
        scalar = [static_size(x) == 1 and group.shape != () for x in group.inputs]
        program = FusedProgram(n_in, scalar, [x.dtype for x in group.inputs], instructions,
                               outputs)
        fused = new_node(graph, _FusedElementwise, group.inputs,
                         {"program": program, "shape": group.shape, "jit": True})
        new_nodes = [fused]
        for value_id, out in zip(exported, fused.outputs):
            mapping[value_id] = out
        for (var, _), out in zip(assigned, fused.outputs[len(exported):]):
            assign = new_node(graph, AssignVariableOp, (var, out), {})
            new_nodes.append(assign)
        last = max(group.nodes, key=lambda n: position[id(n)])
        replacement[id(last)] = new_nodes
    graph.nodes = [new for node in graph.nodes if id(node) not in members or
                   id(node) in replacement for new in replacement.get(id(node), [node])]
    substitute(graph, mapping)
    total = sum(len(g.instructions) for g in groups)
    return [f"fused {total} elementwise ops into {len(groups)} kernels"]


__all__ = ["fuse_elementwise"]
