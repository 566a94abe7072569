"""Functions applied along the first dimension: `tf.map_fn`, `tf.scan`, `tf.foldl`,
`tf.foldr` and `tf.vectorized_map`.

Eagerly each is a Python loop that calls `fn` once per element, as TF's eager
loops do; tapes record the ops it runs. While tracing, `fn` is traced once into
a subgraph and one Scan node runs it over the elements at run time:

    Scan(carry..., elems..., extras...) -> (carries..., outputs...)
    body(carry, elems[i], extras) -> (next carry, outputs[i])

`map_fn` has no carry; `scan` returns the stacked carries; the folds keep the
last carry. `extras` are the values the body captures from the enclosing graph.

Gradient of Scan. Step i maps (carry before step i, elems[i], extras) to (carry
after step i, outputs[i]); the stacked carries give "carry before" at every
step, so nothing else needs to be kept. The gradient is another Scan running
the other way, whose body is the vector-Jacobian product of `body`: it carries
the gradient of the carry and the running sum of the extras' gradients, and
outputs the gradient of elems[i]. Being a Scan itself, it is differentiable
again. (A body with random ops is re-run by its gradient: as with `While`,
its draws then differ.)
"""
from tapeflow.core import dtypes, nest
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError, OutOfRangeError
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tape import GradientTape
from tapeflow.core.tensor import TensorLike
from tapeflow.graph.control_flow import trace_subgraph

# ================================================================================
# The Scan op
# ================================================================================


def _step_specs(body):
    return [TensorSpec(v._static_dims(), v.dtype) for v in body.graph.outputs]


def _stacked(n, spec):
    return TensorSpec(None if spec.dims is None else (n,) + tuple(spec.dims), spec.dtype)


def _scan_infer(*inputs, body, num_carry, num_elems, reverse, stack_carry):
    k = num_carry
    n = inputs[k].dims[0] if inputs[k].dims else None
    specs = _step_specs(body)
    carries = [_stacked(n, s) if stack_carry else s for s in specs[:k]]
    return tuple(carries) + tuple(_stacked(n, s) for s in specs[k:])


def _scan_kernel(*arrays, body, num_carry, num_elems, reverse, stack_carry):
    from tapeflow.core.array_api import xp
    k, m = num_carry, num_elems
    carry = list(arrays[:k])
    elems = arrays[k:k + m]
    extras = list(arrays[k + m:])
    n = elems[0].shape[0]
    if any(e.shape[0] != n for e in elems):
        raise InvalidArgumentError(None, None, "Scan: all elems must have the same size in "
                                   f"their first dimension, got {[e.shape[0] for e in elems]}")
    history, outputs = [None] * n, [None] * n
    run = body.run
    for i in (range(n - 1, -1, -1) if reverse else range(n)):
        result = run(carry + [e[i] for e in elems] + extras)
        carry = list(result[:k])
        history[i], outputs[i] = carry, result[k:]
    specs = _step_specs(body)

    def stack(column, spec):
        if not column:
            dims = (0,) + tuple(d or 0 for d in (spec.dims or ()))
            return xp.zeros(dims, dtype=spec.dtype._np)
        return xp.stack(column)

    carries = ([stack([h[p] for h in history], specs[p]) for p in range(k)]
               if stack_carry else carry)
    stacked = [stack([o[p] for o in outputs], specs[k + p])
               for p in range(len(specs) - k)]
    return tuple(carries) + tuple(stacked)


Scan = Op("Scan", infer=_scan_infer, multi_output=True, side_effect=True)
StatelessScan = Op("StatelessScan", infer=_scan_infer, multi_output=True)
Scan.kernel(_scan_kernel)
StatelessScan.kernel(_scan_kernel)


def scan_node(body, carry, elems, extras=(), reverse=False, stack_carry=True):
    """Applies a Scan of the traced `body` (a SubGraph) to tensors; returns its outputs.

    `extras` are the body's arguments after the elements; the values it captured
    from enclosing graphs follow them.
    """
    extras = list(extras) + body.captured_outer
    op = Scan if body.has_side_effects() else StatelessScan
    return apply(op, *carry, *elems, *extras, body=body, num_carry=len(carry),
                 num_elems=len(elems), reverse=reverse, stack_carry=stack_carry)


def _differentiable(value):
    return value.dtype.is_floating or value.dtype.is_complex


def _scan_gradient(dy, *inputs, out, body, num_carry, num_elems, reverse, stack_carry):
    """A reverse Scan of the body's vector-Jacobian product (see the module docstring)."""
    from tapeflow.ops.array import zeros_like
    k, m = num_carry, num_elems
    init, elems, extras = inputs[:k], inputs[k:k + m], inputs[k + m:]
    fc = [p for p in range(k) if _differentiable(init[p])]
    fx = [p for p in range(m) if _differentiable(elems[p])]
    fe = [p for p in range(len(extras)) if _differentiable(extras[p])]
    fo = [p for p in range(len(out) - k) if _differentiable(out[k + p])]
    if not (fc or fo) or not (fc or fx or fe):
        return (None,) * len(inputs)
    dy = [d if d is not None or not _differentiable(o) else zeros_like(o)
          for d, o in zip(dy, out)]
    if not stack_carry:   # only the last carry was kept: recompute them all
        out = apply(StatelessScan, *inputs, body=body, num_carry=k, num_elems=m,
                    reverse=reverse, stack_carry=True)
    previous = [_previous(out[p], init[p], reverse) for p in range(k)]
    if stack_carry:
        g_carry0 = [zeros_like(init[p]) for p in fc]
        d_carries = [dy[p] for p in fc]
    else:
        g_carry0 = [dy[p] for p in fc]
        d_carries = []
    d_outputs = [dy[k + p] for p in fo]
    vjp = _vjp_body(body, init, elems, extras, fc, fx, fe, fo, stack_carry)
    results = scan_node(vjp, g_carry0 + [zeros_like(extras[p]) for p in fe],
                        previous + list(elems) + d_carries + d_outputs, extras,
                        reverse=not reverse, stack_carry=False)
    grads = [None] * len(inputs)
    for i, p in enumerate(fc):
        grads[p] = results[i]
    for i, p in enumerate(fe):
        grads[k + m + p] = results[len(fc) + i]
    for i, p in enumerate(fx):
        grads[k + p] = results[len(fc) + len(fe) + i]
    return tuple(grads)


Scan.gradient(_scan_gradient)
StatelessScan.gradient(_scan_gradient)


def _previous(carries, init, reverse):
    """The carry entering each step: `init` then the carries, minus the last one."""
    from tapeflow.ops.array import concat, expand_dims
    first = expand_dims(init, 0)
    if reverse:
        return concat([carries, first], 0)[1:]
    return concat([first, carries], 0)[:-1]


def _vjp_body(body, init, elems, extras, fc, fx, fe, fo, stack_carry):
    """Traces the per-step VJP of `body` (layout in `_scan_gradient`)."""
    from tapeflow.graph.interpret import interpret
    from tapeflow.ops.array import zeros_like
    from tapeflow.ops.math import add
    k, m = len(init), len(elems)
    specs = [_spec(init[p]) for p in fc] + [_spec(extras[p]) for p in fe]
    specs += [_spec(x) for x in init] + [_element_spec(x) for x in elems]
    specs += [_spec(init[p]) for p in fc] if stack_carry else []
    specs += [_element_spec_of(body, k + p) for p in fo]
    specs += [_spec(x) for x in extras]

    def fn(*args):
        args = list(args)
        g_carry, args = args[:len(fc)], args[len(fc):]
        g_extras, args = args[:len(fe)], args[len(fe):]
        prev, args = args[:k], args[k:]
        xs, args = args[:m], args[m:]
        d_carries, args = (args[:len(fc)], args[len(fc):]) if stack_carry else ([], args)
        d_outputs, extra_values = args[:len(fo)], args[len(fo):]
        sources = [prev[p] for p in fc] + [extra_values[p] for p in fe] + [xs[p] for p in fx]
        with GradientTape() as tape:
            tape.watch(sources)
            outs = interpret(body.graph, prev + xs + extra_values)
        targets = [outs[p] for p in fc] + [outs[k + p] for p in fo]
        seeds = [add(g, d) for g, d in zip(g_carry, d_carries)] if stack_carry else g_carry
        grads = tape.gradient(targets, sources, output_gradients=list(seeds) + d_outputs)
        grads = [g if g is not None else zeros_like(s) for g, s in zip(grads, sources)]
        new_extras = [add(a, g) for a, g in zip(g_extras, grads[len(fc):len(fc) + len(fe)])]
        return grads[:len(fc)] + new_extras + grads[len(fc) + len(fe):]

    return trace_subgraph(fn, specs, "scan_grad")


def _spec(x):
    return TensorSpec(x._static_dims(), x.dtype)


def _element_spec(x):
    dims = x._static_dims()
    return TensorSpec(None if dims is None else tuple(dims[1:]), x.dtype)


def _element_spec_of(body, index):
    return _step_specs(body)[index]


# ================================================================================
# Shared helpers: elements, signatures, checks
# ================================================================================

def _check_callable(fn):
    if not callable(fn):
        raise TypeError(f"'fn' must be callable, got {fn!r}.")


def _as_tensor(value):
    return value if isinstance(value, TensorLike) else convert_to_tensor(value)


def _flat_elems(elems, scalar_error):
    """The flat tensors of `elems` and their common static length (or None)."""
    flat = [_as_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError("elems must be a Tensor or a (possibly nested) sequence of Tensors; "
                         "got an empty structure.")
    length = None
    for x in flat:
        dims = x._static_dims()
        if dims is not None and len(dims) == 0:
            scalar_error()
        n = None if dims is None else dims[0]
        if length is not None and n is not None and n != length:
            raise ValueError(f"Dimensions {length} and {n} are not compatible")
        length = n if length is None else length
    return flat, length


def _map_scalar_error():
    raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")


def _scan_scalar_error():
    raise IndexError("tuple index out of range")   # TF's error for scalar elems


def _traced():
    return state.graph is not None


def _as_output_spec(signature):
    if isinstance(signature, TensorSpec):
        return signature
    return TensorSpec(None, dtypes.as_dtype(signature))


def _signature_specs(signature):
    return [_as_output_spec(s) for s in nest.flatten(signature)]


def _check_structure(expected, result):
    nest.assert_same_structure(expected, result, check_types=False)


def _checked_output(value, spec, expected_shape):
    """`value` as a tensor of `spec`'s dtype, checked against `expected_shape`."""
    if isinstance(value, TensorLike):
        tensor = convert_to_tensor(value)
    else:
        tensor = convert_to_tensor(value, dtype_hint=spec.dtype)
    if tensor.dtype is not spec.dtype:
        raise InvalidArgumentError(None, None, f"TensorArray dtype is {spec.dtype.name} but Op "
                                   f"is trying to write dtype {tensor.dtype.name} ")
    shape = TensorShape(tensor._static_dims())
    if not shape.is_compatible_with(expected_shape):
        raise ValueError(f"Incompatible shape for value ({shape}), expected "
                         f"({expected_shape})")
    return tensor


def _stack_eager(column, spec):
    from tapeflow.ops.array import stack, zeros
    if column:
        return stack(column)
    dims = [0] + ([d or 0 for d in spec.dims] if spec.dims is not None else [])
    return zeros(dims, dtype=spec.dtype)


# ================================================================================
# map_fn and vectorized_map
# ================================================================================

def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """Applies `fn` to each slice of `elems` along the first dimension and stacks the results.

    Args:
      fn: called with one slice of `elems` (same structure as `elems`).
      elems: a tensor or a (nested) structure of tensors with the same first dimension.
      dtype: deprecated spelling of `fn_output_signature`.
      parallel_iterations, back_prop, swap_memory, infer_shape: accepted for
        compatibility (the loop is sequential; gradients always flow).
      name: unused.
      fn_output_signature: the structure of `fn`'s output, as DTypes or TensorSpecs.
        Defaults to the structure and dtypes of `elems`.

    Returns:
      The stacked outputs of `fn`, with the structure of `fn_output_signature`.

    Raises:
      ValueError: scalar elems, different first dimensions, or an output of
        another structure or of changing shape.
      InvalidArgumentError: an output of another dtype than the signature's.

    >>> import tapeflow as tf
    >>> tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3])).numpy()
    array([1, 4, 9], dtype=int32)
    """
    _check_callable(fn)
    if fn_output_signature is None:
        fn_output_signature = dtype
    flat, _ = _flat_elems(elems, _map_scalar_error)
    if fn_output_signature is None:
        fn_output_signature = nest.pack_sequence_as(elems, [x.dtype for x in flat])
    specs = _signature_specs(fn_output_signature)
    if _traced():
        outputs = _map_traced(fn, elems, flat, fn_output_signature, specs)
    else:
        outputs = _map_eager(fn, elems, flat, fn_output_signature, specs)
    return nest.pack_sequence_as(fn_output_signature, outputs)


def _map_eager(fn, elems, flat, signature, specs):
    from tapeflow.ops.array import unstack
    columns = [unstack(x) for x in flat]
    shapes = [s.shape for s in specs]
    results = [[] for _ in specs]
    for slices in zip(*columns):
        result = fn(nest.pack_sequence_as(elems, list(slices)))
        _check_structure(signature, result)
        for p, value in enumerate(nest.flatten(result)):
            tensor = _checked_output(value, specs[p], shapes[p])
            shapes[p] = shapes[p].merge_with(tensor.shape)
            results[p].append(tensor)
    return [_stack_eager(column, TensorSpec(shape, spec.dtype))
            for column, shape, spec in zip(results, shapes, specs)]


def _map_traced(fn, elems, flat, signature, specs):
    def body(*slices):
        result = fn(nest.pack_sequence_as(elems, list(slices)))
        _check_structure(signature, result)
        return [_checked_output(v, s, s.shape)
                for v, s in zip(nest.flatten(result), specs)]

    sub = trace_subgraph(body, [_element_spec(x) for x in flat], "map")
    return list(scan_node(sub, [], flat))


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """Maps `fn` over the first dimension of `elems` (TF's `tf.vectorized_map`).

    tapeflow runs it as a loop (`map_fn`) whose output structure and dtypes come
    from `fn`'s own results; Python values `fn` returns are stacked like tensors.

    >>> import tapeflow as tf
    >>> tf.vectorized_map(lambda x: tf.reduce_sum(x), tf.ones([3, 2])).numpy()
    array([2., 2., 2.], dtype=float32)
    """
    _check_callable(fn)
    flat, length = _flat_elems(elems, _map_scalar_error)
    if _traced():
        return _vectorized_traced(fn, elems, flat)
    from tapeflow.ops.array import unstack
    columns = [unstack(x) for x in flat]
    structure, results = None, None
    for slices in zip(*columns):
        result = fn(nest.pack_sequence_as(elems, list(slices)))
        if result is None:
            return None
        if structure is None:
            structure = result
            results = [[] for _ in nest.flatten(result)]
        _check_structure(structure, result)
        for column, value in zip(results, nest.flatten(result)):
            column.append(_as_tensor(value))
    if structure is None:   # no elements: the output specs come from a trace of fn
        sub = trace_subgraph(lambda *xs: fn(nest.pack_sequence_as(elems, list(xs))),
                             [_element_spec(x) for x in flat], "vectorized_map")
        specs = [_spec(v) for v in sub.graph.outputs]
        return nest.pack_sequence_as(sub.structure, [_stack_eager([], s) for s in specs])
    stacked = [_stack_eager(column, None) for column in results]
    return nest.pack_sequence_as(structure, stacked)


def _vectorized_traced(fn, elems, flat):
    sub = trace_subgraph(lambda *xs: fn(nest.pack_sequence_as(elems, list(xs))),
                         [_element_spec(x) for x in flat], "vectorized_map")
    if sub.structure is None:
        return None
    return nest.pack_sequence_as(sub.structure, list(scan_node(sub, [], flat)))


# ================================================================================
# scan, foldl, foldr
# ================================================================================

def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """The sequence of accumulators `a = fn(a, x)` over the first dimension of `elems`.

    Args:
      fn: `fn(accumulator, element) -> accumulator`, both with their structures.
      elems: a tensor or (nested) structure of tensors, iterated along dimension 0.
      initializer: the first accumulator; without it, the first element is (and
        it is also the first output).
      parallel_iterations, back_prop, swap_memory, infer_shape: accepted for
        compatibility.
      reverse: iterate from the last element to the first (outputs keep the
        elements' order).
      name: unused.

    Returns:
      The stacked accumulators, with the structure of `initializer` (or `elems`).

    Raises:
      ValueError: `fn` returns another structure or changes the accumulator's shape.
      InvalidArgumentError: `fn` changes the accumulator's dtype.
      OutOfRangeError: empty `elems` and no initializer.

    >>> import tapeflow as tf
    >>> tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4])).numpy()
    array([ 1,  3,  6, 10], dtype=int32)
    """
    _check_callable(fn)
    flat, length = _flat_elems(elems, _scan_scalar_error)
    acc_structure, init, rest = _initial_accumulator(elems, flat, initializer, reverse)
    if _traced():
        carries = _scan_traced(fn, elems, rest, acc_structure, init, reverse)
    else:
        carries = _scan_eager(fn, elems, rest, acc_structure, init, reverse)
    if initializer is None:
        carries = [_with_first(c, x, reverse) for c, x in zip(carries, init)]
    return nest.pack_sequence_as(acc_structure, carries)


def _initial_accumulator(elems, flat, initializer, reverse):
    """(structure, flat initial accumulator, elements left to iterate)."""
    if initializer is not None:
        init = [_as_tensor(x) for x in nest.flatten(initializer)]
        return initializer, init, flat
    if not _traced() and flat[0].shape[0] == 0:
        raise OutOfRangeError(None, None, "Tried to read from index 0 but array size is: 0 ")
    if reverse:
        return elems, [x[-1] for x in flat], [x[:-1] for x in flat]
    return elems, [x[0] for x in flat], [x[1:] for x in flat]


def _with_first(stacked, first, reverse):
    from tapeflow.ops.array import concat, expand_dims
    first = expand_dims(first, 0)
    return concat([stacked, first] if reverse else [first, stacked], 0)


def _scan_eager(fn, elems, flat, structure, init, reverse):
    from tapeflow.ops.array import unstack
    columns = [unstack(x) for x in flat]
    steps = list(zip(*columns))
    if reverse:
        steps.reverse()
    specs = [_spec(x) for x in init]
    shapes = [s.shape for s in specs]
    acc, history = list(init), []
    for slices in steps:
        result = fn(nest.pack_sequence_as(structure, acc),
                    nest.pack_sequence_as(elems, list(slices)))
        _check_structure(structure, result)
        acc = [_checked_output(v, s, shape)
               for v, s, shape in zip(nest.flatten(result), specs, shapes)]
        history.append(acc)
    if reverse:
        history.reverse()
    return [_stack_eager([h[p] for h in history], specs[p]) for p in range(len(specs))]


def _scan_traced(fn, elems, flat, structure, init, reverse):
    sub = _trace_step(fn, elems, flat, structure, init)
    return list(scan_node(sub, init, flat, reverse=reverse))


def _trace_step(fn, elems, flat, structure, init):
    """Traces `fn(accumulator, element)` into a body whose outputs are the next carry."""
    specs = [_spec(x) for x in init]

    def body(*args):
        acc, slices = list(args[:len(init)]), list(args[len(init):])
        result = fn(nest.pack_sequence_as(structure, acc),
                    nest.pack_sequence_as(elems, slices))
        _check_structure(structure, result)
        return [_checked_output(v, s, s.shape)
                for v, s in zip(nest.flatten(result), specs)]

    return trace_subgraph(body, specs + [_element_spec(x) for x in flat], "scan")


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds `fn(accumulator, element)` over `elems` from the first element to the last.

    >>> import tapeflow as tf
    >>> int(tf.foldl(lambda a, x: a * 10 + x, tf.constant([1, 2, 3])))
    123
    """
    return _fold(fn, elems, initializer, reverse=False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Folds `fn(accumulator, element)` over `elems` from the last element to the first.

    >>> import tapeflow as tf
    >>> int(tf.foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3])))
    321
    """
    return _fold(fn, elems, initializer, reverse=True)


def _fold(fn, elems, initializer, reverse):
    _check_callable(fn)
    flat, _ = _flat_elems(elems, _scan_scalar_error)
    structure, init, rest = _initial_accumulator(elems, flat, initializer, reverse)
    if not _traced():   # eagerly a plain loop: TF lets the accumulator change type here
        from tapeflow.ops.array import unstack
        steps = list(zip(*[unstack(x) for x in rest]))
        acc = nest.pack_sequence_as(structure, init)
        for slices in (reversed(steps) if reverse else steps):
            acc = fn(acc, nest.pack_sequence_as(elems, list(slices)))
        return acc
    sub = _trace_step(fn, elems, rest, structure, init)
    carries = scan_node(sub, init, rest, reverse=reverse)
    # The last carry, or the initializer when there was nothing to fold.
    last = [_with_first(c, x, reverse)[0 if reverse else -1] for c, x in zip(carries, init)]
    return nest.pack_sequence_as(structure, last)


__all__ = ["map_fn", "scan", "foldl", "foldr", "vectorized_map"]
