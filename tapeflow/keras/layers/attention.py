"""MultiHeadAttention (Vaswani et al., 2017), with Keras 3's weights and masks.

Query, key and value are projected per head (`query`, `key`, `value`
sublayers with kernels `(dim, num_heads, head_dim)`), each head computes
`softmax(q k^T / sqrt(key_dim)) v`, and `attention_output` (kernel
`(num_heads, value_dim, output_dim)`) projects the concatenated heads back.
Heads are computed one by one with matmuls on `(batch, time, head_dim)`
slices, so unknown batch and sequence lengths trace without reshapes.
"""
import math

import tapeflow as tf
from tapeflow.keras import backend, constraints, initializers, regularizers
from tapeflow.keras.layers.base import Layer


class _HeadsDense(Layer):
    """A projection to or from heads: kernel `(dim, heads, size)` or `(heads, size, dim)`."""

    def __init__(self, kernel_shape, bias_shape, owner, to_heads, **kwargs):
        super().__init__(**kwargs)
        self._kernel_shape = kernel_shape
        self._bias_shape = bias_shape
        self._owner_args = owner
        self._to_heads = to_heads

    def build(self, input_shape=None):
        owner = self._owner_args
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape,
                                      initializer=owner["kernel_initializer"],
                                      regularizer=owner["kernel_regularizer"],
                                      constraint=owner["kernel_constraint"])
        self.bias = None
        if self._bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=self._bias_shape,
                                        initializer=owner["bias_initializer"],
                                        regularizer=owner["bias_regularizer"],
                                        constraint=owner["bias_constraint"])

    def call(self, inputs):
        """`(batch, time, in)` @ the kernel flattened to 2-D -> `(batch, time, out)`."""
        if self._to_heads:          # input projection: (dim, heads, size)
            kernel = tf.reshape(self.kernel, (self._kernel_shape[0], -1))
            bias = None if self.bias is None else tf.reshape(self.bias, (-1,))
        else:                       # output projection: (heads, size, dim)
            kernel = tf.reshape(self.kernel, (-1, self._kernel_shape[-1]))
            bias = self.bias
        y = tf.matmul(inputs, kernel)
        return y if bias is None else y + bias


class MultiHeadAttention(Layer):
    """Multi-head attention of `query` over `value` (and `key`, default `value`).

    Args:
      num_heads: the number of attention heads.
      key_dim: the size of each head for query and key.
      value_dim: the size of each head for value (default `key_dim`).
      dropout: dropout rate on the attention probabilities (training only).
      use_bias: whether the projections have biases.
      output_shape: the last dimension of the output (default: the query's).

    Call arguments:
      query: `(batch, target_len, dim)`; value: `(batch, source_len, dim)`;
      key: optional, like value.
      attention_mask: booleans `(batch, target_len, source_len)`, True = attend.
      return_attention_scores: also return the `(batch, heads, target, source)`
        probabilities.
      training: enables dropout.
      use_causal_mask: position i attends only to positions <= i.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, seed=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if attention_axes is not None and tuple(attention_axes) not in ((1,), (-2,)):
            raise NotImplementedError("MultiHeadAttention in tapeflow attends over axis 1 "
                                      f"only; got attention_axes={attention_axes}.")
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        self.output_shape_arg = output_shape
        self.attention_axes = attention_axes
        self.seed = seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True
        from tapeflow.keras.layers.regularization import Dropout
        self._dropout_layer = Dropout(rate=dropout, dtype=self.dtype_policy, seed=seed)

    def _projection_args(self):
        return {"kernel_initializer": self.kernel_initializer.clone()
                if hasattr(self.kernel_initializer, "clone") else self.kernel_initializer,
                "bias_initializer": self.bias_initializer,
                "kernel_regularizer": self.kernel_regularizer,
                "bias_regularizer": self.bias_regularizer,
                "kernel_constraint": self.kernel_constraint,
                "bias_constraint": self.bias_constraint}

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        heads = self.num_heads

        def projection(name, dim, size):
            bias = (heads, size) if self.use_bias else None
            return _HeadsDense((dim, heads, size), bias, self._projection_args(), True,
                               name=name, dtype=self.dtype_policy)

        self._query_dense = projection("query", query_shape[-1], self.key_dim)
        self._key_dense = projection("key", key_shape[-1], self.key_dim)
        self._value_dense = projection("value", value_shape[-1], self.value_dim)
        output_dim = self.output_shape_arg or query_shape[-1]
        if isinstance(output_dim, (tuple, list)):
            output_dim = output_dim[-1]
        self._output_dense = _HeadsDense(
            (heads, self.value_dim, output_dim), (output_dim,) if self.use_bias else None,
            self._projection_args(), False, name="attention_output", dtype=self.dtype_policy)
        for layer in (self._query_dense, self._key_dense, self._value_dense,
                      self._output_dense):
            layer.build()

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key = value if key is None else key
        mask = self._attention_mask(query, value, key, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        q = self._query_dense(query) * (1.0 / math.sqrt(float(self.key_dim)))
        k = self._key_dense(key)
        v = self._value_dense(value)
        q_heads = tf.split(q, self.num_heads, axis=-1)
        k_heads = tf.split(k, self.num_heads, axis=-1)
        v_heads = tf.split(v, self.num_heads, axis=-1)
        outputs, scores = [], []
        for q_h, k_h, v_h in zip(q_heads, k_heads, v_heads):
            logits = tf.matmul(q_h, k_h, transpose_b=True)     # (batch, target, source)
            if mask is not None:
                logits = logits + (1.0 - tf.cast(mask, logits.dtype)) * -1e9
            probabilities = tf.nn.softmax(logits, axis=-1)
            scores.append(probabilities)
            probabilities = self._dropout_layer(probabilities, training=training)
            outputs.append(tf.matmul(probabilities, v_h))
        output = self._output_dense(tf.concat(outputs, axis=-1))
        if return_attention_scores:
            return output, tf.stack(scores, axis=1)
        return output

    def _attention_mask(self, query, value, key, query_mask, value_mask, key_mask,
                        attention_mask, use_causal_mask):
        """The combined boolean mask `(batch, target, source)`, or None."""
        query_mask = query_mask if query_mask is not None else backend.get_keras_mask(query)
        value_mask = value_mask if value_mask is not None else backend.get_keras_mask(value)
        key_mask = key_mask if key_mask is not None else backend.get_keras_mask(key)
        masks = []
        if query_mask is not None:
            masks.append(tf.expand_dims(tf.cast(query_mask, tf.bool), -1))
        if value_mask is not None:
            masks.append(tf.expand_dims(tf.cast(value_mask, tf.bool), -2))
        if key_mask is not None:
            masks.append(tf.expand_dims(tf.cast(key_mask, tf.bool), -2))
        if use_causal_mask:
            target = query.shape[1] if query.shape[1] is not None else tf.shape(query)[1]
            source = value.shape[1] if value.shape[1] is not None else tf.shape(value)[1]
            rows = tf.expand_dims(tf.range(target), -1)
            cols = tf.expand_dims(tf.range(source), 0)
            masks.append(tf.expand_dims(tf.greater_equal(rows, cols), 0))
        if attention_mask is not None:
            masks.append(tf.cast(attention_mask, tf.bool))
        if not masks:
            return None
        combined = masks[0]
        for m in masks[1:]:
            combined = tf.logical_and(combined, m)
        return combined

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "use_gate": False,
                "output_shape": self.output_shape_arg, "attention_axes": self.attention_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("use_gate", None)
        return super().from_config(config)
