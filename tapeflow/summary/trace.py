"""Graphs for TensorBoard's Graphs tab: `tf.summary.graph`, `trace_on`, `trace_export`.

A traced `function` body (a `tapeflow.graph.ir.Graph`) is written as a
`GraphDef` proto: one `NodeDef` per node with its op type, its inputs (by node
name, `name:i` for the i-th output) and its output dtypes and shapes. Variables
appear as `VarHandleOp` nodes.

`tf.summary.graph(g)` writes one GraphDef event. `trace_on()` collects the
graphs of the functions traced from then on (the compiler calls the listeners
in `tapeflow.graph.function.trace_listeners` after each trace), and
`trace_export(name)` writes them as TensorFlow does: a summary tagged `name`
holding a `RunMetadata` proto with one `function_graphs` entry per function.
"""
import time
import warnings

from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.graph import function as _function
from tapeflow.summary import proto
from tapeflow.summary.summaries import WriteSummary, _step, _write
from tapeflow.summary.writer import recording_condition, summary_state


class _Trace:
    on = False
    graphs = []


_trace = _Trace()


def graph_traced(concrete):
    """Keeps the graph of a function just traced (a ConcreteFunction or a Graph)."""
    _trace.graphs.append(getattr(concrete, "graph", concrete))


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Starts collecting the graphs of functions traced from now on.

    Args:
      graph: collect graphs (the only kind of trace tapeflow records).
      profiler: unsupported: tapeflow has no profiler; a warning is issued.
      profiler_outdir: unused.
    """
    if profiler:
        warnings.warn("tf.summary.trace_on: tapeflow has no profiler; only graphs are "
                      "collected.", stacklevel=2)
    if _trace.on:
        warnings.warn("Trace already enabled", stacklevel=2)
        return
    if graph:
        _trace.on, _trace.graphs = True, []
        _function.trace_listeners.append(graph_traced)


def trace_off():
    """Stops collecting graphs and drops what was collected."""
    if graph_traced in _function.trace_listeners:
        _function.trace_listeners.remove(graph_traced)
    _trace.on, _trace.graphs = False, []


def trace_export(name, step=None, profiler_outdir=None):
    """Writes the graphs traced since `trace_on()` to the default writer, then stops tracing.

    Args:
      name: the summary tag; TensorBoard's Graphs tab lists the trace under it.
      step: the step; defaults to `tf.summary.experimental.get_step()`.
      profiler_outdir: unused.

    Raises:
      ValueError: tracing was not started with `trace_on()`, or no step is set.
    """
    if not _trace.on:
        raise ValueError("Must enable trace before export through tf.summary.trace_on.")
    if recording_condition() is not False:
        step = _step(step)                   # raises while tracing stays on, as in TF
    run_metadata = b"".join(proto.message_field(4, proto.message_field(2, graph_def(g)))
                            for g in _trace.graphs)
    metadata = proto.summary_metadata("graph_run_metadata_graph", content=b"1")
    trace_off()
    _write(WriteSummary, name, convert_to_tensor(run_metadata), step, metadata)


def graph(graph_data):
    """Writes a graph to the default writer, at step 0, for TensorBoard's Graphs tab.

    Args:
      graph_data: a traced `Graph`, an object holding one in `.graph` (a concrete
        function), or a serialized `GraphDef` (bytes).

    Returns:
      True if written, False if there is no default writer or recording is off.
    """
    if hasattr(graph_data, "graph") and not isinstance(graph_data, bytes):
        graph_data = graph_data.graph
    data = graph_data if isinstance(graph_data, bytes) else graph_def(graph_data)
    return _write_graph(data, step=0)


def _write_graph(data, step):
    """Writes a serialized GraphDef as an event (eagerly: graphs are not traced)."""
    if recording_condition() is not True:
        return convert_to_tensor(False)
    step = int(_step(step).numpy())
    summary_state.writer._write_event(proto.event(time.time(), step, graph_def=data))
    return convert_to_tensor(True)


# -- GraphDef encoding ---------------------------------------------------------------

def graph_def(traced):
    """The serialized `GraphDef` of a traced graph."""
    names = {}
    nodes = []
    for node in traced.nodes:
        for x in node.inputs:
            if x._is_variable and id(x) not in names:
                names[id(x)] = var_name = x.name.rsplit(":", 1)[0]
                nodes.append(_node_def(var_name, "VarHandleOp", [], {
                    "dtype": _type_attr(x.dtype), "shape": _shape_attr(x._static_dims())}))
        inputs = [names[id(x)] if x._is_variable else _input_name(x) for x in node.inputs]
        attrs = {"_output_shapes": _shapes_attr([v._static_dims() for v in node.outputs])}
        if node.outputs:
            attrs["T"] = _type_attr(node.outputs[0].dtype)
        for key, value in node.attrs.items():
            encoded = _attr_value(value)
            if encoded is not None:
                attrs[key] = encoded
        nodes.append(_node_def(node.name, node.op.name, inputs, attrs))
    return b"".join(proto.message_field(1, n) for n in nodes)


def _input_name(value):
    node = value._node
    return node.name if value._index == 0 else f"{node.name}:{value._index}"


def _node_def(name, op, inputs, attrs):
    parts = [proto.bytes_field(1, name), proto.bytes_field(2, op)]
    parts += [proto.message_field(3, i.encode()) for i in inputs]
    for key in sorted(attrs):
        entry = proto.bytes_field(1, key) + proto.message_field(2, attrs[key])
        parts.append(proto.message_field(5, entry))
    return b"".join(parts)


def _type_attr(dtype):
    return proto.int_field(6, dtype.as_datatype_enum)


def _shape_attr(dims):
    return proto.message_field(7, _shape(dims))


def _shapes_attr(shapes):
    return proto.message_field(1, b"".join(proto.message_field(7, _shape(d)) for d in shapes))


def _shape(dims):
    if dims is None:
        return proto.int_field(3, 1)                    # unknown_rank
    return proto.tensor_shape(-1 if d is None else d for d in dims)


def _attr_value(value):
    """An `AttrValue` for a static attribute, or None for ones TensorBoard cannot show."""
    if isinstance(value, bool):
        return proto.int_field(5, int(value), keep_zero=True)
    if isinstance(value, int):
        return proto.int_field(3, value, keep_zero=True)
    if isinstance(value, float):
        return proto.float_field(4, value, keep_zero=True)
    if isinstance(value, (str, bytes)):
        return proto.message_field(2, value.encode() if isinstance(value, str) else value)
    if isinstance(value, tuple) and all(type(v) is int for v in value):
        packed = b"".join(proto.varint(v) for v in value)       # ListValue.i, packed
        return proto.message_field(1, proto.bytes_field(3, packed))
    if hasattr(value, "as_datatype_enum"):
        return _type_attr(value)
    if isinstance(value, xp.ndarray):
        return proto.message_field(8, proto.tensor(value))
    return None
