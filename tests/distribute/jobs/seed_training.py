"""The decisive test's job: the seed model trained on the same global batches.

    mpiexec -n 2 python -m mpi4py seed_training.py OUT strategy   (2 replicas, batch 32 each)
    python seed_training.py OUT plain                              (1 process, batch 64)

Each rank seeds its initializers differently (rank 0 like the plain run), so
equal results also prove that rank 0's initial weights were broadcast. The loss
follows TF's rules for distributed custom loops: per-example losses averaged
over the *global* batch, the regularization loss divided by the replica count;
the optimizer sums the replicas' gradients.

The forward pass uses training=False: dropout masks are random draws and
BatchNormalization's batch statistics are per replica (in TF as here), so only
then can 2 x 32 rows give the same numbers as 64 rows. A second run with
training=True (strategy mode only) checks that replicas stay identical anyway.
Writes OUT/<mode>-<rank>.npz with the final weights and per-step losses.
"""
import os
import sys

import numpy as np

import tapeflow as tf

GLOBAL_BATCH = 64
STEPS = 4


def build_model():
    return tf.keras.Sequential([
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


def global_batches():
    rng = np.random.default_rng(0)
    images = rng.random((STEPS * GLOBAL_BATCH, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, STEPS * GLOBAL_BATCH).astype(np.int64)
    return [(images[i:i + GLOBAL_BATCH], labels[i:i + GLOBAL_BATCH])
            for i in range(0, len(images), GLOBAL_BATCH)]


def train(strategy, rank, training):
    tf.random.set_seed(1234 + rank)             # different initial weights on each rank
    with strategy.scope():
        model = build_model()
        optimizer = tf.keras.optimizers.Adam(0.001)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def train_step(images, labels):
        with tf.GradientTape() as tape:
            logits = model(images, training=training)
            per_example = loss_fn(labels, logits)
            loss = (tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
                    + tf.nn.scale_regularization_loss(model.losses))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function
    def distributed_step(images, labels):
        losses = strategy.run(train_step, args=(images, labels))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    dataset = strategy.experimental_distribute_dataset(global_batches())
    losses = [float(distributed_step(images, labels)) for images, labels in dataset]
    return model, losses


def main(out_dir, mode):
    if mode == "plain":
        strategy, rank = tf.distribute.get_strategy(), 0
    else:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        rank = strategy.cluster_resolver.task_id
    model, losses = train(strategy, rank, training=False)
    result = {"losses": np.array(losses), "replicas": strategy.num_replicas_in_sync}
    for i, v in enumerate(model.trainable_variables):
        result[f"w{i}"] = v.numpy()
    if mode != "plain":
        trained, _ = train(strategy, rank, training=True)
        for i, v in enumerate(trained.trainable_variables):
            result[f"t{i}"] = v.numpy()
    np.savez(os.path.join(out_dir, f"{mode}-{rank}.npz"), **result)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
