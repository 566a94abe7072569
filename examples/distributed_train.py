"""The seed's training program on several processes, with tf.distribute over MPI.

Each process is one replica. Every step, each replica takes its half (third,
...) of a global batch of 64 MNIST images, computes its gradients, and one
all-reduce sums them, so all replicas apply the same update and stay equal.

    pip install "tapeflow[mpi]"
    mpiexec -n 2 python -m mpi4py examples/distributed_train.py
    python examples/distributed_train.py          # one process, one replica

`python -m mpi4py` makes a rank that raises end the whole job (instead of
leaving the others waiting). Only rank 0 prints. Options: --epochs (default
$TAPEFLOW_EXAMPLE_EPOCHS or 2), --images (default $TAPEFLOW_EXAMPLE_IMAGES or
all 60,000); MNIST is read from $TAPEFLOW_DATA_DIR (see mnist_data.py).
"""
import argparse
import os
import sys
import time

import numpy as np

import tapeflow as tf
from mnist_data import data_dir

GLOBAL_BATCH_SIZE = 64


def make_strategy():
    """One replica per MPI process; one process without MPI (mpi4py not installed)."""
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except ImportError as error:
        print(f"{error}\nRunning as one process.", file=sys.stderr)
        return tf.distribute.MirroredStrategy()


def mnist_global_batches(limit=None):
    """MNIST in global batches, reshuffled every epoch with the same seed on every process.

    drop_remainder: a short last batch would leave the last replicas few rows or
    none, and BatchNormalization's statistics of no rows are NaN (in TF as well).
    """
    (images, labels), _ = tf.keras.datasets.mnist.load_data(data_dir=data_dir())
    images = (images[:limit].astype(np.float32) / 255.0)[..., np.newaxis]
    dataset = tf.data.Dataset.from_tensor_slices((images, labels[:limit]))
    return dataset.shuffle(len(images), seed=0).batch(GLOBAL_BATCH_SIZE, drop_remainder=True)


def main(epochs, images=None):
    strategy = make_strategy()
    is_chief = strategy.extended.should_checkpoint
    # Every process reads the same global batches and keeps its share of each.
    dataset = strategy.experimental_distribute_dataset(mnist_global_batches(images))

    with strategy.scope():       # variables created here start equal on every replica
        model = tf.keras.Sequential([
            tf.keras.Input((28, 28, 1)),
            tf.keras.layers.Conv2D(32, 3, activation="relu",
                                   kernel_regularizer=tf.keras.regularizers.l2(0.02)),
            tf.keras.layers.MaxPooling2D(),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(0.1),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Dense(10),
        ])
        optimizer = tf.keras.optimizers.Adam(0.001)
        loss_metric = tf.keras.metrics.Mean(name="train_loss")            # aggregated over
        accuracy_metric = tf.keras.metrics.SparseCategoricalAccuracy()   # all replicas
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def train_step(inputs, labels):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            # TF's rules: average over the *global* batch; the regularization loss is
            # divided by the replica count, because the replicas' gradients are summed.
            pred_loss = tf.nn.compute_average_loss(loss_fn(labels, predictions),
                                                   global_batch_size=GLOBAL_BATCH_SIZE)
            total_loss = pred_loss + tf.nn.scale_regularization_loss(model.losses)
        gradients = tape.gradient(total_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))  # all-reduce
        accuracy_metric.update_state(labels, predictions)
        return total_loss

    @tf.function
    def distributed_train_step(inputs, labels):
        per_replica_loss = strategy.run(train_step, args=(inputs, labels))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_loss, axis=None)

    for epoch in range(epochs):
        loss_metric.reset_state()
        accuracy_metric.reset_state()
        start, steps = time.perf_counter(), 0
        for inputs, labels in dataset:
            loss_metric.update_state(distributed_train_step(inputs, labels))
            steps += 1
        seconds = time.perf_counter() - start
        if is_chief:
            print(f"Epoch: {epoch}   ({strategy.num_replicas_in_sync} replicas, {steps} steps, "
                  f"{steps * GLOBAL_BATCH_SIZE / seconds:.0f} images/s)")
            print(f"  loss:     {float(loss_metric.result()):.3f}")
            print(f"  accuracy: {float(accuracy_metric.result()):.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int,
                        default=int(os.environ.get("TAPEFLOW_EXAMPLE_EPOCHS", 2)))
    parser.add_argument("--images", type=int,
                        default=int(os.environ.get("TAPEFLOW_EXAMPLE_IMAGES", 0)) or None,
                        help="train on the first N images only")
    arguments = parser.parse_args()
    main(arguments.epochs, arguments.images)
