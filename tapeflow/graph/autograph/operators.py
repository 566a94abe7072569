"""The `ag__` runtime that converted code calls.

Each operator takes the statement's pieces as functions and the loop/branch
state as get/set functions over the enclosing function's variables, so the
same converted code runs eagerly (plain Python) or builds graph control flow.
"""
import builtins

from tapeflow.core import nest
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, SymbolicTensor, Tensor, TensorLike


class Undefined:
    """The value of a variable not yet assigned on this path."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def _fail(self, *args, **kwargs):
        raise UnboundLocalError(
            f"'{self.name}' is used before it is assigned, or it is assigned in only one "
            f"branch of a tensor-dependent `if` (it must also be initialized in the other "
            f"branch), or only inside a tensor-dependent loop (define it before the loop).")

    __getattr__ = _fail
    __call__ = _fail
    __bool__ = _fail
    __iter__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __getitem__ = __len__ = _fail

    def __repr__(self):
        return f"Undefined({self.name!r})"


class UndefinedReturnValue:
    """What a converted function returns on a path with no `return`."""

    def __repr__(self):
        return "UndefinedReturnValue"


def is_undefined(value):
    return isinstance(value, (Undefined, UndefinedReturnValue))


def _symbolic(value):
    return isinstance(value, SymbolicTensor) or (
        getattr(value, "_is_variable", False) and state.graph is not None)


# ================================================================================
# Boolean operators: `and`, `or`, `not` and `x if c else y`
# ================================================================================

def and_(a, b):
    """`a() and b()`, short-circuiting on Python values, tf.logical_and on symbolic ones."""
    left = a()
    if not _symbolic(left):
        return b() if _truth(left) else left
    from tapeflow.ops.math import logical_and
    return logical_and(left, b())


def or_(a, b):
    left = a()
    if not _symbolic(left):
        return left if _truth(left) else b()
    from tapeflow.ops.math import logical_or
    return logical_or(left, b())


def not_(value):
    if _symbolic(value):
        from tapeflow.ops.math import logical_not
        return logical_not(value)
    return not _truth(value)


def if_exp(test, body, orelse):
    if _symbolic(test):
        from tapeflow.graph.control_flow import cond
        return cond(test, body, orelse)
    return body() if _truth(test) else orelse()


def _truth(value):
    return bool(value)


# ================================================================================
# if
# ================================================================================

def if_stmt(test, body, orelse, get_state, set_state, names):
    """Runs `body()` or `orelse()`; a symbolic `test` builds a tf.cond over the state."""
    if not _symbolic(test):
        if _truth(test):
            body()
        else:
            orelse()
        return
    from tapeflow.graph.control_flow import if_from_subgraphs, trace_subgraph
    initial = get_state()

    def branch(fn):
        def run():
            set_state(initial)
            fn()
            return tuple(get_state())
        return run

    then_sub = trace_subgraph(branch(body), [], "if_true", allow_static=True)
    else_sub = trace_subgraph(branch(orelse), [], "if_false", allow_static=True)
    set_state(initial)
    merged, outputs_then, outputs_else, positions = _align_branches(
        names, then_sub.leaves, else_sub.leaves)
    if positions:
        then_sub.set_outputs(outputs_then)
        else_sub.set_outputs(outputs_else)
        results = if_from_subgraphs(test, then_sub, else_sub)
        for position, value in zip(positions, results):
            merged[position] = value
    set_state(merged)


def _align_branches(names, then_values, else_values):
    """Per state variable: the static result, or which values become cond outputs."""
    merged, outputs_then, outputs_else, positions = [], [], [], []
    for i, (name, a, b) in enumerate(zip(names, then_values, else_values)):
        a, b = _default_return_value(a, b), _default_return_value(b, a)
        if is_undefined(a) or is_undefined(b):
            merged.append(Undefined(name))
            continue
        a_tensor, b_tensor = _tensorish(a) or callable(a), _tensorish(b) or callable(b)
        if not a_tensor and not b_tensor and (a is b or _static_equal(a, b)):
            merged.append(a)
            continue
        if not (a_tensor or _number(a)) or not (b_tensor or _number(b)):
            raise ValueError(
                f"'{name}' must have the same Python value in both branches of a "
                f"tensor-dependent `if`, or be a tensor in both; got {a!r} and {b!r}.")
        dtype = (a.dtype if _tensorish(a) else b.dtype if _tensorish(b) else None)
        outputs_then.append(a if a_tensor else convert_to_tensor(a, dtype=dtype))
        outputs_else.append(b if b_tensor else convert_to_tensor(b, dtype=dtype))
        if _tensorish(outputs_then[-1]) and _tensorish(outputs_else[-1]) and \
                outputs_then[-1].dtype is not outputs_else[-1].dtype:
            raise TypeError(f"'{name}' has dtype {outputs_then[-1].dtype.name} in the true "
                            f"branch and {outputs_else[-1].dtype.name} in the false branch.")
        positions.append(i)
        merged.append(None)
    return merged, outputs_then, outputs_else, positions


def _default_return_value(value, other):
    """A return value set on only one path is zeros on the other (guarded by ag__do_return)."""
    if isinstance(value, UndefinedReturnValue) and isinstance(other, TensorLike):
        dims = other._static_dims()
        if dims is not None and None not in dims:
            from tapeflow.ops.array import zeros
            dtype = other.dtype
            return lambda: zeros(dims, dtype)
    return value


def _tensorish(value):
    return isinstance(value, TensorLike)


def _number(value):
    return isinstance(value, (int, float, bool)) and not isinstance(value, type)


def _static_equal(a, b):
    try:
        return builtins.bool(a == b) and type(a) is type(b)
    except Exception:
        return False


# ================================================================================
# while and for
# ================================================================================

def while_stmt(test, body, get_state, set_state, names, opts=None):
    """Runs a while loop; a symbolic condition builds a tf.while_loop over the state."""
    condition = test()
    if not _symbolic(condition):
        while _truth(condition):
            body()
            condition = test()
            if _symbolic(condition):   # became symbolic inside the loop body
                return _graph_while(test, body, get_state, set_state, names, opts)
        return
    _graph_while(test, body, get_state, set_state, names, opts)


def _graph_while(test, body, get_state, set_state, names, opts):
    from tapeflow.graph.control_flow import named_while_loop
    initial = list(get_state())
    loop_positions, loop_values = [], []
    for i, (name, value) in enumerate(zip(names, initial)):
        if is_undefined(value):
            continue     # decided below: a body-local temporary, or defined by the body
        if isinstance(value, TensorLike) or _number(value) or hasattr(value, "_to_loop_value"):
            loop_positions.append(i)
            loop_values.append(value)
    _define_undefined(initial, names, loop_positions, loop_values, body, get_state, set_state)

    def with_state(values):
        current = list(initial)
        for position, value in zip(loop_positions, values):
            current[position] = value
        set_state(current)

    def cond_fn(*values):
        with_state(values)
        return test()

    def body_fn(*values):
        with_state(values)
        body()
        after = get_state()
        return [_loop_value(names[p], after[p], values[k])
                for k, p in enumerate(loop_positions)]

    shape_invariants = (opts or {}).get("shape_invariants")
    invariants = None
    if shape_invariants:
        invariants = [_invariant_for(loop_values[k], shape_invariants)
                      for k in range(len(loop_values))]
    results = named_while_loop(cond_fn, body_fn, loop_values, shape_invariants=invariants,
                               maximum_iterations=(opts or {}).get("maximum_iterations"),
                               var_names=[names[p] for p in loop_positions])
    final = list(initial)
    for position, value in zip(loop_positions, results):
        final[position] = value
    set_state(final)


def _define_undefined(initial, names, loop_positions, loop_values, body, get_state,
                      set_state):
    """Variables undefined before the loop but tensors after its body become loop variables,
    starting from zeros (as TF does for e.g. a `return` value set inside a loop)."""
    undefined = [i for i, v in enumerate(initial) if is_undefined(v)]
    if not undefined:
        return
    from tapeflow.graph.control_flow import trace_subgraph

    def dry_run(*values):
        current = list(initial)
        for position, value in zip(loop_positions, values):
            current[position] = value
        set_state(current)
        body()
        return tuple(get_state())

    probe_values = [v._to_loop_value() if hasattr(v, "_to_loop_value") else
                    v if isinstance(v, TensorLike) else convert_to_tensor(v) for v in loop_values]
    probe = trace_subgraph(lambda *v: dry_run(*[
        o._from_loop_value(x) if hasattr(o, "_from_loop_value") else x
        for o, x in zip(loop_values, v)]), specs_of(probe_values), "while_probe",
        allow_static=True)
    set_state(initial)
    from tapeflow.ops.array import zeros
    for i in undefined:
        value = probe.leaves[i]
        if isinstance(value, SymbolicTensor):
            dims = value._static_dims()
            if dims is None or None in dims:
                raise ValueError(f"'{names[i]}' must be defined before the loop: its shape "
                                 f"{value.shape} is not fully known.")
            loop_positions.append(i)
            loop_values.append(zeros(dims, value.dtype))
    order = sorted(range(len(loop_positions)), key=lambda k: loop_positions[k])
    loop_positions[:] = [loop_positions[k] for k in order]
    loop_values[:] = [loop_values[k] for k in order]


def _invariant_for(value, shape_invariants):
    for var, shape in shape_invariants:
        if var is value:
            return shape
    return value.shape


def _loop_value(name, value, previous):
    if is_undefined(value):
        raise ValueError(f"'{name}' is undefined after an iteration of a tensor-dependent "
                         "loop.")
    if isinstance(value, TensorLike) or hasattr(value, "_to_loop_value"):
        return value
    if _number(value):
        return convert_to_tensor(value, dtype=previous.dtype)
    raise ValueError(f"'{name}' must be a tensor in a tensor-dependent loop, got {value!r}.")


def for_stmt(iterable, extra_test, body, get_state, set_state, names, opts=None):
    """`for target in iterable`: body(item) per item.

    Python iterables loop in Python (unrolled while tracing); tensors loop over their
    first dimension with tf.while_loop; tf.data datasets iterate element by element
    inside the compiled function.
    """
    if isinstance(iterable, Tensor) and state.graph is not None:
        # While tracing, iterating any tensor (constants too) is a tf.while_loop, as in TF.
        return _tensor_for(iterable, extra_test, body, get_state, set_state, names, opts)
    if hasattr(iterable, "element_spec") and state.graph is not None:
        return _dataset_for(iterable, extra_test, body, get_state, set_state, names)
    for item in iterable:
        if extra_test is not None and not _truth_or_graph(extra_test()):
            break
        body(item)


def _truth_or_graph(value):
    if _symbolic(value):
        raise NotImplementedError("break inside a Python loop depends on a tensor; iterate "
                                  "over a tensor (e.g. tf.range) so the loop is a tf.while_loop.")
    return _truth(value)


def _tensor_for(iterable, extra_test, body, get_state, set_state, names, opts):
    from tapeflow.ops.array import shape
    n = iterable.shape[0]
    limit = convert_to_tensor(n) if n is not None else shape(iterable)[0]
    index_name = "ag__for_index"
    holder = {"i": convert_to_tensor(0)}

    def get():
        return tuple(get_state()) + (holder["i"],)

    def put(values):
        values = list(values)
        holder["i"] = values[-1]
        set_state(values[:-1])

    def test():
        from tapeflow.ops.math import less
        in_range = less(holder["i"], limit)
        if extra_test is None:
            return in_range
        return and_(lambda: in_range, extra_test)

    def step():
        i = holder["i"]
        holder["i"] = i + 1
        body(iterable[i])

    _graph_while(test, step, get, put, tuple(names) + (index_name,), opts)


def _dataset_for(dataset, extra_test, body, get_state, set_state, names):
    from tapeflow.graph.control_flow import dataset_loop
    dataset_loop(dataset, extra_test, body, get_state, set_state, names)


def range_(*args):
    """`range(...)` in converted code: tf.range when an argument is a tensor."""
    if builtins.any(isinstance(a, TensorLike) for a in args):
        from tapeflow.ops.array import range as tf_range
        return tf_range(*args)
    return builtins.range(*args)


def ld(value):
    return value


def specs_of(values):
    return [TensorSpec(v._static_dims(), v.dtype) for v in values]


__all__ = ["Undefined", "UndefinedReturnValue", "and_", "or_", "not_", "if_exp", "if_stmt",
           "while_stmt", "for_stmt", "range_", "nest"]
