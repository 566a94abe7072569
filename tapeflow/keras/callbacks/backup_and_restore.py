"""BackupAndRestore: resume an interrupted `fit` from the last completed epoch.

At the end of every epoch (or every `save_freq` batches) the callback writes
the model's weights and optimizer state (`latest.weights.h5`) and the epoch
reached (`training_metadata.json`) into `backup_dir`, each atomically. When
`fit` starts again with the same callback directory, it loads them and
training continues at that epoch (`model._initial_epoch`). A `fit` that
completes deletes the directory (unless `delete_checkpoint=False`).
"""
import json
import os
import shutil

from tapeflow._util.atomic import write_text
from tapeflow.distribute.context import is_chief
from tapeflow.keras.callbacks.callback import Callback


class BackupAndRestore(Callback):
    """Backs up the training state every epoch and restores it when `fit` restarts.

    Args:
      backup_dir: a directory used only by this callback.
      save_freq: "epoch", or an int n: back up every n batches.
      double_checkpoint: also keep the previous backup (`*.bkp`), used if the
        latest cannot be read.
      delete_checkpoint: delete the backup when `fit` completes.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq="
                             f"{save_freq}. Expected either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"

    def on_train_begin(self, logs=None):
        try:
            self._load_model()
        except (OSError, ValueError):
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copyfile(self._prev_training_metadata_path,
                                self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, you model must be built "
                             f"before you call `fit()`. Model {self.model} is unbuilt. You can "
                             "build it beforehand by calling it on a batch of data.")
        if os.path.exists(self._weights_path):
            optimizer = self.model.optimizer
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.model.trainable_variables)
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as f:
                self.model._initial_epoch = json.loads(f.read())["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _save_model(self):
        if not self._is_chief():
            return                  # under tf.distribute, only the chief (rank 0) writes
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for current, previous in ((self._weights_path, self._prev_weights_path),
                                      (self._training_metadata_path,
                                       self._prev_training_metadata_path)):
                if os.path.exists(current):
                    shutil.copyfile(current, previous)
        self.model.save_weights(self._weights_path, overwrite=True)
        write_text(self._training_metadata_path,
                   json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen}))

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _is_chief(self):
        return is_chief(getattr(self.model, "distribute_strategy", None))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and self._is_chief() and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
        self.model._initial_epoch = None
