"""Helpers of the Layer base class: argument conversion and checks, shapes, auto-config.

Plain functions with no Layer state, kept apart so that base.py reads as the
Layer contract itself.
"""
import inspect

from tapeflow.core import nest
from tapeflow.core.tensor import Tensor, TensorLike
from tapeflow.core.variable import Variable
from tapeflow.keras.layers import symbolic
from tapeflow.keras.layers.symbolic import KerasTensor
from tapeflow.ops import math as _math


def check_positional_tensors(args):
    for value in nest.flatten(args):
        if value is not None and not isinstance(value, (TensorLike, KerasTensor)):
            raise ValueError("Only input tensors may be passed as positional arguments. The "
                             "following argument value should be passed as a keyword "
                             f"argument: {value} (of type {type(value)})")

def variables_in(value):
    if isinstance(value, Variable):
        return [value]
    if isinstance(value, dict):
        return [v for item in value.values() for v in variables_in(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in variables_in(item)]
    return []

def is_array_like(x):
    return hasattr(x, "__array__") and not isinstance(x, (Tensor, KerasTensor, Variable))


def is_number_list(x):
    if not isinstance(x, (list, tuple)) or not x:
        return False
    flat = nest.flatten(x)
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat)


def cast_keras_tensor(x, dtype):
    cast = symbolic._operation_class("cast")
    return cast(lambda value: _math.cast(value, dtype), class_name="Cast")(x)


def shape_of(x):
    """The shape of a tensor as a tuple, or the nested shapes of a structure."""
    if x is None:
        return None
    if isinstance(x, KerasTensor):
        return x.shape
    if isinstance(x, (Tensor, Variable)):
        dims = x._static_dims()
        return None if dims is None else tuple(dims)
    if nest.is_nested(x):
        return nest.map_structure(shape_of, x)
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return None


def is_shape_tuple(shape):
    return isinstance(shape, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in shape)


def shape_to_keras_tensors(shape):
    """KerasTensors for a shape tuple, or a structure of them (`compute_output_shape`)."""
    if isinstance(shape, KerasTensor) or shape is None:
        return shape
    if hasattr(shape, "as_list"):
        shape = tuple(shape.as_list())
    if is_shape_tuple(shape):
        return KerasTensor(tuple(shape))
    if isinstance(shape, dict):
        return {k: shape_to_keras_tensors(v) for k, v in shape.items()}
    return type(shape)(shape_to_keras_tensors(s) for s in shape)

_PLAIN_TYPES = (str, int, float, bool, type(None))


def plain(value):
    if isinstance(value, _PLAIN_TYPES):
        return True
    if isinstance(value, (list, tuple)):
        return all(plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return False


def auto_config(cls, args, kwargs):
    """The constructor's arguments by name, if they are all plain values (else None)."""
    try:
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
    except TypeError:
        return None
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(inspect.signature(cls.__init__).parameters)), None)
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if parameter.kind is parameter.VAR_KEYWORD and name in arguments:
            arguments.update(arguments.pop(name))
        elif parameter.kind is parameter.VAR_POSITIONAL and arguments.get(name):
            return None
    for key in ("name", "dtype", "trainable", "autocast", "activity_regularizer"):
        arguments.pop(key, None)     # get_config() adds these itself
    return arguments if plain(arguments) else None

def legacy_add_weight_args(args, shape, initializer, dtype):
    """Keras 2's positional `add_weight(shape, initializer, dtype)`; a positional name fails."""
    if not args:
        return shape, initializer, dtype
    if len(args) > 3:
        raise TypeError(f"add_weight() takes at most 3 positional arguments but {len(args)} "
                        "were given.")
    if isinstance(args[0], str):
        raise ValueError("`name` must be passed as a keyword argument. Received: "
                         f"add_weight('{args[0]}', ...). Use: add_weight(shape=..., "
                         f"name='{args[0]}').")
    if shape is not None:
        raise ValueError("`shape` was passed both positionally and as a keyword argument.")
    shape = args[0]
    if len(args) > 1:
        initializer = args[1]
    if len(args) > 2:
        dtype = args[2]
    return shape, initializer, dtype
