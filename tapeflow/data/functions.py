"""User functions applied to dataset elements (`map`, `filter`, `flat_map`, ...).

`StructuredFunction` is the one place where tf.data calls user code.

1. At construction, like TensorFlow, the function is *traced* once (with
   AutoGraph, so Python `if`/`for` on tensors become graph control flow) on
   symbolic inputs of the input element spec. The trace gives the output
   element spec - TF's exact shapes, unknown dimensions included - and raises
   TF's graph-mode errors when the dataset is built. Python side effects of the
   function happen then, once, as in TF.
2. Per element, the traced graph runs as compiled straight-line code on the
   element's arrays (tapeflow's `function` compiler): no Tensor objects, no
   dispatch, outside any GradientTape.

Two kinds of functions run eagerly per element instead, on Tensors: those that
return datasets (`flat_map`, `interleave`), and those that cannot be traced
because they need tensor values (`.numpy()`, Python code that AutoGraph does
not convert). For the latter the output spec comes from one eager call on the
first input element, with dimensions left unknown.

Errors raised by the function reach the consumer with their own type and
traceback, plus a note naming the transformation.
"""
from tapeflow.core import nest
from tapeflow.core.array_api import ndarray, xp
from tapeflow.core.context import graph_scope, init_scope, state
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, OperatorNotAllowedInGraphError, SymbolicTensor
from tapeflow.data import structure
from tapeflow.data.structure import DatasetSpec


class StructuredFunction:
    """`func` applied to elements of `input_spec`; knows its `output_spec`.

    Args:
      func: the user's function. A tuple element is passed as positional
        arguments (`lambda x, y: ...`), anything else as one argument.
      input_spec: the element spec of the inputs.
      transformation: the name shown in errors, e.g. "Dataset.map()".
      input_dataset: the dataset whose first element is used when the
        function cannot be traced (see the module docstring).
    """

    def __init__(self, func, input_spec, transformation, input_dataset=None):
        if not callable(func):
            raise TypeError(f"`{transformation}` expects a callable, got {func!r}.")
        self.func = func
        self.input_spec = input_spec
        self.transformation = transformation
        self.graph = None
        self.empty_input = False
        self._program = None        # the compiled trace, when it can run the function
        self._template = None       # per output component: graph output index or a constant
        self._unpack = type(input_spec) is tuple
        self._pack_input = structure.make_packer(input_spec)
        self.output_spec = self._trace()
        if self.output_spec is None:
            self.output_spec = self._spec_from_first_element(input_dataset)
        self._output_specs = nest.flatten(self.output_spec)
        self._single_tensor = isinstance(self.output_spec, TensorSpec)
        flat_tuple = type(self.output_spec) is tuple and all(
            type(spec) is TensorSpec for spec in self.output_spec)
        self._flat_tuple_size = len(self.output_spec) if flat_tuple else -1

    # -- tracing ------------------------------------------------------------------------
    def _trace(self):
        """Traces the function; returns its output spec, or None if it needs values."""
        from tapeflow.graph.autograph import convert
        from tapeflow.graph.ir import Graph
        graph = Graph(name=getattr(self.func, "__name__", "dataset_fn"))
        with init_scope(), graph_scope(graph):   # never recorded on the caller's tapes
            leaves = [_symbolic_input(graph, spec) for spec in nest.flatten(self.input_spec)]
            args = nest.pack_sequence_as(self.input_spec, leaves)
            try:
                outputs = self._call_user(convert(self.func), args)
            except _NEEDS_VALUES as error:
                if not _is_value_dependence(error):
                    raise
                return None
            normalized = _normalize_output(outputs, self.transformation)
        self.graph = graph
        self._compile(graph, nest.flatten(normalized))
        return structure.structure_spec(normalized)

    def _compile(self, graph, leaves):
        """Prepares the compiled program, unless the outputs need an eager call."""
        template = []
        for leaf in leaves:
            if isinstance(leaf, SymbolicTensor) and leaf._graph is graph:
                template.append(len(graph.outputs))
                graph.outputs.append(leaf)
            elif isinstance(leaf, EagerTensor):
                template.append(_Constant(leaf._value))
            else:   # a dataset, or a tensor of another graph: run eagerly
                return
        if graph.captures:
            return
        from tapeflow.graph.compile import compile_graph
        self._program = compile_graph(graph, graph.name)
        in_order = template == list(range(len(template)))
        self._template = None if in_order else template

    def _spec_from_first_element(self, dataset):
        """The output spec seen on the first input element, with every dimension unknown.

        One element cannot tell which dimensions vary, and an unknown dimension is
        always compatible, so only dtypes and ranks are kept. For an empty input
        the spec does not matter (nothing is ever produced): `empty_input` is set.
        """
        if dataset is None:
            raise TypeError(f"The function passed to {self.transformation} could not be "
                            "traced: it needs tensor values while tracing.")
        for components in dataset._iterate():
            outputs = _normalize_output(self._run_eagerly(components), self.transformation)
            return nest.map_structure(_relaxed, structure.structure_spec(outputs))
        self.empty_input = True
        return TensorSpec(None, "float32")

    # -- calling ------------------------------------------------------------------------
    def _call_user(self, func, args):
        return func(*args) if self._unpack else func(args)

    def _run_eagerly(self, components):
        args = self._pack_input(components)
        if state.graph is None and not state.tapes:
            return self._call_user(self.func, args)
        with init_scope():   # dataset functions are never traced into, nor taped by, the caller
            return self._call_user(self.func, args)

    def __call__(self, components):
        """The function's output for one element, as flat components."""
        if self._program is not None:
            return self._run_compiled(components)
        try:
            outputs = self._run_eagerly(components)
        except StopIteration as error:   # would end the pipeline silently (as PEP 479 says)
            raise RuntimeError(f"The function passed to {self.transformation} raised "
                               "StopIteration.") from error
        except Exception as error:
            annotate(error, self.transformation)
            raise
        result = self._fast_components(outputs)
        if result is None:
            result = structure.components_of(_normalize_output(outputs, self.transformation))
        self._check(result)
        return result

    def _run_compiled(self, components):
        program = self._program
        arrays = [c if type(c) is ndarray else xp.asarray(c) for c in components]
        try:
            outputs = program.code.fn(*arrays)
        except Exception as error:   # the failing node's op error, as a traced call gives
            mapped = program._error(error)
            annotate(mapped, self.transformation)
            if mapped is error:
                raise
            raise mapped from None
        if self._template is None:
            return outputs
        return tuple(outputs[t] if type(t) is int else t.value for t in self._template)

    def _fast_components(self, outputs):
        """The components of the common outputs (a tensor, a flat tuple of tensors), else None."""
        kind = type(outputs)
        if kind is EagerTensor:
            return (outputs._value,) if self._single_tensor else None
        if kind is not tuple or len(outputs) != self._flat_tuple_size:
            return None
        values = [x._value for x in outputs if type(x) is EagerTensor]
        return tuple(values) if len(values) == len(outputs) else None

    def _check(self, result):
        specs = self._output_specs
        if len(result) != len(specs):
            raise InvalidArgumentError(
                None, None, f"The function passed to {self.transformation} returned "
                f"{len(result)} components, but its traced output has {len(specs)}.")
        for value, spec in zip(result, specs):
            if type(spec) is TensorSpec and spec.dtype._np != value.dtype:
                raise InvalidArgumentError(
                    None, None, f"The function passed to {self.transformation} returned a "
                    f"{value.dtype} value where its traced output is {spec.dtype.name}.")


class _Constant:
    """An output of the function that does not depend on its inputs."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _relaxed(spec):
    if isinstance(spec, TensorSpec) and spec.dims is not None:
        return TensorSpec((None,) * len(spec.dims), spec.dtype)
    return spec


def _symbolic_input(graph, spec):
    if isinstance(spec, DatasetSpec):
        from tapeflow.data.dataset import SymbolicDataset
        return SymbolicDataset(spec.element_spec)
    return graph.placeholder(TensorSpec(spec.dims, spec.dtype), "args")


def _normalize_output(outputs, transformation):
    if outputs is None:   # TF: a function with no outputs cannot make a dataset
        raise InvalidArgumentError(None, None, "Length for attr 'output_types' of 0 must be "
                                   "at least minimum 1")
    if isinstance(outputs, list):   # tf.data treats a returned list as a tuple
        outputs = tuple(outputs)
    return structure.normalize(outputs, f"output of the function passed to {transformation}")


_NEEDS_VALUES = (TypeError, NotImplementedError)


def _is_value_dependence(error):
    """True for errors raised because tracing cannot see tensor values."""
    if isinstance(error, (OperatorNotAllowedInGraphError, NotImplementedError)):
        return True
    return "symbolic" in str(error)


def annotate(error, transformation):
    """Adds a note naming `transformation` to `error` (once); returns the error."""
    notes = getattr(error, "__notes__", ())
    note = f"(raised in the function passed to {transformation})"
    if note not in notes and hasattr(error, "add_note"):
        error.add_note(note)
    return error
