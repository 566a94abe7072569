"""Strategies in one process: contexts, run, reduce, gather, replica contexts.

Expected values and messages were taken from TF 2.21 (MirroredStrategy, the
default strategy, and a two-worker MultiWorkerMirroredStrategy on localhost).
"""
import subprocess
import sys

import numpy as np
import pytest

import tapeflow as tf
from tests.distribute.fakes import EchoStrategy


def test_default_strategy_outside_any_scope():
    strategy = tf.distribute.get_strategy()
    assert not tf.distribute.has_strategy()
    assert not tf.distribute.in_cross_replica_context()
    context = tf.distribute.get_replica_context()
    assert context.num_replicas_in_sync == 1 and context.strategy is strategy
    assert strategy.num_replicas_in_sync == 1
    assert float(strategy.reduce("SUM", tf.constant([1.0, 2.0]), axis=0)) == 3.0
    np.testing.assert_array_equal(
        strategy.reduce("MEAN", tf.constant([1.0, 2.0]), axis=None).numpy(), [1.0, 2.0])
    assert int(strategy.run(lambda x: x + 1, args=(tf.constant(1),))) == 2
    reduced = context.all_reduce("SUM", [tf.constant(1.0), 2.0])
    assert [float(t) for t in reduced] == [1.0, 2.0] and reduced[1].dtype == tf.float32
    merged = context.merge_call(lambda s, x: (s, x, tf.distribute.in_cross_replica_context()),
                                args=(3,))
    assert merged == (strategy, 3, True)


def test_mirrored_strategy_contexts():
    strategy = tf.distribute.MirroredStrategy()
    assert strategy.num_replicas_in_sync == 1 and strategy.cluster_resolver is None
    with strategy.scope():
        assert tf.distribute.get_strategy() is strategy and tf.distribute.has_strategy()
        assert tf.distribute.in_cross_replica_context()
        assert tf.distribute.get_replica_context() is None
        with strategy.scope():                    # re-entrant
            assert tf.distribute.get_strategy() is strategy
        replica_id = strategy.run(
            lambda: tf.distribute.get_replica_context().replica_id_in_sync_group)
        assert replica_id.dtype == tf.int32 and int(replica_id) == 0
        assert strategy.run(tf.distribute.in_cross_replica_context) is False
    assert not tf.distribute.has_strategy()


def test_run_returns_plain_tensors_and_unwraps_distributed_values():
    strategy = tf.distribute.MirroredStrategy()
    result = strategy.run(lambda x, y=0: x * 2 + y,
                          args=(tf.distribute.PerReplica([tf.constant(3)]),), kwargs={"y": 1})
    assert isinstance(result, tf.Tensor) and int(result) == 7
    assert strategy.experimental_local_results(result) == (result,)


def test_errors_match_tensorflow():
    strategy, other = tf.distribute.MirroredStrategy(), tf.distribute.OneDeviceStrategy("/cpu:0")
    with pytest.raises(ValueError, match="positional args must be a list or tuple, got "
                                         "<class 'int'>"):
        strategy.run(lambda x: x, args=5)
    with strategy.scope():
        with pytest.raises(RuntimeError, match="Mixing different tf.distribute.Strategy "
                                               "objects: .* is not "):
            with other.scope():
                pass
        with pytest.raises(RuntimeError, match="Method requires being in cross-replica "
                                               r"context, use get_replica_context\(\).merge_call"):
            strategy.run(lambda: strategy.reduce("SUM", 1.0, None))
    with pytest.raises(ValueError, match="'PROD' is not a valid ReduceOp"):
        strategy.reduce("PROD", 1.0, None)
    with pytest.raises(ValueError, match="No duplicates allowed"):
        tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:0"])


def test_reduce_with_axes_and_gather():
    strategy = tf.distribute.MirroredStrategy()
    value = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert float(strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=(0, 1))) == 2.5
    np.testing.assert_array_equal(strategy.reduce("sum", value, axis=1).numpy(), [3.0, 7.0])
    np.testing.assert_array_equal(strategy.gather(tf.constant([[1, 2]]), axis=1).numpy(),
                                  [[1, 2]])
    with pytest.raises(ValueError, match=r"`axis` = 2 out of range for `value` with rank 2"):
        strategy.reduce("MEAN", value, axis=2)


def test_reduce_op():
    assert tf.distribute.ReduceOp("SUM") is tf.distribute.ReduceOp.SUM
    assert str(tf.distribute.ReduceOp.MEAN) == "ReduceOp.MEAN"
    assert tf.distribute.ReduceOp.from_variable_aggregation(
        tf.VariableAggregation.MEAN) is tf.distribute.ReduceOp.MEAN


def test_extended_and_cluster_resolver():
    strategy = tf.distribute.MirroredStrategy()
    assert strategy.extended.should_checkpoint and strategy.extended.should_save_summary
    assert strategy.extended.worker_devices == ("/job:localhost/replica:0/task:0/device:CPU:0",)
    assert not EchoStrategy(rank=1).extended.should_checkpoint
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        {"worker": ["a:1", "b:2"]}, task_type="worker", task_id=1)
    assert resolver.task_id == 1 and resolver.cluster_spec().num_tasks("worker") == 2
    assert repr(resolver.cluster_spec()) == "ClusterSpec({'worker': ['a:1', 'b:2']})"
    with pytest.raises(ValueError, match="takes its workers from MPI"):
        tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)


def test_multi_worker_strategy_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)     # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "tapeflow\[mpi\]"'):
        tf.distribute.MultiWorkerMirroredStrategy()


def test_importing_tapeflow_never_imports_mpi4py():
    code = ("import sys, tapeflow as tf; tf.distribute.MirroredStrategy(); "
            "tf.keras.optimizers.SGD(); print('mpi4py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "False"


# -- several replicas, simulated by an EchoStrategy (see fakes.py) -----------------------

def test_replica_context_all_reduce_and_its_gradient():
    strategy = EchoStrategy(size=2)          # two replicas holding the same values
    x = tf.constant([1.0, 2.0])

    def step():
        context = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = context.all_reduce("SUM", {"a": x * 3.0, "b": tf.constant(1.0)})
            y = tf.reduce_sum(total["a"])
        return total, tape.gradient(y, x), context.all_reduce("MEAN", x)

    total, grad, mean = strategy.run(step)
    np.testing.assert_array_equal(total["a"].numpy(), [6.0, 12.0])   # 2 replicas x 3x
    assert float(total["b"]) == 2.0
    np.testing.assert_array_equal(grad.numpy(), [6.0, 6.0])          # d/dx sum_r 3x = 3 * 2
    np.testing.assert_array_equal(mean.numpy(), [1.0, 2.0])
    sent = [call for call in strategy.communicator.calls if call[0] == "allreduce"]
    assert sent[0] == ("allreduce", "sum", 3)      # one buffer for both float32 tensors


def test_collectives_run_on_every_call_of_a_traced_function():
    strategy = EchoStrategy(size=2)

    @tf.function
    def step(x):
        return strategy.run(
            lambda v: tf.distribute.get_replica_context().all_reduce("SUM", v * 2.0), args=(x,))

    assert float(step(tf.constant(1.0))) == 4.0
    assert float(step(tf.constant(5.0))) == 20.0
    assert len(strategy.communicator.calls) == 2          # traced once, reduced twice
    graph = step.get_concrete_function(tf.constant(1.0)).graph
    assert "CollectiveAllReduce" in [node.type for node in graph.get_operations()]


def test_reduce_mean_along_an_axis_weights_by_total_count():
    strategy = EchoStrategy(size=2)
    value = tf.ones([3, 2])
    np.testing.assert_array_equal(strategy.reduce("MEAN", value, axis=0).numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(strategy.reduce("SUM", value, axis=0).numpy(), [6.0, 6.0])
    assert float(strategy.reduce("SUM", tf.constant(2.0), axis=None)) == 4.0
    np.testing.assert_array_equal(strategy.gather(tf.constant([1, 2]), axis=0).numpy(),
                                  [1, 2, 1, 2])
    np.testing.assert_array_equal(strategy.gather(tf.constant([[1, 2]]), axis=1).numpy(),
                                  [[1, 2, 1, 2]])
