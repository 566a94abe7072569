"""Recurrent layers: SimpleRNN, LSTM, GRU (with their cells), RNN and Bidirectional.

A cell computes one time step, `(x_t, states) -> (output_t, new_states)`; the
RNN layer runs it over the time axis of `(batch, time, features)` inputs. When
the number of steps is known (always, eagerly) the loop is unrolled in Python,
so the tape and the graph see plain ops; an unknown number of steps (a traced
input with `None` time) runs as a `tf.while_loop`. Gate layouts follow Keras:
LSTM `[i, f, c, o]`, GRU `[z, r, h]` with `reset_after=True` by default.
"""
import tapeflow as tf
from tapeflow.core import nest
from tapeflow.keras import activations, constraints, initializers, regularizers
from tapeflow.keras import random as keras_random
from tapeflow.keras.layers.base import Layer
from tapeflow.keras.layers.input_spec import InputSpec


class _Cell(Layer):
    """Shared arguments of the recurrent cells (activations, weights, dropout)."""

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        if not isinstance(units, int) or units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.seed_generator = keras_random.SeedGenerator(seed)
        self.state_size = units
        self.output_size = units
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _add_kernels(self, input_dim, gates, bias_shape=None, bias_initializer=None):
        self.kernel = self.add_weight(shape=(input_dim, gates * self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, gates * self.units), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=bias_shape or (gates * self.units,), name="bias",
                                        initializer=bias_initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    # Dropout masks are drawn once per sequence and reused at every step (Keras).
    def _prepare_dropout(self, inputs, states, training):
        self._dropout_mask = self._recurrent_dropout_mask = None
        if not training:
            return
        if self.dropout > 0:
            self._dropout_mask = keras_random.dropout(tf.ones_like(inputs[:, 0]), self.dropout,
                                                      seed=self.seed_generator)
        if self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = keras_random.dropout(
                tf.ones_like(states[0]), self.recurrent_dropout, seed=self.seed_generator)

    def _dropped(self, x, h):
        if self._dropout_mask is not None:
            x = x * self._dropout_mask
        if self._recurrent_dropout_mask is not None:
            h = h * self._recurrent_dropout_mask
        return x, h

    def get_initial_state(self, batch_size, dtype):
        """Zero states `(batch_size, size)` for each state of the cell."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else \
            [self.state_size]
        return [tf.zeros((batch_size, size), dtype=dtype) for size in sizes]

    def _zero_states_like(self, sequences):
        """Zero states whose batch size is the (possibly unknown) one of `sequences`."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else \
            [self.state_size]
        column = tf.zeros_like(sequences[:, 0, :1])             # (batch, 1)
        return [column + tf.zeros((size,), dtype=sequences.dtype) for size in sizes]

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: `h = activation(x W + h_prev U + b)`."""

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 1)

    def call(self, inputs, states, training=None):
        x, h = self._dropped(inputs, states[0])
        out = tf.matmul(x, self.kernel)
        if self.bias is not None:
            out = out + self.bias
        out = self.activation(out + tf.matmul(h, self.recurrent_kernel))
        return out, [out]


class LSTMCell(_Cell):
    """One LSTM step: gates `[i, f, c, o]` from `x W + h_prev U + b`.

    `c = f * c_prev + i * activation(z_c)`, `h = o * activation(c)`; with
    `unit_forget_bias` the forget gate's bias starts at 1.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def build(self, input_shape):
        bias_initializer = None
        if self.use_bias and self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def bias_initializer(shape, dtype=None):
                return tf.concat([base((units,), dtype=dtype),
                                  initializers.Ones()((units,), dtype=dtype),
                                  base((2 * units,), dtype=dtype)], axis=0)
        self._add_kernels(input_shape[-1], 4, bias_initializer=bias_initializer)

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states[0], states[1]
        x, h = self._dropped(inputs, h_prev)
        z = tf.matmul(x, self.kernel) + tf.matmul(h, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = tf.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update({"recurrent_activation": activations.serialize(
            self.recurrent_activation), "unit_forget_bias": self.unit_forget_bias})
        return config


class GRUCell(_Cell):
    """One GRU step: update `z`, reset `r` and candidate `h~` gates.

    With `reset_after=True` (Keras' default) the reset gate multiplies the
    recurrent projection (`h~ = act(x W_h + b_h + r * (h U_h + b'_h))`) and the
    bias has shape `(2, 3 * units)`: input and recurrent biases.
    `h = z * h_prev + (1 - z) * h~`.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, reset_after=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def build(self, input_shape):
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_kernels(input_shape[-1], 3, bias_shape=bias_shape)

    def call(self, inputs, states, training=None):
        h_prev = states[0]
        x, h = self._dropped(inputs, h_prev)
        if self.bias is not None and self.reset_after:
            input_bias, recurrent_bias = tf.unstack(self.bias)
        else:
            input_bias, recurrent_bias = self.bias, None
        matrix_x = tf.matmul(x, self.kernel)
        if input_bias is not None:
            matrix_x = matrix_x + input_bias
        x_z, x_r, x_h = tf.split(matrix_x, 3, axis=-1)
        if self.reset_after:
            matrix_inner = tf.matmul(h, self.recurrent_kernel)
            if recurrent_bias is not None:
                matrix_inner = matrix_inner + recurrent_bias
            inner_z, inner_r, inner_h = tf.split(matrix_inner, 3, axis=-1)
            z = self.recurrent_activation(x_z + inner_z)
            r = self.recurrent_activation(x_r + inner_r)
            candidate = self.activation(x_h + r * inner_h)
        else:
            u = self.recurrent_kernel
            units = self.units
            z = self.recurrent_activation(x_z + tf.matmul(h, u[:, :units]))
            r = self.recurrent_activation(x_r + tf.matmul(h, u[:, units:2 * units]))
            candidate = self.activation(x_h + tf.matmul(r * h, u[:, 2 * units:]))
        h = z * h_prev + (1 - z) * candidate
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.update({"recurrent_activation": activations.serialize(
            self.recurrent_activation), "reset_after": self.reset_after})
        return config


def run_steps(cell_step, inputs, states, mask=None, go_backwards=False,
              zero_output_for_mask=False):
    """Runs `cell_step(x_t, states) -> (y_t, states)` over time; returns (last, all, states).

    `inputs` is `(batch, time, ...)`. Where `mask[:, t]` is False the states are
    carried over unchanged (and the output too, or zeros).
    """
    steps = inputs.shape[1]
    if steps is None:
        return _while_steps(cell_step, inputs, states, go_backwards)
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs = []
    previous_output = None
    for t in order:
        output, new_states = cell_step(inputs[:, t], states)
        if mask is not None:
            keep = tf.expand_dims(mask[:, t], -1)
            if previous_output is None:
                previous_output = tf.zeros_like(output)
            new_states = [tf.where(keep, s_new, s) for s_new, s in zip(new_states, states)]
            output = tf.where(keep, output,
                              tf.zeros_like(output) if zero_output_for_mask else previous_output)
            previous_output = output
        states = list(new_states)
        outputs.append(output)
    return outputs[-1], tf.stack(outputs, axis=1), states


def _while_steps(cell_step, inputs, states, go_backwards):
    """The loop for an unknown number of steps: a traced `tf.while_loop` over time."""
    time_major = tf.transpose(inputs, [1, 0] + list(range(2, inputs.shape.rank)))
    steps = tf.shape(time_major)[0]
    first_output, _ = cell_step(time_major[0], states)
    outputs_ta = tf.TensorArray(first_output.dtype, size=0, dynamic_size=True,
                                element_shape=first_output.shape)

    def body(t, outputs_ta, *states):
        index = steps - 1 - t if go_backwards else t
        output, new_states = cell_step(time_major[index], list(states))
        return (t + 1, outputs_ta.write(t, output)) + tuple(new_states)

    result = tf.while_loop(lambda t, *_: t < steps, body, (0, outputs_ta) + tuple(states))
    rank = first_output.shape.rank
    outputs = tf.transpose(result[1].stack(), [1, 0] + list(range(2, rank + 1)))
    return outputs[:, -1], outputs, list(result[2:])


class RNN(Layer):
    """Runs a recurrent cell over the time axis of `(batch, time, features)` inputs.

    Args:
      cell: a cell (`SimpleRNNCell`, `LSTMCell`, `GRUCell` or a custom one with
        `state_size` and `call(x_t, states)`).
      return_sequences: return every step's output `(batch, time, units)`,
        else the last one `(batch, units)`.
      return_state: also return the final states (`[output, *states]`).
      go_backwards: process the sequence in reverse (outputs stay in that order).
      zero_output_for_mask: masked steps output zeros instead of the last output.

    Call arguments:
      inputs: `(batch, time, features)`.
      mask: `(batch, time)` booleans; masked steps keep the previous state.
      training: enables the cell's dropout.
      initial_state: a list of initial states (default: zeros).
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if stateful:
            raise NotImplementedError("Stateful RNNs are not supported by tapeflow yet.")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    def build(self, sequences_shape, initial_state_shape=None):
        with_batch = (sequences_shape[0],) + tuple(sequences_shape[2:])
        self.cell.build(with_batch)
        self.cell.built = True

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if initial_state is None:
            initial_state = self.cell._zero_states_like(sequences)
        elif not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        states = list(initial_state)
        self.cell._prepare_dropout(sequences, states, training)
        if mask is not None:
            mask = tf.cast(mask, tf.bool)

        def step(x_t, states):
            return self.cell.call(x_t, states, training=training)

        last, outputs, states = run_steps(step, sequences, states, mask, self.go_backwards,
                                          self.zero_output_for_mask)
        self.cell._dropout_mask = self.cell._recurrent_dropout_mask = None
        output = outputs if self.return_sequences else last
        if self.return_state:
            return (output,) + tuple(states)      # a tuple, as in Keras 3
        return output

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        mask = nest.flatten(mask)[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            states = self.cell.state_size if isinstance(self.cell.state_size, (list, tuple)) \
                else [self.cell.state_size]
            return [output_mask] + [None] * len(states)
        return output_mask

    def get_config(self):
        config = {**super().get_config(), "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards,
                  "stateful": self.stateful, "unroll": self.unroll,
                  "zero_output_for_mask": self.zero_output_for_mask}
        if type(self) is RNN:
            from tapeflow.keras import _registry
            config["cell"] = _registry.serialize(self.cell, "layer")
        return config

    @classmethod
    def from_config(cls, config):
        if cls is RNN:
            from tapeflow.keras import _registry
            config = dict(config)
            config["cell"] = _registry.deserialize(config["cell"], "layer")
        return super().from_config(config)


_CELL_KEYS = ("units", "activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "kernel_regularizer",
              "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
              "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")


class _CellRNN(RNN):
    """An RNN layer that makes its own cell from the constructor arguments."""

    _cell_class = None
    _extra_cell_keys = ()

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        cell_args = {key: kwargs.pop(key) for key in _CELL_KEYS[1:] + self._extra_cell_keys
                     + ("seed",) if key in kwargs}
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        dtype = kwargs.get("dtype")
        cell = self._cell_class(units, name=self._cell_name, dtype=dtype,
                                trainable=kwargs.get("trainable", True), **cell_args)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask,
                         activity_regularizer=activity_regularizer, **kwargs)

    def __getattr__(self, name):
        cell = self.__dict__.get("cell")
        if cell is not None and (name in _CELL_KEYS or name in self._extra_cell_keys):
            return getattr(cell, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_config(self):
        config = super().get_config()
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config


class SimpleRNN(_CellRNN):
    """A fully connected RNN: `h_t = tanh(x_t W + h_{t-1} U + b)`.

    >>> SimpleRNN(3)(tapeflow.ones((2, 5, 4))).shape
    TensorShape([2, 3])
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"


class LSTM(_CellRNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997); states `[h, c]`."""

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
    _extra_cell_keys = ("recurrent_activation", "unit_forget_bias")


class GRU(_CellRNN):
    """Gated recurrent unit (Cho et al., 2014), `reset_after=True` as in Keras."""

    _cell_class = GRUCell
    _cell_name = "gru_cell"
    _extra_cell_keys = ("recurrent_activation", "reset_after")


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards, then merges the outputs.

    Args:
      layer: an RNN layer (its configuration is copied for both directions, named
        `forward_<name>` and `backward_<name>`).
      merge_mode: `"concat"` (default), `"sum"`, `"mul"`, `"ave"` or None (a list).
      backward_layer: an explicit backward layer (its `go_backwards` must differ).
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `keras.layers."
                             f"Layer` instance. Received: {layer}")
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             "be one of {'sum', 'mul', 'ave', 'concat', None}")
        super().__init__(**kwargs)
        base_name = layer.name.removeprefix("forward_")
        config = layer.get_config()
        config["name"] = "forward_" + base_name
        self.forward_layer = type(layer).from_config(config)
        if backward_layer is None:
            config = layer.get_config()
            config["name"] = "backward_" + base_name
            config["go_backwards"] = not config["go_backwards"]
            backward_layer = type(layer).from_config(config)
        elif backward_layer.go_backwards == layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{layer.go_backwards}, backward_layer.go_backwards="
                             f"{backward_layer.go_backwards}")
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer.build(sequences_shape)
        self.backward_layer.build(sequences_shape)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                    training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = tf.reverse(y_rev, axis=[1])      # back to forward time order
        if self.merge_mode == "concat":
            output = tf.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return tuple(output if isinstance(output, list) else [output]) + tuple(states)
        return output

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        mask = nest.flatten(mask)[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * (len(nest.flatten(
                self.forward_layer.cell.state_size)) * 2)
        return output_mask

    def get_config(self):
        from tapeflow.keras import _registry
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": _registry.serialize(self.forward_layer, "layer"),
                "backward_layer": _registry.serialize(self.backward_layer, "layer")}

    @classmethod
    def from_config(cls, config):
        from tapeflow.keras import _registry
        config = dict(config)
        config["layer"] = _registry.deserialize(config["layer"], "layer")
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _registry.deserialize(config["backward_layer"], "layer")
        return super().from_config(config)

