"""`tf.experimental`: the few experimental switches that mean something here."""


def enable_op_determinism():
    """A no-op: tapeflow's ops are deterministic (NumPy on the CPU, fixed reduction order)."""
    return None


def disable_op_determinism():
    return None


def async_scope():
    """A context in which ops would run asynchronously; tapeflow runs them in order."""
    import contextlib
    return contextlib.nullcontext()


def async_clear_error():
    return None
