"""Buffer planning for generated code: which elementwise ops may write in place.

Every value lives in a *buffer*. Ops known to return a fresh array (ufuncs,
matmul, reductions, ...) start a buffer the program owns; views (reshape,
transpose, slicing, identity, variable reads) share their input's buffer; any
other op is assumed to possibly alias all its inputs. A buffer is *dead* after
the last node that reads any value sharing it. Graph outputs and values stored
into variables keep their buffers alive to the end (they escape the program).

An elementwise ufunc node whose input buffer is owned, dies at that node and
has the output's exact shape and dtype writes its result into that buffer
(`np.add(a, b, out=a)`), saving an allocation and a pass over fresh memory.
"""
from tapeflow.core.array_api import xp

# Ops whose kernels always return a newly allocated array.
FRESH_OPS = frozenset({
    "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Neg", "Abs", "Sign", "Square",
    "Sqrt", "Rsqrt", "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos", "Tan", "Tanh", "Sigmoid",
    "Reciprocal", "SquaredDifference", "Pow", "FloorDiv", "FloorMod", "MatMul", "Sum", "Mean",
    "Max", "Min", "Prod", "AddN", "Fill", "ZerosLike", "OnesLike", "Pack", "ConcatV2",
    "SelectV2", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual",
    "LogicalAnd", "LogicalOr", "LogicalNot", "Cast", "StridedSliceGrad",
    "Relu", "ReluGrad", "BiasAdd", "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter",
    "MaxPool", "MaxPoolGrad", "BiasAddGrad", "Softmax", "LogSoftmax",
    "GatherV2", "GatherNd", "ScatterNd", "TensorScatterUpdate", "TensorScatterAdd",
    "TensorScatterSub", "TensorScatterMin", "TensorScatterMax", "Tile", "Pad", "PadV2",
    "MirrorPad", "OneHot", "Range", "ArgSort", "_FusedElementwise",
})
# Ops whose output is a view of their first input (or the input itself).
VIEW_OPS = frozenset({
    "Identity", "StopGradient", "Reshape", "ReshapeLike", "ExpandDims", "Squeeze",
    "Transpose", "BroadcastTo", "BroadcastLike", "StridedSlice", "ReadVariableOp",
    "SumToShape", "Unpack", "SplitV", "SplitLike",
})


def plan_inplace(graph):
    """Returns {id(node): index of the input whose buffer the node may overwrite}."""
    roots, owned = {}, set()          # id(value) -> frozenset of buffer ids; owned buffer ids
    counter = iter(range(1 << 62))
    for value in graph.inputs:
        roots[id(value)] = frozenset({next(counter)})
    for node in graph.nodes:
        input_roots = [roots.get(id(x), frozenset()) if not x._is_variable else frozenset()
                       for x in node.inputs]
        for out in node.outputs:
            if node.op.name in FRESH_OPS:
                buffer = next(counter)
                owned.add(buffer)
                roots[id(out)] = frozenset({buffer})
            elif node.op.name in VIEW_OPS and input_roots:
                roots[id(out)] = input_roots[0] | frozenset({next(counter)})
            else:
                roots[id(out)] = frozenset({next(counter)}).union(*input_roots)
    last_use = _last_uses(graph, roots)
    plan = {}
    for index, node in enumerate(graph.nodes):
        choice = _inplace_input(node, index, roots, owned, last_use)
        if choice is not None:
            plan[id(node)] = choice
            # the output now lives in that buffer: extend its life to the output's uses
            (buffer,) = roots[id(node.inputs[choice])]
            roots[id(node.outputs[0])] = frozenset({buffer})
            last_use[buffer] = max(last_use.get(buffer, index),
                                   last_use.get(("value", id(node.outputs[0])), index))
    return plan


def _last_uses(graph, roots):
    """buffer id -> index of the last node reading it (end of program if it escapes)."""
    end = len(graph.nodes)
    last = {}
    for index, node in enumerate(graph.nodes):
        for x in node.inputs:
            if x._is_variable:
                continue
            last[("value", id(x))] = index
            for buffer in roots.get(id(x), ()):
                last[buffer] = index
        if node.op.side_effect:   # stored into a variable or written out: escapes
            for x in node.inputs:
                if not x._is_variable:
                    for buffer in roots.get(id(x), ()):
                        last[buffer] = end
    for value in graph.outputs:
        if not value._is_variable:
            for buffer in roots.get(id(value), ()):
                last[buffer] = end
            last[("value", id(value))] = end
    return last


def _inplace_input(node, index, roots, owned, last_use):
    kernel = node.op.forward
    if node.op.multi_output or len(node.outputs) != 1:
        return None
    candidates = range(len(node.inputs)) if isinstance(kernel, xp.ufunc) else node.op.out_inputs
    if not candidates:
        return None
    out = node.outputs[0]
    out_dims = out._static_dims()
    if not out_dims or None in out_dims:   # 0-d results are NumPy scalars: no buffer
        return None
    for i in candidates:
        x = node.inputs[i]
        if x._is_variable or x.dtype is not out.dtype or x._static_dims() != out_dims:
            continue
        buffers = roots.get(id(x), frozenset())
        if len(buffers) != 1:
            continue
        (buffer,) = buffers
        if buffer not in owned or last_use.get(buffer, index) > index:
            continue
        others = [y for j, y in enumerate(node.inputs) if j != i and not y._is_variable]
        if any(buffer in roots.get(id(y), ()) and y is not x for y in others):
            continue   # another operand views the same memory differently
        return i
    return None
