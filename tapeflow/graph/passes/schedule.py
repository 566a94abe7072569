"""Scheduling: reorder nodes to lower the peak memory of intermediate values.

A list scheduler over the dependency graph: data dependencies, plus the
original order among side effects and among the reads and writes of each
variable (so the program's meaning does not change). Among the nodes ready to
run it picks the one that frees the most bytes for the fewest it allocates;
ties keep the traced order. The pass keeps the new order only if its
estimated peak is lower.
"""
import heapq


def _nbytes(value):
    dims = value._static_dims()
    if dims is None or None in dims or value.dtype.name in ("string", "variant"):
        return 0
    size = value.dtype.size
    for d in dims:
        size *= d
    return size


def _dependencies(graph):
    position = {id(node): i for i, node in enumerate(graph.nodes)}
    producer = {id(v): node for node in graph.nodes for v in node.outputs}
    deps = {id(node): set() for node in graph.nodes}
    last_effect = None
    last_write, reads_since_write = {}, {}
    for node in graph.nodes:
        nid = id(node)
        for x in node.inputs:
            if x._is_variable:
                key = id(x)
                if node.op.side_effect:          # a write: after earlier reads and writes
                    deps[nid].update(reads_since_write.get(key, ()))
                    if key in last_write:
                        deps[nid].add(last_write[key])
                    last_write[key] = nid
                    reads_since_write[key] = set()
                else:                           # a read: after the last write
                    if key in last_write:
                        deps[nid].add(last_write[key])
                    reads_since_write.setdefault(key, set()).add(nid)
            elif id(x) in producer:
                deps[nid].add(id(producer[id(x)]))
        if node.op.side_effect or node.op.stateful:
            if last_effect is not None:
                deps[nid].add(last_effect)
            last_effect = nid
    for nid in deps:
        deps[nid].discard(nid)
    return deps, position


def estimate_peak(graph, order=None):
    """Estimated peak bytes of live intermediate values when running `order`."""
    order = order or graph.nodes
    last_use = {}
    for i, node in enumerate(order):
        for x in node.inputs:
            if not x._is_variable:
                last_use[id(x)] = i
    outputs = {id(v) for v in graph.outputs}
    live = peak = 0
    sizes = {}
    for i, node in enumerate(order):
        for v in node.outputs:
            sizes[id(v)] = _nbytes(v)
            live += sizes[id(v)]
        peak = max(peak, live)
        for x in node.inputs:
            if not x._is_variable and last_use.get(id(x)) == i and id(x) not in outputs:
                live -= sizes.get(id(x), 0)
    return peak


def schedule_for_memory(graph):
    """Reorders nodes to reduce the estimated peak memory (see module docstring)."""
    deps, position = _dependencies(graph)
    users = {}
    for node in graph.nodes:
        for d in deps[id(node)]:
            users.setdefault(d, []).append(node)
    remaining_uses = {}
    for node in graph.nodes:
        for x in node.inputs:
            if not x._is_variable:
                remaining_uses[id(x)] = remaining_uses.get(id(x), 0) + 1
    outputs = {id(v) for v in graph.outputs}
    missing = {id(node): len(deps[id(node)]) for node in graph.nodes}
    by_id = {id(node): node for node in graph.nodes}

    def score(node):
        freed = sum(_nbytes(x) for x in node.inputs if not x._is_variable and
                    remaining_uses.get(id(x)) == 1 and id(x) not in outputs)
        allocated = sum(_nbytes(v) for v in node.outputs)
        return (allocated - freed, position[id(node)])

    ready = [(score(n), id(n)) for n in graph.nodes if missing[id(n)] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, nid = heapq.heappop(ready)
        node = by_id[nid]
        order.append(node)
        for x in node.inputs:
            if not x._is_variable:
                remaining_uses[id(x)] -= 1
        for user in users.get(nid, ()):
            missing[id(user)] -= 1
            if missing[id(user)] == 0:
                heapq.heappush(ready, (score(user), id(user)))
    if len(order) != len(graph.nodes):
        return ["not scheduled: dependency cycle"]
    before, after = estimate_peak(graph), estimate_peak(graph, order)
    if after >= before:
        return []
    graph.nodes = order
    return [f"estimated peak of intermediate values {before / 1e6:.2f} MB -> "
            f"{after / 1e6:.2f} MB"]
