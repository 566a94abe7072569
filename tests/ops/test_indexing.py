"""`tensor[key]`, `tf.slice`, `tf.strided_slice` and `variable[key].assign`.

Property tests draw random shapes and NumPy basic-indexing keys (ints, slices
with any bounds and steps, `...`, `tf.newaxis`) and check values, gradients
and traced shapes against NumPy, whose basic indexing TF's StridedSlice
follows; where NumPy raises, TF raises InvalidArgumentError. The behaviour
tests pin TF's own messages and its non-NumPy rules (lists read as tuples,
boolean keys as masks).
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph

SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def shapes_and_keys(draw, max_rank=4):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=max_rank)))
    n_index = draw(st.integers(0, len(shape)))
    items = []
    for i in range(n_index):
        d = shape[i] if i < len(shape) else 1
        if d > 0 and draw(st.booleans()):
            items.append(draw(st.integers(-d, d - 1)))
        else:
            bound = st.one_of(st.none(), st.integers(-d - 2, d + 2))
            step = st.one_of(st.none(), st.sampled_from([-3, -2, -1, 1, 2, 3]))
            items.append(slice(draw(bound), draw(bound), draw(step)))
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), Ellipsis)
    return shape, tuple(items)


def _array(shape, dtype=np.float64):
    return np.array(np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape) - 3.0)


def _valid(shape, key):
    """True when NumPy accepts `key` for `shape` (an Ellipsis can shift ints onto other axes)."""
    try:
        np.empty(shape)[key]
        return True
    except IndexError:
        return False


@SETTINGS
@given(shapes_and_keys())
def test_values_match_numpy(shape_and_key):
    shape, key = shape_and_key
    x = _array(shape)
    if not _valid(shape, key):
        with pytest.raises(tf.errors.InvalidArgumentError):
            tf.constant(x)[key]
        return
    out = tf.constant(x)[key]
    expected = x[key]
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)


@SETTINGS
@given(shapes_and_keys())
def test_gradient_places_dy_in_the_slice(shape_and_key):
    shape, key = shape_and_key
    assume(_valid(shape, key))
    x = tf.constant(_array(shape))
    dy = np.random.default_rng(0).standard_normal(np.empty(shape)[key].shape)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x[key]
    grad = tape.gradient(y, x, output_gradients=tf.constant(dy))
    expected = np.zeros(shape)
    expected[key] = dy
    np.testing.assert_array_equal(grad.numpy(), expected)


@SETTINGS
@given(shapes_and_keys(), shapes_and_keys())
def test_repeated_indexing_accumulates_gradients(first, second):
    shape, key = first
    _, other = second
    assume(_valid(shape, key))
    if not _valid(shape, other):
        other = key
    x = _array(shape)
    rng = np.random.default_rng(1)
    w1, w2 = rng.standard_normal(x[key].shape), rng.standard_normal(x[other].shape)
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        loss = tf.reduce_sum(t[key] * w1) + tf.reduce_sum(t[other] * w2)
    expected = np.zeros(shape)
    expected[key] += w1
    expected[other] += w2
    np.testing.assert_allclose(tape.gradient(loss, t).numpy(), expected, atol=1e-12)


@SETTINGS
@given(shapes_and_keys(), st.booleans())
def test_traced_slicing_matches_eager(shape_and_key, index_as_tensor):
    """The shape rule agrees with the kernel, and run-time tensor indices work in a graph."""
    shape, key = shape_and_key
    assume(_valid(shape, key))
    x = _array(shape)
    ints = [i for i, item in enumerate(key) if type(item) is int]
    graph = Graph("slice")
    with graph_scope(graph):
        t = graph.placeholder(tf.TensorSpec(shape, tf.float64))
        index = graph.placeholder(tf.TensorSpec([], tf.int32))
        traced_key = list(key)
        if index_as_tensor and ints:
            traced_key[ints[0]] = index
        y = t[tuple(traced_key)]
        graph.outputs = [y]
    index_value = key[ints[0]] if ints else 0
    (out,) = interpret(graph, [tf.constant(x), tf.constant(index_value)])
    expected = x[key]
    np.testing.assert_array_equal(out.numpy(), expected)
    dims = y.shape.as_list()
    assert len(dims) == expected.ndim
    assert all(d is None or d == e for d, e in zip(dims, expected.shape))
    if not (index_as_tensor and ints):
        assert tuple(dims) == expected.shape


@st.composite
def out_of_range_keys(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    axis = draw(st.integers(0, len(shape) - 1))
    d = shape[axis]
    index = draw(st.one_of(st.integers(d, d + 5), st.integers(-d - 5, -d - 1)))
    return shape, (slice(None),) * axis + (index,), axis, index + d if index < 0 else index


@SETTINGS
@given(out_of_range_keys())
def test_out_of_range_index_is_tf_error(case):
    shape, key, axis, shown = case
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=rf"slice index {shown} of dimension {axis} out of bounds\."):
        tf.constant(_array(shape))[key]


@SETTINGS
@given(shapes_and_keys(max_rank=3), st.integers(0, 3))
def test_variable_slice_assign_matches_numpy(shape_and_key, value_rank):
    shape, key = shape_and_key
    assume(_valid(shape, key))
    x = _array(shape)
    target = x[key].shape
    value_shape = target[len(target) - min(value_rank, len(target)):]
    value = np.random.default_rng(2).standard_normal(value_shape)
    v = tf.Variable(x)
    result = v[key].assign(value)
    expected = x.copy()
    expected[key] = value
    assert result is v
    np.testing.assert_array_equal(v.numpy(), expected)


# -- TF's rules that differ from NumPy, and TF's messages -------------------------------

X = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4))


def test_lists_are_read_as_tuples():
    np.testing.assert_array_equal(X[[0, 1]].numpy(), [4.0, 5.0, 6.0, 7.0])
    assert X[[]].shape == (2, 3, 4)


def test_boolean_keys_select_with_boolean_mask():
    assert X[tf.constant([True, False])].shape == (1, 3, 4)
    assert X[np.array([False, True])].shape == (1, 3, 4)
    with pytest.raises(ValueError, match="mask cannot be scalar."):
        X[True]
    np.testing.assert_array_equal(X[0, True].numpy(), [4.0, 5.0, 6.0, 7.0])  # bool as int


@pytest.mark.parametrize("key, shown", [
    (1.0, "1.0"), ("a", "'a'"), (slice(1, 2.5), "2.5"), ([0, [1]], r"\[1\]"),
    (np.array([0, 1]), r"array\(\[0, 1\]\)"),
])
def test_invalid_keys_are_type_errors(key, shown):
    with pytest.raises(TypeError, match=r"Only integers, slices \(`:`\), ellipsis \(`...`\), "
                                        r"tf.newaxis \(`None`\) and scalar tf.int32/tf.int64 "
                                        rf"tensors are valid indices, got {shown}"):
        X[key]


def test_tensor_indices():
    np.testing.assert_array_equal(X[tf.constant(1, tf.int64), tf.constant(2, tf.int16)].numpy(),
                                  [20.0, 21.0, 22.0, 23.0])
    np.testing.assert_array_equal(X[tf.Variable(1), 0, 1:3].numpy(), [13.0, 14.0])
    for bad in (tf.constant([0, 1]), tf.constant(1.0), tf.constant(1, tf.uint8)):
        with pytest.raises(TypeError, match="valid indices"):
            X[bad]


@pytest.mark.parametrize("key, message", [
    ((0, 0, 0, 0), "Index out of range using input dim 3; input has only 3 dims"),
    ((Ellipsis, Ellipsis), "Multiple ellipses in slice spec not allowed"),
    ((1, slice(None, None, 0)), r"strides\[1\] must be non-zero"),
    ((-3,), "slice index -1 of dimension 0 out of bounds."),
])
def test_tf_messages(key, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        X[key]


def test_scalar_slicing():
    s = tf.constant(3.0)
    assert s[...].shape == () and s[None].shape == (1,)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Attempting to slice scalar"):
        s[:]


def test_traced_out_of_range_is_value_error():
    graph = Graph("bad")
    with graph_scope(graph):
        t = graph.placeholder(tf.TensorSpec([2, 3], tf.float32))
        with pytest.raises(ValueError, match="slice index 3 of dimension 1 out of bounds."):
            t[:, 3]


def test_second_derivative_through_slices():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(x[1:] ** 3)
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g[::-1] * tf.constant([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(outer.gradient(z, x).numpy(), [0.0, 24.0, 18.0])


# -- tf.strided_slice and tf.slice -------------------------------------------------------

def test_strided_slice_masks():
    ss = tf.strided_slice
    x = np.arange(24).reshape(2, 3, 4)
    t = tf.constant(x)
    np.testing.assert_array_equal(ss(t, [0, 2], [2, 0], [1, -1], begin_mask=2), x[0:2, :0:-1])
    np.testing.assert_array_equal(ss(t, [1, 1], [2, 2], shrink_axis_mask=3), x[1, 1])
    np.testing.assert_array_equal(ss(t, [0, 1, 0], [0, 2, 1], [1, 1, 1], ellipsis_mask=1,
                                     new_axis_mask=4), x[..., 1:2, None])
    # new_axis wins over shrink_axis for the same bit
    assert ss(t, [1, 1], [5, 5], [1, 1], shrink_axis_mask=3, new_axis_mask=1).shape == (1, 3, 4)
    np.testing.assert_array_equal(
        ss(t, [-1, 0, 0], [-3, 0, 0], [-1, 1, 1], shrink_axis_mask=4, end_mask=2),
        x[-1:-3:-1, :, 0])


@pytest.mark.parametrize("args, kwargs, message", [
    (([0, 1], [0, 2], [1]), {}, r"Expected begin, end, and strides to be 1D equal size "
                               r"tensors, but got shapes \[2\], \[2\], and \[1\] instead."),
    (([1, 1], [0, 0], [1, -1]), {"shrink_axis_mask": 3},
     "only stride 1 allowed on non-range indexing."),
    (([0.0], [1.0]), {}, "Value for attr 'Index' of float is not in the list of allowed "
                         "values: int16, int32, int64"),
])
def test_strided_slice_errors(args, kwargs, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.strided_slice(X, *args, **kwargs)


def test_strided_slice_var_assign():
    v = tf.Variable(np.zeros((2, 3), np.float32))
    tf.strided_slice(v, [1], [2], var=v).assign([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(v.numpy(), [[0, 0, 0], [1, 2, 3]])


def test_slice():
    x = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(tf.slice(x, [0, 1, 0], [1, -1, 2]), x[0:1, 1:, 0:2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected size\[1\] in \[0, 2\], "
                                                              r"but got 5 \[Op:Slice\]"):
        tf.slice(x, [0, 1, 0], [1, 5, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected begin\[1\] in \[0, 3\], "
                                                              r"but got 4"):
        tf.slice(x, [0, 4, 0], [1, 0, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected begin and size arguments "
                                                              "to be 1-D tensors of size 3"):
        tf.slice(x, [0, 1], [1, 1])


def test_slice_with_traced_begin_and_its_gradient():
    x = np.arange(12.0).reshape(3, 4)
    graph = Graph("slice")
    with graph_scope(graph):
        t = graph.placeholder(tf.TensorSpec([3, 4], tf.float64))
        begin = graph.placeholder(tf.TensorSpec([], tf.int32))
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = tf.slice(t, [begin, 1], [2, -1])
        g = tape.gradient(y, t, output_gradients=tf.ones([2, 3], tf.float64))
        graph.outputs = [y, g]
    out, grad = interpret(graph, [tf.constant(x), tf.constant(1)])
    np.testing.assert_array_equal(out.numpy(), x[1:3, 1:])
    expected = np.zeros((3, 4))
    expected[1:3, 1:] = 1
    np.testing.assert_array_equal(grad.numpy(), expected)


# -- sliced assignment ------------------------------------------------------------------

def test_sliced_assign_broadcasts_like_tf():
    v = tf.Variable(np.zeros((3, 4, 2), np.float32))
    v[::-2, 1].assign(tf.ones([1, 1, 1, 2]))    # leading 1s are allowed
    assert v.numpy()[:, 1].sum() == 4.0
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Cannot broadcast input shape \[2,1,2\] into final shape "
                             r"\[2,2\]".replace(",", ", ")):
        v[::-2, 1].assign(tf.ones([2, 1, 2]))


def test_only_variable_slices_have_assign():
    v = tf.Variable([1.0, 2.0])
    assert hasattr(v[0], "assign")
    assert not hasattr(tf.constant([1.0])[0], "assign")
    assert not hasattr(v.read_value(), "assign")


def test_sliced_assign_in_a_traced_graph():
    v = tf.Variable(np.zeros((2, 3), np.float32))
    graph = Graph("assign")
    with graph_scope(graph):
        i = graph.placeholder(tf.TensorSpec([], tf.int32))
        value = graph.placeholder(tf.TensorSpec([3], tf.float32))
        v[i].assign(value)
    assert not v.numpy().any()     # tracing wrote nothing
    interpret(graph, [tf.constant(1), tf.constant([1.0, 2.0, 3.0])])
    np.testing.assert_array_equal(v.numpy(), [[0, 0, 0], [1, 2, 3]])


def test_sliced_update_gradients():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    value = tf.constant([10.0, 20.0], tf.float64)
    key = (tf.ops.indexing.Span(), 1)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, value])
        y = tf.ops.indexing.apply(tf.ops.indexing.TensorStridedSliceUpdate, x, value, key=key)
    dy = tf.constant(np.arange(1.0, 7.0).reshape(2, 3))
    gx, gv = tape.gradient(y, [x, value], output_gradients=dy)
    np.testing.assert_array_equal(gx.numpy(), [[1, 0, 3], [4, 0, 6]])
    np.testing.assert_array_equal(gv.numpy(), [2, 5])
