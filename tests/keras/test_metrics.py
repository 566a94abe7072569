"""tf.keras.metrics: results against Keras 3.15 and NumPy, state handling (reset_state and
TF 2's reset_states), sample weights, config, name lookup and the compile-time rules."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph

M = tf.keras.metrics

DATA = dict(
    B1=([0, 1, 1, 0, 1, 0, 1, 1], [0.1, 0.8, 0.4, 0.6, 0.95, 0.3, 0.5, 0.7]),
    B2=([1, 0, 0, 1], [0.2, 0.9, 0.05, 0.65]),
    W2=[1.0, 2.0, 0.5, 0.25],
    C1=([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]],
        [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.4, 0.4, 0.2], [0.1, 0.2, 0.7]]),
    C2=([[1, 0, 0], [0, 0, 1]], [[0.3, 0.3, 0.4], [0.1, 0.2, 0.7]]),
    S1=([1, 0, 2, 1], [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.4, 0.4, 0.2], [0.1, 0.2, 0.7]]),
    S2=([0, 2], [[0.3, 0.3, 0.4], [0.1, 0.2, 0.7]]),
    R1=([[0.5, 1.0], [2.0, -1.0], [0.0, 0.3]], [[0.7, 0.4], [1.5, -0.5], [0.2, 0.1]]),
    R2=([[1.0, 2.0], [0.5, 0.5]], [[1.5, 1.0], [0.5, 0.0]]),
    P1=([[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]], [[0.25, 0.25, 0.5], [0.3, 0.6, 0.1]]),
    P2=([[0.6, 0.2, 0.2], [0.3, 0.3, 0.4]], [[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]]),
    ML1=([[1, 0], [0, 1], [1, 1], [0, 0]], [[0.9, 0.2], [0.4, 0.7], [0.6, 0.55], [0.3, 0.1]]),
    ML2=([[0, 1], [1, 0]], [[0.8, 0.3], [0.45, 0.6]]),
    MLL1=([[1, 0], [0, 1], [1, 1], [0, 0]], [[2.0, -1.0], [-0.4, 0.7], [0.6, 1.5], [-0.3, 0.1]]),
    MLL2=([[0, 1], [1, 0]], [[0.8, -0.3], [-1.45, 0.6]]),
    L1=([0, 1, 1, 0, 1, 0, 1, 1], [-2.0, 1.5, -0.3, 0.4, 3.0, -1.0, 0.0, 0.8]),
    L2=([1, 0, 0, 1], [-1.2, 2.0, -3.0, 0.6]),
)

# (metric, first batch, second batch, results) printed by Keras 3.15 (TF 2.21): the result
# after the first batch, after the second batch with sample_weight=W2, and after
# reset_state() and the second batch again (flattened when a result is a vector).
KERAS_3_15 = [
    ("Accuracy()", "B1", "B2", [0.0, 0.0, 0.0]),
    ("BinaryAccuracy()", "B1", "B2", [0.625, 0.4893617, 0.5]),
    ("BinaryAccuracy(threshold=0.7)", "B1", "B2", [0.625, 0.4680851, 0.25]),
    ("CategoricalAccuracy()", "C1", "C2", [0.5, 0.5714286, 0.5]),
    ("SparseCategoricalAccuracy()", "S1", "S2", [0.5, 0.5714286, 0.5]),
    ("TopKCategoricalAccuracy(k=2)", "C1", "C2", [0.75, 0.85714287, 1.0]),
    ("SparseTopKCategoricalAccuracy(k=2)", "S1", "S2", [0.75, 0.85714287, 1.0]),
    ("MeanSquaredError()", "R1", "R2", [0.16333334, 0.2275, 0.375]),
    ("RootMeanSquaredError()", "R1", "R2", [0.4041452, 0.4769696, 0.61237246]),
    ("MeanAbsoluteError()", "R1", "R2", [0.36666667, 0.39166665, 0.5]),
    ("MeanAbsolutePercentageError()", "P1", "P2", [44.44445, 37.777782, 30.55556]),
    ("MeanSquaredLogarithmicError()", "P1", "P2", [0.0074974285, 0.0077896803, 0.0068693897]),
    ("CosineSimilarity()", "R1", "R2", [0.75640446, 0.7586117, 0.7876749]),
    ("LogCoshError()", "R1", "R2", [0.078328066, 0.105341054, 0.16850246]),
    ("KLDivergence()", "P1", "P2", [0.065176085, 0.06416762, 0.054696463]),
    ("Poisson()", "P1", "P2", [0.63317275, 0.6745061, 0.6914272]),
    ("Hinge()", "ML1", "ML2", [0.78125, 0.93214285, 1.1625]),
    ("SquaredHinge()", "ML1", "ML2", [0.8453125, 1.1583928, 1.6481249]),
    ("CategoricalHinge()", "C1", "C2", [1.05, 0.9, 0.8]),
    ("BinaryCrossentropy()", "ML1", "ML2", [0.34583783, 0.64355075, 1.1320523]),
    ("CategoricalCrossentropy()", "C1", "C2", [1.1057122, 0.9057388, 0.78032386]),
    ("TruePositives()", "B1", "B2", [3.0, 3.25, 1.0]),
    ("FalsePositives(thresholds=[0.25, 0.5, 0.75])", "B1", "B2",
        [2.0, 1.0, 0.0, 4.0, 3.0, 2.0, 1.0, 1.0, 1.0]),
    ("TrueNegatives()", "B1", "B2", [2.0, 2.5, 1.0]),
    ("FalseNegatives(thresholds=[0.0, 0.5, 1.0])", "B1", "B2",
        [0.0, 2.0, 5.0, 0.0, 3.0, 6.25, 0.0, 1.0, 2.0]),
    ("Precision()", "B1", "B2", [0.75, 0.52, 0.5]),
    ("Precision(thresholds=[0.3, 0.6])", "B1", "B2",
        [0.8333333, 1.0, 0.6363636, 0.61904764, 0.5, 0.5]),
    ("Recall()", "B1", "B2", [0.6, 0.52, 0.5]),
    ("Recall(thresholds=[0.3, 0.6, 0.9])", "B1", "B2",
        [1.0, 0.6, 0.2, 0.84, 0.52, 0.16, 0.5, 0.5, 0.0]),
    ("Precision(class_id=1)", "C1", "C2", [0.0, 0.0, 0.0]),
    ("Recall(class_id=2, thresholds=0.25)", "C1", "C2", [0.0, 0.6666667, 1.0]),
    ("AUC()", "B1", "B2", [0.8666667, 0.5781818, 0.5]),
    ("AUC(num_thresholds=7)", "B1", "B2", [0.8666667, 0.55999994, 0.5]),
    ("AUC(curve='PR')", "B1", "B2", [0.918907, 0.62196106, 0.45069385]),
    ("AUC(curve='PR', summation_method='majoring')", "B1", "B2",
        [0.9266667, 0.6539341, 0.5833334]),
    ("AUC(summation_method='minoring')", "B1", "B2", [0.8666667, 0.5781818, 0.5]),
    ("AUC(curve='PRGAIN', num_thresholds=11)", "B1", "B2", [0.5601852, 0.16597706, 0.25]),
    ("AUC(thresholds=[0.25, 0.5, 0.75])", "B1", "B2", [0.7666667, 0.5090909, 0.375]),
    ("AUC(multi_label=True)", "ML1", "ML2", [1.0, 0.7083333, 0.0]),
    ("AUC(multi_label=True, num_labels=2, label_weights=[0.3, 0.7], curve='PR')", "ML1", "ML2",
        [1.0, 0.6928929, 0.30685282]),
    ("AUC(label_weights=[0.3, 0.7])", "ML1", "ML2", [1.0, 0.65397215, 0.0]),
    ("AUC(from_logits=True)", "L1", "L2", [0.8666667, 0.5781818, 0.5]),
    ("BinaryCrossentropy(from_logits=True, label_smoothing=0.1)", "MLL1", "MLL2",
        [0.4517555, 0.7697087, 1.1415417]),
    ("CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)", "C1", "C2",
        [1.0826719, 1.0199507, 0.9838425]),
    ("SparseCategoricalCrossentropy()", "S1", "S2", [1.1057122, 0.9057388, 0.78032386]),
    ("SparseCategoricalCrossentropy(from_logits=True)", "S1", "S2",
        [1.0743384, 0.99518883, 0.9505092]),
    ("Precision(top_k=1)", "C1", "C2", [0.5, 0.5714286, 0.5]),
    ("Recall(top_k=2)", "C1", "C2", [0.75, 0.85714287, 1.0]),
    ("SensitivityAtSpecificity(0.5)", "B1", "B2", [1.0, 0.52, 1.0]),
    ("SpecificityAtSensitivity(0.8, num_thresholds=50)", "B1", "B2", [0.6666667, 0.45454547, 0.5]),
    ("PrecisionAtRecall(0.7)", "B1", "B2", [0.8333333, 0.6363636, 0.6666667]),
    ("RecallAtPrecision(0.75)", "B1", "B2", [1.0, 0.16, 0.0]),

]


def _batches(case):
    _, first, second, _ = case
    (t1, p1), (t2, p2) = DATA[first], DATA[second]
    return (tf.constant(t1), tf.constant(p1)), (tf.constant(t2), tf.constant(p2))


@pytest.mark.parametrize("case", KERAS_3_15, ids=[c[0] for c in KERAS_3_15])
def test_matches_keras_golden_numbers(case):
    metric = eval(case[0], vars(M))
    (t1, p1), (t2, p2) = _batches(case)
    results = [metric(t1, p1).numpy(),
               metric(t2, p2, sample_weight=tf.constant(DATA["W2"][:len(t2)])).numpy()]
    metric.reset_state()
    results.append(metric(t2, p2).numpy())
    np.testing.assert_allclose(np.concatenate([np.ravel(r) for r in results]), case[3],
                               rtol=2e-6, atol=1e-6)


# -- state: update, result, reset ------------------------------------------------------------

def test_mean_sum_and_reset_states():
    mean = M.Mean(name="train_loss")
    mean.update_state(2.0)
    mean.update_state([4.0, 6.0])
    assert float(mean.result()) == 4.0
    mean.update_state([[1.0, 3.0]], sample_weight=[2.0])      # row mean 2, weight 2
    np.testing.assert_allclose(float(mean.result()), (12.0 + 4.0) / 5.0)
    mean.reset_states()                                        # TF 2's name
    assert float(mean.result()) == 0.0 and float(mean.count) == 0.0
    mean.update_state(5.0)
    mean.reset_state()
    assert [float(v) for v in mean.variables] == [0.0, 0.0]
    total = M.Sum()
    total.update_state([1.0, 2.0], sample_weight=[3.0, 0.5])
    assert float(total.result()) == 4.0


def test_variables_names_and_dtype():
    metric = M.Mean(name="loss_mean")
    assert [v.name for v in metric.variables] == ["loss_mean/total:0", "loss_mean/count:0"]
    assert all(not v.trainable for v in metric.variables)
    assert metric.dtype == "float32" and metric.result().dtype == tf.float32
    assert M.Precision().name.startswith("precision") and M.AUC().name.startswith("auc")
    assert len(M.AUC(num_thresholds=7).variables) == 4
    assert M.AUC(num_thresholds=7).variables[0].shape == (7,)
    assert len(M.AUC(multi_label=True).variables) == 0          # built on first update
    assert M.Mean(dtype="float64").result().dtype == tf.float64
    assert repr(M.Mean(name="m")) == "<Mean name=m>"


def test_mean_tensor():
    metric = M.MeanTensor()
    metric.update_state([[1.0, 2.0], [3.0, 4.0]])
    metric.update_state([[3.0, 2.0], [1.0, 0.0]], sample_weight=[[1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(metric.result().numpy(), [[2.0, 2.0], [2.0, 4.0 / 2]])
    with pytest.raises(ValueError, match="MeanTensor input values must always have the same"):
        metric.update_state([1.0, 2.0])
    with pytest.raises(ValueError, match="does not have any value yet"):
        M.MeanTensor().result()
    metric.reset_states()
    np.testing.assert_allclose(metric.total.numpy(), np.zeros((2, 2)))


def test_seed_training_loop_metrics():
    """The seed program's usage: update_state each batch, result(), reset_states()."""
    loss_metric = M.Mean(name="train_loss")
    accuracy_metric = M.SparseCategoricalAccuracy(name="train_accuracy")
    labels = tf.constant([3, 1, 0], tf.uint8)
    logits = tf.constant([[0.0, 0.1, 0.2, 2.0], [0.0, 3.0, 0.0, 0.0], [1.0, 0.0, 5.0, 0.0]])
    for _ in range(2):
        loss_metric.reset_states()
        accuracy_metric.reset_states()
        loss_metric.update_state(tf.constant(0.5))
        loss_metric.update_state(tf.constant(0.25))
        accuracy_metric.update_state(labels, logits)
        assert "{:.3f}".format(loss_metric.result()) == "0.375"
        assert "{:.3f}".format(accuracy_metric.result()) == "0.667"


def test_subclassing_with_tf2_add_weight():
    class CountPositives(M.Metric):
        def __init__(self, name="count_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.positives = self.add_weight(name="positives", initializer="zeros")
            self.seen = self.add_weight("seen")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.positives.assign_add(tf.reduce_sum(tf.cast(y_pred > 0.5, tf.float32)))
            self.seen.assign_add(tf.cast(tf.size(y_pred), tf.float32))

        def result(self):
            return self.positives / self.seen

    metric = CountPositives()
    assert float(metric(None, tf.constant([0.9, 0.1, 0.7, 0.2]))) == 0.5
    assert [v.name for v in metric.variables] == ["count_positives/positives:0",
                                                  "count_positives/seen:0"]
    metric.reset_states()
    assert float(metric.positives) == 0.0


def test_traced_update_matches_eager():
    eager = M.AUC(num_thresholds=5)
    eager.update_state(*[tf.constant(x) for x in DATA["B1"]])
    traced = M.AUC(num_thresholds=5)
    graph = Graph("update")
    with graph_scope(graph):
        labels = graph.placeholder(tf.TensorSpec((8,), tf.int32))
        scores = graph.placeholder(tf.TensorSpec((8,), tf.float32))
        traced.update_state(labels, scores)
    assert float(traced.result()) == 0.0                       # nothing ran while tracing
    interpret(graph, [tf.constant(x) for x in DATA["B1"]])
    for a, b in zip(eager.variables, traced.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy())
    np.testing.assert_allclose(float(traced.result()), float(eager.result()))


# -- independent NumPy checks -----------------------------------------------------------------

def test_accuracy_functions_match_numpy():
    y_true, y_pred = DATA["S1"]
    np.testing.assert_array_equal(M.sparse_categorical_accuracy(y_true, y_pred).numpy(),
                                  (np.argmax(y_pred, -1) == y_true).astype(np.float32))
    one_hot, y_pred = DATA["C1"]
    np.testing.assert_array_equal(M.categorical_accuracy(one_hot, y_pred).numpy(),
                                  np.argmax(one_hot, -1) == np.argmax(y_pred, -1))
    scores = np.array(y_pred, np.float32)     # InTopKV2 takes float32 only, as in TF
    top2 = np.argsort(-scores, axis=-1)[:, :2]
    labels = np.array(DATA["S1"][0])
    np.testing.assert_array_equal(M.sparse_top_k_categorical_accuracy(labels, scores, k=2),
                                  [label in row for label, row in zip(labels, top2)])
    # (batch, 1) labels with (batch, classes) predictions keep the batch shape.
    assert M.sparse_categorical_accuracy([[1], [0]], [[0.1, 0.9], [0.8, 0.2]]).shape == (2,)
    labels, scores = DATA["B1"]
    np.testing.assert_array_equal(M.binary_accuracy(labels, scores, threshold=0.6).numpy(),
                                  np.array(labels) == (np.array(scores) > 0.6))


def numpy_confusion(labels, scores, thresholds, weights=None):
    labels, scores = np.array(labels, bool), np.array(scores)
    weights = np.ones(len(labels)) if weights is None else np.array(weights)
    positive = scores[None, :] > np.array(thresholds)[:, None]
    tp = ((positive & labels) * weights).sum(1)
    fp = ((positive & ~labels) * weights).sum(1)
    fn = ((~positive & labels) * weights).sum(1)
    tn = ((~positive & ~labels) * weights).sum(1)
    return tp, fp, tn, fn


def test_precision_recall_and_counts_match_numpy():
    labels, scores = DATA["B1"]
    weights = [1.0, 0.5, 2.0, 1.0, 1.0, 0.25, 3.0, 1.0]
    thresholds = [0.2, 0.5, 0.7]
    tp, fp, tn, fn = numpy_confusion(labels, scores, thresholds, weights)
    for metric, expected in [(M.TruePositives(thresholds), tp), (M.FalsePositives(thresholds), fp),
                             (M.TrueNegatives(thresholds), tn), (M.FalseNegatives(thresholds), fn),
                             (M.Precision(thresholds), tp / (tp + fp)),
                             (M.Recall(thresholds), tp / (tp + fn))]:
        metric.update_state(labels, scores, sample_weight=weights)
        np.testing.assert_allclose(metric.result().numpy(), expected, rtol=1e-6)


def test_auc_matches_numpy_trapezoid():
    labels, scores = DATA["B1"]
    n = 11
    thresholds = [-1e-7] + [i / (n - 1) for i in range(1, n - 1)] + [1 + 1e-7]
    tp, fp, tn, fn = numpy_confusion(labels, scores, thresholds)
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    expected = np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)
    metric = M.AUC(num_thresholds=n)
    metric.update_state(labels, scores)
    np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-6)
    assert len(metric.thresholds) == n and metric.thresholds[0] < 0


def test_regression_metrics_match_numpy():
    y_true, y_pred = (np.array(x) for x in DATA["R1"])
    weights = np.array([0.5, 1.0, 2.0])
    rmse = M.RootMeanSquaredError()
    rmse.update_state(y_true, y_pred, sample_weight=weights)
    np.testing.assert_allclose(
        float(rmse.result()),
        np.sqrt(np.sum(((y_true - y_pred) ** 2).mean(-1) * weights) / weights.sum()), rtol=1e-6)
    mae = M.MeanAbsoluteError()
    mae.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(mae.result()), np.abs(y_true - y_pred).mean(), rtol=1e-6)
    cosine = M.CosineSimilarity()
    cosine.update_state(y_true, y_pred)
    unit = lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)  # noqa: E731
    np.testing.assert_allclose(float(cosine.result()),
                               np.mean(np.sum(unit(y_true) * unit(y_pred), -1)), rtol=1e-6)


# -- config, lookup, compile rules ------------------------------------------------------------

def test_get_config_matches_keras():
    assert M.Mean().get_config()["dtype"] == "float32"
    assert M.Accuracy().get_config() == {"name": "accuracy", "dtype": "float32"}
    assert M.BinaryAccuracy(threshold=0.3).get_config() == {
        "name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}
    assert M.TopKCategoricalAccuracy(k=3).get_config()["k"] == 3
    config = M.Precision(thresholds=[0.3], class_id=2, name="p").get_config()
    assert config == {"name": "p", "dtype": "float32", "thresholds": [0.3], "top_k": None,
                      "class_id": 2}
    config = M.AUC(name="a").get_config()
    assert config == {"name": "a", "dtype": "float32", "num_thresholds": 200, "curve": "ROC",
                      "summation_method": "interpolation", "multi_label": False,
                      "num_labels": None, "label_weights": None, "from_logits": False}
    assert M.AUC(thresholds=[0.2, 0.6]).get_config()["thresholds"] == [0.2, 0.6]
    for metric in (M.AUC(curve="PR", num_thresholds=5), M.Recall(thresholds=[0.2, 0.7]),
                   M.CategoricalCrossentropy(label_smoothing=0.1), M.SensitivityAtSpecificity(0.4)):
        clone = type(metric).from_config(metric.get_config())
        assert clone.get_config() == metric.get_config()


def test_get_serialize_deserialize():
    assert isinstance(M.get("mae"), M.MeanAbsoluteError)
    assert isinstance(M.get("MSE"), M.MeanSquaredError)
    assert isinstance(M.get("accuracy"), M.Accuracy)
    assert isinstance(M.get("AUC"), M.AUC) and isinstance(M.get("auc"), M.AUC)
    assert isinstance(M.get("sparse_categorical_accuracy"), M.SparseCategoricalAccuracy)
    assert isinstance(M.get("top_k_categorical_accuracy"), M.TopKCategoricalAccuracy)
    auc = M.AUC(curve="PR")
    assert M.get(auc) is auc and M.get(None) is None and M.get(M.mse) is M.mse
    data = M.serialize(auc)
    assert data["class_name"] == "AUC" and data["config"]["curve"] == "PR"
    assert M.deserialize(data).curve.value == "PR"
    with pytest.raises(ValueError, match="Could not interpret metric identifier: acc\\. .*auc"):
        M.get("acc")
    assert M.mse is M.MSE is tf.keras.losses.mean_squared_error


def test_resolve_compile_metric_picks_the_accuracy_from_shapes():
    resolve = M.resolve_compile_metric
    sparse = resolve("accuracy", tf.zeros((4,)), tf.zeros((4, 10)))
    assert type(sparse) is M.SparseCategoricalAccuracy and sparse.name == "accuracy"
    assert type(resolve("acc", tf.zeros((4, 1)), tf.zeros((4, 10)))) is \
        M.SparseCategoricalAccuracy
    categorical = resolve("acc", tf.zeros((4, 10)), tf.zeros((4, 10)))
    assert type(categorical) is M.CategoricalAccuracy and categorical.name == "acc"
    assert type(resolve("accuracy", tf.zeros((4, 1)), tf.zeros((4, 1)))) is M.BinaryAccuracy
    mae = resolve("mae", None, None)
    assert type(mae) is M.MeanAbsoluteError and mae.name == "mae"
    wrapped = resolve(tf.keras.losses.mean_squared_error, None, None)
    assert isinstance(wrapped, M.MeanMetricWrapper) and wrapped.name == "mean_squared_error"
    wrapped.update_state([[1.0, 2.0]], [[1.0, 4.0]])
    assert float(wrapped.result()) == 2.0
    custom = M.Mean(name="mine")
    assert resolve(custom, None, None) is custom and custom.name == "mine"
    with pytest.raises(ValueError, match="Expected metric, received `None`"):
        resolve(None, None, None)


# (metric, batch 1 labels/predictions, batch 2 labels/predictions/sample_weight, results after
# batch 1, after batch 2 (weighted), after reset and batch 2, and the confusion matrix before
# the reset) printed by Keras 3.15 (TF 2.21). Float weights are truncated by the int64 matrix.
IOU_KERAS_3_15 = [
    ("MeanIoU(num_classes=3)",
     [0, 1, 2, 2, 1, 0], [0, 2, 2, 1, 1, 1], [[0, 2], [1, 1]], [[0, 2], [2, 1]],
     [[1.0, 3.0], [2.0, 0.5]],
     [0.36111113, 0.44444445, 0.6666666], [[2, 1, 0], [0, 1, 3], [0, 1, 4]]),
    ("MeanIoU(num_classes=3, ignore_class=1)",
     [0, 1, 2, 2, 1, 0], [0, 2, 2, 1, 1, 1], [[0, 2], [1, 1]], [[0, 2], [2, 1]],
     [[1.0, 3.0], [2.0, 0.5]],
     [0.33333334, 0.4888889, 0.9999999], [[2, 1, 0], [0, 0, 0], [0, 1, 4]]),
    ("IoU(num_classes=3, target_class_ids=[0, 2])",
     [0, 1, 2, 2, 1, 0], [0, 2, 2, 1, 1, 1], [[0, 2], [1, 1]], [[0, 2], [2, 1]],
     [[1.0, 3.0], [2.0, 0.5]],
     [0.4166667, 0.5833334, 0.74999994], [[2, 1, 0], [0, 1, 3], [0, 1, 4]]),
    ("BinaryIoU(target_class_ids=[0, 1], threshold=0.3)",
     [0, 1, 1, 0, 1], [0.1, 0.2, 0.6, 0.4, 0.9], [1, 0], [0.5, 0.1], [2.0, 1.0],
     [0.4166667, 0.5833334, 0.9999999], [[2, 1], [1, 4]]),
    ("OneHotMeanIoU(num_classes=3)",
     [[0, 0, 1], [1, 0, 0], [0, 1, 0]], [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1]],
     [[1, 0, 0]], [[0.6, 0.3, 0.1]], [2.0],
     [0.16666667, 0.33333334, 0.99999976], [[2, 0, 1], [1, 0, 0], [0, 0, 1]]),
    ("OneHotIoU(num_classes=3, target_class_ids=[1, 2])",
     [[0, 0, 1], [1, 0, 0], [0, 1, 0]], [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1]],
     [[0, 1, 0]], [[0.6, 0.3, 0.1]], [2.0],
     [0.25, 0.25, 0.0], [[0, 0, 1], [3, 0, 0], [0, 0, 1]]),
]


@pytest.mark.parametrize("case", IOU_KERAS_3_15, ids=[c[0] for c in IOU_KERAS_3_15])
def test_iou_matches_keras_golden_numbers(case):
    expression, t1, p1, t2, p2, weights, expected, matrix = case
    metric = eval(expression, vars(M))
    assert metric.total_cm.dtype == tf.int64 and metric.dtype == "int64"
    results = [metric(tf.constant(t1), tf.constant(p1))]
    with pytest.warns(UserWarning, match="passing weight as `float`"):
        results.append(metric(tf.constant(t2), tf.constant(p2), sample_weight=tf.constant(weights)))
    np.testing.assert_array_equal(metric.total_cm.numpy(), matrix)
    metric.reset_state()
    results.append(metric(tf.constant(t2), tf.constant(p2)))
    np.testing.assert_allclose([float(r) for r in results], expected, rtol=2e-6, atol=1e-7)


def test_mean_iou_matches_numpy_and_config():
    labels, preds = np.array([0, 1, 2, 2, 1, 0, 3]), np.array([0, 2, 2, 1, 1, 1, 3])
    cm = np.zeros((4, 4))
    np.add.at(cm, (labels, preds), 1)
    union = cm.sum(0) + cm.sum(1) - np.diag(cm)
    metric = M.MeanIoU(num_classes=4)
    metric.update_state(labels, preds)
    np.testing.assert_allclose(float(metric.result()), np.mean(np.diag(cm) / union), rtol=1e-6)
    assert metric.get_config() == {"num_classes": 4, "name": metric.name, "dtype": "int64",
                                   "ignore_class": None, "sparse_y_true": True,
                                   "sparse_y_pred": True, "axis": -1}
    # Out-of-range ids are left out rather than an error.
    metric.reset_state()
    metric.update_state([0, 7, -1], [0, 1, 1])
    assert int(tf.reduce_sum(metric.total_cm)) == 1
    with pytest.raises(ValueError, match="Target class id 5 is out of range"):
        M.IoU(num_classes=3, target_class_ids=[5])


@pytest.mark.parametrize("module", ["metric", "reduction", "accuracy", "regression",
                                    "confusion", "iou"])
def test_docstring_examples(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(f"tapeflow.keras.metrics.{module}"))
    assert result.attempted > 0 and result.failed == 0


def test_mean_metric_wrapper_config_round_trip():
    metric = M.MeanMetricWrapper(tf.keras.losses.huber, name="h", delta=0.5)
    config = metric.get_config()
    assert config == {"name": "h", "dtype": "float32", "fn": "huber", "delta": 0.5}
    clone = M.MeanMetricWrapper.from_config(config)
    clone.update_state([[0.0, 0.0]], [[1.0, 0.2]])
    np.testing.assert_allclose(float(clone.result()), (0.5 * 1.0 - 0.125 + 0.02) / 2, rtol=1e-6)
    assert M.MeanMetricWrapper.from_config(
        M.MeanMetricWrapper(M.binary_accuracy, threshold=0.2).get_config())._fn is \
        M.binary_accuracy


def test_reset_state_and_reset_states_reach_either_override():
    class NewStyle(M.Mean):
        def reset_state(self):
            super().reset_state()
            self.resets = getattr(self, "resets", 0) + 1

    class OldStyle(M.Mean):                      # TF 2 code overrode reset_states
        def reset_states(self):
            super().reset_states()
            self.resets = getattr(self, "resets", 0) + 1

    for cls in (NewStyle, OldStyle):
        metric = cls()
        metric.update_state(3.0)
        metric.reset_state()
        metric.reset_states()
        assert metric.resets == 2 and float(metric.result()) == 0.0
