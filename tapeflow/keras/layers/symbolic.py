"""KerasTensor and Node: the symbolic values and calls that functional models are made of.

`tf.keras.Input(...)` returns a KerasTensor: a shape and a dtype, plus the
history of the layer call that produced it. Calling a layer on KerasTensors
runs no kernel: the layer's `call` is traced into a scratch graph of the graph
IR (`tapeflow.graph.ir`), whose op shape rules give the output shapes, and the
call is recorded as a Node (layer, arguments, outputs). A functional model is
the graph of those Nodes, replayed on real tensors.

KerasTensors also support Python operators (`x + 1`, `x[:, 0]`): each becomes a
small `Operation` node, as in Keras 3.
"""
import collections
import contextlib

from tapeflow.core import dtypes as _dtypes
from tapeflow.core import nest
from tapeflow.core.context import state
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import SymbolicTensor
from tapeflow.graph.ir import Graph
from tapeflow.keras import backend

KerasHistory = collections.namedtuple("KerasHistory",
                                      ["operation", "node_index", "tensor_index"])


class KerasTensor:
    """A symbolic tensor of a functional model: shape, dtype and producing layer call.

    >>> x = KerasTensor((None, 4))
    >>> x.shape, x.dtype.name
    ((None, 4), 'float32')
    """

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, name=None):
        self._shape = tuple(None if d is None else int(d) for d in shape)
        self._dtype = _dtypes.as_dtype(backend.standardize_dtype(dtype))
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.name = name or backend.unique_object_name("keras_tensor")
        self._keras_history = None
        self._keras_mask_slot = None

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def _keras_mask(self):
        return self._keras_mask_slot

    def _spec(self):
        return TensorSpec(self._shape, self._dtype)

    def __repr__(self):
        return (f"<KerasTensor shape={self._shape}, dtype={self._dtype.name}, "
                f"sparse={self.sparse}, ragged={self.ragged}, name={self.name}>")

    def __tf_tensor__(self, dtype=None, name=None):
        raise ValueError(
            "A KerasTensor cannot be used as input to a TensorFlow function. A KerasTensor "
            "is a symbolic placeholder for a shape and dtype, used when constructing Keras "
            "Functional models or Keras Functions. You can only use it as input to a Keras "
            "layer or a Keras operation (from the namespaces `keras.layers` and "
            "`keras.ops`). You are likely doing something like:\n\n```\nx = Input(...)\n...\n"
            "tf_fn(x)  # Invalid.\n```\n\nWhat you should do instead is wrap `tf_fn` in a "
            "layer:\n\n```\nclass MyLayer(Layer):\n    def call(self, x):\n        return "
            "tf_fn(x)\n\nx = MyLayer()(x)\n```\n")

    def __array__(self, dtype=None, copy=None):
        raise ValueError(f"Cannot convert the symbolic {self!r} to a NumPy array.")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __iter__(self):
        raise NotImplementedError("Iterating over a symbolic KerasTensor is not supported.")

    def __hash__(self):
        return id(self)

    # -- operators: each one is a small Operation node -----------------------------------
    def __add__(self, other):
        return _apply_operator("add", lambda x, y: x + y, self, other)

    def __radd__(self, other):
        return _apply_operator("add", lambda x, y: x + y, other, self)

    def __sub__(self, other):
        return _apply_operator("subtract", lambda x, y: x - y, self, other)

    def __rsub__(self, other):
        return _apply_operator("subtract", lambda x, y: x - y, other, self)

    def __mul__(self, other):
        return _apply_operator("multiply", lambda x, y: x * y, self, other)

    def __rmul__(self, other):
        return _apply_operator("multiply", lambda x, y: x * y, other, self)

    def __truediv__(self, other):
        return _apply_operator("true_divide", lambda x, y: x / y, self, other)

    def __rtruediv__(self, other):
        return _apply_operator("true_divide", lambda x, y: x / y, other, self)

    def __pow__(self, other):
        return _apply_operator("power", lambda x, y: x ** y, self, other)

    def __matmul__(self, other):
        return _apply_operator("matmul", lambda x, y: x @ y, self, other)

    def __neg__(self):
        return _apply_operator("negative", lambda x: -x, self)

    def __abs__(self):
        return _apply_operator("absolute", abs, self)

    def __getitem__(self, key):
        return _apply_operator("get_item", lambda x: x[key], self)


# -- tracing a call into a scratch graph ----------------------------------------------------

@contextlib.contextmanager
def scratch_graph(name):
    """A fresh graph as the trace target, with no tapes recording: shapes only."""
    graph = Graph(name)
    saved_graph, saved_tapes, saved_scope = state.graph, state.tapes, state.name_scope
    state.graph, state.tapes, state.name_scope = graph, (), ""
    try:
        yield graph
    finally:
        state.graph, state.tapes, state.name_scope = saved_graph, saved_tapes, saved_scope


def any_keras_tensors(args, kwargs=None):
    for x in nest.flatten((args, kwargs or {})):
        if isinstance(x, KerasTensor):
            return True
    return False


def to_placeholders(graph, structure):
    """Replaces each KerasTensor in `structure` with a placeholder of its spec."""
    def convert(x):
        if isinstance(x, KerasTensor):
            value = graph.placeholder(x._spec(), name=x.name)
            if x._keras_mask_slot is not None:
                mask = graph.placeholder(x._keras_mask_slot._spec(), name=x.name + "_mask")
                backend.set_keras_mask(value, mask)
            return value
        return x
    return nest.map_structure(convert, structure)


def to_keras_tensors(structure):
    """Replaces each traced tensor in `structure` with a KerasTensor of its shape."""
    def convert(x):
        if isinstance(x, SymbolicTensor):
            dims = x._static_dims()
            if dims is None:
                raise ValueError(f"Could not infer the rank of the output {x}.")
            tensor = KerasTensor(dims, x.dtype)
            mask = backend.get_keras_mask(x)
            if isinstance(mask, SymbolicTensor):
                tensor._keras_mask_slot = KerasTensor(mask._static_dims(), mask.dtype)
            return tensor
        return x
    return nest.map_structure(convert, structure)


# -- nodes ----------------------------------------------------------------------------------

class Node:
    """One call of an operation (a layer) on KerasTensors, in a functional graph.

    `call_args`/`call_kwargs` are kept as given (KerasTensors and constants), so
    the call can be replayed with real tensors in their place.
    """

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = [x for x in nest.flatten((self.call_args, self.call_kwargs))
                              if isinstance(x, KerasTensor)]
        self.output_tensors = [x for x in nest.flatten(outputs) if isinstance(x, KerasTensor)]
        self.is_input = not self.input_tensors and not self.call_args
        node_index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for x in self.input_tensors:
            if x._keras_history is not None:
                x._keras_history.operation._outbound_nodes.append(self)
        for i, x in enumerate(self.output_tensors):
            x._keras_history = KerasHistory(operation, node_index, i)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        parents = []
        for x in self.input_tensors:
            history = x._keras_history
            if history is not None:
                parents.append(history.operation._inbound_nodes[history.node_index])
        return parents

    def __repr__(self):
        return f"<Node operation={self.operation.name}, id={id(self)}>"


# -- operations on KerasTensors ---------------------------------------------------------------

class Operation:
    """A function of KerasTensors that is not a layer (`x + 1`): it has no weights.

    Calling it on KerasTensors traces `fn` for the output shape and records a
    Node; calling it on tensors just runs `fn`.
    """

    def __init__(self, fn, name=None, class_name="Operation"):
        self.fn = fn
        self.name = name or backend.unique_object_name(class_name_to_name(class_name))
        self.class_name = class_name
        self._inbound_nodes = []
        self._outbound_nodes = []
        self.built = True

    def __call__(self, *args):
        if not any_keras_tensors(args):
            return self.fn(*args)
        with scratch_graph(self.name) as graph:
            outputs = self.fn(*to_placeholders(graph, args))
        outputs = to_keras_tensors(outputs)
        Node(self, args, {}, outputs)
        return outputs

    def count_params(self):
        return 0

    @property
    def weights(self):
        return []

    def __repr__(self):
        return f"<Operation name={self.name}>"


def class_name_to_name(class_name):
    return backend.to_snake_case(class_name)


_OPERATOR_CLASSES = {}


def _operation_class(op_name):
    """A named Operation subclass per operator, so summaries show `add (Add)`."""
    cls = _OPERATOR_CLASSES.get(op_name)
    if cls is None:
        class_name = "".join(part.capitalize() for part in op_name.split("_"))
        if op_name == "get_item":
            class_name = "GetItem"
        cls = type(class_name, (Operation,), {"__module__": __name__})
        _OPERATOR_CLASSES[op_name] = cls
    return cls


def _apply_operator(op_name, fn, *operands):
    cls = _operation_class(op_name)
    return cls(fn, class_name=cls.__name__)(*operands)
