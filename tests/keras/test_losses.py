"""tf.keras.losses: values against Keras 3.15 and NumPy, reductions, sample weights,
dtype handling, errors and config."""

import numpy as np
import pytest

import tapeflow as tf

L = tf.keras.losses

DATA = dict(
    REG_T=[[0.5, 1.0, -0.5], [2.0, 0.0, 1.5]], REG_P=[[0.7, 0.4, -0.1], [1.5, 0.2, 2.5]],
    DIST_T=[[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]], DIST_P=[[0.25, 0.25, 0.5], [0.3, 0.6, 0.1]],
    ONEHOT=[[0, 1, 0], [1, 0, 0]], LOGITS=[[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]],
    PROBS=[[0.2, 0.7, 0.1], [0.5, 0.2, 0.3]], SPARSE=[1, 0],
    BIN_T=[[1, 0, 1], [0, 0, 1]], BIN_P=[[0.9, 0.2, 0.6], [0.3, 0.1, 0.8]],
    BIN_LOGITS=[[2.0, -1.0, 0.5], [-0.3, -2.0, 1.2]], SIGNED_T=[[1, -1, 1], [-1, -1, 1]],
)

# (loss, y_true, y_pred, [loss, loss with sample_weight=[0.3, 0.7] (or [0.3, 0.7, 0.5] for
# axis=0), then the per-sample losses of reduction='none']) printed by Keras 3.15 (TF 2.21).
KERAS_3_15 = [
    ("MeanSquaredError()", "REG_T", "REG_P", [0.30833334, 0.17849998, 0.18666667, 0.42999998]),
    ("MeanAbsoluteError()", "REG_T", "REG_P", [0.48333335, 0.25833333, 0.4, 0.56666666]),
    ("MeanAbsolutePercentageError()", "REG_T", "REG_P",
        [3.3333376e+07, 2.3333352e+07, 59.999996, 6.6666692e+07]),
    ("MeanSquaredLogarithmicError()", "REG_T", "REG_P",
        [0.053763103, 0.028108649, 0.047627617, 0.05989859]),
    ("CosineSimilarity()", "REG_T", "REG_P", [-0.86397564, -0.44397694, -0.80403024, -0.9239211]),
    ("CosineSimilarity(axis=0)", "REG_T", "REG_P",
        [-0.94556093, -0.4669629, -0.9816916, -0.8944271, -0.96056426]),
    ("Huber()", "REG_T", "REG_P", [0.15416667, 0.08924999, 0.093333334, 0.21499999]),
    ("Huber(delta=0.3)", "REG_T", "REG_P", [0.10166667, 0.055833332, 0.07666667, 0.12666667]),
    ("LogCosh()", "REG_T", "REG_P", [0.14028668, 0.08033689, 0.08931893, 0.19125444]),
    ("Hinge()", "BIN_T", "BIN_LOGITS", [0.2, 0.10666667, 0.16666667, 0.23333333]),
    ("Hinge()", "SIGNED_T", "BIN_LOGITS", [0.2, 0.10666667, 0.16666667, 0.23333333]),
    ("SquaredHinge()", "BIN_T", "BIN_LOGITS", [0.123333335, 0.06966666, 0.083333336, 0.16333333]),
    ("CategoricalHinge()", "ONEHOT", "LOGITS", [1.35, 0.945, 0.0, 2.7]),
    ("KLDivergence()", "DIST_T", "DIST_P", [0.065176085, 0.0436097, 0.010067776, 0.120284386]),
    ("Poisson()", "DIST_T", "DIST_P", [0.63317275, 0.30723956, 0.67990685, 0.58643866]),
    ("BinaryCrossentropy()", "BIN_T", "BIN_P", [0.25408477, 0.12190404, 0.27977654, 0.22839302]),
    ("BinaryCrossentropy(from_logits=True)", "BIN_T", "BIN_LOGITS",
        [0.3098054, 0.15591267, 0.30475557, 0.31485522]),
    ("BinaryCrossentropy(label_smoothing=0.2)", "BIN_T", "BIN_P",
        [0.39441472, 0.1935418, 0.4127426, 0.37608686]),
    ("BinaryCrossentropy(from_logits=True, label_smoothing=0.1, axis=0)", "BIN_T", "BIN_LOGITS",
        [0.36813876, 0.17719959, 0.39814162, 0.29509485, 0.41117975]),
    ("BinaryFocalCrossentropy()", "BIN_T", "BIN_P",
        [0.022298586, 0.009494916, 0.030570475, 0.014026698]),
    ("BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5, from_logits=True)",
        "BIN_T", "BIN_LOGITS",
        [0.030887205, 0.017278142, 0.021714503, 0.040059905]),
    ("CategoricalCrossentropy()", "ONEHOT", "PROBS",
        [0.52491105, 0.29610276, 0.35667497, 0.6931472]),
    ("CategoricalCrossentropy(from_logits=True)", "ONEHOT", "LOGITS",
        [1.1866947, 0.7378126, 0.4643688, 1.9090208]),
    ("CategoricalCrossentropy(from_logits=True, label_smoothing=0.3)", "ONEHOT", "LOGITS",
        [1.2916949, 0.7613126, 0.7143688, 1.8690208]),
    ("CategoricalCrossentropy(label_smoothing=0.1)", "DIST_T", "PROBS",
        [1.5054379, 0.7409156, 1.5644543, 1.4464214]),
    ("CategoricalFocalCrossentropy(from_logits=True)", "ONEHOT", "LOGITS",
        [0.18113875, 0.12359324, 0.016019413, 0.3462581]),
    ("SparseCategoricalCrossentropy()", "SPARSE", "PROBS",
        [0.52491105, 0.29610276, 0.35667497, 0.6931472]),
    ("SparseCategoricalCrossentropy(from_logits=True)", "SPARSE", "LOGITS",
        [1.1866947, 0.7378126, 0.4643688, 1.9090208]),
]


def _none_version(expression):
    if expression.endswith("()"):
        return expression[:-1] + "reduction='none')"
    return expression[:-1] + ", reduction='none')"


@pytest.mark.parametrize("expression, true, pred, expected", KERAS_3_15,
                         ids=[f"{c[0]}-{c[1]}" for c in KERAS_3_15])
def test_matches_keras_golden_numbers(expression, true, pred, expected):
    loss = eval(expression, vars(L))
    y_true, y_pred = tf.constant(DATA[true]), tf.constant(DATA[pred])
    weights = [0.3, 0.7, 0.5] if "axis=0" in expression else [0.3, 0.7]
    per_sample = eval(_none_version(expression), vars(L))(y_true, y_pred)
    values = [float(loss(y_true, y_pred)),
              float(loss(y_true, y_pred, sample_weight=tf.constant(weights))),
              *per_sample.numpy().ravel()]
    np.testing.assert_allclose(values, expected, rtol=2e-6, atol=1e-7)
    assert loss(y_true, y_pred).dtype == tf.float32 and loss(y_true, y_pred).shape == ()


# -- independent NumPy formulas ------------------------------------------------------------

def _np(name):
    return np.array(DATA[name], np.float64)


def numpy_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.mean(np.where(e <= delta, 0.5 * e ** 2, delta * e - 0.5 * delta ** 2), -1)


def numpy_cosine(t, p, axis=-1):
    def unit(x):
        return x / np.linalg.norm(x, axis=axis, keepdims=True)
    return -np.sum(unit(t) * unit(p), axis=axis)


def numpy_bce(t, p, axis=None):
    per_element = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return per_element if axis is not None else per_element.mean(-1)


def numpy_log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


NUMPY_CASES = [
    ("MeanSquaredError()", "REG_T", "REG_P", lambda t, p: np.mean((t - p) ** 2, -1)),
    ("MeanAbsoluteError()", "REG_T", "REG_P", lambda t, p: np.mean(np.abs(t - p), -1)),
    ("MeanAbsolutePercentageError()", "DIST_T", "DIST_P",
     lambda t, p: 100 * np.mean(np.abs((t - p) / t), -1)),
    ("MeanSquaredLogarithmicError()", "DIST_T", "DIST_P",
     lambda t, p: np.mean((np.log1p(p) - np.log1p(t)) ** 2, -1)),
    ("CosineSimilarity()", "REG_T", "REG_P", numpy_cosine),
    ("Huber(delta=0.5)", "REG_T", "REG_P", lambda t, p: numpy_huber(t, p, 0.5)),
    ("LogCosh()", "REG_T", "REG_P", lambda t, p: np.mean(np.log(np.cosh(p - t)), -1)),
    ("Hinge()", "SIGNED_T", "BIN_LOGITS", lambda t, p: np.mean(np.maximum(1 - t * p, 0), -1)),
    ("Hinge()", "BIN_T", "BIN_LOGITS",
     lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0), -1)),
    ("SquaredHinge()", "SIGNED_T", "BIN_LOGITS",
     lambda t, p: np.mean(np.maximum(1 - t * p, 0) ** 2, -1)),
    ("CategoricalHinge()", "ONEHOT", "LOGITS",
     lambda t, p: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0)),
    ("Poisson()", "DIST_T", "DIST_P", lambda t, p: np.mean(p - t * np.log(p), -1)),
    ("KLDivergence()", "DIST_T", "DIST_P", lambda t, p: np.sum(t * np.log(t / p), -1)),
    ("BinaryCrossentropy()", "BIN_T", "BIN_P",
     lambda t, p: -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p), -1)),
    ("BinaryCrossentropy(from_logits=True, label_smoothing=0.2)", "BIN_T", "BIN_LOGITS",
     lambda t, p: numpy_bce(t * 0.8 + 0.1, 1 / (1 + np.exp(-p)))),
    ("BinaryFocalCrossentropy(gamma=3.0)", "BIN_T", "BIN_P",
     lambda t, p: np.mean((1 - (t * p + (1 - t) * (1 - p))) ** 3 * numpy_bce(t, p, -1), -1)),
    ("CategoricalCrossentropy()", "ONEHOT", "PROBS", lambda t, p: -np.sum(t * np.log(p), -1)),
    ("CategoricalCrossentropy(from_logits=True, label_smoothing=0.3)", "ONEHOT", "LOGITS",
     lambda t, p: -np.sum((t * 0.7 + 0.1) * numpy_log_softmax(p), -1)),
    ("SparseCategoricalCrossentropy()", "SPARSE", "PROBS",
     lambda t, p: -np.log(p[np.arange(len(t)), t.astype(int)])),
    ("SparseCategoricalCrossentropy(from_logits=True)", "SPARSE", "LOGITS",
     lambda t, p: -numpy_log_softmax(p)[np.arange(len(t)), t.astype(int)]),
]


@pytest.mark.parametrize("expression, true, pred, formula", NUMPY_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in NUMPY_CASES])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_matches_numpy_formula_with_each_reduction(expression, true, pred, formula, reduction):
    per_sample = formula(_np(true), _np(pred))
    weights = np.array([0.25, 1.5])
    weighted = per_sample * weights
    expected = {"sum_over_batch_size": weighted.mean(), "sum": weighted.sum(),
                "none": weighted}[reduction]
    loss = eval(expression, vars(L))
    loss.reduction = reduction
    out = loss(DATA[true], DATA[pred], sample_weight=weights)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_loss_functions_return_one_value_per_sample():
    out = L.mean_squared_error(DATA["REG_T"], DATA["REG_P"])
    assert out.shape == (2,)
    np.testing.assert_allclose(out.numpy(), np.mean((_np("REG_T") - _np("REG_P")) ** 2, -1),
                               rtol=1e-6)
    assert L.mse is L.MSE is L.mean_squared_error
    assert L.huber(DATA["REG_T"], DATA["REG_P"], delta=0.5).shape == (2,)
    assert L.cosine_similarity(DATA["REG_T"], DATA["REG_P"], axis=0).shape == (3,)


# -- reductions, sample weights, dtypes ----------------------------------------------------------

def test_reductions():
    y_true, y_pred = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
    assert float(L.MeanSquaredError()(y_true, y_pred)) == 0.5
    assert float(L.MeanSquaredError(reduction="sum")(y_true, y_pred)) == 1.0
    np.testing.assert_allclose(L.MeanSquaredError(reduction="none")(y_true, y_pred), [0.5, 0.5])
    np.testing.assert_allclose(L.MeanSquaredError(reduction=None)(y_true, y_pred), [0.5, 0.5])
    weights = [0.2, 0.6]
    # mean_with_sample_weight divides by the sum of the weights, not the batch size.
    np.testing.assert_allclose(
        L.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred, weights),
        (0.5 * 0.2 + 0.5 * 0.6) / 0.8, rtol=1e-6)
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        L.MeanSquaredError(reduction="auto")
    assert L.Reduction.SUM == "sum" and "auto" in L.Reduction.all()


def test_sample_weight_shapes():
    y_true, y_pred = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
    mse = L.MeanSquaredError()
    # Scalar weight scales; a (batch, 1) weight is squeezed to (batch,).
    np.testing.assert_allclose(mse(y_true, y_pred, sample_weight=2.0), 1.0)
    np.testing.assert_allclose(mse(y_true, y_pred, sample_weight=[[1.0], [0.0]]), 0.25)
    # Per-element weights with reduction='none' on a 3-D loss.
    per_step = L.MeanSquaredError(reduction="none")(np.zeros((2, 3, 1)), np.ones((2, 3, 1)),
                                                    sample_weight=np.ones((2, 3)))
    assert per_step.shape == (2, 3)
    # All-zero weights give 0, not NaN.
    np.testing.assert_allclose(
        L.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred, [0.0, 0.0]), 0.0)


def test_inputs_are_converted_to_the_loss_dtype():
    # Integer labels, float64 predictions: Keras converts both to float32.
    out = L.MeanSquaredError()(tf.constant([[1, 2]]), tf.constant([[1.5, 2.0]], tf.float64))
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), 0.125)
    out64 = L.MeanSquaredError(dtype="float64")(np.array([[1.0]]), np.array([[3.0]]))
    assert out64.dtype == tf.float64 and float(out64) == 4.0
    # The functions keep y_pred's dtype and convert y_true to it.
    assert L.mean_absolute_error([[1, 2]], tf.constant([[1.0, 1.0]], tf.float64)).dtype == \
        tf.float64


def test_rank_matching_between_labels_and_predictions():
    # (batch,) labels against (batch, 1) predictions are expanded, not broadcast to a square.
    np.testing.assert_allclose(L.MeanSquaredError()([1.0, 2.0, 3.0], [[1.0], [2.0], [4.0]]),
                               1.0 / 3, rtol=1e-6)


def test_mismatched_shapes_are_an_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        L.MeanSquaredError()(tf.constant([[1.0, 2.0]]), tf.constant([[1.0, 2.0, 3.0]]))


def test_gradient_flows_through_a_loss():
    y_pred = tf.Variable([[0.5, 1.5]])
    with tf.GradientTape() as tape:
        loss = L.Huber(delta=1.0)([[0.0, 0.0]], y_pred)
    # d/dp mean(huber): e=0.5 -> e/2, e=1.5 -> delta/2
    np.testing.assert_allclose(tape.gradient(loss, y_pred).numpy(), [[0.25, 0.5]], rtol=1e-6)


# -- config and lookup -----------------------------------------------------------------------

def test_get_config_matches_keras():
    assert L.MeanSquaredError().get_config() == {"name": "mean_squared_error",
                                                 "reduction": "sum_over_batch_size"}
    assert L.Huber().get_config() == {"name": "huber_loss", "reduction": "sum_over_batch_size"}
    assert L.CategoricalCrossentropy().get_config() == {
        "name": "categorical_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "label_smoothing": 0.0, "axis": -1}
    assert L.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "ignore_class": None}
    assert L.BinaryFocalCrossentropy().get_config() == {
        "name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "label_smoothing": 0.0, "axis": -1,
        "apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0}
    for cls in (L.BinaryCrossentropy, L.CategoricalHinge, L.Poisson, L.KLDivergence):
        loss = cls(reduction="sum", name="x")
        clone = cls.from_config(loss.get_config())
        assert clone.get_config() == loss.get_config()


def test_get_serialize_deserialize():
    assert L.get("mse") is L.mean_squared_error
    assert L.get("mean_squared_error") is L.mean_squared_error
    assert isinstance(L.get("MeanSquaredError"), L.MeanSquaredError)
    assert L.get("categorical_crossentropy") is L.categorical_crossentropy
    loss = L.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(loss, L.CategoricalCrossentropy) and loss.from_logits
    huber = L.Huber(reduction="sum")
    assert L.get(huber) is huber and L.get(None) is None
    data = L.serialize(huber)
    assert data["class_name"] == "Huber" and data["config"]["reduction"] == "sum"
    assert isinstance(L.deserialize(data), L.Huber)
    assert L.deserialize(L.serialize(L.mae)) is L.mean_absolute_error
    with pytest.raises(ValueError, match="Could not interpret loss identifier: msee.*mse"):
        L.get("msee")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        L.get(3)


def test_resolve_compile_loss():
    y_pred = tf.zeros((4, 3))
    assert L.resolve_compile_loss("ce", tf.zeros((4,)), y_pred).fn is \
        L.sparse_categorical_crossentropy
    assert L.resolve_compile_loss("crossentropy", tf.zeros((4, 3)), y_pred).fn is \
        L.categorical_crossentropy
    assert L.resolve_compile_loss("ce", tf.zeros((4, 1)), tf.zeros((4, 1))).fn is \
        L.binary_crossentropy
    wrapped = L.resolve_compile_loss("mse", None, None)
    assert isinstance(wrapped, L.LossFunctionWrapper) and wrapped.name == "mse"
    huber = L.Huber()
    assert L.resolve_compile_loss(huber, None, None) is huber


# -- crossentropies -----------------------------------------------------------------------------

def test_seed_categorical_crossentropy_example():
    """The seed document: Python int labels, float logits, printed as 4.01815."""
    cce = L.CategoricalCrossentropy(from_logits=True)
    value = cce([[1, 0]], [[-1.0, 3.0]]).numpy()
    assert f"{value:.5f}" == "4.01815" and value.dtype == np.float32


def test_sparse_labels_out_of_range_are_an_error():
    loss = L.SparseCategoricalCrossentropy(from_logits=True)
    logits = tf.constant([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 5 which is outside the valid range "
                             r"of \[0, 3\)"):
        loss(tf.constant([0, 5]), logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match="label value of -1"):
        L.sparse_categorical_crossentropy(tf.constant([0, -1]), tf.constant([[0.5, 0.5]] * 2))


def test_crossentropy_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"same shape up until the last dimension: "
                                         r"target.shape=\(3,\), output.shape=\(2, 3\)"):
        L.SparseCategoricalCrossentropy(from_logits=True)(tf.constant([0, 1, 2]),
                                                          tf.ones((2, 3)))
    with pytest.raises(ValueError, match=r"must have the same shape. Received: "
                                         r"target.shape=\(1, 3\), output.shape=\(1, 2\)"):
        L.CategoricalCrossentropy(from_logits=True)(tf.constant([[1, 0, 0]]),
                                                    tf.constant([[-1.0, 3.0]]))
    with pytest.raises(ValueError, match="must have the same shape"):
        L.BinaryCrossentropy()(tf.constant([[1, 0, 0]]), tf.constant([[0.1, 0.3]]))
    with pytest.raises(ValueError, match="Only axis=-1 is currently supported"):
        L.sparse_categorical_crossentropy([[0, 1]], tf.ones((2, 2, 3)), axis=0)


def test_sparse_crossentropy_label_shapes_and_dtypes():
    logits = tf.constant([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]])
    expected = -numpy_log_softmax(np.array(logits))[[0, 1], [1, 2]]
    loss = L.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
    for labels in ([1, 2], [[1], [2]], tf.constant([1, 2], tf.int64),
                   tf.constant([1.0, 2.0]), np.array([1, 2], np.uint8)):
        np.testing.assert_allclose(loss(labels, logits).numpy(), expected, rtol=1e-6)


def test_sparse_crossentropy_ignore_class():
    logits = tf.constant([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.0, 0.0, 0.0]])
    per_sample = -numpy_log_softmax(np.array(logits))[[0, 1, 2], [1, 2, 0]]
    loss = L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    # The ignored sample is left out of the mean (Keras masks it), and its loss is 0.
    np.testing.assert_allclose(float(loss([1, 2, -1], logits)), per_sample[:2].mean(),
                               rtol=1e-6)
    none = L.sparse_categorical_crossentropy([1, 2, -1], logits, from_logits=True,
                                             ignore_class=-1)
    np.testing.assert_allclose(none.numpy(), [per_sample[0], per_sample[1], 0.0], rtol=1e-6)


def test_probabilities_are_clipped_and_renormalized():
    # p = 0 would give inf; Keras clips to [1e-7, 1 - 1e-7]. Rows are renormalized first.
    value = L.categorical_crossentropy([[0.0, 1.0]], [[1.0, 0.0]])
    np.testing.assert_allclose(value.numpy(), [-np.log(np.float32(1e-7))], rtol=1e-5)
    np.testing.assert_allclose(L.categorical_crossentropy([[0, 1]], [[2.0, 2.0]]).numpy(),
                               [np.log(2.0)], rtol=1e-6)
    assert np.isfinite(L.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]]).numpy()).all()


def test_traced_softmax_output_is_used_as_logits():
    """In a traced function, y_pred produced by a Softmax op is replaced by its logits
    (Keras' TF backend does this for stability); eagerly the probabilities are used."""
    from tapeflow.core.context import graph_scope
    from tapeflow.graph.interpret import interpret
    from tapeflow.graph.ir import Graph
    logits = tf.constant([[80.0, 0.0]])     # softmax underflows to exactly [1, 0]
    eager = L.categorical_crossentropy([[0.0, 1.0]], tf.nn.softmax(logits))
    np.testing.assert_allclose(eager.numpy(), [-np.log(np.float32(1e-7))], rtol=1e-5)
    graph = Graph("loss")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec((1, 2), tf.float32))
        graph.outputs = [L.categorical_crossentropy([[0.0, 1.0]], tf.nn.softmax(x))]
    assert not any(node.op.name == "ClipByValue" for node in graph.nodes)
    np.testing.assert_allclose(interpret(graph, [logits])[0].numpy(), [80.0], rtol=1e-6)


def test_crossentropy_gradient_from_logits():
    logits = tf.Variable([[1.0, 2.0, 0.5]])
    with tf.GradientTape() as tape:
        loss = L.CategoricalCrossentropy(from_logits=True)([[0, 1, 0]], logits)
    softmax = np.exp([1.0, 2.0, 0.5]) / np.exp([1.0, 2.0, 0.5]).sum()
    np.testing.assert_allclose(tape.gradient(loss, logits).numpy(), [softmax - [0, 1, 0]],
                               rtol=1e-5)


@pytest.mark.parametrize("module", ["", ".regression", ".probabilistic"])
def test_docstring_examples(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module("tapeflow.keras.losses" + module))
    assert result.attempted > 0 and result.failed == 0
