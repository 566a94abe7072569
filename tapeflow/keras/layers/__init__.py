"""`tf.keras.layers`: every layer class, plus `Input`, `InputSpec` and the `Layer` base."""
from tapeflow.keras import _registry
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.core import Activation, Dense, Embedding, Identity, Lambda, Rescaling
from tapeflow.keras.layers.input import Input, InputLayer
from tapeflow.keras.layers.input_spec import InputSpec


def _register_layers(namespace):
    for name, value in list(namespace.items()):
        if isinstance(value, type) and issubclass(value, Layer):
            _registry.register("layer", name)(value)


_register_layers(dict(globals()))
