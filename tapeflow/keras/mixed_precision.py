"""`tf.keras.mixed_precision`: dtype policies (e.g. "mixed_float16")."""
from tapeflow.keras.dtype_policies import DTypePolicy, global_policy, set_global_policy  # noqa: F401

Policy = DTypePolicy
