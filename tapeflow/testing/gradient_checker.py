"""Gradient checks against central finite differences.

`check_gradients(f, inputs)` compares the tape's vector-Jacobian product of
`f` with a numerical one, in float64:

- a random cotangent `u` is drawn for each output, and phi(x) = sum(u * f(x));
- the tape gives grad phi; central differences (phi(x + h e) - phi(x - h e)) / 2h
  give it numerically, element by element for small inputs and along a few
  random directions for large ones;
- with `order=2`, the same check runs on x -> grad phi(x) itself, computed with
  a nested tape, which checks the gradient rules' own gradients.

`compute_gradient(f, x)` is TF's `tf.test.compute_gradient`: full theoretical and
numerical Jacobians.
"""
import numpy as np

from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.tape import GradientTape

_ELEMENTWISE_LIMIT = 300   # above this many input elements, check along random directions
_DIRECTIONS = 6


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_float64(x):
    x = np.asarray(x)
    return x.astype(np.float64) if x.dtype.kind == "f" else x


def _float64_tensors(inputs):
    return [convert_to_tensor(_as_float64(x)) for x in inputs]


def _phi(f, arrays, cotangents):
    outputs = _as_list(f(*_float64_tensors(arrays)))
    return sum(float(np.sum(np.asarray(y, dtype=np.float64) * u))
               for y, u in zip(outputs, cotangents) if u is not None)


def _tape_vjp(f, arrays, cotangents, wrt):
    tensors = _float64_tensors(arrays)
    with GradientTape() as tape:
        for i in wrt:
            tape.watch(tensors[i])
        outputs = _as_list(f(*tensors))
    pairs = [(y, u) for y, u in zip(outputs, cotangents) if u is not None]
    grads = tape.gradient([y for y, _ in pairs], [tensors[i] for i in wrt],
                          output_gradients=[convert_to_tensor(u) for _, u in pairs])
    return [np.zeros(arrays[i].shape) if g is None else np.asarray(g, dtype=np.float64)
            for i, g in zip(wrt, grads)]


def _numerical_vjp(f, arrays, cotangents, index, delta, rng):
    x = arrays[index]
    if x.size <= _ELEMENTWISE_LIMIT:
        grad = np.zeros(x.shape)   # C order, so `reshape(-1)` is a view for any input layout
        flat = grad.reshape(-1)
        for j in range(x.size):
            flat[j] = _directional(f, arrays, cotangents, index, _unit(x, j), delta)
        return grad, None
    directions = [rng.standard_normal(x.shape) for _ in range(_DIRECTIONS)]
    return None, [(v, _directional(f, arrays, cotangents, index, v, delta)) for v in directions]


def _unit(x, j):
    e = np.zeros(x.shape)
    e.flat[j] = 1.0
    return e


def _directional(f, arrays, cotangents, index, direction, delta):
    plus = list(arrays)
    minus = list(arrays)
    plus[index] = arrays[index] + delta * direction
    minus[index] = arrays[index] - delta * direction
    return (_phi(f, plus, cotangents) - _phi(f, minus, cotangents)) / (2 * delta)


def check_gradients(f, inputs, wrt=None, order=1, delta=1e-6, rtol=1e-5, atol=1e-6, seed=0):
    """Asserts that the tape's gradients of `f` match central finite differences.

    Args:
      f: a function of tensors returning a tensor or a list of tensors.
      inputs: arrays (cast to float64; integer inputs should be excluded by `wrt`).
      wrt: indices of the inputs to differentiate (default: all).
      order: 1, or 2 to also check the gradient of the gradient.

    Raises:
      AssertionError naming the input, with both gradients, when they differ.
    """
    rng = np.random.default_rng(seed)
    arrays = [_as_float64(x) for x in inputs]
    if wrt is None:
        wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    wrt = list(wrt)
    outputs = _as_list(f(*_float64_tensors(arrays)))
    cotangents = [rng.standard_normal(np.shape(y)) if _is_float(y) else None for y in outputs]
    analytic = _tape_vjp(f, arrays, cotangents, wrt)
    for i, g in zip(wrt, analytic):
        full, directional = _numerical_vjp(f, arrays, cotangents, i, delta, rng)
        if full is not None:
            np.testing.assert_allclose(g, full, rtol=rtol, atol=atol,
                                       err_msg=f"gradient w.r.t. input {i} (tape vs numeric)")
        else:
            for v, numeric in directional:
                np.testing.assert_allclose(np.sum(g * v), numeric, rtol=rtol, atol=atol * 10,
                                           err_msg=f"directional gradient w.r.t. input {i}")
    if order >= 2:
        def gradient_fn(*tensors):
            with GradientTape() as tape:
                for t in tensors:
                    tape.watch(t)
                outs = _as_list(f(*tensors))
            pairs = [(y, u) for y, u in zip(outs, cotangents) if u is not None]
            grads = tape.gradient([y for y, _ in pairs], [tensors[i] for i in wrt],
                                  output_gradients=[convert_to_tensor(u) for _, u in pairs])
            return [g if g is not None else tensors[i] * 0.0 for i, g in zip(wrt, grads)]
        check_gradients(gradient_fn, arrays, wrt=wrt, order=order - 1, delta=delta,
                        rtol=rtol * 10, atol=atol * 10, seed=seed + 1)


def _is_float(y):
    dtype = getattr(y, "dtype", None)
    return bool(getattr(dtype, "is_floating", False))


def compute_gradient(f, x, delta=None):
    """Theoretical and numerical Jacobians of `f` at `x` (TF's `tf.test.compute_gradient`).

    Returns:
      (theoretical, numerical): lists with one 2-D array per input, of shape
      [input size, output size].
    """
    delta = 1e-3 if delta is None else delta
    arrays = [np.asarray(v) for v in x]
    y = np.asarray(f(*[convert_to_tensor(a) for a in arrays]))
    theoretical, numerical = [], []
    for i, a in enumerate(arrays):
        jt = np.zeros((a.size, y.size))
        jn = np.zeros((a.size, y.size))
        for k in range(y.size):
            u = np.zeros(y.shape, dtype=y.dtype)
            u.reshape(-1)[k] = 1
            tensors = [convert_to_tensor(b) for b in arrays]
            with GradientTape() as tape:
                tape.watch(tensors[i])
                out = f(*tensors)
            g = tape.gradient(out, tensors[i], output_gradients=convert_to_tensor(u))
            if g is not None:
                jt[:, k] = np.asarray(g).reshape(-1)
        for j in range(a.size):
            plus, minus = [b.copy() for b in arrays], [b.copy() for b in arrays]
            plus[i].reshape(-1)[j] += delta
            minus[i].reshape(-1)[j] -= delta
            y_plus = np.asarray(f(*[convert_to_tensor(b) for b in plus]), dtype=np.float64)
            y_minus = np.asarray(f(*[convert_to_tensor(b) for b in minus]), dtype=np.float64)
            jn[j, :] = ((y_plus - y_minus) / (2 * delta)).reshape(-1)
        theoretical.append(jt)
        numerical.append(jn)
    return theoretical, numerical
