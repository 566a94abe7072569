"""InputSpec: what a layer accepts (rank, axis sizes, dtype), checked on every call.

A layer sets `self.input_spec` (usually in `build`); `__call__` checks its
first input against it and raises Keras' "Input 0 with name ... of layer ...
is incompatible with the layer" ValueError, naming the layer and the shapes.
"""
from tapeflow.core import nest


class InputSpec:
    """The rank, dtype and shape constraints of one layer input.

    Args:
      dtype: expected dtype.
      shape: expected shape (None for any size along an axis).
      ndim / max_ndim / min_ndim: expected rank, or bounds on it.
      axes: {axis: size} for axes whose size must match.
      allow_last_axis_squeeze: accept a trailing axis of size 1 added or removed.
      name: the input's name (for dict inputs).
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = None if dtype is None else getattr(dtype, "name", dtype)
        if shape is not None:
            self.ndim = len(shape)
            self.shape = tuple(shape)
        else:
            self.ndim = ndim
            self.shape = None
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            axes = axes or {}
            self.axes = {int(k): axes[k] for k in axes}
        except (ValueError, TypeError):
            raise TypeError("Argument `axes` must be a dict with integer keys. "
                            f"Received: axes={axes}") from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim else self.max_ndim) - 1
            max_axis = max(self.axes)
            if max_axis > max_dim:
                raise ValueError(f"Axis {max_axis} is greater than the maximum allowed value: "
                                 f"{max_dim}")

    def __repr__(self):
        parts = [f"dtype={self.dtype}" if self.dtype else "",
                 f"shape={self.shape}" if self.shape else "",
                 f"ndim={self.ndim}" if self.ndim else "",
                 f"max_ndim={self.max_ndim}" if self.max_ndim else "",
                 f"min_ndim={self.min_ndim}" if self.min_ndim else "",
                 f"axes={self.axes}" if self.axes else ""]
        return f"InputSpec({', '.join(p for p in parts if p)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _shape_tuple(x):
    static_dims = getattr(x, "_static_dims", None)
    if static_dims is not None:
        return static_dims()
    shape = x.shape
    if isinstance(shape, tuple):
        return shape
    return tuple(shape.as_list()) if shape.rank is not None else None


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises Keras' ValueError when `inputs` do not satisfy `input_spec`."""
    if not input_spec:
        return
    if isinstance(input_spec, InputSpec) and hasattr(inputs, "_static_dims"):
        _check_one(0, inputs, input_spec, layer_name)     # the common case, without nest
        return
    specs = nest.flatten(input_spec)
    if isinstance(inputs, dict):
        names = [spec.name for spec in specs]
        if all(names):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f'Missing data for input "{missing[0]}". You passed a data '
                                 f"dictionary with keys {list(inputs.keys())}. Expected the "
                                 f"following keys: {names}")
            inputs = [inputs[n] for n in names]
    flat = nest.flatten(inputs)
    if len(flat) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it '
                         f"received {len(flat)} input tensors. Inputs received: {flat}")
    for index, (x, spec) in enumerate(zip(flat, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        _check_one(index, x, spec, layer_name)


def _check_one(index, x, spec, layer_name):
    if not hasattr(x, "shape"):
        raise ValueError(f"Inputs to a layer should be tensors. Got '{x}' (of type {type(x)}) "
                         f"as input for layer '{layer_name}'.")
    shape = _shape_tuple(x)
    if shape is None:
        return
    ndim = len(shape)
    prefix = (f"Input {index} with name '{spec.name}' of layer '{layer_name}' is "
              "incompatible with the layer: ")
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(f"{prefix}expected ndim={spec.ndim}, found ndim={ndim}. Full shape "
                         f"received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{prefix}expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{prefix}expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full "
                         f"shape received: {shape}")
    if spec.dtype is not None:
        dtype = getattr(x.dtype, "name", x.dtype)
        if dtype != spec.dtype:
            raise ValueError(f"{prefix}expected dtype={spec.dtype}, found dtype={dtype}")
    for axis, value in spec.axes.items():
        if value is not None and -ndim <= axis < ndim and shape[axis] not in (value, None):
            raise ValueError(f"{prefix}expected axis {axis} of input shape to have value "
                             f"{value}, but received input with shape {shape}")
    if spec.shape is not None:
        spec_shape = spec.shape
        if spec.allow_last_axis_squeeze:
            shape = shape[:-1] if shape and shape[-1] == 1 else shape
            spec_shape = spec_shape[:-1] if spec_shape and spec_shape[-1] == 1 else spec_shape
        for spec_dim, dim in zip(spec_shape, shape):
            if spec_dim is not None and dim is not None and spec_dim != dim:
                raise ValueError(f"{prefix}expected shape={spec.shape}, found shape={shape}")
