"""Variables created in a strategy's scope, loss scaling and gradient aggregation.

Several replicas are simulated with EchoStrategy (every replica holds this
process's values); expected numbers follow TF 2.21's rules, checked there with a
two-replica MirroredStrategy.
"""
import numpy as np
import pytest

import tapeflow as tf
from tests.distribute.fakes import EchoStrategy


def test_variables_created_in_scope_are_mirrored():
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        v = tf.Variable(1.0)
        s = tf.Variable(0.0, synchronization=tf.VariableSynchronization.ON_READ,
                        aggregation=tf.VariableAggregation.SUM)
    outside = tf.Variable(2.0)
    assert repr(v) == ("MirroredVariable:{\n  0: <tf.Variable 'Variable:0' shape=() "
                       "dtype=float32, numpy=1.0>\n}")
    assert repr(s).startswith("SyncOnReadVariable:{\n  0: <tf.Variable 'Variable:0'")
    assert isinstance(v, tf.Variable) and isinstance(v, tf.distribute.DistributedValues)
    assert type(outside) is tf.Variable
    assert strategy.extended.variable_created_in_scope(v)
    assert not strategy.extended.variable_created_in_scope(outside)
    assert strategy.experimental_local_results(v) == (v,)


def test_initial_values_are_broadcast_from_rank_zero():
    strategy = EchoStrategy(rank=1, size=2)
    initial = np.array([1.0, 2.0], np.float32)
    with strategy.scope():
        v = tf.Variable(initial)
    assert ("broadcast", 0, 2) in strategy.communicator.calls
    assert v.numpy() is not initial and initial.tolist() == [1.0, 2.0]


def test_mirrored_writes_in_a_replica_context_are_aggregated():
    strategy = EchoStrategy(size=2)
    with strategy.scope():
        total = tf.Variable(1.0, aggregation=tf.VariableAggregation.SUM)
        mean = tf.Variable(1.0, aggregation=tf.VariableAggregation.MEAN)
        local = tf.Variable(1.0)
        count = tf.Variable(0, aggregation=tf.VariableAggregation.MEAN)

    def step():
        total.assign_add(1.0)          # + (1 + 1) over two replicas
        mean.assign(5.0)
        local.assign_add(1.0)          # aggregation NONE: each replica its own
    strategy.run(step)
    assert (float(total), float(mean), float(local)) == (3.0, 5.0, 2.0)
    total.assign(7.0)                   # cross-replica: written as is
    assert float(total) == 7.0
    with pytest.raises(ValueError, match="Cannot update non-float variables with "
                                         "tf.VariableAggregation.MEAN aggregation"):
        strategy.run(lambda: count.assign_add(1))


def test_metric_state_is_aggregated_over_replicas():
    strategy = EchoStrategy(size=2)
    with strategy.scope():
        metric = tf.keras.metrics.Mean()
    strategy.run(lambda: metric.update_state([1.0, 3.0]))
    assert float(metric.count) == 4.0 and float(metric.total) == 8.0
    assert float(metric.result()) == 2.0
    metric.reset_state()
    assert float(metric.count) == 0.0


def test_metric_updates_inside_a_traced_step():
    strategy = EchoStrategy(size=2)
    with strategy.scope():
        metric = tf.keras.metrics.Mean()

    @tf.function
    def step(x):
        strategy.run(metric.update_state, args=(x,))

    step(tf.constant([1.0, 2.0]))
    step(tf.constant([3.0]))
    assert float(metric.count) == 6.0 and float(metric.total) == 12.0   # (1 + 2 + 3) x 2
    assert float(metric.result()) == 2.0


def test_loss_scaling_follows_the_replica_count():
    strategy = EchoStrategy(size=2)
    mse = tf.keras.losses.MeanSquaredError()

    def step():
        return (mse([[1.0]], [[3.0]]), tf.nn.compute_average_loss(tf.constant([4.0, 2.0])),
                tf.nn.scale_regularization_loss(tf.constant(3.0)),
                tf.nn.compute_average_loss(tf.constant([4.0, 2.0]), global_batch_size=2))

    assert [float(t) for t in strategy.run(step)] == [2.0, 1.5, 1.5, 3.0]
    with strategy.scope():
        assert float(mse([[1.0]], [[3.0]])) == 2.0
        with pytest.raises(RuntimeError, match="You are calling `compute_average_loss` in cross "
                                               "replica context, while it was expected to be "
                                               "called in replica context."):
            tf.nn.compute_average_loss(tf.constant([1.0]))
        with pytest.raises(RuntimeError, match="`scale_regularization_loss` in cross replica"):
            tf.nn.scale_regularization_loss(1.0)
    assert float(mse([[1.0]], [[3.0]])) == 4.0


def test_apply_gradients_sums_the_gradients_of_all_replicas():
    strategy = EchoStrategy(size=2)
    with strategy.scope():
        v = tf.Variable(1.0)
        optimizer = tf.keras.optimizers.SGD(1.0)

    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(x) * v
        optimizer.apply_gradients([(tape.gradient(loss, v), v)])
    strategy.run(step, args=(tf.constant([1.0, 5.0]),))
    assert float(v) == 1.0 - 2 * 6.0            # both replicas' gradients
    assert int(optimizer.iterations) == 1
    optimizer.apply_gradients([(tf.constant(1.0), v)])   # cross-replica: not reduced
    assert float(v) == -12.0


def test_no_collectives_without_a_strategy():
    v = tf.Variable(1.0)
    tf.keras.optimizers.SGD(1.0).apply_gradients([(tf.constant(2.0), v)])
    assert float(v) == -1.0
