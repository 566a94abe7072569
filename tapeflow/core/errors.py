"""TensorFlow's exception hierarchy (`tf.errors`) and the one formatter for op errors.

Every error raised for bad input names the op, the shapes and the dtypes, so
messages are built here and nowhere else.
"""
from tapeflow.core.shape import shape_str

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """The base class of errors raised while running an op (TF's `tf.errors.OpError`)."""

    error_code = UNKNOWN

    def __init__(self, node_def=None, op=None, message="", *args):
        # TF's signature is (node_def, op, message); allow OpError("message") too.
        if message == "" and isinstance(node_def, str) and op is None:
            node_def, message = None, node_def
        super().__init__(message)
        self._node_def = node_def
        self._op = op
        self._message = message

    @property
    def message(self):
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    def __str__(self):
        return self._message

    def __reduce__(self):
        return type(self), (self._node_def, self._op, self._message)


def _error_class(name, code):
    return type(name, (OpError,), {"error_code": code, "__doc__": f"TF's `tf.errors.{name}`."})


CancelledError = _error_class("CancelledError", CANCELLED)
UnknownError = _error_class("UnknownError", UNKNOWN)
InvalidArgumentError = _error_class("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _error_class("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _error_class("NotFoundError", NOT_FOUND)
AlreadyExistsError = _error_class("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _error_class("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _error_class("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _error_class("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _error_class("AbortedError", ABORTED)
OutOfRangeError = _error_class("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _error_class("UnimplementedError", UNIMPLEMENTED)
InternalError = _error_class("InternalError", INTERNAL)
UnavailableError = _error_class("UnavailableError", UNAVAILABLE)
DataLossError = _error_class("DataLossError", DATA_LOSS)
UnauthenticatedError = _error_class("UnauthenticatedError", UNAUTHENTICATED)


def describe_inputs(inputs):
    """`shapes [2,3] vs [4]; dtypes float32, float32` for a list of tensor-likes."""
    shapes, dtypes = [], []
    for x in inputs:
        shape = getattr(x, "_static_dims", None)
        shapes.append(shape_str(shape() if shape else None))
        dtype = getattr(x, "dtype", None)
        dtypes.append(getattr(dtype, "name", type(x).__name__))
    return f"input shapes: {', '.join(shapes)}; dtypes: {', '.join(dtypes)}"


def op_error(op_name, message, inputs=(), error=InvalidArgumentError):
    """An error in TF's format: `<message> [Op:<name>]`, plus the inputs' shapes and dtypes."""
    text = f"{message} [Op:{op_name}]"
    if inputs:
        text += f" ({describe_inputs(inputs)})"
    return error(None, None, text)


def dtype_mismatch(op_name, index, expected, got, inputs=()):
    """TF's message when input `index` of a same-dtype op has another dtype."""
    return op_error(
        op_name,
        f"cannot compute {op_name} as input #{index}(zero-based) was expected to be a "
        f"{_tf_type_word(expected)} tensor but is a {_tf_type_word(got)} tensor",
        inputs)


def unsupported_dtype(op_name, dtype, allowed, inputs=()):
    """TF's message when an op does not accept `dtype` at all."""
    names = ", ".join(_tf_type_word(d) for d in sorted(allowed, key=lambda d: d.name))
    return op_error(
        op_name,
        f"Value for attr 'T' of {_tf_type_word(dtype)} is not in the list of allowed values: "
        f"{names}",
        inputs)


def _tf_type_word(dtype):
    # TF's kernel-level messages use C type words: float, double, half.
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)
