"""Bad input to fit/evaluate raises clear errors, and a failing step changes nothing."""
import numpy as np
import pytest

import tapeflow as tf

RNG = np.random.default_rng(2)
X = RNG.random((10, 4), dtype=np.float32)


def classifier(run_eagerly=False):
    model = tf.keras.Sequential([
        tf.keras.Input((4,)), tf.keras.layers.Dense(8),
        tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(3)])
    model.compile(tf.keras.optimizers.Adam(0.01),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], run_eagerly=run_eagerly)
    return model


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_wrong_input_size_names_the_layer_and_shapes(run_eagerly):
    model = classifier(run_eagerly)
    with pytest.raises(ValueError, match=r"layer 'dense.*expected axis -1 of input shape to have "
                                         r"value 4, but received input with shape \(5, 5\)"):
        model.fit(RNG.random((10, 5), dtype=np.float32), np.zeros(10), batch_size=5,
                  verbose=0)


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_label_out_of_range(run_eagerly):
    model = classifier(run_eagerly)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of \d which is outside the valid range of "
                             r"\[0, 3\).*SparseSoftmaxCrossEntropyWithLogits.*\[5,3\], \[5\]"):
        model.fit(X, np.arange(10), batch_size=5, verbose=0, shuffle=False)


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_mismatched_label_shapes_name_the_loss_and_shapes(run_eagerly):
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
    model.compile("sgd", "mse", run_eagerly=run_eagerly)
    # As in TF: a shape error while tracing is a ValueError, at run time an InvalidArgumentError.
    error = tf.errors.InvalidArgumentError if run_eagerly else ValueError
    with pytest.raises(error, match=r"compiled loss 'mse': y_true shape \(10, 2\), y_pred "
                                    r"shape \(10, 3\)"):
        model.fit(X, np.zeros((10, 2), np.float32), verbose=0)
    sparse = classifier(run_eagerly)
    with pytest.raises(ValueError, match=r"target.shape=\(5, 4\), output.shape=\(5, 3\).*"
                                         "sparse_categorical_crossentropy"):
        sparse.fit(X, np.zeros((10, 4)), batch_size=5, verbose=0)


def test_dataset_with_y_is_rejected():
    from tests.keras.datasets_for_tests import batches_dataset
    model = classifier()
    with pytest.raises(ValueError, match="`y` should not be passed. Instead, the targets should "
                                         "be included as part of the"):
        model.fit(batches_dataset(), np.zeros(10), verbose=0)


def test_unrecognized_data():
    model = classifier()
    with pytest.raises(ValueError, match="Unrecognized data type: x=None"):
        model.fit(None, verbose=0)


def snapshot(model):
    state = [v.numpy().copy() for v in model.weights]
    state += [v.numpy().copy() for v in model.optimizer.variables]
    state += [v.numpy().copy() for m in model.metrics for v in m.variables]
    return state


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_a_failing_step_leaves_weights_optimizer_and_metrics_as_before(run_eagerly):
    model = classifier(run_eagerly)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 9, 1, 2])          # label 9 is in the second batch
    after_first = []
    callback = tf.keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: after_first.append(snapshot(model)))
    with pytest.raises(tf.errors.InvalidArgumentError):
        model.fit(X, y, batch_size=5, epochs=1, shuffle=False, verbose=0,
                  callbacks=[callback])
    assert len(after_first) == 1
    now = snapshot(model)
    assert len(now) == len(after_first[0])
    for before, current in zip(after_first[0], now):
        np.testing.assert_array_equal(current, before)
    assert int(model.optimizer.iterations.numpy()) == 1
    # BatchNormalization's moving statistics were updated by the first step only.
    moving_mean = model.layers[1].moving_mean.numpy()
    assert np.any(moving_mean != 0)


def test_train_on_batch_failure_changes_no_weight():
    model = classifier()
    model.train_on_batch(X[:5], np.array([0, 1, 2, 0, 1]))
    before = [v.numpy().copy() for v in model.weights + model.optimizer.variables]
    with pytest.raises(tf.errors.InvalidArgumentError):
        model.train_on_batch(X[:5], np.array([0, 1, 7, 0, 1]))
    after = [v.numpy() for v in model.weights + model.optimizer.variables]
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
