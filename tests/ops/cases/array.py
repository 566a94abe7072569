"""Cases for tapeflow.ops.array: creation, reshaping, joining, indexing."""
import numpy as np

import tapeflow as tf
from tests.ops.cases import Case, const, inputs, normal

def _set(x, key, value):
    out = x.copy()
    out[key] = value
    return out


CASES = [
    Case("Identity", tf.identity, inputs(normal(2, 3)), lambda x: x, order=2),
    Case("StopGradient", tf.stop_gradient, inputs(normal(2, 3)), lambda x: x, grad=False),
    Case("Fill", lambda v: tf.fill([2, 3], v), inputs(normal()),
         lambda v: np.full((2, 3), v, dtype=v.dtype)),
    Case("ZerosLike", tf.zeros_like, inputs(normal(2, 3)), np.zeros_like, grad=False),
    Case("OnesLike", tf.ones_like, inputs(normal(2, 3)), np.ones_like, grad=False),
    Case("Shape", tf.shape, inputs(normal(2, 3)),
         lambda x: np.array(x.shape, dtype=np.int32), grad=False),
    Case("Size", tf.size, inputs(normal(2, 3)), lambda x: np.array(x.size, dtype=np.int32),
         grad=False),
    Case("Rank", tf.rank, inputs(normal(2, 3)), lambda x: np.array(x.ndim, dtype=np.int32),
         grad=False),
    Case("Reshape", lambda x: tf.reshape(x, [3, -1]), inputs(normal(2, 3, 2)),
         lambda x: x.reshape(3, -1), order=2),
    Case("ReshapeLike", lambda x, like: tf.ops.array.apply(tf.ops.array.ReshapeLike, x, like),
         inputs(normal(6), normal(2, 3)), lambda x, like: x.reshape(like.shape), wrt=(0,)),
    Case("ExpandDims", lambda x: tf.expand_dims(x, -1), inputs(normal(2, 3)),
         lambda x: x[..., None], order=2),
    Case("Squeeze", lambda x: tf.squeeze(x, axis=1), inputs(normal(2, 1, 3)),
         lambda x: x.squeeze(1)),
    Case("Transpose", lambda x: tf.transpose(x, [2, 0, 1]), inputs(normal(2, 3, 4)),
         lambda x: x.transpose(2, 0, 1), order=2),
    Case("BroadcastTo", lambda x: tf.broadcast_to(x, [2, 3, 4]), inputs(normal(3, 1)),
         lambda x: np.broadcast_to(x, (2, 3, 4))),
    Case("BroadcastLike", lambda x, like: tf.ops.array.apply(tf.ops.array.BroadcastLike, x,
                                                             like),
         inputs(normal(3, 1), normal(2, 3, 4)), lambda x, like: np.broadcast_to(x, like.shape),
         wrt=(0,)),
    Case("ConcatV2", lambda a, b: tf.concat([a, b], axis=1), inputs(normal(2, 3), normal(2, 1)),
         lambda a, b: np.concatenate([a, b], axis=1), order=2),
    Case("SplitLike", lambda x, a, b: list(tf.ops.array.apply(tf.ops.array.SplitLike, x, a, b,
                                                              axis=0)),
         inputs(normal(5, 2), normal(2, 2), normal(3, 2)),
         lambda x, a, b: [x[:2], x[2:]], wrt=(0,)),
    Case("Pack", lambda a, b: tf.stack([a, b], axis=1), inputs(normal(2, 3), normal(2, 3)),
         lambda a, b: np.stack([a, b], axis=1), order=2),
    Case("Unpack", lambda x: tf.unstack(x, axis=1), inputs(normal(2, 3)),
         lambda x: [x[:, i] for i in range(3)]),
    Case("SplitV", lambda x: tf.split(x, [1, 2], axis=1), inputs(normal(2, 3)),
         lambda x: [x[:, :1], x[:, 1:]]),
    Case("StridedSlice", lambda x: x[1:, ::-2, None, 0], inputs(normal(3, 4, 2)),
         lambda x: x[1:, ::-2, None, 0], order=2),
    Case("StridedSlice", lambda x: x[..., 1], inputs(normal(2, 3, 4)), lambda x: x[..., 1],
         label="ellipsis"),
    Case("StridedSlice", lambda x: tf.strided_slice(x, [0, 2], [2, 0], [1, -1], begin_mask=1,
                                                    new_axis_mask=4),
         inputs(normal(3, 4)), lambda x: x[:2, 2:0:-1], label="masks"),
    Case("Slice", lambda x: tf.slice(x, [1, 0, 1], [1, -1, 2]), inputs(normal(3, 4, 3)),
         lambda x: x[1:2, :, 1:3], order=2),
    Case("TensorStridedSliceUpdate",
         lambda x, v: tf.ops.indexing.apply(tf.ops.indexing.TensorStridedSliceUpdate, x, v,
                                            key=(tf.ops.indexing.Span(None, None, -2), 1)),
         inputs(normal(3, 4, 2), normal(2, 1)),
         lambda x, v: _set(x, (slice(None, None, -2), 1), v), order=2),
    Case("StridedSliceGrad",
         lambda dy, like: tf.ops.array.apply(tf.ops.indexing.StridedSliceGrad, dy, like,
                                             key=(tf.ops.indexing.Span(1, None, None),)),
         inputs(normal(2, 3), normal(3, 3)),
         lambda dy, like: np.concatenate([np.zeros((1, 3), dy.dtype), dy]), wrt=(0,)),
]

# -- gather and scatter (tapeflow.ops.gather) --------------------------------------------

_IDX = np.array([2, 0, 2, 1], dtype=np.int32)
_IDX_BATCH = np.array([[0, 2, 2], [1, 1, 0]], dtype=np.int32)
_IDX_ND = np.array([[1, 0], [0, 2], [1, 0]], dtype=np.int32)


def _gather_batched(p, idx):
    """Reference for gather(axis=2, batch_dims=1): loops over the batch."""
    return np.stack([np.take(p[b], idx[b], axis=1) for b in range(p.shape[0])])


def _scatter_add_reference(shape, idx, upd):
    out = np.zeros(shape, upd.dtype)
    for i, pos in enumerate(idx):
        out[tuple(pos)] += upd[i]
    return out


def _scatter_reference(x, idx, upd, combine):
    out = x.copy()
    for i, pos in enumerate(idx):
        out[tuple(pos)] = combine(out[tuple(pos)], upd[i])
    return out


CASES += [
    Case("GatherV2", lambda p: tf.gather(p, _IDX), inputs(normal(3, 2)),
         lambda p: p[_IDX], order=2),
    Case("GatherV2", lambda p: tf.gather(p, _IDX.reshape(2, 2), axis=-1),
         inputs(normal(2, 3, 3)), lambda p: p[..., _IDX.reshape(2, 2)], label="axis"),
    Case("GatherV2", lambda p: tf.gather(p, _IDX_BATCH, axis=2, batch_dims=1),
         inputs(normal(2, 4, 3, 2)), lambda p: _gather_batched(p, _IDX_BATCH), order=2,
         label="batch_dims"),
    Case("GatherGrad",
         lambda dy, p: tf.ops.gather.apply(tf.ops.gather.GatherGrad, dy, p, tf.constant(_IDX),
                                           axis=0, batch_dims=0),
         inputs(normal(4, 2), normal(3, 2)),
         lambda dy, p: np.stack([dy[_IDX == i].sum(0) for i in range(3)]), wrt=(0,)),
    Case("GatherNd", lambda p: tf.gather_nd(p, _IDX_ND), inputs(normal(2, 3, 2)),
         lambda p: p[_IDX_ND[:, 0], _IDX_ND[:, 1]], order=2),
    Case("GatherNd", lambda p: tf.gather_nd(p, _IDX_ND[:2, :1].reshape(2, 1, 1),
                                            batch_dims=1),
         inputs(normal(2, 3, 2)),
         lambda p: np.stack([p[b][_IDX_ND[b, 0]][None] for b in range(2)]),
         label="batch_dims"),
    Case("GatherNdGrad",
         lambda dy, p: tf.ops.gather.apply(tf.ops.gather.GatherNdGrad, dy, p, tf.constant(_IDX_ND),
                                           batch_dims=0),
         inputs(normal(3, 2), normal(2, 3, 2)),
         lambda dy, p: _scatter_add_reference(p.shape, _IDX_ND, dy), wrt=(0,)),
    Case("ScatterNd", lambda u: tf.scatter_nd(_IDX_ND, u, [2, 3, 2]), inputs(normal(3, 2)),
         lambda u: _scatter_add_reference((2, 3, 2), _IDX_ND, u), order=2),
    Case("TensorScatterUpdate", lambda x, u: tf.tensor_scatter_nd_update(x, _IDX_ND[:2], u),
         inputs(normal(2, 3, 2), normal(2, 2)),
         lambda x, u: _scatter_reference(x, _IDX_ND[:2], u, lambda a, b: b), order=2),
    Case("TensorScatterAdd", lambda x, u: tf.tensor_scatter_nd_add(x, _IDX_ND, u),
         inputs(normal(2, 3, 2), normal(3, 2)),
         lambda x, u: _scatter_reference(x, _IDX_ND, u, np.add), order=2),
    Case("TensorScatterSub", lambda x, u: tf.tensor_scatter_nd_sub(x, _IDX_ND, u),
         inputs(normal(2, 3, 2), normal(3, 2)),
         lambda x, u: _scatter_reference(x, _IDX_ND, u, np.subtract), order=2),
    Case("TensorScatterMax", lambda x, u: tf.tensor_scatter_nd_max(x, _IDX_ND, u),
         inputs(normal(2, 3, 2), normal(3, 2)),
         lambda x, u: _scatter_reference(x, _IDX_ND, u, np.maximum)),
    Case("TensorScatterMin", lambda x, u: tf.tensor_scatter_nd_min(x, _IDX_ND, u),
         inputs(normal(2, 3, 2), normal(3, 2)),
         lambda x, u: _scatter_reference(x, _IDX_ND, u, np.minimum)),
]

# -- creation (tapeflow.ops.creation) -----------------------------------------------------

_ONE_HOT_IDX = np.array([[0, 2], [-1, 3]], dtype=np.int32)

CASES += [
    Case("Range", lambda: tf.range(1, 11, 3), lambda rng: [],
         lambda: np.arange(1, 11, 3, dtype=np.int32), grad=False),
    Case("Range", lambda start: tf.range(start, 2.0, 0.3), inputs(lambda rng: np.array(-0.5)),
         # TF converts the Python floats to float32 before widening them to start's dtype
         lambda start: start + np.arange(9, dtype=start.dtype) * start.dtype.type(
             np.float32(0.3)),
         grad=False, label="float"),
    Case("OneHot", lambda on: tf.one_hot(_ONE_HOT_IDX, 3, on_value=on, off_value=-on, axis=1),
         inputs(lambda rng: np.array(2.5)),
         lambda on: np.moveaxis(np.where(_ONE_HOT_IDX[..., None] == np.arange(3), on, -on),
                                -1, 1),
         grad=False),
]

# -- sorting and searching (tapeflow.ops.sort) --------------------------------------------


def _stable_argsort(x, descending):
    """Reference: sorts each row with Python's stable sort; NaN first in both directions."""
    rows = x.reshape(-1, x.shape[-1])
    out = []
    for row in rows:
        def key(i):
            v = row[i]
            return (0, 0.0) if np.isnan(v) else (1, -v if descending else v)
        out.append(sorted(range(len(row)), key=key))
    return np.array(out, dtype=np.int32).reshape(x.shape)


def _ties(rng):
    x = rng.integers(0, 3, (3, 5)).astype(np.float64)
    x[0, 1] = np.nan
    return [x]


def _first_occurrence_reference(x):
    values, idx, counts = [], [], []
    for v in x.tolist():
        if v not in values:
            values.append(v)
            counts.append(0)
        idx.append(values.index(v))
        counts[idx[-1]] += 1
    return (np.array(values, dtype=x.dtype), np.array(idx, dtype=np.int32),
            np.array(counts, dtype=np.int32))


_SEQUENCE = np.array([[0.0, 1.0, 1.0, 4.0], [-2.0, 0.5, 3.0, 3.0]])
_PROBES = np.array([[1.0, -1.0, 4.0], [3.0, 0.5, 9.0]])

CASES += [
    Case("ArgSort", tf.argsort, _ties, lambda x: _stable_argsort(x, False), grad=False),
    Case("ArgSort", lambda x: tf.argsort(x, direction="DESCENDING"), _ties,
         lambda x: _stable_argsort(x, True), grad=False, label="descending"),
    Case("Unique", lambda x: list(tf.unique(x)),
         inputs(lambda rng: np.array([3.0, 1.0, 3.0, -0.0, 0.0, 2.0, 1.0])),
         lambda x: list(_first_occurrence_reference(x)[:2]), grad=False),
    Case("UniqueWithCounts", lambda x: list(tf.unique_with_counts(x)),
         inputs(lambda rng: np.array([5.0, 5.0, 2.0, 5.0, 7.0])),
         lambda x: list(_first_occurrence_reference(x)), grad=False),
    Case("LowerBound", lambda s, v: tf.searchsorted(s, v), inputs(const(_SEQUENCE),
                                                                  const(_PROBES)),
         lambda s, v: np.array([np.searchsorted(a, b, "left") for a, b in zip(s, v)],
                               dtype=np.int32), grad=False),
    Case("UpperBound", lambda s, v: tf.searchsorted(s, v, side="right"),
         inputs(const(_SEQUENCE), const(_PROBES)),
         lambda s, v: np.array([np.searchsorted(a, b, "right") for a, b in zip(s, v)],
                               dtype=np.int32), grad=False),
]

# -- rearranging (tapeflow.ops.layout) ----------------------------------------------------


def _mirror_pad_grad_reference(dy, paddings, mode):
    """Adjoint of mirror padding, built from the padding's index map."""
    shape = tuple(d - a - b for d, (a, b) in zip(dy.shape, paddings))
    index = np.arange(int(np.prod(shape))).reshape(shape)
    padded = np.pad(index, paddings, mode=mode.lower())
    out = np.zeros(int(np.prod(shape)), dy.dtype)
    np.add.at(out, padded.reshape(-1), dy.reshape(-1))
    return out.reshape(shape)


def _reverse_sequence_reference(x, lengths):
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
    return out


def _space_to_depth_reference(x, s):
    b, h, w, c = x.shape
    out = np.zeros((b, h // s, w // s, s * s * c), x.dtype)
    for i in range(h):
        for j in range(w):
            depth = ((i % s) * s + j % s) * c
            out[:, i // s, j // s, depth:depth + c] = x[:, i, j, :]
    return out


_LENGTHS = np.array([2, 0, 3], dtype=np.int32)
_PARTS = np.array([1, 0, 2, 1], dtype=np.int32)
_STITCH = [np.array([0, 4], dtype=np.int32), np.array([[3, 1], [2, 5]], dtype=np.int32)]

CASES += [
    Case("Tile", lambda x: tf.tile(x, [2, 1, 3]), inputs(normal(2, 3, 1)),
         lambda x: np.tile(x, (2, 1, 3)), order=2),
    Case("TileGrad", lambda dy, x: tf.ops.layout.apply(tf.ops.layout.TileGrad, dy, x,
                                                       multiples=(2, 3)),
         inputs(normal(4, 6), normal(2, 2)),
         lambda dy, x: dy.reshape(2, 2, 3, 2).sum(axis=(0, 2)), wrt=(0,)),
    Case("Pad", lambda x: tf.pad(x, [[1, 0], [2, 3]]), inputs(normal(2, 3)),
         lambda x: np.pad(x, ((1, 0), (2, 3))), order=2),
    Case("PadV2", lambda x: tf.pad(x, [[0, 2], [1, 1]], constant_values=-1.5),
         inputs(normal(2, 3)),
         lambda x: np.pad(x, ((0, 2), (1, 1)), constant_values=x.dtype.type(-1.5)), order=2),
    Case("MirrorPad", lambda x: tf.pad(x, [[1, 2], [2, 1]], mode="REFLECT"),
         inputs(normal(3, 4)), lambda x: np.pad(x, ((1, 2), (2, 1)), mode="reflect"),
         order=2),
    Case("MirrorPad", lambda x: tf.pad(x, [[2, 3], [0, 1]], mode="symmetric"),
         inputs(normal(3, 4)), lambda x: np.pad(x, ((2, 3), (0, 1)), mode="symmetric"),
         order=2, label="symmetric"),
    Case("MirrorPadGrad",
         lambda dy: tf.ops.layout.apply(tf.ops.layout.MirrorPadGrad, dy,
                                        paddings=((1, 2), (2, 1)), mode="REFLECT"),
         inputs(normal(6, 7)),
         lambda dy: _mirror_pad_grad_reference(dy, ((1, 2), (2, 1)), "REFLECT")),
    Case("MirrorPadGrad",
         lambda dy: tf.ops.layout.apply(tf.ops.layout.MirrorPadGrad, dy,
                                        paddings=((2, 3), (0, 1)), mode="SYMMETRIC"),
         inputs(normal(8, 5)),
         lambda dy: _mirror_pad_grad_reference(dy, ((2, 3), (0, 1)), "SYMMETRIC"),
         label="symmetric"),
    Case("ReverseV2", lambda x: tf.reverse(x, [-1, 0]), inputs(normal(2, 3, 4)),
         lambda x: x[::-1, :, ::-1], order=2),
    Case("Roll", lambda x: tf.roll(x, [1, -2, 1], [0, 1, 0]), inputs(normal(3, 4)),
         lambda x: np.roll(np.roll(x, 2, axis=0), -2, axis=1), order=2),
    Case("ReverseSequence", lambda x: tf.reverse_sequence(x, _LENGTHS, seq_axis=1),
         inputs(normal(3, 4, 2)), lambda x: _reverse_sequence_reference(x, _LENGTHS),
         order=2),
    Case("SpaceToDepth", lambda x: tf.ops.layout.space_to_depth(x, 2),
         inputs(normal(2, 4, 6, 3)), lambda x: _space_to_depth_reference(x, 2), order=2),
    Case("DepthToSpace", lambda x: tf.ops.layout.depth_to_space(x, 2),
         inputs(normal(2, 2, 3, 8)), lambda x: _depth_to_space_reference(x, 2), order=2),
    # -- gather module: partition and stitch --
    Case("DynamicPartition", lambda x: tf.dynamic_partition(x, _PARTS, 3), inputs(normal(4, 2)),
         lambda x: [x[_PARTS == i] for i in range(3)]),
    Case("DynamicStitch", lambda a, b: tf.dynamic_stitch(_STITCH, [a, b]),
         inputs(normal(2, 3), normal(2, 2, 3)),
         lambda a, b: np.concatenate([a, b.reshape(4, 3)])[[0, 3, 4, 2, 1, 5]]),
    # -- array module: several tensors, shape checks --
    Case("ShapeN", lambda a, b: tf.shape_n([a, b]), inputs(normal(2, 3), normal(4)),
         lambda a, b: [np.array(a.shape, np.int32), np.array(b.shape, np.int32)], grad=False),
    Case("IdentityN", lambda a, b: tf.identity_n([a, b]), inputs(normal(2, 3), normal(4)),
         lambda a, b: [a, b]),
    Case("EnsureShape", lambda x: tf.ensure_shape(x, [None, 3]), inputs(normal(2, 3)),
         lambda x: x),
    Case("BroadcastArgs", lambda: tf.broadcast_dynamic_shape([4, 1, 3], [2, 1]),
         lambda rng: [], lambda: np.array([4, 2, 3], np.int32), grad=False),
]


def _depth_to_space_reference(x, s):
    b, h, w, c = x.shape
    out = np.zeros((b, h * s, w * s, c // (s * s)), x.dtype)
    for i in range(h * s):
        for j in range(w * s):
            depth = ((i % s) * s + j % s) * (c // (s * s))
            out[:, i, j, :] = x[:, i // s, j // s, depth:depth + c // (s * s)]
    return out
