"""`tf.keras.Input` and `InputLayer`: the entry points of functional and Sequential models.

`Input(shape)` makes an InputLayer and returns its output: a KerasTensor of
shape `(batch_size,) + shape`, the start of a functional graph.
"""
import warnings

from tapeflow.keras import backend
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.symbolic import KerasTensor, Node


def standardize_shape(shape):
    """A shape as a tuple of ints and Nones; rejects strings and negative sizes."""
    if shape is None:
        raise ValueError("Undefined shapes are not supported.")
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    if isinstance(shape, int):
        shape = (shape,)
    if not hasattr(shape, "__iter__") or isinstance(shape, str):
        raise ValueError(f"Cannot convert '{shape}' to a shape.")
    shape = tuple(shape)
    for d in shape:
        if d is None:
            continue
        if isinstance(d, bool) or not isinstance(d, int) and not hasattr(d, "__index__"):
            raise ValueError(f"Cannot convert '{shape}' to a shape. Found invalid entry '{d}' "
                             f"of type '{type(d)}'. ")
        if int(d) < 0:
            raise ValueError(f"Cannot convert '{shape}' to a shape. Negative dimensions are "
                             "not allowed.")
    return tuple(None if d is None else int(d) for d in shape)


class InputLayer(Layer):
    """The layer behind `tf.keras.Input`: owns the model's input KerasTensor.

    Args:
      shape: the input shape without the batch dimension.
      batch_size: the (optional) static batch size.
      dtype: the input dtype (default floatx).
      batch_shape: the full shape including the batch dimension (instead of shape).
      input_tensor: an existing KerasTensor to use as the input.
      name: the layer's name (default `"input_layer"`, `"input_layer_1"`, ...).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, ragged=None,
                 **kwargs):
        if "input_shape" in kwargs:
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.",
                          UserWarning, stacklevel=2)
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same "
                             "time.")
        if shape is None and batch_shape is None and input_tensor is None:
            raise ValueError("You must pass a `shape` argument.")
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError("Argument `input_tensor` must be a KerasTensor. Received "
                                 f"invalid type: input_tensor={input_tensor} (of type "
                                 f"{type(input_tensor)})")
            batch_shape = input_tensor.shape
            dtype = input_tensor.dtype.name
        elif shape is not None:
            batch_shape = (batch_size,) + standardize_shape(shape)
        self._batch_shape = standardize_shape(batch_shape)
        self._input_dtype = backend.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        if self.ragged:
            raise NotImplementedError("Ragged inputs are not supported by tapeflow.")
        self.optional = optional
        self.built = True
        if input_tensor is None:
            input_tensor = KerasTensor(self._batch_shape, dtype=self._input_dtype,
                                       sparse=self.sparse, name=name)
        self._input_tensor = input_tensor
        Node(self, (), {}, input_tensor)

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def dtype(self):
        return self._input_dtype

    def call(self):
        return None

    def get_config(self):
        return {"batch_shape": self._batch_shape, "dtype": self._input_dtype,
                "sparse": self.sparse, "ragged": self.ragged, "name": self.name,
                "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic input of a functional model (`tf.keras.Input`).

    Args:
      shape: the shape of one sample, without the batch dimension (`(28, 28, 1)`).
      batch_size: an optional static batch size.
      dtype: the input dtype (default `"float32"`).
      batch_shape: the full shape, batch dimension included (instead of `shape`).
      name: the name of the InputLayer.
      tensor: an existing KerasTensor to wrap.

    Returns:
      A KerasTensor.

    >>> Input(shape=(4,)).shape
    (None, 4)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional)
    return layer.output
