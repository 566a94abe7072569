"""`tf.autograph`: converting Python control flow (see tapeflow/graph/autograph)."""
import types as _types

from tapeflow.graph.autograph import do_not_convert, tf_convert, to_code

experimental = _types.SimpleNamespace(do_not_convert=do_not_convert)

__all__ = ["do_not_convert", "experimental", "tf_convert", "to_code"]
