"""Keras `fit` under MultiWorkerMirroredStrategy, and the same fit in one process.

    python keras_fit.py OUT plain
    mpiexec -n 2 python -m mpi4py keras_fit.py OUT strategy
    mpiexec -n 2 python -m mpi4py keras_fit.py OUT backup-crash|backup-resume|backup-straight

The model is the seed model without its Dropout and BatchNormalization layers
(random masks and per-replica batch statistics cannot match a one-process run).
Each rank seeds its generators differently (rank 0 like the plain run), so
equal results also show that initial weights and the epoch's shuffle order
come from rank 0. Writes OUT/<mode>-<rank>.npz: weights, history and how many
times this rank saved a checkpoint.
"""
import os
import sys

import numpy as np

import tapeflow as tf

GLOBAL_BATCH = 64


def build_model():
    model = tf.keras.Sequential([
        tf.keras.Input((28, 28, 1)),
        tf.keras.layers.Conv2D(32, 3, activation="relu",
                               kernel_regularizer=tf.keras.regularizers.l2(0.02)),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(10),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.001),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def data():
    rng = np.random.default_rng(0)
    images = rng.random((288, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, 288).astype(np.int64)
    # 4 training batches; validation is one batch of 32 rows: 32 for rank 0, none for
    # rank 1, as TF splits it (an uneven *training* batch would not match one process
    # in TF either: Keras scales each replica's mean loss by 1 / replicas).
    return images[:256], labels[:256], (images[256:], labels[256:])


class Crash(tf.keras.callbacks.Callback):
    """Ends the job at the start of the third epoch (as a machine failure would)."""

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise SystemExit(3)


def main(out_dir, mode):
    strategy = tf.distribute.get_strategy() if mode == "plain" else \
        tf.distribute.MultiWorkerMirroredStrategy()
    rank = 0 if mode == "plain" else strategy.cluster_resolver.task_id
    tf.keras.utils.set_random_seed(rank)
    with strategy.scope():
        model = build_model()
    saves = []
    save_weights = model.save_weights
    model.save_weights = lambda *args, **kwargs: (saves.append(1), save_weights(*args, **kwargs))
    x, y, validation = data()
    callbacks, epochs = [], 2
    if mode == "strategy":
        callbacks = [tf.keras.callbacks.ModelCheckpoint(
            os.path.join(out_dir, "ckpt-{epoch}.weights.h5"), save_weights_only=True),
            tf.keras.callbacks.TensorBoard(os.path.join(out_dir, "logs"))]
    elif mode.startswith("backup"):
        epochs = 4
        backup = os.path.join(out_dir, "backup-straight" if mode == "backup-straight" else
                              "backup")
        callbacks = [tf.keras.callbacks.BackupAndRestore(backup)]
        if mode == "backup-crash":
            callbacks.append(Crash())
    # (a resumed run cannot replay the shuffle orders an uninterrupted run would draw)
    shuffle = not mode.startswith("backup")
    history = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=epochs, verbose=2,
                        validation_data=validation, callbacks=callbacks, shuffle=shuffle)
    result = {f"w{i}": v.numpy() for i, v in enumerate(model.weights)}
    for key, values in history.history.items():
        result[f"history_{key}"] = np.array(values)
    result["epochs_run"] = np.array(history.epoch)
    result["saves"] = np.array(len(saves))
    np.savez(os.path.join(out_dir, f"{mode}-{rank}.npz"), **result)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
