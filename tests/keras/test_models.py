"""Sequential, functional and subclassed models (Keras 3.15 behaviour observed in TF 2.21)."""
import numpy as np
import pytest

import tapeflow as tf

keras = tf.keras
L = keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


def _x(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


# -- Sequential -------------------------------------------------------------------------------

def test_sequential_with_input_is_built_at_once():
    model = keras.Sequential([keras.Input((3,)), L.Dense(2), L.Dense(1)])
    assert model.built and model.count_params() == 11
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
    assert model.inputs[0].shape == (None, 3)
    assert tuple(model(_x(4, 3)).shape) == (4, 1)


def test_sequential_builds_from_its_first_call_with_the_batch_size():
    model = keras.Sequential([L.Dense(2)])
    with pytest.raises(AttributeError, match="Sequential model 'sequential' has no defined "
                                             "inputs yet."):
        model.inputs
    model(_x(3, 4))
    assert model.built and model.input_shape == (3, 4)


def test_sequential_add_and_pop():
    model = keras.Sequential()
    model.add(keras.Input((4,)))
    model.add(L.Dense(3))
    assert model.output_shape == (None, 3)
    model.add(L.Dense(2))
    assert model.output_shape == (None, 2)
    assert model.pop().name == "dense_1"
    assert model.output_shape == (None, 3) and len(model.layers) == 1


def test_sequential_errors():
    with pytest.raises(ValueError, match="Sequential model sequential cannot be built because "
                                         "it has no layers"):
        keras.Sequential().build((None, 3))
    model = keras.Sequential()
    with pytest.raises(ValueError, match=r"Only instances of `keras.Layer` can be added to a "
                                         r"Sequential model. Received: 3"):
        model.add(3)
    model.add(L.Dense(2, name="x"))
    with pytest.raises(ValueError, match="All layers added to a Sequential model should have "
                                         "unique names. Name 'x' is already the name"):
        model.add(L.Dense(2, name="x"))
    built = keras.Sequential([keras.Input((3,)), L.Dense(2)], name="s")
    with pytest.raises(ValueError, match=r"Sequential model 's' has already been configured to "
                                         r"use input shape \(None, 3\)"):
        built.add(keras.Input((4,)))
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 3, "
                                         r"but received input with shape \(2, 5\)"):
        built(_x(2, 5))


def test_sequential_config_round_trip():
    model = keras.Sequential([keras.Input((3,)), L.Dense(2, activation="relu"),
                              L.Dropout(0.5)], name="net")
    config = model.get_config()
    assert [layer["class_name"] for layer in config["layers"]] == ["InputLayer", "Dense",
                                                                   "Dropout"]
    assert config["build_input_shape"] == (None, 3)
    assert config["layers"][1]["build_config"] == {"input_shape": (None, 3)}
    clone = keras.Sequential.from_config(config)
    assert clone.name == "net" and clone.count_params() == 8
    assert clone.layers[0].activation is keras.activations.relu


# -- functional ------------------------------------------------------------------------------

def test_functional_multiple_inputs_outputs_and_shared_layer():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = L.Dense(3)
    merged = L.Concatenate()([shared(a), shared(b)])
    out1 = L.Dense(1, name="out1")(merged)
    out2 = L.Add()([shared(a), shared(b)])
    model = keras.Model([a, b], [out1, out2])
    assert type(model).__name__ == "Functional" and isinstance(model, keras.Model)
    assert [layer.name for layer in model.layers] == ["a", "b", "dense", "concatenate",
                                                      "out1", "add"]
    assert model.count_params() == 15 + 7
    xa, xb = _x(2, 4), _x(2, 4, seed=1)
    y1, y2 = model([xa, xb])
    kernel, bias = shared.get_weights()
    ha, hb = xa @ kernel + bias, xb @ kernel + bias
    np.testing.assert_allclose(y2.numpy(), ha + hb, rtol=1e-5)
    w, c = model.get_layer("out1").get_weights()
    np.testing.assert_allclose(y1.numpy(), np.concatenate([ha, hb], 1) @ w + c, rtol=1e-5)
    y1_dict, _ = model({"a": xa, "b": xb})
    np.testing.assert_allclose(y1_dict.numpy(), y1.numpy())


def test_functional_dict_inputs_and_outputs():
    x = keras.Input((2,))
    model = keras.Model({"x": x}, {"y": L.Dense(1)(x)})
    out = model({"x": _x(3, 2)})
    assert list(out) == ["y"] and tuple(out["y"].shape) == (3, 1)


def test_single_element_lists_are_unpacked_on_call():
    x = keras.Input((2,))
    model = keras.Model([x], [L.Dense(1)(x)])
    out = model(_x(3, 2))
    assert tuple(out.shape) == (3, 1)
    assert isinstance(model.outputs, list) and isinstance(model.output, list)


def test_layer_order_by_depth_then_traversal():
    inp1, inp2 = keras.Input((8,), name="a"), keras.Input((4,))
    dense = L.Dense(4)
    x = L.Concatenate()([dense(inp1), inp2])
    x2 = dense(L.Dense(8)(inp2))
    out1 = L.Dense(2, name="out1")(x)
    out2 = L.Add()([x2, inp2])
    model = keras.Model([inp1, inp2], [out1, out2])
    assert [layer.name for layer in model.layers] == [
        "a", "input_layer", "dense", "dense_1", "concatenate", "out1", "add"]


def test_functional_input_spec_and_disconnected_graph():
    a, b = keras.Input((2,)), keras.Input((2,))
    model = keras.Model(a, L.Dense(1)(a))
    with pytest.raises(ValueError, match=r"Input 0 with name 'input_layer' of layer "
                                         r"'functional' is incompatible with the layer: "
                                         r"expected shape=\(None, 2\), found shape=\(2, 5\)"):
        model(_x(2, 5))
    with pytest.raises(ValueError, match="Output with path `` is not connected to `inputs`"):
        keras.Model(a, L.Add()([a, b]))
    with pytest.raises(ValueError, match="Output with path `1` is not connected to `inputs`"):
        keras.Model([a], [L.Dense(1)(a), L.Add()([a, b])])


def test_get_layer():
    x = keras.Input((3,))
    model = keras.Model(x, L.Dense(1)(x))
    assert model.get_layer(index=1).name == "dense"
    with pytest.raises(ValueError, match=r"No such layer: nope\. Existing layers are: "
                                         r"\['input_layer', 'dense'\]\."):
        model.get_layer("nope")


def test_operators_on_keras_tensors_become_operations():
    x = keras.Input((3,))
    z = x * 2 + 1
    assert repr(z._keras_history.operation) == "<Operation name=add>"
    model = keras.Model(x, L.Dense(1)(z))
    assert [op.name for op in model._operations] == ["input_layer", "multiply", "add",
                                                     "dense"]
    assert [layer.name for layer in model.layers] == ["input_layer", "dense"]
    data = _x(2, 3)
    kernel, bias = model.layers[1].get_weights()
    np.testing.assert_allclose(model(data).numpy(), (data * 2 + 1) @ kernel + bias, rtol=1e-5)


def test_models_nest_as_layers():
    inner = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    x = keras.Input((3,))
    model = keras.Model(x, L.Dense(1)(inner(x)))
    assert [layer.name for layer in model.layers] == ["input_layer_1", "sequential", "dense_1"]
    assert [w.path for w in model.weights] == ["sequential/dense/kernel",
                                               "sequential/dense/bias", "dense_1/kernel",
                                               "dense_1/bias"]
    assert tuple(model(_x(2, 3)).shape) == (2, 1)


def test_functional_model_runs_under_tf_function_and_gradients():
    x = keras.Input((4,))
    h = L.Dense(3, activation="tanh")(x)
    model = keras.Model(x, L.Dense(1)(h))
    data = _x(5, 4)

    @tf.function
    def loss_and_grads(batch):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(batch, training=True)))
        return loss, tape.gradient(loss, model.trainable_variables)

    loss, grads = loss_and_grads(data)
    with tf.GradientTape() as tape:
        eager_loss = tf.reduce_mean(tf.square(model(data)))
    eager_grads = tape.gradient(eager_loss, model.trainable_variables)
    np.testing.assert_allclose(loss.numpy(), eager_loss.numpy(), rtol=1e-6)
    for g, e in zip(grads, eager_grads):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-5, atol=1e-7)


def test_rnn_with_unknown_length_in_a_functional_model():
    x = keras.Input((None, 2))
    lstm = L.LSTM(3, return_sequences=True)
    model = keras.Model(x, lstm(x))
    assert model.output_shape == (None, None, 3)
    data = _x(2, 5, 2)
    np.testing.assert_allclose(model(data).numpy(), lstm(data).numpy(), rtol=1e-6)


# -- subclassed ------------------------------------------------------------------------------

class TwoDense(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = L.Dense(3, activation="relu")
        self.drop = L.Dropout(0.5)
        self.d2 = L.Dense(2)

    def call(self, x, training=False):
        return self.d2(self.drop(self.d1(x), training=training))


def test_subclassed_model_weights_paths_and_layers():
    model = TwoDense()
    assert model.name == "two_dense" and not model.built and model.weights == []
    y = model(_x(4, 5))
    assert tuple(y.shape) == (4, 2) and model.built
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]
    assert [w.path for w in model.trainable_variables] == [
        "two_dense/dense/kernel", "two_dense/dense/bias", "two_dense/dense_1/kernel",
        "two_dense/dense_1/bias"]


def test_subclassed_model_build_with_shape_creates_weights():
    model = TwoDense()
    model.build((None, 5))
    assert model.built and model.count_params() == 18 + 8


def test_subclass_calling_super_with_inputs_and_outputs_is_functional():
    class WithGraph(keras.Model):
        def __init__(self):
            x = keras.Input((2,))
            super().__init__(x, L.Dense(1)(x))

    model = WithGraph()
    assert model.name == "with_graph" and model.count_params() == 3
    assert isinstance(model, WithGraph) and isinstance(model, keras.Model)
    assert tuple(model(_x(4, 2)).shape) == (4, 1)


def test_clone_model_has_same_architecture_and_new_weights():
    inner = keras.Sequential([keras.Input((3,)), L.Dense(2)], name="inner")
    model = keras.Sequential([keras.Input((3,)), inner, L.Dense(1)])
    clone = keras.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == ["inner", "dense_1"]
    assert clone.count_params() == model.count_params() == 11
    assert not np.array_equal(clone.layers[1].kernel.numpy(), model.layers[1].kernel.numpy())
    x = keras.Input((3,))
    functional = keras.Model(x, L.Dense(2)(x))
    copy = keras.models.clone_model(functional)
    assert type(copy).__name__ == "Functional" and copy.count_params() == 8
    assert copy.layers[1] is not functional.layers[1]


def test_model_from_config_and_nested_configs():
    dense = keras.models.model_from_config({"class_name": "Dense", "config": {"units": 2}})
    assert isinstance(dense, L.Dense) and dense.units == 2
    inner = keras.Sequential([keras.Input((3,)), L.Dense(2)], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, L.Dense(1)], name="outer")
    rebuilt = keras.Sequential.from_config(outer.get_config())
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in outer.layers]
    assert rebuilt.output_shape == (None, 1) and rebuilt.count_params() == 11
