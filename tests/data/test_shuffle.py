"""shuffle: TF's buffer semantics, seeds (same order in a fresh process), reshuffling;
Dataset.random and sample_from_datasets."""
import os
import subprocess
import sys

import pytest

import tapeflow as tf

D = tf.data.Dataset
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def order(dataset):
    return [int(x) for x in dataset]


def test_buffer_of_one_keeps_the_order():
    assert order(D.range(10).shuffle(1, seed=3)) == list(range(10))


@pytest.mark.parametrize("seed", range(20))
def test_each_output_comes_from_the_buffer(seed):
    # With a buffer of k, output i is one of the first k + i inputs not yet produced.
    out = order(D.range(50).shuffle(5, seed=seed))
    assert sorted(out) == list(range(50))
    for i, value in enumerate(out):
        assert value < 5 + i


def test_first_output_is_any_of_the_first_buffer_elements():
    firsts = {order(D.range(20).shuffle(4, seed=seed))[0] for seed in range(60)}
    assert firsts == {0, 1, 2, 3}


def test_unknown_buffer_size_shuffles_everything():
    firsts = {order(D.range(6).shuffle(tf.data.UNKNOWN_CARDINALITY, seed=s))[-1]
              for s in range(60)}
    assert firsts == set(range(6))


def test_same_seed_same_order_and_reshuffles_each_pass():
    a = D.range(20).shuffle(20, seed=7)
    b = D.range(20).shuffle(20, seed=7)
    first_a, second_a = order(a), order(a)
    assert first_a == order(b)                   # the same seed gives the same passes
    assert second_a != first_a                   # reshuffle_each_iteration=True
    assert order(b) == second_a


def test_no_reshuffle_repeats_the_order():
    ds = D.range(20).shuffle(20, seed=7, reshuffle_each_iteration=False)
    assert order(ds) == order(ds)
    epochs = order(ds.repeat(2))
    assert epochs[:20] == epochs[20:]


def test_repeat_after_shuffle_gives_new_epoch_orders():
    epochs = order(D.range(20).shuffle(20, seed=1).repeat(2))
    assert sorted(epochs[:20]) == sorted(epochs[20:]) == list(range(20))
    assert epochs[:20] != epochs[20:]


def test_global_seed_makes_unseeded_shuffles_repeatable():
    tf.random.set_seed(11)
    first = order(D.range(20).shuffle(20))
    tf.random.set_seed(11)
    second = order(D.range(20).shuffle(20))
    tf.random.set_seed(None)
    assert first == second


_PROGRAM = """
import tapeflow as tf
D = tf.data.Dataset
ds = D.range(30).shuffle(10, seed=5)
print([int(x) for x in ds], [int(x) for x in ds])
tf.random.set_seed(3)
print([int(x) for x in D.range(30).shuffle(30)])
print([int(x) for x in D.random(seed=4).take(3)])
"""


def _fresh_process_output():
    result = subprocess.run([sys.executable, "-c", _PROGRAM], cwd=ROOT, capture_output=True,
                            text=True, check=True, env={**os.environ, "PYTHONPATH": ROOT})
    return result.stdout


def test_seeded_orders_repeat_in_a_fresh_process():
    first = _fresh_process_output()
    assert first == _fresh_process_output()
    assert len(first.splitlines()) == 3


def test_shuffle_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="buffer_size must be greater than zero or UNKNOWN_CARDINALITY"):
        D.range(3).shuffle(0)
    with pytest.raises(tf.errors.InvalidArgumentError):
        D.range(3).shuffle(-3)


def test_shuffle_keeps_spec_and_cardinality():
    ds = D.from_tensor_slices(([1, 2], [[1.0], [2.0]])).shuffle(2, seed=0)
    assert ds.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([1], tf.float32))
    assert int(ds.cardinality()) == 2


def test_random_dataset():
    ds = D.random(seed=4)
    assert ds.element_spec == tf.TensorSpec([], tf.int64)
    assert int(ds.cardinality()) == tf.data.INFINITE_CARDINALITY
    values = [int(x) for x in ds.take(5)]
    assert values == [int(x) for x in ds.take(5)]   # rerandomize_each_iteration defaults off
    assert all(0 <= v < 2 ** 32 for v in values)


def test_sample_from_datasets():
    ds = D.sample_from_datasets([D.range(0, 50), D.range(100, 150)], seed=1)
    values = [int(x) for x in ds]
    assert sorted(values) == list(range(50)) + list(range(100, 150))
    assert values != sorted(values)
    firsts = [v for v in values if v < 100]
    assert firsts == sorted(firsts)    # each input keeps its own order


def test_sample_with_weights_and_stop_on_empty():
    only_second = [int(x) for x in D.sample_from_datasets(
        [D.range(3), D.range(10, 13)], weights=[0.0, 1.0], seed=2)]
    assert only_second[:3] == [10, 11, 12]
    stopped = [int(x) for x in D.sample_from_datasets(
        [D.range(3), D.range(10, 13)], weights=[0.0, 1.0], seed=2,
        stop_on_empty_dataset=True)]
    assert stopped == [10, 11, 12]
    with pytest.raises(ValueError, match="Invalid `weights`"):
        D.sample_from_datasets([D.range(3)], weights=[0.5, 0.5])
