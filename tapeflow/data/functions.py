"""User functions applied to dataset elements (`map`, `filter`, `flat_map`, ...).

`StructuredFunction` is the one place where tf.data calls user code, so the
way it runs can change in one spot:

1. At construction, like TensorFlow, the function is *traced* once on symbolic
   inputs of the input element spec. The trace gives the output element spec
   (with TF's exact shapes, unknown dimensions included) and raises TF's
   graph-mode errors (TypeError, ValueError) when the dataset is built.
   A function that needs values while tracing (a Python `if` on a tensor,
   `.numpy()`) cannot be traced without AutoGraph; its output spec is then
   taken from one eager call on the first input element.
2. Per element, the function is called *eagerly* on Tensors (outside any
   GradientTape or trace). When the `function` compiler can run a traced graph
   fast, `__call__` is the place to run `self.graph` instead.

Errors raised by the function reach the consumer with their own type and
traceback, plus a note naming the transformation.
"""
from tapeflow.core import nest
from tapeflow.core.context import graph_scope, init_scope, state
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, OperatorNotAllowedInGraphError
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
        from tapeflow.graph.ir import Graph
        graph = Graph(name=getattr(self.func, "__name__", "dataset_fn"))
        with graph_scope(graph):
            leaves = [_symbolic_input(graph, spec) for spec in nest.flatten(self.input_spec)]
            args = nest.pack_sequence_as(self.input_spec, leaves)
            try:
                outputs = self._call_user(args)
            except _NEEDS_VALUES as error:
                if not _is_value_dependence(error):
                    raise
                return None
            normalized = _normalize_output(outputs, self.transformation)
        graph.outputs = [leaf for leaf in nest.flatten(normalized)
                         if not structure._is_dataset(leaf)]
        self.graph = graph
        return structure.structure_spec(normalized)

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
            outputs = _normalize_output(self._run(components), self.transformation)
            return nest.map_structure(_relaxed, structure.structure_spec(outputs))
        self.empty_input = True
        return TensorSpec(None, "float32")

    # -- calling ------------------------------------------------------------------------
    def _call_user(self, args):
        return self.func(*args) if self._unpack else self.func(args)

    def _run(self, components):
        args = self._pack_input(components)
        if state.graph is None and not state.tapes:
            return self._call_user(args)
        with init_scope():   # dataset functions are never traced into, nor taped by, the caller
            return self._call_user(args)

    def __call__(self, components):
        """The function's output for one element, as flat components."""
        try:
            outputs = self._run(components)
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
