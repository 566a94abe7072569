"""Dead-code elimination."""
from tapeflow.graph.ir import Placeholder
from tapeflow.graph.passes import count_ops


def eliminate_dead_code(graph):
    """Removes nodes that no output and no side effect depends on.

    This is also what prunes gradients nobody needs: a gradient computed by a
    rule but not used by any output or variable update disappears here.
    """
    needed = {id(v) for v in graph.outputs}
    kept, removed = [], []
    for node in reversed(graph.nodes):
        if (node.op.side_effect or node.op is Placeholder
                or any(id(o) in needed for o in node.outputs)):
            needed.update(id(x) for x in node.inputs)
            kept.append(node)
        else:
            removed.append(node)
    graph.nodes = kept[::-1]
    return [f"removed {len(removed)} unused nodes ({count_ops(removed)})"] if removed else []
