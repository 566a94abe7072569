"""`tf.keras.utils.set_random_seed`: one seed for Python, NumPy and tapeflow's random ops."""
import random


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy's global generator and `tf.random` (`tf.random.set_seed`).

    Args:
      seed: a non-negative integer.

    Raises:
      ValueError: `seed` is not an integer.

    >>> set_random_seed(1)
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError("Expected `seed` argument to be an integer. Received: "
                         f"seed={seed} (of type {type(seed)})")
    from tapeflow.core.array_api import xp
    from tapeflow.ops.random import set_seed
    random.seed(seed)
    xp.random.seed(seed)
    set_seed(seed)
