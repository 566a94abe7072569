"""`tf.autodiff.ForwardAccumulator`: Jacobian-vector products (forward-mode results).

tapeflow differentiates in reverse mode only, so a JVP is computed with two
reverse passes (the "double VJP" trick): the VJP u -> J^T u is linear in u, so
for a tangent t, J t = d/du <J^T u, t>. The accumulator records the ops run in
its context on a persistent tape; `jvp(target)` computes J^T u for a watched
placeholder u under a second tape, then differentiates <J^T u, t> w.r.t. u.
Gradient rules are written in tapeflow ops, so the first pass is differentiable.
"""
from tapeflow.core import nest
from tapeflow.core.tape import GradientTape, UnconnectedGradients


class ForwardAccumulator:
    """Computes Jacobian-vector products of values computed from `primals` inside its
    context, in the direction `tangents` (TF's `tf.autodiff.ForwardAccumulator`).

    >>> import tapeflow as tf
    >>> x = tf.constant([1.0, 2.0])
    >>> with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
    ...     y = x * x
    >>> acc.jvp(y).numpy()
    array([2., 0.], dtype=float32)

    Raises:
      ValueError: primals and tangents of different structures or shapes.
    """

    def __init__(self, primals, tangents):
        self._primals = nest.flatten(primals)
        self._tangents = nest.flatten(tangents)
        if len(self._primals) != len(self._tangents):
            raise ValueError(f"primals and tangents must have the same structure: "
                             f"{len(self._primals)} vs {len(self._tangents)} values.")
        from tapeflow.core.convert import convert_to_tensor
        self._tangents = [convert_to_tensor(t, dtype=p.dtype)
                          for p, t in zip(self._primals, self._tangents)]
        for p, t in zip(self._primals, self._tangents):
            if not p.shape.is_compatible_with(t.shape):
                raise ValueError(f"Tangent {t!r} shape {t.shape} does not match the primal "
                                 f"shape {p.shape}.")
        self._tape = GradientTape(persistent=True)

    def __enter__(self):
        self._tape.__enter__()
        self._tape.watch(self._primals)
        return self

    def __exit__(self, *exc):
        return self._tape.__exit__(*exc)

    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """The JVPs of `primals` (values computed in the context), with their structure."""
        unconnected = UnconnectedGradients(unconnected_gradients)
        results = [self._jvp_one(target, unconnected) for target in nest.flatten(primals)]
        return nest.pack_sequence_as(primals, results)

    def _jvp_one(self, target, unconnected):
        from tapeflow.ops.array import zeros_like
        from tapeflow.ops.math import add, multiply, reduce_sum
        if not (target.dtype.is_floating or target.dtype.is_complex):
            return None
        u = zeros_like(target)   # any value: the VJP is linear in u
        recording, self._tape._recording = self._tape._recording, False   # no warning
        try:
            with GradientTape() as outer:
                outer.watch(u)
                vjps = self._tape.gradient(target, self._primals, output_gradients=u)
                terms = [reduce_sum(multiply(g, t)) for g, t in zip(vjps, self._tangents)
                         if g is not None]
                total = terms[0] if terms else None
                for term in terms[1:]:
                    total = add(total, term)
        finally:
            self._tape._recording = recording
        result = None if total is None else outer.gradient(total, u)
        if result is None and unconnected is UnconnectedGradients.ZERO:
            return zeros_like(target)
        return result
