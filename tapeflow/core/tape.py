"""GradientTape: records ops on watched values, then runs them backwards.

Terms. A *source* is a tensor or variable we want gradients with respect to; a
*target* is the value being differentiated. The tape *watches* a tensor when
asked to (`watch`) and a trainable variable whenever it is read inside the
tape's context. An op application is *recorded* when one of its inputs is
watched or was produced by a recorded op; its float outputs then count as
watched too. Records are appended in execution order, so walking the list
backwards is already a valid reverse topological order.

gradient(target, sources):
  1. Mark what is *connected*: walking forward, an entry is connected when one
     of its inputs is a source or a connected output.
  2. Seed each target's gradient with ones of its shape (or `output_gradients`).
  3. Walk the entries in reverse. For each entry with a gradient on some output,
     call its op's gradient rule (written in tapeflow ops, so nested tapes see
     it) and add each input's gradient into that input's running sum. Rules
     reduce broadcast dimensions themselves (sum_to_shape); rules may return a
     thunk, evaluated only for connected inputs.
  4. A source that received nothing is *unconnected*: None, or zeros when
     `unconnected_gradients=ZERO`. Integer sources always get None.

A non-persistent tape may compute one set of gradients; its records are
dropped afterwards so that activations are freed.
"""
import enum
import logging
import weakref

from tapeflow.core import nest
from tapeflow.core.context import state
from tapeflow.core.tensor import Tensor, wrap
from tapeflow.core.variable import ReadVariableOp

_log = logging.getLogger("tapeflow")

# The few ops the backward pass itself needs, registered by the ops layer
# (core cannot import it): add, zeros_like, ones_like, one_hot_like, stack, reshape.
vspace = None


def set_vspace(namespace):
    global vspace
    vspace = namespace


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for sources the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


class _Entry:
    """One recorded op application. Ids are computed when the tape is differentiated,
    keeping recording (the hot path under a tape) cheap."""

    __slots__ = ("op", "inputs", "outputs", "attrs", "input_ids", "output_ids")

    def __init__(self, op, inputs, outputs, attrs):
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        self.input_ids = None
        self.output_ids = None

    def ids(self):
        if self.input_ids is None:
            self.input_ids = tuple(map(id, self.inputs))
            self.output_ids = tuple(map(id, self.outputs))




def _differentiable_dtype(dtype):
    return dtype.is_floating or dtype.is_complex


def _differentiable_mask():
    from tapeflow.core import dtypes
    return dtypes.mask(dtypes.INEXACT)


class GradientTape:
    """Records operations for automatic differentiation (TF's `tf.GradientTape`).

    >>> import tapeflow as tf
    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = x * x
    >>> float(tape.gradient(y, x))
    6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._entries = []
        self._known = {}              # id -> watched tensor/variable or recorded output
        self._watched_variables = {}  # id -> variable, in first-watched order
        self._used = False
        self._recording = False

    # -- context ------------------------------------------------------------------
    def __enter__(self):
        self._push()
        return self

    def __exit__(self, *exc):
        self._pop()
        return False

    def _push(self):
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to "
                             "re-enter an already-active tape.")
        state.tapes = state.tapes + (self,)
        self._recording = True

    def _pop(self):
        state.tapes = tuple(t for t in state.tapes if t is not self)
        self._recording = False

    def stop_recording(self):
        """Context manager: ops inside it are not recorded on this tape."""
        return _StopRecording(self)

    def reset(self):
        """Clears everything recorded so far (the tape stays active)."""
        self._entries = []
        self._known = {}
        self._watched_variables = {}
        self._used = False

    # -- watching -----------------------------------------------------------------
    def watch(self, tensor):
        """Ensures `tensor` (a Tensor, Variable, or nested structure of them) is traced."""
        for value in nest.flatten(tensor):
            if getattr(value, "_is_variable", False):
                self._watch_variable(value)
            elif isinstance(value, Tensor):
                if not _differentiable_dtype(value.dtype):
                    _log.warning("The dtype of the watched tensor must be floating (e.g. "
                                 "tf.float32), got %r", value.dtype)
                    continue
                self._known[id(value)] = value
            else:
                raise ValueError(f"Passed in object {value!r} of type {type(value).__name__!r}"
                                 ", not tf.Tensor or tf.Variable or ExtensionType.")

    def _watch_variable(self, var):
        if not _differentiable_dtype(var.dtype):
            return
        self._known[id(var)] = var
        self._watched_variables.setdefault(id(var), var)

    def watched_variables(self):
        """The variables watched so far, in the order they were first watched."""
        return tuple(self._watched_variables.values())

    # -- recording (called by dispatch for every op while this tape is active) ----------
    def _record(self, op, inputs, outputs, attrs):
        known = self._known
        hit = has_variable = False
        for x in inputs:
            if x._is_variable:
                has_variable = True
                if id(x) in known:
                    hit = True
                elif x._trainable and self._watch_accessed_variables:
                    self._watch_variable(x)
                    hit = hit or id(x) in known
            elif id(x) in known:
                hit = True
        if not hit or not op.differentiable:
            return
        if has_variable and op is not ReadVariableOp:
            inputs = tuple(self._snapshot(x) if x._is_variable else x for x in inputs)
        for out in outputs:
            if out._dtype._bit & _DIFFERENTIABLE_MASK:
                known[id(out)] = out
        self._entries.append(_Entry(op, inputs, outputs, attrs))

    def _snapshot(self, var):
        """Records an eager read of `var`, so the rule sees the value at this point.

        All tapes share one snapshot per value of the variable: an outer tape then
        connects the ops an inner tape's gradient builds from it to the variable
        (second derivatives w.r.t. variables). Within a tape, the read is recorded once.
        """
        snap = var.__dict__.get("_tape_snapshot")
        if snap is None or snap._value is not var._value:
            snap = wrap(var._value)
            var._tape_snapshot = snap
        if id(var) in self._known and id(snap) not in self._known:
            self._known[id(snap)] = snap
            self._entries.append(_Entry(ReadVariableOp, (var,), (snap,), {}))
        return snap

    # -- gradients --------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """Computes the gradient of `target` (summed over a list) w.r.t. `sources`.

        Args:
          target: a Tensor or Variable, or a (nested) list of them; gradients of
            several targets are summed.
          sources: a Tensor or Variable, or a nested structure of them.
          output_gradients: the upstream gradient for each target (default ones).
          unconnected_gradients: `UnconnectedGradients.NONE` (None for sources the
            target does not depend on) or `.ZERO`.

        Returns:
          Gradients with the structure of `sources`.

        Raises:
          RuntimeError: a non-persistent tape used a second time.
        """
        self._check_usable()
        if self._recording and self._persistent:
            _log.warning("Calling GradientTape.gradient on a persistent tape inside its "
                         "context is significantly less efficient than calling it outside "
                         "the context (it causes the gradient ops to be recorded on the "
                         "tape, leading to increased CPU and memory usage). Only call "
                         "GradientTape.gradient inside the context if you actually want to "
                         "trace the gradient in order to compute higher order derivatives.")
        unconnected = UnconnectedGradients(unconnected_gradients)
        flat_sources = nest.flatten(sources, expand_composites=True)
        flat_targets = nest.flatten(target)
        _check_sources(flat_sources)
        if output_gradients is None:
            flat_output_gradients = [None] * len(flat_targets)
        else:
            flat_output_gradients = nest.flatten(output_gradients)
            if len(flat_output_gradients) != len(flat_targets):
                raise ValueError("Length of `output_gradients` must match the number of "
                                 f"targets: {len(flat_output_gradients)} vs "
                                 f"{len(flat_targets)}.")
        grads = self._backprop(flat_targets, flat_sources, flat_output_gradients)
        results = [_unconnected(g, s, unconnected) for g, s in zip(grads, flat_sources)]
        self._after_use()
        return nest.pack_sequence_as(sources, results, expand_composites=True)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The Jacobian of `target` w.r.t. each source: shape target.shape + source.shape."""
        self._check_usable()
        unconnected = UnconnectedGradients(unconnected_gradients)
        flat_sources = nest.flatten(sources)
        _check_sources(flat_sources)
        size = _num_elements(target)
        rows = [self._backprop([target], flat_sources, [vspace.one_hot_like(target, i)])
                for i in range(size)]
        results = []
        for j, source in enumerate(flat_sources):
            column = [row[j] for row in rows]
            if all(g is None for g in column):
                results.append(_unconnected_jacobian(target, source, unconnected))
                continue
            column = [g if g is not None else vspace.zeros_like(source) for g in column]
            stacked = vspace.stack(column) if column else vspace.zeros_like(source)
            shape = tuple(target.shape) + tuple(source.shape)
            results.append(vspace.reshape(stacked, shape))
        self._after_use()
        return nest.pack_sequence_as(sources, results)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: target [b, ...y], source [b, ...x] -> [b, ...y, ...x].

        Assumes example i of the target depends only on example i of the source.
        """
        self._check_usable()
        unconnected = UnconnectedGradients(unconnected_gradients)
        target_shape = tuple(target.shape)
        source_shape = tuple(source.shape)
        if target_shape[0] != source_shape[0]:
            raise ValueError("Need first dimension of target shape "
                             f"({target.shape}) and source shape ({source.shape}) to match.")
        per_example = 1
        for d in target_shape[1:]:
            per_example *= d
        columns = []
        for i in range(per_example):
            seed = vspace.batch_one_hot_like(target, i)
            (g,) = self._backprop([target], [source], [seed])
            columns.append(g)
        self._after_use()
        if all(g is None for g in columns):
            if unconnected is UnconnectedGradients.ZERO:
                return vspace.zeros(target_shape + source_shape[1:], source.dtype)
            return None
        columns = [g if g is not None else vspace.zeros_like(source) for g in columns]
        stacked = vspace.stack(columns, axis=1)
        return vspace.reshape(stacked, target_shape + source_shape[1:])

    def _check_usable(self):
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute "
                               "one set of gradients (or jacobians)")

    def _after_use(self):
        if not self._persistent:
            self._used = True
            self._entries = []
            self._known = {}

    def _backprop(self, targets, sources, output_gradients):
        source_ids = [id(s) for s in sources]
        connected = self._connected(source_ids)
        grads = {}
        for target, seed in zip(targets, output_gradients):
            if id(target) not in connected:
                continue
            if seed is None:
                seed = vspace.ones_like(target)
            _accumulate(grads, id(target), seed)
        keep = set(source_ids)
        for entry in reversed(list(self._entries)):
            entry.ids()
            dys = [grads.get(i) for i in entry.output_ids]
            if all(dy is None for dy in dys):
                continue
            input_grads = _call_rule(entry, dys)
            for xid, g in zip(entry.input_ids, input_grads):
                if g is None or xid not in connected:
                    continue
                if callable(g) and not isinstance(g, Tensor):
                    g = g()
                    if g is None:
                        continue
                _accumulate(grads, xid, g)
            for oid in entry.output_ids:
                if oid not in keep:
                    grads.pop(oid, None)
        return [grads.get(i) for i in source_ids]

    def _connected(self, source_ids):
        connected = {i for i in source_ids if i in self._known}
        for entry in self._entries:
            entry.ids()
            for i in entry.input_ids:
                if i in connected:
                    connected.update(entry.output_ids)
                    break
        return connected


def _call_rule(entry, dys):
    op = entry.op
    if op.grad is None:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.name}).")
    if op.multi_output:
        # Missing gradients of float outputs become zeros; other outputs get None.
        dy = tuple(d if d is not None or not _differentiable_dtype(o.dtype)
                   else _zero_filler(o) for d, o in zip(dys, entry.outputs))
        out = entry.outputs
    else:
        dy, out = dys[0], entry.outputs[0]
    result = op.grad(dy, *entry.inputs, out=out, **entry.attrs)
    if not isinstance(result, (tuple, list)):
        result = (result,)
    if len(result) != len(entry.inputs):
        raise ValueError(f"The gradient rule of {op.name} returned {len(result)} gradients for "
                         f"{len(entry.inputs)} inputs.")
    return result


_FILLERS = weakref.WeakValueDictionary()   # id -> zeros the tape made for unused outputs


def _zero_filler(output):
    zeros = vspace.zeros_like(output)
    _FILLERS[id(zeros)] = zeros
    return zeros


def is_zero_filler(g):
    """True if `g` is the zeros the tape passed for an output nobody differentiated.

    A rule may then skip terms linear in `g` exactly - also while tracing, where the
    zeros are a symbolic value that cannot be inspected.
    """
    return _FILLERS.get(id(g)) is g


def _accumulate(grads, key, g):
    previous = grads.get(key)
    grads[key] = g if previous is None else vspace.add(previous, g)


def _check_sources(sources):
    for s in sources:
        if not (isinstance(s, Tensor) or getattr(s, "_is_variable", False)):
            raise ValueError(f"Argument `sources` must be a Tensor, a Variable or a nested "
                             f"structure of them, got {s!r} of type {type(s).__name__}.")


def _unconnected(g, source, unconnected):
    if not _differentiable_dtype(source.dtype):
        return None
    if g is None and unconnected is UnconnectedGradients.ZERO:
        return vspace.zeros_like(source)
    return g


def _unconnected_jacobian(target, source, unconnected):
    if unconnected is UnconnectedGradients.ZERO:
        return vspace.zeros(tuple(target.shape) + tuple(source.shape), source.dtype)
    return None


def _num_elements(tensor):
    n = 1
    for d in tensor.shape:
        n *= d
    return n


class _StopRecording:
    def __init__(self, tape):
        self._tape = tape

    def __enter__(self):
        if not self._tape._recording:
            raise ValueError("Cannot stop recording: the tape is not recording (use "
                             "stop_recording inside the tape's `with` block).")
        self._saved = state.tapes
        state.tapes = tuple(t for t in state.tapes if t is not self._tape)

    def __exit__(self, *exc):
        state.tapes = self._saved
        return False


class stop_recording:
    """Pauses every active tape for the body (TF's internal `tape.stop_recording()`)."""

    def __enter__(self):
        self._saved = state.tapes
        state.tapes = ()

    def __exit__(self, *exc):
        state.tapes = self._saved
        return False


_DIFFERENTIABLE_MASK = _differentiable_mask()
