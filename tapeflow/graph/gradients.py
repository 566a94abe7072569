"""Symbolic gradients (`tf.gradients`, `tf.hessians`) and the gradient registry API
(`tf.RegisterGradient`, `tf.no_gradient`), plus `tf.recompute_grad` and
`tf.grad_pass_through`.

`tf.gradients(ys, xs)` differentiates a graph that was already built: inside a
traced function, the nodes traced so far are in program order, which is what a
GradientTape's record list is. So the graph's nodes are handed to a tape as its
records, and the tape's usual backward pass adds the gradient nodes to the graph.
Eagerly there is no graph to differentiate, and TF raises RuntimeError.
"""
import functools

from tapeflow.core import nest
from tapeflow.core.context import state
from tapeflow.core.custom_gradient import custom_gradient
from tapeflow.core.op import REGISTRY
from tapeflow.core.tape import GradientTape, UnconnectedGradients, _Entry
from tapeflow.core.tensor import SymbolicTensor, TensorLike


# ================================================================================
# tf.gradients and tf.hessians
# ================================================================================

def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE):
    """The symbolic derivatives of `sum(ys)` with respect to each of `xs`.

    Only inside a traced function (`tf.function`), as in TF 2.

    Args:
      ys: a tensor or list of tensors to differentiate.
      xs: a tensor, variable, or list of them.
      grad_ys: upstream gradients, one per `ys` (default: ones).
      name, gate_gradients, aggregation_method: accepted for compatibility.
      stop_gradients: tensors treated as constants.
      unconnected_gradients: "none" (None for unconnected xs) or "zero".

    Returns:
      A list with one gradient (or None) per element of `xs`.

    Raises:
      RuntimeError: called eagerly.
    """
    graph = state.graph
    if graph is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    ys = [_local(graph, y) for y in _as_list(ys)]
    xs = [_local(graph, x) for x in _as_list(xs)]
    seeds = None if grad_ys is None else [
        None if g is None else _local(graph, g) for g in _as_list(grad_ys)]
    if seeds is not None and len(seeds) != len(ys):
        raise ValueError(f"Passed {len(seeds)} grad_ys for {len(ys)} ys")
    stopped = {id(_local(graph, s)) for s in _as_list(stop_gradients or [])}
    tape = _tape_of(graph, xs, stopped)
    if seeds is not None:
        from tapeflow.ops.array import ones_like
        seeds = [ones_like(y) if g is None else g for y, g in zip(ys, seeds)]
    return list(tape.gradient(ys, xs, output_gradients=seeds,
                              unconnected_gradients=unconnected_gradients))


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _local(graph, value):
    """`value` as a value of `graph`: a captured outer tensor becomes its placeholder."""
    if isinstance(value, SymbolicTensor) and value._graph is not graph:
        entry = graph.captures.get(id(value))
        if entry is not None:
            return entry[1]
    if not isinstance(value, TensorLike):
        from tapeflow.core.convert import convert_to_tensor
        return convert_to_tensor(value)
    return value


def _tape_of(graph, xs, stopped):
    """A tape whose records are the differentiable nodes of `graph`, watching `xs`."""
    tape = GradientTape(persistent=True)
    for node in graph.nodes:
        if not node.op.differentiable or stopped.intersection(map(id, node.outputs)):
            continue
        tape._entries.append(_Entry(node.op, node.inputs, node.outputs, node.attrs))
    for x in xs:
        if x.dtype.is_floating or x.dtype.is_complex:
            tape._known[id(x)] = x
    return tape


def hessians(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians"):
    """The Hessian of `sum(ys)` with respect to each of `xs` (shape x.shape + x.shape).

    Only inside a traced function, and for `xs` of fully known shape.

    Raises:
      RuntimeError: called eagerly (TF's message names tf.gradients).
      ValueError: an `x` whose shape is not fully known.
    """
    from tapeflow.ops.array import reshape, stack, zeros_like
    xs = _as_list(xs)
    first = gradients(ys, xs)
    results = []
    for x, g in zip(xs, first):
        if g is None:
            results.append(None)
            continue
        shape = x.shape
        if not shape.is_fully_defined():
            raise ValueError(f"tf.hessians needs a fully known shape for {x!r}; got {shape}.")
        flat = reshape(g, [-1])
        rows = []
        for i in range(shape.num_elements()):
            (row,) = gradients(flat[i], [x])
            rows.append(zeros_like(x) if row is None else row)
        results.append(reshape(stack(rows), shape.as_list() * 2))
    return results


# ================================================================================
# The gradient registry: RegisterGradient, no_gradient
# ================================================================================

class _OpView:
    """The `op` argument of a TF-style gradient function: inputs, outputs, attributes."""

    def __init__(self, op_type, inputs, outputs, attrs):
        self.type = op_type
        self.name = op_type
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self._attrs = attrs

    def get_attr(self, name):
        return self._attrs[name]

    @property
    def node_def(self):
        return {"op": self.type, "attr": dict(self._attrs)}


def _tf_style_rule(op, grad_fn):
    """Adapts `grad_fn(op, *output_grads)` to a tapeflow rule `(dy, *inputs, out, **attrs)`."""
    def rule(dy, *inputs, out, **attrs):
        outputs = out if op.multi_output else (out,)
        dys = dy if op.multi_output else (dy,)
        result = grad_fn(_OpView(op.name, inputs, outputs, attrs), *dys)
        return tuple(result) if isinstance(result, (list, tuple)) else (result,)
    return rule


_PENDING = {}   # op type -> TF-style gradient function registered before the op exists


class RegisterGradient:
    """Decorator registering a gradient function for an op type (TF's `tf.RegisterGradient`).

    The function is TF's kind: `grad_fn(op, *output_grads)` returns one gradient
    (or None) per input of `op`, which has `.inputs`, `.outputs` and
    `.get_attr(name)`.

    Raises:
      TypeError: `op_type` is not a string.
      KeyError: the op type already has a gradient.
    """

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, grad_fn):
        op = REGISTRY.get(self._op_type)
        if (op is not None and op.grad is not None) or self._op_type in _PENDING:
            raise KeyError(f"Registering two gradient with name '{self._op_type}'! "
                           "(Previous registration was in the op's module)")
        if op is None:
            _PENDING[self._op_type] = grad_fn
        else:
            op.differentiable = True
            op.grad = _tf_style_rule(op, grad_fn)
        return grad_fn


def no_gradient(op_type):
    """Declares that ops of `op_type` have no gradient: tapes do not record them.

    Raises:
      TypeError: `op_type` is not a string.
    """
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    op = REGISTRY.get(op_type)
    if op is not None:
        op.differentiable = False
        op.grad = None


# ================================================================================
# recompute_grad and grad_pass_through
# ================================================================================

def recompute_grad(f):
    """Runs `f` without keeping its intermediate values; the gradient recomputes them.

    The forward pass runs with tapes paused; when the gradient is needed, `f`
    runs again under a tape. Trainable variables `f` reads get their gradients.

    >>> import tapeflow as tf
    >>> g = tf.recompute_grad(lambda x: tf.sin(x) * x)
    >>> x = tf.constant(1.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = g(x)
    >>> round(float(tape.gradient(y, x)), 5)
    1.38177
    """
    @custom_gradient
    def inner(*args, **kwargs):
        result = f(*args, **kwargs)

        def grad(*dresult, variables=None):
            watched = [a for a in args if isinstance(a, TensorLike) and
                       (a.dtype.is_floating or a.dtype.is_complex)]
            with GradientTape() as tape:
                tape.watch(watched)
                if variables:
                    tape.watch(variables)
                again = f(*args, **kwargs)
            sources = list(args) + list(variables or [])
            grads = tape.gradient(nest.flatten(again), sources, output_gradients=list(dresult))
            arg_grads = grads[:len(args)]
            return (arg_grads, grads[len(args):]) if variables else arg_grads

        return result, grad

    return functools.wraps(f)(inner)


def grad_pass_through(f):
    """`f` in the forward pass, the identity in the backward pass.

    Useful for ops without a gradient (an assignment, a quantization): the
    gradient with respect to each argument is the gradient of the output.

    >>> import tapeflow as tf
    >>> x = tf.Variable(1.0)
    >>> y = tf.constant(3.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(y)
    ...     z = tf.grad_pass_through(x.assign)(y) ** 2
    >>> float(tape.gradient(z, y))
    6.0
    """
    @custom_gradient
    def inner(*args, **kwargs):
        def grad(*dresult, variables=None):
            if variables:
                return list(dresult), [None] * len(variables)
            return list(dresult)
        return f(*args, **kwargs), grad

    return functools.wraps(f)(inner)
