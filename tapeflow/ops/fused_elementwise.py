"""_FusedElementwise: a chain of elementwise ops run as one loop over memory.

The graph compiler (graph/passes/fuse_elementwise.py) replaces a connected
group of same-shaped elementwise nodes (an Adam update is twelve of them) by one
node of this op. Its `program` lists the group's ops in order; the kernel is
generated Python source, one loop whose body computes every op for element i,
compiled by Numba (_util/jit.py). Each value makes one trip through memory
instead of one per op.

Results are bit-identical to the unfused ops: the table below holds only ops
whose scalar form rounds exactly as NumPy's ufunc does (IEEE +, -, *, /, sqrt,
comparisons, selects, max/min with NumPy's NaN and signed-zero rules), and no
fast-math. Transcendental functions (exp, log, tanh) are left out: NumPy's SIMD
versions and libm's differ in the last bit.
"""
from tapeflow._util import jit as _jit
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import _parallel

# op name -> (scalar expression over {0}, {1}, ...; `Z`/`O` are the result dtype's 0 and 1,
#             NumPy reference over arrays a, b, ...)
SCALAR_OPS = {
    "AddV2": ("({0} + {1})", lambda a, b: a + b),
    "Sub": ("({0} - {1})", lambda a, b: a - b),
    "Mul": ("({0} * {1})", lambda a, b: a * b),
    "RealDiv": ("({0} / {1})", lambda a, b: a / b),
    "Neg": ("(-{0})", lambda a: -a),
    "Square": ("({0} * {0})", lambda a: a * a),
    "SquaredDifference": ("(({0} - {1}) * ({0} - {1}))", lambda a, b: (a - b) * (a - b)),
    "Sqrt": ("np.sqrt({0})", xp.sqrt),
    "Abs": ("abs({0})", xp.abs),
    # NumPy's maximum(a, b): NaN if either is NaN, else a if a > b else b (so max(-0, 0) = 0)
    "Maximum": ("({0} if ({0} > {1} or {0} != {0}) else {1})", xp.maximum),
    "Minimum": ("({0} if ({0} < {1} or {0} != {0}) else {1})", xp.minimum),
    "Relu": ("({0} if ({0} > Z or {0} != {0}) else Z)", lambda a: xp.maximum(a, 0)),
    # dy * (y > 0) as a multiply, as the ReluGrad kernel computes it (NaN * 0 stays NaN)
    "ReluGrad": ("({0} * (O if {1} > Z else Z))", lambda dy, y: dy * (y > 0)),
    "Greater": ("({0} > {1})", xp.greater),
    "GreaterEqual": ("({0} >= {1})", xp.greater_equal),
    "Less": ("({0} < {1})", xp.less),
    "LessEqual": ("({0} <= {1})", xp.less_equal),
    "Equal": ("({0} == {1})", xp.equal),
    "NotEqual": ("({0} != {1})", xp.not_equal),
    "LogicalAnd": ("({0} and {1})", xp.logical_and),
    "LogicalOr": ("({0} or {1})", xp.logical_or),
    "LogicalNot": ("(not {0})", xp.logical_not),
    "SelectV2": ("({1} if {0} else {2})", xp.where),
    "Cast": ("T({0})", None),   # to a float dtype (see fusible_cast)
}
# The dtypes fused code computes in: no integers (Numba widens int32 arithmetic to
# int64, so an overflowing chain would not wrap as NumPy's does), no float16.
DTYPES = frozenset({dtypes.float32, dtypes.float64, dtypes.bool})
# A fused loop is split across cores only above this size: the seed's Adam update of
# 346k floats took 0.12 ms on one core and 0.16 ms in two halves (thread handoff).
SPLIT_ELEMENTS = 1 << 22


class FusedProgram:
    """What one fused node computes: instructions over inputs, and which values it returns.

    Values are numbered: inputs 0..n_inputs-1, then one per instruction. An
    instruction is (op name, argument value numbers, result dtype). `scalar[k]`
    says input k has one element (broadcast to every i). Programs compare by
    content, so equal groups share one compiled kernel.
    """

    def __init__(self, n_inputs, scalar, input_dtypes, instructions, outputs):
        self.n_inputs = n_inputs
        self.scalar = tuple(scalar)
        self.input_dtypes = tuple(input_dtypes)
        self.instructions = tuple(instructions)
        self.outputs = tuple(outputs)
        self._key = (self.n_inputs, self.scalar, tuple(d.name for d in self.input_dtypes),
                     tuple((op, args, d.name) for op, args, d in self.instructions), self.outputs)
        self._hash = hash(self._key)
        self._kernel = None

    def __eq__(self, other):
        return isinstance(other, FusedProgram) and self._key == other._key

    def __hash__(self):
        return self._hash

    def dtype_of(self, value):
        if value < self.n_inputs:
            return self.input_dtypes[value]
        return self.instructions[value - self.n_inputs][2]

    @property
    def output_dtypes(self):
        return tuple(self.dtype_of(v) for v in self.outputs)

    def __repr__(self):
        ops = ", ".join(op for op, _, _ in self.instructions)
        return f"FusedProgram({ops} -> {len(self.outputs)} outputs)"

    # -- the generated loop ----------------------------------------------------------
    def source(self):
        """Python source of `fused(*inputs, *outputs)` for Numba: one loop over the outputs.

        The loop index runs from 0 (callers pass slices for a part of the range):
        an index LLVM can prove non-negative needs no wraparound check, and the loop
        vectorizes (measured on the seed's Adam update of 346k floats: 1.04 ms with
        `range(start, stop)`, 0.12 ms without).
        """
        n = self.n_inputs
        ins = [f"x{k}" for k in range(n)]
        outs = [f"y{k}" for k in range(len(self.outputs))]
        lines = ["import numpy as np", "",
                 f"def fused({', '.join(ins + outs)}):"]
        for dtype in sorted({d for _, _, d in self.instructions} | set(self.input_dtypes),
                            key=lambda d: d.name):
            if dtype.is_floating:
                lines.append(f"    Z_{dtype.name} = np.{dtype.name}(0)")
                lines.append(f"    O_{dtype.name} = np.{dtype.name}(1)")
        for k in range(n):
            if self.scalar[k]:
                lines.append(f"    v{k} = x{k}")
        lines.append("    for i in range(y0.shape[0]):")
        for k in range(n):
            if not self.scalar[k]:
                lines.append(f"        v{k} = x{k}[i]")
        for j, (op, args, dtype) in enumerate(self.instructions):
            template = SCALAR_OPS[op][0]
            # Z/O in a template are the zero/one of the operands' dtype (the result's
            # for Cast); T is the Cast target type.
            operand_dtype = self.dtype_of(args[0]) if op not in ("SelectV2",) else dtype
            template = (template.replace("Z", f"Z_{operand_dtype.name}")
                        .replace("O", f"O_{operand_dtype.name}")
                        .replace("T(", f"np.{dtype.name}("))
            lines.append(f"        v{n + j} = {template.format(*[f'v{a}' for a in args])}")
        for k, value in enumerate(self.outputs):
            lines.append(f"        y{k}[i] = v{value}")
        return "\n".join(lines) + "\n"

    def kernel(self):
        if self._kernel is None:
            self._kernel = _jit.compile_source(self.source(), "fused")
        return self._kernel

    # -- the NumPy reference ---------------------------------------------------------
    def evaluate(self, arrays):
        values = list(arrays)
        for op, args, dtype in self.instructions:
            if op == "Cast":
                result = xp.asarray(values[args[0]]).astype(dtype._np)
            else:
                result = SCALAR_OPS[op][1](*[values[a] for a in args])
            values.append(xp.asarray(result, dtype=dtype._np))
        return tuple(values[v] for v in self.outputs)


_FusedElementwise = Op("_FusedElementwise", differentiable=False, multi_output=True)


@_FusedElementwise.shape_rule
def _(*inputs, program, shape, jit):
    return tuple(TensorSpec(shape, dtype) for dtype in program.output_dtypes)


@_FusedElementwise.kernel
def _(*inputs, program, shape, jit):
    if not (jit and _jit.enabled()):     # the NumPy reference (no Numba, or TAPEFLOW_JIT=0)
        return tuple(xp.broadcast_to(r, shape).copy() if r.shape != shape else r
                     for r in program.evaluate(inputs))
    kernel = program.kernel()
    size = 1
    for d in shape:
        size *= d
    args = []
    for k, x in enumerate(inputs):
        if program.scalar[k]:
            args.append(x.reshape(-1)[0])     # a NumPy scalar of the input's dtype
        else:
            args.append(x.reshape(-1))
    outs = [xp.empty(size, dtype._np) for dtype in program.output_dtypes]
    args.extend(outs)
    if size >= SPLIT_ELEMENTS and _parallel.WORKERS > 1:
        scalar = program.scalar + (False,) * len(outs)
        _parallel.over_rows(size, lambda start, stop: kernel(
            *[a if s else a[start:stop] for a, s in zip(args, scalar)]))
    else:
        kernel(*args)
    return tuple(o.reshape(shape) for o in outs)


__all__ = ["_FusedElementwise", "FusedProgram", "SCALAR_OPS", "DTYPES"]
