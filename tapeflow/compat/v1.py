"""`tf.compat.v1`: the TF 1 names TF 2 programs still call.

Only what keeps working in TF 2's eager mode is here: logging, the random seed,
the eager switches that are no-ops. TF 1's graphs and sessions are not
implemented; `disable_eager_execution`, `disable_v2_behavior` and
`placeholder` raise errors that say so.
"""
import logging as _logging

from tapeflow.core.context import executing_eagerly  # noqa: F401 - re-export
from tapeflow.ops.random import set_seed as set_random_seed  # noqa: F401

_V1_MESSAGE = ("tapeflow implements TensorFlow 2's eager execution and tf.function only; "
               "TF 1 graphs and sessions ({what}) are not supported. Remove the call, and "
               "use tf.function for graph execution.")


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    """A no-op: eager execution is always on (as in TF 2)."""
    return None


def enable_v2_behavior():
    """A no-op: TF 2 behaviour is the only behaviour."""
    return None


def disable_eager_execution():
    """Raises NotImplementedError: TF 1 graph mode is not implemented."""
    raise NotImplementedError(_V1_MESSAGE.format(what="disable_eager_execution"))


def disable_v2_behavior():
    """Raises NotImplementedError: TF 1 behaviour is not implemented."""
    raise NotImplementedError(_V1_MESSAGE.format(what="disable_v2_behavior"))


def reset_default_graph():
    """A no-op in eager mode (TF 2 programs call it to clear Keras state)."""
    return None


def placeholder(dtype, shape=None, name=None):
    """Raises RuntimeError, as TF 2 does eagerly."""
    raise RuntimeError("tf.placeholder() is not compatible with eager execution.")


class _Logging:
    """`tf.compat.v1.logging`: TF 1's logging functions, on tapeflow's logger."""

    DEBUG = _logging.DEBUG
    INFO = _logging.INFO
    WARN = _logging.WARNING
    ERROR = _logging.ERROR
    FATAL = _logging.FATAL

    @staticmethod
    def _logger():
        return _logging.getLogger("tapeflow")

    def set_verbosity(self, v):
        self._logger().setLevel(v)

    def get_verbosity(self):
        return self._logger().getEffectiveLevel()

    def log(self, level, msg, *args, **kwargs):
        self._logger().log(level, msg, *args, **kwargs)

    def debug(self, msg, *args, **kwargs):
        self._logger().debug(msg, *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        self._logger().info(msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        self._logger().warning(msg, *args, **kwargs)

    warn = warning

    def error(self, msg, *args, **kwargs):
        self._logger().error(msg, *args, **kwargs)

    def fatal(self, msg, *args, **kwargs):
        self._logger().critical(msg, *args, **kwargs)

    def flush(self):
        for handler in self._logger().handlers:
            handler.flush()


logging = _Logging()
