"""Dtype policies: the dtype of a layer's weights and of its computations.

`DTypePolicy("float32")` computes and stores in float32; `"mixed_float16"`
computes in float16 and keeps float32 weights (`tf.keras.mixed_precision`).
"""
from tapeflow.keras import backend


class DTypePolicy:
    """A layer's dtype policy: `compute_dtype` and `variable_dtype`, by name.

    >>> DTypePolicy("mixed_float16").compute_dtype
    'float16'
    """

    def __init__(self, name=None):
        if name is None:
            name = backend.floatx()
        if not isinstance(name, str):
            raise TypeError("'name' must be a string, such as 'mixed_float16'. Received: "
                            f"name={name} (of type {type(name)})")
        if name in ("mixed_float16", "mixed_bfloat16"):
            self._compute_dtype = name.split("_")[1]
            self._variable_dtype = "float32"
        else:
            try:
                dtype = backend.standardize_dtype(name)
            except (TypeError, ValueError):
                raise ValueError(f"Cannot convert '{name}' to a mixed precision "
                                 "DTypePolicy. Valid policies include 'mixed_float16', "
                                 "'mixed_bfloat16', and the name of any float dtype such as "
                                 "'float32'.") from None
            self._compute_dtype = self._variable_dtype = dtype
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def variable_dtype(self):
        return self._variable_dtype

    def serialize(self):
        return {"module": "keras", "class_name": "DTypePolicy",
                "config": {"name": self._name}, "registered_name": None}

    @staticmethod
    def deserialize(config):
        return DTypePolicy(config["config"]["name"])

    def get_config(self):
        return {"name": self._name}

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other._name == self._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


_global_policy = None


def get_policy(dtype):
    """The policy for a layer's `dtype` argument (None: the global policy or floatx)."""
    if isinstance(dtype, DTypePolicy):
        return dtype
    if dtype is None:
        return _global_policy or DTypePolicy(backend.floatx())
    if isinstance(dtype, dict):
        return DTypePolicy.deserialize(dtype)
    if not isinstance(dtype, str):
        dtype = backend.standardize_dtype(dtype)
    return DTypePolicy(dtype)


def set_global_policy(policy):
    """`tf.keras.mixed_precision.set_global_policy`: the default policy of new layers."""
    global _global_policy
    _global_policy = None if policy is None else get_policy(policy)


def global_policy():
    return _global_policy or DTypePolicy(backend.floatx())
