"""From what users pass to `fit`/`evaluate`/`predict` to batches of tensors.

Inputs and how they are batched (Keras 3's rules):

- arrays (NumPy arrays, tensors, or nested lists/tuples/dicts of them):
  sliced into batches of `batch_size` (default 32), the last one partial;
  `shuffle=True` draws a new permutation every epoch, `shuffle="batch"`
  shuffles within each batch;
- `tf.data.Dataset`s (anything with `element_spec`, iterable): used as they
  are, one element per step; the number of steps comes from `cardinality()`;
- `keras.utils.PyDataset` (`__len__` + `__getitem__`): one item per step;
- Python generators: one item per step, the epoch ends when they stop.

A batch is `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`;
`unpack_x_y_sample_weight` reads any of these. `EpochIterator` walks the
batches of one epoch, and with `steps_per_epoch` keeps its place across
epochs, as Keras does.
"""
import math
import types
import warnings

from tapeflow.core import nest
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tensor import Tensor, wrap
from tapeflow.core.variable import Variable
from tapeflow.distribute.context import broadcast_from_chief


# -- packing ---------------------------------------------------------------------------------

def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    >>> unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The tuple `fit` uses: `x` alone (or `(x,)` for a list/tuple x), `(x, y)`, `(x, y, sw)`."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return x, y
    return x, y, sample_weight


def class_weight_to_sample_weights(y, class_weight):
    """One weight per sample: `class_weight[label]` (1.0 for classes not listed).

    Labels are integers, or one-hot rows (their argmax), or a trailing axis of 1.
    """
    labels = xp.asarray(_to_numpy(y))
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = xp.round(labels).astype("int32")
    weights = xp.ones((labels.shape[0],), dtype="float32")
    for i, label in enumerate(labels.reshape(-1)[:labels.shape[0]]):
        weights[i] = class_weight.get(int(label), 1.0)
    return weights


def _to_numpy(x):
    if isinstance(x, (Tensor, Variable)):
        return x.numpy()
    return x


# -- arrays -----------------------------------------------------------------------------

def _is_array(x):
    return x is None or isinstance(x, (Tensor, Variable)) or hasattr(x, "__array__")


def _is_number_list(x):
    return isinstance(x, list) and x and all(
        isinstance(v, (int, float, list)) and not isinstance(v, bool) for v in x) and \
        all(isinstance(v, (int, float)) for v in nest.flatten(x))


def _standardize_arrays(structure):
    """Lists of Python numbers become arrays (TF 2 accepted them); arrays stay."""
    if _is_number_list(structure):
        return xp.asarray(structure)
    if isinstance(structure, dict):
        return {k: _standardize_arrays(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)) and not hasattr(structure, "_fields"):
        return type(structure)(_standardize_arrays(v) for v in structure)
    return structure


def can_convert_arrays(arrays):
    """Whether every leaf of `arrays` is an array, a tensor or None."""
    return all(_is_array(x) for x in nest.flatten(_standardize_arrays(arrays)))


def _num_rows(x):
    shape = x.shape
    if len(shape) == 0:
        raise ValueError("Expected all elements of `x` to be array-like with a batch "
                         f"dimension. Received a scalar: {x}")
    return int(shape[0])


def check_data_cardinality(data):
    """All arrays must have the same number of samples (Keras' error lists them)."""
    sizes = {_num_rows(x) for x in nest.flatten(data) if x is not None}
    if len(sizes) > 1:
        message = ("Data cardinality is ambiguous. Make sure all arrays contain the same "
                   "number of samples.")
        for label, part in zip(["x", "y", "sample_weight"], data):
            part_sizes = ", ".join(str(_num_rows(x)) for x in nest.flatten(part)
                                   if x is not None)
            message += f"'{label}' sizes: {part_sizes}\n"
        raise ValueError(message)


def train_validation_split(arrays, validation_split):
    """`(train, validation)`: the last `validation_split` of the samples is validation."""
    arrays = _standardize_arrays(arrays)
    flat = nest.flatten(arrays)
    unsplittable = [type(x) for x in flat if not _is_array(x)]
    if unsplittable:
        raise ValueError("Argument `validation_split` is only supported for tensors or "
                         f"NumPy arrays.Found incompatible type in the input: {unsplittable}")
    present = [x for x in flat if x is not None]
    if not present:
        return arrays, arrays
    total = _num_rows(present[0])
    split_at = int(math.floor(total * (1.0 - validation_split)))
    if split_at == 0 or split_at == total:
        raise ValueError(f"Training data contains {total} samples, which is not sufficient to "
                         "split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`. Either provide more data, "
                         "or a different value for the `validation_split` argument.")
    train = nest.map_structure(lambda x: None if x is None else _rows(x, 0, split_at), arrays)
    val = nest.map_structure(lambda x: None if x is None else _rows(x, split_at, total),
                             arrays)
    return train, val


def _rows(x, start, stop):
    return _as_numpy_array(x)[start:stop]


def _as_numpy_array(x):
    if isinstance(x, (Tensor, Variable)):
        return x.numpy()
    return x if isinstance(x, xp.ndarray) else xp.asarray(x)


class DataAdapter:
    """Base: `num_batches` (or None if unknown) and `get_iterator()` over one epoch."""

    num_batches = None
    batch_size = None

    def get_iterator(self):
        raise NotImplementedError

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


class ArrayDataAdapter(DataAdapter):
    """Batches of NumPy arrays or tensors, sliced by row (optionally shuffled)."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, class_weight=None):
        x, y, sample_weight = _standardize_arrays((x, y, sample_weight))
        if not can_convert_arrays((x, y, sample_weight)):
            raise ValueError(f"Expected all elements of `x` to be array-like. Received "
                             f"invalid types: x={x}")
        sample_weight = _standardize_sample_weight(y, sample_weight, class_weight)
        if class_weight is not None:
            if nest.is_nested(y):
                raise ValueError("`class_weight` is only supported for Models with a single "
                                 "output.")
            sample_weight = class_weight_to_sample_weights(y, class_weight)
        inputs = pack_x_y_sample_weight(x, y, sample_weight)
        check_data_cardinality(inputs if isinstance(inputs, tuple) else (inputs,))
        self._inputs = nest.map_structure(
            lambda a: None if a is None else _as_numpy_array(a), inputs)
        present = [a for a in nest.flatten(self._inputs) if a is not None]
        self.num_samples = _num_rows(present[0])
        if not batch_size:
            batch_size = int(math.ceil(self.num_samples / steps)) if steps else 32
        self.batch_size = batch_size
        self.num_batches = int(math.ceil(self.num_samples / batch_size))
        self.partial_batch_size = self.num_samples % batch_size
        self._shuffle = shuffle

    def _epoch_order(self):
        if self._shuffle and self._shuffle != "batch":
            return broadcast_from_chief(xp.random.permutation(self.num_samples))
        order = xp.arange(self.num_samples)
        if self._shuffle == "batch":
            for start in range(0, self.num_samples, self.batch_size):
                xp.random.shuffle(order[start:start + self.batch_size])
            order = broadcast_from_chief(order)   # all replicas split the same batches
        return order

    def get_iterator(self):
        order = self._epoch_order()
        sequential = not self._shuffle
        for start in range(0, self.num_samples, self.batch_size):
            stop = min(start + self.batch_size, self.num_samples)
            if sequential:
                yield nest.map_structure(lambda a: _slice_tensor(a, start, stop),
                                         self._inputs)
            else:
                rows = order[start:stop]
                yield nest.map_structure(lambda a: _gather_tensor(a, rows), self._inputs)


def _slice_tensor(array, start, stop):
    return None if array is None else convert_to_tensor(array[start:stop])


def _gather_tensor(array, rows):
    return None if array is None else convert_to_tensor(array[rows])


def _standardize_sample_weight(y, sample_weight, class_weight):
    if sample_weight is None:
        return None
    if class_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
    if not nest.is_nested(y) or isinstance(sample_weight, (list, tuple, dict)):
        if nest.is_nested(y):
            try:
                nest.assert_same_structure(y, sample_weight)
            except (ValueError, TypeError):
                raise ValueError("You should provide one `sample_weight` array per output in "
                                 "`y`. The two structures did not match:\n"
                                 f"- y: {y}\n- sample_weight: {sample_weight}\n") from None
        return sample_weight
    shape = sample_weight.shape
    if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
        raise ValueError("For a model with multiple outputs, when providing a single "
                         "`sample_weight` array, it should only have one scalar score per "
                         "sample (i.e. shape `(num_samples,)`). If you want to use non-scalar "
                         "sample weights, pass a `sample_weight` argument with one array per "
                         "model output.")
    return nest.map_structure(lambda _: sample_weight, y)


# -- datasets, PyDatasets, generators -----------------------------------------------------

def is_dataset(x):
    """A `tf.data.Dataset` (tapeflow's, or anything shaped like one)."""
    return hasattr(x, "element_spec") and hasattr(x, "__iter__") and \
        not isinstance(x, (Tensor, Variable))


class DatasetAdapter(DataAdapter):
    """Each dataset element is one batch; class weights are applied per batch."""

    def __init__(self, dataset, class_weight=None):
        self._dataset = dataset
        self._class_weight = class_weight
        self.num_batches = _cardinality(dataset)

    def get_iterator(self):
        for batch in self._dataset:
            yield _with_class_weight(batch, self._class_weight)


def _cardinality(dataset):
    cardinality = getattr(dataset, "cardinality", None)
    if cardinality is None:
        return None
    value = int(cardinality() if callable(cardinality) else cardinality)
    return value if value >= 0 else None


def _with_class_weight(batch, class_weight):
    if not class_weight:
        return batch
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    if y is None:
        raise ValueError("`class_weight` requires targets: the data must yield `(x, y)`.")
    if nest.is_nested(y):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    weights = wrap(class_weight_to_sample_weights(y, class_weight))
    if sample_weight is not None:
        weights = weights * convert_to_tensor(sample_weight, dtype="float32")
    return x, y, weights


class PyDataset:
    """Base class of indexable datasets (`keras.utils.PyDataset`, TF 2's `Sequence`).

    Implement `__len__` (the number of batches) and `__getitem__(index)` (one
    batch: `x`, `(x, y)` or `(x, y, sample_weight)`); `on_epoch_end` is called
    after each epoch.

    Args:
      workers, use_multiprocessing, max_queue_size: accepted for compatibility;
        batches are read in order on the calling thread.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return self._workers

    @property
    def use_multiprocessing(self):
        return self._use_multiprocessing

    @property
    def max_queue_size(self):
        return self._max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    @property
    def num_batches(self):
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


class PyDatasetAdapter(DataAdapter):
    """One `__getitem__` per step; `shuffle=True` visits the indices in random order."""

    def __init__(self, dataset, class_weight=None, shuffle=False):
        self._dataset = dataset
        self._class_weight = class_weight
        self._shuffle = shuffle
        self.num_batches = dataset.num_batches if isinstance(dataset, PyDataset) \
            else len(dataset)

    def get_iterator(self):
        if self.num_batches is None:
            index = 0
            while True:
                yield _to_tensors(_with_class_weight(self._dataset[index], self._class_weight))
                index += 1
        order = list(range(self.num_batches))
        if self._shuffle:
            xp.random.shuffle(order)
            order = broadcast_from_chief(xp.asarray(order)).tolist()
        for index in order:
            yield _to_tensors(_with_class_weight(self._dataset[index], self._class_weight))

    def on_epoch_begin(self):
        getattr(self._dataset, "on_epoch_begin", lambda: None)()

    def on_epoch_end(self):
        getattr(self._dataset, "on_epoch_end", lambda: None)()


class GeneratorDataAdapter(DataAdapter):
    """A Python generator: one yielded item per step (it can be walked once)."""

    def __init__(self, generator):
        self._generator = generator

    def get_iterator(self):
        for batch in self._generator:
            yield _to_tensors(batch)


def _to_tensors(batch):
    if isinstance(batch, list):
        batch = tuple(batch)
    return nest.map_structure(
        lambda a: a if a is None or isinstance(a, (Tensor, str)) else convert_to_tensor(a),
        batch)


def _is_sequence_like(x):
    """A PyDataset, or an indexable class named like one (TF 2's `keras.utils.Sequence`)."""
    if isinstance(x, PyDataset):
        return True
    return hasattr(x, "__getitem__") and hasattr(x, "__len__") and any(
        cls.__name__ in ("PyDataset", "Sequence") for cls in type(x).__mro__)


def _unsupported(arg_name, description, input_type):
    return ValueError(f"When providing `x` as a {input_type}, `{arg_name}` should not be "
                      f"passed. Instead, {description} should be included as part of the "
                      f"{input_type}.")


def _kind_of(x):
    """"tf.data.Dataset", "PyDataset" or "generator" for a non-array input."""
    if is_dataset(x):
        return "tf.data.Dataset"
    if _is_sequence_like(x):
        return "PyDataset"
    if isinstance(x, types.GeneratorType) or (hasattr(x, "__next__") and
                                              hasattr(x, "__iter__")):
        return "generator"
    raise ValueError(f"Unrecognized data type: x={x} (of type {type(x)})")


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                     shuffle=False, class_weight=None):
    """The DataAdapter for this kind of input (see the module docstring)."""
    if isinstance(x, DataAdapter):
        return x
    if x is None:
        raise ValueError(f"Unrecognized data type: x={x} (of type {type(x)})")
    if can_convert_arrays((x, y, sample_weight)):
        return ArrayDataAdapter(x, y, sample_weight=sample_weight, batch_size=batch_size,
                                steps=steps_per_epoch, shuffle=shuffle,
                                class_weight=class_weight)
    kind = _kind_of(x)
    if y is not None:
        raise _unsupported("y", "the targets", kind)
    if sample_weight is not None:
        raise _unsupported("sample_weights", "the sample weights", kind)
    if kind == "generator" and class_weight is not None:
        raise ValueError("Argument `class_weight` is not supported for Python generator "
                         f"inputs. Received: class_weight={class_weight}")
    if shuffle and kind != "PyDataset":
        how = " (via `.shuffle(buffer_size)`)." if kind == "tf.data.Dataset" else "."
        warnings.warn(f"`shuffle=True` was passed, but will be ignored since the data `x` was "
                      f"provided as a {kind}. The {kind} is expected to already be "
                      f"shuffled{how}", stacklevel=3)
    if kind == "tf.data.Dataset":
        return DatasetAdapter(x, class_weight=class_weight)
    if kind == "PyDataset":
        return PyDatasetAdapter(x, class_weight=class_weight, shuffle=shuffle)
    return GeneratorDataAdapter(x)


# -- epochs ----------------------------------------------------------------------------------

class EpochIterator:
    """Yields `(step, batch)` for one epoch at a time.

    Without `steps_per_epoch`, each epoch walks all the data. With it, each
    epoch takes that many batches, continuing from where the last epoch
    stopped and restarting the data when it is used up (Keras' behaviour).
    Data that runs out before the epoch's planned steps (data of unknown
    length in its first epoch, a generator, or too few batches for
    `steps_per_epoch`) ends the epoch with Keras' "ran out of data" warning.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                 shuffle=False, class_weight=None):
        self.steps_per_epoch = steps_per_epoch
        self.data_adapter = get_data_adapter(x, y, sample_weight=sample_weight,
                                             batch_size=batch_size,
                                             steps_per_epoch=steps_per_epoch,
                                             shuffle=shuffle, class_weight=class_weight)
        self._num_batches = self.data_adapter.num_batches
        self._iterator = None
        self._steps_seen = 0
        self.ran_out = False

    @property
    def num_batches(self):
        """Steps per epoch: `steps_per_epoch`, else the data's batch count (None: unknown)."""
        return self.steps_per_epoch or self._num_batches

    def reset(self):
        self._iterator = None
        self._steps_seen = 0
        self.ran_out = False

    def __iter__(self):
        return self._enumerate()

    def _enumerate(self):
        self.data_adapter.on_epoch_begin()
        steps = self.steps_per_epoch or self._num_batches
        if self._iterator is None or self.steps_per_epoch is None:
            self._iterator = iter(self.data_adapter.get_iterator())
            self._steps_seen = 0
        step = 0
        while steps is None or step < steps:
            if self._num_batches and self._steps_seen >= self._num_batches:
                self._data_exhausted()
                break
            try:
                batch = next(self._iterator)
            except StopIteration:      # Keras warns whenever the data ends mid-epoch
                self._iterator = None
                if self._num_batches is None:
                    self._num_batches = self._steps_seen
                self._interrupted()
                break
            self._steps_seen += 1
            yield step, batch
            step += 1
        if self._num_batches and self._steps_seen >= self._num_batches:
            self._iterator = None
        self.data_adapter.on_epoch_end()

    def _data_exhausted(self):
        if self.steps_per_epoch:
            self._interrupted()
        self._iterator = None

    def _interrupted(self):
        self.ran_out = True
        warnings.warn("Your input ran out of data; interrupting training. Make sure that your "
                      "dataset or generator can generate at least `steps_per_epoch * epochs` "
                      "batches. You may need to use the `.repeat()` function when building "
                      "your dataset.", stacklevel=4)
