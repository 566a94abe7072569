"""The Layer contract (Keras 3.15 behaviour, observed in TF 2.21): lazy building, names,
tracking, weight order, trainable, losses, the training flag, weights I/O, errors."""
import numpy as np
import pytest

import tapeflow as tf

keras = tf.keras
L = keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


class Probe(L.Layer):
    """Records the `training` value each call receives."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return x


# -- building -----------------------------------------------------------------------------

def test_weights_are_created_on_first_call():
    layer = L.Dense(3)
    assert not layer.built and layer.weights == []
    layer(np.ones((2, 4), "float32"))
    assert layer.built
    assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (3,)]


def test_build_with_an_input_shape_creates_weights():
    layer = L.Dense(3)
    layer.build((None, 5))
    assert layer.built and tuple(layer.kernel.shape) == (5, 3)
    assert layer.input_spec.axes == {-1: 5}


def test_build_receives_the_concrete_input_shape():
    shapes = []

    class Recorder(L.Layer):
        def build(self, input_shape):
            shapes.append(input_shape)

        def call(self, x):
            return x

    Recorder()(np.ones((2, 3)))
    assert shapes == [(2, 3)]


def test_custom_build_and_add_weight_defaults():
    class W(L.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(shape=(2,), name="a")
            self.b = self.add_weight(shape=(2,), dtype="int32", name="b", trainable=False)
            self.c = self.add_weight(shape=())

        def call(self, x):
            return x

    layer = W()
    layer(np.ones((1, 1)))
    assert [(v.name, v.path, v.dtype, v.trainable) for v in layer.weights] == [
        ("a", "w/a", "float32", True), ("variable", "w/variable", "float32", True),
        ("b", "w/b", "int32", False)]
    np.testing.assert_array_equal(layer.b.numpy(), [0, 0])
    assert layer.a.numpy().std() > 0      # glorot_uniform by default for floats
    with pytest.raises(ValueError, match=r"`name` must be passed as a keyword argument\. "
                                         r"Received: add_weight\('x', \.\.\.\)"):
        layer.add_weight("x", (2,))


# -- names ---------------------------------------------------------------------------------

def test_automatic_names_follow_keras():
    assert [L.Flatten().name, L.Dense(2).name, L.Dense(2).name] == ["flatten", "dense",
                                                                     "dense_1"]
    names = [L.MaxPooling2D().name, L.ZeroPadding2D().name, L.GlobalAveragePooling2D().name,
             L.UpSampling2D().name, L.ReLU().name, L.LeakyReLU().name, L.SimpleRNN(2).name,
             L.GRU(2).name, L.LSTM(2).name, L.MultiHeadAttention(1, 2).name,
             L.Conv2DTranspose(1, 1).name, L.SeparableConv2D(1, 1).name,
             L.DepthwiseConv2D(1).name, L.SpatialDropout2D(0.1).name,
             L.BatchNormalization().name, L.Conv1D(1, 1).name]
    assert names == ["max_pooling2d", "zero_padding2d", "global_average_pooling2d",
                     "up_sampling2d", "re_lu", "leaky_re_lu", "simple_rnn", "gru", "lstm",
                     "multi_head_attention", "conv2d_transpose", "separable_conv2d",
                     "depthwise_conv2d", "spatial_dropout2d", "batch_normalization",
                     "conv1d"]


def test_custom_layer_names_and_clear_session():
    class MyLayer(L.Layer):
        def call(self, x):
            return x

    assert [MyLayer().name, MyLayer().name] == ["my_layer", "my_layer_1"]
    keras.backend.clear_session()
    assert MyLayer().name == "my_layer"


def test_repr():
    assert repr(L.Dense(2)) == "<Dense name=dense, built=False>"
    layer = L.Conv2D(1, 1)
    layer(np.ones((1, 2, 2, 1), "float32"))
    assert repr(layer) == "<Conv2D name=conv2d, built=True>"


# -- tracking and weight order ------------------------------------------------------------

def test_sublayers_in_lists_and_dicts_are_tracked():
    class Tracked(L.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = [L.Dense(2), L.Dense(2)]
            self.heads = {"a": L.Dense(1)}

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x)

    layer = Tracked()
    layer(np.ones((1, 3), "float32"))
    assert [w.path for w in layer.weights] == [
        "tracked/dense/kernel", "tracked/dense/bias", "tracked/dense_1/kernel",
        "tracked/dense_1/bias", "tracked/dense_2/kernel", "tracked/dense_2/bias"]


def test_weight_order_is_own_trainable_then_own_non_trainable_then_sublayers():
    class Mixed(L.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(shape=(2,), trainable=False, name="a")
            self.b = self.add_weight(shape=(2,), name="b")
            self.sub = [L.Dense(2), L.Dense(2)]
            self.c = self.add_weight(shape=(1,), name="c")

        def call(self, x):
            for s in self.sub:
                x = s(x)
            return x * self.b

    layer = Mixed()
    layer(np.ones((1, 2), "float32"))
    assert [w.path for w in layer.weights] == [
        "mixed/b", "mixed/c", "mixed/a", "mixed/dense/kernel", "mixed/dense/bias",
        "mixed/dense_1/kernel", "mixed/dense_1/bias"]
    assert [w.path for w in layer.non_trainable_weights] == ["mixed/a"]
    assert layer.variables == layer.weights


def test_keras_variables_set_as_attributes_are_tracked_not_tf_variables():
    class Holder(L.Layer):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(1.0)
            self.kv = keras.Variable(2.0, name="kv")
            self.in_list = [keras.Variable(3.0, name="in_list")]

        def call(self, x):
            return x

    assert [w.path for w in Holder().weights] == ["kv", "in_list"]


def test_trainable_false_freezes_weights_and_sublayers():
    layer = L.Dense(2)
    layer.build((None, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert layer.kernel.trainable is False
    model = keras.Sequential([keras.Input((3,)), L.Dense(2), L.Dense(1)])
    model.trainable = False
    assert model.trainable_variables == [] and len(model.non_trainable_variables) == 4
    model.trainable = True
    assert len(model.trainable_variables) == 4


# -- weights I/O ---------------------------------------------------------------------------

def test_get_and_set_weights():
    layer = L.Dense(2)
    layer.build((None, 3))
    values = [np.arange(6, dtype="float32").reshape(3, 2), np.array([1.0, -1.0], "float32")]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"You called `set_weights\(weights\)` on layer "
                                         r"'dense' with a weight list of length 1, but the "
                                         r"layer was expecting 2 weights\."):
        layer.set_weights(values[:1])
    with pytest.raises(ValueError, match=r"Layer dense weight shape \(3, 2\) is not compatible "
                                         r"with provided weight shape \(2, 2\)\."):
        layer.set_weights([np.ones((2, 2)), np.ones(2)])


def test_count_params_of_an_unbuilt_layer_fails():
    with pytest.raises(ValueError, match="You tried to call `count_params` on layer 'dense', "
                                         "but the layer isn't built"):
        L.Dense(2).count_params()


# -- losses --------------------------------------------------------------------------------

def test_add_loss_is_cleared_at_each_outer_call():
    class LossLayer(L.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x

    layer = LossLayer()
    layer(np.ones((1, 2), "float32"))
    layer(np.ones((1, 2), "float32"))
    assert len(layer.losses) == 1 and float(layer.losses[0]) == 2.0

    class Parent(L.Layer):
        def __init__(self):
            super().__init__()
            self.child = LossLayer()
            self.dense = L.Dense(2, kernel_regularizer="l2")

        def call(self, x):
            self.add_loss(tf.reduce_mean(x))
            return self.dense(self.child(x))

    parent = Parent()
    parent(np.ones((1, 2), "float32"))
    parent(np.ones((1, 2), "float32"))
    losses = parent.losses
    assert len(losses) == 3
    np.testing.assert_allclose(float(losses[2]),
                               0.01 * np.sum(np.square(parent.dense.kernel.numpy())),
                               rtol=1e-6)


def test_regularization_losses_exist_once_built_and_differentiate():
    layer = L.Dense(2, kernel_regularizer=keras.regularizers.l1(0.5),
                    bias_regularizer=keras.regularizers.l2(0.25))
    layer.build((None, 3))
    layer.bias.assign([1.0, 2.0])
    with tf.GradientTape() as tape:
        total = tf.add_n(layer.losses)
    kernel_grad, bias_grad = tape.gradient(total, [layer.kernel, layer.bias])
    np.testing.assert_allclose(kernel_grad.numpy(), 0.5 * np.sign(layer.kernel.numpy()))
    np.testing.assert_allclose(bias_grad.numpy(), [0.5, 1.0])


def test_losses_of_a_symbolic_call_are_not_kept():
    layer = L.Dense(2, activity_regularizer="l2")
    layer(keras.Input((3,)))
    assert layer.losses == []


# -- the training flag -----------------------------------------------------------------------

class Outer(L.Layer):
    def __init__(self):
        super().__init__()
        self.p = Probe()
        self.q = Probe()

    def call(self, x, training=None):
        x = self.p(x)
        x = self.q(x, training=False)
        return self.p(x)


def test_training_flows_to_sublayers_and_explicit_values_win():
    layer = Outer()
    layer(np.ones((1, 2), "float32"), training=True)
    # An explicit training=False on q also becomes the context value for later calls.
    assert layer.p.seen == [True, False] and layer.q.seen == [False]
    layer.p.seen.clear()
    layer(np.ones((1, 2), "float32"))
    assert layer.p.seen == [None, False]


def test_call_signature_default_for_training_is_used():
    class DefaultTrue(L.Layer):
        def __init__(self):
            super().__init__()
            self.p = Probe()

        def call(self, x, training=True):
            return self.p(x)

    layer = DefaultTrue()
    layer(np.ones((1, 2), "float32"))
    assert layer.p.seen == [True]


def test_training_reaches_layers_of_sequential_and_functional_models():
    probe = Probe()
    model = keras.Sequential([keras.Input((2,)), probe])
    probe.seen.clear()
    model(np.ones((1, 2), "float32"), training=True)
    model(np.ones((1, 2), "float32"))
    assert probe.seen == [True, None]
    inputs = keras.Input((2,))
    probe2 = Probe()
    functional = keras.Model(inputs, probe2(inputs))
    probe2.seen.clear()
    functional(np.ones((1, 2), "float32"), training=False)
    assert probe2.seen == [False]


def test_dropout_acts_only_in_training():
    layer = L.Dropout(0.5, seed=1)
    x = np.ones((200, 50), "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.45 < np.mean(y == 0) < 0.55


def test_batch_normalization_training_and_inference():
    layer = L.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]], "float32")
    y = layer(x, training=True).numpy()
    mean, var = x.mean(axis=0), x.var(axis=0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-6)
    y = layer(x, training=False).numpy()
    np.testing.assert_allclose(y, (x - 0.1 * mean) / np.sqrt(0.9 + 0.1 * var + 1e-3),
                               rtol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-6)
    layer.trainable = False        # a frozen BN runs in inference mode even when training
    y_frozen = layer(x, training=True).numpy()
    np.testing.assert_allclose(y_frozen, y, rtol=1e-6)


# -- errors ---------------------------------------------------------------------------------

def test_incompatible_inputs_name_the_layer_and_shapes():
    layer = L.Dense(3)
    with pytest.raises(ValueError, match=r"Input 0 with name 'None' of layer 'dense' is "
                                         r"incompatible with the layer: expected min_ndim=2, "
                                         r"found ndim=1\. Full shape received: \(2,\)"):
        layer(np.ones((2,), "float32"))
    layer(np.ones((2, 784), "float32"))
    with pytest.raises(ValueError, match=r"Input 0 with name 'None' of layer 'dense' is "
                                         r"incompatible with the layer: expected axis -1 of "
                                         r"input shape to have value 784, but received input "
                                         r"with shape \(2, 10\)"):
        layer(np.ones((2, 10), "float32"))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        L.MaxPooling2D()(np.ones((1, 4, 4), "float32"))


def test_unknown_names_fail_like_keras_and_list_valid_names():
    with pytest.raises(ValueError, match=r"Could not interpret activation function identifier: "
                                         r"foo\. Valid names are: .*\brelu\b"):
        L.Dense(3, activation="foo")
    with pytest.raises(ValueError, match=r"Could not interpret initializer identifier: foo\. "
                                         r"Valid names are: .*\bglorot_uniform\b"):
        L.Dense(3, kernel_initializer="foo")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: foo"):
        L.Dense(3, kernel_regularizer="foo")
    with pytest.raises(ValueError, match="Could not interpret constraint identifier: foo"):
        L.Dense(3, kernel_constraint="foo")


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Dense: "
                                         r"\{'foo': 1\}"):
        L.Dense(2, foo=1)
    with pytest.raises(ValueError, match="Received an invalid value for `units`, expected a "
                                         "positive integer. Received: units=0"):
        L.Dense(0)
    with pytest.raises(ValueError, match="Invalid value for argument `filters`. Expected a "
                                         "strictly positive value. Received filters=0."):
        L.Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"The `kernel_size` argument must be a tuple of 2 "
                                         r"integers\. Received kernel_size=0, including values "
                                         r"\{0\} that do not satisfy `value > 0`"):
        L.Conv2D(2, 0)
    with pytest.raises(ValueError, match="`strides > 1` not supported in conjunction with "
                                         "`dilation_rate > 1`"):
        L.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="Invalid permutation argument `dims` for Permute "
                                         "Layer"):
        L.Permute((1, 1, 2))
    with pytest.raises(ValueError, match=r"The total size of the tensor must be unchanged\. "
                                         r"Received: input_shape=\(2, 3, 4\), "
                                         r"target_shape=\(5, 5\)"):
        L.Reshape((5, 5))(np.ones((1, 2, 3, 4), "float32"))


def test_forgetting_super_init_is_reported():
    class Bad(L.Layer):
        def __init__(self):
            self.x = 1

    with pytest.raises(RuntimeError, match=r"In layer 'Bad', you forgot to call "
                                           r"`super\(\).__init__\(\)` as the first statement"):
        Bad()(np.ones((1, 1)))


def test_merge_layer_errors():
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes\. Received shapes "
                                         r"\(2, 3, 4\) and \(2, 3, 5\)"):
        L.Add()([np.ones((1, 2, 3, 4), "float32"), np.ones((1, 2, 3, 5), "float32")])
    with pytest.raises(ValueError, match="A `Concatenate` layer requires inputs with matching "
                                         "shapes except for the concatenation axis"):
        L.Concatenate()([np.ones((1, 2, 3, 4), "float32"), np.ones((1, 3, 3, 4), "float32")])
    with pytest.raises(ValueError, match="A `Subtract` layer should be called on exactly 2 "
                                         "inputs"):
        L.Subtract()([np.ones((1, 2), "float32")] * 3)


# -- shapes, dtypes and config -------------------------------------------------------------

def test_compute_output_shape_runs_no_kernels():
    assert L.Dense(2).compute_output_shape((None, 5, 3)) == (None, 5, 2)
    assert L.Conv2D(4, 3, strides=2).compute_output_shape((None, 9, 9, 1)) == (None, 4, 4, 4)


def test_inputs_are_autocast_to_the_compute_dtype():
    layer = L.Dense(2)
    assert layer(np.ones((1, 3), "float64")).dtype == tf.float32
    assert layer(np.ones((1, 3), "int32")).dtype == tf.float32
    assert layer.dtype == "float32" and layer.compute_dtype == "float32"
    double = L.Dense(2, dtype="float64")
    assert double(np.ones((1, 3), "float32")).dtype == tf.float64
    assert double.kernel.dtype == tf.float64


def test_dense_config_matches_keras():
    config = L.Dense(3).get_config()
    assert config == {
        "name": "dense", "trainable": True,
        "dtype": {"module": "keras", "class_name": "DTypePolicy",
                  "config": {"name": "float32"}, "registered_name": None},
        "units": 3, "activation": "linear", "use_bias": True,
        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                               "config": {"seed": None, "input_axes": None,
                                          "output_axes": None},
                               "registered_name": None},
        "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                             "config": {}, "registered_name": None},
        "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
        "bias_constraint": None, "quantization_config": None}
    clone = L.Dense.from_config(config)
    assert clone.units == 3 and clone.name == "dense"


def test_keras_tensor_names_and_backend_helpers():
    inputs = keras.Input((3,))
    outputs = L.Dense(2)(inputs)
    assert (inputs.name, outputs.name) == ("keras_tensor", "keras_tensor_1")
    assert repr(inputs) == ("<KerasTensor shape=(None, 3), dtype=float32, sparse=False, "
                            "ragged=False, name=keras_tensor>")
    assert keras.backend.is_keras_tensor(inputs) and keras.backend.int_shape(inputs) == (None, 3)
    with pytest.raises(ValueError, match="A KerasTensor cannot be used as input to a "
                                         "TensorFlow function"):
        tf.nn.relu(inputs)


def test_only_tensors_are_positional():
    layer = L.Dense(2)
    with pytest.raises(ValueError, match=r"Only input tensors may be passed as positional "
                                         r"arguments\. The following argument value should be "
                                         r"passed as a keyword argument: True \(of type "
                                         r"<class 'bool'>\)"):
        layer(np.ones((1, 2), "float32"), True)


def test_masking_sets_keras_mask_and_rnn_skips_masked_steps():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], "float32")
    y = L.Masking(0.0)(x)
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[True, False, True]])
    lstm = L.LSTM(2)
    masked = keras.Sequential([keras.Input((3, 2)), L.Masking(0.0), lstm])
    unmasked_input = np.array([[[1.0, 2.0], [3.0, 0.0]]], "float32")
    np.testing.assert_allclose(masked(x).numpy(), lstm(unmasked_input).numpy(), rtol=1e-6)


def test_legacy_backend_functions():
    K = keras.backend
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"
    np.testing.assert_allclose(K.mean(tf.constant([[1.0, 2.0], [3.0, 5.0]]), axis=1).numpy(),
                               [1.5, 4.0])
    assert tuple(K.dot(tf.ones((2, 3, 4)), tf.ones((4, 5))).shape) == (2, 3, 5)
    np.testing.assert_array_equal(K.concatenate([tf.ones((1, 2)), tf.zeros((1, 1))]).numpy(),
                                  [[1.0, 1.0, 0.0]])
    v = K.variable([1.0, 2.0])
    K.set_value(v, [3.0, 4.0])
    np.testing.assert_array_equal(K.get_value(v), [3.0, 4.0])
    assert K.int_shape(tf.ones((2, 3))) == (2, 3)
    with pytest.raises(AttributeError):
        K.not_a_function


def test_seed_generator_state_is_a_variable_but_not_a_weight():
    assert [v.path for v in L.LSTM(2).variables] == ["seed_generator/seed_generator_state"]
    assert [v.path for v in L.GRU(2).variables] == ["seed_generator_1/seed_generator_state"]
    assert L.Dropout(0.0).variables == [] and L.GaussianNoise(0.0).variables == []
    layer = L.LSTM(2)
    layer(np.ones((1, 3, 2), "float32"))
    assert [v.path for v in layer.variables] == [
        "lstm_1/lstm_cell/kernel", "lstm_1/lstm_cell/recurrent_kernel", "lstm_1/lstm_cell/bias",
        "seed_generator_2/seed_generator_state"]
    assert len(layer.weights) == 3
    generator = keras.random.SeedGenerator(3)
    assert generator.state.numpy().tolist() == [3, 0] and generator.state.dtype == tf.int64
