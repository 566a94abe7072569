"""The graph IR: a list of nodes in single-assignment form.

A Graph is built by running Python code while it is the current trace target:
every `apply` adds a Node whose outputs are SymbolicTensors with the shapes and
dtypes given by the op's shape rule. Values are assigned once. Inputs of a node
are SymbolicTensors of the same graph, or Variables for the ops that take a
variable itself (ReadVariableOp, Assign*). Eager tensors used while tracing are
captured as Const nodes; tensors of an enclosing graph are captured as
placeholders that remember their outer value.

The node list is in program order, which is also a valid execution order:
variable reads and writes therefore happen in the order they were written
(TF's automatic control dependencies).
"""
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.dispatch import record
from tapeflow.core.op import Op
from tapeflow.core.shape import shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, SymbolicTensor
from tapeflow.core.variable import ReadVariableOp

# -- ops that exist only in graphs ----------------------------------------------------


def _const_infer(value):
    from tapeflow.core.dtypes import from_numpy
    return TensorSpec(value.shape, from_numpy(value.dtype))


Const = Op("Const", infer=_const_infer, differentiable=False)
Const.kernel(lambda value: value)


def _placeholder_infer(spec):
    return spec


Placeholder = Op("Placeholder", infer=_placeholder_infer, differentiable=False)


class Node:
    """One op application: `outputs = op(*inputs, **attrs)`."""

    __slots__ = ("op", "inputs", "attrs", "outputs", "name", "graph")

    def __init__(self, graph, op, inputs, attrs, name):
        self.graph = graph
        self.op = op
        self.inputs = inputs
        self.attrs = attrs
        self.name = name
        self.outputs = ()

    @property
    def type(self):
        return self.op.name

    def get_attr(self, name):
        """The value of attribute `name` (TF's `Operation.get_attr`)."""
        return self.attrs[name]

    def __repr__(self):
        return f"<Node {self.name} = {self.op.name}>"


Operation = Node   # TF's name for a node of a graph (what `tensor.op` is)


class Graph:
    """A traced function body: placeholders, nodes in program order, outputs."""

    def __init__(self, name="graph", outer=None):
        self.name = name
        self.outer = outer            # the graph this one is nested in, if any
        self.nodes = []
        self.inputs = []              # Placeholder outputs, in argument order
        self.outputs = []             # flat list of output SymbolicTensors
        self.captures = {}            # id(outer value) -> (outer value, inner placeholder)
        self.variables = {}           # id(var) -> Variable read or written by the graph
        self._constants = {}          # id(eager tensor) -> (tensor, Const output)
        self._name_counts = {}
        self.assigned = set()         # id(var) of variables this graph writes
        self.lifted_reads = {}        # id(var) -> placeholder of a read lifted to `outer`
        self.lifted_variables = {}    # id(placeholder) -> var
        self.outer_tapes = ()         # tapes active in `outer` when this graph was traced

    # -- building -----------------------------------------------------------------
    def apply(self, op, inputs, attrs):
        """Adds `op(*inputs, **attrs)` as a node; returns its symbolic output(s)."""
        if op is ReadVariableOp and self.outer is not None and id(inputs[0]) not in self.assigned:
            return self._lifted_read(inputs[0])
        inputs = tuple(self._as_graph_input(op, x) for x in inputs)
        specs = [x if x._is_variable else _spec(x) for x in inputs]
        try:
            out_specs = op.infer(*specs, **attrs)
        except (ValueError, TypeError) as error:
            raise type(error)(f"{error} (while tracing op {op.name} with input shapes "
                              f"{', '.join(_describe(x) for x in inputs)})") from None
        node = self._add_node(op, inputs, attrs)
        if op.multi_output:
            node.outputs = tuple(SymbolicTensor(self, node, i, spec)
                                 for i, spec in enumerate(out_specs))
            result = node.outputs
        else:
            node.outputs = (SymbolicTensor(self, node, 0, out_specs),)
            result = node.outputs[0]
        if state.tapes:
            record(op, inputs, node.outputs, attrs)
        return result

    def _add_node(self, op, inputs, attrs):
        node = Node(self, op, inputs, attrs, self.unique_name(state.name_scope + op.name))
        self.nodes.append(node)
        return node

    def unique_name(self, base):
        count = self._name_counts.get(base, 0)
        self._name_counts[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    def _as_graph_input(self, op, x):
        if x._is_variable:
            self.variables.setdefault(id(x), x)
            if op.side_effect:
                self.assigned.add(id(x))
            if op is ReadVariableOp or op.side_effect:
                return x
            from tapeflow.core.dispatch import apply
            return apply(ReadVariableOp, x)
        if isinstance(x, SymbolicTensor):
            return x if x._graph is self else self.capture(x)
        if isinstance(x, EagerTensor):
            return self.constant(x)
        raise TypeError(f"{op.name}: cannot use {x!r} as an input while tracing.")

    def _lifted_read(self, var):
        """In a nested graph, a variable is read by the enclosing graph and captured.

        The read then is an input of the If/While node, so tapes connect the
        variable to the node. (A body that also assigns the variable reads it
        itself instead: see `localize_assigned_reads`.)
        """
        placeholder = self.lifted_reads.get(id(var))
        if placeholder is None:
            from tapeflow.core.dispatch import apply
            from tapeflow.core.context import graph_scope
            saved_tapes = state.tapes
            state.tapes = self.outer_tapes   # the tapes active where this body is used
            try:
                with graph_scope(self.outer):
                    outer_value = apply(ReadVariableOp, var)
            finally:
                state.tapes = saved_tapes
            placeholder = self.capture(outer_value)
            self.lifted_reads[id(var)] = placeholder
            self.lifted_variables[id(placeholder)] = var
        return placeholder

    def localize_assigned_reads(self):
        """Turns lifted reads of variables this graph also assigns into reads inside it."""
        for key, (outer, inner) in list(self.captures.items()):
            var = self.lifted_variables.get(id(inner))
            if var is None or id(var) not in self.assigned:
                continue
            del self.captures[key]
            node = inner._node
            node.op, node.inputs, node.attrs = ReadVariableOp, (var,), {}
            self.variables.setdefault(id(var), var)

    def constant(self, tensor):
        """The Const node output holding the eager `tensor` (one node per tensor)."""
        entry = self._constants.get(id(tensor))
        if entry is not None:
            return entry[1]
        node = self._add_node(Const, (), {"value": tensor._value})
        node.outputs = (SymbolicTensor(self, node, 0, _const_infer(tensor._value)),)
        self._constants[id(tensor)] = (tensor, node.outputs[0])
        return node.outputs[0]

    def capture(self, outer_tensor):
        """A placeholder standing for a tensor of an enclosing graph."""
        entry = self.captures.get(id(outer_tensor))
        if entry is not None:
            return entry[1]
        inner = self._new_placeholder(_spec(outer_tensor), "capture")
        self.captures[id(outer_tensor)] = (outer_tensor, inner)
        return inner

    def placeholder(self, spec, name="input"):
        """A new function argument of `spec`."""
        value = self._new_placeholder(spec, name)
        self.inputs.append(value)
        return value

    def _new_placeholder(self, spec, name):
        node = Node(self, Placeholder, (), {"spec": spec}, self.unique_name(name))
        node.outputs = (SymbolicTensor(self, node, 0, spec),)
        self.nodes.append(node)
        return node.outputs[0]

    # -- reading ------------------------------------------------------------------
    def get_operations(self):
        return list(self.nodes)

    def as_text(self, title=None):
        """A readable dump: one line per node with its output dtype and shape."""
        return GraphPrinter(self).text(title)

    def __repr__(self):
        return f"<Graph {self.name}: {len(self.nodes)} nodes>"


def _spec(x):
    return TensorSpec(x._static_dims(), x._dtype)


def _describe(x):
    if x._is_variable:
        return f"{x.name} {shape_str(x._static_dims())}"
    return shape_str(x._static_dims())


_SHORT_DTYPES = {"float16": "f16", "float32": "f32", "float64": "f64", "int8": "i8",
                 "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8",
                 "uint16": "u16", "uint32": "u32", "uint64": "u64", "bool": "bool",
                 "complex64": "c64", "complex128": "c128", "string": "str", "variant": "variant"}


def type_str(value):
    """`f32[32,784]` for a symbolic value."""
    dims = value._static_dims()
    inner = "?" if dims is None else ",".join("?" if d is None else str(d) for d in dims)
    return f"{_SHORT_DTYPES[value.dtype.name]}[{inner}]"


class GraphPrinter:
    """Prints a graph as numbered SSA lines: `%3 f32[32,128] = BiasAdd(%2, %1)`."""

    def __init__(self, graph):
        self.graph = graph
        self.names = {}

    def name_of(self, value):
        if value._is_variable:
            return "$" + value.name.rsplit(":", 1)[0]
        key = id(value)
        if key not in self.names:
            self.names[key] = f"%{len(self.names)}"
        return self.names[key]

    def text(self, title=None):
        args = ", ".join(f"{self.name_of(v)}: {type_str(v)}" for v in self.graph.inputs)
        lines = [f"function {title or self.graph.name}({args}) {{"]
        input_ids = {id(v) for v in self.graph.inputs}
        for node in self.graph.nodes:
            if node.op is Placeholder and id(node.outputs[0]) in input_ids:
                continue
            lines.append("  " + self.node_line(node))
        outputs = ", ".join(self.name_of(v) for v in self.graph.outputs)
        lines.append(f"  return {outputs}")
        lines.append("}")
        return "\n".join(lines)

    def node_line(self, node):
        outs = ", ".join(f"{self.name_of(v)} {type_str(v)}" for v in node.outputs)
        args = ", ".join(self.name_of(x) for x in node.inputs)
        attrs = " ".join(f"{k}={_attr_str(v)}" for k, v in node.attrs.items())
        lhs = f"{outs} = " if outs else ""
        return f"{lhs}{node.op.name}({args}){' ' + attrs if attrs else ''}"


def _attr_str(value):
    if isinstance(value, xp.ndarray):
        if value.size <= 4:
            return repr(value.tolist())
        return f"<{value.dtype}{list(value.shape)}>"
    if isinstance(value, TensorSpec):
        return type_str_spec(value)
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def type_str_spec(spec):
    inner = "?" if spec.dims is None else ",".join("?" if d is None else str(d)
                                                    for d in spec.dims)
    return f"{_SHORT_DTYPES[spec.dtype.name]}[{inner}]"
