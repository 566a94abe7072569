"""AutoGraph: Python control flow on tensors becomes graph control flow.

`convert(fn)` rewrites the source of `fn` (transformer.py): every `if`,
`while` and `for` becomes a call into operators.py, which decides at run time:
a Python condition or an eager tensor runs the statement as plain Python; a
symbolic tensor builds `tf.cond` / `tf.while_loop`. `break`, `continue` and
`return` inside converted statements are first rewritten into flags.
Functions that cannot be converted (no source, builtins, library code) run
unchanged.
"""
from tapeflow.graph.autograph.api import (convert, converted_call, do_not_convert,
                                          tf_convert, to_code)

__all__ = ["convert", "converted_call", "do_not_convert", "tf_convert", "to_code"]
