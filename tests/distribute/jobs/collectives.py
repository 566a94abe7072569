"""Collectives of a real 2-rank job; each rank writes OUT/collectives-<rank>.json."""
import json
import os
import sys

import numpy as np

import tapeflow as tf
from tapeflow.ops import _parallel


def main(out_dir):
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    rank = strategy.cluster_resolver.task_id
    result = {"replicas": strategy.num_replicas_in_sync, "task_id": rank,
              "task_type": strategy.cluster_resolver.task_type,
              "should_checkpoint": strategy.extended.should_checkpoint,
              "kernel_threads": _parallel.WORKERS}
    value = strategy.run(lambda: tf.constant(float(rank + 1)))
    result["sum"] = float(strategy.reduce("SUM", value, axis=None))
    result["mean"] = float(strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None))
    uneven = strategy.run(lambda: tf.ones([rank + 1, 2]))     # 1 row on rank 0, 2 on rank 1
    result["mean_axis"] = strategy.reduce("MEAN", uneven, axis=0).numpy().tolist()
    doubled = tf.constant([1.0, 2.0]) * (rank + 1)
    result["gather"] = strategy.gather(doubled, axis=0).numpy().tolist()
    result["gather_uneven"] = strategy.gather(tf.fill([rank + 1], rank), axis=0).numpy().tolist()
    ints = tf.constant([rank, 10], tf.int64)
    result["ints"] = strategy.reduce("SUM", ints, axis=None).numpy().tolist()
    with strategy.scope():
        variable = tf.Variable(float(rank + 5))                 # rank 0's value wins
        metric = tf.keras.metrics.Mean()
    result["variable"] = float(variable)
    strategy.run(metric.update_state, args=([float(rank), float(rank) + 1],))
    result["metric"] = [float(metric.result()), float(metric.count)]

    @tf.function
    def step(x):
        def replica_fn(x):
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(variable * x)
            total = tf.distribute.get_replica_context().all_reduce(
                "SUM", tape.gradient(y, variable))
            variable.assign_sub(0.5 * total)
            metric.update_state(x)
            return total
        return strategy.run(replica_fn, args=(x,))
    result["steps"] = [float(step(tf.constant([float(rank + 1)]))) for _ in range(2)]
    result["after_steps"] = [float(variable), float(metric.result())]
    dataset = strategy.experimental_distribute_dataset(
        [np.arange(i, min(i + 4, 11)) for i in range(0, 11, 4)])
    result["shares"] = [batch.numpy().tolist() for batch in dataset]
    with open(os.path.join(out_dir, f"collectives-{rank}.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1])
