"""Property tests: broadcasting binary ops and reductions against NumPy over random
shapes, axes and values (hypothesis)."""
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tapeflow as tf

SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# For tests parametrized over many ops: fewer examples each (the suite runs on 2 cores).
SMALL = settings(SETTINGS, max_examples=25)

# (name, tapeflow function, NumPy reference, input domain)
BINARY = [
    ("add", tf.add, np.add, "any"),
    ("subtract", tf.subtract, np.subtract, "any"),
    ("multiply", tf.multiply, np.multiply, "any"),
    ("truediv", tf.math.truediv, np.true_divide, "nonzero_y"),
    ("maximum", tf.maximum, np.maximum, "any"),
    ("minimum", tf.minimum, np.minimum, "any"),
    ("squared_difference", tf.math.squared_difference, lambda x, y: (x - y) ** 2, "any"),
    ("pow", tf.pow, np.power, "positive_x"),
    ("atan2", tf.math.atan2, np.arctan2, "any"),
    ("xlogy", tf.math.xlogy, lambda x, y: x * np.log(y), "positive_y"),
    ("floormod", tf.math.floormod, np.mod, "nonzero_y"),
    ("less", tf.less, np.less, "any"),
    ("greater_equal", tf.greater_equal, np.greater_equal, "any"),
    ("equal", tf.equal, np.equal, "any"),
]

_values = st.floats(-4, 4, width=32, allow_nan=False)


def _shapes_and_values(dtype):
    """Two arrays of mutually broadcastable (often different) shapes."""
    shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)
    return shapes.flatmap(lambda s: st.tuples(
        hnp.arrays(dtype, s.input_shapes[0], elements=_values),
        hnp.arrays(dtype, s.input_shapes[1], elements=_values)))


def _in_domain(x, y, domain):
    if domain == "nonzero_y":
        y = np.where(np.abs(y) < 0.25, 1.5, y).astype(y.dtype)
    elif domain == "positive_x":
        x = (np.abs(x) + 0.5).astype(x.dtype)
    elif domain == "positive_y":
        y = (np.abs(y) + 0.5).astype(y.dtype)
    return x, y


@pytest.mark.parametrize("name,fn,reference,domain", BINARY, ids=[b[0] for b in BINARY])
@SMALL
@given(data=st.data())
def test_binary_ops_broadcast_like_numpy(name, fn, reference, domain, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    x, y = _in_domain(*data.draw(_shapes_and_values(dtype)), domain)
    expected = reference(x, y)
    out = fn(tf.constant(x), tf.constant(y))
    assert out.shape == expected.shape
    assert out.dtype.as_numpy_dtype == np.asarray(expected).dtype.type
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), expected, rtol=rtol, atol=rtol)


INT_BINARY = [("add", tf.add, np.add), ("multiply", tf.multiply, np.multiply),
              ("floordiv", tf.math.floordiv, np.floor_divide),
              ("bitwise_and", tf.bitwise.bitwise_and, np.bitwise_and),
              ("maximum", tf.maximum, np.maximum)]


@pytest.mark.parametrize("name,fn,reference", INT_BINARY, ids=[b[0] for b in INT_BINARY])
@SMALL
@given(data=st.data())
def test_integer_binary_ops_broadcast_like_numpy(name, fn, reference, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    x = data.draw(hnp.arrays(np.int32, shapes.input_shapes[0],
                             elements=st.integers(-50, 50)))
    y = data.draw(hnp.arrays(np.int32, shapes.input_shapes[1],
                             elements=st.integers(1, 50)))
    out = fn(tf.constant(x), tf.constant(y))
    expected = reference(x, y)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out.numpy(), expected)


@st.composite
def _incompatible_shapes(draw):
    """Two shapes that do not broadcast: some aligned pair of dimensions differs
    and neither is 1."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    axis = draw(st.integers(0, len(shape) - 1))
    size = shape[axis]
    other = draw(st.integers(2, 5).filter(lambda d: d != size and size != 1))
    assume(size != 1)
    broken = list(shape)
    broken[axis] = other
    lead = draw(st.integers(0, axis))   # drop some leading dims of the second shape
    return tuple(shape), tuple(broken[lead:])


@pytest.mark.parametrize("fn", [tf.add, tf.multiply, tf.maximum, tf.math.squared_difference,
                                tf.less, tf.math.atan2],
                         ids=["add", "multiply", "maximum", "squared_difference", "less",
                              "atan2"])
@SMALL
@given(shapes=_incompatible_shapes())
def test_incompatible_broadcasts_raise_invalid_argument(fn, shapes):
    x_shape, y_shape = shapes
    x = tf.zeros(x_shape)
    y = tf.ones(y_shape)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        fn(x, y)


@SETTINGS
@given(data=st.data())
def test_broadcast_gradients_sum_back_to_input_shapes(data):
    x, y = data.draw(_shapes_and_values(np.float64))
    tx, ty = tf.constant(x), tf.constant(y)
    with tf.GradientTape() as tape:
        tape.watch([tx, ty])
        out = tf.multiply(tx, ty) + tx
    dx, dy = tape.gradient(out, [tx, ty])
    full = np.broadcast_shapes(x.shape, y.shape)
    expected_dx = _sum_to(np.broadcast_to(y, full) + 1.0, x.shape)
    expected_dy = _sum_to(np.broadcast_to(x, full), y.shape)
    np.testing.assert_allclose(dx.numpy(), expected_dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dy.numpy(), expected_dy, rtol=1e-12, atol=1e-12)


def _sum_to(g, shape):
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    axes = tuple(i for i, d in enumerate(shape) if d == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


# -- reductions ----------------------------------------------------------------------------

REDUCTIONS = [
    ("reduce_sum", tf.reduce_sum, np.sum),
    ("reduce_mean", tf.reduce_mean, np.mean),
    ("reduce_max", tf.reduce_max, np.max),
    ("reduce_min", tf.reduce_min, np.min),
    ("reduce_prod", tf.reduce_prod, np.prod),
    ("reduce_logsumexp", tf.reduce_logsumexp,
     lambda x, axis, keepdims: np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))),
    ("reduce_variance", tf.math.reduce_variance, np.var),
    ("reduce_std", tf.math.reduce_std, np.std),
    ("reduce_euclidean_norm", tf.math.reduce_euclidean_norm,
     lambda x, axis, keepdims: np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))),
]


@st.composite
def _array_and_axes(draw, dtype=np.float64, elements=None):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    x = draw(hnp.arrays(dtype, shape,
                        elements=st.floats(-2, 2) if elements is None else elements))
    rank = len(shape)
    axis_choice = draw(st.sampled_from(["none", "int", "list"]) if rank else st.just("none"))
    if axis_choice == "none":
        return x, None, None
    if axis_choice == "int":
        axis = draw(st.integers(-rank, rank - 1))
        return x, axis, axis
    axes = draw(st.lists(st.integers(0, rank - 1), unique=True, max_size=rank))
    # negative forms of the same axes
    signed = [a - rank if draw(st.booleans()) else a for a in axes]
    return x, signed, tuple(axes)


@pytest.mark.parametrize("name,fn,reference", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@SMALL
@given(case=_array_and_axes(), keepdims=st.booleans())
def test_reductions_match_numpy(name, fn, reference, case, keepdims):
    x, axis, np_axis = case
    out = fn(tf.constant(x), axis=axis, keepdims=keepdims)
    expected = reference(x, axis=np_axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn,reference", [(tf.reduce_any, np.any), (tf.reduce_all, np.all)],
                         ids=["any", "all"])
@SETTINGS
@given(case=_array_and_axes(dtype=np.bool_, elements=st.booleans()), keepdims=st.booleans())
def test_boolean_reductions_match_numpy(fn, reference, case, keepdims):
    x, axis, np_axis = case
    out = fn(tf.constant(x), axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(out.numpy(), reference(x, axis=np_axis, keepdims=keepdims))


@SETTINGS
@given(case=_array_and_axes(dtype=np.int32, elements=st.integers(-20, 20)),
       keepdims=st.booleans())
def test_integer_mean_truncates_toward_zero(case, keepdims):
    x, axis, np_axis = case
    out = tf.reduce_mean(tf.constant(x), axis=axis, keepdims=keepdims)
    total = np.sum(x, axis=np_axis, keepdims=keepdims, dtype=np.int64)
    count = x.size // max(np.size(total), 1)
    expected = np.trunc(total / count).astype(np.int32)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(out.numpy(), expected)


@SETTINGS
@given(case=_array_and_axes(), keepdims=st.booleans())
def test_reduce_sum_gradient_is_broadcast_of_upstream(case, keepdims):
    x, axis, np_axis = case
    tx = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(tx)
        out = tf.reduce_sum(tx, axis=axis, keepdims=keepdims)
        weights = tf.constant(np.arange(out.shape.num_elements(), dtype=np.float64)
                              .reshape(out.shape))
        loss = tf.reduce_sum(out * weights)
    grad = tape.gradient(loss, tx).numpy()
    w = weights.numpy()
    if not keepdims:
        axes = range(x.ndim) if np_axis is None else np.atleast_1d(np_axis) % max(x.ndim, 1)
        for a in sorted(axes):
            w = np.expand_dims(w, a)
    np.testing.assert_array_equal(grad, np.broadcast_to(w, x.shape))


@SETTINGS
@given(data=st.data())
def test_cumsum_and_cumprod_match_numpy(data):
    x = data.draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                             elements=st.floats(-2, 2)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    exclusive, reverse = data.draw(st.booleans()), data.draw(st.booleans())
    for fn, np_fn, identity in ((tf.cumsum, np.cumsum, 0.0), (tf.math.cumprod, np.cumprod, 1.0)):
        y = np.flip(x, axis) if reverse else x
        expected = np_fn(y, axis=axis)
        if exclusive:
            expected = np.concatenate([np.full_like(np.take(expected, [0], axis=axis), identity),
                                       np.delete(expected, -1, axis=axis)], axis=axis)
        expected = np.flip(expected, axis) if reverse else expected
        out = fn(tf.constant(x), axis=axis, exclusive=exclusive, reverse=reverse)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(data=st.data())
def test_einsum_matches_numpy_on_random_contractions(data):
    letters = "abcd"
    sizes = dict(zip(letters, data.draw(st.lists(st.integers(1, 3), min_size=4, max_size=4))))
    subs = [data.draw(st.text(letters, min_size=1, max_size=3).filter(
        lambda s: len(set(s)) == len(s))) for _ in range(2)]
    present = sorted(set("".join(subs)))
    output = "".join(data.draw(st.permutations(present))[:data.draw(st.integers(0, len(present)))])
    equation = ",".join(subs) + "->" + output
    arrays = [np.random.default_rng(0).standard_normal([sizes[c] for c in s]) for s in subs]
    out = tf.einsum(equation, *[tf.constant(a) for a in arrays])
    np.testing.assert_allclose(out.numpy(), np.einsum(equation, *arrays), rtol=1e-10,
                               atol=1e-12)
