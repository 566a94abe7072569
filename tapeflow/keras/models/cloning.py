"""`tf.keras.models.clone_model` and `model_from_config`: new models from a model's config.

A clone has the same architecture and fresh weights (layers are recreated from
their configs, not shared).
"""
from tapeflow.keras.models.functional import Functional
from tapeflow.keras.models.sequential import Sequential, deserialize_layer, serialize_layer


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model with `model`'s architecture and newly initialized weights.

    `clone_function(layer)` may return the layer to use for each layer of a
    Sequential model (default: a new layer from the config).
    """
    if isinstance(model, Sequential):
        clone = clone_function or (lambda layer: layer.__class__.from_config(layer.get_config()))
        layers = [clone(layer) for layer in model.layers]
        if model._functional is not None:
            from tapeflow.keras.layers.input import Input
            layers = [Input(batch_shape=model.input_shape, dtype=model.input_dtype)] + layers
        return Sequential(layers, trainable=model.trainable, name=model.name)
    if isinstance(model, Functional):
        return Functional.from_config(model.get_config())
    if input_tensors is not None or clone_function is not None:
        raise ValueError("Arguments `clone_function` and `input_tensors` are only supported "
                         "for Sequential models or Functional models. Received model of type "
                         f"'{model.__class__.__name__}', with clone_function={clone_function} "
                         f"and input_tensors={input_tensors}")
    return model.__class__.from_config(model.get_config())


def model_from_config(config, custom_objects=None):
    """A model (or layer) from its `{"class_name", "config"}` serialization."""
    return deserialize_layer(config, custom_objects)


__all__ = ["clone_model", "model_from_config", "serialize_layer"]
