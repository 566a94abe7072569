"""Model: a Layer with training APIs, sublayer access and `summary()`.

`Model` serves all three Keras styles:

- subclassing: `class MyModel(Model)` with layers as attributes and a `call`;
- functional: `Model(inputs, outputs)` returns a `Functional` model (and a
  subclass whose `__init__` calls `super().__init__(inputs, outputs)` becomes
  one too);
- `Sequential` (sequential.py), a subclass.

compile/fit/evaluate/predict come from the `Trainer` mixin
(keras/training/trainer.py), kept apart from the model classes.
"""
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.training.trainer import Trainer


def _is_functional_call(args, kwargs):
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


_functional_subclasses = {}


def _with_functional_base(cls):
    """`cls` with Functional mixed in, for subclasses that call super().__init__(inputs, outputs)."""
    from tapeflow.keras.models.functional import Functional
    if issubclass(cls, Functional):
        return cls
    sub = _functional_subclasses.get(cls)
    if sub is None:
        sub = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__})
        _functional_subclasses[cls] = sub
    return sub


class Model(Trainer, Layer):
    """A model: layers grouped with training and inference features.

    `Model(inputs, outputs, name=None)` builds a functional model from
    KerasTensors; subclasses define layers in `__init__` and the forward pass in
    `call(inputs, training=None)`.

    Example:
      >>> import tapeflow as tf
      >>> inputs = tf.keras.Input(shape=(3,))
      >>> outputs = tf.keras.layers.Dense(2)(inputs)
      >>> tf.keras.Model(inputs, outputs).count_params()
      8
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_call(args, kwargs):
            from tapeflow.keras.models.functional import Functional
            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        Trainer.__init__(self)
        if _is_functional_call(args, kwargs):
            from tapeflow.keras.models.functional import Functional
            self.__class__ = _with_functional_base(type(self))
            Functional.__init__(self, *args, **kwargs)
        else:
            Layer.__init__(self, *args, **kwargs)

    @property
    def layers(self):
        """The model's direct sublayers, in order."""
        return list(self._layers)

    @layers.setter
    def layers(self, _):
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    def get_layer(self, name=None, index=None):
        """A sublayer by (unique) name or by index in `layers`."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{list(layer.name for layer in self.layers)}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras' table of layers, output shapes and parameter counts."""
        from tapeflow.keras.models.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it on a symbolic input of `input_shape`."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        from tapeflow.keras.layers.symbolic import KerasTensor
        from tapeflow.keras.layers._layer_utils import is_shape_tuple
        if is_shape_tuple(input_shape):
            inputs = KerasTensor(tuple(input_shape), dtype=self.input_dtype)
        else:
            from tapeflow.core import nest
            inputs = nest.map_structure_up_to(
                input_shape, lambda s: KerasTensor(tuple(s), dtype=self.input_dtype),
                input_shape)
        try:
            self._trace_call((inputs,), {})
        except Exception as error:
            raise ValueError("You cannot build your model by calling `build()` if your "
                             "layers do not support float type inputs. Instead, in order "
                             "to instantiate and build your model, call your model on real "
                             f"tensor data (of the correct dtype).\n\nThe actual error from "
                             f"`call` is: {error}.") from None
        self._build_shapes_dict = {"input_shape": input_shape}
        self.built = True

    build._built_by_first_call = True

    def get_config(self):
        """The config of a subclassed model: its constructor's plain arguments (Keras 3)."""
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from `get_config()`; functional configs rebuild the layer graph."""
        if {"layers", "input_layers", "output_layers"} <= set(config):
            from tapeflow.keras.models.functional import Functional
            target = cls if issubclass(cls, Functional) else Functional
            return Functional.from_config.__func__(target, config, custom_objects)
        return super().from_config(config)

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, built={self.built}>"
