"""Element structures: how a dataset element travels through a pipeline.

A user sees an element as a nested structure (tuples, dicts, namedtuples) of
Tensors. Inside the pipeline it travels as a flat tuple of *components*, one
per leaf of that structure, in `tf.nest` order: an ndarray (or NumPy scalar)
for a tensor, a Dataset for a nested dataset (`window`). The structure is kept
once, on the dataset, as its `element_spec`; elements are packed into Tensors
only where user code sees them (iteration and user functions), so batching and
shuffling move plain arrays.

As in tf.data, lists are not structure: `[1, 2]` is one tensor, not two.
"""
import collections.abc as _abc

from tapeflow.core import nest
from tapeflow.core.array_api import ndarray, xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, TensorLike, wrap


class DatasetSpec:
    """The spec of a nested dataset element (TF's `tf.data.DatasetSpec`)."""

    __slots__ = ("_element_spec", "_dataset_shape")

    def __init__(self, element_spec, dataset_shape=()):
        self._element_spec = element_spec
        self._dataset_shape = TensorShape(dataset_shape)

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def shape(self):
        return self._dataset_shape

    @staticmethod
    def from_value(value):
        return DatasetSpec(value.element_spec)

    def is_compatible_with(self, other):
        return isinstance(other, DatasetSpec) and specs_compatible(self._element_spec,
                                                                   other._element_spec)

    def __eq__(self, other):
        return (isinstance(other, DatasetSpec) and self._element_spec == other._element_spec
                and self._dataset_shape == other._dataset_shape)

    def __hash__(self):
        return hash(("DatasetSpec", repr(self._element_spec)))

    def __repr__(self):
        return f"DatasetSpec({self._element_spec!r}, {self._dataset_shape!r})"


_dataset_class = []


def _is_dataset(value):
    if not _dataset_class:   # dataset.py imports this module, so look the class up late
        from tapeflow.data.dataset import Dataset
        _dataset_class.append(Dataset)
    return isinstance(value, _dataset_class[0])


# -- from user values to components --------------------------------------------------------

def normalize(value, name="element"):
    """`value` with every leaf converted to an EagerTensor (Datasets stay as they are).

    Tuples, namedtuples and dicts are structure; anything else (lists included)
    is converted to one tensor, with TF's conversion rules.
    """
    if isinstance(value, _abc.Mapping):
        return nest._rebuild(value, [normalize(value[k], name) for k in nest._sorted_keys(value)])
    if isinstance(value, tuple):
        return nest._rebuild(value, [normalize(item, name) for item in value])
    if _is_dataset(value) or isinstance(value, EagerTensor):
        return value
    if value is None:
        raise TypeError(f"Failed to convert the {name} to a tensor: None values are not "
                        "supported in tf.data elements.")
    return convert_to_tensor(value)


def components_of(normalized):
    """The flat components of a normalized structure (arrays and Datasets)."""
    return tuple(leaf._value if isinstance(leaf, TensorLike) else leaf
                 for leaf in nest.flatten(normalized))


def spec_of(value):
    """The spec of one leaf: a TensorSpec for a tensor or array, DatasetSpec for a dataset."""
    if _is_dataset(value):
        return DatasetSpec(value.element_spec)
    if isinstance(value, TensorLike):
        return TensorSpec(value._static_dims(), value.dtype)
    return TensorSpec(xp.shape(value), _dtype_of_array(value))


def _dtype_of_array(array):
    from tapeflow.core.dtypes import from_numpy
    return from_numpy(array.dtype)


def structure_spec(normalized):
    """The element spec of a normalized structure (same containers, specs as leaves)."""
    return nest.map_structure(spec_of, normalized)


def flat_specs(element_spec):
    return nest.flatten(element_spec)


# -- from components to user values --------------------------------------------------------

def make_packer(element_spec):
    """A fast function: flat components -> the nested structure of Tensors users see."""
    specs = nest.flatten(element_spec)
    to_value = [_leaf_packer(spec) for spec in specs]
    if not nest.is_nested(element_spec):
        convert = to_value[0]
        return lambda components: convert(components[0])
    if type(element_spec) is tuple and not any(nest.is_nested(s) for s in element_spec):
        return lambda components: tuple([f(c) for f, c in zip(to_value, components)])

    def pack(components):
        return nest.pack_sequence_as(element_spec,
                                     [f(c) for f, c in zip(to_value, components)])
    return pack


def _leaf_packer(spec):
    if isinstance(spec, DatasetSpec):
        return _identity
    return wrap


def _identity(value):
    return value


def to_numpy(component):
    """What `as_numpy_iterator` gives for a component: a NumPy array or scalar, unaliased."""
    if type(component) is not ndarray:
        return component                     # NumPy scalars are immutable
    if component.ndim == 0:
        return component[()]
    return component.copy() if component.base is not None else component


# -- comparing specs -----------------------------------------------------------------------

def specs_compatible(a, b):
    """True when two element specs have the same structure and compatible leaves."""
    try:
        nest.assert_same_structure(a, b)
    except (ValueError, TypeError):
        return False
    for x, y in zip(nest.flatten(a), nest.flatten(b)):
        if type(x) is not type(y):
            return False
        if isinstance(x, TensorSpec):
            if x.dtype is not y.dtype or not x.shape.is_compatible_with(y.shape):
                return False
        elif not x.is_compatible_with(y):
            return False
    return True


def most_specific_common_spec(a, b):
    """The spec both `a` and `b` fit (unknown dims where they differ)."""
    def common(x, y):
        if isinstance(x, TensorSpec):
            return TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype)
        return x
    return nest.map_structure(common, a, b)


def with_batch_dim(element_spec, batch_dim):
    """Each TensorSpec gets a leading dimension `batch_dim` (an int or None)."""
    def add(spec):
        if not isinstance(spec, TensorSpec):
            raise TypeError(f"Cannot batch elements of type {spec!r}.")
        dims = None if spec.dims is None else (batch_dim,) + spec.dims
        return TensorSpec(dims, spec.dtype)
    return nest.map_structure(add, element_spec)


def without_batch_dim(element_spec, error):
    """Each TensorSpec loses its leading dimension; `error` if one has rank 0."""
    def drop(spec):
        if spec.dims is None:
            return TensorSpec(None, spec.dtype)
        if len(spec.dims) == 0:
            raise ValueError(error)
        return TensorSpec(spec.dims[1:], spec.dtype)
    return nest.map_structure(drop, element_spec)


def leading_dim(element_spec):
    """The shared leading dimension of all components, or None if unknown or mixed."""
    dims = {spec.dims[0] if spec.dims else None for spec in nest.flatten(element_spec)}
    return dims.pop() if len(dims) == 1 else None
