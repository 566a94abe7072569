"""Every layer through the harness: output shapes and dtypes, weight and parameter counts
(expected values taken from TF 2.21 / Keras 3.15), symbolic shapes, config round trip,
float64 gradient checks."""
import numpy as np
import pytest

import tapeflow as tf
from tests.keras.harness import check_layer

L = tf.keras.layers

# (layer, kwargs, input shape, output shape, #trainable, #non-trainable, #params): from TF.
CASES = [
    ("Dense", {"units": 3}, (2, 4), (2, 3), 2, 0, 15),
    ("Dense", {"units": 3, "activation": "relu", "use_bias": False}, (2, 5, 4), (2, 5, 3),
     1, 0, 12),
    ("Activation", {"activation": "tanh"}, (2, 3), (2, 3), 0, 0, 0),
    ("Rescaling", {"scale": 0.5, "offset": 1.0}, (2, 3), (2, 3), 0, 0, 0),
    ("Conv1D", {"filters": 4, "kernel_size": 3}, (2, 7, 2), (2, 5, 4), 2, 0, 28),
    ("Conv1D", {"filters": 2, "kernel_size": 2, "padding": "causal", "dilation_rate": 2},
     (2, 6, 3), (2, 6, 2), 2, 0, 14),
    ("Conv2D", {"filters": 4, "kernel_size": 3}, (2, 6, 6, 2), (2, 4, 4, 4), 2, 0, 76),
    ("Conv2D", {"filters": 4, "kernel_size": (3, 2), "strides": 2, "padding": "same"},
     (2, 7, 6, 2), (2, 4, 3, 4), 2, 0, 52),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "groups": 2}, (1, 5, 5, 2), (1, 3, 3, 4),
     2, 0, 40),
    ("Conv2D", {"filters": 3, "kernel_size": 2, "data_format": "channels_first"},
     (1, 2, 4, 4), (1, 3, 3, 3), 2, 0, 27),
    ("Conv2DTranspose", {"filters": 3, "kernel_size": 3}, (1, 4, 4, 2), (1, 6, 6, 3), 2, 0, 57),
    ("Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
     (1, 3, 3, 2), (1, 6, 6, 3), 2, 0, 57),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, (1, 5, 5, 2), (1, 3, 3, 4),
     2, 0, 40),
    ("SeparableConv2D", {"filters": 4, "kernel_size": 3}, (1, 5, 5, 2), (1, 3, 3, 4), 3, 0, 30),
    ("MaxPooling1D", {}, (2, 6, 3), (2, 3, 3), 0, 0, 0),
    ("MaxPooling2D", {}, (2, 6, 6, 3), (2, 3, 3, 3), 0, 0, 0),
    ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}, (1, 7, 7, 2),
     (1, 4, 4, 2), 0, 0, 0),
    ("AveragePooling1D", {"pool_size": 2}, (2, 6, 3), (2, 3, 3), 0, 0, 0),
    ("AveragePooling2D", {"pool_size": 2}, (2, 6, 6, 3), (2, 3, 3, 3), 0, 0, 0),
    ("GlobalAveragePooling1D", {}, (2, 4, 3), (2, 3), 0, 0, 0),
    ("GlobalAveragePooling2D", {}, (2, 4, 4, 3), (2, 3), 0, 0, 0),
    ("GlobalMaxPooling1D", {}, (2, 4, 3), (2, 3), 0, 0, 0),
    ("GlobalMaxPooling2D", {"keepdims": True}, (2, 4, 4, 3), (2, 1, 1, 3), 0, 0, 0),
    ("Flatten", {}, (2, 3, 4), (2, 12), 0, 0, 0),
    ("Reshape", {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2), 0, 0, 0),
    ("Permute", {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3), 0, 0, 0),
    ("RepeatVector", {"n": 3}, (2, 4), (2, 3, 4), 0, 0, 0),
    ("Dropout", {"rate": 0.5}, (2, 3), (2, 3), 0, 0, 0),
    ("SpatialDropout2D", {"rate": 0.5}, (1, 3, 3, 2), (1, 3, 3, 2), 0, 0, 0),
    ("GaussianNoise", {"stddev": 0.1}, (2, 3), (2, 3), 0, 0, 0),
    ("BatchNormalization", {}, (4, 3), (4, 3), 2, 2, 12),
    ("BatchNormalization", {"axis": 1}, (2, 3, 4, 4), (2, 3, 4, 4), 2, 2, 12),
    ("LayerNormalization", {}, (2, 5), (2, 5), 2, 0, 10),
    ("LayerNormalization", {"axis": (1, 2)}, (2, 3, 4), (2, 3, 4), 2, 0, 24),
    ("ReLU", {"max_value": 0.5}, (2, 3), (2, 3), 0, 0, 0),
    ("LeakyReLU", {}, (2, 3), (2, 3), 0, 0, 0),
    ("Softmax", {}, (2, 3), (2, 3), 0, 0, 0),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 1))}, (1, 3, 3, 2), (1, 6, 4, 2), 0, 0, 0),
    ("Cropping2D", {"cropping": ((1, 0), (0, 1))}, (1, 4, 4, 2), (1, 3, 3, 2), 0, 0, 0),
    ("UpSampling2D", {"size": (2, 3)}, (1, 2, 2, 2), (1, 4, 6, 2), 0, 0, 0),
    ("SimpleRNN", {"units": 3}, (2, 4, 2), (2, 3), 3, 0, 18),
    ("SimpleRNN", {"units": 3, "return_sequences": True}, (2, 4, 2), (2, 4, 3), 3, 0, 18),
    ("LSTM", {"units": 3}, (2, 4, 2), (2, 3), 3, 0, 72),
    ("LSTM", {"units": 2, "return_sequences": True, "return_state": True}, (2, 3, 2),
     [(2, 3, 2), (2, 2), (2, 2)], 3, 0, 40),
    ("GRU", {"units": 3}, (2, 4, 2), (2, 3), 3, 0, 63),
    ("GRU", {"units": 3, "reset_after": False, "go_backwards": True}, (2, 4, 2), (2, 3),
     3, 0, 54),
]


def test_batch_normalization_in_training_mode():
    check_layer(L.BatchNormalization, {"momentum": 0.5}, input_shape=(5, 3),
                expected_output_shape=(5, 3), expected_num_trainable=2,
                expected_num_non_trainable=2, call_kwargs={"training": True})


def test_dropout_in_training_mode_keeps_gradients():
    check_layer(L.Dropout, {"rate": 0.5, "seed": 3}, input_shape=(4, 5),
                expected_output_shape=(4, 5), check_input_gradient=False,
                call_kwargs={"training": True})


def _square(x):
    return x * x


@pytest.mark.parametrize("cls,kwargs,input_shape,output_shape,trainable", [
    (L.Lambda, {"function": _square}, (2, 3), (2, 3), 0),
    (L.Identity, {}, (2, 3), (2, 3), 0),
    (L.Masking, {"mask_value": 0.5}, (2, 3, 4), (2, 3, 4), 0),
    (L.ELU, {"alpha": 0.5}, (2, 3), (2, 3), 0),
    (L.PReLU, {}, (2, 3), (2, 3), 1),
    (L.SpatialDropout1D, {"rate": 0.5}, (2, 3, 4), (2, 3, 4), 0)])
def test_more_layers(cls, kwargs, input_shape, output_shape, trainable):
    check_layer(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                expected_num_trainable=trainable)


def test_lambda_passes_arguments_mask_and_training():
    layer = L.Lambda(lambda x, n, training=None: x * n if training else x,
                     arguments={"n": 3.0})
    x = np.ones((1, 2), "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), 3 * x)


def test_bilinear_upsampling():
    # tf.image.resize computes in float32 even for float64 inputs (as TF does), so the
    # harness's float64 gradient check cannot apply; the input gradient is checked below
    # against float32 central differences instead. Values: test_golden_values.py.
    check_layer(L.UpSampling2D, {"size": (2, 3), "interpolation": "bilinear"},
                input_shape=(1, 2, 2, 2), expected_output_shape=(1, 4, 6, 2),
                check_input_gradient=False)
    layer = L.UpSampling2D((2, 3), interpolation="bilinear")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 4, 2))
    weights = rng.standard_normal((1, 6, 12, 2))

    def loss(a):
        return tf.reduce_sum(layer(a) * tf.constant(weights, tf.float32))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        value = loss(xt)
    analytic = tape.gradient(value, xt).numpy()
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = 1e-2   # float32 outputs: a wide step; the map is linear, so it is exact
        numeric[i] = (float(loss(tf.constant(x + step))) -
                      float(loss(tf.constant(x - step)))) / 2e-2
    np.testing.assert_allclose(analytic, numeric, rtol=1e-3, atol=1e-3)


def _case_id(case):
    return f"{case[0]}-{'-'.join(f'{k}={v}' for k, v in case[1].items())}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_layer(case):
    name, kwargs, input_shape, output_shape, trainable, non_trainable, params = case
    check_layer(getattr(L, name), kwargs, input_shape=input_shape,
                expected_output_shape=output_shape, expected_num_trainable=trainable,
                expected_num_non_trainable=non_trainable, expected_num_params=params)


def test_embedding():
    check_layer(L.Embedding, {"input_dim": 10, "output_dim": 3}, input_shape=(2, 3),
                input_dtype="int32", expected_output_shape=(2, 3, 3), expected_num_trainable=1,
                expected_num_params=30)


@pytest.mark.parametrize("inner,merge_mode,output_shape,params", [
    (lambda: L.LSTM(3), "concat", (2, 6), 144),
    (lambda: L.GRU(2, return_sequences=True), "sum", (2, 4, 2), 72)])
def test_bidirectional(inner, merge_mode, output_shape, params):
    layer = L.Bidirectional(inner(), merge_mode=merge_mode)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 4, 2)).astype("float32")
    y = layer(x)
    assert tuple(y.shape) == output_shape
    assert len(layer.trainable_weights) == 6 and layer.count_params() == params
    forward, backward = layer.forward_layer.name, layer.backward_layer.name
    assert forward.startswith("forward_") and backward.startswith("backward_")
    cell = layer.forward_layer.cell.name
    assert [w.path for w in layer.weights[:2]] == [f"{layer.name}/{forward}/{cell}/kernel",
                                                  f"{layer.name}/{forward}/{cell}/recurrent_kernel"]
    assert layer.weights[3].path == f"{layer.name}/{backward}/{cell}/kernel"
    symbolic = layer(tf.keras.Input((4, 2)))
    assert symbolic.shape == (None,) + output_shape[1:]
    clone = L.Bidirectional.from_config(layer.get_config())
    assert clone.merge_mode == merge_mode
    assert (clone.forward_layer.name, clone.backward_layer.name) == (forward, backward)


def test_multi_head_attention():
    query = np.random.default_rng(0).uniform(-1, 1, (2, 3, 5)).astype("float32")
    value = np.random.default_rng(1).uniform(-1, 1, (2, 4, 5)).astype("float32")
    layer = L.MultiHeadAttention(2, 4)
    y = layer(query, value)
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/{part}/{kind}" for part in ("query", "key", "value", "attention_output")
        for kind in ("kernel", "bias")]
    assert [tuple(w.shape) for w in layer.weights] == [
        (5, 2, 4), (2, 4), (5, 2, 4), (2, 4), (5, 2, 4), (2, 4), (2, 4, 5), (5,)]
    check_layer(L.MultiHeadAttention, {"num_heads": 2, "key_dim": 4}, input_data=query,
                call_kwargs={"value": value}, expected_output_shape=(2, 3, 5),
                expected_num_trainable=8, expected_num_params=189, check_symbolic=False)
    symbolic = L.MultiHeadAttention(2, 4)(tf.keras.Input((3, 5)), tf.keras.Input((None, 5)))
    assert symbolic.shape == (None, 3, 5) and tuple(y.shape) == (2, 3, 5)


@pytest.mark.parametrize("name,output_shape", [
    ("Concatenate", (2, 6)), ("Add", (2, 3)), ("Subtract", (2, 3)), ("Multiply", (2, 3)),
    ("Average", (2, 3)), ("Maximum", (2, 3)), ("Minimum", (2, 3))])
def test_merging_layer(name, output_shape):
    rng = np.random.default_rng(0)
    data = [rng.uniform(-1, 1, (2, 3)).astype("float32") for _ in range(2)]
    check_layer(getattr(L, name), {}, input_data=data, expected_output_shape=output_shape)
