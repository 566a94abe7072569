"""`tf.lookup`: static hash tables from key-value tensors or text files.

A table is built once (eagerly) into a Python dict; looking keys up is the op
LookupTableFindV2, whose attribute is the table itself, so lookups run inside
traced functions and `tf.data` maps like any op.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import FailedPreconditionError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike


def _find_infer(keys, default, table):
    return TensorSpec(keys.dims, table.value_dtype)


LookupTableFindV2 = Op("LookupTableFindV2", infer=_find_infer, differentiable=False)


@LookupTableFindV2.kernel
def _(keys, default, table):
    mapping, fallback = table._mapping, default[()] if default.ndim == 0 else default
    flat = [mapping.get(key, fallback) for key in keys.reshape(-1).tolist()]
    out = xp.empty(len(flat), dtype=object) if table.value_dtype is dtypes.string else \
        xp.array(flat, dtype=table.value_dtype._np)
    if table.value_dtype is dtypes.string:
        out[:] = flat if flat else out
    return out.reshape(keys.shape)


class TextFileIndex:
    """Special column indices of TextFileInitializer: the whole line, or its number."""
    WHOLE_LINE = -2
    LINE_NUMBER = -1


class KeyValueTensorInitializer:
    """Table contents from a tensor of keys and a tensor of values."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys = keys if isinstance(keys, TensorLike) else convert_to_tensor(
            keys, dtype=key_dtype)
        self._values = values if isinstance(values, TensorLike) else convert_to_tensor(
            values, dtype=value_dtype)
        self.key_dtype, self.value_dtype = self._keys.dtype, self._values.dtype

    def _pairs(self):
        return zip(self._keys.numpy().reshape(-1).tolist(),
                   self._values.numpy().reshape(-1).tolist())


class TextFileInitializer:
    """Table contents from a text file: one entry per line, columns split at `delimiter`.

    `key_index` / `value_index` pick a column, or TextFileIndex.WHOLE_LINE (-2) /
    TextFileIndex.LINE_NUMBER (-1).
    """

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index,
                 vocab_size=None, delimiter="\t", name=None, value_index_offset=0):
        self._filename = filename
        self.key_dtype, self.value_dtype = dtypes.as_dtype(key_dtype), dtypes.as_dtype(
            value_dtype)
        self._key_index, self._value_index = key_index, value_index
        self._vocab_size, self._delimiter = vocab_size, delimiter
        self._offset = value_index_offset

    def _column(self, line, number, index, dtype, offset=0):
        if index == TextFileIndex.LINE_NUMBER:
            value = number + offset
        elif index == TextFileIndex.WHOLE_LINE:
            value = line
        else:
            value = line.split(self._delimiter.encode())[index]
        if dtype is dtypes.string:
            return value if isinstance(value, bytes) else str(value).encode()
        return dtype._np.type(value).item()

    def _pairs(self):
        from tapeflow.io._files import path_text, read_bytes
        lines = read_bytes(path_text(self._filename)).splitlines()
        if self._vocab_size is not None:
            lines = lines[:self._vocab_size]
        for number, line in enumerate(lines):
            yield (self._column(line, number, self._key_index, self.key_dtype),
                   self._column(line, number, self._value_index, self.value_dtype,
                                self._offset))


class StaticHashTable:
    """A table that never changes after it is built (TF's `tf.lookup.StaticHashTable`).

    >>> import tapeflow as tf
    >>> table = tf.lookup.StaticHashTable(
    ...     tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2]), default_value=-1)
    >>> table.lookup(tf.constant(["a", "c"])).numpy()
    array([ 1, -1], dtype=int32)

    Raises:
      FailedPreconditionError: a key given twice with different values.
      TypeError: (lookup) keys of another dtype than the table's.
    """

    def __init__(self, initializer, default_value, name=None, experimental_is_anonymous=False):
        self.key_dtype, self.value_dtype = initializer.key_dtype, initializer.value_dtype
        self._default = convert_to_tensor(default_value, dtype=self.value_dtype)
        self._mapping = {}
        for key, value in initializer._pairs():
            previous = self._mapping.setdefault(key, value)
            if previous != value:
                shown = key.decode() if isinstance(key, bytes) else key
                raise FailedPreconditionError(None, None, "HashTable has different value for "
                                              f"same key. Key {shown} has {previous} and trying "
                                              f"to add value {value}")

    @property
    def default_value(self):
        return self._default

    def lookup(self, keys, name=None):
        """The value of each key (same shape), or the default for missing keys."""
        if not isinstance(keys, TensorLike):
            keys = convert_to_tensor(keys, dtype=self.key_dtype)
        if keys.dtype is not self.key_dtype:
            raise TypeError(f"Dtype of argument `keys` must be <dtype: '{self.key_dtype.name}'>"
                            f", received: <dtype: '{keys.dtype.name}'>")
        return apply(LookupTableFindV2, keys, self._default, table=self)

    __getitem__ = lookup

    def size(self, name=None):
        return convert_to_tensor(len(self._mapping), dtype=dtypes.int64)

    def export(self, name=None):
        """(keys, values) of the table."""
        keys, values = list(self._mapping), list(self._mapping.values())
        return (convert_to_tensor(keys, dtype=self.key_dtype) if keys else
                convert_to_tensor(xp.zeros(0, self.key_dtype._np if self.key_dtype is not
                                           dtypes.string else object), dtype=self.key_dtype),
                convert_to_tensor(values, dtype=self.value_dtype))

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

