"""Dataset functions are traced once, like TF's: specs from the trace, Python side effects
at trace time, AutoGraph for Python control flow, graph-mode errors when the dataset is
built; functions that need values run eagerly per element."""
import numpy as np
import pytest

import tapeflow as tf

D = tf.data.Dataset


def test_spec_comes_from_the_trace_with_unknown_dims():
    assert D.range(5).map(lambda x: tf.zeros([x])).element_spec == tf.TensorSpec([None])
    batched = D.from_tensor_slices(np.zeros((4, 3), np.float32)).batch(2)
    assert batched.map(lambda x: tf.reshape(x, [-1])).element_spec == tf.TensorSpec([None])
    sliced = D.from_tensor_slices(np.zeros((4, 3), np.float32)).map(lambda x: x[:2])
    assert sliced.element_spec == tf.TensorSpec([2])


def test_python_side_effects_happen_once_when_traced():
    calls = []

    def f(x):
        calls.append(1)
        return x * 2
    ds = D.range(5).map(f)
    assert len(calls) == 1
    assert [int(x) for x in ds] == [0, 2, 4, 6, 8]
    assert len(calls) == 1


def test_autograph_converts_python_control_flow():
    def f(x):
        if x > 1:
            y = x * 10
        else:
            y = -x
        return y
    ds = D.range(4).map(f)
    assert ds.element_spec == tf.TensorSpec([], tf.int64)
    assert [int(x) for x in ds] == [0, -1, 20, 30]


def test_graph_mode_errors_are_raised_when_the_dataset_is_built():
    with pytest.raises(ValueError, match="Cannot reshape"):
        D.from_tensor_slices(np.zeros((2, 3))).map(lambda x: tf.reshape(x, [2]))


def test_functions_needing_values_run_eagerly_with_relaxed_specs():
    seen = []

    def f(x):
        seen.append(int(x.numpy()))     # needs a value: cannot be traced
        return tf.fill([int(x.numpy()) + 1], x)
    ds = D.range(3).map(f)
    assert ds.element_spec == tf.TensorSpec([None], tf.int64)
    assert [v.numpy().tolist() for v in ds] == [[0], [1, 1], [2, 2, 2]]
    assert seen[1:] == [0, 1, 2]        # first call built the spec, then one per element


def test_random_ops_draw_new_values_per_element():
    values = [float(x) for x in D.range(4).map(lambda x: tf.random.uniform([]))]
    assert len(set(values)) == 4


def test_constant_outputs_and_argument_passing():
    ds = D.from_tensor_slices({"a": [1, 2], "b": [3, 4]}).map(
        lambda d: (d["a"] + d["b"], tf.constant("k"), 2.5))
    assert ds.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.string),
                               tf.TensorSpec([], tf.float32))
    assert [(int(a), s.numpy(), float(c)) for a, s, c in ds] == [(4, b"k", 2.5),
                                                                 (6, b"k", 2.5)]
    swapped = D.zip((D.range(2), D.range(5, 7))).map(lambda a, b: (b, a))
    assert [(int(a), int(b)) for a, b in swapped] == [(5, 0), (6, 1)]


def test_map_inside_flat_map_with_symbolic_range():
    ds = D.range(4).flat_map(lambda x: D.range(x).map(lambda y: y * x))
    assert [int(v) for v in ds] == [0, 0, 2, 0, 3, 6]


def test_tf_function_decorated_map_function():
    @tf.function
    def scale(x):
        return tf.cast(x, tf.float32) / 2.0
    assert [float(v) for v in D.range(3).map(scale)] == [0.0, 0.5, 1.0]
