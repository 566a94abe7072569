"""Thread-local execution state: active tapes, the graph being traced, name scopes.

`apply()` reads this on every op, so the fields are plain attributes of one
`threading.local` object: one attribute lookup each.
"""
import contextlib
import threading


class _State(threading.local):
    def __init__(self):
        self.tapes = ()            # active GradientTapes, innermost last
        self.graph = None          # the graph being traced, or None when eager
        self.name_scope = ""       # "outer/inner/" or ""
        self.variable_watchers = ()  # custom_gradient's collectors of variable reads
        self.distribution = None   # tf.distribute's current strategy context; None = default


state = _State()


def executing_eagerly():
    """True unless a `function` is being traced on this thread."""
    return state.graph is None


@contextlib.contextmanager
def init_scope():
    """Runs the body eagerly even inside a trace, with no tapes (TF's `init_scope`).

    Variable initializers run here, so a layer built during a trace creates
    concrete variables once.
    """
    saved = state.graph, state.tapes
    state.graph, state.tapes = None, ()
    try:
        yield
    finally:
        state.graph, state.tapes = saved


@contextlib.contextmanager
def graph_scope(graph):
    """Makes `graph` the trace target for ops run on this thread."""
    saved = state.graph
    state.graph = graph
    try:
        yield graph
    finally:
        state.graph = saved


class name_scope:
    """`tf.name_scope(name)`: prefixes op and variable names with `name/`."""

    def __init__(self, name, default_name=None, values=None):
        self._name = name if name is not None else default_name
        self._saved = []   # a stack: one scope object may be entered again while active

    @property
    def name(self):
        return self._name

    def __enter__(self):
        outer = state.name_scope
        self._saved.append(outer)
        name = self._name
        if not name:
            state.name_scope = ""
        elif name.endswith("/"):
            state.name_scope = name          # an absolute scope, as in TF
        else:
            state.name_scope = outer + name + "/"
        return state.name_scope

    def __exit__(self, *exc):
        state.name_scope = self._saved.pop()
        return False


def current_name_scope():
    return state.name_scope
