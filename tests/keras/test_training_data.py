"""fit/evaluate/predict on Datasets, PyDatasets and generators."""
import numpy as np
import pytest

import tapeflow as tf
from tests.keras.datasets_for_tests import BatchedArrays, batches_dataset

RNG = np.random.default_rng(3)
X = RNG.random((10, 4), dtype=np.float32)
Y = RNG.random((10, 2), dtype=np.float32)


def model_with_weights(run_eagerly=False):
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
    model.set_weights([RNG.standard_normal((4, 2)).astype(np.float32), np.zeros(2, np.float32)])
    model.compile(tf.keras.optimizers.SGD(0.1), "mse", metrics=["mae"], run_eagerly=run_eagerly)
    return model


def test_fit_on_a_dataset_equals_fit_on_the_same_arrays():
    a, b = model_with_weights(), model_with_weights()
    b.set_weights(a.get_weights())
    history_arrays = a.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    history_dataset = b.fit(batches_dataset(X, Y, 4), epochs=2, verbose=0)
    assert history_dataset.params["steps"] == 3
    for name in ("loss", "mae"):
        np.testing.assert_allclose(history_dataset.history[name], history_arrays.history[name],
                                   rtol=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wb, wa, rtol=1e-6)


def test_dataset_of_unknown_length_learns_its_length_in_the_first_epoch(capsys):
    model = model_with_weights()
    dataset = batches_dataset(X, Y, 4, known_cardinality=False)
    with pytest.warns(UserWarning, match="Your input ran out of data"):   # the first epoch
        history = model.fit(dataset, epochs=2, verbose=2)
    assert history.params["steps"] is None
    lines = [line for line in capsys.readouterr().out.splitlines() if "/" in line
             and "step" in line]
    assert [line.split(" ")[0] for line in lines] == ["3/3", "3/3"]


def test_evaluate_and_predict_on_a_dataset():
    model = model_with_weights()
    dataset = batches_dataset(X, Y, 3)
    np.testing.assert_allclose(model.evaluate(dataset, verbose=0),
                               model.evaluate(X, Y, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model.predict(dataset, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)


def test_validation_data_as_a_dataset():
    model = model_with_weights()
    history = model.fit(X, Y, epochs=1, verbose=0, validation_data=batches_dataset(X, Y, 5))
    expected = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(expected["loss"], rel=1e-6)
    assert history.history["val_mae"][0] == pytest.approx(expected["mae"], rel=1e-6)


def test_dataset_shuffle_warning_and_class_weight():
    classifier = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
    classifier.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    labels = (np.arange(10) % 3).astype(np.int32)
    dataset = BatchedArrays((X, labels), 10)
    logits = classifier.predict(X, verbose=0)
    per_sample = -np.log(np.exp(logits[np.arange(10), labels]) / np.exp(logits).sum(1))
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        history = classifier.fit(dataset, class_weight={2: 3.0}, epochs=1, verbose=0,
                                 shuffle=True)
    weights = np.where(labels == 2, 3.0, 1.0)
    assert history.history["loss"][0] == pytest.approx(np.sum(per_sample * weights) / 10,
                                                       rel=1e-5)


def test_fit_on_a_generator_runs_until_it_stops():
    model = model_with_weights()

    def batches():
        for start in range(0, 10, 5):
            yield X[start:start + 5], Y[start:start + 5]
    with pytest.warns(UserWarning, match="Your input ran out of data"):     # as Keras 3.15
        history = model.fit(batches(), epochs=1, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 2
    assert len(history.history["loss"]) == 1
    with pytest.raises(ValueError, match="`class_weight` is not supported for Python generator"):
        model.fit(batches(), class_weight={0: 1.0}, verbose=0)


class Batches(tf.keras.utils.PyDataset):
    def __init__(self, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(X) // self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return X[rows], Y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_on_a_pydataset_and_its_on_epoch_end():
    model = model_with_weights()
    data = Batches(4)
    history = model.fit(data, epochs=2, verbose=0, shuffle=False)
    assert history.params["steps"] == 3
    assert data.epochs_ended == 2
    assert tf.keras.utils.Sequence is tf.keras.utils.PyDataset


def test_steps_per_epoch_on_a_repeating_dataset_keeps_its_place():
    seen = []
    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    model.compile("sgd", "mse", run_eagerly=True)
    original = model.train_step

    def train_step(data):
        seen.append(int(data[0].numpy()[0, 0]))
        return original(data)
    model.train_step = train_step

    def forever():
        i = 0
        while True:
            yield np.array([[i]], np.float32), np.array([[0.0]], np.float32)
            i += 1
    model.fit(forever(), steps_per_epoch=3, epochs=2, verbose=0)
    assert seen == [0, 1, 2, 3, 4, 5]


def test_unpack_and_pack_x_y_sample_weight():
    unpack = tf.keras.utils.unpack_x_y_sample_weight
    assert unpack((1,)) == (1, None, None)
    assert unpack([1, 2]) == (1, 2, None)
    assert unpack(5) == (5, None, None)
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        unpack((1, 2, 3, 4))
    pack = tf.keras.utils.pack_x_y_sample_weight
    assert pack(1) == 1 and pack([1, 2]) == ([1, 2],) and pack(1, 2, 3) == (1, 2, 3)
