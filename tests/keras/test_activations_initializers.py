"""Activations, initializers, regularizers and constraints: values from TF 2.21 / Keras 3.15,
lookup by name, serialization, and the distribution statistics of random initializers."""
import math

import numpy as np
import pytest

import tapeflow as tf

keras = tf.keras
X = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]

# keras.activations.get(name)(X) in TF 2.21 (glu takes [[-3, -1, 0.5, 2]]), rounded to 6 places.
ACTIVATIONS = {
    'relu': [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 3.0],
    'leaky_relu': [-0.6000000238418579, -0.20000000298023224, -0.10000000149011612, 0.0, 0.5, 1.0, 3.0],
    'relu6': [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 3.0],
    'softmax': [0.001879999996162951, 0.013894000090658665, 0.022908000275492668, 0.037769000977277756, 0.06227099895477295, 0.10266699641942978, 0.7586110234260559],
    'celu': [-0.9502130150794983, -0.6321210265159607, -0.3934690058231354, 0.0, 0.5, 1.0, 3.0],
    'elu': [-0.9502130150794983, -0.6321210265159607, -0.3934690058231354, 0.0, 0.5, 1.0, 3.0],
    'selu': [-1.6705689430236816, -1.1113309860229492, -0.6917579770088196, 0.0, 0.5253499746322632, 1.0507010221481323, 3.1521029472351074],
    'softplus': [0.048587001860141754, 0.3132619857788086, 0.4740769863128662, 0.6931470036506653, 0.9740769863128662, 1.3132619857788086, 3.0485870838165283],
    'softsign': [-0.75, -0.5, -0.33333298563957214, 0.0, 0.33333298563957214, 0.5, 0.75],
    'squareplus': [0.3027760088443756, 0.6180340051651001, 0.7807760238647461, 1.0, 1.280776023864746, 1.6180340051651, 3.3027760982513428],
    'soft_shrink': [-2.5, -0.5, 0.0, 0.0, 0.0, 0.5, 2.5],
    'sparse_plus': [0.0, 0.0, 0.0625, 0.25, 0.5625, 1.0, 3.0],
    'silu': [-0.14227800071239471, -0.2689409852027893, -0.18876999616622925, 0.0, 0.31123000383377075, 0.7310590147972107, 2.857722043991089],
    'gelu': [-0.004050000105053186, -0.15865500271320343, -0.1542689949274063, 0.0, 0.3457309901714325, 0.8413450121879578, 2.9959499835968018],
    'glu': [[-1.8673779964447021, -0.8807970285415649]],
    'tanh': [-0.9950550198554993, -0.7615939974784851, -0.4621169865131378, 0.0, 0.4621169865131378, 0.7615939974784851, 0.9950550198554993],
    'tanh_shrink': [-2.0049450397491455, -0.2384060025215149, -0.03788299858570099, 0.0, 0.03788299858570099, 0.2384060025215149, 2.0049450397491455],
    'sigmoid': [0.047426000237464905, 0.2689409852027893, 0.3775410056114197, 0.5, 0.6224589943885803, 0.7310590147972107, 0.9525740146636963],
    'sparse_sigmoid': [0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0],
    'exponential': [0.0497869998216629, 0.3678790032863617, 0.606531023979187, 1.0, 1.6487209796905518, 2.7182819843292236, 20.085535049438477],
    'hard_sigmoid': [0.0, 0.33333298563957214, 0.41666701436042786, 0.5, 0.5833330154418945, 0.6666669845581055, 1.0],
    'hard_silu': [-0.0, -0.33333298563957214, -0.20833300054073334, 0.0, 0.29166701436042786, 0.6666669845581055, 3.0],
    'hard_tanh': [-1.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.0],
    'hard_shrink': [-3.0, -1.0, 0.0, 0.0, 0.0, 1.0, 3.0],
    'linear': [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0],
    'mish': [-0.14564700424671173, -0.30340200662612915, -0.22074399888515472, 0.0, 0.37524500489234924, 0.8650979995727539, 2.98653507232666],
    'log_softmax': [-6.276266098022461, -4.276266098022461, -3.776266098022461, -3.276266098022461, -2.776266098022461, -2.276266098022461, -0.27626699209213257],
    'log_sigmoid': [-3.0485870838165283, -1.3132619857788086, -0.9740769863128662, -0.6931470036506653, -0.4740769863128662, -0.3132619857788086, -0.048587001860141754],
    'swish': [-0.14227800071239471, -0.2689409852027893, -0.18876999616622925, 0.0, 0.31123000383377075, 0.7310590147972107, 2.857722043991089],
    'hard_swish': [-0.0, -0.33333298563957214, -0.20833300054073334, 0.0, 0.29166701436042786, 0.6666669845581055, 3.0],
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values(name):
    x = tf.constant([[-3.0, -1.0, 0.5, 2.0]] if name == "glu" else X)
    y = keras.activations.get(name)(x)
    assert y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), ACTIVATIONS[name], rtol=2e-6, atol=2e-6)


def test_activation_arguments():
    x = tf.constant(X)
    np.testing.assert_allclose(
        keras.activations.relu(x, negative_slope=0.1, max_value=2.0, threshold=0.5).numpy(),
        [-0.35, -0.15, -0.1, -0.05, 0.0, 1.0, 2.0], rtol=1e-6)
    np.testing.assert_allclose(keras.activations.gelu(x, approximate=True).numpy(),
                               [-0.003637, -0.158808, -0.154286, 0.0, 0.345714, 0.841192,
                                2.996363], atol=2e-6)
    np.testing.assert_allclose(keras.activations.threshold(x, 0.2, -1.0).numpy(),
                               [-1.0, -1.0, -1.0, -1.0, 0.5, 1.0, 3.0])
    # Keras 3's sparsemax threshold (kept as Keras computes it)
    np.testing.assert_allclose(
        keras.activations.sparsemax(tf.constant([[0.5, 0.2, 0.1], [2.0, 0.1, 1.9],
                                                 [-3.0, -1.0, -0.5]])).numpy(),
        [[0.166667, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.5, 1.0]], atol=2e-6)


def test_activation_gradients_through_the_tape():
    for name in ["relu", "elu", "selu", "gelu", "mish", "hard_sigmoid", "softplus", "silu"]:
        from tapeflow.testing.gradient_checker import check_gradients
        check_gradients(keras.activations.get(name), [np.array([-2.1, -0.4, 0.3, 1.7])])


def test_activation_lookup_and_serialization():
    assert keras.activations.get(None) is keras.activations.linear
    assert keras.activations.get("swish") is keras.activations.silu
    assert keras.activations.get("hard_swish") is keras.activations.hard_silu
    assert keras.activations.serialize(keras.activations.softmax) == "softmax"
    assert keras.activations.deserialize("tanh") is keras.activations.tanh
    fn = lambda x: x  # noqa: E731
    assert keras.activations.get(fn) is fn
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: "
                                         "foo"):
        keras.activations.get("foo")


# -- initializers ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,cls", [
    ("zeros", "Zeros"), ("ones", "Ones"), ("glorot_uniform", "GlorotUniform"),
    ("he_normal", "HeNormal"), ("orthogonal", "Orthogonal"), ("identity", "Identity"),
    ("random_normal", "RandomNormal"), ("uniform", "RandomUniform"), ("normal", "RandomNormal"),
    ("truncated_normal", "TruncatedNormal"), ("lecun_uniform", "LecunUniform"),
    ("variance_scaling", "VarianceScaling"), ("Zeros", "Zeros"), ("GlorotNormal", "GlorotNormal"),
    ("IdentityInitializer", "Identity"), ("OrthogonalInitializer", "Orthogonal")])
def test_initializer_lookup(name, cls):
    assert type(keras.initializers.get(name)).__name__ == cls


def test_initializer_configs_and_serialization():
    assert keras.initializers.serialize(keras.initializers.HeNormal(seed=3)) == {
        "module": "keras.initializers", "class_name": "HeNormal",
        "config": {"seed": 3, "input_axes": None, "output_axes": None},
        "registered_name": None}
    assert keras.initializers.VarianceScaling().get_config() == {
        "seed": None, "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal",
        "input_axes": None, "output_axes": None}
    assert keras.initializers.RandomUniform().get_config() == {"seed": None, "minval": -0.05,
                                                               "maxval": 0.05}
    assert keras.initializers.TruncatedNormal().get_config() == {"seed": None, "mean": 0.0,
                                                                 "stddev": 0.05}
    assert keras.initializers.Orthogonal().get_config() == {"seed": None, "gain": 1.0}
    constant = keras.initializers.deserialize({"class_name": "Constant",
                                               "config": {"value": 2.0}})
    np.testing.assert_array_equal(constant((2,)).numpy(), [2.0, 2.0])


def test_constant_initializers():
    np.testing.assert_array_equal(keras.initializers.Zeros()((2,), dtype="int32").numpy(),
                                  [0, 0])
    assert keras.initializers.Zeros()((2,), dtype="int32").dtype == tf.int32
    np.testing.assert_array_equal(keras.initializers.Identity()((2, 3)).numpy(),
                                  [[1, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match=r"Identity matrix initializer can only be used for 2D "
                                         r"matrices\. Received: shape=\(2, 3, 4\) of rank 3\."):
        keras.initializers.Identity()((2, 3, 4))


def test_seeded_and_unseeded_initializers_repeat_their_values():
    # Keras 3: one initializer instance returns the same values on every call.
    for init in (keras.initializers.GlorotUniform(), keras.initializers.GlorotUniform(seed=3)):
        np.testing.assert_array_equal(init((2, 2)).numpy(), init((2, 2)).numpy())
    a = keras.initializers.HeNormal(seed=1)((3, 3)).numpy()
    b = keras.initializers.HeNormal(seed=1)((3, 3)).numpy()
    np.testing.assert_array_equal(a, b)


def test_global_seed_makes_weights_reproducible():
    tf.random.set_seed(7)
    first = keras.layers.Dense(3)
    first.build((None, 4))
    tf.random.set_seed(7)
    second = keras.layers.Dense(3)
    second.build((None, 4))
    np.testing.assert_array_equal(first.kernel.numpy(), second.kernel.numpy())
    tf.random.set_seed(None)


@pytest.mark.parametrize("cls,kind,scale,mode", [
    ("GlorotUniform", "uniform", 1.0, "fan_avg"), ("GlorotNormal", "normal", 1.0, "fan_avg"),
    ("HeUniform", "uniform", 2.0, "fan_in"), ("HeNormal", "normal", 2.0, "fan_in"),
    ("LecunUniform", "uniform", 1.0, "fan_in"), ("LecunNormal", "normal", 1.0, "fan_in")])
def test_variance_scaling_statistics(cls, kind, scale, mode):
    fan_in, fan_out = 3 * 3 * 20, 3 * 3 * 30      # a conv kernel (3, 3, 20, 30)
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    values = getattr(keras.initializers, cls)(seed=0)((3, 3, 20, 30)).numpy()
    assert values.shape == (3, 3, 20, 30) and values.dtype == np.float32
    np.testing.assert_allclose(values.std(), math.sqrt(scale / n), rtol=0.05)
    assert abs(values.mean()) < 0.1 * math.sqrt(scale / n)
    if kind == "uniform":
        assert np.abs(values).max() <= math.sqrt(3 * scale / n)
    else:   # truncated at two (corrected) standard deviations
        assert np.abs(values).max() <= 2 * math.sqrt(scale / n) / 0.87962566103423978


def test_random_initializer_ranges():
    values = keras.initializers.RandomUniform(-0.1, 0.3, seed=0)((1000,)).numpy()
    assert values.min() >= -0.1 and values.max() < 0.3
    values = keras.initializers.TruncatedNormal(1.0, 0.1, seed=0)((1000,)).numpy()
    assert np.all(np.abs(values - 1.0) <= 0.2)
    values = keras.initializers.RandomNormal(0.0, 2.0, seed=0)((4000,)).numpy()
    np.testing.assert_allclose(values.std(), 2.0, rtol=0.05)


def test_orthogonal_initializer():
    q = keras.initializers.Orthogonal(gain=2.0, seed=1)((3, 5)).numpy()
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)
    with pytest.raises(ValueError, match="The tensor to initialize must be at least "
                                         "two-dimensional"):
        keras.initializers.Orthogonal()((3,))


# -- regularizers and constraints ---------------------------------------------------------------

def test_regularizer_values_and_configs():
    x = tf.constant([[1.0, -2.0]])
    np.testing.assert_allclose(keras.regularizers.L1(0.1)(x).numpy(), 0.3, rtol=1e-6)
    np.testing.assert_allclose(keras.regularizers.l2(0.5)(x).numpy(), 2.5, rtol=1e-6)
    np.testing.assert_allclose(keras.regularizers.L1L2(0.1, 0.2)(x).numpy(), 1.3, rtol=1e-6)
    assert keras.regularizers.get("l2").get_config() == {"l2": 0.01}
    assert keras.regularizers.l1_l2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert keras.regularizers.get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}}
                                  ).get_config() == {"l1": 0.1, "l2": 0.2}
    assert keras.regularizers.serialize(keras.regularizers.L2(0.5)) == {
        "module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.5},
        "registered_name": None}
    with pytest.raises(ValueError, match="Invalid value for argument l2: expected a "
                                         "non-negative float.Received: l2=-1"):
        keras.regularizers.L2(-1)


def test_orthogonal_regularizer_matches_tensorflow():
    value = keras.regularizers.OrthogonalRegularizer(0.1)(
        tf.constant([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]]))
    np.testing.assert_allclose(value.numpy(), 0.089276575, rtol=1e-6)


def test_constraint_values_and_configs():
    np.testing.assert_allclose(
        keras.constraints.MaxNorm(1.0)(tf.constant([[3.0, 0.0], [4.0, 0.5]])).numpy(),
        [[0.6, 0.0], [0.8, 0.49999988]], rtol=1e-6)
    np.testing.assert_allclose(
        keras.constraints.UnitNorm()(tf.constant([[3.0, 0.0], [4.0, 2.0]])).numpy(),
        [[0.6, 0.0], [0.8, 1.0]], rtol=1e-6)
    np.testing.assert_array_equal(keras.constraints.NonNeg()(tf.constant([-1.0, 2.0])).numpy(),
                                  [0.0, 2.0])
    np.testing.assert_allclose(
        keras.constraints.MinMaxNorm(1.0, 2.0, rate=0.5)(
            tf.constant([[3.0, 0.1], [4.0, 0.0]])).numpy(),
        [[2.1, 0.5499995], [2.8, 0.0]], rtol=1e-6)
    assert keras.constraints.get("max_norm").get_config() == {"max_value": 2, "axis": 0}
    assert keras.constraints.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0,
                                                           "rate": 1.0, "axis": 0}


def test_layer_attaches_regularizer_and_constraint_to_variables():
    layer = keras.layers.Dense(2, kernel_regularizer="l2", kernel_constraint="non_neg")
    layer.build((None, 3))
    assert isinstance(layer.kernel.regularizer, keras.regularizers.L2)
    assert isinstance(layer.kernel.constraint, keras.constraints.NonNeg)
    assert layer.bias.regularizer is None and layer.bias.constraint is None


def test_custom_objects_resolve_by_name():
    from tapeflow.keras import _registry
    _registry.get_custom_objects()["double_it"] = lambda x: x * 2
    layer = keras.layers.Dense(1, activation="double_it", kernel_initializer="ones")
    np.testing.assert_allclose(layer(np.ones((1, 2), "float32")).numpy(), [[4.0]])
    del _registry.get_custom_objects()["double_it"]
