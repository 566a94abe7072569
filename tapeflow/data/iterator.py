"""The iterators users hold: OwnedIterator (Tensors) and NumpyIterator (NumPy values).

Both wrap the dataset's internal iterator of component tuples and pack each
element into its nested structure at the last moment. Dropping one (a `break`
out of a `for` loop) releases the internal chain, which stops any worker
threads it started (see parallel.py).
"""
from tapeflow.core import nest
from tapeflow.core.errors import OutOfRangeError
from tapeflow.data import structure
from tapeflow.data.dataset import DatasetV2
from tapeflow.data.structure import DatasetSpec


class OwnedIterator:
    """An iterator over a dataset's elements as Tensors (TF's `OwnedIterator`)."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._element_spec = dataset.element_spec
        self._pack = structure.make_packer(self._element_spec)
        self._components = dataset._iterate()

    @property
    def element_spec(self):
        return self._element_spec

    def __iter__(self):
        return self

    def __next__(self):
        return self._pack(next(self._components))

    def next(self):
        return self.__next__()

    def get_next(self):
        """The next element; OutOfRangeError at the end (instead of StopIteration)."""
        try:
            return self.__next__()
        except StopIteration:
            raise OutOfRangeError(None, None, "End of sequence [Op:IteratorGetNext]") from None

    def get_next_as_optional(self):
        """An Optional holding the next element, or no value at the end."""
        try:
            return Optional(self.__next__(), self._element_spec)
        except StopIteration:
            return Optional(None, self._element_spec, has_value=False)

    def _close(self):
        close = getattr(self._components, "close", None)
        if close is not None:
            close()
        self._components = iter(())


class NumpyIterator:
    """An iterator over a dataset's elements as NumPy arrays (`as_numpy_iterator`)."""

    def __init__(self, dataset):
        for spec in structure.flat_specs(dataset.element_spec):
            if isinstance(spec, DatasetSpec):
                raise TypeError("`tf.data.Dataset.as_numpy_iterator()` is not supported for "
                                "datasets that produce values of type "
                                f"{DatasetV2}")
        self._element_spec = dataset.element_spec
        self._components = dataset._iterate()
        self._single = not nest.is_nested(self._element_spec)

    def __iter__(self):
        return self

    def __next__(self):
        components = next(self._components)
        if self._single:
            return structure.to_numpy(components[0])
        return nest.pack_sequence_as(self._element_spec,
                                     [structure.to_numpy(c) for c in components])

    def next(self):
        return self.__next__()

    def __repr__(self):
        return f"NumpyIterator(iterator={object.__repr__(self)})"


class Optional:
    """A value that may be absent (TF's `tf.experimental.Optional`)."""

    def __init__(self, value, element_spec, has_value=True):
        self._value = value
        self._element_spec = element_spec
        self._has_value = has_value

    @property
    def element_spec(self):
        return self._element_spec

    def has_value(self, name=None):
        from tapeflow.core.convert import constant
        return constant(self._has_value)

    def get_value(self, name=None):
        if not self._has_value:
            from tapeflow.core.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, "The given optional does not have a value. "
                                       "[Op:OptionalGetValue]")
        return self._value

    @staticmethod
    def empty(element_spec):
        return Optional(None, element_spec, has_value=False)

    @staticmethod
    def from_value(value):
        normalized = structure.normalize(value)
        return Optional(normalized, structure.structure_spec(normalized))
