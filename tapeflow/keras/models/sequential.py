"""Sequential: a plain stack of layers, each with one input and one output.

Once the input shape is known (an `Input`/`InputLayer` first, `input_shape=`
on the first layer, or the first call), the stack is built as a functional
graph by calling each layer on the previous layer's KerasTensor output; the
model then runs that graph. Before that, calling it runs the layers in order.
"""
import inspect

from tapeflow.keras import _registry
from tapeflow.keras.layers._layer_utils import shape_of
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.input import InputLayer, standardize_shape
from tapeflow.keras.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
      layers: the layers, in order (a `tf.keras.Input` may come first).
      trainable: whether the model's weights are trainable.
      name: the model's name (default `"sequential"`, `"sequential_1"`, ...).

    >>> import tapeflow as tf
    >>> model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
    >>> model.count_params()
    10
    """

    def __new__(cls, *args, **kwargs):
        return Layer.__new__(cls)

    def __init__(self, layers=None, trainable=True, name=None):
        Model.__init__(self, trainable=trainable, name=name)
        self._functional = None
        self._stack = []
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    @property
    def _layers(self):
        return list(self._stack)

    @property
    def layers(self):
        """The layers, without the InputLayer."""
        stack = self._stack
        return list(stack[1:] if stack and isinstance(stack[0], InputLayer) else stack)

    @layers.setter
    def layers(self, _):
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    def add(self, layer, rebuild=True):
        """Adds a layer on top of the stack (a `tf.keras.Input` tensor adds its InputLayer)."""
        if not self._stack and getattr(layer, "_batch_input_shape", None) is not None:
            self.add(InputLayer(batch_shape=layer._batch_input_shape), rebuild=False)
        history = getattr(layer, "_keras_history", None)
        if history is not None and isinstance(history.operation, InputLayer):
            layer = history.operation
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer} (of type {type(layer)})")
        if any(other.name == layer.name and other is not layer for other in self._stack):
            raise ValueError("All layers added to a Sequential model should have unique "
                             f"names. Name '{layer.name}' is already the name of a layer in "
                             "this model. Update the `name` argument to pass a unique name.")
        if isinstance(layer, InputLayer) and self._stack and \
                isinstance(self._stack[0], InputLayer):
            raise ValueError(f"Sequential model '{self.name}' has already been configured to "
                             f"use input shape {self._stack[0].batch_shape}. You cannot add a "
                             "different Input layer to it.")
        self._stack.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.built = False
            self._functional = None

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self.layers:
            raise IndexError("pop from a Sequential model with no layers")
        layer = self._stack.pop()
        self.built = False
        self._functional = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        self.built = False
        self._functional = None
        if self._stack and isinstance(self._stack[0], InputLayer) and len(self._stack) > 1:
            self.build(self._stack[0].batch_shape)

    def build(self, input_shape=None):
        """Builds the functional graph of the stack for inputs of `input_shape`."""
        try:
            input_shape = standardize_shape(input_shape)
        except (ValueError, TypeError):
            return      # not a single input: the layers build on the first call
        if not self._stack:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has "
                             "no layers. Call `model.add(layer)`.")
        if isinstance(self._stack[0], InputLayer):
            if self._stack[0].batch_shape != input_shape:
                raise ValueError(f"Sequential model '{self.name}' has already been "
                                 "configured to use input shape "
                                 f"{self._stack[0].batch_shape}. You cannot build it with "
                                 f"input_shape {input_shape}")
        else:
            dtype = self._stack[0].compute_dtype
            self._stack.insert(0, InputLayer(batch_shape=input_shape, dtype=dtype))
        from tapeflow.keras.models.functional import Functional
        inputs = self._stack[0].output
        x = inputs
        for layer in self._stack[1:]:
            try:
                x = layer(x)
            except TypeError as error:
                _check_single_input(layer)
                raise error
        self._functional = Functional(inputs=inputs, outputs=x)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if self._functional is not None:
            return self._functional.call(inputs, training=training, mask=mask)
        for layer in self.layers:      # not built as a graph (e.g. nested inputs)
            kwargs = {}
            if training is not None and "training" in _call_parameters(layer):
                kwargs["training"] = training
            inputs = layer(inputs, **kwargs)
        return inputs

    def _maybe_build(self, args, kwargs):
        if self.built:
            return
        self.build(shape_of(args[0]) if args else None)
        if not self.built and self._functional is None:
            self.built = True       # nested inputs: run the layers one by one

    # -- structure ----------------------------------------------------------------------
    def _require_functional(self, what):
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        return self._functional

    @property
    def inputs(self):
        return self._require_functional("inputs").inputs

    @property
    def outputs(self):
        return self._require_functional("outputs").outputs

    @property
    def input(self):
        return self._require_functional("input").input

    @property
    def output(self):
        return self._require_functional("output").output

    @property
    def input_shape(self):
        return self._require_functional("input shape").input_shape

    @property
    def output_shape(self):
        return self._require_functional("output shape").output_shape

    @property
    def input_spec(self):
        return None if self._functional is None else self._functional.input_spec

    @input_spec.setter
    def input_spec(self, value):
        pass

    @property
    def input_dtype(self):
        if self._stack and isinstance(self._stack[0], InputLayer):
            return self._stack[0].dtype
        return super().input_dtype

    def compute_output_shape(self, input_shape):
        if self._functional is not None:
            return self._functional.compute_output_shape(input_shape)
        for layer in self.layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    # -- config -------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": self._dtype_policy.serialize(),
                  "layers": [serialize_layer(layer) for layer in self._stack]}
        if self._functional is not None:
            config["build_input_shape"] = self._stack[0].batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "name" not in config:
            raise ValueError("A Sequential model configuration must be a dictionary "
                             f"containing the 'name' and 'layers' keys. Received: "
                             f"config={config}")
        model = cls(name=config["name"], trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects))
        if model._functional is None and config.get("build_input_shape"):
            model.build(config["build_input_shape"])
        return model


def _call_parameters(layer):
    return inspect.signature(layer.call).parameters


def _check_single_input(layer):
    parameters = inspect.signature(layer.call).parameters.values()
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY,
                                                      p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if not positional:
        raise ValueError("Layers added to a Sequential model should have a single positional "
                         f"argument, the input tensor. Layer {layer.__class__.__name__} has "
                         "no positional arguments.")
    if len(required) > 1:
        raise ValueError("Layers added to a Sequential model can only have a single required "
                         "positional argument, the input tensor. Layer "
                         f"{layer.__class__.__name__} has multiple required positional "
                         f"arguments: {required}")


def serialize_layer(layer):
    """Keras 3's config dict of a layer: module, class name, config, build config."""
    config = _registry.serialize(layer, "layer")
    build_config = layer.get_build_config() if not isinstance(layer, InputLayer) else None
    if build_config is not None:
        config["build_config"] = build_config
    return config


def deserialize_layer(config, custom_objects=None):
    layer = _registry.deserialize(config, "layer", custom_objects)
    build_config = config.get("build_config") if isinstance(config, dict) else None
    if build_config and not layer.built:
        layer.build_from_config(build_config)
    return layer

