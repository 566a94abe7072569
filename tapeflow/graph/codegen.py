"""Code generation: an optimized graph becomes one straight-line Python function.

The generated function takes and returns raw arrays and calls each op's kernel
directly: no Tensor objects, no dispatch, no tape checks per op. Variables are
read into locals at their first read; writes update the local, and all written
variables are stored back only at the end, so a kernel error in the middle of
a train step leaves every variable unchanged (nothing is half-updated).

Each node is one line of the source, so a line number in a traceback maps back
to the node that failed.
"""
import itertools
import linecache
import math

from tapeflow.core.dtypes import DType
from tapeflow.graph.ir import Const, Placeholder

_counter = itertools.count()

# Assignment ops: how the new value of the variable is computed from (current, value).
_ASSIGN_EXPR = {
    "AssignVariableOp": "{value}",
    "AssignAddVariableOp": "_add({current}, {value})",
    "AssignSubVariableOp": "_sub({current}, {value})",
}


class GeneratedCode:
    """The source, the compiled function and the line -> node map."""

    def __init__(self, source, fn, line_nodes, filename):
        self.source = source
        self.fn = fn
        self.line_nodes = line_nodes
        self.filename = filename


def generate(graph, name):
    """Generates `run(*input_arrays) -> tuple of output arrays` for `graph`."""
    gen = _Generator(graph)
    return gen.build(name)


class _Generator:
    def __init__(self, graph):
        self.graph = graph
        self.namespace = {}
        self.names = {}           # id(value) -> local name
        self.var_local = {}       # id(var) -> local name holding its current value
        self.var_global = {}      # id(var) -> global name of the Variable object
        self.written = {}         # id(var) -> var, for variables assigned by the graph
        self.lines = []
        self.line_nodes = {}
        self._locals = itertools.count()

    def build(self, name):
        import numpy
        from tapeflow.graph.memory import plan_inplace
        from tapeflow.ops import _parallel
        self.parallel = _parallel
        self.namespace.update(_add=numpy.add, _sub=numpy.subtract, _empty=numpy.empty,
                              _elementwise=_parallel.elementwise, _submit=_parallel.submit,
                              # so NumPy warnings raised here meet tapeflow's warning filter
                              __name__="tapeflow.graph.generated")
        from tapeflow.graph.overlap import plan_overlap
        overlap = plan_overlap(self.graph)
        self.inplace = plan_inplace(self.graph, {k: wait for k, (_, wait) in overlap.items()})
        args = [self._name(v, "a") for v in self.graph.inputs]
        nodes = self.graph.nodes
        starts, waits = {}, {}
        for node in nodes:
            if id(node) in overlap:
                start, wait = overlap[id(node)]
                starts.setdefault(start, []).append(node)
                waits.setdefault(wait, []).append(node)
        self.futures = {}
        for node in nodes:          # constants first: a kernel started early may read them
            if node.op is Const:
                self._node_line(node)
        for node in starts.get(-1, []):
            self._emit(node, self._start_line(node))
        for index, node in enumerate(nodes):
            for started in waits.get(index, []):
                self._emit(started, self._wait_line(started))
            if id(node) not in overlap and node.op is not Const:
                self._emit(node, self._node_line(node))
            for started in starts.get(index, []):
                self._emit(started, self._start_line(started))
        for started in waits.get(len(nodes), []):
            self._emit(started, self._wait_line(started))
        for var_id, var in self.written.items():
            self.lines.append(f"{self.var_global[var_id]}._value = {self.var_local[var_id]}")
        outputs = [self._value_expr(v) for v in self.graph.outputs]
        self.lines.append(f"return ({', '.join(outputs)}{',' if len(outputs) == 1 else ''})")
        filename = f"<tapeflow function {name} #{next(_counter)}>"
        source = f"def run({', '.join(args)}):\n" + "\n".join("    " + l for l in self.lines) + "\n"
        code = compile(source, filename, "exec")
        exec(code, self.namespace)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        return GeneratedCode(source, self.namespace["run"], self.line_nodes, filename)

    def _emit(self, node, line):
        if line is not None:
            self.line_nodes[2 + len(self.lines)] = node     # line 1 is the `def`
            self.lines.append(line)

    def _start_line(self, node):
        """`F = _submit(kernel, *args)`: the node's kernel starts on a worker thread."""
        self._node_line(node)
        reads, target, kernel, operands = self._last_call
        future = f"F{next(self._locals)}"
        self.futures[id(node)] = (future, target)
        return "; ".join(reads + [f"{future} = _submit({', '.join([kernel] + operands)})"])

    def _wait_line(self, node):
        future, target = self.futures[id(node)]
        return f"{target} = {future}.result()"

    # -- names ----------------------------------------------------------------------
    def _name(self, value, prefix="t"):
        name = f"{prefix}{next(self._locals)}"
        self.names[id(value)] = name
        return name

    def _global(self, obj, prefix):
        name = f"{prefix}{len(self.namespace)}"
        self.namespace[name] = obj
        return name

    def _value_expr(self, value):
        if value._is_variable:
            return self._read_variable(value)
        return self.names[id(value)]

    def _read_variable(self, var):
        local = self.var_local.get(id(var))
        if local is None:
            glob = self._variable_global(var)
            local = self.var_local[id(var)] = f"v{next(self._locals)}"
            self._pending_reads.append(f"{local} = {glob}._value")
        return local

    def _variable_global(self, var):
        glob = self.var_global.get(id(var))
        if glob is None:
            glob = self.var_global[id(var)] = self._global(var, "V")
        return glob

    # -- one node -----------------------------------------------------------------------
    def _node_line(self, node):
        op = node.op
        if op is Placeholder:
            return None
        if op is Const:
            self.names[id(node.outputs[0])] = self._global(node.attrs["value"], "C")
            return None
        self._pending_reads = []
        if op.name == "ReadVariableOp":
            (var,) = node.inputs
            self.names[id(node.outputs[0])] = self._read_variable(var)
            line = "; ".join(self._pending_reads)
            return line or None
        if op.name in _ASSIGN_EXPR:
            return self._assign_line(node)
        args = [self._value_expr(x) for x in node.inputs]
        kernel = self._kernel_name(op)
        attrs = [f"{k}={self._attr_expr(v)}" for k, v in node.attrs.items()]
        target_input = self.inplace.get(id(node))
        if target_input is not None:   # write into a dead input buffer (graph/memory.py)
            attrs.append(f"out={args[target_input]}")
        call = f"{kernel}({', '.join(args + attrs)})"
        self._last_call = None
        split = self._split_call(node, kernel, args, target_input)
        if split is not None:
            call = split
        outs = [self._name(v) for v in node.outputs]
        if op.multi_output:
            target = (", ".join(outs) + ("," if len(outs) == 1 else "")) if outs else "_"
        else:
            target = outs[0]
        if split is None:
            self._last_call = (self._pending_reads, target, kernel, args + attrs)
        return "; ".join(self._pending_reads + [f"{target} = {call}"])

    def _split_call(self, node, kernel, args, target_input):
        """A large elementwise ufunc node, split across cores (ops/_parallel.py), or None."""
        import numpy
        if not isinstance(node.op.forward, numpy.ufunc) or node.attrs or len(node.outputs) != 1:
            return None
        out = node.outputs[0]
        dims = out._static_dims()
        if not dims or None in dims:
            return None
        size = 1
        for d in dims:
            size *= d
        if not self.parallel.worth_splitting(size, dims[0]):
            return None
        for x in node.inputs:
            x_dims = x._static_dims()
            if x_dims is None or (len(x_dims) == len(dims) and x_dims[0] not in (1, dims[0])):
                return None
        if target_input is not None:
            out_expr = args[target_input]
        else:
            out_expr = f"_empty({tuple(dims)!r}, {self._global(out.dtype._np, 'D')})"
        return f"_elementwise({kernel}, {', '.join(args)}, out={out_expr})"

    def _assign_line(self, node):
        var, value = node.inputs
        current = self._read_variable(var) if node.op.name != "AssignVariableOp" else None
        value_expr = self._value_expr(value)
        local = f"v{next(self._locals)}"
        expr = _ASSIGN_EXPR[node.op.name].format(current=current, value=value_expr)
        self._variable_global(var)
        self.var_local[id(var)] = local
        self.written[id(var)] = var
        return "; ".join(self._pending_reads + [f"{local} = {expr}"])

    def _kernel_name(self, op):
        key = ("kernel", op.name)
        name = self.namespace.get(key)
        if name is None:
            name = f"K_{op.name}"
            self.namespace[name] = op.forward
            self.namespace[key] = name
        return name

    def _attr_expr(self, value):
        if _is_literal(value):
            return repr(value)
        return self._global(value, "A")


def _is_literal(value):
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, tuple):
        return all(_is_literal(v) for v in value)
    if isinstance(value, slice):
        return False
    return False


def node_for_traceback(code, traceback):
    """The node whose line raised, found from the generated frame in `traceback`."""
    tb = traceback
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == code.filename:
            return code.line_nodes.get(tb.tb_lineno), tb.tb_frame.f_locals
        tb = tb.tb_next
    return None, None


__all__ = ["generate", "GeneratedCode", "node_for_traceback", "DType"]
