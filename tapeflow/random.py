"""`tf.random`: re-exports of the random ops (tapeflow.ops.random and friends)."""
import types as _types

from tapeflow.ops.random import (categorical, gamma, normal, poisson, set_seed, shuffle,
                                 truncated_normal, uniform)
from tapeflow.ops.random_generator import (Algorithm, Generator, create_rng_state,
                                           get_global_generator, set_global_generator)
from tapeflow.ops.stateless_random import (fold_in, split, stateless_categorical,
                                           stateless_normal, stateless_shuffle,
                                           stateless_truncated_normal, stateless_uniform)

experimental = _types.SimpleNamespace(
    Algorithm=Algorithm,
    Generator=Generator,
    create_rng_state=create_rng_state,
    get_global_generator=get_global_generator,
    set_global_generator=set_global_generator,
    stateless_fold_in=fold_in,
    stateless_shuffle=stateless_shuffle,
    stateless_split=split,
)

__all__ = [name for name in dir() if not name.startswith("_") and name != "stateless_shuffle"]
del stateless_shuffle
