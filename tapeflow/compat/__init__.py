"""`tf.compat`: string helpers, forward-compatibility checks, and the `v1`/`v2` namespaces.

`tf.compat.v2` is tapeflow itself. `tf.compat.v1` holds only what TF 2 programs
call through it (logging, seeds, the eager switches); the TF 1 graph-and-session
model is not implemented, and the switches that would enable it say so.
"""
import datetime as _datetime
import numbers as _numbers
import os as _os

from tapeflow.core.array_api import xp as _xp

bytes_or_text_types = (bytes, str)
integral_types = (_numbers.Integral, _xp.integer)
real_types = (_numbers.Real, _xp.integer, _xp.floating)
complex_types = (_numbers.Complex, _xp.number)


def as_bytes(bytes_or_text, encoding="utf-8"):
    """`bytes_or_text` as bytes (str is encoded).

    Raises:
      TypeError: neither bytes nor str.
    """
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8"):
    """`bytes_or_text` as str (bytes are decoded).

    Raises:
      TypeError: neither bytes nor str.
    """
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value, encoding="utf-8"):
    """`str(value)`, decoding bytes."""
    return as_text(value, encoding) if isinstance(value, bytes) else str(value)


def path_to_str(path):
    """A path-like object as a string (other values unchanged)."""
    return _os.fspath(path) if isinstance(path, _os.PathLike) else path


def dimension_value(dimension):
    """The int (or None) of a shape dimension."""
    return getattr(dimension, "value", dimension)


def dimension_at_index(shape, index):
    """Dimension `index` of `shape` (None when unknown, also for an unknown rank)."""
    from tapeflow.core.shape import as_shape
    shape = as_shape(shape)
    return None if shape.rank is None else shape[index]


# Forward compatibility: tapeflow has no serialized graphs whose readers lag behind,
# so every date counts as reached (as for a TF build newer than the date).
_HORIZON = _datetime.date(2025, 12, 1)


def forward_compatible(year, month, day):
    """Whether graphs may use features added after `year-month-day` (always up to TF 2.21's
    horizon)."""
    return _HORIZON > _datetime.date(year, month, day)


class forward_compatibility_horizon:  # noqa: N801 - TF's name
    """Context manager moving the horizon of `forward_compatible` (for tests)."""

    def __init__(self, year, month, day):
        self._date = _datetime.date(year, month, day)

    def __enter__(self):
        global _HORIZON
        self._saved, _HORIZON = _HORIZON, self._date

    def __exit__(self, *exc):
        global _HORIZON
        _HORIZON = self._saved
        return False


def __getattr__(name):
    if name == "v2":
        import tapeflow
        return tapeflow
    if name == "v1":
        import importlib
        return importlib.import_module("tapeflow.compat.v1")
    raise AttributeError(f"module 'tapeflow.compat' has no attribute {name!r}")
