"""`tf.data.Options` and the tf.data constants (AUTOTUNE, INFINITE/UNKNOWN cardinality).

Options are plain records of optional settings: every field defaults to None
("not set"), assigning an unknown field is an AttributeError, and `merge`
combines two records field by field, as TF's do. Only `deterministic` and
`threading.private_threadpool_size` change what tapeflow does; the other
fields are kept so that pipelines setting them run unchanged.
"""
import enum

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
SHARD_HINT = -1


class AutoShardPolicy(enum.IntEnum):
    """How a distributed input pipeline is sharded (kept for API compatibility)."""

    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class ExternalStatePolicy(enum.Enum):
    WARN = 0
    IGNORE = 1
    FAIL = 2


class AutotuneAlgorithm(enum.Enum):
    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


class _OptionsBase:
    """A record of named optional settings; subclasses list them in `_FIELDS`.

    `_FIELDS` maps a field name to its default: None, or a class for a nested
    group of options (created on first read).
    """

    _FIELDS = {}
    _ALIASES = {}

    def __init__(self):
        object.__setattr__(self, "_values", {})

    def __getattr__(self, name):
        name = type(self)._ALIASES.get(name, name)
        fields = type(self)._FIELDS
        if name not in fields:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        values = self.__dict__["_values"]
        if name not in values and isinstance(fields[name], type):
            values[name] = fields[name]()
        return values.get(name, fields[name])

    def __setattr__(self, name, value):
        name = type(self)._ALIASES.get(name, name)
        if name not in type(self)._FIELDS:
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        self._values[name] = value

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._FIELDS)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None

    def merge(self, options):
        """A new record: the fields set in `options` override the ones set here."""
        merged = type(self)()
        for name, default in self._FIELDS.items():
            mine, theirs = getattr(self, name), getattr(options, name)
            if isinstance(default, type):
                setattr(merged, name, mine.merge(theirs))
            elif theirs is not None:
                setattr(merged, name, theirs)
            elif mine is not None:
                setattr(merged, name, mine)
        return merged

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


class ThreadingOptions(_OptionsBase):
    """Thread pool settings: `private_threadpool_size` caps parallel map workers."""

    _FIELDS = {"max_intra_op_parallelism": None, "private_threadpool_size": None}


class AutotuneOptions(_OptionsBase):
    _FIELDS = {"enabled": None, "cpu_budget": None, "ram_budget": None,
               "autotune_algorithm": None, "initial_parallelism": None, "min_parallelism": None}


class OptimizationOptions(_OptionsBase):
    _FIELDS = {name: None for name in (
        "apply_default_optimizations", "filter_fusion", "filter_parallelization",
        "inject_prefetch", "seq_interleave_prefetch", "map_and_batch_fusion",
        "map_and_filter_fusion", "map_fusion", "map_parallelization",
        "noop_elimination", "parallel_batch", "shuffle_and_repeat_fusion",
        "warm_start")}


class DistributeOptions(_OptionsBase):
    _FIELDS = {"auto_shard_policy": None, "num_devices": None}

    def __getattr__(self, name):
        value = super().__getattr__(name)
        if name == "auto_shard_policy" and value is None:
            return AutoShardPolicy.AUTO
        return value


class ServiceOptions(_OptionsBase):
    _FIELDS = {"pinned": None}


class Options(_OptionsBase):
    """Options for a dataset pipeline (TF's `tf.data.Options`).

    >>> options = Options()
    >>> options.deterministic = False
    >>> options.deterministic
    False
    """

    _FIELDS = {
        "autotune": AutotuneOptions,
        "dataset_name": None,
        "deterministic": None,
        "experimental_distribute": DistributeOptions,
        "experimental_external_state_policy": None,
        "experimental_optimization": OptimizationOptions,
        "experimental_service": ServiceOptions,
        "experimental_slack": None,
        "experimental_symbolic_checkpoint": None,
        "experimental_warm_start": None,
        "framework_type": None,
        "threading": ThreadingOptions,
    }
    _ALIASES = {"experimental_deterministic": "deterministic",
                "experimental_threading": "threading"}

    def __dir__(self):
        return sorted(set(self._FIELDS) | set(self._ALIASES) | {"merge"})
