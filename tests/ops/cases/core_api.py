"""Cases for the ops of TF's top-level API added by the core-api work: Bitcast,
UnravelIndex, HistogramFixedWidth, SpaceToBatchND, BatchToSpaceND."""
import numpy as np

import tapeflow as tf
# The core-api ops load with their first use; import them so the registry lists them.
import tapeflow.graph.functional  # noqa: F401
import tapeflow.ops.batch_space  # noqa: F401
import tapeflow.ops.casting  # noqa: F401
import tapeflow.ops.histogram  # noqa: F401
import tapeflow.ops.unravel  # noqa: F401
from tests.ops.cases import Case, const, inputs, normal, uniform


def _np_space_to_batch(x, block, pads):
    """Reference by explicit loops over the output positions (TF's documented layout)."""
    m = len(block)
    padded = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)] * (x.ndim - 1 - m))
    batch = x.shape[0]
    out_spatial = [padded.shape[1 + i] // block[i] for i in range(m)]
    out = np.zeros([batch * int(np.prod(block))] + out_spatial + list(x.shape[1 + m:]),
                   x.dtype)
    for offsets in np.ndindex(*block):
        flat = np.ravel_multi_index(offsets, block)
        for b in range(batch):
            for pos in np.ndindex(*out_spatial):
                src = tuple(p * bs + o for p, bs, o in zip(pos, block, offsets))
                out[(flat * batch + b,) + pos] = padded[(b,) + src]
    return out


def _np_batch_to_space(x, block, crops):
    m = len(block)
    batch = x.shape[0] // int(np.prod(block))
    full_spatial = [x.shape[1 + i] * block[i] for i in range(m)]
    full = np.zeros([batch] + full_spatial + list(x.shape[1 + m:]), x.dtype)
    for offsets in np.ndindex(*block):
        flat = np.ravel_multi_index(offsets, block)
        for b in range(batch):
            for pos in np.ndindex(*x.shape[1:1 + m]):
                dst = tuple(p * bs + o for p, bs, o in zip(pos, block, offsets))
                full[(b,) + dst] = x[(flat * batch + b,) + pos]
    index = (slice(None),) + tuple(slice(c0, full_spatial[i] - c1)
                                   for i, (c0, c1) in enumerate(crops))
    return full[index]


def _np_histogram(values, value_range, nbins):
    low, high = value_range
    values = values.astype(np.float64)   # TF bins in double precision
    bins = np.clip(np.floor((values.reshape(-1) - low) / (high - low) * nbins), 0, nbins - 1)
    return np.bincount(bins.astype(int), minlength=nbins).astype(np.int32)


def _np_unravel(indices, dims):
    return np.array(np.unravel_index(indices, dims), dtype=indices.dtype)


CASES = [
    Case("Bitcast", lambda x: tf.bitcast(x, tf.uint8), inputs(normal(2, 3)),
         lambda x: x.view(np.uint8).reshape(x.shape + (x.itemsize,)), grad=False),
    Case("Bitcast", lambda x: tf.bitcast(x, tf.int16),
         inputs(lambda rng: rng.integers(0, 255, (3, 2)).astype(np.uint8)),
         lambda x: x.view(np.int16).reshape(3), grad=False, dtypes=("float32",),
         label="narrow_to_wide"),
    Case("UnravelIndex", lambda i, d: tf.unravel_index(i, d),
         inputs(const(np.array([0, 7, 23, 11], np.int32)), const(np.array([2, 3, 4], np.int32))),
         _np_unravel, grad=False, dtypes=("float32",)),
    Case("UnravelIndex", lambda i, d: tf.unravel_index(i, d),
         inputs(const(np.array(17, np.int64)), const(np.array([5, 4], np.int64))),
         _np_unravel, grad=False, dtypes=("float32",), label="scalar_int64"),
    Case("HistogramFixedWidth", lambda v, r: tf.histogram_fixed_width(v, r, nbins=6),
         inputs(uniform(-1.0, 3.0, 40), const(np.array([0.0, 2.0]))),
         lambda v, r: _np_histogram(v, r, 6), grad=False),
    Case("SpaceToBatchND", lambda x: tf.space_to_batch_nd(x, [2, 3], [[0, 0], [1, 2]]),
         inputs(normal(2, 4, 6, 3)),
         lambda x: _np_space_to_batch(x, [2, 3], [[0, 0], [1, 2]])),
    Case("SpaceToBatchND", lambda x: tf.space_to_batch(x, [4], [[1, 3]]),
         inputs(normal(1, 4, 2)), lambda x: _np_space_to_batch(x, [4], [[1, 3]]),
         label="1d"),
    Case("BatchToSpaceND", lambda x: tf.batch_to_space(x, [2, 3], [[0, 1], [1, 2]]),
         inputs(normal(12, 2, 3, 2)),
         lambda x: _np_batch_to_space(x, [2, 3], [[0, 1], [1, 2]])),
]

EXEMPT = {
    "Scan": "tests/graph/test_functional.py (map_fn/scan with stateful bodies)",
    "StatelessScan": "tests/graph/test_functional.py (values, gradients vs finite "
                     "differences, traced and second order)",
}


# -- edit_distance, timestamp -------------------------------------------------------------
import tapeflow.ops.edit_distance  # noqa: E402,F401 - registers the op
import tapeflow.ops.framework  # noqa: E402,F401


def _np_levenshtein(a, b):
    table = np.zeros((len(a) + 1, len(b) + 1), int)
    table[:, 0], table[0, :] = np.arange(len(a) + 1), np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i, j] = min(table[i - 1, j] + 1, table[i, j - 1] + 1,
                              table[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return table[-1, -1]


_HYP = [[1, 2, 3], [4, 4], []]
_TRUTH = [[1, 3], [4, 5, 4], [7]]


def _sparse_parts(rows):
    indices = [[r, c] for r, row in enumerate(rows) for c in range(len(row))]
    values = [v for row in rows for v in row]
    return (np.array(indices, np.int64).reshape(-1, 2), np.array(values, np.int32),
            np.array([len(rows), max(map(len, rows))], np.int64))


CASES.append(Case(
    "EditDistance",
    lambda hi, hv, hs, ti, tv, ts: tf.edit_distance(tf.SparseTensor(hi, hv, hs),
                                                    tf.SparseTensor(ti, tv, ts)),
    inputs(*[const(a) for a in _sparse_parts(_HYP) + _sparse_parts(_TRUTH)]),
    lambda *arrays: np.array([_np_levenshtein(h, t) / len(t) for h, t in zip(_HYP, _TRUTH)],
                             np.float32),
    grad=False, dtypes=("float32",)))

EXEMPT["Timestamp"] = "tests/ops/test_framework.py (the clock, eager and traced)"


# -- lookup tables ------------------------------------------------------------------------
import tapeflow.lookup  # noqa: E402,F401 - registers the op

_TABLE = {b"apple": 3, b"kiwi": 5, b"fig": 7}
CASES.append(Case(
    "LookupTableFindV2",
    lambda keys: tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(list(_TABLE), list(_TABLE.values())),
        default_value=-1).lookup(keys),
    inputs(const(np.array([[b"fig", b"pear"], [b"apple", b"kiwi"]], dtype=object))),
    lambda keys: np.vectorize(lambda k: _TABLE.get(k, -1), otypes=[np.int32])(keys),
    grad=False, dtypes=("float32",)))
