"""`tf.summary.experimental`: the default step, summary scopes and raw proto writes."""
import contextlib

from tapeflow.core.context import name_scope, state
from tapeflow.summary.writer import get_step, set_step
from tapeflow.summary.summaries import write_raw_pb

__all__ = ["get_step", "set_step", "summary_scope", "write_raw_pb"]


@contextlib.contextmanager
def summary_scope(name, default_name=None, values=None):
    """Context manager for writing a summary: yields `(tag, scope)`.

    The tag is the current name scope followed by `name` (or `default_name`);
    the body runs inside a name scope of that name, as TensorBoard's summary
    functions do.
    """
    name = name or default_name
    tag = state.name_scope + name
    with name_scope(name) as scope:
        yield tag, scope
