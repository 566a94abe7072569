"""`tf.version`: version strings.

VERSION is tapeflow's own (`tf.__version__`). The GraphDef version numbers are
TF 2.21's, for code that reads them; tapeflow writes no GraphDefs.
"""
import platform as _platform

from tapeflow import __version__ as VERSION  # noqa: N812 - TF's constant name

GIT_VERSION = f"v{VERSION}"
COMPILER_VERSION = _platform.python_compiler()
GRAPH_DEF_VERSION = 2474
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0
