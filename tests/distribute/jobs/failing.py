"""Rank 1 raises while rank 0 waits in an all-reduce: the job must end, non-zero."""
import tapeflow as tf

strategy = tf.distribute.MultiWorkerMirroredStrategy()
if strategy.cluster_resolver.task_id == 1:
    raise ValueError("rank 1 failed on purpose")
strategy.reduce("SUM", tf.constant(1.0), axis=None)     # never completes: rank 1 is gone
