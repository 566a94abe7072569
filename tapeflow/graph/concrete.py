"""ConcreteFunction: one traced graph, optimized once and run as generated Python.

Three ways to run, chosen per call:
- compiled: the optimized graph as straight-line Python over kernels on raw
  arrays (graph/codegen.py) - the normal, fast path;
- interpreted: node by node through eager `apply`, when a GradientTape is
  active, so the tape records the call and it is differentiable;
- inlined: inside another trace, the graph's nodes are re-applied into the
  outer graph, so the outer function sees (and optimizes) them.
"""
import time

from tapeflow.core import nest
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import EagerTensor, SymbolicTensor, Tensor, wrap
from tapeflow.core.variable import Variable
from tapeflow.graph.interpret import interpret

_OUTPUT, _CONSTANT = 0, 1


class ConcreteFunction:
    """A traced function for one input signature (TF's `ConcreteFunction`)."""

    def __init__(self, graph, structured_outputs, input_specs, name, arg_structure=None):
        self.graph = graph
        self.structured_outputs = structured_outputs
        self.structured_input_signature = input_specs
        self._name = name
        self._arg_structure = arg_structure
        self._template = []                 # per output leaf: (_OUTPUT, i) or (_CONSTANT, value)
        flat = nest.flatten(structured_outputs)
        for leaf in flat:
            if isinstance(leaf, SymbolicTensor):
                if leaf._graph is not graph:
                    raise TypeError(f"{name} returned a tensor of another graph: {leaf!r}")
                self._template.append((_OUTPUT, len(graph.outputs)))
                graph.outputs.append(leaf)
            else:
                self._template.append((_CONSTANT, leaf))
        self._program = None                # built on first compiled call
        self.compile_seconds = None         # optimization passes + code generation
        self.trace_seconds = None           # running the Python function symbolically
        self.jit_compile = None             # False: no JIT-compiled fused kernels

    # -- introspection ------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def inputs(self):
        return list(self.graph.inputs)

    @property
    def outputs(self):
        return list(self.graph.outputs)

    @property
    def variables(self):
        return tuple(self.graph.variables.values())

    @property
    def trainable_variables(self):
        return tuple(v for v in self.graph.variables.values() if v.trainable)

    def optimized_graph(self):
        return self._compiled().graph

    def optimization_report(self):
        """The graph before and after optimization, with what each pass changed."""
        return self._compiled().report

    def source(self):
        """The generated straight-line Python that runs this function."""
        return self._compiled().source

    def pretty_printed_signature(self):
        return self.graph.as_text()

    def __repr__(self):
        specs = ", ".join(repr(s) for s in self.structured_input_signature)
        return f"<ConcreteFunction {self._name}({specs})>"

    # -- calling ------------------------------------------------------------------
    def __call__(self, *args):
        flat = [a if isinstance(a, Tensor) else convert_to_tensor(a) for a in nest.flatten(args)]
        if len(flat) != len(self.graph.inputs):
            raise TypeError(f"{self._name}: expected {len(self.graph.inputs)} tensor arguments, "
                            f"got {len(flat)}.")
        for value, spec in zip(flat, self.structured_input_signature):
            if value.dtype is not spec.dtype or not spec.shape.is_compatible_with(value.shape):
                raise TypeError(f"{self._name}: argument {value!r} is incompatible with the "
                                f"traced signature {spec!r}.")
        return self._call_flat(flat)

    def _accepts(self, args, kwargs):
        from tapeflow.graph.function import _flat_tensor_args
        flat = _flat_tensor_args(args, kwargs)
        if len(flat) != len(self.structured_input_signature):
            return False
        return all(v.dtype is s.dtype and s.shape.is_compatible_with(v.shape)
                   for v, s in zip(flat, self.structured_input_signature))

    def _call_flat(self, flat_inputs):
        if state.graph is not None:
            results = interpret(self.graph, flat_inputs)     # inline into the outer trace
        elif state.tapes:
            results = interpret(self.graph, flat_inputs)     # recorded on the active tapes
        else:
            results = self._compiled().run(flat_inputs)
        return self._pack(results)

    def _pack(self, results):
        leaves = [results[payload] if kind == _OUTPUT else payload
                  for kind, payload in self._template]
        return nest.pack_sequence_as(self.structured_outputs, leaves)

    def _compiled(self):
        if self._program is None:
            from tapeflow.graph.compile import compile_graph
            start = time.perf_counter()
            self._program = compile_graph(self.graph, self._name, self.jit_compile)
            self.compile_seconds = time.perf_counter() - start
        return self._program
