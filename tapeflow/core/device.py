"""`tf.DeviceSpec` and `tf.device`: device names, parsed and printed as TensorFlow does.

tapeflow runs every op on the CPU. `tf.device(...)` still checks its argument
like TF (a string or DeviceSpec; functions are refused) and then behaves like
TF's soft placement on a machine with one CPU: the ops inside run on the CPU.
"""


class DeviceSpec:
    """A (partial) device name: job, replica, task, device type and index.

    >>> DeviceSpec.from_string("/job:ps/task:1/gpu:0").to_string()
    '/job:ps/task:1/device:GPU:0'
    """

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self._job = None if job is None else str(job)
        self._replica = None if replica is None else int(replica)
        self._task = None if task is None else int(task)
        if device_type is not None and device_type.upper() in ("CPU", "GPU"):
            device_type = device_type.upper()
        self._device_type = device_type
        self._device_index = None if device_index is None else int(device_index)

    @classmethod
    def from_string(cls, spec):
        """Parses "/job:x/replica:0/task:1/device:GPU:2" (every part optional; "cpu:0" works).

        Raises:
          ValueError: an unknown part, or a non-integer replica, task or index.
        """
        return cls(**_parse(spec))

    def to_string(self):
        parts = []
        if self._job is not None:
            parts.append(f"/job:{self._job}")
        if self._replica is not None:
            parts.append(f"/replica:{self._replica}")
        if self._task is not None:
            parts.append(f"/task:{self._task}")
        if self._device_type is not None:
            index = "*" if self._device_index is None else self._device_index
            parts.append(f"/device:{self._device_type}:{index}")
        return "".join(parts)

    def parse_from_string(self, spec):
        return DeviceSpec.from_string(spec)

    def replace(self, **kwargs):
        """A copy with the given fields replaced."""
        fields = self._fields()
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def make_merged_spec(self, dev):
        """This spec with the fields `dev` sets taken from `dev`."""
        fields = self._fields()
        fields.update({k: v for k, v in dev._fields().items() if v is not None})
        return DeviceSpec(**fields)

    def _fields(self):
        return {"job": self._job, "replica": self._replica, "task": self._task,
                "device_type": self._device_type, "device_index": self._device_index}

    job = property(lambda self: self._job)
    replica = property(lambda self: self._replica)
    task = property(lambda self: self._task)
    device_type = property(lambda self: self._device_type)
    device_index = property(lambda self: self._device_index)

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return (f"<DeviceSpec(job={self._job}, replica={self._replica}, task={self._task}, "
                f"device_type={self._device_type}, device_index={self._device_index})>")


def _parse(spec):
    fields = {}
    for part in spec.split("/"):
        pieces = part.split(":")
        name, count = pieces[0], len(pieces)
        if count == 2 and name in ("job", "replica", "task"):
            fields[name] = pieces[1] if name == "job" else int(pieces[1])
        elif count in (1, 2) and name.upper() in ("CPU", "GPU"):
            fields["device_type"] = name.upper()
            fields["device_index"] = None if count == 1 or pieces[1] == "*" else int(pieces[1])
        elif count == 3 and name == "device":
            fields["device_type"] = pieces[1]
            fields["device_index"] = None if pieces[2] == "*" else int(pieces[2])
        elif name:
            raise ValueError(f"Unknown attribute '{name}' is encountered while parsing the "
                             f"device spec: '{spec}'.")
    return fields


class _DeviceScope:
    """What `tf.device` returns: a context manager (entering it checks the name)."""

    def __init__(self, name):
        self._name = name

    def __enter__(self):
        if isinstance(self._name, str):
            DeviceSpec.from_string(self._name)
        return None

    def __exit__(self, *exc):
        return False


def device(device_name):
    """Places the ops created inside on a device (TF's `tf.device`): here, always the CPU.

    Args:
      device_name: a device string ("/GPU:0", "/job:x/device:CPU:0"), a DeviceSpec,
        or None / "" (no constraint).

    Raises:
      RuntimeError: `device_name` is a function (TF 2 does not support device functions).
      ValueError: `device_name` is neither a string nor a DeviceSpec, or (on entering)
        is not a valid device string.
    """
    if callable(device_name):
        raise RuntimeError("tf.device does not support functions.")
    if isinstance(device_name, DeviceSpec):
        device_name = device_name.to_string()
    elif device_name is not None and not isinstance(device_name, str):
        raise ValueError(f"Expecting a string device name. Got "
                         f"{type(device_name)}({device_name})")
    return _DeviceScope(device_name)
