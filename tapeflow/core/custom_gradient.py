"""`tf.custom_gradient`: a function whose gradient is given by the user.

The decorated function runs with tapes paused (its inner ops are not recorded),
while the trainable variables it reads are collected. Its results then pass
through one `CustomGradient` op whose inputs are the function's tensor
arguments and those variables: tapes record that single op, and its gradient
rule calls the user's `grad_fn`.
"""
import functools
import inspect

from tapeflow.core import nest
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.tensor import Tensor


def _infer(*specs, grad_fn, num_args, variables):
    return tuple(specs[num_args + len(variables):])


CustomGradient = Op("CustomGradient", infer=_infer, multi_output=True)


@CustomGradient.kernel
def _(*arrays, grad_fn, num_args, variables):
    return tuple(arrays[num_args + len(variables):])


@CustomGradient.gradient
def _(dy, *inputs, out, grad_fn, num_args, variables):
    # `variables` (an attr) holds the Variable objects themselves, as TF passes them;
    # they are inputs too, so that tapes connect them.
    if variables:
        if not _accepts_variables(grad_fn):
            raise TypeError("If using @custom_gradient with a function that uses variables, "
                            "then grad_fn must accept a keyword argument 'variables'.")
        result = grad_fn(*dy, variables=list(variables))
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise ValueError("A custom gradient over variables must return "
                             "(input_gradients, variable_gradients).")
        arg_grads, var_grads = result
    else:
        arg_grads, var_grads = grad_fn(*dy), []
    arg_grads = list(arg_grads) if isinstance(arg_grads, (tuple, list)) else [arg_grads]
    if len(arg_grads) != num_args:
        raise ValueError(f"custom_gradient function expected to return {num_args} gradients, "
                         f"but returned {len(arg_grads)} instead.")
    return (*arg_grads, *var_grads, *([None] * len(out)))


def _accepts_variables(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return "variables" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class _VariableRecorder:
    """Stands in for a tape while the forward function runs: notes variable reads."""

    def __init__(self):
        self.variables = {}

    def _record(self, op, inputs, outputs, attrs):
        for x in inputs:
            if x._is_variable and x._trainable:
                self.variables.setdefault(id(x), x)


def custom_gradient(f=None):
    """Decorator: `f(*args)` returns `(result, grad_fn)`; tapes use `grad_fn` for `f`.

    >>> import tapeflow as tf
    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1.0, 1.0)
    >>> x = tf.constant(2.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = clip_grad(x) * 5.0
    >>> float(tape.gradient(y, x))
    1.0
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        args = [convert_to_tensor(a) if not _is_tensor_like(a) else a for a in args]
        recorder = _VariableRecorder()
        saved = state.tapes
        state.tapes = (recorder,)
        try:
            result, grad_fn = f(*args, **kwargs)
        finally:
            state.tapes = saved
        flat = [convert_to_tensor(r) for r in nest.flatten(result)]
        variables = list(recorder.variables.values())
        outputs = apply(CustomGradient, *args, *variables, *flat, grad_fn=grad_fn,
                        num_args=len(args), variables=tuple(variables))
        return nest.pack_sequence_as(result, list(outputs))

    return decorated


def _is_tensor_like(x):
    return isinstance(x, Tensor) or getattr(x, "_is_variable", False)
