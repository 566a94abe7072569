"""The Metric base class: state in variables, plus `update_state`, `result`, `reset_state`.

A metric accumulates statistics over batches in non-trainable variables (created
with `add_variable`, synchronized on read and summed across replicas, as Keras
does) and computes its value from them in `result()`. Every update is an assign
op, so a metric updated inside a traced train step keeps working.
"""
from tapeflow._util.naming import auto_name
from tapeflow.core import dtypes
from tapeflow.core.context import name_scope
from tapeflow.core.variable import Variable, VariableAggregation, VariableSynchronization
from tapeflow.ops.array import fill, zeros
from tapeflow.ops.math import cast

_AGGREGATIONS = {"none": VariableAggregation.NONE, "sum": VariableAggregation.SUM,
                 "mean": VariableAggregation.MEAN,
                 "only_first_replica": VariableAggregation.ONLY_FIRST_REPLICA}


class Metric:
    """Base class of metrics (`tf.keras.metrics.Metric`).

    Subclasses create their state in `__init__` with `add_variable` (or `add_weight`),
    and implement `update_state(...)` and `result()`. Calling a metric updates it
    and returns the new result.

    Args:
      dtype: the dtype of the metric's computations and result (float32).
      name: the metric name (default: the snake-case class name, made unique).

    >>> class Count(Metric):
    ...     def __init__(self, name="count"):
    ...         super().__init__(name=name)
    ...         self.n = self.add_variable((), "zeros", name="n")
    ...     def update_state(self, values):
    ...         self.n.assign_add(1.0)
    ...     def result(self):
    ...         return self.n.value()
    >>> metric = Count()
    >>> float(metric([1, 2])), float(metric([3]))
    (1.0, 2.0)
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = dtypes.as_dtype(dtype or "float32").name
        self._variables = []
        self._metrics = []

    @property
    def dtype(self):
        """The metric's dtype as a string ("float32"), as in Keras 3."""
        return self._dtype

    @property
    def variables(self):
        """The metric's state variables (and those of metrics it holds)."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Creates a state variable (non-trainable, read-synchronized, summed)."""
        _check_super_called(self)
        dtype = dtypes.as_dtype(dtype or self._dtype)
        shape = tuple(shape)
        with name_scope(f"{self.name.replace('/', '>')}/"):
            variable = Variable(lambda: _initial_value(initializer, shape, dtype), dtype=dtype,
                                name=name, trainable=False,
                                synchronization=VariableSynchronization.ON_READ,
                                aggregation=_AGGREGATIONS[aggregation or "none"])
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None, **kwargs):
        """`add_variable` with TF 2's defaults: `add_weight(name="tp", initializer="zeros")`
        and `add_weight("tp", ...)` (a name first) both work; zeros by default."""
        if isinstance(shape, str):        # TF 2's signature starts with `name`
            shape, name = kwargs.pop("shape", ()), shape
        return self.add_variable(shape, initializer if initializer is not None else "zeros",
                                 dtype=dtype, name=name)

    def reset_state(self):
        """Sets every state variable back to zero."""
        if type(self).reset_states is not Metric.reset_states:
            return self.reset_states()      # a TF 2 subclass overrode the old name
        self._zero_variables()

    def reset_states(self):
        """TF 2's name for `reset_state` (still used by many training loops)."""
        if type(self).reset_state is not Metric.reset_state:
            return self.reset_state()
        self._zero_variables()

    def _zero_variables(self):
        for variable in self.variables:
            variable.assign(zeros(variable.shape, dtype=variable.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Updates the state with this batch, then returns the result."""
        _check_super_called(self)
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


def _check_super_called(metric):
    if not hasattr(metric, "_variables"):
        raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` "
                           "method. Go add it!")


def _initial_value(initializer, shape, dtype):
    if initializer in ("zeros", "ones") or isinstance(initializer, (int, float)):
        value = {"zeros": 0, "ones": 1}.get(initializer, initializer)
        return fill(shape, cast(value, dtype))
    if isinstance(initializer, str):
        from tapeflow.keras import initializers
        initializer = initializers.get(initializer)
    return initializer(shape, dtype=dtype)
