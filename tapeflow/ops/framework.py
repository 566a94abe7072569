"""Framework utilities of TF's top-level API: control dependencies and grouping,
static values of traced tensors, and small questions about the current context.

In TF 2, eager ops run in program order and traced functions keep the order of
their stateful ops (tapeflow's graphs too: nodes are in program order, and
side-effecting nodes are never removed or reordered). So `control_dependencies`,
`group` and `tuple` have nothing to enforce here; they check their arguments
and return what TF returns.
"""
import contextlib
import logging
import time

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, SymbolicTensor, TensorLike


class AggregationMethod:
    """How gradients of a tensor used several times are summed (all give the same sums here)."""
    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


# -- ordering --------------------------------------------------------------------------

def control_dependencies(control_inputs):
    """A context whose ops run after `control_inputs` (TF's `tf.control_dependencies`).

    Eagerly ops already run in order; in traced functions tapeflow keeps program
    order for every stateful op. So the context only checks that `control_inputs`
    is None or iterable, and does nothing else.

    Raises:
      TypeError: `control_inputs` is neither None nor iterable.
    """
    if control_inputs is not None:
        iter(control_inputs)
    return contextlib.nullcontext()


def no_op(name=None):
    """Does nothing (TF's `tf.no_op`); returns None, as eagerly in TF."""
    return None


def group(*inputs, **kwargs):
    """Groups ops so that they all run (TF's `tf.group`): returns None.

    Every op in a tapeflow function runs (or is pruned only when nothing depends
    on it and it has no side effect), so there is nothing to group.
    """
    return None


def tuple(tensors, control_inputs=None, name=None):  # noqa: A001 - TF's name
    """Returns `tensors` as a list, after `control_inputs` (TF's `tf.tuple`).

    Entries may be None. A single tensor is returned as it is, as TF does.
    """
    if isinstance(tensors, TensorLike):
        return tensors
    return [t for t in tensors]


def parallel_stack(values, name="parallel_stack"):
    """Stacks `values` along a new first axis; only inside a traced function, as in TF.

    Raises:
      RuntimeError: called eagerly.
    """
    if state.graph is None:
        raise RuntimeError("tf.parallel_stack() is not compatible with eager execution.")
    from tapeflow.ops.array import stack
    return stack(values, axis=0, name=name)


# -- the current context ------------------------------------------------------------------

def inside_function():
    """True while a `tf.function` is being traced."""
    return state.graph is not None


def is_symbolic_tensor(tensor):
    """True for a tensor of a graph being traced (it has no value yet)."""
    return isinstance(tensor, SymbolicTensor)


def get_current_name_scope():
    """The current name scope, without the trailing slash ("" at the top).

    >>> import tapeflow as tf
    >>> with tf.name_scope("outer"):
    ...     with tf.name_scope("inner"):
    ...         tf.get_current_name_scope()
    'outer/inner'
    """
    return state.name_scope.rstrip("/")


def get_logger():
    """The logger tapeflow writes its warnings to (TF's `tf.get_logger()`)."""
    return logging.getLogger("tapeflow")


# -- static values ----------------------------------------------------------------------------

# Ops whose output `get_static_value` computes when every input value is known
# (TF's constant folding in `tf.get_static_value`).
_FOLDABLE = frozenset(("Const", "Range", "Cast", "ConcatV2", "Pack", "Fill", "Identity",
                       "StopGradient"))


def get_static_value(tensor, partial=False):
    """The value of `tensor` if it can be known without running a graph, else None.

    Eager tensors give their NumPy value; in a traced function, constants and the
    shape, size and rank of tensors with known shapes fold, through casts,
    concatenations, packing, fills and identities. Variables give None; values
    that are not tensors are returned unchanged.

    >>> import tapeflow as tf
    >>> tf.get_static_value(tf.constant([1, 2]))
    array([1, 2], dtype=int32)
    """
    if isinstance(tensor, EagerTensor):
        return tensor.numpy()
    if isinstance(tensor, SymbolicTensor):
        return _fold(tensor)
    if isinstance(tensor, TensorLike):   # a variable: its value may change
        return None
    return tensor


def _fold(tensor):
    if isinstance(tensor, EagerTensor):
        return tensor._value
    if not isinstance(tensor, SymbolicTensor):
        return None
    node = tensor._node
    name = node.op.name
    if name in ("Shape", "Size", "Rank"):
        return _fold_shape_query(name, node)
    if name not in _FOLDABLE:
        return None
    arrays = []
    for x in node.inputs:
        value = _fold(x)
        if value is None:
            return None
        arrays.append(value)
    out = node.op.forward(*arrays, **node.attrs)
    return out[tensor._index] if node.op.multi_output else xp.asarray(out)


def _fold_shape_query(name, node):
    dims = node.inputs[0]._static_dims()
    if name == "Rank":
        return None if dims is None else xp.asarray(len(dims), dtype=xp.int32)
    if dims is None or None in dims:
        return None
    np_type = node.attrs["out_type"]._np
    if name == "Shape":
        return xp.asarray(dims, dtype=np_type)
    size = 1
    for d in dims:
        size *= d
    return xp.asarray(size, dtype=np_type)



# -- time and constants ---------------------------------------------------------------------

Timestamp = Op("Timestamp", infer=lambda: TensorSpec((), dtypes.float64), stateful=True,
               differentiable=False)
Timestamp.kernel(lambda: xp.array(time.time(), dtype=xp.float64))


def timestamp(name=None):
    """Seconds since the epoch when the op runs (float64; at every call of a traced function).

    >>> import tapeflow as tf
    >>> float(tf.timestamp()) > 1.6e9
    True
    """
    return apply(Timestamp)


def guarantee_const(input, name=None):  # noqa: A002 - TF's argument name
    """Returns `input` (TF's hint that a value is constant; deprecated there)."""
    from tapeflow.ops.array import identity
    return identity(input)
