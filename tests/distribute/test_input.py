"""Distributed input. The expected shares are TF 2.21's, printed by each worker of
a two-worker MultiWorkerMirroredStrategy over `tf.data.Dataset.range(n).batch(b)`."""
import numpy as np
import pytest

import tapeflow as tf
from tests.distribute.fakes import EchoStrategy


def _batches(n, batch_size):
    return [np.arange(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def _shares(rank, n, batch_size, source):
    data = (tf.data.Dataset.range(n).batch(batch_size) if source == "tf.data"
            else _batches(n, batch_size))
    dataset = EchoStrategy(rank=rank, size=2).experimental_distribute_dataset(data)
    return [batch.numpy().tolist() for batch in dataset]


@pytest.mark.parametrize("n, batch_size, worker_0, worker_1", [
    (16, 4, [[0, 1], [4, 5], [8, 9], [12, 13]], [[2, 3], [6, 7], [10, 11], [14, 15]]),
    (11, 4, [[0, 1], [4, 5], [8, 9]], [[2, 3], [6, 7], [10]]),
    (9, 4, [[0, 1], [4, 5], [8]], [[2, 3], [6, 7], []]),
    (7, 3, [[0, 1], [3, 4], [6]], [[2], [5], []]),
    (5, 5, [[0, 1, 2]], [[3, 4]]),
])
@pytest.mark.parametrize("source", ["tf.data", "list"])
def test_each_worker_gets_its_slice_of_every_global_batch(n, batch_size, worker_0, worker_1,
                                                         source):
    assert _shares(0, n, batch_size, source) == worker_0
    assert _shares(1, n, batch_size, source) == worker_1


def test_tf_data_structures_and_specs():
    dataset = tf.data.Dataset.from_tensor_slices(({"a": tf.range(8)}, tf.range(8) * 2))
    distributed = EchoStrategy(rank=1, size=2).experimental_distribute_dataset(
        dataset.batch(4, drop_remainder=True))
    assert [(x["a"].numpy().tolist(), y.numpy().tolist()) for x, y in distributed] == \
        [([2, 3], [4, 6]), ([6, 7], [12, 14])]
    assert distributed.element_spec[1] == tf.TensorSpec([None], tf.int32)


def test_structures_are_split_leaf_by_leaf():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([0, 1, 2, 3])
    dataset = EchoStrategy(rank=1, size=2).experimental_distribute_dataset([(x, {"label": y})])
    (features, labels), = list(dataset)
    np.testing.assert_array_equal(features.numpy(), x[2:])
    np.testing.assert_array_equal(labels["label"].numpy(), [2, 3])
    assert isinstance(features, tf.Tensor) and features.dtype == tf.float32


def test_one_replica_yields_whole_batches_as_tensors():
    strategy = tf.distribute.MirroredStrategy()
    batches = list(strategy.experimental_distribute_dataset([np.arange(3), np.arange(3, 5)]))
    assert [b.numpy().tolist() for b in batches] == [[0, 1, 2], [3, 4]]
    iterator = iter(strategy.experimental_distribute_dataset([np.arange(2)]))
    assert iterator.get_next().numpy().tolist() == [0, 1]
    with pytest.raises(tf.errors.OutOfRangeError):
        iterator.get_next()


def test_unbatched_elements_cannot_be_split():
    dataset = EchoStrategy(size=2).experimental_distribute_dataset([np.float32(1.0)])
    with pytest.raises(ValueError, match="batch the dataset with the global batch size"):
        list(dataset)
    with pytest.raises(TypeError, match="iterable of batches"):
        EchoStrategy(size=2).experimental_distribute_dataset(3)


def test_datasets_from_function_get_an_input_context():
    seen = []

    def dataset_fn(context):
        seen.append((context.num_input_pipelines, context.input_pipeline_id,
                     context.num_replicas_in_sync, context.get_per_replica_batch_size(8)))
        data = np.arange(8)[context.input_pipeline_id::context.num_input_pipelines]
        return [data[0:2], data[2:4]]

    dataset = EchoStrategy(rank=1, size=2).distribute_datasets_from_function(dataset_fn)
    assert seen == [(2, 1, 2, 4)]                      # called once, when distributing
    assert [b.numpy().tolist() for b in dataset] == [[1, 3], [5, 7]]
    sharded = EchoStrategy(rank=1, size=2).distribute_datasets_from_function(
        lambda c: tf.data.Dataset.range(8).shard(c.num_input_pipelines, c.input_pipeline_id)
        .batch(c.get_per_replica_batch_size(4)))
    assert [b.numpy().tolist() for b in sharded] == [[1, 3], [5, 7]]    # TF's values


def test_input_context():
    context = tf.distribute.InputContext()
    assert (context.num_input_pipelines, context.input_pipeline_id,
            context.num_replicas_in_sync) == (1, 0, 1)
    assert str(context) == "tf.distribute.InputContext(input pipeline id 0, total: 1)"
    assert context.get_per_replica_batch_size(3) == 3
    assert tf.distribute.InputContext(2, 1, 4).get_per_replica_batch_size(8) == 2
    with pytest.raises(ValueError, match="The `global_batch_size` 6 is not divisible by "
                                         "`num_replicas_in_sync` 4 "):
        tf.distribute.InputContext(2, 1, 4).get_per_replica_batch_size(6)
    value_context = tf.distribute.experimental.ValueContext()
    assert str(value_context) == ("tf.distribute.ValueContext(replica id 0,  total replicas "
                                  "in sync: 1)")


def test_distribute_values_from_function():
    strategy = EchoStrategy(rank=1, size=2)
    value = strategy.experimental_distribute_values_from_function(
        lambda context: context.replica_id_in_sync_group + 10 * context.num_replicas_in_sync)
    assert value == 21


def test_an_empty_share_gives_zero_gradients():
    """A short last batch can leave a replica no rows (as in TF): conv, pooling and
    dense layers must still run forward and backward on 0 rows."""
    model = tf.keras.Sequential([
        tf.keras.Input((8, 8, 2)), tf.keras.layers.Conv2D(4, 3, activation="relu"),
        tf.keras.layers.Conv2D(4, 3, groups=2), tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(), tf.keras.layers.Dense(3)])
    with tf.GradientTape() as tape:
        loss = tf.nn.compute_average_loss(tf.reduce_sum(model(tf.zeros([0, 8, 8, 2])), axis=1),
                                          global_batch_size=4)
    gradients = tape.gradient(loss, model.trainable_variables)
    assert float(loss) == 0.0
    for gradient, variable in zip(gradients, model.trainable_variables):
        assert gradient.shape == variable.shape and not np.any(gradient.numpy())
