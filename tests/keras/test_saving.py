"""Weights files, `.keras` archives and (de)serialization: round trips, Keras 3 interop,
atomic writes, and loads that fail cleanly (clear error, no weight changed)."""
import json
import os
import zipfile

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._util import atomic
from tapeflow.keras.saving import weights as weights_lib

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RNG = np.random.default_rng(6)
X = RNG.random((6, 4), dtype=np.float32)
Y = RNG.random((6, 2), dtype=np.float32)


def trained_model(width=3):
    model = tf.keras.Sequential([tf.keras.Input((4,)),
                                 tf.keras.layers.Dense(width, activation="relu"),
                                 tf.keras.layers.BatchNormalization(),
                                 tf.keras.layers.Dense(2)])
    model.compile(tf.keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    model.fit(X, Y, batch_size=3, epochs=2, verbose=0)
    return model


def fresh_model(width=3):
    model = tf.keras.Sequential([tf.keras.Input((4,)),
                                 tf.keras.layers.Dense(width, activation="relu"),
                                 tf.keras.layers.BatchNormalization(),
                                 tf.keras.layers.Dense(2)])
    model.compile(tf.keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    return model


def values(model):
    return [w.copy() for w in model.get_weights()]


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.fixture(params=["h5py", "no h5py"])
def h5py_availability(request, monkeypatch):
    """Runs a test with h5py (if installed) and as if it were not installed."""
    if request.param == "h5py":
        pytest.importorskip("h5py")
    else:
        monkeypatch.setattr(weights_lib, "_h5py", lambda: None)
        monkeypatch.setattr(weights_lib, "_warned_no_h5py", [True])
    return request.param


# -- weights files ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["m.weights.h5", "m.weights.npz"])
def test_weights_round_trip_with_optimizer_state(tmp_path, name, h5py_availability):
    model = trained_model()
    path = str(tmp_path / name)
    model.save_weights(path)
    other = fresh_model()
    other.build((None, 4))
    other.optimizer.build(other.trainable_variables)
    other.load_weights(path)
    assert_same(values(other), values(model))
    assert_same([v.numpy() for v in other.optimizer.variables],
                [v.numpy() for v in model.optimizer.variables])
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))


def test_npz_weights_use_keras_paths(tmp_path):
    model = trained_model()
    path = str(tmp_path / "m.weights.npz")
    model.save_weights(path)
    with np.load(path) as archive:
        names = sorted(archive.files)
        np.testing.assert_array_equal(archive["layers/dense/vars/0"], model.layers[0].kernel)
        np.testing.assert_array_equal(archive["layers/batch_normalization/vars/3"],
                                      model.layers[1].moving_variance)
    assert names == sorted(
        [f"layers/dense/vars/{i}" for i in range(2)] +
        [f"layers/batch_normalization/vars/{i}" for i in range(4)] +
        [f"layers/dense_1/vars/{i}" for i in range(2)] +
        [f"optimizer/vars/{i}" for i in range(14)])


def test_h5_weights_use_keras_groups(tmp_path):
    h5py = pytest.importorskip("h5py")
    model = trained_model()
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as f:
        assert sorted(f["layers"].keys()) == ["batch_normalization", "dense", "dense_1"]
        assert f["layers/dense/vars"].attrs["name"] == model.layers[0].name
        assert sorted(f["layers/dense/vars"].keys()) == ["0", "1"]
        assert f["optimizer/vars"].attrs["name"] == model.optimizer.name
        assert len(f["optimizer/vars"]) == 14 and "vars" in f


def test_without_h5py_weights_h5_files_are_npz_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_lib, "_h5py", lambda: None)
    monkeypatch.setattr(weights_lib, "_warned_no_h5py", [False])
    model = trained_model()
    path = str(tmp_path / "m.weights.h5")
    with pytest.warns(UserWarning, match="h5py is not installed"):
        model.save_weights(path)
    with open(path, "rb") as f:
        assert f.read(4) == b"PK\x03\x04"
    other = fresh_model()
    other.build((None, 4))
    other.load_weights(path)
    assert_same(values(other), values(model))


def test_reading_hdf5_without_h5py_says_what_to_install(monkeypatch):
    monkeypatch.setattr(weights_lib, "_h5py", lambda: None)
    model = fresh_model()
    with pytest.raises(ImportError, match="requires h5py"):
        model.load_weights(os.path.join(DATA, "keras315_sequential.weights.h5"))


def test_weights_file_name_must_be_keras_style(tmp_path):
    model = trained_model()
    with pytest.raises(ValueError, match=r"The filename must end in `.weights.h5`. Received: "
                                         r"filepath=.*m.h5"):
        model.save_weights(str(tmp_path / "m.h5"))
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(str(tmp_path / "m.npz"))
    with pytest.raises(FileNotFoundError):
        model.load_weights(str(tmp_path / "missing.weights.h5"))


# -- failing loads change nothing ---------------------------------------------------------------

def test_mismatched_shapes_raise_naming_layer_and_shapes_and_change_nothing(tmp_path):
    trained_model(width=3).save_weights(str(tmp_path / "m.weights.npz"))
    other = fresh_model(width=5)
    other.build((None, 4))
    before = values(other)
    with pytest.raises(ValueError) as info:
        other.load_weights(str(tmp_path / "m.weights.npz"))
    message = str(info.value)
    assert "A total of 3 objects could not be loaded" in message
    assert f"layer '{other.layers[0].name}'" in message
    assert "variable.shape=(4, 5), Received: value.shape=(4, 3)" in message
    assert "No weight was changed" in message
    assert_same(values(other), before)


def test_missing_layers_raise_and_change_nothing(tmp_path):
    small = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
    small.save_weights(str(tmp_path / "small.weights.npz"))
    model = fresh_model()
    model.build((None, 4))
    before = values(model)
    with pytest.raises(ValueError, match=r"Layer '.*' expected 2 variables, but received 0 "
                                         r"variables during loading. Expected: \['kernel', "
                                         r"'bias'\]"):
        model.load_weights(str(tmp_path / "small.weights.npz"))
    assert_same(values(model), before)


def test_skip_mismatch_loads_what_fits(tmp_path):
    trained = trained_model(width=3)
    trained.save_weights(str(tmp_path / "m.weights.npz"))
    other = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3),
                                 tf.keras.layers.BatchNormalization(),
                                 tf.keras.layers.Dense(7)])
    with pytest.warns(UserWarning, match="Skipping loading weights for layer"):
        other.load_weights(str(tmp_path / "m.weights.npz"), skip_mismatch=True)
    np.testing.assert_array_equal(other.layers[0].kernel.numpy(),
                                  trained.layers[0].kernel.numpy())


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_weights_files_raise_and_change_nothing(tmp_path, damage, h5py_availability):
    path = str(tmp_path / "m.weights.h5")
    trained_model().save_weights(path)
    with open(path, "rb") as f:
        data = f.read()
    corrupted = {"garbage": b"not a weights file at all", "truncated": data[:len(data) // 2],
                 "empty": b""}[damage]
    with open(path, "wb") as f:
        f.write(corrupted)
    model = fresh_model()
    model.build((None, 4))
    before = values(model)
    with pytest.raises((ValueError, OSError), match="m.weights.h5"):
        model.load_weights(path)
    assert_same(values(model), before)


# -- atomic writes ---------------------------------------------------------------------------------

def crash_on_rename(monkeypatch):
    def crash(source, target):
        raise OSError("simulated crash before the rename")
    monkeypatch.setattr(atomic, "replace", crash)


@pytest.mark.parametrize("name", ["m.weights.h5", "m.keras"])
def test_a_crash_mid_save_leaves_the_previous_file_intact(tmp_path, monkeypatch, name):
    path = str(tmp_path / name)
    model = trained_model()
    save = model.save if name.endswith(".keras") else model.save_weights
    save(path)
    with open(path, "rb") as f:
        original = f.read()
    model.fit(X, Y, verbose=0)                         # new weights to save
    crash_on_rename(monkeypatch)
    with pytest.raises(OSError, match="simulated crash"):
        save(path)
    with open(path, "rb") as f:
        assert f.read() == original
    assert os.listdir(tmp_path) == [name]               # no temporary file left behind


def test_a_crash_while_writing_leaves_no_file(tmp_path, monkeypatch):
    def failing_store(file, groups, fmt):
        file.write(b"partial bytes")
        raise RuntimeError("simulated crash while writing")
    monkeypatch.setattr(weights_lib, "write_store", failing_store)
    with pytest.raises(RuntimeError, match="simulated crash"):
        trained_model().save_weights(str(tmp_path / "m.weights.h5"))
    assert os.listdir(tmp_path) == []


def test_atomic_write_helper(tmp_path):
    target = str(tmp_path / "f.txt")
    atomic.write_text(target, "one")
    with pytest.raises(ZeroDivisionError):
        with atomic.atomic_write(target, "w") as f:
            f.write("two")
            1 / 0
    with open(target) as f:
        assert f.read() == "one"
    assert os.listdir(tmp_path) == ["f.txt"]


# -- .keras archives ---------------------------------------------------------------------------

def test_keras_archive_round_trip_restores_compile_and_optimizer(tmp_path):
    model = trained_model()
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        config = json.loads(archive.read("config.json"))
    assert names[:2] == ["metadata.json", "config.json"] and names[2].startswith(
        "model.weights.")
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    assert config["compile_config"]["loss"] == "mse"
    loaded = tf.keras.models.load_model(path)
    assert loaded.compiled and isinstance(loaded.optimizer, tf.keras.optimizers.Adam)
    assert int(loaded.optimizer.iterations.numpy()) == 4
    assert_same(values(loaded), values(model))
    assert loaded.evaluate(X, Y, verbose=0) == model.evaluate(X, Y, verbose=0)
    # training continues from the same optimizer state
    model.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    loaded.fit(X, Y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(values(loaded), values(model)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    uncompiled = tf.keras.models.load_model(path, compile=False)
    assert not uncompiled.compiled


def test_functional_model_archive(tmp_path):
    inputs = tf.keras.Input((4,))
    hidden = tf.keras.layers.Dense(5, activation="tanh")(inputs)
    outputs = tf.keras.layers.Dense(2)(tf.keras.layers.Concatenate()([inputs, hidden]))
    model = tf.keras.Model(inputs, outputs)
    path = str(tmp_path / "f.keras")
    model.save(path)
    loaded = tf.keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


@tf.keras.utils.register_keras_serializable(package="Tests")
class Scale(tf.keras.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(Scale):
    pass


def test_custom_layers_through_registration_and_custom_objects(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((4,)), Scale(3.0), tf.keras.layers.Dense(2)])
    model.layers[0].w.assign(np.arange(4, dtype=np.float32))
    path = str(tmp_path / "custom.keras")
    model.save(path)
    assert tf.keras.utils.get_registered_name(Scale) == "Tests>Scale"
    loaded = tf.keras.models.load_model(path)
    assert isinstance(loaded.layers[0], Scale) and loaded.layers[0].factor == 3.0
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    other = tf.keras.Sequential([tf.keras.Input((4,)), Unregistered(), tf.keras.layers.Dense(2)])
    other_path = str(tmp_path / "other.keras")
    other.save(other_path)
    with pytest.raises(TypeError, match="Could not locate class 'Unregistered'. Make sure "
                                        "custom classes are decorated with"):
        tf.keras.models.load_model(other_path)
    loaded = tf.keras.models.load_model(other_path,
                                        custom_objects={"Unregistered": Unregistered})
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), other.predict(X, verbose=0))


def test_model_archive_errors(tmp_path):
    model = trained_model()
    with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
        model.save(str(tmp_path / "m.h5"))
    with pytest.raises(ValueError, match="File not found: filepath=.*missing.keras"):
        tf.keras.models.load_model(str(tmp_path / "missing.keras"))
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="is not a valid `.keras` file"):
        tf.keras.models.load_model(str(bad))


def test_to_json_and_model_from_json():
    model = trained_model()
    config = json.loads(model.to_json())
    assert config["class_name"] == "Sequential"
    clone = tf.keras.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in clone.layers] == \
        ["Dense", "BatchNormalization", "Dense"]
    assert clone.count_params() == model.count_params()


def test_serialize_round_trips():
    from tapeflow.keras.saving import deserialize_keras_object, serialize_keras_object
    optimizer = tf.keras.optimizers.Adam(0.003, beta_1=0.8)
    config = serialize_keras_object(optimizer)
    assert config["module"] == "keras.optimizers" and config["class_name"] == "Adam"
    restored = deserialize_keras_object(config)
    assert isinstance(restored, tf.keras.optimizers.Adam)
    assert restored.get_config()["beta_1"] == 0.8
    loss = deserialize_keras_object(serialize_keras_object(
        tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)))
    assert loss.get_config()["from_logits"] is True
    metric = deserialize_keras_object(serialize_keras_object(tf.keras.metrics.AUC(name="auc")))
    assert type(metric).__name__ == "AUC" and metric.name == "auc"
    assert serialize_keras_object(tf.keras.losses.mean_squared_error)["config"] == \
        "mean_squared_error"


# -- interoperability with Keras 3.15 files -------------------------------------------------

def test_loads_files_written_by_keras_3():
    pytest.importorskip("h5py")
    expected = np.load(os.path.join(DATA, "keras315_expected.npz"))
    model = tf.keras.models.load_model(os.path.join(DATA, "keras315_sequential.keras"))
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["sequential"],
                               rtol=1e-6, atol=1e-7)
    assert int(model.optimizer.iterations.numpy()) == int(expected["sequential_iterations"])
    functional = tf.keras.models.load_model(os.path.join(DATA, "keras315_functional.keras"))
    np.testing.assert_allclose(functional.predict(expected["x"], verbose=0),
                               expected["functional"], rtol=1e-6, atol=1e-7)
    fresh = tf.keras.Sequential([tf.keras.Input((4,)),
                                 tf.keras.layers.Dense(3, activation="relu"),
                                 tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(2)])
    fresh.load_weights(os.path.join(DATA, "keras315_sequential.weights.h5"))
    np.testing.assert_allclose(fresh.predict(expected["x"], verbose=0), expected["sequential"],
                               rtol=1e-6, atol=1e-7)
