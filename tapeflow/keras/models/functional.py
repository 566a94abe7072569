"""Functional models: a graph of layer calls between Input KerasTensors and outputs.

`Model(inputs, outputs)` walks the Node history of `outputs` back to `inputs`
and orders the layers as Keras does: by depth (the longest path to an output),
deepest first, ties broken by the order of a depth-first walk from the
outputs. Calling the model replays the nodes, deepest first, on real tensors:
each node calls its layer's `__call__` with the recorded arguments, the
KerasTensors replaced by the values computed so far. Layers shared between
several calls have several nodes; `training` reaches every layer through the
call context.
"""
import collections

from tapeflow.core import nest
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import Tensor
from tapeflow.keras import backend
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.input import InputLayer
from tapeflow.keras.layers.input_spec import InputSpec
from tapeflow.keras.layers.symbolic import KerasTensor
from tapeflow.keras.models.model import Model
from tapeflow.ops import array as _array
from tapeflow.ops import math as _math


class Functional(Model):
    """A model defined by its input and output KerasTensors (`Model(inputs, outputs)`).

    Args:
      inputs: a KerasTensor, or a list or dict of them (from `tf.keras.Input`).
      outputs: KerasTensor(s) computed from `inputs` by layer calls.
      name: the model's name (default `"functional"`, `"functional_1"`, ...).
    """

    def __new__(cls, *args, **kwargs):
        return Layer.__new__(cls)

    def __init__(self, inputs, outputs, name=None, **kwargs):
        if not hasattr(self, "compiled"):
            from tapeflow.keras.training.trainer import Trainer
            Trainer.__init__(self)
        trainable = kwargs.pop("trainable", True)
        if name is None and type(self).__name__ == "Functional":
            name = backend.unique_object_name("functional")
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = nest.flatten(self._inputs_struct)
        self._outputs = nest.flatten(self._outputs_struct)
        for x in self._inputs + self._outputs:
            if not isinstance(x, KerasTensor):
                raise ValueError("All `inputs` and `outputs` values must be KerasTensors. "
                                 f"Received: inputs={inputs}, outputs={outputs} including "
                                 f"invalid value {x} of type {type(x)}")
        self._nodes, self._nodes_by_depth, self._operations = map_graph(self._inputs,
                                                                        self._outputs)
        names = sorted(inputs) if isinstance(inputs, dict) else [None] * len(self._inputs)
        self.input_spec = [_input_spec_of(x, name) for x, name in zip(self._inputs, names)]
        self.built = True
        self._build_shapes_dict = None
        self._set_dtype_from_inputs()

    def _set_dtype_from_inputs(self):
        self._input_dtypes = [x.dtype for x in self._inputs]

    # -- structure ----------------------------------------------------------------------
    @property
    def _layers(self):
        return [op for op in self._operations if isinstance(op, Layer)]

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        return nest.map_structure(lambda x: x.shape, self._inputs_struct)

    @property
    def output_shape(self):
        return nest.map_structure(lambda x: x.shape, self._outputs_struct)

    # -- running ------------------------------------------------------------------------
    def _convert_inputs(self, args, kwargs):
        if args:
            args = (self._standardize_inputs(args[0]),) + tuple(args[1:])
        return super()._convert_inputs(args, kwargs)

    def _standardize_inputs(self, inputs):
        """The inputs as the model's structure, arrays converted, ranks adjusted by one."""
        if isinstance(inputs, dict) and not isinstance(self._inputs_struct, dict):
            names = [x._keras_history.operation.name for x in self._inputs]
            if all(name in inputs for name in names):
                inputs = [inputs[name] for name in names]
                if len(inputs) == 1:
                    inputs = inputs[0]
        flat = nest.flatten(inputs)
        if len(flat) != len(self._inputs):
            return inputs
        converted = [self._adjust_input(x, ref) for x, ref in zip(flat, self._inputs)]
        return nest.pack_sequence_as(inputs, converted)

    def _adjust_input(self, x, reference):
        if isinstance(x, KerasTensor) or x is None:
            return x
        if not isinstance(x, Tensor) and not hasattr(x, "_static_dims"):
            x = convert_to_tensor(x)
            if x.dtype.is_floating and reference.dtype.is_floating and \
                    x.dtype is not reference.dtype:
                x = _math.cast(x, reference.dtype)
        rank, ref_rank = x.shape.rank, len(reference.shape)
        if rank is not None and rank == ref_rank + 1 and x.shape[-1] == 1:
            return _array.squeeze(x, axis=-1)
        if rank is not None and rank == ref_rank - 1 and reference.shape[-1] == 1:
            return _array.expand_dims(x, axis=-1)
        return x

    def call(self, inputs, training=None, mask=None):
        """Replays the graph of layer calls on `inputs`."""
        flat_inputs = nest.flatten(inputs)
        if len(flat_inputs) != len(self._inputs):
            raise ValueError(f'Layer "{self.name}" expects {len(self._inputs)} input(s), but '
                             f"it received {len(flat_inputs)} input tensors. Inputs received: "
                             f"{inputs}")
        values = {id(ref): x for ref, x in zip(self._inputs, flat_inputs)}
        if mask is not None:
            for x, m in zip(flat_inputs, nest.flatten(mask)):
                if m is not None and isinstance(x, Tensor):
                    backend.set_keras_mask(x, m)
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                if node.is_input or not all(id(x) in values for x in node.input_tensors):
                    continue
                args, kwargs = _fill_in(node, values)
                outputs = node.operation(*args, **kwargs)
                for ref, value in zip(node.output_tensors, nest.flatten(outputs)):
                    values[id(ref)] = value
        outputs = [values[id(x)] for x in self._outputs]
        if isinstance(self._outputs_struct, (list, tuple)) and len(self._outputs_struct) == 1:
            return outputs[0]      # Keras unpacks single-output lists
        return nest.pack_sequence_as(self._outputs_struct, outputs)

    def compute_output_shape(self, input_shape):
        return self.output_shape

    def get_config(self):
        """Keras 3's functional config: layers with their inbound nodes, input and output
        layers as `[layer_name, node_index, tensor_index]`."""
        from tapeflow.keras.models.sequential import serialize_layer
        node_index = _model_node_indices(self)
        layers = []
        for operation in self._operations:
            if not isinstance(operation, Layer):
                raise NotImplementedError(
                    f"Cannot serialize the operation '{operation.name}' (an operator applied "
                    "to a KerasTensor); use a layer (e.g. Lambda) instead.")
            layer_config = serialize_layer(operation)
            layer_config["name"] = operation.name
            layer_config["inbound_nodes"] = [
                _serialize_node(node, node_index) for node in operation._inbound_nodes
                if node in node_index and not node.is_input]
            layers.append(layer_config)
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": _history_structure(self._inputs_struct, node_index),
                "output_layers": _history_structure(self._outputs_struct, node_index)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the graph by calling each deserialized layer on its recorded inputs."""
        from tapeflow.keras.models.sequential import deserialize_layer
        layers, outputs_of = {}, {}      # name -> layer; (name, node index) -> outputs
        pending = []
        for layer_config in config["layers"]:
            layer = deserialize_layer(layer_config, custom_objects)
            layers[layer_config["name"]] = layer
            if isinstance(layer, InputLayer):
                outputs_of[(layer.name, 0)] = [layer.output]
            pending.extend((layer, node) for node in layer_config.get("inbound_nodes", []))
        while pending:
            remaining = [(layer, node) for layer, node in pending
                         if not _call_node(layer, node, outputs_of)]
            if len(remaining) == len(pending):
                raise ValueError("Could not rebuild the functional model: some layer inputs "
                                 "are never produced.")
            pending = remaining

        def tensor(history):
            name, node, index = history
            return outputs_of[(name, node)][index]
        inputs = _map_histories(config["input_layers"], tensor)
        outputs = _map_histories(config["output_layers"], tensor)
        return cls(inputs, outputs, name=config.get("name"),
                   trainable=config.get("trainable", True))

    def __repr__(self):
        return f"<Functional name={self.name}, built={self.built}>"


def _input_spec_of(x, name=None):
    """The spec a model input checks: its shape (any batch size), named for dict inputs."""
    shape = (None,) + tuple(x.shape[1:]) if x.shape else x.shape
    if name is None and x._keras_history is not None:
        name = x._keras_history.operation.name
    return InputSpec(shape=shape, allow_last_axis_squeeze=True, name=name)


def _fill_in(node, values):
    def fill(x):
        return values[id(x)] if isinstance(x, KerasTensor) else x
    args = nest.map_structure(fill, node.call_args)
    kwargs = nest.map_structure(fill, node.call_kwargs)
    return args, kwargs


# -- serialization ----------------------------------------------------------------------------

def _model_node_indices(model):
    """{node: its index among the layer's nodes that belong to this model}."""
    indices = {}
    for operation in model._operations:
        kept = [node for node in operation._inbound_nodes if node in model._nodes]
        for i, node in enumerate(kept):
            indices[node] = i
    return indices


def _history(x, node_index):
    history = x._keras_history
    node = history.operation._inbound_nodes[history.node_index]
    return [history.operation.name, node_index.get(node, history.node_index),
            history.tensor_index]


def _serialize_node(node, node_index):
    def encode(x):
        if isinstance(x, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": x.shape, "dtype": x.dtype.name,
                               "keras_history": _history(x, node_index)}}
        return x
    return {"args": nest.map_structure(encode, node.call_args),
            "kwargs": nest.map_structure(encode, node.call_kwargs)}


def _history_structure(structure, node_index):
    if isinstance(structure, KerasTensor):
        return _history(structure, node_index)
    if isinstance(structure, dict):
        return {k: _history_structure(v, node_index) for k, v in structure.items()}
    return [_history_structure(x, node_index) for x in structure]


def _is_history(value):
    return (isinstance(value, (list, tuple)) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


def _map_histories(structure, fn):
    if _is_history(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_histories(v, fn) for k, v in structure.items()}
    return [_map_histories(x, fn) for x in structure]


def _call_node(layer, node, outputs_of):
    """Calls `layer` on a serialized node's inputs if they all exist; True when done."""
    missing = []

    def decode(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            name, index, tensor_index = value["config"]["keras_history"]
            produced = outputs_of.get((name, index))
            if produced is None:
                missing.append(name)
                return None
            return produced[tensor_index]
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(decode(v) for v in value)
        return value

    args, kwargs = decode(node["args"]), decode(node["kwargs"])
    if missing:
        return False
    outputs = layer(*args, **kwargs)
    count = sum(1 for key in outputs_of if key[0] == layer.name)
    outputs_of[(layer.name, count)] = [x for x in nest.flatten(outputs)]
    return True


# -- ordering the graph ---------------------------------------------------------------------

def map_graph(inputs, outputs):
    """The nodes, nodes by depth and operations (in Keras' order) between inputs and outputs.

    The depth of a node is the length of the longest path from it to an output;
    an operation's depth is the largest depth of its nodes. Operations are
    listed deepest first; at equal depth, in the order a depth-first walk from
    the outputs first reached them.
    """
    nodes_in_order, first_seen = _walk(inputs, outputs)
    in_graph = set(nodes_in_order)
    node_depth = {}
    op_depth = {}
    for node in reversed(nodes_in_order):
        depth = max(node_depth.setdefault(node, 0), op_depth.get(node.operation, 0))
        op_depth[node.operation] = depth
        node_depth[node] = depth
        for parent in node.parent_nodes:
            if parent in in_graph:
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for x in inputs:        # inputs that no output depends on
        history = x._keras_history
        operation = history.operation
        node = operation._inbound_nodes[history.node_index]
        if operation not in op_depth and node.is_input:
            op_depth[operation] = 0
            first_seen[operation] = -1
            node_depth[node] = 0
    nodes_by_depth = collections.defaultdict(list)
    for node, depth in node_depth.items():
        nodes_by_depth[depth].append(node)
    operations = sorted(op_depth, key=lambda op: (-op_depth[op], first_seen[op]))
    _check_connected(inputs, nodes_by_depth)
    _check_unique_names(operations)
    return set(node_depth), dict(nodes_by_depth), operations


def _walk(inputs, outputs):
    """Depth-first walk from the outputs: nodes in post-order, operations in pre-order."""
    finished, in_progress = set(), set()
    nodes_in_order, first_seen = [], {}
    input_ids = {id(x) for x in inputs}
    output_path = ""

    def visit(tensor):
        history = tensor._keras_history
        if history is None:
            return
        node = history.operation._inbound_nodes[history.node_index]
        if node in finished:
            return
        if not node.is_input and id(tensor) in input_ids:
            finished.add(node)
            return
        if node.is_input and id(tensor) not in input_ids:
            raise ValueError(f"Output with path `{output_path}` is not connected to `inputs`")
        if node in in_progress:
            raise ValueError(f"Tensor {tensor} from operation '{history.operation.name}' is "
                             "part of a cycle.")
        first_seen.setdefault(history.operation, len(first_seen))
        in_progress.add(node)
        if not node.is_input:
            for x in node.input_tensors:
                visit(x)
        finished.add(node)
        in_progress.remove(node)
        nodes_in_order.append(node)

    for index, output in enumerate(outputs):
        output_path = "" if len(outputs) == 1 else str(index)
        visit(output)
    return nodes_in_order, first_seen


def _check_connected(inputs, nodes_by_depth):
    computable = {id(x) for x in inputs}
    reached = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for x in node.input_tensors:
                if id(x) not in computable:
                    raise ValueError(f"Graph disconnected: cannot find parent for tensor {x} "
                                     f"at operation '{node.operation}'. The following previous "
                                     f"operations were accessed without issue: {reached}")
            reached.append(node.operation.name)
            for x in node.output_tensors:
                computable.add(id(x))


def _check_unique_names(operations):
    names = [op.name for op in operations]
    for name in names:
        if names.count(name) != 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the '
                             "model. All operation names should be unique.")
