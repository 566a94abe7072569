"""Control flow: `tf.cond`, `tf.while_loop`, `tf.case`/`switch_case`, `tf.print`.

Eagerly these are plain Python (a branch is called, a loop loops) and tapes
record the ops that run. While tracing, each branch or loop body is traced into
its own Graph and compiled; an If/While node runs the compiled subgraphs on
arrays. Values of the enclosing graph that a body uses are *captured*: they
become extra inputs of the node.

Gradients in graphs: the gradient of If is an If over the branches' gradients
(each branch re-computes its forward pass, then differentiates it). The gradient
of While replays the loop backwards over the loop values it recorded, applying
the body's vector-Jacobian product at each step.

They live in the graph layer (not ops/) because they build graphs.
"""
import builtins
import sys

from tapeflow.core import dtypes, nest
from tapeflow.core.context import graph_scope, state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tape import GradientTape
from tapeflow.core.tensor import EagerTensor, SymbolicTensor, Tensor, TensorLike
from tapeflow.graph.ir import Graph

# ================================================================================
# Subgraphs
# ================================================================================


class SubGraph:
    """A traced body: its Graph (captures appended to inputs) and compiled program."""

    def __init__(self, graph, structure, num_args):
        self.graph = graph
        self.structure = structure          # nested output structure (tensor leaves)
        self.num_args = num_args            # inputs before the captures
        self._program = None

    @property
    def captured_outer(self):
        return [outer for outer, _ in self.graph.captures.values()]

    @property
    def program(self):
        if self._program is None:
            from tapeflow.graph.compile import compile_graph
            self._program = compile_graph(self.graph, self.graph.name)
        return self._program

    def run(self, arrays):
        return self.program.code.fn(*arrays)

    def set_outputs(self, values):
        """Makes `values` (tensors, or Python values converted in this graph) the outputs."""
        outputs = []
        with graph_scope(self.graph):
            for value in values:
                if callable(value) and not isinstance(value, TensorLike):
                    value = value()   # a value built in this graph (e.g. default zeros)
                outputs.append(_as_graph_value(self.graph, value))
        self.graph.outputs = outputs

    def has_side_effects(self):
        return builtins.any(node.op.side_effect for node in self.graph.nodes)

    def __repr__(self):
        return f"<subgraph {self.graph.name}: {len(self.graph.nodes)} nodes>"


def trace_subgraph(fn, arg_specs, name, allow_static=False):
    """Traces `fn(*placeholders)` into a new Graph nested in the current one.

    With `allow_static`, non-tensor results (Python values, AutoGraph's Undefined)
    stay as they are in `sub.leaves` and the caller sets the graph's outputs
    (`SubGraph.set_outputs`); otherwise every result becomes a tensor output.
    """
    graph = Graph(name, outer=state.graph)
    args = [graph.placeholder(spec, f"{name}_arg{i}") for i, spec in enumerate(arg_specs)]
    saved_tapes = state.tapes
    graph.outer_tapes = saved_tapes
    state.tapes = ()   # outer tapes record the If/While node, not the body's inner ops
    try:
        with graph_scope(graph):
            result = fn(*args)
            if allow_static:
                flat = [_local(x) if isinstance(x, SymbolicTensor) else x
                        for x in nest.flatten(result)]
            else:
                flat = [_as_graph_value(graph, x) for x in nest.flatten(result)]
    finally:
        state.tapes = saved_tapes
    graph.outputs = [] if allow_static else flat
    graph.localize_assigned_reads()
    graph.inputs = graph.inputs + [inner for _, inner in graph.captures.values()]
    sub = SubGraph(graph, result, len(args))
    sub.leaves = flat
    return sub


def _as_graph_value(graph, x):
    if isinstance(x, SymbolicTensor) and x._graph is graph:
        return x
    with graph_scope(graph):
        from tapeflow.ops.array import identity
        return identity(convert_to_tensor(x) if not isinstance(x, TensorLike) else x)


def _specs(values):
    return [TensorSpec(v._static_dims(), v.dtype) for v in values]


def _outer_inputs(*subgraphs):
    """The union of the subgraphs' captured outer values, in a stable order."""
    seen, values = set(), []
    for sub in subgraphs:
        for outer in sub.captured_outer:
            if id(outer) not in seen:
                seen.add(id(outer))
                values.append(outer)
    return values


def _capture_indices(sub, outer_values):
    position = {id(v): i for i, v in enumerate(outer_values)}
    return tuple(position[id(outer)] for outer in sub.captured_outer)


# ================================================================================
# cond
# ================================================================================

def _if_infer(pred, *inputs, then_branch, else_branch, then_captures, else_captures):
    then_out, else_out = then_branch.graph.outputs, else_branch.graph.outputs
    specs = []
    for a, b in zip(then_out, else_out):
        shape = a.shape.most_specific_compatible_shape(b.shape)
        specs.append(TensorSpec(shape, a.dtype))
    return tuple(specs)


def _if_kernel(pred, *captures, then_branch, else_branch, then_captures, else_captures):
    if pred:
        return then_branch.run([captures[i] for i in then_captures])
    return else_branch.run([captures[i] for i in else_captures])


If = Op("If", infer=_if_infer, multi_output=True, side_effect=True)
StatelessIf = Op("StatelessIf", infer=_if_infer, multi_output=True)
If.kernel(_if_kernel)
StatelessIf.kernel(_if_kernel)


def _if_gradient(dy, pred, *captures, out, then_branch, else_branch, then_captures,
                 else_captures):
    """cond(pred, d then / d captures, d else / d captures), each branch re-run under a tape."""
    float_outputs = [i for i, o in enumerate(out) if o.dtype.is_floating]
    dys = [dy[i] for i in float_outputs]

    def branch_gradient(sub, indices):
        def fn():
            # Capture first, so the tape watches the values the branch's ops consume.
            inner = [_local(captures[i]) for i in indices]
            with GradientTape() as tape:
                tape.watch([c for c in inner if c.dtype.is_floating])
                from tapeflow.graph.interpret import interpret
                outs = interpret(sub.graph, inner)
            targets = [outs[i] for i in float_outputs]
            grads = tape.gradient(targets, inner, output_gradients=dys)
            result = [zeros_for(c) for c in captures]
            for i, g in zip(indices, grads):
                if g is not None:
                    result[i] = g
            return result
        return fn

    grads = cond(pred, branch_gradient(then_branch, then_captures),
                 branch_gradient(else_branch, else_captures))
    return (None, *grads)


def _local(value):
    """`value` as seen from the graph being traced now (captured if it is an outer value)."""
    graph = state.graph
    if graph is not None and isinstance(value, SymbolicTensor) and value._graph is not graph:
        return graph.capture(value)
    return value


def zeros_for(value):
    from tapeflow.ops.array import zeros_like
    return zeros_like(value)


If.gradient(_if_gradient)
StatelessIf.gradient(_if_gradient)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Returns `true_fn()` if `pred` is true, else `false_fn()` (TF's `tf.cond`).

    Eagerly only the chosen branch runs. While tracing, both branches are
    traced; their outputs must have the same structure and dtypes.
    """
    if true_fn is None or false_fn is None:
        raise TypeError("cond(): 'true_fn' and 'false_fn' arguments are required.")
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("true_fn and false_fn must be callable.")
    pred = pred if isinstance(pred, TensorLike) else convert_to_tensor(pred)
    if isinstance(pred, EagerTensor) or state.graph is None:
        return true_fn() if bool(pred) else false_fn()
    if pred.dtype is not dtypes.bool or pred.shape.rank not in (0, None):
        raise ValueError(f"tf.cond: pred must be a scalar bool tensor, got {pred!r}")
    then_branch = trace_subgraph(true_fn, [], "cond_true")
    else_branch = trace_subgraph(false_fn, [], "cond_false")
    _check_same_structure("true_fn", "false_fn", then_branch, else_branch)
    outputs = if_from_subgraphs(pred, then_branch, else_branch)
    return nest.pack_sequence_as(then_branch.structure, list(outputs))


def if_from_subgraphs(pred, then_branch, else_branch):
    """The If/StatelessIf node running one of two traced branches; returns its outputs."""
    outer = _outer_inputs(then_branch, else_branch)
    op = If if then_branch.has_side_effects() or else_branch.has_side_effects() else StatelessIf
    return apply(op, pred, *outer, then_branch=then_branch, else_branch=else_branch,
                 then_captures=_capture_indices(then_branch, outer),
                 else_captures=_capture_indices(else_branch, outer))


def _check_same_structure(a_name, b_name, a, b):
    try:
        nest.assert_same_structure(a.structure, b.structure, check_types=False)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{a_name} and {b_name} must have the same nested structure: "
                         f"{error}") from None
    for x, y in zip(a.graph.outputs, b.graph.outputs):
        if x.dtype is not y.dtype:
            raise TypeError(f"{a_name} and {b_name} outputs must have the same dtype: "
                            f"{x.dtype.name} vs {y.dtype.name}")


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The first `fn` whose `pred` is true (TF's `tf.case`), else `default()`."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(
        pred_fn_pairs)
    if default is None:
        default = pairs[-1][1]
        pairs = pairs[:-1]
    result = default
    for pred, fn in reversed(pairs):
        result = _bind_cond(pred, fn, result)
    return result()


def _bind_cond(pred, fn, otherwise):
    return lambda: cond(pred, fn, otherwise)


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs `branch_fns[branch_index]` (TF's `tf.switch_case`), `default` when out of range."""
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    else:
        items = list(enumerate(branch_fns))
    fallback = default if default is not None else items[-1][1]
    index = branch_index if isinstance(branch_index, TensorLike) else convert_to_tensor(
        branch_index)
    from tapeflow.ops.math import equal
    return case([(equal(index, k), fn) for k, fn in items], default=fallback)


# ================================================================================
# while_loop
# ================================================================================

def _while_infer(*inputs, cond_graph, body_graph, num_loop_vars, max_iterations, record):
    specs = [TensorSpec(p._static_dims(), p.dtype)
             for p in body_graph.graph.inputs[:num_loop_vars]]
    return tuple(specs) + (TensorSpec((), dtypes.variant),)


def _while_kernel(*inputs, cond_graph, body_graph, num_loop_vars, max_iterations, record):
    values = list(inputs[:num_loop_vars])
    captures = list(inputs[num_loop_vars:])
    cond_caps = [captures[i] for i in cond_graph.capture_indices]
    body_caps = [captures[i] for i in body_graph.capture_indices]
    # Keep the iterations when a gradient may be asked: the node was marked by its
    # gradient rule (traced), or a tape is recording this eager run (interpreted).
    history = [] if record or state.tapes else None
    steps = 0
    while (max_iterations is None or steps < max_iterations) and \
            cond_graph.sub.run(values + cond_caps)[0]:
        if history is not None:
            history.append(values)
        values = list(body_graph.sub.run(values + body_caps))
        steps += 1
    return tuple(values) + (_History(history),)


class _History:
    """The loop values of every iteration, kept for the gradient of While."""

    def __init__(self, steps):
        self.steps = steps

    @property
    def shape(self):
        return ()

    dtype = None


While = Op("While", infer=_while_infer, multi_output=True, side_effect=True)
StatelessWhile = Op("StatelessWhile", infer=_while_infer, multi_output=True)
While.kernel(_while_kernel)
StatelessWhile.kernel(_while_kernel)


class _LoopPart:
    """A traced loop condition or body and where its captures sit among the node inputs."""

    def __init__(self, sub, capture_indices):
        self.sub = sub
        self.capture_indices = capture_indices

    @property
    def graph(self):
        return self.sub.graph


def _while_gradient(dy, *inputs, out, cond_graph, body_graph, num_loop_vars, max_iterations,
                    record):
    """Replays the body's VJP backwards over the recorded iterations."""
    if isinstance(out[0], SymbolicTensor):
        out[0]._node.attrs["record"] = True   # the traced loop must now keep its history
    loop_values = inputs[:num_loop_vars]
    captures = inputs[num_loop_vars:]
    body_caps = [captures[i] for i in body_graph.capture_indices]
    vjp = _body_vjp(body_graph.sub, loop_values, body_caps)
    dys = [d if d is not None else zeros_for(o) for d, o in zip(dy[:num_loop_vars], out)]
    grads = apply(WhileGrad, out[-1], *dys, *captures, vjp=vjp, num_loop_vars=num_loop_vars,
                  body_capture_indices=body_graph.capture_indices,
                  num_captures=len(captures))
    return tuple(g if x.dtype.is_floating else None for g, x in zip(grads, inputs))


While.gradient(_while_gradient)
StatelessWhile.gradient(_while_gradient)


def _body_vjp(body, loop_values, body_caps):
    """A SubGraph: (loop values, captures, output grads) -> (loop value grads, capture grads)."""
    n = len(loop_values)
    specs = _specs(loop_values) + _specs(body_caps) + _specs(loop_values)

    def fn(*args):
        values, caps, dys = args[:n], args[n:n + len(body_caps)], args[n + len(body_caps):]
        float_values = [v for v in list(values) + list(caps) if v.dtype.is_floating]
        with GradientTape() as tape:
            tape.watch(float_values)
            from tapeflow.graph.interpret import interpret
            outs = interpret(body.graph, list(values) + list(caps))
        pairs = [(o, d) for o, d in zip(outs, dys) if o.dtype.is_floating]
        grads = tape.gradient([o for o, _ in pairs], list(values) + list(caps),
                              output_gradients=[d for _, d in pairs])
        return [g if g is not None else zeros_for(x)
                for g, x in zip(grads, list(values) + list(caps))]
    return trace_subgraph(fn, specs, "while_body_grad")


def _while_grad_infer(history, *rest, vjp, num_loop_vars, body_capture_indices, num_captures):
    dys = rest[:num_loop_vars]
    captures = rest[num_loop_vars:]
    return tuple(TensorSpec(d.dims, d.dtype) for d in dys) + tuple(
        TensorSpec(c.dims, c.dtype) for c in captures)


def _while_grad_kernel(history, *rest, vjp, num_loop_vars, body_capture_indices, num_captures):
    import numpy as np
    if isinstance(history, np.ndarray):   # wrapped by eager apply (interpreted graphs)
        history = history[()]
    dys = list(rest[:num_loop_vars])
    captures = list(rest[num_loop_vars:])
    body_caps = [captures[i] for i in body_capture_indices]
    capture_grads = [np.zeros_like(c) for c in captures]
    for values in reversed(history.steps):
        result = vjp.run(list(values) + body_caps + dys)
        dys = list(result[:num_loop_vars])
        for j, g in zip(body_capture_indices, result[num_loop_vars:]):
            capture_grads[j] = capture_grads[j] + g
    return tuple(dys) + tuple(capture_grads)


WhileGrad = Op("WhileGrad", infer=_while_grad_infer, multi_output=True, differentiable=False)
WhileGrad.kernel(_while_grad_kernel)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats `body` while `cond` is true (TF's `tf.while_loop`).

    `loop_vars` is a (nested) structure; `body` returns the same structure.
    Eagerly this is a Python loop. While tracing, a loop variable may change shape
    between iterations only if `shape_invariants` allows it (TF's rule).
    """
    return named_while_loop(cond, body, loop_vars, shape_invariants, maximum_iterations)


def named_while_loop(cond, body, loop_vars, shape_invariants=None, maximum_iterations=None,
                     var_names=None):
    """while_loop whose errors name the loop variables (AutoGraph passes Python names)."""
    if not callable(cond) or not callable(body):
        raise TypeError("cond and body must be callable.")
    single = not isinstance(loop_vars, (list, tuple))
    structure = [loop_vars] if single else loop_vars
    originals = nest.flatten(structure)
    graph_mode = state.graph is not None or builtins.any(
        isinstance(x, SymbolicTensor) for x in originals)
    flat = [_loop_tensor(x, graph_mode) for x in originals]

    def call(fn, values):
        values = [_loop_object(o, v) for o, v in zip(originals, values)]
        packed = nest.pack_sequence_as(structure, values)
        result = fn(packed[0]) if single else fn(*packed)
        return result

    if not graph_mode:
        return _eager_while(call, cond, body, structure, flat, single, maximum_iterations)
    specs = _loop_specs(flat, structure, shape_invariants)
    cond_sub = trace_subgraph(lambda *v: call(cond, list(v)), specs, "while_cond")
    body_sub = trace_subgraph(
        lambda *v: [_loop_tensor(x, True) for x in nest.flatten(
            _check_body_result(call(body, list(v)), structure, single))], specs, "while_body")
    _check_loop_shapes(flat, body_sub, specs, var_names)
    outer = _outer_inputs(cond_sub, body_sub)
    op = While if cond_sub.has_side_effects() or body_sub.has_side_effects() else StatelessWhile
    outputs = apply(op, *flat, *outer,
                    cond_graph=_LoopPart(cond_sub, _capture_indices(cond_sub, outer)),
                    body_graph=_LoopPart(body_sub, _capture_indices(body_sub, outer)),
                    num_loop_vars=len(flat),
                    max_iterations=None if maximum_iterations is None
                    else int(maximum_iterations),
                    record=False)
    results = [_loop_object(o, v) for o, v in zip(originals, outputs[:len(flat)])]
    packed = nest.pack_sequence_as(structure, results)
    return packed[0] if single else packed


def _loop_tensor(value, graph_mode):
    """The tensor carried for a loop variable (a TensorArray is carried by its flow)."""
    if hasattr(value, "_to_loop_value"):
        return value._to_loop_value() if graph_mode else value
    return value if isinstance(value, TensorLike) else convert_to_tensor(value)


def _loop_object(original, value):
    if hasattr(original, "_from_loop_value") and isinstance(value, TensorLike):
        return original._from_loop_value(value)
    return value


def _eager_while(call, cond, body, structure, flat, single, maximum_iterations):
    values = flat
    steps = 0
    while (maximum_iterations is None or steps < int(maximum_iterations)) and \
            bool(call(cond, values)):
        result = call(body, values)
        if not single and len(structure) == 1 and not nest.is_nested(result):
            result = [result]
        values = [_loop_tensor(x, False) for x in nest.flatten([result] if single else result)]
        steps += 1
    packed = nest.pack_sequence_as(structure, values)
    return packed[0] if single else packed


def _loop_specs(flat, structure, shape_invariants):
    if shape_invariants is None:
        return _specs(flat)
    invariants = nest.flatten(shape_invariants)
    from tapeflow.core.shape import as_shape
    return [TensorSpec(as_shape(s), v.dtype) for v, s in zip(flat, invariants)]


def _check_body_result(result, structure, single):
    packed = [result] if single else result
    if len(structure) == 1 and not nest.is_nested(packed):
        packed = [packed]   # TF accepts a bare tensor for a one-element loop_vars list
    try:
        nest.assert_same_structure(structure, packed, check_types=False)
    except (ValueError, TypeError) as error:
        raise ValueError(f"The body of tf.while_loop must return the same structure as "
                         f"loop_vars: {error}") from None
    return packed


def _check_loop_shapes(flat, body_sub, specs, var_names=None):
    for i, (value, spec, result) in enumerate(zip(flat, specs, body_sub.graph.outputs)):
        label = var_names[i] if var_names else i
        if result.dtype is not value.dtype:
            raise TypeError(f"Loop variable '{label}' enters the loop with type "
                            f"{value.dtype.name}, but has type {result.dtype.name} after one "
                            "iteration.")
        if not spec.shape.is_compatible_with(result.shape) or (
                spec.dims is not None and result.shape.rank is not None and
                builtins.any(a is not None and b is None
                             for a, b in zip(spec.dims, result._static_dims()))):
            raise ValueError(
                f"Input tensor '{label}' enters the loop with shape {value.shape}, but has shape "
                f"{result.shape} after one iteration. To allow the shape to vary across "
                "iterations, use the `shape_invariants` argument of tf.while_loop to specify "
                "a less-specific shape.")


# ================================================================================
# print
# ================================================================================

def _print_infer(*inputs, template, output_stream, end, summarize):
    return ()


PrintV2 = Op("PrintV2", infer=_print_infer, multi_output=True, side_effect=True,
             differentiable=False)


@PrintV2.kernel
def _(*arrays, template, output_stream, end, summarize):
    import numpy as np
    pieces = []
    values = iter(arrays)
    for kind, item in template:
        if kind == "tensor":
            pieces.append(_format_array(next(values), summarize, np))
        else:
            pieces.append(item)
    stream = sys.stderr if output_stream in (None, "stderr") else sys.stdout
    stream.write(" ".join(pieces) + end)
    return ()


def _format_array(array, summarize, np):
    if array.ndim == 0:
        item = array[()]
        return item.decode() if isinstance(item, bytes) else str(item)
    with np.printoptions(threshold=summarize * 2 if summarize and summarize > 0 else
                         sys.maxsize, edgeitems=summarize if summarize and summarize > 0 else 3):
        return np.array2string(array, separator=" ").replace("\n", "\n ")


def print_(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """Prints tensors (at every call, also inside a traced function) - TF's `tf.print`.

    Prints to standard error by default, like TF.
    """
    template, tensors = [], []
    for value in inputs:
        if isinstance(value, TensorLike):
            template.append(("tensor", None))
            tensors.append(value)
        else:
            template.append(("text", str(value)))
    stream = output_stream if isinstance(output_stream, str) or output_stream is None else (
        "stdout" if output_stream is sys.stdout else "stderr")
    apply(PrintV2, *tensors, template=tuple(template), output_stream=stream, end=end,
          summarize=summarize)


# ================================================================================
# for x in dataset (inside a traced function)
# ================================================================================

def _dataset_for_infer(*inputs, dataset, body, num_loop_vars, body_capture_indices):
    return tuple(TensorSpec(p._static_dims(), p.dtype)
                 for p in body.graph.inputs[:num_loop_vars])


DatasetFor = Op("DatasetFor", infer=_dataset_for_infer, multi_output=True, side_effect=True,
                differentiable=False)


@DatasetFor.kernel
def _(*inputs, dataset, body, num_loop_vars, body_capture_indices):
    values = list(inputs[:num_loop_vars])
    captures = list(inputs[num_loop_vars:])
    for element in dataset:
        arrays = [x._value if isinstance(x, TensorLike) else x for x in nest.flatten(element)]
        result = body.run(values + arrays + captures)
        values = list(result[:num_loop_vars])
        if not result[num_loop_vars]:   # a `break` (or `return`) in the loop body
            break
    return tuple(values)


def dataset_loop(dataset, extra_test, body, get_state, set_state, names):
    """`for element in dataset:` inside a trace: one node iterating the dataset at run time."""
    initial = list(get_state())
    positions = [i for i, v in enumerate(initial)
                 if isinstance(v, TensorLike) or (isinstance(v, (int, float, bool)))]
    loop_values = [initial[i] if isinstance(initial[i], TensorLike)
                   else convert_to_tensor(initial[i]) for i in positions]
    element_specs = nest.flatten(dataset.element_spec)

    def body_fn(*args):
        values, elements = args[:len(positions)], args[len(positions):]
        current = list(initial)
        for p, v in zip(positions, values):
            current[p] = v
        set_state(current)
        body(nest.pack_sequence_as(dataset.element_spec, list(elements)))
        after = get_state()
        keep_going = extra_test() if extra_test is not None else True
        return [after[p] for p in positions] + [convert_to_tensor(keep_going)
                                                if not isinstance(keep_going, TensorLike)
                                                else keep_going]

    specs = _specs(loop_values) + [TensorSpec(s.shape, s.dtype) for s in element_specs]
    sub = trace_subgraph(body_fn, specs, "dataset_body")
    _check_loop_shapes(loop_values, sub, _specs(loop_values), [names[p] for p in positions])
    outer = _outer_inputs(sub)
    outputs = apply(DatasetFor, *loop_values, *outer, dataset=dataset, body=sub,
                    num_loop_vars=len(loop_values),
                    body_capture_indices=_capture_indices(sub, outer))
    final = list(initial)
    for p, v in zip(positions, outputs):
        final[p] = v
    set_state(final)
