"""Datasets built from values: from_tensors, from_tensor_slices, range, zip, from_generator.

(File sources - TextLineDataset, CsvDataset, list_files - are in readers.py.)
"""
import itertools

from tapeflow.core import dtypes, nest
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import InvalidArgumentError, UnknownError, op_error
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.data import structure
from tapeflow.data.dataset import Dataset, int_arg, iteration_error
from tapeflow.data.options import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
from tapeflow.data.structure import DatasetSpec


def _check_not_empty(normalized):
    if nest.is_nested(normalized) and not nest.flatten(normalized):
        raise ValueError("Invalid `element`. `element` should not be empty.")


def _eager_components(normalized):
    """The components of a normalized value, or None if a leaf is symbolic (tracing)."""
    leaves = nest.flatten(normalized)
    if any(isinstance(leaf, TensorLike) and leaf._value is None for leaf in leaves):
        return None
    return structure.components_of(normalized)


def _symbolic_error():
    return TypeError("This dataset was built from symbolic tensors while tracing a "
                     "function; it cannot be iterated.")


class _TensorDataset(Dataset):
    """One element: the given value."""

    def __init__(self, tensors):
        normalized = structure.normalize(tensors)
        if nest.is_nested(normalized) and not nest.flatten(normalized):
            raise op_error("TensorDataset", "Length for attr 'Toutput_types' of 0 must be at "
                           "least minimum 1")
        self._element_spec = structure.structure_spec(normalized)
        self._components = _eager_components(normalized)

    def _iterator(self, ctx):
        if self._components is None:
            raise _symbolic_error()
        return iter((self._components,))

    def _cardinality(self):
        return 1


class _TensorSliceDataset(Dataset):
    """The slices of each component along its first dimension."""

    def __init__(self, tensors):
        normalized = structure.normalize(tensors)
        _check_not_empty(normalized)
        spec = structure.structure_spec(normalized)
        self._element_spec = structure.without_batch_dim(
            spec, "Unbatching a tensor is only supported for rank >= 1")
        self._count = _common_first_dim(structure.flat_specs(spec))
        self._components = _eager_components(normalized)

    def _iterator(self, ctx):
        if self._components is None:
            raise _symbolic_error()
        return zip(*[_rows(c) for c in self._components])

    def _cardinality(self):
        return UNKNOWN_CARDINALITY if self._count is None else self._count


def _common_first_dim(specs):
    first = None
    for spec in specs:
        if isinstance(spec, DatasetSpec) or spec.dims is None:
            continue
        dim = spec.dims[0]
        if dim is None:
            continue
        if first is not None and dim != first:
            raise ValueError(f"Dimensions {first} and {dim} are not compatible")
        first = dim
    return first


def _rows(array):
    """The slices `array[i]`, as views (NumPy scalars for numbers, 0-d arrays for strings)."""
    if array.ndim == 1 and array.dtype == object:
        return (array[i, ...] for i in range(array.shape[0]))
    return iter(array)


class _RangeDataset(Dataset):
    """`range(stop)`, `range(start, stop[, step])`, as `output_type` scalars."""

    _CHUNK = 4096

    def __init__(self, *args, output_type=dtypes.int64, name=None):
        if not 1 <= len(args) <= 3:
            raise ValueError("Invalid `args`. The length of `args` should be between 1 and 3 "
                             f"but was {len(args)}.")
        self._dtype = dtypes.as_dtype(output_type)
        self._element_spec = TensorSpec((), self._dtype)
        self._symbolic = any(isinstance(a, TensorLike) and a._value is None for a in args)
        if self._symbolic:   # built while tracing a function: a spec but no elements
            return
        names = ("stop",) if len(args) == 1 else ("start", "stop", "step")
        values = dict(zip(names, (int_arg(a, n) for a, n in zip(args, names))))
        self._start = values.get("start", 0)
        self._stop = values["stop"]
        self._step = values.get("step", 1)
        if self._step == 0:
            raise op_error("RangeDataset", "step must be a non-zero integer.")

    def _iterator(self, ctx):
        if self._symbolic:
            raise _symbolic_error()
        numbers = range(self._start, self._stop, self._step)
        np_dtype = self._dtype._np
        for begin in range(0, len(numbers), self._CHUNK):
            chunk = numbers[begin:begin + self._CHUNK]
            yield from zip(xp.arange(chunk.start, chunk.stop, chunk.step).astype(np_dtype))

    def _cardinality(self):
        if self._symbolic:
            return UNKNOWN_CARDINALITY
        return len(range(self._start, self._stop, self._step))


class _CounterDataset(Dataset):
    """start, start + step, ... forever."""

    def __init__(self, start, step, dtype):
        self._dtype = dtypes.as_dtype(dtype)
        self._start = int_arg(start, "start")
        self._step = int_arg(step, "step")
        self._element_spec = TensorSpec((), self._dtype)

    def _iterator(self, ctx):
        scalar = self._dtype._np.type
        for value in itertools.count(self._start, self._step):
            yield (scalar(value),)

    def _cardinality(self):
        return INFINITE_CARDINALITY


def counter(start=0, step=1, dtype=dtypes.int64):
    return _CounterDataset(start, step, dtype)


# -- zip ---------------------------------------------------------------------------------------

class _ZipDataset(Dataset):
    """Elements of several datasets side by side; stops with the shortest."""

    def __init__(self, datasets_structure, cardinality=None):
        self._structure = datasets_structure
        self._inputs = tuple(nest.flatten(datasets_structure))
        self._element_spec = nest.map_structure(lambda d: d.element_spec, datasets_structure)
        self._fixed_cardinality = cardinality

    def _iterator(self, ctx):
        iterators = [d._iterate(ctx) for d in self._inputs]
        if len(iterators) == 2:
            return (a + b for a, b in zip(*iterators))
        return (tuple(itertools.chain.from_iterable(parts)) for parts in zip(*iterators))

    def _cardinality(self):
        if self._fixed_cardinality is not None:
            return self._fixed_cardinality
        counts = [d._cardinality() for d in self._inputs]
        if UNKNOWN_CARDINALITY in counts:
            return UNKNOWN_CARDINALITY
        finite = [n for n in counts if n != INFINITE_CARDINALITY]
        return min(finite) if finite else INFINITE_CARDINALITY


def zip_datasets(args, datasets):
    if args and datasets is not None:
        raise TypeError("Both `*args` and `datasets` cannot be set.")
    if datasets is None:
        if not args:
            raise TypeError("Must pass at least one dataset to `zip`.")
        datasets = args[0] if len(args) == 1 else tuple(args)
    _check_zip_structure(datasets)
    return _ZipDataset(datasets)


def _check_zip_structure(datasets):
    if isinstance(datasets, list):
        raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures "
                        "of `tf.data.Dataset` objects. Python `list` is not supported and you "
                        "should use `tuple` instead.")
    if nest.is_nested(datasets):
        for item in nest._children(datasets):
            _check_zip_structure(item)
    elif not isinstance(datasets, Dataset):
        raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures "
                        "of `tf.data.Dataset` objects but encountered object of type "
                        f"{type(datasets)}.")


# -- from_generator ----------------------------------------------------------------------------

class _GeneratorDataset(Dataset):
    """The elements yielded by `generator(*args)`, called anew for each pass."""

    _repr_name = "_FlatMapDataset"

    def __init__(self, generator, element_spec, args):
        self._generator = generator
        self._element_spec = element_spec
        self._specs = nest.flatten(element_spec)
        self._args = args

    def _iterator(self, ctx):
        # Converting is separate from generating, so a bad value fails only its element.
        return _MapIterator(self._generate(), self._convert)

    def _generate(self):
        iterator = iter(self._generator(*self._args))
        try:
            while True:
                try:
                    value = next(iterator)
                except StopIteration:
                    return
                except Exception as error:   # the generator itself is finished
                    raise iteration_error(
                        UnknownError,
                        f"{type(error).__name__}: {error}") from error
                yield value
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def _convert(self, value):
        try:
            leaves = nest.flatten_up_to(self._element_spec, value)
        except (TypeError, ValueError):
            expected = nest.map_structure(lambda s: s.dtype, self._element_spec)
            raise iteration_error(
                InvalidArgumentError,
                "TypeError: `generator` yielded an element that did not match the "
                f"expected structure. The expected structure was {expected}, but the yielded "
                f"element was {value}.") from None
        return tuple(_convert_yielded(leaf, spec) for leaf, spec in zip(leaves, self._specs))


class _MapIterator:
    """`convert(value)` for each value of `values`; a failed conversion fails one element."""

    __slots__ = ("_values", "_convert")

    def __init__(self, values, convert):
        self._values = values
        self._convert = convert

    def __iter__(self):
        return self

    def __next__(self):
        return self._convert(next(self._values))


def _convert_yielded(value, spec):
    try:
        if spec.dtype is dtypes.string:
            array = convert_to_tensor(value, dtype=dtypes.string)._value
        else:
            array = xp.asarray(value, dtype=spec.dtype._np)
    except (TypeError, ValueError):
        raise iteration_error(
            InvalidArgumentError,
            "TypeError: `generator` yielded an element that could not be converted "
            f"to the expected type. The expected type was {spec.dtype.name}, but the yielded "
            f"element was {value}.") from None
    if not spec.shape.is_compatible_with(array.shape):
        raise iteration_error(
            InvalidArgumentError,
            f"TypeError: `generator` yielded an element of shape {array.shape} "
            f"where an element of shape {spec.shape} was expected.")
    return array


def from_generator(generator, output_types, output_shapes, args, output_signature):
    if not callable(generator):
        raise TypeError("`generator` must be a Python callable.")
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError("The `output_types` and `output_shapes` arguments cannot be used "
                            "together with the `output_signature` argument.")
        element_spec = nest.map_structure(_as_spec, output_signature)
    else:
        if output_types is None:
            raise TypeError("To specify the output signature you need to provide either the "
                            "`output_signature` argument or the `output_types` argument.")
        element_spec = _spec_from_types(output_types, output_shapes)
    arg_values = tuple(structure.to_numpy(convert_to_tensor(a)._value) for a in args or ())
    return _GeneratorDataset(generator, element_spec, arg_values)


def _as_spec(spec):
    if not isinstance(spec, TensorSpec):
        raise TypeError("Invalid `output_signature`. `output_signature` must contain "
                        f"`tf.TypeSpec` objects, but got {spec!r}.")
    return TensorSpec(spec.dims, spec.dtype)


def _spec_from_types(output_types, output_shapes):
    if output_shapes is None:
        return nest.map_structure(lambda t: TensorSpec(None, t), output_types)
    shapes = nest.flatten_up_to(output_types, output_shapes)
    flat = [TensorSpec(TensorShape(s) if s is not None else None, t)
            for t, s in zip(nest.flatten(output_types), shapes)]
    return nest.pack_sequence_as(output_types, flat)
