"""Layer: the base class of every Keras layer and model (Keras 3's contract).

A layer is state (weights, made in `build(input_shape)` with `add_weight`)
plus a computation (`call(inputs, training=None, mask=None)`). `layer(x)`:

1. converts array inputs to tensors (floats to the layer's compute dtype);
2. checks them against `input_spec` (Keras' "Input 0 ... is incompatible" error);
3. builds the layer from the input shapes on the first call;
4. resolves `training`: the explicit argument, else the value of the outer
   layer call, else `call`'s default; it flows to every sublayer;
5. runs `call` (on KerasTensors: traced into a scratch graph for shapes only,
   and recorded as a Node of a functional graph);
6. records the activity-regularization loss and the output mask.

Sublayers and variables assigned as attributes (also inside lists and dicts)
are tracked; `weights` lists a layer's own trainable, then non-trainable
weights, then each sublayer's, as Keras 3 does. `losses` is recomputed on
every access: the losses added in the last call plus the weight regularizers.
"""
import functools
import inspect
import threading
import warnings
import weakref

from tapeflow.core import nest
from tapeflow.core.context import state as _context_state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import Tensor, TensorLike
from tapeflow.core.variable import Variable
from tapeflow.graph.autograph import api as _autograph
from tapeflow.keras import backend, constraints, initializers, regularizers
from tapeflow.keras.dtype_policies import DTypePolicy, get_policy
from tapeflow.keras.layers.input_spec import InputSpec, assert_input_compatibility
from tapeflow.keras.layers import symbolic
from tapeflow.keras.layers._layer_utils import (auto_config, cast_keras_tensor,
                                               check_positional_tensors, is_array_like,
                                               is_number_list,
                                               legacy_add_weight_args, shape_of,
                                               shape_to_keras_tensors, variables_in)
from tapeflow.keras.layers.symbolic import KerasTensor, Node
from tapeflow.keras.random import SeedGenerator
from tapeflow.keras.variables import KerasVariable
from tapeflow.ops import math as _math


# Layers whose `_losses` is not empty: an outer call clears its sublayers' losses only
# when some layer has any, so calls without add_loss skip walking the layer tree.
_layers_with_losses = weakref.WeakSet()


class _CallContext(threading.local):
    """The state shared by nested layer calls: the `training` value, the entry layer."""

    def __init__(self):
        self.entry = None
        self.training = None


_call_context = _CallContext()


@functools.lru_cache(maxsize=None)
def _call_signature_info(call):
    """(accepts training, accepts mask, accepts **kwargs, training default) for `call`."""
    parameters = inspect.signature(call).parameters
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    training = parameters.get("training")
    default = None
    if training is not None and training.default is not inspect.Parameter.empty:
        default = training.default
    return ("training" in parameters, "mask" in parameters, has_var_kw, default,
            tuple(name for name in parameters if name != "self"))


def _build_wrapper(build):
    """Wraps a subclass's `build` like Keras: name scope, path, shapes record, `built`."""
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        if self._in_build:
            return build(self, *args, **kwargs)
        self._in_build = True
        try:
            with backend.name_scope(self.name, caller=self):
                self._path = backend.current_path()
                result = build(self, *args, **kwargs)
        finally:
            self._in_build = False
        self._record_build_shapes(build, args, kwargs)
        self.built = True
        return result
    wrapper._keras_build_wrapper = True
    return wrapper


class Layer:
    """The base class of all layers: weights made in `build`, computation in `call`.

    Args:
      activity_regularizer: a regularizer applied to the layer's outputs; its
        value (divided by the batch size) is added to `losses`.
      trainable: whether the layer's weights are updated by training.
      dtype: the dtype (or dtype policy) of the weights and computations;
        default `keras.backend.floatx()`.
      autocast: cast floating inputs to the compute dtype.
      name: the layer's name; default from the class name (`"dense"`, `"dense_1"`).
      input_shape / input_dim: (TF2 style) the input shape, without the batch
        dimension, for the first layer of a Sequential model.

    Call arguments:
      inputs: the input tensor(s).
      training: Python bool, training or inference mode (`Dropout`, `BatchNormalization`).
      mask: boolean mask of the inputs' timesteps, when the layer supports masking.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_keras_build_wrapper", False):
            cls.build = _build_wrapper(build)

    def __new__(cls, *args, **kwargs):
        layer = super().__new__(cls)
        if _is_default_get_config(cls):
            object.__setattr__(layer, "_auto_config", auto_config(cls, args, kwargs))
        return layer

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None,
                 autocast=True, name=None, **kwargs):
        object.__setattr__(self, "_tracking_ready", False)
        self._init_input_shape(kwargs)
        if kwargs:
            raise ValueError("Unrecognized keyword arguments passed to "
                             f"{self.__class__.__name__}: {kwargs}")
        if name is None:
            name = backend.unique_object_name(backend.to_snake_case(self.__class__.__name__))
        elif not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name} (of type {type(name)})")
        self.name = name
        self._path = None
        self._dtype_policy = get_policy(dtype)
        if self._dtype_policy.compute_dtype != self._dtype_policy.variable_dtype:
            raise NotImplementedError(
                f"Layer {self.__class__.__name__}: mixed precision policies "
                f"('{self._dtype_policy.name}') are not supported by tapeflow yet: weights "
                "would need casting on every read. Use a float dtype policy such as "
                "'float32'.")
        self._trainable = bool(trainable)
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self._in_build = False
        self._called = False
        self._input_spec = None
        self.supports_masking = getattr(self, "supports_masking", False)
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._losses = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._build_shapes_dict = None
        self._tracking_ready = True

    def _init_input_shape(self, kwargs):
        """Keeps TF2's `input_shape`/`input_dim`/`batch_input_shape` for Sequential."""
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        if input_dim is not None:
            input_shape = (input_dim,)
        if input_shape is not None or batch_input_shape is not None:
            warnings.warn("Do not pass an `input_shape`/`input_dim` argument to a layer. When "
                          "using Sequential models, prefer using an `Input(shape)` object as "
                          "the first layer in the model instead.", UserWarning, stacklevel=4)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + tuple(input_shape)

    # -- attribute tracking -------------------------------------------------------------------
    def __setattr__(self, name, value):
        if isinstance(value, SeedGenerator):
            self.__dict__.setdefault("_seed_generators", []).append(value)
        if isinstance(value, (Variable, list, tuple, dict)) and name != "_trainable_variables" \
                and name != "_non_trainable_variables":
            if not self.__dict__.get("_tracking_ready", False) and \
                    isinstance(value, Variable):
                raise RuntimeError("It looks like you are subclassing `Layer` and forgot to "
                                   "call `super().__init__()`. Always start with this line.")
            for variable in variables_in(value):
                self._track_variable(variable)
        object.__setattr__(self, name, value)

    def _track_variable(self, variable):
        if not isinstance(variable, KerasVariable):
            return      # as in Keras 3: only Keras variables are a layer's weights
        if any(v is variable for v in self._trainable_variables) or \
                any(v is variable for v in self._non_trainable_variables):
            return
        if variable.trainable:
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)

    @property
    def _layers(self):
        """Direct sublayers, in attribute order (looking inside lists, tuples and dicts).

        Computed from the attributes on each access, so lists appended to after
        assignment are seen too.
        """
        found = []
        for key, value in self.__dict__.items():
            if isinstance(value, Layer):
                found.append(value)
            elif isinstance(value, (list, tuple, dict)) and value and \
                    key not in ("_inbound_nodes", "_outbound_nodes"):
                found.extend(_layers_in(value))
        if len(found) > 1:
            unique = {id(layer): layer for layer in found}
            found = list(unique.values())
        return [layer for layer in found if layer is not self]

    def _flatten_layers(self, include_self=True, recursive=True):
        """This layer (optionally) and its sublayers, depth first, without repeats."""
        result = [self] if include_self else []
        seen = {id(self)}
        stack = list(reversed(self._layers))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            result.append(layer)
            if recursive:
                stack.extend(reversed(layer._layers))
        return result

    # -- dtypes ----------------------------------------------------------------------------------
    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._dtype_policy = get_policy(value)

    @property
    def dtype(self):
        """The dtype of the layer's weights, as a string (`"float32"`)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self):
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self._dtype_policy.variable_dtype

    @property
    def input_dtype(self):
        return self._dtype_policy.compute_dtype

    # -- weights ----------------------------------------------------------------------------------
    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Creates a weight (a KerasVariable) owned by this layer.

        Args:
          shape: the weight's shape (default `()`).
          initializer: an initializer object or name; default `"glorot_uniform"`
            for float weights, `"zeros"` otherwise.
          dtype: default: the layer's variable dtype.
          trainable: whether optimizers update it (`trainable_weights`).
          regularizer: its penalty is added to `layer.losses`.
          constraint: applied by optimizers after each update.
          name: the weight's name (`"kernel"`); its path is `layer_path/name`.

        Returns:
          The new KerasVariable.
        """
        shape, initializer, dtype = legacy_add_weight_args(args, shape, initializer, dtype)
        self._check_super_called()
        shape = () if shape is None else shape
        dtype = backend.standardize_dtype(dtype) if dtype is not None else self.variable_dtype
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        initializer = initializers.get(initializer)
        with backend.name_scope(self.name, caller=self):
            variable = KerasVariable(initializer, shape=shape, dtype=dtype,
                                     trainable=trainable, autocast=autocast,
                                     aggregation=aggregation, name=name)
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        variable.overwrite_with_gradient = overwrite_with_gradient
        self._track_variable(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True, autocast=True,
                     regularizer=None, constraint=None, name=None):
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, autocast=autocast,
                               regularizer=regularizer, constraint=constraint, name=name)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Sets `trainable` on this layer, its trainable weights and its sublayers (Keras 3)."""
        value = bool(value)
        self._trainable = value
        for variable in self._trainable_variables:
            variable.trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self):
        """Own trainable, own non-trainable, then each sublayer's weights (no repeats)."""
        result = []
        seen = set()
        for variable in self._trainable_variables + self._non_trainable_variables:
            if id(variable) not in seen:
                seen.add(id(variable))
                result.append(variable)
        for layer in self._layers:
            for variable in layer.weights:
                if id(variable) not in seen:
                    seen.add(id(variable))
                    result.append(variable)
        return result

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [v for v in self.weights if v.trainable]

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    @property
    def variables(self):
        """The weights plus other state (seed generators' states), in Keras' order."""
        result = []
        seen = set()
        own = self._trainable_variables + self._non_trainable_variables + \
            [generator.state for generator in self.__dict__.get("_seed_generators", ())]
        for variable in own + [v for layer in self._layers for v in layer.variables]:
            if id(variable) not in seen:
                seen.add(id(variable))
                result.append(variable)
        return result

    @property
    def trainable_variables(self):
        if not self.trainable:
            return []
        return [v for v in self.variables if v.trainable]

    @property
    def non_trainable_variables(self):
        if not self.trainable:
            return self.variables
        return [v for v in self.variables if not v.trainable]

    def get_weights(self):
        """The weights' values, as a list of NumPy arrays (in `weights` order)."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Assigns NumPy arrays to the weights (same order and shapes as `get_weights()`)."""
        layer_weights = self.weights
        if len(layer_weights) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a "
                             f"weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(layer_weights)} weights.")
        for variable, value in zip(layer_weights, weights):
            value_shape = tuple(getattr(value, "shape", ()) or ())
            if hasattr(value, "shape") and tuple(variable.shape) != value_shape:
                raise ValueError(f"Layer {self.name} weight shape {tuple(variable.shape)} is "
                                 f"not compatible with provided weight shape {value_shape}.")
            variable.assign(value)

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but "
                             "the layer isn't built. You can build it manually via: "
                             "`layer.build(input_shape)`.")
        total = 0
        for variable in self.weights:
            total += variable.shape.num_elements()
        return int(total)

    # -- losses ----------------------------------------------------------------------------------
    def add_loss(self, loss):
        """Adds scalar loss tensor(s); call it from `call()`."""
        for x in nest.flatten(loss):
            if not isinstance(x, TensorLike):
                raise ValueError("`add_loss()` can only be called from inside `build()` or "
                                 f"`call()`, on a tensor input. Received invalid value: {x}")
            self._losses.append(x)
        _layers_with_losses.add(self)

    @property
    def losses(self):
        """Losses added during the last call, then the weight regularization penalties."""
        losses = list(self._losses)
        for layer in self._flatten_layers(include_self=False):
            losses.extend(layer._losses)
        for variable in self.trainable_weights:
            if variable.regularizer is not None:
                losses.append(variable.regularizer(variable))
        return losses

    def _clear_losses(self):
        for layer in self._flatten_layers():
            layer._losses.clear()
            _layers_with_losses.discard(layer)

    # -- input spec --------------------------------------------------------------------------
    @property
    def input_spec(self):
        return self._input_spec

    @input_spec.setter
    def input_spec(self, value):
        for spec in nest.flatten(value):
            if spec is not None and not isinstance(spec, InputSpec):
                raise TypeError("Layer input_spec must be an instance of InputSpec. "
                                f"Got: {spec}")
        self._input_spec = value

    # -- building -----------------------------------------------------------------------------
    def build(self, input_shape=None):
        """Creates the layer's weights for inputs of `input_shape` (override it)."""
        self._build_shapes_dict = {"input_shape": input_shape}
        self.built = True

    def _record_build_shapes(self, build, args, kwargs):
        try:
            bound = inspect.signature(build).bind(self, *args, **kwargs)
        except TypeError:
            return
        self._build_shapes_dict = {k: v for k, v in bound.arguments.items() if k != "self"}

    def _maybe_build(self, args, kwargs):
        """Calls `build` with the shapes of the inputs (as tuples), the first time."""
        if self.built:
            return
        build_params = _build_parameters(type(self).build)
        first_shape = shape_of(args[0]) if args else None
        if getattr(type(self).build, "_built_by_first_call", False):
            # A subclassed model: its sublayers build themselves during this call.
            self._build_shapes_dict = {"input_shape": first_shape}
            self.built = True
            return
        if len(build_params) <= 1:
            self.build(first_shape)
        else:
            call_names = _call_signature_info(type(self).call)[4]
            values = dict(zip(call_names, args))
            values.update(kwargs)
            shapes = {}
            for param in build_params:
                source = param[:-len("_shape")] if param.endswith("_shape") else param
                if source in values and values[source] is not None:
                    shapes[param] = shape_of(values[source])
            if build_params and build_params[0] not in shapes:
                shapes[build_params[0]] = first_shape
            self.build(**shapes)
        if not self.built:      # a build override that did not call super().build()
            self.built = True
        self._assert_input_compatibility(args[0] if args else None)

    def get_build_config(self):
        if self._build_shapes_dict is not None:
            if len(self._build_shapes_dict) == 1:
                return {"input_shape": next(iter(self._build_shapes_dict.values()))}
            return {"shapes_dict": self._build_shapes_dict}
        return None

    def build_from_config(self, config):
        if not config:
            return
        if "input_shape" in config:
            self.build(config["input_shape"])
        elif "shapes_dict" in config:
            self.build(**config["shapes_dict"])

    # -- calling ---------------------------------------------------------------------------------
    def call(self, *args, **kwargs):
        """The layer's computation (override it)."""
        raise NotImplementedError(f"Layer {self.__class__.__name__} does not have a `call()` "
                                  "method implemented.")

    # Keras 3 accepts only tensors as positional arguments of `call` (others by keyword).
    _allow_non_tensor_positional_args = False

    def __call__(self, *args, **kwargs):
        self._check_super_called()
        self._called = True
        args, kwargs = self._convert_inputs(args, kwargs)
        if len(args) > 1 and not self._allow_non_tensor_positional_args:
            check_positional_tensors(args)
        if _has_keras_tensors(args, kwargs):
            return self._symbolic_call(args, kwargs)
        first = args[0] if args else None
        self._assert_input_compatibility(first)
        if not self.built:
            with backend.name_scope(self.name, caller=self):
                self._maybe_build(args, kwargs)
        return self._call_in_context(args, kwargs)

    def _call_in_context(self, args, kwargs):
        """Steps 4-6 of `__call__`: training flag, masks, `call`, activity loss."""
        context = _call_context
        is_entry = context.entry is None
        if is_entry:
            context.entry = self
            context.training = None
            if _layers_with_losses:
                self._clear_losses()
        try:
            has_training, has_mask, has_var_kw, default, _ = _call_signature_info(
                type(self).call)
            training = kwargs.pop("training", None) if not has_training and not has_var_kw \
                else kwargs.get("training")
            if training is None:
                training = context.training if context.training is not None else default
            context.training = training
            if has_training and training is not None:
                kwargs["training"] = training
            previous_mask = None
            if has_mask or self.supports_masking:
                previous_mask = self._populate_mask(args, kwargs, has_mask)
            with backend.name_scope(self.name, caller=self):
                outputs = _call_function(self)(*args, **kwargs)
            if self.activity_regularizer is not None:
                self._add_activity_loss(outputs)
            if self.supports_masking:
                self._set_output_masks(args, kwargs, outputs, previous_mask)
            return outputs
        finally:
            if is_entry:
                context.entry = None
                context.training = None

    def _symbolic_call(self, args, kwargs):
        """Calls the layer on KerasTensors: shapes by tracing, recorded as a Node."""
        first = args[0] if args else None
        self._assert_input_compatibility(first)
        if not self.built:
            with backend.name_scope(self.name, caller=self):
                self._maybe_build(args, kwargs)
        outputs = self._trace_call(args, kwargs)
        Node(self, args, kwargs, outputs)
        return outputs

    def _trace_call(self, args, kwargs):
        """Runs `call` on placeholders for the KerasTensors; returns KerasTensor outputs."""
        with symbolic.scratch_graph(self.name) as graph:
            traced_args = symbolic.to_placeholders(graph, tuple(args))
            traced_kwargs = symbolic.to_placeholders(graph, dict(kwargs))
            try:
                outputs = self._call_in_context(list(traced_args), dict(traced_kwargs))
            finally:
                self._clear_losses()
        return symbolic.to_keras_tensors(outputs)

    def _convert_inputs(self, args, kwargs):
        """Arrays to tensors; floating inputs cast to the compute dtype (autocast)."""
        if len(args) == 1 and not kwargs and isinstance(args[0], Tensor) and \
                args[0]._dtype.name == self._dtype_policy.compute_dtype:
            return args, kwargs
        convert = self._convert_input
        args = tuple(nest.map_structure(convert, arg) if not is_number_list(arg)
                     else convert(convert_to_tensor(arg)) for arg in args)
        for key, value in kwargs.items():
            if key not in ("training", "mask") and is_array_like(value):
                kwargs[key] = convert(value)
        return args, kwargs

    def _convert_input(self, x):
        if isinstance(x, (Tensor, KerasTensor, Variable)):
            dtype = x.dtype
        elif is_array_like(x):
            x = convert_to_tensor(x)
            dtype = x.dtype
        else:
            return x
        if self.autocast and dtype.is_floating and dtype.name != self.compute_dtype \
                and "float" in self.compute_dtype:
            if isinstance(x, KerasTensor):
                return cast_keras_tensor(x, self.compute_dtype)
            mask = backend.get_keras_mask(x)
            x = _math.cast(x, self.compute_dtype)
            if mask is not None:
                backend.set_keras_mask(x, mask)
        return x

    def _assert_input_compatibility(self, first):
        if self._input_spec is not None and first is not None:
            assert_input_compatibility(self._input_spec, first, self.name)

    def _populate_mask(self, args, kwargs, has_mask):
        """The mask of the first input; passed as `mask=` when `call` takes one."""
        first = args[0] if args else None
        if kwargs.get("mask") is not None:
            return kwargs["mask"]
        if first is None:
            return None
        if isinstance(first, Tensor):
            mask = backend.get_keras_mask(first)
            found = mask is not None
        else:
            mask = nest.map_structure(backend.get_keras_mask, first)
            found = any(m is not None for m in nest.flatten(mask))
        if has_mask and found:
            kwargs["mask"] = mask
        return mask if found else None

    def _set_output_masks(self, args, kwargs, outputs, previous_mask):
        if not self.supports_masking:
            return
        first = args[0] if args else None
        mask = self.compute_mask(first, previous_mask)
        if mask is None:
            return
        flat_outputs = nest.flatten(outputs)
        flat_masks = nest.flatten(mask) if nest.is_nested(mask) else [mask] * len(flat_outputs)
        for output, output_mask in zip(flat_outputs, flat_masks):
            if isinstance(output, Tensor):
                backend.set_keras_mask(output, output_mask)

    def compute_mask(self, inputs, previous_mask):
        """The output mask: by default the input mask when `supports_masking`."""
        if not self.supports_masking:
            return None
        return previous_mask

    def _add_activity_loss(self, outputs):
        if self.activity_regularizer is None:
            return
        for output in nest.flatten(outputs):
            if isinstance(output, Tensor):
                loss = self.activity_regularizer(output)
                if output.shape.rank:
                    from tapeflow.ops.array import shape as _shape
                    batch = _math.cast(_shape(output)[0], loss.dtype)
                    loss = _math.divide(loss, _math.maximum(batch, _math.cast(1, loss.dtype)))
                self.add_loss(loss)

    def _check_super_called(self):
        if not self.__dict__.get("_tracking_ready", False):
            raise RuntimeError("In layer '{}', you forgot to call `super().__init__()` as the "
                               "first statement in the `__init__()` method. Go add "
                               "it!".format(self.__class__.__name__))

    # -- shapes ------------------------------------------------------------------------------
    def compute_output_shape(self, *args, **kwargs):
        """The output shape(s) for inputs of the given shape(s), traced without kernels.

        Shapes are passed like `call`'s inputs, positionally or as `<name>_shape`
        keywords (`compute_output_shape(input_shape=(None, 4))`).
        """
        shapes = list(args) + list(kwargs.values())
        inputs = [shape_to_keras_tensors(shape) for shape in shapes]
        spec = self.compute_output_spec(*inputs)
        return nest.map_structure(lambda x: x.shape, spec)

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors (shape + dtype) of the outputs for KerasTensor inputs."""
        if not self.built:
            with backend.name_scope(self.name, caller=self):
                self._maybe_build(args, kwargs)
        return self._trace_call(args, kwargs)

    @property
    def input(self):
        return self._node_attribute("input_tensors", "input")

    @property
    def output(self):
        return self._node_attribute("outputs", "output")

    def _node_attribute(self, attribute, label):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has "
                                 f"no defined {label}.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"The layer {self.name} has multiple inbound nodes, so its "
                                 f"{label} is ill-defined. Use `get_{label}_at(node_index)`.")
        value = getattr(self._inbound_nodes[0], attribute)
        if attribute == "input_tensors" and len(value) == 1:
            return value[0]
        return value

    # -- config ----------------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments, as a dict (`from_config(get_config())` clones).

        A subclass that takes arguments overrides it (calling `super().get_config()`);
        without an override, the keyword arguments the layer was created with are
        used when they are plain Python values.
        """
        config = {"name": self.name}
        if _is_default_get_config(type(self)):
            recorded = self.__dict__.get("_auto_config")
            if recorded is None:
                raise NotImplementedError(
                    f"Object {self.__class__.__name__} was created by passing non-serializable "
                    "argument values in `__init__()`, and therefore the object must override "
                    "`get_config()` in order to be serializable. Please implement "
                    "`get_config()`.")
            config.update(recorded)
        config["trainable"] = self.trainable
        config["dtype"] = self._dtype_policy.serialize()
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        """A new layer from `get_config()`'s output."""
        config = dict(config)
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = DTypePolicy.deserialize(config["dtype"])
        return cls(**config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, built={self.built}>"


# -- helpers -------------------------------------------------------------------------------------

def _has_keras_tensors(args, kwargs):
    """Whether any argument is (or holds) a KerasTensor: the symbolic, functional path."""
    if len(args) == 1 and isinstance(args[0], Tensor) and not kwargs:
        return False
    return symbolic.any_keras_tensors(args, kwargs)


def _layers_in(value):
    if isinstance(value, Layer):
        return [value]
    if isinstance(value, dict):
        return [layer for item in value.values() for layer in _layers_in(item)]
    if isinstance(value, (list, tuple)):
        return [layer for item in value for layer in _layers_in(item)]
    return []


@functools.lru_cache(maxsize=None)
def _build_parameters(build):
    target = getattr(build, "__wrapped__", build)
    parameters = inspect.signature(target).parameters
    return tuple(name for name, p in parameters.items()
                 if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def _is_default_get_config(cls):
    for klass in cls.__mro__:
        if "get_config" in klass.__dict__:
            return klass is Layer
    return True


def _call_function(layer):
    """`layer.call`, converted by AutoGraph while tracing when it is user code (TF 2 does
    this), so Python `if`/`for`/`while` on tensors in a user layer work inside
    `tf.function` and `fit`."""
    call = layer.call
    if _context_state.graph is not None and _autograph._is_user_function(call):
        return _autograph.convert(call)
    return call
