"""apply(): the single point through which every op runs.

Eagerly, `apply` runs the op's kernel on the inputs' arrays and wraps the
results; while a `function` is being traced it hands the op to the graph, which
adds a node using the op's shape rule. Either way, it then records the
application on every active GradientTape. When no tape is active and nothing
is traced, the cost over the kernel is two attribute checks and one wrap.
"""
from tapeflow.core import dtypes as _dtypes
from tapeflow.core.array_api import ndarray, xp
from tapeflow.core.context import state
from tapeflow.core.errors import OpError, op_error, unsupported_dtype
from tapeflow.core.shape import shape_str
from tapeflow.core.tensor import EagerTensor, SymbolicTensor

_new = object.__new__
_DTYPE_OF = _dtypes._BY_NP
# Exceptions a kernel raises for bad input; anything else is a bug and propagates as is.
_INPUT_ERRORS = (ValueError, IndexError, TypeError, ZeroDivisionError, FloatingPointError,
                 OverflowError, OpError)


def apply(op, *inputs, **attrs):
    """Runs (or traces) `op` on tensor-like `inputs` with attributes `attrs`.

    Returns a Tensor, or a tuple of Tensors for multi-output ops.
    """
    s = state
    dtype_mask = op.dtype_mask
    if dtype_mask and not inputs[0]._dtype._bit & dtype_mask:
        raise unsupported_dtype(op.name, inputs[0]._dtype, op.dtypes, inputs)
    graph = s.graph
    if graph is not None:
        return graph.apply(op, inputs, attrs)
    n = len(inputs)
    try:
        if n == 2:
            out = op.forward(inputs[0]._value, inputs[1]._value, **attrs)
        elif n == 1:
            out = op.forward(inputs[0]._value, **attrs)
        else:
            out = op.forward(*[x._value for x in inputs], **attrs)
    except _INPUT_ERRORS as error:
        raise kernel_error(op, inputs, error) from None
    if op.multi_output:
        result = tuple([_wrap(o) for o in out])
        if s.tapes:
            record(op, inputs, result, attrs)
        return result
    if type(out) is not ndarray:
        out = xp.asarray(out)
    result = _new(EagerTensor)
    result._value = out
    try:
        result._dtype = _DTYPE_OF[out.dtype]
    except KeyError:
        _set_unusual_dtype(result, out)
    if s.tapes:
        record(op, inputs, (result,), attrs)
    return result


def apply_binary(op, x, y):
    """`apply(op, x, y)` for attribute-free binary ops: the eager hot path of `x + y`.

    Same semantics as `apply`, minus argument packing (about 15% of an op's cost
    on small tensors).
    """
    dtype_mask = op.dtype_mask
    if dtype_mask and not x._dtype._bit & dtype_mask:
        raise unsupported_dtype(op.name, x._dtype, op.dtypes, (x, y))
    s = state
    if s.graph is not None:
        return s.graph.apply(op, (x, y), {})
    try:
        out = op.forward(x._value, y._value)
    except _INPUT_ERRORS as error:
        raise kernel_error(op, (x, y), error) from None
    if type(out) is not ndarray:
        out = xp.asarray(out)
    result = _new(EagerTensor)
    result._value = out
    try:
        result._dtype = _DTYPE_OF[out.dtype]
    except KeyError:
        _set_unusual_dtype(result, out)
    if s.tapes:
        record(op, (x, y), (result,), {})
    return result


def apply_unary(op, x):
    """`apply(op, x)` for attribute-free unary ops (the eager hot path of `tf.exp(x)`)."""
    dtype_mask = op.dtype_mask
    if dtype_mask and not x._dtype._bit & dtype_mask:
        raise unsupported_dtype(op.name, x._dtype, op.dtypes, (x,))
    s = state
    if s.graph is not None:
        return s.graph.apply(op, (x,), {})
    try:
        out = op.forward(x._value)
    except _INPUT_ERRORS as error:
        raise kernel_error(op, (x,), error) from None
    if type(out) is not ndarray:
        out = xp.asarray(out)
    result = _new(EagerTensor)
    result._value = out
    try:
        result._dtype = _DTYPE_OF[out.dtype]
    except KeyError:
        _set_unusual_dtype(result, out)
    if s.tapes:
        record(op, (x,), (result,), {})
    return result


def _set_unusual_dtype(result, out):
    """Dtypes outside the fast table: fixed-width NumPy strings become `bytes` objects,
    the representation of tf.string (so `.numpy()` gives bytes, as in TF)."""
    result._dtype = _dtypes.from_numpy(out.dtype)
    if result._dtype is _dtypes.string and out.dtype != object:
        from tapeflow.core.tensor import _to_bytes_array
        result._value = _to_bytes_array(out)


def _wrap(value):
    if type(value) is not ndarray:
        value = xp.asarray(value)
    tensor = _new(EagerTensor)
    tensor._value = value
    tensor._dtype = _DTYPE_OF.get(value.dtype) or _dtypes.from_numpy(value.dtype)
    return tensor


def record(op, inputs, outputs, attrs):
    """Records one op application on every active tape (eager and traced alike)."""
    for tape in state.tapes:
        tape._record(op, inputs, outputs, attrs)


def kernel_error(op, inputs, error):
    """Turns an exception raised by a kernel into TF's error kind, naming op, shapes, dtypes."""
    leaked = next((x for x in inputs if isinstance(x, SymbolicTensor)), None)
    if leaked is not None:
        return TypeError(
            f"{op.name} received the symbolic tensor {leaked.name}, which belongs to a "
            "tf.function graph, outside that function. Return it from the function instead.")
    if isinstance(error, OpError):
        return op_error(op.name, error.message, inputs, type(error))
    message = str(error)
    if "could not be broadcast" in message:
        shapes = " vs. ".join(shape_str(x._static_dims()) for x in inputs)
        message = f"Incompatible shapes: {shapes}"
    return op_error(op.name, message, inputs)
