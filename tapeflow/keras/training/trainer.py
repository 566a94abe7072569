"""The Trainer mixin of `Model`: compile/fit/evaluate/predict live here.

`Model` (keras/models/model.py) inherits from `Trainer` and calls
`Trainer.__init__(self)` first thing in its constructor, so the training
part of Keras keeps its state (optimizer, compiled loss and metrics,
`stop_training`, `history`) on the model without touching the model classes.

How `fit` runs (Keras 3's loop):

    for epoch in range(initial_epoch, epochs):
        reset the metrics; callbacks.on_epoch_begin
        for step, batch in the epoch's batches:
            logs = train_function(batch)       # train_step, compiled by tf.function
            callbacks.on_train_batch_end(step, logs)
        [validation: evaluate(...) -> val_* logs]
        callbacks.on_epoch_end(epoch, logs)

`train_function` wraps `train_step(data)` (overridable) in `tf.function` with
`reduce_retracing=True`: one trace per batch shape, the last, smaller batch
adds one relaxed trace. `run_eagerly=True` (or `tf.config.run_functions_eagerly`)
runs the Python step directly. A step that raises leaves every model, optimizer
and metric variable as it was before the step (variables are never written in
place, so the previous values are kept by reference and put back).
"""
import functools
import inspect
import warnings

from tapeflow.core import nest
from tapeflow.core.array_api import xp
from tapeflow.core.tape import GradientTape
from tapeflow.core.tensor import Tensor
from tapeflow.distribute import context as distribute_context
from tapeflow.distribute.input import per_replica_steps
from tapeflow.graph.function import function
from tapeflow.keras.callbacks.callback import CallbackList, pythonify_logs
from tapeflow.keras.losses.loss import scale_loss_for_distribution, unscale_loss_for_distribution
from tapeflow.keras.metrics.metric import Metric
from tapeflow.keras.training import data_adapter
from tapeflow.keras.training.compile_utils import CompileLoss, CompileMetrics
from tapeflow.ops import array as _array
from tapeflow.ops import math as _math

_TRAINER_METRIC_ATTRIBUTES = ("_loss_tracker", "_compile_metrics")


def _in_strategy_scope(method):
    """Runs `method` in the scope of the model's tf.distribute strategy."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.distribute_strategy.scope():
            return method(self, *args, **kwargs)
    return wrapper


class Trainer:
    """Mixin for Model: `compile`, `fit`, `evaluate`, `predict` and their steps."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._compile_config = None
        self._run_eagerly = False
        self._jit_compile = False
        self.steps_per_execution = 1
        self.train_function = None
        self.test_function = None
        self.predict_function = None
        self.stop_training = False
        self.stop_evaluating = False
        self.stop_predicting = False
        self.history = None
        self._initial_epoch = None
        self._state_variables = None
        # A model created in a tf.distribute strategy's scope trains with that strategy.
        self._distribute_strategy = (distribute_context.get_strategy()
                                     if distribute_context.has_strategy() else None)

    # ====================================================================================
    # compile
    # ====================================================================================
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training.

        Args:
          optimizer: an optimizer name (`"adam"`) or instance.
          loss: a loss name (`"sparse_categorical_crossentropy"`, `"mse"`), a
            `tf.keras.losses.Loss`, or a function `fn(y_true, y_pred)`; for
            several outputs, a list or dict of them.
          loss_weights: scalar weights of each output's loss (list or dict).
          metrics: a list of metric names (`"accuracy"` picks binary, categorical
            or sparse categorical accuracy from the shapes), functions or Metric
            objects; a list or dict per output for several outputs.
          weighted_metrics: metrics that `sample_weight`/`class_weight` weight.
          run_eagerly: run the steps as plain Python (for debugging) instead of
            compiling them with `tf.function`.
          steps_per_execution: steps per callback call (the steps themselves run one by
            one; callbacks see every n-th batch, as in Keras).
          jit_compile: accepted for compatibility (there is no XLA here).
          auto_scale_loss: accepted for compatibility (mixed precision scaling).

        >>> import tapeflow as tf
        >>> model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        >>> model.compile("sgd", "mse", metrics=["mae"])
        >>> [m.name for m in model.metrics]
        ['loss', 'compile_metrics']
        """
        from tapeflow.keras import optimizers
        from tapeflow.keras.metrics.reduction import Mean
        self.optimizer = optimizers.get(optimizer)
        output_names = self._output_names()
        self._compile_loss = None
        self._compile_metrics = None
        if loss is not None:
            self._compile_loss = CompileLoss(loss, loss_weights, output_names=output_names)
        self.loss = loss
        if metrics is not None or weighted_metrics is not None:
            self._compile_metrics = CompileMetrics(metrics, weighted_metrics,
                                                   output_names=output_names)
        if jit_compile == "auto" or run_eagerly:
            jit_compile = False
        self._jit_compile = bool(jit_compile)
        self._run_eagerly = bool(run_eagerly)
        self.stop_training = False
        self.compiled = True
        self._loss_tracker = Mean(name="loss")
        self.steps_per_execution = steps_per_execution
        self.train_function = self.test_function = self.predict_function = None
        object.__setattr__(self, "_state_variables", None)
        self._compile_config = {"optimizer": optimizer, "loss": loss,
                                "loss_weights": loss_weights, "metrics": metrics,
                                "weighted_metrics": weighted_metrics,
                                "run_eagerly": run_eagerly,
                                "steps_per_execution": steps_per_execution,
                                "jit_compile": self._jit_compile}

    def _output_names(self):
        outputs = getattr(self, "_outputs", None)
        if not isinstance(outputs, list) or not outputs:
            return None
        try:
            return [x._keras_history.operation.name for x in outputs]
        except AttributeError:
            return None

    @property
    def distribute_strategy(self):
        """The tf.distribute strategy the model was created under (else the current one)."""
        return self._distribute_strategy or distribute_context.get_strategy()

    @property
    def run_eagerly(self):
        """Whether the steps run as plain Python (no `tf.function`)."""
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = bool(value)
        self.train_function = self.test_function = self.predict_function = None

    @property
    def jit_compile(self):
        return self._jit_compile

    @jit_compile.setter
    def jit_compile(self, value):
        self._jit_compile = bool(value)

    def get_compile_config(self):
        """The arguments `compile` was called with (serialized), or {} if not compiled."""
        if not self.compiled or self._compile_config is None:
            return {}
        from tapeflow.keras.saving.serialization import serialize_keras_object
        return {key: serialize_keras_object(value)
                for key, value in self._compile_config.items()}

    def compile_from_config(self, config):
        """Compiles the model from `get_compile_config()`'s output."""
        if type(self).compile is not Trainer.compile:
            warnings.warn("`compile()` was not called as part of model loading because the "
                          "model's `compile()` method is custom. All subclassed Models that "
                          "have `compile()` overridden should also override "
                          "`get_compile_config()` and `compile_from_config(config)`. "
                          "Alternatively, you can call `compile()` manually after loading.",
                          stacklevel=2)
            return
        from tapeflow.keras.saving.serialization import deserialize_keras_object
        config = {key: deserialize_keras_object(value) for key, value in config.items()}
        self.compile(**config)
        if self.optimizer is not None and self.built:
            self.optimizer.build(self.trainable_variables)

    # ====================================================================================
    # metrics
    # ====================================================================================
    @property
    def metrics(self):
        """The loss tracker, the compiled metrics, then the model's own and sublayers' metrics."""
        found = []
        if self.compiled:
            if self._loss_tracker is not None:
                found.append(self._loss_tracker)
            if self._compile_metrics is not None:
                found.append(self._compile_metrics)
            if self._compile_loss is not None:
                found.extend(self._compile_loss.metrics)
        found.extend(self._metrics)
        for layer in self._flatten_layers(include_self=False):
            if isinstance(layer, Trainer):
                continue
            found.extend(_metrics_in(layer.__dict__.values()))
        return found

    @property
    def _metrics(self):
        """Metrics assigned as attributes of the model (`self.loss_tracker = Mean()`)."""
        return _metrics_in(value for key, value in self.__dict__.items()
                           if key not in _TRAINER_METRIC_ATTRIBUTES)

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        """Resets the state of every metric in `metrics`."""
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self):
        """`{name: result}` of every metric (a dict result is merged in)."""
        results = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                results.update(result)
            else:
                results[metric.name] = result
        return results

    # ====================================================================================
    # steps (override train_step / test_step / predict_step to customize)
    # ====================================================================================
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of `(y, y_pred)` plus the model's `losses` (regularizers).

        Raises:
          ValueError: there is neither a compiled loss nor any `model.losses`.
        """
        del x, training
        losses = []
        if self._compile_loss is not None:
            loss = self._compile_loss(y, y_pred, sample_weight)
            if loss is not None:
                losses.append(loss)
        for loss in self.losses:
            if not loss.dtype.is_floating:
                loss = _math.cast(loss, "float32")
            losses.append(scale_loss_for_distribution(_math.reduce_sum(loss)))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        if len(losses) == 1:
            return losses[0]
        return _math.add_n([_math.cast(loss, "float32") for loss in losses])

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if "training" in inspect.signature(self.compute_loss).parameters:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics and returns `get_metrics_result()`."""
        del x
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def train_step(self, data):
        """One training step: forward, loss, gradients, optimizer update, metrics.

        Args:
          data: one batch: `x`, `(x, y)` or `(x, y, sample_weight)`.

        Returns:
          A dict of metric results (the logs callbacks and the progress bar see).
        """
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                      training=True)
            self._loss_tracker.update_state(unscale_loss_for_distribution(loss),
                                            sample_weight=_batch_size(x))
            if self.optimizer is not None:
                loss = self.optimizer.scale_loss(loss)
        trainable_weights = self.trainable_weights
        if trainable_weights:
            gradients = tape.gradient(loss, trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, trainable_weights))
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """One evaluation step: forward, loss and metrics (no update)."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=False)
        self._loss_tracker.update_state(unscale_loss_for_distribution(loss),
                                        sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch."""
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # TF 2 shims still found in custom train steps.
    @property
    def compiled_loss(self):
        """TF 2's `self.compiled_loss(y, y_pred, sample_weight, regularization_losses)`."""
        def compiled_loss(y, y_pred, sample_weight=None, regularization_losses=None):
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
            self._loss_tracker.update_state(loss)
            return loss
        return compiled_loss

    @property
    def compiled_metrics(self):
        """TF 2's `self.compiled_metrics.update_state(y, y_pred, sample_weight)`."""
        model = self

        class _CompiledMetrics:
            def update_state(self, y, y_pred, sample_weight=None):
                if model._compile_metrics is not None:
                    model._compile_metrics.update_state(y, y_pred, sample_weight=sample_weight)

            def reset_state(self):
                if model._compile_metrics is not None:
                    model._compile_metrics.reset_state()

            @property
            def metrics(self):
                return [] if model._compile_metrics is None else model._compile_metrics.metrics
        return _CompiledMetrics()

    # ====================================================================================
    # step functions
    # ====================================================================================
    def _make_function(self, step):
        def one_step_on_data(data):
            return self.distribute_strategy.run(step, args=(data,))
        one_step_on_data.__name__ = step.__name__
        if self.run_eagerly:
            return one_step_on_data
        return function(one_step_on_data, reduce_retracing=True)

    def make_train_function(self, force=False):
        """The function `fit` calls on each batch (`train_step`, compiled unless eager)."""
        if self.train_function is None or force:
            self.train_function = self._make_function(self.train_step)
        return self.train_function

    def make_test_function(self, force=False):
        if self.test_function is None or force:
            self.test_function = self._make_function(self.test_step)
        return self.test_function

    def make_predict_function(self, force=False):
        if self.predict_function is None or force:
            self.predict_function = self._make_function(self.predict_step)
        return self.predict_function

    def _run_step(self, step_function, data):
        """Runs one step; if it raises, every model/optimizer/metric variable is restored."""
        variables = self._state_variables or self._collect_state_variables()
        saved = [v._value for v in variables]
        try:
            logs = step_function(data)
        except BaseException:
            for variable, value in zip(variables, saved):
                variable._value = value
            raise
        if self._state_variables is None:
            # object.__setattr__: a list of weights set on a Layer would be tracked as its own.
            object.__setattr__(self, "_state_variables", self._collect_state_variables())
        return logs

    def _collect_state_variables(self):
        found, seen = [], set()
        groups = [self.weights]
        if self.optimizer is not None:
            groups.append(self.optimizer.variables)
        groups.extend(m.variables for m in self.metrics)
        for group in groups:
            for variable in group:
                if id(variable) not in seen:
                    seen.add(id(variable))
                    found.append(variable)
        return found

    # ====================================================================================
    # fit / evaluate / predict
    # ====================================================================================
    @_in_strategy_scope
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for a number of epochs; returns a `History` callback.

        Args:
          x: input data: NumPy arrays or tensors (or a list/dict of them), a
            `tf.data.Dataset` of `(x, y)` or `(x, y, sample_weight)` batches, a
            `keras.utils.PyDataset`, or a Python generator of batches.
          y: targets, with array inputs only.
          batch_size: samples per step for array inputs (default 32).
          epochs: the epoch to stop at (exclusive), counting from 0.
          verbose: "auto" or 1 (a progress bar per epoch), 2 (one line per
            epoch), 0 (silent).
          callbacks: a list of `tf.keras.callbacks.Callback`s.
          validation_split: fraction of the array data (taken from the end,
            before shuffling) held out for validation.
          validation_data: `(x_val, y_val)`, `(x_val, y_val, sw)` or a Dataset,
            evaluated at the end of each epoch (logs `val_*`).
          shuffle: shuffle array data each epoch (True), within batches ("batch"),
            or not (False).
          class_weight: `{class: weight}`, weighting the loss of each sample by
            its class.
          sample_weight: per-sample weights for the loss (array inputs).
          initial_epoch: the epoch to start from (to resume a run).
          steps_per_epoch: batches per epoch (default: all the data).
          validation_steps, validation_batch_size, validation_freq: how much,
            with what batch size and how often (every n epochs, or a list of
            epochs) to validate.

        Returns:
          The `History` object: `history.history[name]` lists per-epoch values.
        """
        self._assert_compile_called("fit")
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (x, y, sample_weight), validation_split=validation_split)
        if validation_data is not None:
            val_x, val_y, val_sample_weight = data_adapter.unpack_x_y_sample_weight(
                validation_data)
        epoch_iterator = data_adapter.EpochIterator(
            x, y, sample_weight=sample_weight, batch_size=batch_size,
            steps_per_epoch=steps_per_epoch, shuffle=shuffle, class_weight=class_weight)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_history=True,
                                     add_progbar=verbose != 0 and self._is_chief(),
                                     verbose=verbose, epochs=epochs,
                                     steps=epoch_iterator.num_batches, model=self)
        epoch_iterator = per_replica_steps(epoch_iterator, self.distribute_strategy)
        self.stop_training = False
        train_function = self.make_train_function()
        callbacks.on_train_begin()
        training_logs = None
        logs = {}
        initial_epoch = self._initial_epoch or initial_epoch
        self._eval_epoch_iterator = None
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            for begin, end, batches in _executions(epoch_iterator, self.steps_per_execution):
                callbacks.on_train_batch_begin(begin)
                for batch in batches:
                    logs = self._run_step(train_function, batch)
                callbacks.on_train_batch_end(end, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(self._get_metrics_result_or_logs(logs))
            if validation_data is not None and self._should_eval(epoch, validation_freq):
                if self._eval_epoch_iterator is None:
                    self._eval_epoch_iterator = data_adapter.EpochIterator(
                        val_x, val_y, sample_weight=val_sample_weight,
                        batch_size=validation_batch_size or batch_size,
                        steps_per_epoch=validation_steps, shuffle=False)
                val_logs = self.evaluate(val_x, val_y, sample_weight=val_sample_weight,
                                         batch_size=validation_batch_size or batch_size,
                                         steps=validation_steps, callbacks=callbacks,
                                         return_dict=True, _use_cached_eval_dataset=True)
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        if self.optimizer is not None and epochs > 0:
            self.optimizer.finalize_variable_values(self.trainable_weights)
        self._eval_epoch_iterator = None
        callbacks.on_train_end(logs=training_logs)
        return self.history

    @_in_strategy_scope
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """The loss and metrics of the model on the data, after one pass over it.

        Returns:
          The loss (a float) if there are no metrics, else a list `[loss, metric...]`
          in `metrics_names` order; a dict `{name: value}` with `return_dict=True`.
        """
        self._assert_compile_called("evaluate")
        use_cached = kwargs.pop("_use_cached_eval_dataset", False)
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        if use_cached and getattr(self, "_eval_epoch_iterator", None) is not None:
            epoch_iterator = self._eval_epoch_iterator
        else:
            epoch_iterator = data_adapter.EpochIterator(
                x, y, sample_weight=sample_weight, batch_size=batch_size,
                steps_per_epoch=steps, shuffle=False)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0 and self._is_chief(),
                                     verbose=verbose, epochs=1,
                                     steps=epoch_iterator.num_batches, model=self)
        epoch_iterator = per_replica_steps(epoch_iterator, self.distribute_strategy)
        test_function = self.make_test_function()
        self.stop_evaluating = False
        callbacks.on_test_begin()
        logs = {}
        self.reset_metrics()
        for begin, end, batches in _executions(epoch_iterator, self.steps_per_execution):
            callbacks.on_test_batch_begin(begin)
            for batch in batches:
                logs = self._run_step(test_function, batch)
            callbacks.on_test_batch_end(end, logs)
            if self.stop_evaluating:
                break
        logs = pythonify_logs(self._get_metrics_result_or_logs(logs))
        callbacks.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for all the inputs, as NumPy arrays (batched, concatenated)."""
        epoch_iterator = data_adapter.EpochIterator(x, batch_size=batch_size,
                                                    steps_per_epoch=steps, shuffle=False)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, verbose=verbose,
                                     epochs=1, steps=epoch_iterator.num_batches, model=self)
        predict_function = self.make_predict_function()
        self.stop_predicting = False
        callbacks.on_predict_begin()
        outputs = None
        for step, batch in epoch_iterator:
            callbacks.on_predict_batch_begin(step)
            batch_outputs = predict_function(batch)
            if outputs is None:
                outputs = nest.map_structure(lambda out: [out], batch_outputs)
            else:
                nest.map_structure_up_to(batch_outputs, lambda acc, out: acc.append(out),
                                         outputs, batch_outputs)
            callbacks.on_predict_batch_end(step, {"outputs": batch_outputs})
            if self.stop_predicting:
                break
        callbacks.on_predict_end()
        if outputs is None:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). "
                             "Please use `Model.compile(..., run_eagerly=True)`, or "
                             "`tf.config.run_functions_eagerly(True)` for more information "
                             "of where went wrong, or file a issue/bug to `tf.keras`.")
        return nest.map_structure_up_to(batch_outputs, _concatenate, outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """Runs one training step on one batch; returns the metrics (list or dict)."""
        self._assert_compile_called("train_on_batch")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("Arguments `sample_weight` and `class_weight` cannot be "
                                 f"specified at the same time. Received: sample_weight="
                                 f"{sample_weight}, class_weight={class_weight}")
            sample_weight = data_adapter.class_weight_to_sample_weights(y, class_weight)
        self.reset_metrics()
        data = _batch_as_tensors(x, y, sample_weight)
        logs = pythonify_logs(self._run_step(self.make_train_function(), data))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Evaluates one batch; returns the metrics (list or dict)."""
        self._assert_compile_called("test_on_batch")
        self.reset_metrics()
        data = _batch_as_tensors(x, y, sample_weight)
        logs = pythonify_logs(self._run_step(self.make_test_function(), data))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays."""
        outputs = self.make_predict_function()(_batch_as_tensors(x, None, None))
        return nest.map_structure(lambda out: out.numpy(), outputs)

    # ====================================================================================
    # saving (keras/saving/)
    # ====================================================================================
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the whole model (config, weights, optimizer, compile arguments) to a
        `.keras` file; `tf.keras.models.load_model` reads it back."""
        from tapeflow.keras.saving.archive import save_model
        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Saves the weights (and optimizer state) to a `.weights.h5` file (atomically)."""
        from tapeflow.keras.saving.weights import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights from a `.weights.h5` or `.keras` file: all of them, or none (a
        mismatch raises a ValueError naming the layer and the shapes)."""
        from tapeflow.keras.saving.weights import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """The model's config as a JSON string (`tf.keras.models.model_from_json` reads it)."""
        import json
        from tapeflow.keras.saving.serialization import serialize_keras_object
        return json.dumps(serialize_keras_object(self), **kwargs)

    # ====================================================================================
    # helpers
    # ====================================================================================
    def _is_chief(self):
        """Only the chief (rank 0) of a multi-worker strategy prints progress."""
        return distribute_context.is_chief(self.distribute_strategy)

    def _assert_compile_called(self, method_name=None):
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    @staticmethod
    def _should_eval(epoch, validation_freq):
        epoch = epoch + 1
        if isinstance(validation_freq, int):
            return epoch % validation_freq == 0
        if isinstance(validation_freq, list):
            return epoch in validation_freq
        raise ValueError("Expected `validation_freq` to be a list or int. Received: "
                         f"validation_freq={validation_freq} of the type "
                         f"{type(validation_freq)}.")

    def _get_metrics_result_or_logs(self, logs):
        """The model's metric results if the step returned the same keys, else `logs`."""
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs

    def _flatten_metrics_in_order(self, logs):
        """`logs` as a list in `metrics_names` order (unknown keys sorted after)."""
        names = []
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                names.extend(sub.name for sub in metric.metrics)
            else:
                names.append(metric.name)
        results = [logs[name] for name in names if name in logs]
        results.extend(logs[key] for key in sorted(logs) if key not in names)
        return results[0] if len(results) == 1 else results


# -- helpers ------------------------------------------------------------------------------------


def _metrics_in(values):
    found = []
    for value in values:
        if isinstance(value, Metric):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, Metric))
        elif isinstance(value, dict):
            found.extend(v for v in value.values() if isinstance(v, Metric))
    return found


def _executions(epoch_iterator, steps_per_execution):
    """`(first step, last step, [batches])` groups of `steps_per_execution` steps: callbacks
    see one batch per group, as Keras calls them once per execution."""
    group, first = [], None
    for step, batch in epoch_iterator:
        if first is None:
            first = step
        group.append(batch)
        if len(group) == steps_per_execution:
            yield first, step, group
            group, first = [], None
    if group:
        yield first, first + len(group) - 1, group


def _batch_size(x):
    first = next((t for t in nest.flatten(x) if t is not None), None)
    if first is None:
        return None
    return _array.shape(first)[0]


def _batch_as_tensors(x, y, sample_weight):
    """A `(x, y, sample_weight)` batch for `*_on_batch`, arrays converted to tensors."""
    from tapeflow.core.convert import convert_to_tensor

    def convert(value):
        if value is None or isinstance(value, Tensor):
            return value
        return convert_to_tensor(value)
    x = nest.map_structure(convert, x)
    y = None if y is None else nest.map_structure(convert, y)
    sample_weight = None if sample_weight is None else nest.map_structure(convert,
                                                                          sample_weight)
    return data_adapter.pack_x_y_sample_weight(x, y, sample_weight)


def _concatenate(batches):
    arrays = [b.numpy() if hasattr(b, "numpy") else xp.asarray(b) for b in batches]
    return xp.concatenate(arrays, axis=0) if arrays[0].ndim else xp.stack(arrays)
