"""The Op record and the registry of all ops.

An op is defined once, with three things side by side:

- the kernel: `forward(*arrays, **attrs) -> array` (or a tuple for multi-output ops);
- the shape/dtype rule: `infer(*specs, **attrs) -> TensorSpec` (or a tuple), from
  input shapes and dtypes alone, so tracing never runs a kernel;
- the gradient rule: `grad(dy, *inputs, out=..., **attrs) -> one gradient per input`,
  written in tapeflow ops so that it is itself differentiable and traceable.

A gradient may be returned as a zero-argument callable: the tape calls it only
when that input's gradient is needed (so a first layer's input gradient is never
computed).
"""

from tapeflow.core import dtypes as _dtypes

REGISTRY = {}


class Op:
    """One primitive operation, registered under TensorFlow's op type name.

    Args:
      name: TF's op type ("AddV2", "MatMul", "Conv2D"); shown in errors and graph dumps.
      infer: the shape/dtype rule (see module docstring).
      dtypes: the dtypes allowed for the first input, or None for any.
      differentiable: False for ops with no gradient at all (comparisons, argmax,
        random draws); the tape does not record them.
      multi_output: the kernel returns a tuple of arrays.
      stateful: results may differ between calls with the same inputs (random ops,
        variable reads); never merged by common-subexpression elimination.
      side_effect: writes state outside its outputs (assignments, printing);
        never removed by dead-code elimination, never reordered with other
        side effects.
      elementwise: output[i] depends only on input[i] (after broadcasting);
        candidates for fusion.
    """

    __slots__ = ("name", "forward", "infer", "grad", "dtypes", "dtype_mask", "differentiable",
                 "multi_output", "stateful", "side_effect", "elementwise", "out_inputs",
                 "__weakref__")

    def __init__(self, name, infer=None, *, dtypes=None, differentiable=True,
                 multi_output=False, stateful=False, side_effect=False, elementwise=False):
        if name in REGISTRY:
            raise ValueError(f"Op {name!r} is already registered.")
        self.name = name
        self.forward = None
        self.infer = infer
        self.grad = None
        self.dtypes = None if dtypes is None else frozenset(dtypes)
        self.dtype_mask = 0 if dtypes is None else _dtypes.mask(dtypes)
        self.differentiable = differentiable
        self.multi_output = multi_output
        self.stateful = stateful or side_effect
        self.side_effect = side_effect
        self.elementwise = elementwise
        # Inputs whose buffer the kernel may write its result into, when called with
        # `out=` (generated code does so for dead buffers); ufunc kernels allow any.
        self.out_inputs = ()
        REGISTRY[name] = self

    def kernel(self, fn):
        """Decorator: sets the NumPy kernel."""
        self.forward = fn
        return fn

    def shape_rule(self, fn):
        """Decorator: sets the shape/dtype rule."""
        self.infer = fn
        return fn

    def gradient(self, fn):
        """Decorator: sets the gradient rule."""
        if not self.differentiable:
            raise ValueError(f"Op {self.name} is declared non-differentiable.")
        self.grad = fn
        return fn

    def __repr__(self):
        return f"<Op {self.name}>"

    def __reduce__(self):
        return get_op, (self.name,)


def get_op(name):
    """The registered op named `name`."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"No op named {name!r} is registered.") from None


def differentiable_ops():
    return [op for op in REGISTRY.values() if op.differentiable]
