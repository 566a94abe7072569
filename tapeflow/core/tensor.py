"""Tensor: an immutable value, eager (wrapping an array) or symbolic (a graph value).

`EagerTensor` holds an ndarray in `_value`; `SymbolicTensor` is an output of a
node in a graph being traced and has only a shape and dtype. Both are
`tf.Tensor`. Python operators are attached by the op modules through
`override_operator`, because core cannot import the ops layer above it.
"""
from tapeflow.core import dtypes as _dtypes
from tapeflow.core.array_api import ndarray, xp
from tapeflow.core.shape import TensorShape


_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class OperatorNotAllowedInGraphError(TypeError):
    """Raised when a symbolic tensor is used as a Python bool or iterated."""


class TensorLike:
    """The base of Tensor and Variable: everything ops accept as a tensor input.

    Both carry `_value` (the array; None when symbolic) and `_dtype`, which is all
    `apply` reads. Python operators are installed here, once, for both.
    """

    __slots__ = ()
    _is_variable = False


def override_operator(name, fn):
    """Installs `fn` as the Python operator `name` on Tensor and Variable."""
    setattr(TensorLike, name, fn)


def _fast_shape(dims):
    shape = TensorShape.__new__(TensorShape)
    shape._dims = dims
    return shape


class Tensor(TensorLike):
    """A multidimensional array of elements of one dtype (TF's `tf.Tensor`)."""

    __slots__ = ("_value", "_dtype", "__weakref__")
    __array_priority__ = 100  # so `ndarray + Tensor` calls Tensor.__radd__

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self):
        return _fast_shape(self._static_dims())

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        dims = self._static_dims()
        return None if dims is None else len(dims)

    @property
    def device(self):
        return _DEVICE

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def ref(self):
        """A hashable reference to this tensor (compares by identity)."""
        return Reference(self)

    experimental_ref = ref

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __iter__(self):
        dims = self._static_dims()
        if dims is not None and len(dims) == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        if dims is None or dims[0] is None:
            raise TypeError(f"Cannot iterate over a tensor with unknown first dimension: {self!r}")
        return (self[i] for i in range(dims[0]))


class EagerTensor(Tensor):
    """A tensor with a concrete value (an ndarray, never written after creation)."""

    __slots__ = ()

    def _static_dims(self):
        return self._value.shape

    @property
    def shape(self):
        return _fast_shape(self._value.shape)

    @property
    def ndim(self):
        return self._value.ndim

    def numpy(self):
        """A NumPy copy of the value; a NumPy scalar for a rank-0 tensor (as in TF)."""
        value = self._value
        return value[()] if value.ndim == 0 else value.copy()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and xp.dtype(dtype) != self._value.dtype:
            return self._value.astype(dtype)
        return self._value.copy() if copy else self._value

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __bool__(self):
        return bool(self._value)

    def __float__(self):
        if self._value.ndim != 0:
            raise TypeError("only 0-dimensional arrays can be converted to Python scalars")
        return float(self._value)

    def __int__(self):
        if self._value.ndim != 0:
            raise TypeError("only 0-dimensional arrays can be converted to Python scalars")
        return int(self._value)

    def __index__(self):
        if self._value.ndim != 0 or not (self._dtype.is_integer or self._dtype.is_bool):
            raise TypeError(f"Only integer scalar tensors can be used as an index, got {self!r}")
        return int(self._value)

    def __complex__(self):
        return complex(self._value)

    def __format__(self, spec):
        if self._value.ndim == 0:
            return format(self._value[()], spec)
        return format(str(self), spec)

    def __reduce__(self):
        return _rebuild_eager, (self._value,)

    def __repr__(self):
        return (f"<tf.Tensor: shape={self.shape}, dtype={self._dtype.name}, "
                f"numpy={_numpy_repr(self._value)}>")

    def __str__(self):
        value = self._value
        text = repr(value[()]) if value.ndim == 0 and value.dtype == object else str(value)
        return f"tf.Tensor({text}, shape={self.shape}, dtype={self._dtype.name})"

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    def set_shape(self, shape):
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied "
                             f"shape {TensorShape(shape)}.")

    def cpu(self):
        return self


class SymbolicTensor(Tensor):
    """An output of a node in a graph being traced: a shape and a dtype, no value.

    Tracing never looks at values, so anything that needs one (`bool()`,
    `.numpy()`, iteration over an unknown length) raises an error saying what
    to do instead.
    """

    __slots__ = ("_dims", "_graph", "_node", "_index")

    def __init__(self, graph, node, index, spec):
        self._value = None
        self._dtype = spec.dtype
        self._dims = spec.dims
        self._graph = graph
        self._node = node
        self._index = index

    def _static_dims(self):
        return self._dims

    @property
    def graph(self):
        return self._graph

    @property
    def op(self):
        return self._node

    @property
    def value_index(self):
        return self._index

    @property
    def name(self):
        return f"{self._node.name}:{self._index}"

    def set_shape(self, shape):
        merged = self.shape.merge_with(shape)
        self._dims = merged._dims

    def numpy(self):
        raise NotImplementedError(
            f"numpy() is only available when eager execution is enabled; {self.name} is a "
            "symbolic tensor inside a tf.function trace.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This error "
            "may indicate that you're trying to pass a Tensor to a NumPy call, which is not "
            "supported inside a tf.function.")

    def __len__(self):
        dims = self._dims
        if dims is None or not dims or dims[0] is None:
            raise TypeError(
                f"len is not well defined for a symbolic Tensor ({self.name}). Please call "
                "`x.shape` rather than `len(x)` for shape information.")
        return dims[0]

    def __bool__(self):
        raise OperatorNotAllowedInGraphError(
            f"Using a symbolic `tf.Tensor` ({self.name}) as a Python `bool` is not allowed "
            "inside a traced tf.function: its value is unknown while tracing. Write the "
            "condition with `tf.cond(pred, true_fn, false_fn)` or `tf.where`, or let AutoGraph "
            "convert the `if`/`while` (autograph=True, the default, converts statements in "
            "the decorated function's own source).")

    def __float__(self):
        raise TypeError(f"Cannot convert a symbolic tf.Tensor ({self.name}) to a Python float.")

    __int__ = __float__
    __index__ = __float__

    def __reduce__(self):
        raise TypeError(f"Cannot pickle a symbolic tf.Tensor ({self.name}).")

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self.shape} dtype={self._dtype.name}>"

    __str__ = __repr__


class Reference:
    """What `tensor.ref()` returns: hashable, compared by the referenced object's identity."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self):
        return f"<Reference wrapping {self._obj!r}>"


_new = object.__new__
_DTYPE_OF = _dtypes._BY_NP


def wrap(value):
    """An EagerTensor around the ndarray `value` (no copy; the caller gives up ownership)."""
    if type(value) is not ndarray:
        value = xp.asarray(value)
    tensor = _new(EagerTensor)
    tensor._value = value
    try:
        tensor._dtype = _DTYPE_OF[value.dtype]
    except KeyError:
        tensor._dtype = _dtypes.from_numpy(value.dtype)
        if tensor._dtype is _dtypes.string and value.dtype != object:
            tensor._value = _to_bytes_array(value)
    return tensor


def _to_bytes_array(value):
    out = xp.empty(value.shape, dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(value.reshape(-1).tolist()):
        flat[i] = item.encode("utf-8") if isinstance(item, str) else bytes(item)
    return out


def _rebuild_eager(value):
    return wrap(value)


def _numpy_repr(value):
    if value.ndim == 0:
        item = value[()]
        return repr(item) if value.dtype == object else str(item)
    return repr(value)


def is_tensor(x):
    """True for Tensors, Variables and composite tensors such as IndexedSlices (TF's
    `tf.is_tensor`)."""
    return isinstance(x, TensorLike) or getattr(type(x), "_is_composite", False)
