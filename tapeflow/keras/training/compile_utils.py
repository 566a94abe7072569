"""What `compile(loss=..., metrics=...)` becomes: CompileLoss and CompileMetrics.

Both are built on the first batch, because "accuracy" and "crossentropy" are
resolved from the shapes of the labels and predictions (sparse, categorical
or binary), as in Keras 3. For a model with several outputs, `loss`,
`loss_weights` and `metrics` may be one value for every output, a list in
output order, or a dict keyed by output name; each output's loss is then
also tracked by a `<output>_loss` mean, and metrics are named
`<output>_<metric>`.
"""
from tapeflow.core import nest
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.keras import losses as losses_module
from tapeflow.keras import metrics as metrics_module
from tapeflow.keras.metrics.metric import Metric
from tapeflow.keras.metrics.reduction import Mean
from tapeflow.ops import math as _math


def _is_flat_collection(value):
    return isinstance(value, (list, tuple, dict)) and not any(
        isinstance(v, (list, tuple, dict)) for v in
        (value.values() if isinstance(value, dict) else value))


def _per_output(value, output_names, num_outputs, argument_name):
    """`value` as one entry per output: a list in output order or a dict by name."""
    if isinstance(value, dict):
        unknown = [key for key in value if key not in (output_names or [])]
        if unknown or not output_names:
            raise ValueError(f"Unknown entries in {argument_name} dictionary: {unknown}. Only "
                             f"expected following keys: {output_names}")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and len(value) == num_outputs:
        return list(value)
    return None


def _flatten_outputs(y, output_names):
    """The outputs (or labels) as a flat list, dicts read in output-name order."""
    if isinstance(y, dict) and output_names and set(output_names) <= set(y):
        return [y[name] for name in output_names]
    return nest.flatten(y)


class CompileLoss:
    """The compiled loss: one loss per output, weighted and summed."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict,
                                                                      float, int)):
            raise ValueError("Expected `loss_weights` argument to be a float (single output "
                             "case) or a list, tuple, or dict (multiple output case). Received "
                             f"instead: loss_weights={loss_weights} of type "
                             f"{type(loss_weights)}")
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.output_names = output_names
        self.built = False
        self._losses = []            # (index, Loss, weight, name) per output with a loss
        self.metrics = []            # per-output loss trackers (several outputs only)

    def build(self, y_true, y_pred):
        flat_pred = _flatten_outputs(y_pred, self.output_names)
        flat_true = _flatten_outputs(y_true, self.output_names)
        count = len(flat_pred)
        names = self.output_names if self.output_names and len(self.output_names) == count \
            else [None] * count
        if count == 1:
            losses = [self._user_loss if not isinstance(self._user_loss, (list, tuple, dict))
                      else nest.flatten(self._user_loss)[0]]
            weights = [self._user_loss_weights if not isinstance(
                self._user_loss_weights, (list, tuple, dict))
                else nest.flatten(self._user_loss_weights)[0]]
        else:
            losses = _per_output(self._user_loss, names, count, "loss") if isinstance(
                self._user_loss, (list, tuple, dict)) else [self._user_loss] * count
            if losses is None:
                raise ValueError(f"The model has {count} outputs, but you passed loss="
                                 f"{self._user_loss}: pass one loss, a list of {count} "
                                 f"losses, or a dict keyed by output name ({names}).")
            weights = [None] * count
            if self._user_loss_weights is not None:
                weights = _per_output(self._user_loss_weights, names, count, "loss_weights")
                if weights is None:
                    raise ValueError("`loss_weights` must match the number of losses, got "
                                     f"{count} losses and {len(self._user_loss_weights)} "
                                     "weights.")
        for index, (loss, weight) in enumerate(zip(losses, weights)):
            if loss is None:
                continue
            resolved = losses_module.resolve_compile_loss(loss, flat_true[index],
                                                          flat_pred[index])
            name = names[index] if names[index] is not None else resolved.name
            self._losses.append((index, resolved, weight, name))
        if len(self._losses) > 1:
            self.metrics = [Mean(name=f"{name}_loss") for _, _, _, name in self._losses]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        flat_pred = _flatten_outputs(y_pred, self.output_names)
        flat_true = _flatten_outputs(y_true, self.output_names)
        if len(flat_true) != len(flat_pred):
            raise ValueError("y_true and y_pred have different structures.\n"
                             f"y_true: {nest.map_structure(lambda _: '*', y_true)}\n"
                             f"y_pred: {nest.map_structure(lambda _: '*', y_pred)}\n")
        weights = _sample_weights_per_output(sample_weight, len(flat_pred), self.output_names)
        total = None
        for position, (index, loss, weight, _) in enumerate(self._losses):
            value = _math.cast(_call_loss(loss, flat_true[index], flat_pred[index],
                                          weights[index]), "float32")
            if self.metrics:
                batch = flat_pred[index].shape[0]
                self.metrics[position].update_state(
                    value, sample_weight=batch if batch is not None else None)
            if weight is not None:
                value = value * float(weight)
            total = value if total is None else total + value
        return total


def _call_loss(loss, y_true, y_pred, sample_weight):
    """`loss(y_true, y_pred, sample_weight)`; a shape or value error names the loss and shapes."""
    try:
        return loss(y_true, y_pred, sample_weight)
    except (ValueError, InvalidArgumentError) as error:
        context = (f" [in the compiled loss '{loss.name}': y_true shape "
                   f"{_shape_text(y_true)}, y_pred shape {_shape_text(y_pred)}]")
        if isinstance(error, InvalidArgumentError):
            raise type(error)(error.node_def, error.op, error.message + context) from None
        raise ValueError(str(error) + context) from None


def _shape_text(x):
    shape = getattr(x, "shape", None)
    return "unknown" if shape is None else str(tuple(shape))


def _sample_weights_per_output(sample_weight, count, output_names):
    if sample_weight is None:
        return [None] * count
    if isinstance(sample_weight, dict) or (isinstance(sample_weight, (list, tuple)) and
                                           len(sample_weight) == count and count > 1):
        return _flatten_outputs(sample_weight, output_names)
    return [sample_weight] * count


class MetricsList:
    """The metrics of one output."""

    def __init__(self, metrics, output_name=None):
        self.metrics = metrics
        self.output_name = output_name


class CompileMetrics(Metric):
    """The compiled metrics (and weighted metrics) of every output, as one metric.

    `result()` is a dict from the metric names (prefixed with the output name when
    the model has several outputs) to their results.
    """

    def __init__(self, metrics, weighted_metrics, name="compile_metrics", output_names=None):
        super().__init__(name=name)
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value and not isinstance(value, (list, tuple, dict)):
                raise ValueError(f"Expected `{argument}` argument to be a list, tuple, or "
                                 f"dict. Received instead: {argument}={value} of type "
                                 f"{type(value)}")
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self.output_names = output_names
        self.built = False
        self._flat_metrics = []
        self._flat_weighted_metrics = []

    @property
    def metrics(self):
        """The metric objects, unweighted first (empty until built)."""
        found = []
        for metrics_list in self._flat_metrics + self._flat_weighted_metrics:
            if metrics_list is not None:
                found.extend(metrics_list.metrics)
        return found

    @property
    def variables(self):
        return [v for metric in self.metrics for v in metric.variables]

    def build(self, y_true, y_pred):
        flat_pred = _flatten_outputs(y_pred, self.output_names)
        flat_true = _flatten_outputs(y_true, self.output_names)
        count = len(flat_pred)
        names = self.output_names if self.output_names and len(self.output_names) == count \
            else [None] * count
        self._flat_metrics = self._build_set(self._user_metrics, flat_true, flat_pred, names,
                                             "metrics")
        self._flat_weighted_metrics = self._build_set(self._user_weighted_metrics, flat_true,
                                                      flat_pred, names, "weighted_metrics")
        self.built = True

    def _build_set(self, metrics, flat_true, flat_pred, names, argument_name):
        count = len(flat_pred)
        if not metrics:
            return [None] * count
        if count == 1:
            return [self._metrics_list(nest.flatten(metrics), flat_true[0], flat_pred[0], None)]
        per_output = _per_output(metrics, names, count, argument_name)
        if per_output is None:
            if isinstance(metrics, (list, tuple)) and _is_flat_collection(metrics):
                per_output = [list(metrics)] * count     # the same metrics for each output
            else:
                raise ValueError(f"Invalid `{argument_name}`. `{argument_name}` should contain "
                                 "metrics objects and either be a dict or a list matching the "
                                 f"output names of the functional model {self.output_names} or "
                                 f"match the output structure of the model.\nReceived: "
                                 f"{argument_name}={metrics}")
        return [None if entry is None else
                self._metrics_list(entry if isinstance(entry, (list, tuple)) else [entry],
                                   flat_true[i], flat_pred[i], names[i])
                for i, entry in enumerate(per_output)]

    @staticmethod
    def _metrics_list(identifiers, y_true, y_pred, output_name):
        return MetricsList([metrics_module.resolve_compile_metric(m, y_true, y_pred)
                            for m in identifiers], output_name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        flat_pred = _flatten_outputs(y_pred, self.output_names)
        flat_true = _flatten_outputs(y_true, self.output_names)
        for metrics_list, y_t, y_p in zip(self._flat_metrics, flat_true, flat_pred):
            if metrics_list is not None:
                for metric in metrics_list.metrics:
                    metric.update_state(y_t, y_p)
        weights = _sample_weights_per_output(sample_weight, len(flat_pred), self.output_names)
        for metrics_list, y_t, y_p, weight in zip(self._flat_weighted_metrics, flat_true,
                                                  flat_pred, weights):
            if metrics_list is not None:
                for metric in metrics_list.metrics:
                    metric.update_state(y_t, y_p, sample_weight=weight)

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()

    def result(self):
        if not self.built:
            raise ValueError("Cannot get result() since the metric has not yet been built.")
        results = {}
        used = {}
        for weighted, metrics_lists in ((False, self._flat_metrics),
                                        (True, self._flat_weighted_metrics)):
            for metrics_list in metrics_lists:
                if metrics_list is None:
                    continue
                for metric in metrics_list.metrics:
                    name = _unique_name(metric.name, metrics_list.output_name, weighted, used)
                    results[name] = metric.result()
        return results

    def get_config(self):
        raise NotImplementedError


def _unique_name(name, output_name, weighted, used):
    """Keras' naming: `<output>_<name>`, then `weighted_<name>` or `<name>_1` on clashes."""
    prefixed = f"{output_name}_{name}" if output_name else name
    if prefixed not in used:
        used[prefixed] = 1
        return prefixed
    if weighted:
        prefixed = f"{output_name}_weighted_{name}" if output_name else f"weighted_{name}"
        if prefixed not in used:
            used[prefixed] = 1
            return prefixed
    index = used[prefixed]
    used[prefixed] += 1
    return f"{prefixed}_{index}"
