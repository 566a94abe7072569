"""`keras.Variable`: a tapeflow Variable with Keras 3's name, path and regularizer.

Layers create their weights as KerasVariables, so GradientTape, optimizers and
`tf.function` treat them like any `tf.Variable`. On top of that a KerasVariable
has Keras 3's face: `name` is the short name (`"kernel"`), `path` the full one
(`"sequential/dense/kernel"`), `trainable` can be set, `value` is a property,
and it carries the `regularizer` that `layer.losses` applies to it.
"""
from tapeflow.core import dtypes as _dtypes
from tapeflow.core.context import init_scope
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.variable import Variable, VariableAggregation, VariableSynchronization
from tapeflow.keras import backend

_AGGREGATIONS = {"none": VariableAggregation.NONE, "mean": VariableAggregation.MEAN,
                 "sum": VariableAggregation.SUM,
                 "only_first_replica": VariableAggregation.ONLY_FIRST_REPLICA}
_SYNCHRONIZATIONS = {"auto": VariableSynchronization.AUTO,
                     "none": VariableSynchronization.NONE,
                     "on_read": VariableSynchronization.ON_READ,
                     "on_write": VariableSynchronization.ON_WRITE}


class KerasVariable(Variable):
    """A Keras weight (`tf.keras.Variable`): a `tf.Variable` with a path.

    Args:
      initializer: an initial value (array, tensor), or a callable
        `initializer(shape, dtype)` (then `shape` is required).
      shape: the variable's shape, needed with a callable initializer.
      dtype: the dtype (default: `keras.backend.floatx()` for callables, the
        value's dtype otherwise).
      trainable: whether optimizers should update it.
      autocast: kept for Keras compatibility (mixed precision casts on read).
      aggregation, synchronization: distribution hints (`"none"`, `"mean"`, ...).
      name: the short name (no `/`); default `"variable"`, `"variable_1"`, ...

    >>> v = KerasVariable([1.0, 2.0], name="w")
    >>> v.name, v.path
    ('w', 'w')
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None):
        if name is None:
            name = backend.unique_object_name("variable")
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        path = backend.current_path()
        self._keras_name = name
        self._path = f"{path}/{name}" if path else name
        self._autocast = autocast
        self.regularizer = None
        self.overwrite_with_gradient = False
        initial_value = _initial_value(initializer, shape, dtype)
        super().__init__(initial_value, trainable=trainable, name=name,
                         aggregation=_AGGREGATIONS.get(aggregation, aggregation),
                         synchronization=_SYNCHRONIZATIONS.get(synchronization,
                                                               synchronization))
        self._name = name + ":0"

    @property
    def name(self):
        return self._keras_name

    @property
    def path(self):
        return self._path

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    @property
    def constraint(self):
        return self._constraint

    @constraint.setter
    def constraint(self, value):
        self._constraint = value

    @property
    def value(self):
        """The current value, as a tensor (a recorded read, like `read_value()`)."""
        return self.read_value()

    @property
    def aggregation(self):
        return _enum_name(self._aggregation)

    @property
    def synchronization(self):
        return _enum_name(self._synchronization)

    def __repr__(self):
        value = self.numpy()
        text = str(value)
        return (f"<Variable path={self._path}, shape={tuple(self.shape.as_list())}, "
                f"dtype={self._dtype.name}, value={text}>")

    def __deepcopy__(self, memo):
        new = KerasVariable(self.numpy(), dtype=self._dtype, trainable=self._trainable,
                            name=self._keras_name)
        new._path = self._path
        new.regularizer = self.regularizer
        new._constraint = self._constraint
        memo[id(self)] = new
        return new

    def __reduce__(self):
        return _rebuild, (self.numpy(), self._trainable, self._keras_name, self._path)


def _enum_name(value):
    return value.name.lower() if hasattr(value, "name") else value


def _initial_value(initializer, shape, dtype):
    """The initial tensor: `initializer(shape, dtype)` run eagerly, or the given value."""
    if callable(initializer) and not hasattr(initializer, "shape"):
        if shape is None:
            raise ValueError("When creating a Variable from an initializer, the `shape` "
                             "argument should be specified. Received: "
                             f"initializer={initializer} and shape={shape}")
        dtype = backend.standardize_dtype(dtype)
        shape = tuple(int(d) for d in shape)
        with init_scope():
            return convert_to_tensor(initializer(shape, dtype=dtype), dtype=dtype)
    with init_scope():
        value = initializer
        if dtype is not None:
            value = convert_to_tensor(value, dtype_hint=_dtypes.as_dtype(
                backend.standardize_dtype(dtype)))
            if value.dtype != backend.standardize_dtype(dtype):
                from tapeflow.ops.math import cast
                value = cast(value, backend.standardize_dtype(dtype))
        if shape is not None and tuple(convert_to_tensor(value).shape) != tuple(shape):
            raise ValueError(f"Initial value has shape {tuple(convert_to_tensor(value).shape)}"
                             f", but the variable's `shape` argument is {tuple(shape)}.")
        return value


def _rebuild(value, trainable, name, path):
    variable = KerasVariable(value, trainable=trainable, name=name)
    variable._path = path
    return variable
