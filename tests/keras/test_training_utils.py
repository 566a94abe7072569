"""tf.keras.utils helpers, and the `>>>` examples of the training, callback, saving and
checkpoint modules."""
import doctest
import importlib
import random

import numpy as np
import pytest

import tapeflow as tf

DOCUMENTED = ["tapeflow._util.atomic", "tapeflow.keras.training.trainer",
              "tapeflow.keras.training.data_adapter", "tapeflow.keras.callbacks.callback",
              "tapeflow.keras.callbacks.early_stopping", "tapeflow.keras.callbacks.reduce_lr",
              "tapeflow.keras.saving.serialization", "tapeflow.keras.utils.numerical",
              "tapeflow.keras.utils.seeding", "tapeflow.train.checkpoint",
              "tapeflow.train.manager"]


@pytest.mark.parametrize("module", DOCUMENTED)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), extraglobs={"tf": tf})
    assert result.attempted > 0 and result.failed == 0


def test_to_categorical_as_keras():
    np.testing.assert_array_equal(tf.keras.utils.to_categorical([0, 1, 2, 3]), np.eye(4))
    out = tf.keras.utils.to_categorical(np.array([[1], [2]]), 4)
    assert out.dtype == np.float64 and out.tolist() == [[0, 1, 0, 0], [0, 0, 1, 0]]
    assert tf.keras.utils.to_categorical([[0, 1], [1, 0]], 2).shape == (2, 2, 2)
    tensor = tf.keras.utils.to_categorical(tf.constant([0, 2]), 3)
    assert isinstance(tensor, tf.Tensor) and tensor.dtype == tf.float32
    assert tensor.numpy().tolist() == [[1, 0, 0], [0, 0, 1]]


def test_normalize():
    np.testing.assert_allclose(tf.keras.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]])),
                               [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(tf.keras.utils.normalize([[1.0, 3.0]], order=1), [[0.25, 0.75]])


def test_set_random_seed_seeds_python_numpy_and_tf():
    def draws():
        return (random.random(), np.random.random(), float(tf.random.uniform([])),
                tf.keras.layers.Dense(2, kernel_initializer="glorot_uniform")(
                    tf.ones((1, 2))).numpy().tolist())
    tf.keras.utils.set_random_seed(42)
    first = draws()
    tf.keras.utils.set_random_seed(42)
    assert draws() == first
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        tf.keras.utils.set_random_seed(1.5)


def test_plot_model_needs_pydot(monkeypatch):
    from tapeflow.keras.utils import visualization
    monkeypatch.setattr(visualization, "_pydot", lambda: None)
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    with pytest.raises(ImportError, match=r"You must install pydot \(`pip install pydot`\)"):
        tf.keras.utils.plot_model(model)


def test_utils_namespace():
    for name in ("Progbar", "PyDataset", "Sequence", "register_keras_serializable",
                 "custom_object_scope", "get_registered_object", "serialize_keras_object",
                 "deserialize_keras_object", "unpack_x_y_sample_weight"):
        assert hasattr(tf.keras.utils, name), name
