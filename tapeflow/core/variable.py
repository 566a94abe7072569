"""Variable: mutable state that takes part in every op like a Tensor.

An eager Variable holds its value in `_value`, an ndarray that is never written
in place: `assign` rebinds `_value` to a new array. So a tensor read from a
variable (or a tape's record of that read) stays a valid snapshot after later
assignments, which is TF's read semantics.

Reads and writes inside a traced function become ReadVariableOp / Assign*
nodes of the graph, kept in program order.
"""
import enum

from tapeflow.core import convert as _convert
from tapeflow.core import dtypes as _dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.context import init_scope, state
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape, as_shape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import (EagerTensor, Reference, SymbolicTensor, Tensor, TensorLike,
                                  wrap)


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


# -- variable ops: reads and writes, for tapes and traced graphs ------------------

def _read_spec(var):
    return TensorSpec(var._shape._dims, var._dtype)


ReadVariableOp = Op("ReadVariableOp", infer=_read_spec, stateful=True)


@ReadVariableOp.kernel
def _(value):
    return value


@ReadVariableOp.gradient
def _(dy, var, out):
    return dy


def _no_output(var, value):
    return ()


AssignVariableOp = Op("AssignVariableOp", infer=_no_output, side_effect=True,
                      differentiable=False, multi_output=True)
AssignAddVariableOp = Op("AssignAddVariableOp", infer=_no_output, side_effect=True,
                         differentiable=False, multi_output=True)
AssignSubVariableOp = Op("AssignSubVariableOp", infer=_no_output, side_effect=True,
                         differentiable=False, multi_output=True)
# Eager assignment rebinds `_value` directly (see Variable.assign); these kernels
# compute the new value and are used by graph execution, which does the write.
AssignVariableOp.kernel(lambda current, value: value)
AssignAddVariableOp.kernel(lambda current, value: current + value)
AssignSubVariableOp.kernel(lambda current, value: current - value)


# -- variable creation hooks (tf.variable_creator_scope) -------------------------

_creator_stack = []


class variable_creator_scope:
    """`tf.variable_creator_scope(creator)`: `creator(next_creator, **kwargs)` makes variables."""

    def __init__(self, creator):
        self._creator = creator

    def __enter__(self):
        _creator_stack.append(self._creator)
        return self

    def __exit__(self, *exc):
        _creator_stack.remove(self._creator)
        return False


class _VariableMeta(type):
    def __call__(cls, *args, **kwargs):
        if cls is not Variable or not _creator_stack:
            variable = super().__call__(*args, **kwargs)
        else:
            variable = _create_through_scopes(args, kwargs)
        if state.distribution is not None:   # inside a tf.distribute strategy's scope
            variable = state.distribution.variable_created(variable)
        return variable


def _create_through_scopes(args, kwargs):
    bound = _bind_variable_args(args, kwargs)

    def base_creator(**kw):
        return type.__call__(Variable, **kw)

    creator = base_creator
    for scope_creator in _creator_stack:
        creator = _chain(scope_creator, creator)
    return creator(**bound)


def _chain(scope_creator, next_creator):
    return lambda **kw: scope_creator(next_creator, **kw)


_VARIABLE_ARGS = ("initial_value", "trainable", "validate_shape", "caching_device", "name",
                  "variable_def", "dtype", "import_scope", "constraint", "synchronization",
                  "aggregation", "shape")


def _bind_variable_args(args, kwargs):
    bound = dict(zip(_VARIABLE_ARGS, args))
    bound.update(kwargs)
    return bound


class Variable(TensorLike, metaclass=_VariableMeta):
    """A mutable tensor-valued state (TF's `tf.Variable`).

    >>> v = Variable(1.0)
    >>> _ = v.assign_add(2.0)
    >>> float(v)
    3.0
    """

    __array_priority__ = 100
    _is_variable = True

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Got {constraint!r}")
        if synchronization == VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError("Synchronization value can be set to "
                                 "VariableSynchronization.ON_READ only for non-trainable "
                                 "variables.")
            trainable = False
        self._trainable = True if trainable is None else bool(trainable)
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation
        scope = state.name_scope
        self._name = f"{scope}{name if name else 'Variable'}:0"
        with init_scope():
            value = self._initial_tensor(initial_value, dtype)
        self._dtype = value._dtype
        self._value = value._value
        if shape is not None:
            self._shape = as_shape(shape)
            if not self._shape.is_compatible_with(self._value.shape):
                raise ValueError(f"The initial value's shape ({TensorShape(self._value.shape)}) "
                                 f"is not compatible with the explicitly supplied `shape` "
                                 f"argument ({self._shape}).")
        elif not validate_shape:
            self._shape = TensorShape(None)
        else:
            self._shape = TensorShape(self._value.shape)
        self._initial_value = value

    @staticmethod
    def _initial_tensor(initial_value, dtype):
        if callable(initial_value) and not isinstance(initial_value, (Tensor, Variable)):
            initial_value = initial_value()
        if isinstance(initial_value, SymbolicTensor):
            raise ValueError(
                "A tf.Variable's initial value was a symbolic tensor computed inside a "
                "tf.function. Create variables with values that do not depend on the "
                "function's inputs (e.g. from an initializer), on the first call only.")
        if isinstance(initial_value, Variable):
            initial_value = wrap(initial_value._value)
        tensor = _convert.convert_to_tensor(initial_value, dtype=dtype)
        if not isinstance(initial_value, (xp.ndarray, EagerTensor)):
            return tensor
        return wrap(tensor._value.copy())   # never alias the caller's array

    # -- tensor-like protocol ---------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        if self._shape._dims is None or None in self._shape._dims:
            return TensorShape(self._value.shape)
        return self._shape

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return self._value.ndim

    def _static_dims(self):
        return self._shape._dims

    @property
    def name(self):
        return self._name

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def synchronization(self):
        return self._synchronization

    @property
    def aggregation(self):
        return self._aggregation

    @property
    def initial_value(self):
        return self._initial_value

    @property
    def device(self):
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    @property
    def handle(self):
        return self

    def value(self):
        """The current value as a Tensor (a recorded read)."""
        return apply(ReadVariableOp, self)

    def read_value(self):
        return apply(ReadVariableOp, self)

    def numpy(self):
        value = self._value
        return value[()] if value.ndim == 0 else value.copy()

    def __array__(self, dtype=None, copy=None):
        value = self._value if dtype is None else self._value.astype(dtype)
        return value.copy() if copy is not False and value is self._value else value

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __iter__(self):
        return iter(self.read_value())

    def __bool__(self):
        return bool(self.read_value())

    def __float__(self):
        return float(self.read_value())

    def __int__(self):
        return int(self.read_value())

    def __index__(self):
        return self.read_value().__index__()

    def __format__(self, spec):
        return format(self.read_value(), spec)

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key. "
                        f"(Variable: {self!r})")

    def ref(self):
        return Reference(self)

    experimental_ref = ref

    def __repr__(self):
        from tapeflow.core.tensor import _numpy_repr
        if state.graph is not None:
            return f"<tf.Variable '{self._name}' shape={self.shape} dtype={self._dtype.name}>"
        return (f"<tf.Variable '{self._name}' shape={self.shape} dtype={self._dtype.name}, "
                f"numpy={_numpy_repr(self._value)}>")

    def __deepcopy__(self, memo):
        new = Variable(self._value.copy(), trainable=self._trainable,
                       name=self._name[:-2], constraint=self._constraint)
        memo[id(self)] = new
        return new

    def __copy__(self):
        return self

    def __reduce__(self):
        return _rebuild_variable, (self._value, self._trainable, self._name[:-2])

    # -- writes -------------------------------------------------------------------
    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets the variable to `value` (same dtype; a compatible shape)."""
        tensor = self._assignable(value)
        if state.graph is not None:
            apply(AssignVariableOp, self, tensor)
        else:
            self._value = tensor._value
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        tensor = self._assignable(delta)
        if state.graph is not None:
            apply(AssignAddVariableOp, self, tensor)
        else:
            self._value = xp.add(self._value, tensor._value)
        return self if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        tensor = self._assignable(delta)
        if state.graph is not None:
            apply(AssignSubVariableOp, self, tensor)
        else:
            self._value = xp.subtract(self._value, tensor._value)
        return self if read_value else None

    def _assignable(self, value):
        if isinstance(value, Variable):
            value = value.read_value()
        tensor = _convert.convert_to_tensor(value, dtype=self._dtype)
        dims = tensor._static_dims()
        if not self._shape.is_compatible_with(TensorShape(dims)):
            raise ValueError(f"Cannot assign value to variable ' {self._name}': Shape mismatch."
                             f"The variable shape {self._shape}, and the assigned value shape "
                             f"{TensorShape(dims)} are incompatible.")
        return tensor

    def _set_value_unchecked(self, array):
        """Replaces the storage (used by savers and distribution after checks)."""
        self._value = array

    def get_value(self):
        return self.numpy()


_convert.register_variable_reader(lambda var: apply(ReadVariableOp, var))


def _rebuild_variable(value, trainable, name):
    return Variable(value, trainable=trainable, name=name)

