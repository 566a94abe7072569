"""Behaviour of the array ops, pinned to values and messages taken from TF 2.21 on CPU.

The registry cases (cases/array.py) check every op's values against NumPy and
its gradients against finite differences; these tests check TF's own rules:
dtype inference, orderings, argument conventions and error messages.
"""
import doctest

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph
from tapeflow.ops import array, creation, gather, indexing, layout, shapes, sort

P = tf.constant(np.arange(12.0, dtype=np.float32).reshape(3, 4))
P3 = tf.constant(np.arange(24.0, dtype=np.float32).reshape(2, 3, 4))
InvalidArgument = tf.errors.InvalidArgumentError


def _eq(tensor, expected, dtype=None):
    expected = np.asarray(expected)
    np.testing.assert_array_equal(tensor.numpy(), expected)
    if dtype is not None:
        assert tensor.dtype == dtype


@pytest.mark.parametrize("module", [array, creation, gather, indexing, layout, shapes, sort])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# -- gather and scatter ------------------------------------------------------------------

def test_gather():
    _eq(tf.gather(P, [[2, 0]], axis=1), [[[2, 0]], [[6, 4]], [[10, 8]]])
    _eq(tf.gather(P, 1), [4, 5, 6, 7])
    _eq(tf.gather(P, [[0, 1], [1, 2], [2, 0]], axis=1, batch_dims=1), [[0, 1], [5, 6], [10, 8]])
    _eq(tf.gather(P, [[0, 1], [1, 2], [2, 0]], axis=1, batch_dims=-1), [[0, 1], [5, 6], [10, 8]])
    # TF's tf.gather ignores batch_dims when axis is 0
    assert tf.gather(P, [[0, 1], [1, 2], [2, 0]], axis=0, batch_dims=1).shape == (3, 2, 4)
    _eq(tf.gather(P3, [[0, 1], [1, 2]], axis=-1, batch_dims=1),
        [[[0, 1], [4, 5], [8, 9]], [[13, 14], [17, 18], [21, 22]]])


@pytest.mark.parametrize("call, message", [
    (lambda: tf.gather(P, [3]), r"indices\[0\] = 3 is not in \[0, 3\)"),
    (lambda: tf.gather(P, [-1]), r"indices\[0\] = -1 is not in \[0, 3\)"),
    (lambda: tf.gather(P, 5), r"indices = 5 is not in \[0, 3\)"),
    (lambda: tf.gather(P3, [[0, 1], [1, 5]], axis=1), r"indices\[1,1\] = 5 is not in \[0, 3\)"),
    (lambda: tf.gather(P, [0], axis=2), "Shape must be at least rank 3 but is rank 2"),
    (lambda: tf.gather(P, [1.0]), "Value for attr 'Tindices' of float is not in the list of "
                                  "allowed values: int16, int32, int64"),
    (lambda: tf.gather(tf.constant(1.0), [0]), "params must be at least 1 dimensional"),
    (lambda: tf.gather(P3, [[0, 1], [1, 2]], axis=1, batch_dims=2),
     r"batch_dims \(2\) must be less than or equal to axis \(1\)."),
    (lambda: tf.gather(P3, [[0, 1], [1, 2]], axis=2, batch_dims=3),
     r"Expected batch_dims in the range \[-2, 2\], but got 3"),
    (lambda: tf.gather(P3, [[0, 1], [1, 2], [0, 0]], axis=2, batch_dims=1),
     r"params.shape\[0\]: 2 should be equal to indices.shape\[0\]: 3"),
])
def test_gather_errors(call, message):
    with pytest.raises(InvalidArgument, match=message):
        call()


def test_gather_gradient_is_a_dense_sum_over_duplicates():
    with tf.GradientTape() as tape:
        tape.watch(P)
        y = tf.gather(P, [0, 0, 2])
    _eq(tape.gradient(y, P), [[2] * 4, [0] * 4, [1] * 4])


def test_gather_nd():
    _eq(tf.gather_nd(P, [[1, 2], [0, 0]]), [6, 0])
    _eq(tf.gather_nd(P, [[1], [0]]), [[4, 5, 6, 7], [0, 1, 2, 3]])
    _eq(tf.gather_nd(P, [1, 2]), 6)
    _eq(tf.gather_nd(P3, [[1, 2], [0, 3]], batch_dims=1), [6, 15])
    _eq(tf.gather_nd(P3, [[[1], [2], [0]], [[0], [3], [1]]], batch_dims=2),
        [[1, 6, 8], [12, 19, 21]])
    assert tf.gather_nd(P, tf.zeros([2, 0], tf.int32)).shape == (2, 3, 4)
    with pytest.raises(InvalidArgument, match=r"indices\[0,0\] = \[3, 0\] does not index into "
                                              r"param shape \[2,3,4\], node name: GatherNd"):
        tf.gather_nd(P3, [[[3, 0]]])
    with pytest.raises(InvalidArgument, match=r"indices\[1\] = \[1, 5\] does not index"):
        tf.gather_nd(P, [[1], [5], [0]], batch_dims=1)
    with pytest.raises(ValueError, match="tf.gather_nd does not allow negative batch_dims."):
        tf.gather_nd(P3, [[1], [0]], batch_dims=-1)
    with pytest.raises(InvalidArgument, match="index innermost dimension length must be <= "
                                              "params rank; saw: 3 vs. 2"):
        tf.gather_nd(P, [[0, 0, 0]])


def test_scatter():
    _eq(tf.scatter_nd([[1], [1]], [1.0, 2.0], [4]), [0, 3, 0, 0])
    _eq(tf.tensor_scatter_nd_update(P, [[0, 0], [0, 0]], [100.0, 200.0])[0], [200, 1, 2, 3])
    _eq(tf.tensor_scatter_nd_update([1, 2, 3], [[1]], [9]), [1, 9, 3], tf.int32)
    _eq(tf.tensor_scatter_nd_max(P, [[0, 0], [0, 1]], [100.0, -200.0])[0], [100, 1, 2, 3])
    _eq(tf.tensor_scatter_nd_min(P, [[0, 0], [0, 1]], [100.0, -200.0])[0], [0, -200, 2, 3])
    _eq(tf.tensor_scatter_nd_sub(P, [[0, 0], [0, 1]], [100.0, -200.0])[0], [-100, 201, 2, 3])
    with pytest.raises(InvalidArgument, match=r"indices\[1\] = \[-1\] does not index into "
                                              r"shape \[4\] \[Op:ScatterNd\]"):
        tf.scatter_nd([[1], [-1]], [1.0, 2.0], [4])
    with pytest.raises(InvalidArgument, match=r"Outer dimensions of indices and update must "
                                              r"match. Indices shape: \[2,2\], updates "
                                              r"shape:\[1\]"):
        tf.tensor_scatter_nd_add(P, [[0, 0], [1, 1]], [1.0])
    with pytest.raises(InvalidArgument, match="cannot compute TensorScatterUpdate as input "
                                              r"#2\(zero-based\) was expected to be a float "
                                              "tensor but is a int32 tensor"):
        tf.tensor_scatter_nd_update(P, [[0, 0]], tf.constant([1]))


@pytest.mark.parametrize("fn, expected_updates, expected_tensor_00_01", [
    (tf.tensor_scatter_nd_update, [1, 2, 1], [0, 0]),
    (tf.tensor_scatter_nd_add, [1, 2, 1], [1, 2]),
    (tf.tensor_scatter_nd_sub, [-1, -2, -1], [1, 2]),
    (tf.tensor_scatter_nd_max, [1, 0, 0], [0, 2]),
    (tf.tensor_scatter_nd_min, [0, 2, 0], [1, 0]),
])
def test_scatter_gradients_match_tf(fn, expected_updates, expected_tensor_00_01):
    updates = tf.constant([100.0, -200.0, 5.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([P, updates])
        y = fn(P, [[0, 0], [0, 1], [0, 0]], updates)
    dy = tf.constant(np.arange(1.0, 13.0, dtype=np.float32).reshape(3, 4))
    g_tensor, g_updates = tape.gradient(y, [P, updates], output_gradients=dy)
    _eq(g_updates, expected_updates)
    _eq(g_tensor[0, :2], expected_tensor_00_01)


def test_boolean_mask():
    _eq(tf.boolean_mask(P, [True, False, True]), [[0, 1, 2, 3], [8, 9, 10, 11]])
    _eq(tf.boolean_mask(P, [True, False, True, False], axis=1), [[0, 2], [4, 6], [8, 10]])
    _eq(tf.boolean_mask(P, [1, 0, 1]), [[0, 1, 2, 3], [8, 9, 10, 11]])
    x = tf.constant(np.arange(24).reshape(2, 3, 4))
    _eq(tf.boolean_mask(x, [[True, False, True], [False, False, True]]),
        [[0, 1, 2, 3], [8, 9, 10, 11], [20, 21, 22, 23]])
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        tf.boolean_mask(P, [True, False])
    with pytest.raises(ValueError, match=r"Shapes \(\) and \(3,\) are incompatible"):
        tf.boolean_mask(P, [True, False, True], axis=-1)   # as in TF
    with tf.GradientTape() as tape:
        tape.watch(P)
        y = tf.boolean_mask(P, [False, True, True])
    _eq(tape.gradient(y, P), [[0] * 4, [1] * 4, [1] * 4])


def test_boolean_mask_traced_with_unknown_batch():
    graph = Graph("mask")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([None, 2], tf.float32))
        m = graph.placeholder(tf.TensorSpec([None], tf.bool))
        y = tf.boolean_mask(x, m)
        graph.outputs = [y]
    assert y.shape.as_list() == [None, 2]
    (out,) = interpret(graph, [tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([False, True])])
    _eq(out, [[3, 4]])


def test_dynamic_partition_and_stitch():
    parts = tf.dynamic_partition([[1, 2], [3, 4], [5, 6]], [1, 0, 1], 3)
    _eq(parts[0], [[3, 4]])
    _eq(parts[1], [[1, 2], [5, 6]])
    assert parts[2].shape == (0, 2)
    _eq(tf.dynamic_stitch([[0, 3], [1, 0]], [[10, 40], [20, 30]]), [30, 20, 0, 40])
    _eq(tf.dynamic_stitch([[0, 4], [1, 2]], [[10, 40], [20, 30]]), [10, 20, 30, 0, 40])
    with pytest.raises(InvalidArgument, match=r"partitions\[1\] = 2 is not in \[0, 2\)"):
        tf.dynamic_partition([10, 20], [0, 2], 2)
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        a, b = tf.dynamic_partition(x, [1, 0, 1, 0], 2)
        y = tf.reduce_sum(a * 10.0) + tf.reduce_sum(b)
    _eq(tape.gradient(y, x), [1, 10, 1, 10])


# -- creation ----------------------------------------------------------------------------

@pytest.mark.parametrize("args, kwargs, values, dtype", [
    ((5,), {}, [0, 1, 2, 3, 4], tf.int32),
    ((5.0,), {}, [0, 1, 2, 3, 4], tf.float32),
    ((1, 5.5, 2), {}, [1, 3, 5], tf.float32),
    ((5, 1, -1), {}, [5, 4, 3, 2], tf.int32),
    ((np.float64(3),), {}, [0, 1, 2], tf.float64),
    ((tf.constant(2, tf.int64), tf.constant(5)), {}, [2, 3, 4], tf.int64),
    ((tf.constant(2.0), 5), {"dtype": tf.int32}, [2, 3, 4], tf.int32),
    ((0, 1, 0.3), {}, [0.0, 0.30000001192092896, 0.6000000238418579, 0.9000000357627869],
     tf.float32),
])
def test_range(args, kwargs, values, dtype):
    _eq(tf.range(*args, **kwargs), np.array(values, dtype=dtype.as_numpy_dtype), dtype)


def test_range_errors():
    with pytest.raises(InvalidArgument, match="Requires start <= limit when delta > 0: 5/1"):
        tf.range(5, 1)
    with pytest.raises(InvalidArgument, match="Requires delta != 0: 0"):
        tf.range(1, 5, 0)
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.range(2.5, dtype=tf.int32)


def test_range_traced_length():
    graph = Graph("range")
    with graph_scope(graph):
        n = graph.placeholder(tf.TensorSpec([], tf.int32))
        assert tf.range(n).shape.as_list() == [None]
        assert tf.range(2, 11, 3).shape.as_list() == [3]


def test_linspace():
    _eq(tf.linspace(1.0, 0.0, 4), np.array([1.0, 0.6666666269302368, 0.3333333134651184, 0.0],
                                           np.float32))
    _eq(tf.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1], tf.float64)
    _eq(tf.linspace(0.0, 1.0, 1), [0.0])
    assert tf.linspace(0.0, 1.0, 0).shape == (0,)
    _eq(tf.linspace([0.0, 1.0], 5.0, 3, axis=-1), [[0, 2.5, 5], [1, 3, 5]])
    _eq(tf.linspace([0.0, 1.0], [1.0, 3.0], 3), [[0, 1], [0.5, 2], [1, 3]])
    with pytest.raises(TypeError, match="Argument `tensor` \\(name: num\\) must be of type "
                                        "integer"):
        tf.linspace(0.0, 1.0, 3.0)
    start = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(start)
        y = tf.linspace(start, 3.0, 5)
    assert float(tape.gradient(y, start)) == pytest.approx(2.5)   # 1 + .75 + .5 + .25 + 0


def test_eye():
    _eq(tf.eye(2, 3, batch_shape=[1, 2], dtype=tf.int32)[0, 1], [[1, 0, 0], [0, 1, 0]])
    assert tf.eye(2, dtype=tf.bool).dtype == tf.bool
    with pytest.raises(InvalidArgument, match="Dimension -1 must be >= 0"):
        tf.eye(-1)
    with pytest.raises(TypeError, match="must be positive integer values"):
        tf.eye(2.0)


def test_one_hot():
    _eq(tf.one_hot([0, 2, -1, 5], 3), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]], tf.float32)
    _eq(tf.one_hot([0, 2], 3, on_value=5, off_value=-1), [[5, -1, -1], [-1, -1, 5]], tf.int32)
    _eq(tf.one_hot([0, 2], 3, off_value=2), [[1, 2, 2], [2, 2, 1]], tf.int32)
    _eq(tf.one_hot([[0, 2]], 3, axis=0), [[[1, 0]], [[0, 0]], [[0, 1]]])
    _eq(tf.one_hot([1], 3, on_value=True, off_value=False), [[False, True, False]])
    with pytest.raises(TypeError, match="dtype <dtype: 'float32'> of on_value does not match "
                                        "dtype parameter <dtype: 'int64'>"):
        tf.one_hot([0], 3, on_value=1.0, dtype=tf.int64)
    with pytest.raises(InvalidArgument, match=r"Expected axis to be -1 or between \[0, 3\).  "
                                              "But received: -2"):
        tf.one_hot([[0, 2]], 3, axis=-2)


def test_meshgrid_and_sequence_mask():
    x, y = tf.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    _eq(x, [[1, 1], [2, 2], [3, 3]])
    _eq(y, [[4, 5], [4, 5], [4, 5]])
    assert [t.shape for t in tf.meshgrid([1, 2], [3, 4], [5, 6, 7])] == [(2, 2, 3)] * 3
    with pytest.raises(InvalidArgument, match="cannot compute Mul as input #1"):
        tf.meshgrid([1, 2, 3], [4.0, 5.0])
    _eq(tf.sequence_mask([[1, 3], [2, 0]]), [[[1, 0, 0], [1, 1, 1]], [[1, 1, 0], [0, 0, 0]]])
    _eq(tf.sequence_mask([-1, 7], 5), [[0] * 5, [1] * 5])
    _eq(tf.sequence_mask([1, 3], 4, dtype=tf.float32), [[1, 0, 0, 0], [1, 1, 1, 0]],
        tf.float32)
    with pytest.raises(ValueError, match="Argument `maxlen` must be scalar"):
        tf.sequence_mask([1, 3], [5])


# -- sorting and searching ---------------------------------------------------------------

def test_sort_orders_nans_first_and_keeps_ties_stable():
    values = tf.constant([np.nan, 1.0, -np.inf, np.inf, 0.0])
    np.testing.assert_array_equal(tf.sort(values).numpy(), [np.nan, -np.inf, 0, 1, np.inf])
    np.testing.assert_array_equal(tf.sort(values, direction="DESCENDING").numpy(),
                                  [np.nan, np.inf, 1, 0, -np.inf])
    _eq(tf.argsort(tf.constant([1, 1, 1, 0, 1])), [3, 0, 1, 2, 4])
    _eq(tf.argsort(tf.constant([1, 1, 1, 0, 1]), direction="DESCENDING"), [0, 1, 2, 4, 3])
    _eq(tf.sort(tf.constant([3, -2147483648, 2])), [-2147483648, 2, 3])
    _eq(tf.sort(tf.constant([[3.0, 1.0], [0.0, 2.0]]), axis=-2), [[0, 1], [3, 2]])


def test_sort_errors():
    with pytest.raises(ValueError, match="Argument `direction` should be one of ASCENDING, "
                                         "DESCENDING. Received: direction=descending"):
        tf.sort([1.0], direction="descending")
    with pytest.raises(InvalidArgument, match="slice index 2 of dimension 0 out of bounds."):
        tf.sort(P, axis=2)
    with pytest.raises(InvalidArgument, match="Value for attr 'T' of bool"):
        tf.sort(tf.constant([True, False]))


def test_sort_gradient():
    x = tf.constant([3.0, 1.0, 2.0])
    for direction, expected in (("ASCENDING", [3, 1, 2]), ("DESCENDING", [1, 3, 2])):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.sort(x, direction=direction)
        _eq(tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0, 3.0])), expected)


def test_unique():
    y, idx = tf.unique([3.0, 1.0, 3.0, 2.0])
    _eq(y, [3, 1, 2])
    _eq(idx, [0, 1, 0, 2], tf.int32)
    y, idx = tf.unique([np.nan, np.nan, 1.0])   # every NaN is distinct, as in TF
    assert y.shape == (3,)
    y, idx, count = tf.unique_with_counts([1, 2], out_idx=tf.int64)
    assert idx.dtype == tf.int64 and count.dtype == tf.int64
    _eq(tf.unique(["b", "a", "b"])[0], [b"b", b"a"])
    with pytest.raises(InvalidArgument, match="unique expects a 1D vector."):
        tf.unique([[3, 1]])


def test_searchsorted():
    sequence = [[0.0, 3.0, 8.0, 9.0, 10.0], [1.0, 2.0, 3.0, 4.0, 5.0]]
    _eq(tf.searchsorted(sequence, [[9.0, 10.0, 10.0, 10.0], [1.0, 2.5, 3.0, 6.0]]),
        [[3, 4, 4, 4], [0, 2, 2, 5]])
    _eq(tf.searchsorted(sequence, [[9.0, 10.0], [1.0, 2.5]], side="right"), [[4, 5], [1, 2]])
    _eq(tf.searchsorted([0.0, 3.0, 8.0], [[1.0]]), [[1]])
    with pytest.raises(InvalidArgument, match="Leading dim_size of both tensors must match."):
        tf.searchsorted([[0.0, 3.0], [1.0, 2.0]], [1.0])
    with pytest.raises(InvalidArgument, match="cannot compute LowerBound as input #1"):
        tf.searchsorted([0, 3, 8], [1.0, 9.0])


# -- rearranging -------------------------------------------------------------------------

X = tf.constant([[1, 2, 3], [4, 5, 6]])


def test_tile_pad_reverse_roll():
    _eq(tf.tile(X, [2, 1]), [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]])
    _eq(tf.tile(tf.constant(3), []), 3)
    _eq(tf.pad(X, [[1, 0], [0, 2]], mode="reflect"),
        [[4, 5, 6, 5, 4], [1, 2, 3, 2, 1], [4, 5, 6, 5, 4]])
    _eq(tf.pad(X, [[1, 0], [0, 2]], constant_values=9), [[9] * 5, [1, 2, 3, 9, 9],
                                                         [4, 5, 6, 9, 9]])
    _eq(tf.pad(X, [[1, 1], [3, 2]], mode="SYMMETRIC")[0], [3, 2, 1, 1, 2, 3, 3, 2])
    _eq(tf.reverse(X, [-1, 0]), [[6, 5, 4], [3, 2, 1]])
    _eq(tf.roll(X, [1, -1], [0, 1]), [[5, 6, 4], [2, 3, 1]])
    _eq(tf.roll(X, [1, 2], [1, 1]), X.numpy())


@pytest.mark.parametrize("call, message", [
    (lambda: tf.tile(X, [2]), "Expected multiples argument to be a vector of length 2 but got "
                              "length 1"),
    (lambda: tf.tile(X, [-1, 1]), r"Expected multiples\[0\] >= 0, but got -1"),
    (lambda: tf.pad(X, [[2, 1], [0, 2]], mode="REFLECT"),
     "paddings must be less than the dimension size: 2, 1 not less than 2"),
    (lambda: tf.pad(X, [[1, 1], [4, 2]], mode="SYMMETRIC"),
     "paddings must be no greater than the dimension size: 4, 2 greater than 3"),
    (lambda: tf.pad(X, [[-1, 0], [0, 0]]), "Paddings must be non-negative: -1 0"),
    (lambda: tf.pad(X, [[1, 0]]), r"The first dimension of paddings must be the rank of "
                                  r"inputs\[1,2\] \[2,3\]"),
    (lambda: tf.reverse(X, [1, -1]), "axis 1 specified more than once."),
    (lambda: tf.reverse(X, [2]), r"'axis'\[0\] = 2 is out of valid range \[0, 1"),
    (lambda: tf.roll(X, 1, 2), "axis 2 is out of range"),
    (lambda: tf.reverse_sequence(X, [1, 4], seq_axis=1), r"seq_lens\(1\) > input.dims\(1\)"),
])
def test_rearranging_errors(call, message):
    with pytest.raises(InvalidArgument, match=message):
        call()


def test_pad_mode_names():
    with pytest.raises(ValueError, match='Value of argument `mode` expected to be one of '
                                         '"CONSTANT", "REFLECT", or "SYMMETRIC". Received '
                                         '`mode` = WRAP'):
        tf.pad(X, [[1, 0], [0, 2]], mode="WRAP")
    with pytest.raises(TypeError, match="Cannot convert 9.5 to EagerTensor of dtype int32"):
        tf.pad(X, [[1, 0], [0, 2]], constant_values=9.5)


def test_repeat():
    _eq(tf.repeat(X, 2), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])
    _eq(tf.repeat(X, [1, 2, 0], axis=1), [[1, 2, 2], [4, 5, 5]])
    _eq(tf.repeat(X, [-1, 2], axis=0), [[4, 5, 6], [4, 5, 6]])
    _eq(tf.repeat(tf.constant(3), 2, axis=0), [3, 3])
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        tf.repeat(X, [1, 2], axis=1)
    with pytest.raises(ValueError, match="axis=2 out of bounds: expected -2<=axis<2"):
        tf.repeat(X, 2, axis=2)
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.repeat(x, [3, 1])
    _eq(tape.gradient(y, x), [3, 1])


def test_reverse_sequence_and_space_to_depth():
    _eq(tf.reverse_sequence(X, [1, 2, 1], seq_axis=0, batch_axis=1), [[1, 5, 3], [4, 2, 6]])
    with pytest.raises(TypeError, match="Expected int for argument 'seq_dim' not None."):
        tf.reverse_sequence(X, [1, 3])
    image = tf.reshape(tf.range(16), [1, 4, 4, 1])
    _eq(layout.space_to_depth(image, 2)[0, 0, 0], [0, 1, 4, 5])
    _eq(layout.depth_to_space(layout.space_to_depth(image, 2), 2), image.numpy())
    with pytest.raises(InvalidArgument, match="Image width 4 and height 4 should be divisible "
                                              "by block_size: 3"):
        layout.space_to_depth(image, 3)


# -- shapes ------------------------------------------------------------------------------

def test_shape_helpers():
    _eq(tf.shape_n([X], out_type=tf.int64)[0], [2, 3], tf.int64)
    assert [s.numpy().tolist() for s in tf.shape_n([X, tf.ones([4], tf.int32)])] == [[2, 3], [4]]
    with pytest.raises(InvalidArgument, match="cannot compute ShapeN as input #1"):
        tf.shape_n([X, tf.zeros([2])])
    a, b = tf.identity_n([X, 1.0])
    assert b.dtype == tf.float32
    _eq(tf.ensure_shape(X, [2, None]), X.numpy())
    with pytest.raises(InvalidArgument, match=r"Shape of tensor input \[2,3\] is not compatible "
                                              r"with expected shape \[2,4\]."):
        tf.ensure_shape(X, [2, 4])
    assert tf.broadcast_static_shape(tf.TensorShape([None, 1]),
                                     tf.TensorShape([3])).as_list() == [None, 3]
    with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
        tf.broadcast_static_shape(tf.TensorShape([2, 2]), tf.TensorShape([3]))
    _eq(tf.broadcast_dynamic_shape(tf.constant([2, 1], tf.int64), [3]), [2, 3], tf.int64)
    with pytest.raises(InvalidArgument, match=r"Incompatible shapes: \[2,2\] vs. \[3\]"):
        tf.broadcast_dynamic_shape([2, 2], [3])


def test_ensure_shape_refines_traced_shapes():
    graph = Graph("ensure")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([None, 3], tf.float32))
        assert tf.ensure_shape(x, [4, None]).shape.as_list() == [4, 3]
        with pytest.raises(ValueError, match="is not compatible with expected shape"):
            tf.ensure_shape(x, [4, 2])


# -- jacobians built from ops ------------------------------------------------------------

def test_jacobians_trace():
    graph = Graph("jacobian")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([3], tf.float32))
        b = graph.placeholder(tf.TensorSpec([None, 2], tf.float32))
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([x, b])
            y, z = x * x, b * b
        graph.outputs = [tape.jacobian(y, x), tape.batch_jacobian(z, b)]
    j, bj = interpret(graph, [tf.constant([1.0, 2.0, 3.0]), tf.constant([[1.0, 2.0],
                                                                          [3.0, 4.0]])])
    _eq(j, np.diag([2.0, 4.0, 6.0]))
    _eq(bj, [np.diag([2.0, 4.0]), np.diag([6.0, 8.0])])


# -- shapes known only at run time inside tf.function ------------------------------------

def test_traced_shape_arguments():
    @tf.function(input_signature=[tf.TensorSpec([None, 2, 3], tf.float32)])
    def f(x):
        n = tf.shape(x)[0]
        outputs = [tf.reshape(x, [n, -1]), tf.zeros([n, 5]), tf.reshape(x, [-1, tf.shape(x)[2]]),
                   tf.broadcast_to(tf.ones([1, 3]), tf.shape(x)[1:]), tf.zeros(tf.shape(x)),
                   tf.tile(x[:, :1], [1, n, 1]), tf.one_hot(tf.range(n), n)]
        static = [t.shape.as_list() for t in outputs]
        assert static == [[None, None], [None, 5], [None, 3], [2, 3], [None, 2, 3],
                          [None, None, 3], [None, None]], static
        return outputs

    shapes = [t.shape for t in f(tf.ones([4, 2, 3]))]
    assert shapes == [(4, 6), (4, 5), (8, 3), (2, 3), (4, 2, 3), (4, 4, 3), (4, 4)]


def test_traced_tile_gradient():
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.tile(x, [1, tf.shape(x)[0]]))
        return tape.gradient(y, x)

    _eq(f(tf.ones([2, 3])), np.full((2, 3), 2.0))


def test_slicing_and_assignment_in_tf_function():
    v = tf.Variable(np.zeros((3, 2), np.float32))

    @tf.function
    def write(i, value):
        v[i].assign(value)
        v[0:1, 1].assign([7.0])
        return v[i] * 2.0

    _eq(write(tf.constant(2), tf.constant([1.0, 2.0])), [2, 4])
    _eq(write(tf.constant(1), tf.constant([3.0, 4.0])), [6, 8])
    _eq(v, [[0, 7], [3, 4], [1, 2]])
