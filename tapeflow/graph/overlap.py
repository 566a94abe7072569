"""Overlap: long kernels that release the GIL run on a second core beside the main thread.

A train step is not one chain. The weight gradient of a dense layer
(`x^T @ dy`) is independent of everything the backward pass does below that
layer, and TensorFlow's executor runs such branches on different cores at once.
Generated code does the same for single long kernels that release the GIL
(BLAS products, convolution gradients, Numba-compiled fused loops): it starts
the kernel on a worker thread as soon as its inputs exist
(`ops/_parallel.submit`) and waits for it just before the first node that
reads its result. The main thread meanwhile runs the nodes in between. Results
are unchanged: the same kernels run on the same inputs.

A kernel is started early only when the nodes between its start and its first
use are estimated to take a while (ESTIMATES below are rough costs measured on
this project's 2-core machine); otherwise waiting would cost more than it saves.
Random draws never move: their order decides their numbers.
"""
import os

from tapeflow.graph.passes import static_size
from tapeflow.ops import _parallel

MIN_KERNEL_US = 80       # shorter kernels are not worth a thread handoff (~20 us)
MIN_OVERLAP_US = 40      # nor is a start with little main-thread work until the wait


def _matmul_us(node):
    a, b = node.inputs[:2]
    da, db = a._static_dims(), b._static_dims()
    if not da or not db or None in da or None in db or len(da) != 2 or len(db) != 2:
        return 0.0
    k = da[0] if node.attrs.get("transpose_a") else da[1]
    return static_size(node.outputs[0]) * k / 40_000.0      # ~40 GMAC/s on one core


def _conv_us(node):
    # the filter gradient and the convolution are im2col + matrix products
    sizes = [static_size(x) for x in node.inputs if not x._is_variable]
    out = static_size(node.outputs[0])
    if out is None or None in sizes:
        return 0.0
    return (max(sizes) + out) / 400.0


def _streaming_us(node):
    total = 0
    for v in list(node.inputs) + list(node.outputs):
        size = static_size(v)
        if size is None:
            return 0.0
        total += size * v.dtype.size
    return total / 10_000.0                                  # ~10 GB/s from memory


# Ops whose kernels release the GIL for nearly all their run time.
ASYNC_OPS = {
    "MatMul": _matmul_us,
    "Conv2DBackpropFilter": _conv_us,
    "Conv2DBackpropInput": _conv_us,
    "_FusedElementwise": _streaming_us,
}


def estimate_us(node):
    """A rough run time of `node`'s kernel on one core, in microseconds."""
    rule = ASYNC_OPS.get(node.op.name)
    if rule is not None:
        return rule(node)
    if node.op.name in ("Placeholder", "Const", "ReadVariableOp"):
        return 0.0
    return 3.0 + _streaming_us(node)


def plan_overlap(graph):
    """{id(node): (start, wait)}: start the node's kernel right after node index `start`
    (-1: first thing) and wait for it right before node index `wait`.

    Never used with one core (TAPEFLOW_NUM_THREADS=1), or with TAPEFLOW_OVERLAP=0.
    """
    if _parallel.WORKERS < 2 or os.environ.get("TAPEFLOW_OVERLAP", "1") == "0":
        return {}
    nodes = graph.nodes
    position = {id(node): i for i, node in enumerate(nodes)}
    producer = {id(v): i for i, node in enumerate(nodes) for v in node.outputs
                if node.op.name not in ("Placeholder", "Const")}   # (no code: ready at once)
    consumers = {}
    for i, node in enumerate(nodes):
        for x in node.inputs:
            consumers.setdefault(id(x), []).append(i)
    writes = {}                      # id(var) -> indices of nodes assigning it
    for i, node in enumerate(nodes):
        if node.op.side_effect:
            for x in node.inputs:
                if x._is_variable:
                    writes.setdefault(id(x), []).append(i)
    estimates = [estimate_us(node) for node in nodes]
    candidates = {}
    for i, node in enumerate(nodes):
        if node.op.name not in ASYNC_OPS or node.op.stateful or estimates[i] < MIN_KERNEL_US:
            continue
        start = -1
        for x in node.inputs:
            if x._is_variable:
                earlier = [w for w in writes.get(id(x), ()) if w < i]
                start = max(start, max(earlier, default=-1))
            else:
                start = max(start, producer.get(id(x), -1))
        uses = [c for v in node.outputs for c in consumers.get(id(v), ())]
        wait = min(uses, default=len(nodes))    # only a graph output: waited for at the end
        between = sum(estimates[j] for j in range(start + 1, wait) if j != i)
        if between >= MIN_OVERLAP_US:
            candidates[i] = (start, wait)
    # One worker: kernels whose spans overlap would queue behind each other, so the
    # longest kernels get their spans first and the rest run inline.
    plan, taken = {}, []
    for i in sorted(candidates, key=lambda j: -estimates[j]):
        start, wait = candidates[i]
        if all(wait <= s or start >= w for s, w in taken):
            taken.append((start, wait))
            plan[id(nodes[i])] = (start, wait)
    return plan


__all__ = ["plan_overlap", "estimate_us", "ASYNC_OPS"]
