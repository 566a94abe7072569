"""Casts beyond `tf.cast`: `tf.saturate_cast` (clamp, then cast) and `tf.bitcast`
(reinterpret the bytes)."""
import logging

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._rules import as_operand
from tapeflow.ops.elementwise import complex as make_complex
from tapeflow.ops.elementwise import math_imag, math_real
from tapeflow.ops.math import cast, maximum, minimum

_log = logging.getLogger("tapeflow")

# ================================================================================
# saturate_cast: a composite of maximum, minimum and cast
# ================================================================================


def saturate_cast(value, dtype, name=None):
    """Casts `value` to `dtype`, first clamping it to the range `dtype` can hold.

    Complex values cast to a real dtype keep their real part. A NaN stays NaN
    through the clamp, then casts as `tf.cast` does.

    >>> import tapeflow as tf
    >>> tf.saturate_cast(tf.constant([-300.0, 1.5, 300.0]), tf.uint8).numpy()
    array([  0,   1, 255], dtype=uint8)
    """
    x = as_operand(value)
    dtype = dtypes.as_dtype(dtype)
    if x.dtype.is_complex:
        if dtype.is_complex:
            return _saturate_complex(x, dtype)
        _log.warning("Casting complex to real discards imaginary part.")
        x = math_real(x)
    low, high = _clamp_bounds(x.dtype, dtype.real_dtype)
    if low is not None:
        x = maximum(x, convert_to_tensor(low))
    if high is not None:
        x = minimum(x, convert_to_tensor(high))
    return cast(x, dtype)


def _clamp_bounds(in_dtype, out_dtype):
    """The output range written in the input dtype, or None where no clamp is needed.

    A bound that rounds outward in the input dtype (int32 max as float32 is
    2**31) moves one step inward, so the cast cannot overflow. As in TF, the
    comparison is made in float64, where int64's max is already 2**63: float to
    int64 is not protected (TF gives INT64_MIN for large values too).
    """
    in_np = in_dtype._np
    low = high = None
    if in_dtype.min < out_dtype.min:
        low = xp.asarray(out_dtype.min).astype(in_np)
        if float(low) < float(out_dtype.min):
            low = xp.nextafter(low, in_np.type(0))
    if in_dtype.max > out_dtype.max:
        high = xp.asarray(out_dtype.max).astype(in_np)
        if float(high) > float(out_dtype.max):
            high = xp.nextafter(high, in_np.type(0))
    return low, high


def _saturate_complex(x, dtype):
    low, high = _clamp_bounds(x.dtype.real_dtype, dtype.real_dtype)
    parts = []
    for part in (math_real(x), math_imag(x)):
        if low is not None:
            part = maximum(part, convert_to_tensor(low))
        if high is not None:
            part = minimum(part, convert_to_tensor(high))
        parts.append(part)
    return cast(make_complex(*parts), dtype)


# ================================================================================
# Bitcast
# ================================================================================

_BITCAST_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int64, dtypes.int32,
                  dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64, dtypes.int8,
                  dtypes.int16, dtypes.complex64, dtypes.complex128)
_ALLOWED_NAMES = ("bfloat16, half, float, double, int64, int32, uint8, uint16, uint32, uint64, "
                  "int8, int16, complex64, complex128, qint8, quint8, qint16, quint16, qint32")


def _bitcast_dims(dims, in_dtype, out_dtype):
    """The output dims, or None when the sizes do not fit together."""
    n_in, n_out = in_dtype.size, out_dtype.size
    if dims is None:
        return None, True
    if n_in == n_out:
        return dims, True
    if n_in > n_out:
        return dims + (n_in // n_out,), True
    if not dims or (dims[-1] is not None and dims[-1] != n_out // n_in):
        return None, False
    return dims[:-1], True


def _bitcast_infer(x, type):  # noqa: A002 - TF's attribute name
    dims, ok = _bitcast_dims(x.dims, x.dtype, type)
    if not ok:
        raise ValueError(f"Cannot bitcast from {x.dtype.as_datatype_enum} to "
                         f"{type.as_datatype_enum}")
    return TensorSpec(dims, type)


Bitcast = Op("Bitcast", infer=_bitcast_infer, dtypes=_BITCAST_TYPES, differentiable=False)


@Bitcast.kernel
def _(x, type):  # noqa: A002
    dims, ok = _bitcast_dims(x.shape, dtypes.from_numpy(x.dtype), type)
    if not ok:
        raise InvalidArgumentError(None, None, f"Cannot bitcast from "
                                   f"{dtypes.from_numpy(x.dtype).as_datatype_enum} to "
                                   f"{type.as_datatype_enum}")
    return xp.ascontiguousarray(x).reshape(-1).view(type._np).reshape(dims)


def bitcast(input, type, name=None):  # noqa: A002 - TF's argument names
    """Reinterprets the bytes of `input` as `type` (no data is converted).

    A wider input type adds a last dimension (float32 -> uint8: [..., 4]); a
    narrower one needs a last dimension of the size ratio and removes it.

    Raises:
      InvalidArgumentError: `type` is not a numeric type, or the last dimension
        does not fit the size ratio.

    >>> import tapeflow as tf
    >>> int(tf.bitcast(tf.constant(1.0), tf.int32))
    1065353216
    """
    x = as_operand(input)
    type = dtypes.as_dtype(type)  # noqa: A001
    if type not in _BITCAST_TYPES:
        raise InvalidArgumentError(None, None, f"Value for attr 'type' of {type.name} is not in "
                                   f"the list of allowed values: {_ALLOWED_NAMES}")
    return apply(Bitcast, x, type=type)
