"""The Optimizer base class: everything an optimizer does except its update formula.

A subclass writes `build` (create its slot variables with `add_variable_from_reference`
or `add_optimizer_variables`), `update_step(gradient, variable, learning_rate)` (the
formula, writing through `self.assign*`) and `get_config`. The base class does the
bookkeeping, in Keras 3's order:

  apply_gradients(zip(grads, vars))
    1. build the slots on first use; refuse variables it was not built for;
    2. drop None gradients (warning), convert and cast the rest to each variable's
       dtype, and check every shape - before anything is written, so a bad call
       leaves all variables untouched;
    3. unscale (`loss_scale_factor`), clip (`clipnorm`, `global_clipnorm`, `clipvalue`),
       apply decoupled weight decay (`var -= var * weight_decay * lr`);
    4. `update_step` for each pair (every `gradient_accumulation_steps` steps when set);
    5. update the moving averages (`use_ema`), apply variable constraints;
    6. `iterations += 1`.

All state lives in tapeflow Variables and every write is an assign op, so a train
step traced by `tf.function` replays the update from the graph.
"""
import re
import warnings

from tapeflow._util.naming import auto_name
from tapeflow.core import dtypes
from tapeflow.core.context import name_scope, state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.shape import shape_str
from tapeflow.core.tape import GradientTape
from tapeflow.core.variable import Variable, VariableAggregation
from tapeflow.distribute.context import all_reduce_sum_gradients
from tapeflow.keras.optimizers import schedules
from tapeflow.ops.array import fill, zeros_like
from tapeflow.ops.clip import clip_by_global_norm, clip_by_norm, clip_by_value
from tapeflow.ops.math import cast, equal, floordiv, floormod, maximum, not_equal, where


class Optimizer:
    """Base class for Keras optimizers (`tf.keras.optimizers.Optimizer`).

    Args:
      learning_rate: a float, a `LearningRateSchedule`, or a callable with no
        arguments returning the rate.
      weight_decay: if set, decoupled weight decay `var -= var * weight_decay * lr`
        before each update.
      clipnorm: clip each gradient to this L2 norm.
      clipvalue: clip each gradient element to `[-clipvalue, clipvalue]`.
      global_clipnorm: clip all gradients together to this global L2 norm.
      use_ema: keep an exponential moving average of the model variables.
      ema_momentum: the EMA's momentum.
      ema_overwrite_frequency: every this many steps, overwrite the variables with
        their moving average.
      loss_scale_factor: gradients are divided by it (see `scale_loss`).
      gradient_accumulation_steps: apply the mean gradient once every this many calls.
      name: the optimizer's name (default: the snake-case class name, made unique).
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        _check_options(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                       ema_overwrite_frequency, gradient_accumulation_steps)
        self.name = name if name is not None else auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._trainable_variables_indices = {}
        self._exclude_ids, self._exclude_pattern = set(), None
        self._iterations = self._new_variable(0, dtypes.int64, "iteration",
                                              VariableAggregation.ONLY_FIRST_REPLICA)
        self._learning_rate = self._make_learning_rate(learning_rate)

    def _make_learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        if not isinstance(learning_rate, float):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of "
                "LearningRateSchedule, or a callable (that takes in the current iteration "
                "value and returns the corresponding learning rate value). Received "
                f"instead: learning_rate={learning_rate}")
        return self._new_variable(learning_rate, dtypes.float32, "learning_rate",
                                  VariableAggregation.ONLY_FIRST_REPLICA)

    def _new_variable(self, initial_value, dtype, name, aggregation=VariableAggregation.NONE):
        """A non-trainable variable named `<optimizer name>/<name>`, tracked in `variables`."""
        with name_scope(f"{self.name}/"):   # absolute: the same names inside any scope
            variable = Variable(initial_value, dtype=dtype, name=name, trainable=False,
                                aggregation=aggregation)
        self._variables.append(variable)
        return variable

    # -- properties ---------------------------------------------------------------
    @property
    def iterations(self):
        """The number of update steps applied so far (an int64 variable)."""
        if self.gradient_accumulation_steps:
            return floordiv(self._iterations, self.gradient_accumulation_steps)
        return self._iterations

    @property
    def variables(self):
        """All optimizer state: `iterations`, the learning rate, then the slots."""
        return self._variables[:]

    @property
    def learning_rate(self):
        """The current rate: the variable, or the schedule evaluated at `iterations`."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        previous = self._learning_rate
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        elif isinstance(previous, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument.")
        else:
            previous.assign(learning_rate)
        if isinstance(previous, Variable) and self._learning_rate is not previous:
            self._variables.remove(previous)

    # TF 2 name, still common in user code (`optimizer.lr.assign(...)`).
    lr = learning_rate

    # -- slot variables -------------------------------------------------------------
    def build(self, variables):
        """Records the variables this optimizer updates; subclasses add their slots."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = []
        for i, variable in enumerate(variables):
            self._trainable_variables_indices[id(variable)] = i
            if self.gradient_accumulation_steps:
                self._accumulated_gradients.append(
                    self.add_variable_from_reference(variable, name="gradient_accumulator"))
        self._trainable_variables = list(variables)
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     name=None):
        """Creates a non-trainable optimizer variable of `shape` (a slot or a counter)."""
        dtype = dtypes.as_dtype(dtype or "float32")
        shape = tuple(shape)
        # A callable initial value runs eagerly (in init_scope) even inside a trace.
        value = lambda: _initial_value(initializer, shape, dtype)  # noqa: E731
        return self._new_variable(value, dtype, name or "variable",
                                  _AGGREGATIONS[aggregation or "none"])

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like `reference_variable`, named `<its name>_<name>`."""
        path = getattr(reference_variable, "path", None)
        if path is not None:
            prefix = path.replace("/", "_")
        else:
            prefix = str(reference_variable.name).replace("/", "_").replace(":", "_")
        return self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype,
                                 name=f"{prefix}_{name or 'var'}")

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name in `name` (a string or a list of strings).

        Returns a list of slots, or a tuple of lists when `name` is a list. Slots are
        created variable by variable (all names of the first variable, then the next).
        """
        names = [name] if isinstance(name, str) else list(name)
        initializers = (initializer if isinstance(initializer, (list, tuple))
                        else [initializer] * len(names))
        if len(names) != len(initializers):
            raise ValueError("The number of provided names must match the number of provided "
                             f"initializers.  Received name='{name}', "
                             f"initializer='{initializer}'")
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, (slot_name, slot_init) in enumerate(zip(names, initializers)):
                if getattr(variable, "overwrite_with_gradient", False):
                    slots[i].append(None)     # never updated by a formula: no slot
                else:
                    slots[i].append(self.add_variable_from_reference(variable, slot_name,
                                                                     slot_init))
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable):
        return self._trainable_variables_indices[id(variable)]

    # -- writes (subclasses use these in update_step) ---------------------------------
    def assign(self, variable, value):
        variable.assign(cast(value, variable.dtype))

    def assign_add(self, variable, value):
        variable.assign_add(cast(value, variable.dtype))

    def assign_sub(self, variable, value):
        variable.assign_sub(cast(value, variable.dtype))

    def update_step(self, gradient, variable, learning_rate):
        """Applies one gradient to one variable (the subclass's formula).

        `gradient` and `learning_rate` arrive as tensors of the variable's dtype.
        """
        raise NotImplementedError

    # -- applying gradients -------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name=None, **kwargs):
        """Applies `(gradient, variable)` pairs; None gradients are skipped with a warning.

        Returns:
          The `iterations` variable (incremented by one).

        Raises:
          ValueError: every gradient is None, or a variable this optimizer was not
            built for.
          InvalidArgumentError: a gradient's shape differs from its variable's (no
            variable is modified).
        """
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("not enough values to unpack (expected 2, got 0)")
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates the variables with `grads` (one per variable, in order)."""
        grads = list(grads)
        if not grads:
            return
        variables = self._variables_for(grads, trainable_variables)
        with name_scope(self.name):
            grads, variables = self._filter_empty_gradients(grads, variables)
            grads = self._prepare_gradients(grads, variables)
            grads, variables = self._overwrite_variables_with_gradients(grads, variables)
            if variables and self.gradient_accumulation_steps:
                self._accumulate_or_update(grads, variables)
            elif variables:
                self._clip_decay_and_update(grads, variables)
            if self.use_ema:
                self._update_moving_averages()
            for variable in variables:
                if getattr(variable, "constraint", None) is not None:
                    variable.assign(variable.constraint(variable))
        self._iterations.assign_add(1)

    def _variables_for(self, grads, trainable_variables):
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first. ")
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must "
                    "match `optimizer.variables` one-to-on. Received a list of "
                    f"{len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._trainable_variables)} trainable variables.")
            return list(self._trainable_variables)
        variables = list(trainable_variables)
        if not self.built:
            self.build(variables)
            self.built = True
        for variable in variables:
            if id(variable) not in self._trainable_variables_indices:
                raise ValueError(
                    f"Unknown variable: {variable}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set of "
                    "variables, you should recreate a new optimizer instance.")
        return variables

    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [getattr(v, "path", None) or v.name
                       for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing "
                          "the loss. If using `model.compile()`, did you forget to provide a "
                          "`loss` argument?", stacklevel=4)
        return [g for g, _ in kept], [v for _, v in kept]

    def _prepare_gradients(self, grads, variables):
        """Gradients as tensors of each variable's dtype, shapes checked, loss scale undone."""
        prepared = []
        for grad, variable in zip(grads, variables):
            grad = cast(convert_to_tensor(grad), variable.dtype)
            _check_gradient_shape(grad, variable)
            prepared.append(grad)
        if self.loss_scale_factor is not None:
            prepared = [g / self.loss_scale_factor for g in prepared]
        return prepared

    def _overwrite_variables_with_gradients(self, grads, variables):
        """Variables marked `overwrite_with_gradient` (float8 scales) take their gradient as
        their new value (with accumulation: the running max, applied every N steps); the
        remaining pairs are returned for the normal update."""
        kept_grads, kept_variables = [], []
        for grad, variable in zip(grads, variables):
            if not getattr(variable, "overwrite_with_gradient", False):
                kept_grads.append(grad)
                kept_variables.append(variable)
            elif self.gradient_accumulation_steps:
                steps = self.gradient_accumulation_steps
                is_update_step = equal(floormod(self._iterations + 1, steps), 0)
                accumulator = self._accumulated_gradients[self._get_variable_index(variable)]
                running_max = maximum(grad, accumulator)
                variable.assign(where(is_update_step, running_max, variable))
                accumulator.assign(where(is_update_step, zeros_like(grad), running_max))
            else:
                variable.assign(grad)
        return kept_grads, kept_variables

    def _clip_decay_and_update(self, grads, variables):
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables)
        self._backend_update_step(grads, variables, convert_to_tensor(self.learning_rate))

    def _backend_update_step(self, grads, variables, learning_rate):
        """Runs `update_step` for each pair (Nadam adds a per-step update before it).

        Under a multi-replica tf.distribute strategy the gradients are first summed
        over the replicas (one all-reduce), as Keras 3 does here.
        """
        grads = all_reduce_sum_gradients(grads)
        for grad, variable in zip(grads, variables):
            self.update_step(grad, variable, cast(learning_rate, variable.dtype))

    # -- clipping and weight decay ---------------------------------------------------------
    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)[0]
        if self.clipvalue and self.clipvalue > 0:
            return [clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Excludes variables (or variables whose name matches one of `var_names`) from
        weight decay. Must be called before the optimizer is built."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before "
                             "the optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        pattern = self._exclude_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _apply_weight_decay(self, variables):
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                lr = cast(self.learning_rate, variable.dtype)
                wd = cast(self.weight_decay, variable.dtype)
                variable.assign_sub(variable * wd * lr)

    # -- gradient accumulation and moving averages -------------------------------------------
    def _accumulate_or_update(self, grads, variables):
        """Every `gradient_accumulation_steps`-th call updates with the mean gradient;
        the other calls only add to the accumulators.

        Both outcomes are computed and selected with `where`, so the step has no
        data-dependent branch and traces as one graph.
        """
        steps = self.gradient_accumulation_steps
        is_update_step = equal(floormod(self._iterations + 1, steps), 0)
        accumulators = [self._accumulated_gradients[self._get_variable_index(v)]
                        for v in variables]
        untouched = {id(v) for v in accumulators + [self._iterations, self._learning_rate]}
        touched = variables + [v for v in self._variables if id(v) not in untouched]
        before = [convert_to_tensor(v) for v in touched]
        mean_grads = [(g + acc) / steps for g, acc in zip(grads, accumulators)]
        self._clip_decay_and_update(mean_grads, variables)
        for variable, old in zip(touched, before):
            variable.assign(where(is_update_step, variable, old))
        for grad, acc in zip(grads, accumulators):
            acc.assign(where(is_update_step, zeros_like(acc), acc + grad))

    def _update_moving_averages(self):
        not_first_step = not_equal(self.iterations, 0)
        for variable, average in zip(self._trainable_variables,
                                     self._model_variables_moving_average):
            if average is None:
                continue
            momentum = cast(not_first_step, variable.dtype) * self.ema_momentum
            average.assign(momentum * average + (1 - momentum) * variable)
        if self.ema_overwrite_frequency:
            overwrite = equal(floormod(self.iterations + 1, self.ema_overwrite_frequency), 0)
            for variable, average in zip(self._trainable_variables,
                                         self._model_variables_moving_average):
                if average is not None:
                    variable.assign(where(overwrite, average, variable))

    def finalize_variable_values(self, var_list):
        """With `use_ema`, overwrites the variables with their moving averages."""
        if self.use_ema:
            for variable, average in zip(var_list, self._model_variables_moving_average):
                variable.assign(average)

    # -- TF 2 conveniences ----------------------------------------------------------------
    def compute_gradients(self, loss, var_list, tape=None):
        """`[(gradient, variable), ...]` of `loss` (a tensor with its `tape`, or a callable)."""
        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. "
                             f"Received: loss={loss}, tape={tape}.")
        tape = tape if tape is not None else GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        var_list = var_list() if callable(var_list) else var_list
        grads = tape.gradient(loss, var_list)
        return list(zip(grads, var_list))

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of `loss` and applies them (TF 2's `minimize`).

        Args:
          loss: a callable with no arguments returning the loss, or a loss tensor
            computed under `tape`.
          var_list: the variables to update, or a callable returning them.
          tape: the GradientTape that recorded a tensor `loss`.

        Returns:
          The `iterations` variable.
        """
        return self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    def scale_loss(self, loss):
        """`loss * loss_scale_factor` when a factor is set (undone on the gradients)."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def get_weights(self):
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights):
        """Sets every optimizer variable, in `variables` order."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(getattr(weight, "shape", ())):
                raise ValueError(f"Optimizer variable {variable.name} has shape "
                                 f"{variable.shape} not compatible with provided weight shape "
                                 f"{tuple(getattr(weight, 'shape', ()))}.")
            variable.assign(weight)

    # -- config ----------------------------------------------------------------------------
    def get_config(self):
        """The constructor arguments (the learning rate as a float or a schedule config)."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(self._learning_rate)
        elif isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = self._learning_rate
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object named {self.name!r}>"


_AGGREGATIONS = {"none": VariableAggregation.NONE, "sum": VariableAggregation.SUM,
                 "mean": VariableAggregation.MEAN,
                 "only_first_replica": VariableAggregation.ONLY_FIRST_REPLICA}


def _check_options(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                   ema_overwrite_frequency, gradient_accumulation_steps):
    if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
        raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                         f"gradient_accumulation_steps={gradient_accumulation_steps}")
    if use_ema:
        if ema_momentum > 1 or ema_momentum < 0:
            raise ValueError("`ema_momentum` must be in the range [0, 1]. Received: "
                             f"ema_momentum={ema_momentum}")
        if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                        or ema_overwrite_frequency < 1):
            raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                             f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                         f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                         f"global_clipnorm={global_clipnorm}")


def _initial_value(initializer, shape, dtype):
    """The initial value of a new optimizer variable."""
    if isinstance(initializer, str) and initializer in ("zeros", "ones"):
        return fill(shape, cast(1 if initializer == "ones" else 0, dtype))
    if isinstance(initializer, (int, float)):
        return fill(shape, cast(initializer, dtype))
    if isinstance(initializer, str):
        from tapeflow.keras import initializers
        initializer = initializers.get(initializer)
    return initializer(shape, dtype=dtype)


def _check_gradient_shape(grad, variable):
    """InvalidArgumentError (ValueError while tracing) unless the shapes are compatible."""
    grad_dims, var_dims = grad._static_dims(), variable._static_dims()
    if grad_dims is None or var_dims is None:
        return   # unknown rank while tracing: the assignment checks at run time
    if len(grad_dims) == len(var_dims) and all(
            g is None or v is None or g == v for g, v in zip(grad_dims, var_dims)):
        return
    message = (f"Incompatible shapes: {shape_str(grad_dims)} vs. {shape_str(var_dims)}: the "
               f"gradient for variable '{variable.name}' must have the variable's shape. No "
               "variable was updated.")
    if state.graph is not None:
        raise ValueError(message)
    raise InvalidArgumentError(None, None, message)
