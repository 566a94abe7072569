"""`tf.function` (being written). For now it runs the Python function eagerly."""
import functools


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Decorator: until the compiler lands, calls `func` eagerly."""
    if func is None:
        return functools.partial(function, input_signature=input_signature)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    wrapper.python_function = func
    return wrapper
