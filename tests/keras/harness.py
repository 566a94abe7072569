"""One harness that tests a Keras layer in one call.

`check_layer(cls, kwargs, input_shape, ...)` checks, for a fresh layer:

- lazy building: no weights before the first call, built after it;
- the eager output's shape and dtype;
- the number of trainable and non-trainable weights (and their total size);
- the number of losses after a call;
- the same layer class called on a `tf.keras.Input` (shape inference by
  tracing): the symbolic output shape, and `compute_output_shape`;
- the config round trip: `from_config(get_config())` gives the same config;
- gradients in float64 against central differences, with respect to the
  input (tapeflow.testing.gradient_checker) and to every trainable weight.
"""
import numpy as np

import tapeflow as tf
from tapeflow.testing.gradient_checker import check_gradients


def _inputs(input_shape, input_dtype, input_data, seed):
    if input_data is not None:
        return input_data
    rng = np.random.default_rng(seed)
    if np.dtype(input_dtype).kind in "iu":
        return rng.integers(0, 5, size=input_shape).astype(input_dtype)
    return rng.uniform(-1.0, 1.0, size=input_shape).astype(input_dtype)


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def check_layer(cls, kwargs=None, input_shape=(2, 3), input_dtype="float32", input_data=None,
                expected_output_shape=None, expected_output_dtype="float32",
                expected_num_trainable=0, expected_num_non_trainable=0,
                expected_num_params=None, expected_num_losses=0, call_kwargs=None,
                check_symbolic=True, check_input_gradient=True, check_weight_gradient=True,
                gradient_training=None, seed=0, rtol=1e-5, atol=1e-6):
    """Runs every check of the module docstring on `cls(**kwargs)`; returns the outputs."""
    kwargs = dict(kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    x = _inputs(input_shape, input_dtype, input_data, seed)
    multiple = isinstance(x, list)

    layer = cls(**kwargs)
    assert not layer.built, "a layer must not be built before its first call"
    assert layer.weights == [], "weights exist before the layer is built"
    outputs = layer(x, **call_kwargs)
    assert layer.built
    for out, shape in zip(_as_list(outputs), _expected_list(expected_output_shape, outputs)):
        if shape is not None:
            assert tuple(out.shape) == tuple(shape), f"output shape {tuple(out.shape)} != {shape}"
        assert out.dtype == expected_output_dtype, f"output dtype {out.dtype}"
    assert len(layer.trainable_weights) == expected_num_trainable, layer.trainable_weights
    assert len(layer.non_trainable_weights) == expected_num_non_trainable
    if expected_num_params is not None:
        assert layer.count_params() == expected_num_params, layer.count_params()
    assert len(layer.losses) == expected_num_losses, layer.losses

    if check_symbolic:
        _check_symbolic(cls, kwargs, x, multiple, input_dtype, outputs, call_kwargs)
    _check_config_round_trip(layer, cls)
    if check_input_gradient or check_weight_gradient:
        _check_gradients(cls, kwargs, x, call_kwargs, gradient_training, check_input_gradient,
                         check_weight_gradient, input_dtype, seed, rtol, atol)
    return outputs


def _expected_list(expected, outputs):
    if expected is None:
        return [None] * len(_as_list(outputs))
    if isinstance(expected, list):
        return expected
    return [expected]


def _check_symbolic(cls, kwargs, x, multiple, input_dtype, eager_outputs, call_kwargs):
    layer = cls(**kwargs)
    arrays = x if multiple else [x]
    inputs = [tf.keras.Input(shape=np.shape(a)[1:], dtype=str(np.asarray(a).dtype))
              for a in arrays]
    symbolic = layer(inputs if multiple else inputs[0], **call_kwargs)
    for sym, eager in zip(_as_list(symbolic), _as_list(eager_outputs)):
        assert isinstance(sym, tf.keras.KerasTensor)
        expected = (None,) + tuple(eager.shape)[1:]
        assert sym.shape == expected, f"symbolic shape {sym.shape} != {expected}"
        assert sym.dtype == eager.dtype
    if not call_kwargs:
        shapes = [(None,) + tuple(np.shape(a))[1:] for a in arrays]
        computed = layer.compute_output_shape(shapes if multiple else shapes[0])
        expected = [(None,) + tuple(e.shape)[1:] for e in _as_list(eager_outputs)]
        multi = isinstance(computed, (list, tuple)) and computed and \
            isinstance(computed[0], tuple)
        got = list(computed) if multi else [computed]
        assert [tuple(s) for s in got] == expected, f"compute_output_shape {computed}"


def _check_config_round_trip(layer, cls):
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config, f"{clone.get_config()}\n!=\n{config}"


def _float64_layer(cls, kwargs, x, call_kwargs, input_dtype):
    layer = cls(**{**kwargs, "dtype": "float64"})
    layer(_cast_inputs(x, input_dtype), **call_kwargs)
    return layer


def _cast_inputs(x, input_dtype):
    if np.dtype(input_dtype).kind != "f":
        return x
    if isinstance(x, list):
        return [np.asarray(a, np.float64) for a in x]
    return np.asarray(x, np.float64)


def _check_gradients(cls, kwargs, x, call_kwargs, training, check_input, check_weights,
                     input_dtype, seed, rtol, atol):
    layer = _float64_layer(cls, kwargs, x, call_kwargs, input_dtype)
    call = dict(call_kwargs)
    if training is not None:
        call["training"] = training
    x64 = _cast_inputs(x, input_dtype)
    if check_input and np.dtype(input_dtype).kind == "f":
        arrays = x64 if isinstance(x64, list) else [x64]

        def f(*tensors):
            return layer(list(tensors) if isinstance(x64, list) else tensors[0], **call)
        check_gradients(f, arrays, rtol=rtol, atol=atol, seed=seed)
    if check_weights:
        check_weight_gradients(layer, x64, call, seed, rtol, atol)


def check_weight_gradients(layer, x, call_kwargs, seed=0, rtol=1e-5, atol=1e-6,
                           max_entries=12, delta=1e-6):
    """Tape gradients w.r.t. each trainable weight vs central differences on some entries."""
    rng = np.random.default_rng(seed)
    outputs = _as_list(layer(x, **call_kwargs))
    cotangents = [rng.standard_normal(tuple(y.shape)) for y in outputs]

    def phi():
        ys = _as_list(layer(x, **call_kwargs))
        return sum(float(np.sum(np.asarray(y, np.float64) * u)) for y, u in zip(ys, cotangents))

    with tf.GradientTape() as tape:
        ys = _as_list(layer(x, **call_kwargs))
        total = tf.add_n([tf.reduce_sum(y * u) for y, u in zip(ys, cotangents)])
    weights = layer.trainable_weights
    grads = tape.gradient(total, weights)
    for variable, grad in zip(weights, grads):
        assert grad is not None, f"no gradient for {variable.path}"
        grad = np.asarray(grad)
        value = variable.numpy()
        size = value.size
        entries = range(size) if size <= max_entries else rng.choice(size, max_entries,
                                                                     replace=False)
        for j in entries:
            plus, minus = value.copy(), value.copy()
            plus.reshape(-1)[j] += delta
            minus.reshape(-1)[j] -= delta
            variable.assign(plus)
            up = phi()
            variable.assign(minus)
            down = phi()
            variable.assign(value)
            numeric = (up - down) / (2 * delta)
            np.testing.assert_allclose(grad.reshape(-1)[j], numeric, rtol=rtol * 10,
                                       atol=atol * 10,
                                       err_msg=f"gradient of {variable.path}[{j}]")
