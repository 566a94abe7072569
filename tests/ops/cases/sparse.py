"""Cases for tf.sparse: SparseToDense directly, and the composites through it."""
import numpy as np

import tapeflow as tf
import tapeflow.ops.sparse  # noqa: F401 - registers the op before the registry lists it
from tests.ops.cases import Case, const, inputs, normal

_INDICES = np.array([[0, 1], [1, 0], [1, 3], [2, 2]], np.int64)


def _dense(values, default=0.0, shape=(3, 4)):
    out = np.full(shape, default, dtype=values.dtype)
    out[tuple(_INDICES.T)] = values
    return out


CASES = [
    Case("SparseToDense",
         lambda v: tf.sparse.to_dense(tf.SparseTensor(_INDICES, v, [3, 4]), default_value=-1.5),
         inputs(normal(4)), lambda v: _dense(v, -1.5), wrt=(0,)),
    Case("SparseToDense",
         lambda v, b: tf.sparse.sparse_dense_matmul(tf.SparseTensor(_INDICES, v, [3, 4]), b),
         inputs(normal(4), normal(4, 2)), lambda v, b: _dense(v) @ b, label="matmul"),
    Case("SparseToDense",
         lambda v, b: tf.sparse.sparse_dense_matmul(b, tf.SparseTensor(_INDICES, v, [3, 4]),
                                                    adjoint_b=True),
         inputs(normal(4), normal(2, 4)), lambda v, b: b @ _dense(v).T, label="dense_first"),
    Case("SparseToDense",
         lambda v: tf.sparse.to_dense(tf.sparse.add(tf.SparseTensor(_INDICES, v, [3, 4]),
                                                    tf.SparseTensor(_INDICES[::2], v[:2],
                                                                    [3, 4]))),
         inputs(normal(4)), lambda v: _dense(v) + _dense(np.array([v[0], 0, v[1], 0],
                                                                  v.dtype)),
         label="sparse_add"),
    Case("SparseToDense",
         lambda v: tf.sparse.to_dense(tf.sparse.transpose(tf.SparseTensor(_INDICES, v,
                                                                          [3, 4]))),
         inputs(normal(4)), lambda v: _dense(v).T, label="transpose"),
    Case("SparseToDense",
         lambda x: tf.sparse.from_dense(x).values,
         inputs(const(np.array([[0.0, 1.5], [-2.0, 0.0]]))), lambda x: x[x != 0],
         grad=False, label="from_dense"),   # not differentiable where an element is zero
]


def _np_union_values(a, b):
    return np.concatenate([np.union1d(ra, rb) for ra, rb in zip(a, b)]).astype(a.dtype)


import tapeflow.ops.sets  # noqa: E402,F401 - registers the set op

CASES.append(Case(
    "SparseToSparseSetOperation", lambda a, b: tf.sets.union(a, b).values,
    inputs(const(np.array([[1, 2, 3, 3], [4, 5, 6, 4]], np.int32)),
           const(np.array([[3, 1, 7, 7], [6, 9, 9, 9]], np.int32))),
    _np_union_values, grad=False, dtypes=("float32",)))
CASES.append(Case(
    "SparseToSparseSetOperation", lambda a, b: tf.sets.intersection(a, b).indices,
    inputs(const(np.array([[1, 2, 3, 3], [4, 5, 6, 4]], np.int64)),
           const(np.array([[3, 1, 7, 7], [6, 9, 9, 9]], np.int64))),
    lambda a, b: np.array([[0, 0], [0, 1], [1, 0]], np.int64), grad=False,
    dtypes=("float32",), label="intersection_indices"))
