"""Fusing convolution blocks: Conv2D -> BiasAdd -> Relu -> MaxPool and their gradients.

A Keras `Conv2D(activation="relu")` followed by `MaxPooling2D` traces to four
forward ops and, after `simplify`'s ReluGrad rule, four backward ops:

    c = Conv2D(x, w); z = BiasAdd(c, b); r = Relu(z); p = MaxPool(r)
    dz = MaxPoolGrad(r, p, ReluGrad(dp, p))
    dw = Conv2DBackpropFilter(x, shape, dz); db = BiasAddGrad(dz)

This pass replaces them by `_FusedConv2DBiasReluMaxPool(x, w, b) -> (p, route)`
and `_FusedConv2DBiasReluMaxPoolGrad(x, route, dp) -> (dw, db)` (ops/fused.py
says why that is exact), so the full-size z, r and dz are never stored. When
something else needs dz (Conv2DBackpropInput, for a conv after the first layer),
`_FusedReluMaxPoolGrad(route, dp)` builds it from the route.

It fires only on blocks the fused kernels support (float32/float64, stride and
dilation 1, VALID or SAME conv, NHWC bias, pooling windows that tile the input
without padding, known spatial sizes) and only when c, z and r have no other
consumer (graph outputs count), so nothing else needs them. Replaced nodes are
left for dead-code elimination.
"""
from tapeflow.core import dtypes
from tapeflow.graph.passes import new_node, producers, substitute


def _uses(graph):
    """id(value) -> the live nodes that read it (None stands for a graph output).

    Nodes that earlier passes replaced but dead-code elimination has not removed yet
    do not count.
    """
    from tapeflow.graph.ir import Placeholder
    uses = {}
    for value in graph.outputs:
        uses.setdefault(id(value), []).append(None)
    for node in reversed(graph.nodes):
        if (node.op.side_effect or node.op is Placeholder
                or any(id(o) in uses for o in node.outputs)):
            for x in node.inputs:
                uses.setdefault(id(x), []).append(node)
    return uses


def _made_by(value, op_name, producer):
    node = producer.get(id(value))
    return node if node is not None and node.op.name == op_name else None


def _known(dims, count):
    return dims is not None and len(dims) == count and None not in dims


def _only_use(value, consumer, uses):
    return uses.get(id(value), []) == [consumer]


def _match_forward(pool, producer, uses):
    """The (conv, bias_add, relu) nodes under MaxPool node `pool`, or None."""
    from tapeflow.ops.fused import MAX_WINDOW
    a = pool.attrs
    ksize = tuple(a["ksize"])
    if (len(ksize) != 2 or tuple(a["strides"]) != ksize or a["padding"] != "VALID"
            or a["explicit_paddings"] or ksize[0] * ksize[1] > MAX_WINDOW):
        return None
    relu = _made_by(pool.inputs[0], "Relu", producer)
    bias_add = relu and _made_by(relu.inputs[0], "BiasAdd", producer)
    conv = bias_add and _made_by(bias_add.inputs[0], "Conv2D", producer)
    if conv is None or bias_add.attrs.get("data_format", "NHWC") != "NHWC":
        return None
    c = conv.attrs
    if (tuple(c["strides"]) != (1, 1) or tuple(c["dilations"]) != (1, 1)
            or c["padding"] not in ("VALID", "SAME") or c["explicit_paddings"]):
        return None
    x, w = conv.inputs
    x_dims, w_dims = x._static_dims(), w._static_dims()
    if (x.dtype not in (dtypes.float32, dtypes.float64) or not _known(w_dims, 4)
            or x_dims is None or len(x_dims) != 4 or not _known(x_dims[1:], 3)
            or x_dims[3] != w_dims[2]):
        return None
    conv_dims = conv.outputs[0]._static_dims()
    if conv_dims[1] < ksize[0] or conv_dims[2] < ksize[1]:
        return None
    if not (_only_use(conv.outputs[0], bias_add, uses)
            and _only_use(bias_add.outputs[0], relu, uses)):
        return None
    return conv, bias_add, relu


def _match_backward(pool, relu, producer, uses):
    """The MaxPoolGrad nodes that read relu's output, each with the dp its ReluGrad masks;
    None when relu's output has a consumer the fused ops cannot serve."""
    r, p = relu.outputs[0], pool.outputs[0]
    grads = []
    for user in uses.get(id(r), []):
        if user is pool:
            continue
        if (user is None or user.op.name != "MaxPoolGrad" or user.inputs[0] is not r
                or user.inputs[1] is not p or user.attrs != pool.attrs):
            return None
        mask = _made_by(user.inputs[2], "ReluGrad", producer)
        if mask is None or mask.inputs[1] is not p:
            return None
        grads.append((user, mask.inputs[0]))
    return grads


class _Rewrite:
    def __init__(self, graph):
        self.graph = graph
        self.before = {}        # id(node) -> new nodes to place before it
        self.mapping = {}       # id(old value) -> new value

    def emit(self, at, op, inputs, attrs):
        node = new_node(self.graph, op, inputs, attrs)
        self.before.setdefault(id(at), []).append(node)
        return node.outputs

    def finish(self):
        self.graph.nodes = [new for node in self.graph.nodes
                            for new in self.before.get(id(node), []) + [node]]
        substitute(self.graph, self.mapping)


def _rewrite_backward(rw, pool_grad, dp, x, route, conv, dz_uses, pool_size, conv_size):
    from tapeflow.ops import fused
    dz = pool_grad.outputs[0]
    filter_dims = tuple(conv.inputs[1]._static_dims())
    padding = conv.attrs["padding"]
    filter_grads = [u for u in dz_uses if u is not None and u.op.name == "Conv2DBackpropFilter"
                    and u.inputs[0] is x and u.inputs[2] is dz
                    and tuple(u.attrs["filter_dims"] or ()) == filter_dims
                    and all(u.attrs[k] == conv.attrs[k] for k in
                            ("strides", "padding", "explicit_paddings", "dilations"))]
    bias_grads = [u for u in dz_uses if u is not None and u.op.name == "BiasAddGrad"
                  and u.attrs.get("data_format", "NHWC") == "NHWC"]
    if filter_grads or bias_grads:
        dw, db = rw.emit(pool_grad, fused.FusedConv2DBiasReluMaxPoolGrad, (x, route, dp),
                         {"filter_dims": filter_dims, "padding": padding,
                          "pool_size": pool_size})
        for u in filter_grads:
            rw.mapping[id(u.outputs[0])] = dw
        for u in bias_grads:
            rw.mapping[id(u.outputs[0])] = db
    others = [u for u in dz_uses if u not in filter_grads and u not in bias_grads]
    if others:   # something else needs the full-size gradient: rebuild it from the route
        full, = rw.emit(pool_grad, fused.FusedReluMaxPoolGrad, (route, dp),
                        {"conv_size": conv_size, "pool_size": pool_size})
        rw.mapping[id(dz)] = full


def fuse_conv_blocks(graph):
    """Replaces Conv2D -> BiasAdd -> Relu -> MaxPool blocks (and their gradients) by fused
    ops; every output keeps its value up to float rounding (sums run in another order)."""
    from tapeflow.ops import fused
    producer = producers(graph)
    uses = _uses(graph)
    rw = _Rewrite(graph)
    fused_blocks = 0
    for pool in list(graph.nodes):
        if pool.op.name != "MaxPool":
            continue
        matched = _match_forward(pool, producer, uses)
        if matched is None:
            continue
        conv, bias_add, relu = matched
        backward = _match_backward(pool, relu, producer, uses)
        if backward is None:
            continue
        x, w = conv.inputs
        pool_size = tuple(pool.attrs["ksize"])
        conv_size = tuple(conv.outputs[0]._static_dims()[1:3])
        out, route = rw.emit(pool, fused.FusedConv2DBiasReluMaxPool,
                             (x, w, bias_add.inputs[1]),
                             {"padding": conv.attrs["padding"], "pool_size": pool_size})
        rw.mapping[id(pool.outputs[0])] = out
        for pool_grad, dp in backward:
            _rewrite_backward(rw, pool_grad, dp, x, route, conv,
                              uses.get(id(pool_grad.outputs[0]), []), pool_size, conv_size)
        fused_blocks += 1
    if not fused_blocks:
        return []
    rw.finish()
    return [f"fused {fused_blocks} Conv2D+BiasAdd+Relu+MaxPool blocks"]
