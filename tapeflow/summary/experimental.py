"""`tf.summary.experimental`: the default step, summary scopes and raw proto writes."""
import contextlib
import re

from tapeflow.core.context import name_scope, state
from tapeflow.summary.writer import get_step, set_step
from tapeflow.summary.summaries import write_raw_pb

__all__ = ["get_step", "set_step", "summary_scope", "write_raw_pb"]

_NOT_IN_SCOPE_NAMES = re.compile(r"[^-_/.A-Za-z0-9]")


@contextlib.contextmanager
def summary_scope(name, default_name=None, values=None):
    """Context manager for writing a summary: yields `(tag, scope)`.

    The tag is the current name scope followed by `name` (or `default_name`);
    the body runs inside a name scope of that name, less the characters a scope
    name cannot hold (the tag keeps them), as TensorBoard's summary functions do.

    >>> with tf.name_scope("outer"):
    ...     with tf.summary.experimental.summary_scope("a b", "default") as (tag, scope):
    ...         print(tag, scope)
    outer/a b outer/ab/
    """
    name = name or default_name
    tag = state.name_scope + name
    with name_scope(_NOT_IN_SCOPE_NAMES.sub("", name) or "summary") as scope:
        yield tag, scope
