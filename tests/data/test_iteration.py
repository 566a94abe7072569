"""Iteration and introspection: elements as Tensors in their structure, fresh passes,
len/cardinality, iterators' get_next/Optional, as_numpy_iterator, reduce, Options."""
import collections

import numpy as np
import pytest

import tapeflow as tf

D = tf.data.Dataset


def test_elements_are_tensors_in_the_input_structure():
    ds = D.from_tensor_slices(([1, 2], {"a": [3.0, 4.0], "b": (["x", "y"],)}))
    first = next(iter(ds))
    assert type(first) is tuple and type(first[1]) is dict and type(first[1]["b"]) is tuple
    assert isinstance(first[0], tf.Tensor) and first[0].dtype == tf.int32
    assert first[1]["a"].dtype == tf.float32 and first[1]["a"].numpy() == 3.0
    assert first[1]["b"][0].dtype == tf.string and first[1]["b"][0].numpy() == b"x"


def test_namedtuples_stay_namedtuples():
    Point = collections.namedtuple("Point", "x y")
    element = next(iter(D.from_tensor_slices(Point([1, 2], [3, 4])).batch(2)))
    assert type(element) is Point and element.y.numpy().tolist() == [3, 4]


def test_each_iter_is_a_fresh_pass():
    ds = D.range(3).map(lambda x: x * 10)
    assert [int(x) for x in ds] == [0, 10, 20]
    assert [int(x) for x in ds] == [0, 10, 20]
    first, second = iter(ds), iter(ds)
    assert int(next(first)) == 0 and int(next(first)) == 10 and int(next(second)) == 0


def test_source_arrays_are_copied_when_the_dataset_is_built():
    x = np.arange(3)
    ds = D.from_tensor_slices(x)
    x[:] = 7
    assert [int(v) for v in ds] == [0, 1, 2]


def test_numpy_values_do_not_alias_the_pipeline():
    ds = D.from_tensor_slices(np.zeros((2, 2))).cache()
    list(ds)
    for row in ds.as_numpy_iterator():
        row += 1
    assert [row.tolist() for row in ds.as_numpy_iterator()] == [[0.0, 0.0], [0.0, 0.0]]


def test_len_and_cardinality_constants():
    assert len(D.range(5).batch(2)) == 3
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2
    assert tf.data.AUTOTUNE == -1
    card = D.range(3).cardinality()
    assert card.dtype == tf.int64 and int(card) == 3
    assert int(tf.data.experimental.cardinality(D.range(3).repeat())) == -1
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(D.range(5).repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(D.range(5).filter(lambda x: True))


def test_repr_names_the_dataset_class_like_tf():
    assert repr(D.range(3)) == ("<_RangeDataset element_spec=TensorSpec(shape=(), "
                                "dtype=tf.int64, name=None)>")
    assert repr(D.range(3).cache()).startswith("<CacheDataset ")
    assert repr(D.range(3).map(lambda x: x, num_parallel_calls=2)).startswith(
        "<_ParallelMapDataset ")
    assert repr(tf.data.TextLineDataset(__file__)).startswith("<TextLineDatasetV2 ")


def test_get_next_and_optional():
    it = iter(D.range(2))
    assert int(it.get_next()) == 0
    optional = it.get_next_as_optional()
    assert bool(optional.has_value()) and int(optional.get_value()) == 1
    empty = it.get_next_as_optional()
    assert not bool(empty.has_value())
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not have a value"):
        empty.get_value()
    with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
        it.get_next()
    with pytest.raises(StopIteration):
        next(it)


def test_iterator_element_spec():
    assert iter(D.range(3).batch(2)).element_spec == tf.TensorSpec([None], tf.int64)


def test_as_numpy_iterator_gives_numpy_values():
    (text, row), = list(D.from_tensor_slices((["a"], [[1.5]])).as_numpy_iterator())
    assert text == b"a" and row.tolist() == [1.5]
    assert type(row) is np.ndarray and row.dtype == np.float32
    scalar = next(D.range(1).as_numpy_iterator())
    assert type(scalar) is np.int64
    assert repr(D.range(1).as_numpy_iterator()).startswith("NumpyIterator(iterator=")


def test_reduce():
    assert int(D.range(5).reduce(np.int64(0), lambda s, x: s + x)) == 10
    total, count = D.range(4).map(lambda x: tf.cast(x, tf.float32)).reduce(
        (0.0, 0), lambda s, x: (s[0] + x, s[1] + 1))
    assert float(total) == 6.0 and int(count) == 4
    grown = D.range(3).reduce(tf.zeros([0], tf.int64), lambda s, x: tf.concat([s, [x]], 0))
    assert grown.numpy().tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="The element types for the new state must match"):
        D.range(3).reduce(np.int64(0), lambda s, x: tf.cast(s, tf.int32))


def test_get_single_element():
    assert D.from_tensors((1, "a")).get_single_element()[1].numpy() == b"a"
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dataset was empty."):
        D.range(0).get_single_element()
    with pytest.raises(tf.errors.InvalidArgumentError, match="more than one element"):
        D.range(2).get_single_element()


def test_options_merge_and_reject_unknown_fields():
    options = tf.data.Options()
    assert options.deterministic is None
    options.deterministic = False
    options.threading.private_threadpool_size = 2
    ds = D.range(3).with_options(options).map(lambda x: x)
    assert ds.options().deterministic is False
    assert ds.options().threading.private_threadpool_size == 2
    assert ds.options() == options
    other = tf.data.Options()
    other.experimental_deterministic = True   # TF's old name of the same field
    assert ds.with_options(other).options().deterministic is True
    with pytest.raises(AttributeError, match="Cannot set the property foo on Options."):
        options.foo = 1
    assert options.experimental_distribute.auto_shard_policy == (
        tf.data.experimental.AutoShardPolicy.AUTO)


def test_dataset_spec():
    spec = D.range(3).window(2).element_spec
    assert isinstance(spec, tf.data.DatasetSpec)
    assert spec.element_spec == tf.TensorSpec([], tf.int64)
    assert repr(spec) == ("DatasetSpec(TensorSpec(shape=(), dtype=tf.int64, name=None), "
                          "TensorShape([]))")


def test_window_elements_are_datasets():
    windows = list(D.from_tensor_slices({"a": [1, 2, 3]}).window(2))
    assert isinstance(windows[0]["a"], tf.data.Dataset)
    assert [int(x) for x in windows[1]["a"]] == [3]


def test_map_functions_read_variables_but_are_not_taped():
    v = tf.Variable(2.0)
    ds = D.range(3).map(lambda x: tf.cast(x, tf.float32) * v)
    with tf.GradientTape() as tape:
        values = [x for x in ds]
        total = tf.add_n(values)
    assert [float(x) for x in values] == [0.0, 2.0, 4.0]
    assert tape.gradient(total, v) is None   # as in TF: dataset ops are not differentiable
    v.assign(3.0)
    assert [float(x) for x in ds] == [0.0, 3.0, 6.0]


def test_experimental_transformation_functions():
    E = tf.data.experimental
    assert [b.numpy().tolist() for b in D.range(5).apply(E.map_and_batch(lambda x: x * 2, 2))] \
        == [[0, 2], [4, 6], [8]]
    assert [int(x) for x in D.range(3).apply(E.parallel_interleave(lambda x: D.range(x), 2))] \
        == [0, 0, 1]
    epochs = [int(x) for x in D.range(3).apply(E.shuffle_and_repeat(3, 2, seed=1))]
    assert sorted(epochs[:3]) == sorted(epochs[3:]) == [0, 1, 2]
    assert [int(x) for x in D.range(4).apply(E.enumerate_dataset(1)).map(lambda i, x: i)] == [
        1, 2, 3, 4]
    assert int(E.at(D.range(5), 3)) == 3
    with pytest.raises(tf.errors.OutOfRangeError, match=r"Index out of range \[0, 2\):5"):
        E.at(D.range(2), 5)
    assert E.get_structure(D.range(2)) == tf.TensorSpec([], tf.int64)
    stacked = E.from_list([(1, "a"), (2, "b")])
    assert [(int(i), s.numpy()) for i, s in stacked] == [(1, b"a"), (2, b"b")]
