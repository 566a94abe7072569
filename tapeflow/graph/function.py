"""`tf.function`: trace a Python function into a graph once, then run the graph.

Calling a `Function`:
  1. The arguments are bound to the Python signature and turned into a *trace
     key*: tensors by dtype and shape, Variables by identity, Python values by
     value (TF's retracing rules). An `input_signature` fixes the key.
  2. A cache maps keys to ConcreteFunctions. On a miss the function is traced:
     its Python code runs once with symbolic placeholders in a fresh Graph
     (Python side effects happen now, not on later calls).
  3. The ConcreteFunction runs its optimized graph as generated straight-line
     Python over the kernels (graph/codegen.py). Under an active GradientTape
     it runs node by node through `apply` instead, so the tape records it.

Variables may be created only during the first trace (TF's rule); they are
created eagerly (`init_scope`) and captured by the graph.
"""
import functools
import inspect
import logging
import threading
import time
import weakref

from tapeflow.core import nest
from tapeflow.core.context import graph_scope, state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import EagerTensor, SymbolicTensor, Tensor, TensorLike, wrap
from tapeflow.core.variable import Variable, variable_creator_scope
from tapeflow.graph.ir import Graph

_log = logging.getLogger("tapeflow")

_RUN_EAGERLY = [False]
_RETRACE_WARNING_THRESHOLD = 5
# Called with each new ConcreteFunction right after its trace (tf.summary.trace_on adds one).
trace_listeners = []


def run_functions_eagerly(run_eagerly):
    """`tf.config.run_functions_eagerly`: run `function`s as plain Python (for debugging)."""
    _RUN_EAGERLY[0] = bool(run_eagerly)


def functions_run_eagerly():
    return _RUN_EAGERLY[0]


# ================================================================================
# Trace keys: what makes two calls share a trace
# ================================================================================

class _TensorKey:
    """The key of a tensor argument: its dtype and (possibly relaxed) shape."""

    __slots__ = ("dtype", "dims")

    def __init__(self, dtype, dims):
        self.dtype = dtype
        self.dims = dims

    def __eq__(self, other):
        return (type(other) is _TensorKey and other.dtype is self.dtype
                and other.dims == self.dims)

    def __hash__(self):
        return hash((self.dtype.name, self.dims))

    def accepts(self, dtype, dims):
        if dtype is not self.dtype:
            return False
        if self.dims is None:
            return True
        if dims is None or len(dims) != len(self.dims):
            return False
        return all(a is None or a == b for a, b in zip(self.dims, dims))

    def __repr__(self):
        from tapeflow.graph.ir import type_str_spec
        return type_str_spec(TensorSpec(self.dims, self.dtype))


def _leaf_key(value):
    if isinstance(value, TensorSpec):
        return _TensorKey(value.dtype, value.dims)
    if isinstance(value, Tensor):
        return _TensorKey(value.dtype, value._static_dims())
    if isinstance(value, Variable):
        return ("variable", id(value))
    if isinstance(value, (int, float, str, bool, bytes, type(None))):
        return ("python", type(value), value)
    dtype = getattr(value, "dtype", None)
    if hasattr(value, "__array__") and hasattr(value, "shape") and dtype is not None:
        tensor = convert_to_tensor(value)   # NumPy arrays trace like tensors, as in TF
        return _TensorKey(tensor.dtype, tensor._static_dims())
    try:
        hash(value)
        return ("object", type(value), value)
    except TypeError:
        return ("object-id", id(value))


def _structure_key(structure):
    """A hashable key for a nested structure of arguments."""
    if isinstance(structure, (list, tuple)):
        return (type(structure).__name__, tuple(_structure_key(s) for s in structure))
    if isinstance(structure, dict):
        try:
            items = sorted(structure.items())
        except TypeError:
            items = list(structure.items())
        return ("dict", tuple((k, _structure_key(v)) for k, v in items))
    return _leaf_key(structure)


def _is_tensor_arg(value):
    return isinstance(value, (Tensor, Variable, TensorSpec)) or (
        hasattr(value, "__array__") and hasattr(value, "shape") and hasattr(value, "dtype")
        and not isinstance(value, type))


# ================================================================================
# Function
# ================================================================================

class Function:
    """A Python function compiled to graphs on demand (TF's `tf.function` object)."""

    def __init__(self, python_function, name=None, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False):
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = (None if input_signature is None
                                 else tuple(nest.flatten(input_signature)))
        self._input_signature_structure = input_signature
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._signature = _safe_signature(python_function)
        self._cache = {}                 # trace key -> ConcreteFunction
        self._relaxed = {}               # structure-only key -> relaxed shapes
        self._tracing_count = 0
        self._variables_created = False
        self._lock = threading.RLock()
        self._recent_keys = []           # for the retracing warning
        self._descriptor_cache = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    # -- public API --------------------------------------------------------------
    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature_structure

    @property
    def function_spec(self):
        return self._signature

    def experimental_get_tracing_count(self):
        """How many times the Python function has been traced."""
        return self._tracing_count

    def __call__(self, *args, **kwargs):
        if _RUN_EAGERLY[0]:
            return self._python_function(*args, **kwargs)
        concrete, flat_inputs = self._concrete_for_call(args, kwargs)
        return concrete._call_flat(flat_inputs)

    def get_concrete_function(self, *args, **kwargs):
        """The ConcreteFunction for these arguments (TensorSpecs allowed), tracing if needed."""
        if not args and not kwargs and self._input_signature is not None:
            args = self._input_signature_structure
        concrete, _ = self._concrete_for_call(args, kwargs)
        return concrete

    def __get__(self, instance, owner):
        """Methods: one Function per instance, bound to it (traces are per instance)."""
        if instance is None:
            return self
        bound = self._descriptor_cache.get(instance)
        if bound is None:
            method = self._python_function.__get__(instance, owner)
            bound = Function(method, name=self._name,
                             input_signature=self._input_signature_structure,
                             autograph=self._autograph, jit_compile=self._jit_compile,
                             reduce_retracing=self._reduce_retracing)
            self._descriptor_cache[instance] = bound
        return bound

    def __repr__(self):
        return f"<tapeflow.function {self._name}>"

    # -- tracing ------------------------------------------------------------------
    def _bind(self, args, kwargs):
        """Arguments as one canonical (args tuple, kwargs dict) with defaults applied."""
        if self._signature is None:
            return tuple(args), dict(kwargs)
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{self._name}(): {error}") from None
        bound.apply_defaults()
        return tuple(bound.args), dict(bound.kwargs)

    def _concrete_for_call(self, args, kwargs):
        args, kwargs = self._bind(args, kwargs)
        if self._input_signature is not None:
            args, kwargs = self._check_signature(args, kwargs)
        key = _structure_key((args, kwargs))
        with self._lock:
            concrete = self._cache.get(key)
            if concrete is None:
                concrete = self._find_compatible(args, kwargs)
                if concrete is None:
                    specs = self._trace_specs(args, kwargs, key)
                    concrete = self._trace(args, kwargs, specs)
                self._cache[key] = concrete   # this exact key now hits at once
        return concrete, _flat_tensor_args(args, kwargs)

    def _find_compatible(self, args, kwargs):
        """A relaxed trace (unknown dims) that accepts these arguments, if any."""
        if not (self._reduce_retracing or self._input_signature is not None):
            return None
        for concrete in set(self._cache.values()):
            if concrete._accepts(args, kwargs):
                return concrete
        return None

    def _trace_specs(self, args, kwargs, key):
        """Per tensor argument, the spec to trace with (relaxed after a shape change)."""
        flat = _flat_tensor_args(args, kwargs)
        specs = [TensorSpec(t.dims if isinstance(t, TensorSpec) else t._static_dims(), t.dtype)
                 for t in flat]
        if self._input_signature is not None:
            return [TensorSpec(s.shape, s.dtype) for s in self._input_signature]
        structure = _structure_key(_mask_tensors((args, kwargs)))
        previous = self._relaxed.get(structure)
        if previous is not None and self._reduce_retracing and len(previous) == len(specs):
            specs = [_relax(p, s) for p, s in zip(previous, specs)]
        self._relaxed[structure] = specs
        self._note_retrace(args, kwargs, specs)
        return specs

    def _note_retrace(self, args, kwargs, specs):
        self._recent_keys.append(_describe_call(self._signature, args, kwargs))
        if len(self._recent_keys) < _RETRACE_WARNING_THRESHOLD:
            return
        if len(self._recent_keys) % _RETRACE_WARNING_THRESHOLD:
            return
        changes = _describe_changes(self._recent_keys[-2], self._recent_keys[-1])
        _log.warning(
            "%d out of the last %d calls to %s triggered tf.function retracing. Tracing is "
            "expensive and the excessive number of tracings could be due to (1) creating "
            "@tf.function repeatedly in a loop, (2) passing tensors with different shapes, (3) "
            "passing Python objects instead of tensors. This time: %s. Pass tensors with one "
            "shape, use input_signature with None dimensions, or reduce_retracing=True.",
            len(self._recent_keys), len(self._recent_keys), self._python_function, changes)

    def _check_signature(self, args, kwargs):
        flat = nest.flatten((args, kwargs))
        tensors = [x for x in flat if _is_tensor_arg(x) or isinstance(x, (int, float))]
        if len(tensors) != len(self._input_signature) or kwargs:
            raise TypeError(f"{self._name}: the call does not match its input_signature "
                            f"{self._input_signature_structure}: got {len(tensors)} tensor "
                            "arguments.")
        converted = []
        for value, spec in zip(args, self._input_signature):
            tensor = value if isinstance(value, TensorLike) else convert_to_tensor(
                value, dtype=spec.dtype)
            if tensor.dtype is not spec.dtype or not spec.shape.is_compatible_with(tensor.shape):
                raise TypeError(f"{self._name}: Python inputs incompatible with "
                                f"input_signature: inputs: ({tensor!r}), input_signature: "
                                f"({spec!r}).")
            converted.append(tensor)
        return tuple(converted), {}

    def _trace(self, args, kwargs, specs):
        trace_start = time.perf_counter()
        self._tracing_count += 1
        graph = Graph(self._name)
        placeholders = [graph.placeholder(spec, f"arg{i}") for i, spec in enumerate(specs)]
        symbolic_args, symbolic_kwargs = _replace_tensors((args, kwargs), iter(placeholders))
        fn = self._python_function
        if self._autograph:
            from tapeflow.graph.autograph import convert
            fn = convert(fn)
        first_trace = not self._variables_created and self._tracing_count == 1
        created = []

        def creator(next_creator, **kw):
            if not first_trace:
                raise ValueError(
                    f"tf.function only supports singleton tf.Variables created on the first "
                    f"call. Make sure the tf.Variable is only created once or created outside "
                    f"tf.function ({self._name} created a variable on trace "
                    f"#{self._tracing_count}).")
            var = next_creator(**kw)
            created.append(var)
            return var

        with variable_creator_scope(creator), graph_scope(graph):
            outputs = fn(*symbolic_args, **symbolic_kwargs)
        if created:
            self._variables_created = True
        from tapeflow.graph.concrete import ConcreteFunction
        concrete = ConcreteFunction(graph, outputs, specs, name=self._name,
                                    arg_structure=_mask_tensors((args, kwargs)))
        concrete.jit_compile = self._jit_compile
        concrete.trace_seconds = time.perf_counter() - trace_start
        for listener in trace_listeners:
            listener(concrete)
        return concrete


def _safe_signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _flat_tensor_args(args, kwargs):
    """The tensor-like arguments (Tensors, NumPy arrays) in flattening order, as Tensors.

    TensorSpecs (from get_concrete_function) stay specs: they have no value.
    """
    return [x if isinstance(x, (Tensor, TensorSpec)) else convert_to_tensor(x)
            for x in nest.flatten((args, kwargs)) if _is_tensor_arg(x) and
            not isinstance(x, Variable)]


class _Masked:
    """Stands for a tensor argument in a structure key that ignores shapes."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __eq__(self, other):
        return isinstance(other, _Masked) and other.dtype is self.dtype

    def __hash__(self):
        return hash(self.dtype.name)


def _mask_tensors(structure):
    return nest.map_structure(
        lambda x: _Masked(x.dtype if isinstance(x, (Tensor, TensorSpec))
                          else convert_to_tensor(x).dtype)
        if _is_tensor_arg(x) and not isinstance(x, Variable) else x, structure)


def _replace_tensors(structure, placeholders):
    return nest.map_structure(
        lambda x: next(placeholders) if _is_tensor_arg(x) and not isinstance(x, Variable)
        else x, structure)


def _relax(previous, current):
    if previous.dtype is not current.dtype or previous.dims is None or current.dims is None:
        return current
    if len(previous.dims) != len(current.dims):
        return TensorSpec(None, current.dtype)
    return TensorSpec(tuple(a if a == b else None for a, b in zip(previous.dims, current.dims)),
                      current.dtype)


def _describe_call(signature, args, kwargs):
    names = list(signature.parameters) if signature is not None else []
    described = {}
    for i, value in enumerate(args):
        name = names[i] if i < len(names) else f"arg{i}"
        described[name] = _describe_value(value)
    for name, value in kwargs.items():
        described[name] = _describe_value(value)
    return described


def _describe_value(value):
    if _is_tensor_arg(value) and not isinstance(value, Variable):
        key = _leaf_key(value)
        return repr(key)
    if isinstance(value, Variable):
        return f"Variable {value.name} (id {id(value)})"
    if isinstance(value, (list, tuple, dict)):
        return repr(nest.map_structure(_describe_value, value))
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _describe_changes(before, after):
    changes = [f"argument '{name}' changed from {before.get(name)} to {value}"
               for name, value in after.items() if before.get(name) != value]
    return "; ".join(changes) if changes else "the arguments did not change (the function " \
        "object may be re-created in a loop)"


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Compiles a Python function into graphs (TF's `tf.function`), as a decorator or a call.

    >>> import tapeflow as tf
    >>> @tf.function
    ... def square_sum(x):
    ...     return tf.reduce_sum(x * x)
    >>> float(square_sum(tf.constant([1.0, 2.0])))
    5.0
    """
    if experimental_relax_shapes:
        reduce_retracing = True

    def decorate(fn):
        return Function(fn, input_signature=input_signature, autograph=autograph,
                        jit_compile=jit_compile, reduce_retracing=reduce_retracing)
    return decorate if func is None else decorate(func)
