"""`tf.keras.callbacks.TensorBoard`: training curves, weight histograms and images.

Two runs under `log_dir`: `train/` gets per-epoch losses, metrics and the
learning rate (`epoch_<name>`), per-batch values when `update_freq` asks
(`batch_<name>`), weight histograms and images; `validation/` gets the
validation metrics without their `val_` prefix (`epoch_<name>`) and, after
each evaluation, `evaluation_<name>_vs_iterations` at the optimizer's step.

During training the train writer is the default writer with the global batch
number as step, so `tf.summary` calls inside a model write into the train run;
with `update_freq=n` they are recorded on every n-th batch only. As in Keras,
that batch condition is still in force when epoch summaries are written.
"""
import os
import time
import warnings

from tapeflow import summary as _summary
from tapeflow.core.array_api import xp
from tapeflow.distribute.context import is_chief
from tapeflow.summary import proto

try:
    from tapeflow.keras.callbacks.callback import Callback
except ImportError:      # the Keras training helper's base class is not merged yet
    class Callback:
        """Minimal stand-in for `keras.callbacks.Callback`: every hook does nothing."""

        def __init__(self):
            self.params = None
            self._model = None

        def set_params(self, params):
            self.params = params

        def set_model(self, model):
            self._model = model

        @property
        def model(self):
            return self._model

        def _no_op(self, *args, **kwargs):
            pass

        on_batch_begin = on_batch_end = on_test_batch_end = _no_op
        on_predict_begin = on_predict_end = on_predict_batch_begin = _no_op
        on_predict_batch_end = _no_op


class TensorBoard(Callback):
    """Writes TensorBoard logs while a model trains.

    Args:
      log_dir: the directory under which `train/` and `validation/` runs are written.
      histogram_freq: write weight histograms every this many epochs (0: never).
      write_graph: write the model's configuration for TensorBoard's Graphs tab
        (Sequential and functional models).
      write_images: with `histogram_freq`, also write weights as images.
      write_steps_per_second: also write training speed in steps per second.
      update_freq: "epoch", "batch", or an int n: write batch-level values
        (`batch_<name>`) every n batches.
      profile_batch: must be 0: tapeflow has no profiler.
      embeddings_freq, embeddings_metadata: accepted; embeddings are not written.

    Example:

    ```python
    model.fit(x, y, epochs=5, callbacks=[tf.keras.callbacks.TensorBoard("logs")])
    # then: tensorboard --logdir logs
    ```
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True,
                 write_images=False, write_steps_per_second=False, update_freq="epoch",
                 profile_batch=0, embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if profile_batch:
            raise ValueError("Profiling is not available in tapeflow. Received: "
                             f"profile_batch={profile_batch} (must be 0)")
        if embeddings_freq:
            warnings.warn("TensorBoard(embeddings_freq=...): embeddings are not written by "
                          "tapeflow.", stacklevel=2)
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._writers = {}
        self._contexts = []          # (as_default, record_if) pairs entered by _push_writer
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0

    # -- writers --------------------------------------------------------------------
    def set_model(self, model):
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        if self.write_graph:
            self._write_model_config()

    def _writer(self, run):
        """The writer of `train` or `validation`, created on first use."""
        if run not in self._writers:
            directory = self._train_dir if run == "train" else self._val_dir
            if is_chief(getattr(self.model, "distribute_strategy", None)):
                self._writers[run] = _summary.create_file_writer(directory)
            else:                   # under tf.distribute, only the chief (rank 0) writes
                self._writers[run] = _summary.create_noop_writer()
        return self._writers[run]

    def _push_writer(self, run, step):
        """Makes `run`'s writer the default, recording only on every `update_freq`-th step."""
        if self.update_freq == "epoch":
            return
        freq = self.update_freq
        contexts = (self._writer(run).as_default(step),
                    _summary.record_if(lambda: step % freq == 0))
        for context in contexts:
            context.__enter__()
        self._contexts.append(contexts)

    def _pop_writer(self):
        if self.update_freq == "epoch" or not self._contexts:
            return
        for context in reversed(self._contexts.pop()):
            context.__exit__(None, None, None)

    # -- hooks ----------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._push_writer("train", 0)

    def on_train_end(self, logs=None):
        self._pop_writer()
        for writer in self._writers.values():
            writer.close()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_iterations = int(self._iterations())
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        self._pop_writer()
        self._push_writer("train", self._global_train_batch)
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-9)
            _summary.scalar("batch_steps_per_second", 1.0 / elapsed, step=step)
        if isinstance(logs, dict):
            for name, value in logs.items():
                _summary.scalar(f"batch_{name}", value, step=step)

    def on_test_begin(self, logs=None):
        self._push_writer("validation", self._global_test_batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1
        self._pop_writer()
        self._push_writer("validation", self._global_test_batch)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations") and logs:
            with self._writer("validation").as_default():
                for name, value in logs.items():
                    _summary.scalar(f"evaluation_{name}_vs_iterations", value,
                                    step=optimizer.iterations)
        self._pop_writer()

    def on_epoch_end(self, epoch, logs=None):
        self._write_epoch_logs(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(epoch)

    # -- what is written ---------------------------------------------------------------
    def _write_epoch_logs(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs.update(self._learning_rates())
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._epoch_start_time, 1e-9)
            train_logs["steps_per_second"] = (
                (int(self._iterations()) - self._epoch_start_iterations) / elapsed)
        for run, run_logs in (("train", train_logs), ("validation", val_logs)):
            if run_logs:
                with self._writer(run).as_default():
                    for name, value in run_logs.items():
                        _summary.scalar(f"epoch_{name}", value, step=epoch)

    def _learning_rates(self):
        """`{"learning_rate": lr}` for the model's optimizer (one entry per wrapped optimizer)."""
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None:
            return {}
        if hasattr(optimizer, "optimizers"):
            return {f"learning_rate_{opt.name}": float(xp.asarray(opt.learning_rate))
                    for opt in optimizer.optimizers}
        if hasattr(optimizer, "learning_rate"):
            return {"learning_rate": float(xp.asarray(optimizer.learning_rate))}
        return {}

    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        return xp.asarray(optimizer.iterations) if optimizer is not None else 0

    def _write_weights(self, epoch):
        writer = self._writer("train")
        with writer.as_default():
            for layer in self.model.layers:
                for weight in layer.weights:
                    name = (getattr(weight, "path", None) or weight.name).replace(":", "_")
                    _summary.histogram(f"{name}/histogram", weight, step=epoch)
                    if self.write_images:
                        image = _weight_image(xp.asarray(weight))
                        if image is not None:
                            _summary.image(f"{name}/image", image, step=epoch)
            writer.flush()

    def _write_model_config(self):
        """The model's JSON config, which TensorBoard's Graphs tab draws as a Keras graph."""
        model = self.model
        if type(model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            config = model.to_json()
        except Exception as error:     # as in Keras: a model that cannot serialize is skipped
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {error}")
            return
        metadata = proto.summary_metadata("graph_keras_model", content=b"1")
        with self._writer("train").as_default():
            _summary.write("keras", config, step=0, metadata=metadata)


def _weight_image(weight):
    """A weight laid out as images `[k, h, w, 1]`, or None when it has no image layout.

    Vectors become one 1-row image; matrices one image with rows <= columns;
    3-D weights (h, w, c) one image per channel c.
    """
    image = xp.squeeze(weight)
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        image = xp.transpose(image, (2, 0, 1))[..., None]
    if image.ndim == 4 and image.shape[-1] in (1, 3, 4):
        return image
    return None

