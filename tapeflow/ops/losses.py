"""tf.nn's loss ops: softmax and sigmoid cross-entropies, l2_loss, and the helpers
tf.distribute uses to average per-example losses.

The two softmax cross-entropies are primitives with two outputs, like TF's ops:
the loss and `backprop`, the gradient of the loss with respect to the logits
(softmax - labels), computed in the same pass over the exponentials. The
gradient rule reuses `backprop`, so the backward pass is one multiply. Because
`backprop` is itself an output that depends on the logits, the rule also
carries its own derivative (the softmax Jacobian applied to its incoming
gradient), which makes second derivatives exact, as TF's are; that term is
zero in a first-order pass and is skipped then.
"""
import math as _pymath

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.tape import is_zero_filler
from tapeflow.core.errors import InvalidArgumentError, op_error
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape, broadcast_shapes
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import array as array_ops
from tapeflow.ops import math as math_ops
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import tensor_like
from tapeflow.ops.array import expand_dims, zeros_like
from tapeflow.ops.math import (add, cast, exp, greater_equal, log1p, multiply, negative,
                               reduce_sum, subtract, where)
from tapeflow.ops.nn import log_softmax, relu, softmax

FLOATS = dtypes.FLOATS
LABEL_DTYPES = frozenset({dtypes.int32, dtypes.int64})


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _softmax_vjp(g, logits):
    """(g - sum(g * s)) * s with s = softmax(logits): the softmax Jacobian applied to g."""
    s = softmax(logits)
    return multiply(subtract(g, reduce_sum(multiply(g, s), axis=-1, keepdims=True)), s)


def _is_zero(g):
    """True for the tape's zeros for an output nobody differentiated (eager or traced),
    or any eager all-zero tensor: terms linear in g can then be skipped exactly."""
    if is_zero_filler(g):
        return True
    value = getattr(g, "_value", None)
    return value is not None and not value.any()


def _stable_softmax_parts(logits):
    """(shifted logits, exp(shifted), sum of exp) along the last axis, computed without
    overflow; float16 is computed in float32, as TF does."""
    x = logits.astype(xp.float32) if logits.dtype == xp.float16 else logits
    shifted = x - x.max(axis=-1, keepdims=True)
    e = xp.exp(shifted)
    return shifted, e, e.sum(axis=-1, keepdims=True)


# ================================================================================
# sparse_softmax_cross_entropy_with_logits
# ================================================================================

def _sparse_xent_infer(logits, labels):
    loss_dims = None if logits.dims is None else logits.dims[:-1]
    if labels.dims is not None:
        loss_dims = labels.dims
    return TensorSpec(loss_dims, logits.dtype), TensorSpec(logits.dims, logits.dtype)


SparseSoftmaxCrossEntropyWithLogits = Op("SparseSoftmaxCrossEntropyWithLogits",
                                         infer=_sparse_xent_infer, dtypes=FLOATS,
                                         multi_output=True)


def _check_labels(labels, classes, logits_shape):
    if classes == 0:
        dims = ",".join(str(d) for d in logits_shape)
        raise InvalidArgumentError(None, None, "Must have at least one class, but got logits "
                                               f"shape [{dims}]")
    bad = (labels < 0) | (labels >= classes)
    if bad.any():
        flat = labels.reshape(-1)
        last_bad = flat[bad.reshape(-1)][-1]   # TF reports the last offending label
        values = " ".join(str(v) for v in flat)
        raise InvalidArgumentError(
            None, None, f"Received a label value of {last_bad} which is outside the valid range "
                        f"of [0, {classes}).  Label values: {values}")


@SparseSoftmaxCrossEntropyWithLogits.kernel
def _(logits, labels):
    classes = logits.shape[-1]
    _check_labels(labels, classes, logits.shape)
    shifted, e, total = _stable_softmax_parts(logits)
    index = labels[..., None].astype(xp.intp)
    loss = xp.log(total[..., 0]) - xp.take_along_axis(shifted, index, axis=-1)[..., 0]
    backprop = e / total
    rows = backprop.reshape(-1, classes)
    rows[xp.arange(rows.shape[0]), labels.reshape(-1)] -= 1
    return loss.astype(logits.dtype), backprop.astype(logits.dtype)


@SparseSoftmaxCrossEntropyWithLogits.gradient
def _(dy, logits, labels, out):
    # loss = logsumexp(logits) - logits[label]; d loss / d logits = backprop (output 1).
    dloss, dbackprop = dy
    dlogits = multiply(expand_dims(dloss, -1), out[1])
    if not _is_zero(dbackprop):
        dlogits = add(dlogits, _softmax_vjp(dbackprop, logits))
    return dlogits, None


def _static_shape_str(dims):
    return str(tuple(dims)) if dims is not None else "<unknown>"


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Softmax cross-entropy between `logits` [..., classes] and integer class `labels` [...].

    Args:
      labels: int32 or int64 class indices in [0, classes), shaped like
        `logits` without its last dimension.
      logits: unnormalized log-probabilities (float).

    Returns:
      The per-example losses, shaped like `labels`, of the logits' dtype.

    Raises:
      InvalidArgumentError: a label outside [0, classes).
      ValueError: mismatched ranks or shapes.

    >>> sparse_softmax_cross_entropy_with_logits([0], [[0.0, 0.0]]).numpy()
    array([0.6931472], dtype=float32)
    """
    labels, logits = _t(labels), _t(logits)
    l_dims, x_dims = labels._static_dims(), logits._static_dims()
    if x_dims is not None and len(x_dims) == 0:
        raise ValueError(f"`logits` cannot be a scalar. Received logits={logits}`")
    if l_dims is not None and x_dims is not None:
        if len(l_dims) != len(x_dims) - 1:
            raise ValueError(
                "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                f"labels.shape={_static_shape_str(l_dims)} of rank {len(l_dims)} and "
                f"logits.shape={_static_shape_str(x_dims)} of rank {len(x_dims)}")
        if not TensorShape(l_dims).is_compatible_with(TensorShape(x_dims[:-1])):
            raise ValueError(
                "`labels.shape` must equal `logits.shape` except for the last dimension. "
                f"Received: labels.shape={_static_shape_str(l_dims)} and "
                f"logits.shape={_static_shape_str(x_dims)}")
    if labels.dtype not in LABEL_DTYPES:
        # TF names dtypes by their C type in kernel messages (float, double, half).
        word = {"float32": "float", "float64": "double", "float16": "half"}.get(
            labels.dtype.name, labels.dtype.name)
        raise op_error("SparseSoftmaxCrossEntropyWithLogits",
                       f"Value for attr 'Tlabels' of {word} is not in the list of "
                       "allowed values: int32, int64")
    loss, _ = apply(SparseSoftmaxCrossEntropyWithLogits, logits, labels)
    return loss


# ================================================================================
# softmax_cross_entropy_with_logits
# ================================================================================

def _xent_infer(logits, labels):
    dims = None
    if logits.dims is not None and labels.dims is not None:
        dims = broadcast_shapes(logits.dims, labels.dims)
        if dims is None:
            raise ValueError(f"logits and labels must be broadcastable: logits_size="
                             f"{list(logits.dims)} labels_size={list(labels.dims)}")
    if logits.dtype is not labels.dtype:
        raise TypeError(f"Input 'labels' of 'SoftmaxCrossEntropyWithLogits' Op has type "
                        f"{labels.dtype.name} that does not match type {logits.dtype.name} of "
                        "argument 'features'.")
    return TensorSpec(None if dims is None else dims[:-1], logits.dtype), \
        TensorSpec(dims, logits.dtype)


SoftmaxCrossEntropyWithLogits = Op("SoftmaxCrossEntropyWithLogits", infer=_xent_infer,
                                   dtypes=FLOATS, multi_output=True)


@SoftmaxCrossEntropyWithLogits.kernel
def _(logits, labels):
    try:
        shape = xp.broadcast_shapes(logits.shape, labels.shape)
    except ValueError:
        raise InvalidArgumentError(
            None, None, "logits and labels must be broadcastable: logits_size="
                        f"[{','.join(map(str, logits.shape))}] labels_size="
                        f"[{','.join(map(str, labels.shape))}]") from None
    shifted, e, total = _stable_softmax_parts(xp.broadcast_to(logits, shape))
    log_probs = shifted - xp.log(total)
    loss = -(labels * log_probs).sum(axis=-1)
    backprop = e / total - labels
    return loss.astype(logits.dtype), backprop.astype(logits.dtype)


@SoftmaxCrossEntropyWithLogits.gradient
def _(dy, logits, labels, out):
    # loss = -sum(labels * log_softmax(logits)). TF's backprop output is softmax - labels
    # (the exact gradient when each row of labels sums to 1), reused here.
    dloss, dbackprop = dy
    dloss = expand_dims(dloss, -1)
    backprop_used = not _is_zero(dbackprop)   # backprop = softmax(logits) - labels
    dlogits = multiply(dloss, out[1])
    if backprop_used:
        dlogits = add(dlogits, _softmax_vjp(dbackprop, logits))

    def dlabels():
        g = multiply(dloss, negative(log_softmax(logits)))
        return sum_to_shape(subtract(g, dbackprop) if backprop_used else g, labels)
    return sum_to_shape(dlogits, logits), dlabels


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Softmax cross-entropy between `logits` and a probability distribution `labels`.

    Each slice of `labels` along `axis` should be a valid distribution (it is
    not checked); labels are cast to the logits' dtype and may broadcast
    against them.

    >>> softmax_cross_entropy_with_logits([[0.0, 1.0]], [[1.0, 2.0]]).numpy()
    array([0.31326166], dtype=float32)
    """
    logits = _t(logits)
    labels = cast(_t(labels), logits.dtype) if logits.dtype in FLOATS else _t(labels)
    rank = logits.ndim
    if rank is not None and rank > 0 and axis not in (-1, rank - 1):
        if not -rank <= axis < rank:
            raise InvalidArgumentError(
                None, None, f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the "
                            f"number of dimensions in the input. Received: dim={axis}")
        perm = [i for i in range(rank) if i != axis % rank] + [axis % rank]
        logits = array_ops.transpose(logits, perm)
        labels = array_ops.transpose(labels, perm)
    loss, _ = apply(SoftmaxCrossEntropyWithLogits, logits, labels)
    return loss


# ================================================================================
# Sigmoid cross-entropies (composites)
# ================================================================================

def _check_same_shape(labels, logits):
    l_dims, x_dims = labels._static_dims(), logits._static_dims()
    if l_dims is not None and x_dims is not None and \
            not TensorShape(l_dims).is_compatible_with(TensorShape(x_dims)):
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({_static_shape_str(x_dims)} vs {_static_shape_str(l_dims)}).")


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Elementwise logistic loss `-labels * log(sigmoid(x)) - (1 - labels) * log(1 - sigmoid(x))`.

    Computed in the stable form `max(x, 0) - x * labels + log(1 + exp(-|x|))`,
    with the max and |x| written as selects so that the gradient at x = 0 is
    the true one, sigmoid(0) - labels, as in TF.

    >>> round(float(sigmoid_cross_entropy_with_logits(1.0, 0.0)), 6)
    0.693147
    """
    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided for "
                         f"sigmoid_cross_entropy_with_logitsReceived: labels={labels} and "
                         f"logits={logits}")
    logits, labels = _t(logits), _t(labels)
    _check_same_shape(labels, logits)
    zeros = zeros_like(logits)
    positive = greater_equal(logits, zeros)
    relu_logits = where(positive, logits, zeros)
    neg_abs_logits = where(positive, negative(logits), logits)
    return add(subtract(relu_logits, multiply(logits, labels)), log1p(exp(neg_abs_logits)))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy with the positive term weighted by `pos_weight`:
    `(1 - labels) * x + (1 + (pos_weight - 1) * labels) * log(1 + exp(-x))`, stably."""
    logits, labels = _t(logits), _t(labels)
    _check_same_shape(labels, logits)
    log_weight = add(1, multiply(subtract(pos_weight, 1), labels))
    softplus_neg = add(log1p(exp(negative(math_ops.abs(logits)))), relu(negative(logits)))
    return add(multiply(subtract(1, labels), logits), multiply(log_weight, softplus_neg))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """Poisson negative log-likelihood with the rate given as its log:
    `exp(log_input) - log_input * targets`, plus Stirling's approximation of
    log(targets!) for targets > 1 when `compute_full_loss`."""
    targets, log_input = _t(targets), _t(log_input)
    t_dims, x_dims = targets._static_dims(), log_input._static_dims()
    if t_dims is not None and x_dims is not None and \
            not TensorShape(t_dims).is_compatible_with(TensorShape(x_dims)):
        raise ValueError(f"`log_input` and `targets` must have the same shape, received "
                         f"({_static_shape_str(x_dims)} vs {_static_shape_str(t_dims)}).")
    result = subtract(exp(log_input), multiply(log_input, targets))
    if not compute_full_loss:
        return result
    stirling = add(subtract(multiply(targets, math_ops.log(targets)), targets),
                   multiply(math_ops.log(multiply(targets, 2 * _pymath.pi)), 0.5))
    small = math_ops.logical_and(greater_equal(targets, 0), math_ops.less_equal(targets, 1))
    return add(result, where(small, zeros_like(targets), stirling))


# ================================================================================
# l2_loss, compute_average_loss, scale_regularization_loss
# ================================================================================

def _scalar_infer(x):
    return TensorSpec((), x.dtype)


L2Loss = Op("L2Loss", infer=_scalar_infer, dtypes=FLOATS)


@L2Loss.kernel
def _(x):
    flat = x.reshape(-1)
    return xp.asarray(xp.dot(flat, flat) / 2, dtype=x.dtype)   # one BLAS dot


L2Loss.gradient(lambda dy, x, out: multiply(dy, x))


def l2_loss(t, name=None):
    """`sum(t ** 2) / 2`, without the square root (weight decay's penalty).

    >>> float(l2_loss([1.0, 2.0]))
    2.5
    """
    return apply(L2Loss, _t(t))


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """The sum of the (weighted) per-example losses divided by the global batch size.

    The global batch size defaults to the first dimension of `per_example_loss`
    times the number of replicas in sync (1 without a tf.distribute strategy).

    Raises:
      RuntimeError: called in a strategy's cross-replica context without
        `global_batch_size`.
    """
    loss = _t(per_example_loss)
    dtype = loss.dtype
    if loss.ndim == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with "
                         f"at least rank 1. Received per_example_loss={loss} with rank 0")
    if sample_weight is not None:
        weight = _t(sample_weight)
        if weight.dtype is not dtype:
            weight = cast(weight, dtype)
        while weight.ndim is not None and loss.ndim is not None and weight.ndim < loss.ndim \
                and weight.ndim > 0:
            weight = expand_dims(weight, -1)   # weights align with the leading dimensions
        loss = multiply(loss, weight)
    if global_batch_size is None:
        replicas = _replicas_in_sync("compute_average_loss")
        global_batch_size = array_ops.shape(loss)[0]
        if replicas > 1:
            global_batch_size = global_batch_size * replicas
    else:
        global_batch_size = _t(global_batch_size)
        if not global_batch_size.dtype.is_integer:
            raise TypeError("global_batch_size must be an integer..  Expected \"x\" to be "
                            f"integer type.  Found: tensor of dtype {global_batch_size.dtype!r}")
    total = reduce_sum(loss)
    if not dtype.is_floating:
        return math_ops.truediv(total, global_batch_size)   # int32 / int32 -> float64, as TF
    # An empty batch gives 0, not NaN (TF divides with div_no_nan).
    size = cast(global_batch_size, dtype)
    empty = math_ops.equal(size, 0)
    safe_size = where(empty, math_ops.ones_like(size), size)
    return where(empty, zeros_like(total), math_ops.divide(total, safe_size))


def scale_regularization_loss(regularization_loss):
    """The regularization loss summed and divided by the number of replicas in sync.

    Raises:
      RuntimeError: called in a strategy's cross-replica context.
    """
    replicas = _replicas_in_sync("scale_regularization_loss")
    if isinstance(regularization_loss, (list, tuple)):
        regularization_loss = math_ops.add_n(list(regularization_loss))
    return math_ops.truediv(reduce_sum(regularization_loss), replicas)


def _replicas_in_sync(caller):
    """The current tf.distribute strategy's replica count; these losses need a replica context."""
    context = state.distribution          # None outside any strategy (tapeflow/distribute)
    if context is None:
        return 1
    if context.in_cross_replica_context:
        raise RuntimeError(f"You are calling `{caller}` in cross replica context, while it was "
                           "expected to be called in replica context.")
    return context.num_replicas_in_sync
