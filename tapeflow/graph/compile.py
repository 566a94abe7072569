"""From a traced graph to a runnable program: the optimization pipeline, then codegen."""
from tapeflow.core.dispatch import kernel_error
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import SymbolicTensor, wrap
from tapeflow.graph import codegen
from tapeflow.graph.passes import clone_graph
from tapeflow.graph.passes.cse import eliminate_common_subexpressions
from tapeflow.graph.passes.dce import eliminate_dead_code
from tapeflow.graph.passes.fold import fold_constants
from tapeflow.graph.passes.fuse_conv import fuse_conv_blocks
from tapeflow.graph.passes.fuse_elementwise import fuse_elementwise
from tapeflow.graph.passes.schedule import schedule_for_memory
from tapeflow.graph.passes.simplify import simplify

# The order matters: dead code first (less to look at), then folding and rewrites
# expose duplicates for CSE, fusion sees the simplified graph, and a final DCE
# removes what the others replaced.
PIPELINE = (eliminate_dead_code, fold_constants, simplify, eliminate_common_subexpressions,
            simplify, fuse_conv_blocks, fuse_elementwise, eliminate_dead_code,
            schedule_for_memory)
# Passes whose kernels are JIT-compiled (_util/jit.py): skipped without Numba, with
# TAPEFLOW_JIT=0, or for a function declared with jit_compile=False. (The fused ops'
# NumPy kernels are references, slower than the unfused ops: the seed's conv block
# took 40 ms fused in NumPy against 11.6 ms unfused, at batch 128.)
JIT_PASSES = frozenset({fuse_conv_blocks, fuse_elementwise})


class Program:
    """An optimized graph and its generated code."""

    def __init__(self, graph, code, report):
        self.graph = graph
        self.code = code
        self.report = report
        self.source = code.source
        self._run = code.fn

    def run(self, flat_inputs):
        try:
            outputs = self._run(*[t._value for t in flat_inputs])
        except Exception as error:  # map the failing line back to its op
            raise self._error(error) from None
        return [wrap(o) for o in outputs]

    def _error(self, error):
        node, frame_locals = codegen.node_for_traceback(self.code, error.__traceback__)
        if node is None:
            return error
        inputs = []
        for x in node.inputs:
            inputs.append(x if x._is_variable else _ShapeOnly(x))
        return kernel_error(node.op, inputs, error)


class _ShapeOnly:
    """Carries a node input's shape and dtype into an error message."""

    _is_variable = False

    def __init__(self, value):
        self.dtype = value.dtype
        self._dims = value._static_dims()

    def _static_dims(self):
        return self._dims


def compile_graph(graph, name, jit_compile=None):
    """Optimizes a copy of `graph` and generates its code; returns a Program."""
    from tapeflow._util import jit
    use_jit = jit_compile is not False and jit.enabled()
    optimized = clone_graph(graph)
    report = [f"== traced graph ({len(graph.nodes)} nodes) ==", graph.as_text(name)]
    for pass_fn in PIPELINE:
        if pass_fn in JIT_PASSES and not use_jit:
            report.append(f"-- {pass_fn.__name__}: skipped (no JIT: "
                          f"{'jit_compile=False' if jit_compile is False else 'Numba absent or TAPEFLOW_JIT=0'})")
            continue
        before = len(optimized.nodes)
        changes = pass_fn(optimized)
        summary = "; ".join(changes) if changes else "no change"
        report.append(f"-- {pass_fn.__name__}: {summary} ({before} -> {len(optimized.nodes)} "
                      "nodes)")
    report.append(f"== optimized graph ({len(optimized.nodes)} nodes) ==")
    report.append(optimized.as_text(name))
    code = codegen.generate(optimized, name)
    return Program(optimized, code, "\n".join(report))
