"""`tf.keras.backend`: global Keras settings, unique names, the Keras name-scope stack.

Holds the state every Keras object shares: the default float type, epsilon,
the image data format, the counters behind automatic names ("dense",
"dense_1", ...), the stack of layer scopes that gives variables their paths
("sequential/dense/kernel"), and the mask side-table. `clear_session()` resets
names. It imports nothing of Keras above it.
"""
import threading
import weakref

from tapeflow._util import naming
from tapeflow.core import dtypes as _dtypes
from tapeflow.core.context import state as _context_state
from tapeflow.core.tensor import override_operator

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


# -- settings --------------------------------------------------------------------------

def floatx():
    """The default float type, as a string (`"float32"`)."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float type (`"float16"`, `"float32"` or `"float64"`)."""
    global _FLOATX
    accepted = {"bfloat16", "float16", "float32", "float64"}
    if value not in accepted:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {accepted}")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """`"channels_last"` (the default) or `"channels_first"`."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in {"channels_last", "channels_first"}:
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _IMAGE_DATA_FORMAT = str(data_format)


def standardize_data_format(data_format):
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format


def standardize_dtype(dtype):
    """A dtype name string (`"float32"`) for a DType, a string or a NumPy dtype."""
    if dtype is None:
        return floatx()
    if hasattr(dtype, "name") and isinstance(dtype.name, str) and not isinstance(dtype, str):
        dtype = dtype.name
    return _dtypes.as_dtype(dtype).name


def is_float_dtype(dtype):
    return _dtypes.as_dtype(standardize_dtype(dtype)).is_floating


def is_int_dtype(dtype):
    return _dtypes.as_dtype(standardize_dtype(dtype)).is_integer


# -- unique names ---------------------------------------------------------------------
# One counter per base name, shared with metrics, losses and optimizers (tapeflow._util.naming),
# as Keras keeps a single table for every object that names itself from its class.

def get_uid(prefix=""):
    """1, 2, 3... per prefix: how many objects named `prefix` were created this session."""
    naming._uids[prefix] += 1
    return naming._uids[prefix]


def unique_object_name(prefix):
    """`prefix` the first time, then `prefix_1`, `prefix_2`, ... (Keras' automatic names)."""
    return naming.uniquify(prefix)


to_snake_case = naming.to_snake_case


def clear_session(free_memory=True):
    """Resets automatic names (the next Dense is "dense" again) and the Keras scopes."""
    naming._uids.clear()
    _scopes.stack = []


# -- the Keras name-scope stack: variable paths -----------------------------------------

class _Scopes(threading.local):
    def __init__(self):
        self.stack = []     # [(name, caller)], outermost first


_scopes = _Scopes()


class name_scope:
    """Opens a Keras scope: variables created inside get the path `outer/.../name/var`.

    A layer opens its own scope around `build` and `call`; entering the scope
    of the layer already on top of the stack is a no-op, so `build` run from
    `__call__` does not nest twice. While a graph is being traced, the scope is
    also a tapeflow name scope, so graph dumps read `sequential/dense/MatMul`.
    """

    __slots__ = ("name", "caller", "_pushed", "_saved_tf_scope")

    def __init__(self, name, caller=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain "
                             f"character `/`. Received: name={name!r}")
        self.name = name
        self.caller = caller
        self._pushed = False
        self._saved_tf_scope = None

    def __enter__(self):
        stack = _scopes.stack
        if stack and self.caller is not None and stack[-1][1] is self.caller:
            return self
        stack.append((self.name, self.caller))
        self._pushed = True
        if _context_state.graph is not None:
            self._saved_tf_scope = _context_state.name_scope
            _context_state.name_scope = self._saved_tf_scope + self.name + "/"
        return self

    def __exit__(self, *exc):
        if self._pushed:
            _scopes.stack.pop()
            self._pushed = False
            if self._saved_tf_scope is not None:
                _context_state.name_scope = self._saved_tf_scope
                self._saved_tf_scope = None
        return False


def current_path():
    """`"sequential/dense"` inside those two layer scopes; `""` outside any."""
    return "/".join(name for name, _ in _scopes.stack)


# -- masks attached to tensors ----------------------------------------------------------
# Tensors have __slots__, so a mask cannot be an attribute as in TF's Keras; this
# side table maps a tensor (by identity, while it lives) to its mask.

_masks = {}


def set_keras_mask(x, mask):
    if hasattr(x, "_keras_mask_slot"):      # KerasTensor keeps its own
        x._keras_mask_slot = mask
        return
    key = id(x)
    if mask is None:
        _masks.pop(key, None)
        return
    try:
        ref = weakref.ref(x, lambda _, key=key: _masks.pop(key, None))
    except TypeError:
        return
    _masks[key] = (ref, mask)


def get_keras_mask(x):
    if hasattr(x, "_keras_mask_slot"):
        return x._keras_mask_slot
    entry = _masks.get(id(x))
    if entry is None or entry[0]() is not x:
        return None
    return entry[1]


# `tensor._keras_mask`, as TF's Keras users read (and set) it.
override_operator("_keras_mask", property(get_keras_mask, set_keras_mask))


# -- small helpers that Keras users call ------------------------------------------------

def int_shape(x):
    """The static shape of a tensor or variable as a tuple (None for unknown dims)."""
    shape = x.shape
    if isinstance(shape, tuple):
        return shape
    return tuple(shape.as_list()) if shape.rank is not None else None


def is_keras_tensor(x):
    """True for the symbolic inputs and outputs of functional models."""
    from tapeflow.keras.layers.symbolic import KerasTensor
    return isinstance(x, KerasTensor)


def count_params(x):
    n = 1
    for d in int_shape(x):
        n *= d
    return n


def learning_phase():
    return 0


def get_value(x):
    return x.numpy()


def batch_get_value(tensors):
    return [x.numpy() for x in tensors]


def set_value(x, value):
    x.assign(value)


def batch_set_value(tuples):
    for x, value in tuples:
        x.assign(value)


def __getattr__(name):
    """The TF2-era `K.*` functions (`K.mean`, `K.dot`, ...) load on first use."""
    from tapeflow.keras import _legacy_backend
    if name in _legacy_backend.NAMES:
        return getattr(_legacy_backend, name)
    raise AttributeError(f"module 'tapeflow.keras.backend' has no attribute {name!r}")
