"""`tf.py_function` and `tf.numpy_function`: Python code inside tapeflow programs.

Eagerly the function is simply called. While tracing, it becomes one stateful
node whose kernel calls it on every run of the compiled function (with eager
Tensors for py_function, NumPy arrays for numpy_function). Its outputs have
the declared dtypes and unknown shapes, as in TF.
"""
from tapeflow.core import dtypes, nest
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike, wrap


def _infer(*inputs, func, tout, eager_tensors):
    return tuple(TensorSpec(None, t) for t in tout)


PyFunc = Op("EagerPyFunc", infer=_infer, multi_output=True, side_effect=True,
            differentiable=False)


@PyFunc.kernel
def _(*arrays, func, tout, eager_tensors):
    args = [wrap(a) for a in arrays] if eager_tensors else list(arrays)
    results = func(*args)
    flat = results if isinstance(results, (list, tuple)) else [results]
    if len(flat) != len(tout):
        from tapeflow.core.errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, f"The function returned {len(flat)} values, but "
                                               f"Tout has {len(tout)} dtypes.")
    return tuple(xp.asarray(r._value if isinstance(r, TensorLike) else r, dtype=t._np)
                 for r, t in zip(flat, tout))


def _call(func, inp, Tout, eager_tensors):
    single = not isinstance(Tout, (list, tuple))
    tout = tuple(dtypes.as_dtype(t) for t in ([Tout] if single else Tout))
    inputs = [x if isinstance(x, TensorLike) else convert_to_tensor(x) for x in nest.flatten(inp)]
    if state.graph is None:
        args = inputs if eager_tensors else [x.numpy() for x in inputs]
        result = func(*args)
        flat = result if isinstance(result, (list, tuple)) else [result]
        outputs = [convert_to_tensor(r, dtype=t) for r, t in zip(flat, tout)]
    else:
        outputs = list(apply(PyFunc, *inputs, func=func, tout=tout,
                             eager_tensors=eager_tensors))
    return outputs[0] if single else outputs


def py_function(func=None, inp=None, Tout=None, name=None):  # noqa: N803 - TF's names
    """Runs `func` on eager Tensors, also from inside a traced function (TF's tf.py_function)."""
    return _call(func, inp or [], Tout, eager_tensors=True)


def numpy_function(func=None, inp=None, Tout=None, stateful=True, name=None):  # noqa: N803
    """Runs `func` on NumPy arrays, also from inside a traced function."""
    return _call(func, inp or [], Tout, eager_tensors=False)
