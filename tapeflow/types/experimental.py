"""`tf.types.experimental`: the types TF names for annotating functions."""
import typing as _typing

import numpy as _np

from tapeflow.core.tensor import Tensor as _Tensor
from tapeflow.core.variable import Variable as _Variable
from tapeflow.graph.concrete import ConcreteFunction  # noqa: F401 - TF's name
from tapeflow.graph.function import Function as PolymorphicFunction
from tapeflow.ops.indexed_slices import IndexedSlices as _IndexedSlices

GenericFunction = PolymorphicFunction
Callable = _typing.Callable

# Anything ops accept as a tensor input (TF's `tf.types.experimental.TensorLike`).
TensorLike = _typing.Union[_Tensor, _Variable, _IndexedSlices, _np.ndarray, _np.number, int,
                           float, complex, bool, str, bytes, tuple, list]
