"""Op families: each module holds kernels, shape/dtype rules and gradient rules side by side.

Importing this package registers every op and the Python operators on Tensor
and Variable, and gives the tape the few ops its backward pass needs.
"""
import types

from tapeflow.core import tape as _tape
from tapeflow.ops import array, math  # noqa: F401 - registers ops and operators
from tapeflow.ops import creation, gather, indexing, layout, shapes, sort  # noqa: F401
from tapeflow.ops import clip, debugging, elementwise, linalg, reduction  # noqa: F401
# nn, random, image, bitwise, segment and factorizations register their ops when their
# namespaces (tf.nn, tf.random, ...) are first used: `import tapeflow` stays fast.

_tape.set_vspace(types.SimpleNamespace(
    add=math.add,
    zeros_like=array.zeros_like,
    ones_like=array.ones_like,
    zeros=array.zeros,
    one_hot_like=array.one_hot_like,
    batch_one_hot_like=array.batch_one_hot_like,
    stack=array.stack,
    reshape=array.reshape,
))
