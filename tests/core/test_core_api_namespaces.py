"""Small namespaces and classes of TF's top-level API: tf.compat, tf.version, tf.sysconfig,
tf.experimental, tf.types, tf.saved_model, TF's own initializers, the Keras aliases
(tf.losses, tf.metrics, tf.optimizers, tf.initializers), IndexedSlices and TypeSpecs.
Expected values from TF 2.21."""
import pathlib

import numpy as np
import pytest

import tapeflow as tf


def test_every_top_level_name_resolves():
    for name in ("Module", "map_fn", "scan", "foldl", "foldr", "vectorized_map", "compat",
                 "version", "sysconfig", "experimental", "types", "saved_model", "losses",
                 "metrics", "optimizers", "initializers", "IndexedSlices", "TypeSpec",
                 "constant_initializer", "device", "DeviceSpec", "gradients"):
        assert getattr(tf, name) is not None
    assert "map_fn" in dir(tf)


def test_compat_strings_and_dimensions():
    assert tf.compat.as_bytes("é") == b"\xc3\xa9" and tf.compat.as_bytes(b"a") == b"a"
    assert tf.compat.as_text(b"a") == "a" and tf.compat.as_str("x") == "x"
    assert tf.compat.as_str_any(3) == "3" and tf.compat.as_str_any(b"x") == "x"
    assert tf.compat.path_to_str(pathlib.Path("/a")) == "/a"
    for fn in (tf.compat.as_bytes, tf.compat.as_text):
        with pytest.raises(TypeError, match="Expected binary or unicode string, got 3"):
            fn(3)
    shape = tf.TensorShape([3, None])
    assert tf.compat.dimension_value(shape[0]) == 3
    assert tf.compat.dimension_at_index(shape, 1) is None
    assert tf.compat.forward_compatible(2020, 1, 1)
    with tf.compat.forward_compatibility_horizon(2019, 1, 1):
        assert not tf.compat.forward_compatible(2020, 1, 1)
    assert tf.compat.bytes_or_text_types == (bytes, str)


def test_compat_v1_and_v2():
    assert tf.compat.v2 is tf
    v1 = tf.compat.v1
    assert v1.enable_eager_execution() is None and v1.enable_v2_behavior() is None
    assert v1.executing_eagerly()
    with pytest.raises(RuntimeError, match="tf.placeholder\\(\\) is not compatible with eager "
                                           "execution."):
        v1.placeholder(tf.float32)
    for switch in (v1.disable_eager_execution, v1.disable_v2_behavior):
        with pytest.raises(NotImplementedError, match="TF 1 graphs and sessions"):
            switch()
    assert (v1.logging.DEBUG, v1.logging.INFO, v1.logging.WARN, v1.logging.ERROR,
            v1.logging.FATAL) == (10, 20, 30, 40, 50)
    saved = v1.logging.get_verbosity()
    try:
        v1.logging.set_verbosity(v1.logging.ERROR)
        assert v1.logging.get_verbosity() == 40
    finally:
        v1.logging.set_verbosity(saved)
    v1.set_random_seed(3)
    a = tf.random.uniform([2])
    tf.random.set_seed(3)
    np.testing.assert_array_equal(a, tf.random.uniform([2]))


def test_version_sysconfig_experimental_types():
    assert tf.version.VERSION == tf.__version__
    assert isinstance(tf.version.GIT_VERSION, str) and tf.version.GRAPH_DEF_VERSION == 2474
    assert dict(tf.sysconfig.get_build_info()) == {
        "is_cuda_build": False, "is_rocm_build": False, "is_tensorrt_build": False}
    assert tf.sysconfig.get_compile_flags() == [] and tf.sysconfig.get_link_flags() == []
    assert tf.experimental.enable_op_determinism() is None
    assert isinstance(tf.function(lambda x: x), tf.types.experimental.PolymorphicFunction)


def test_saved_model_points_to_keras_and_checkpoints(tmp_path):
    for call in (lambda: tf.saved_model.save(tf.Module(), str(tmp_path)),
                 lambda: tf.saved_model.load(str(tmp_path))):
        with pytest.raises(NotImplementedError, match="model.save\\('model.keras'\\).*"
                                                      "tf.train.Checkpoint"):
            call()
    assert not tf.saved_model.contains_saved_model(tmp_path)
    (tmp_path / "saved_model.pb").write_bytes(b"")
    assert tf.saved_model.contains_saved_model(tmp_path)


def test_keras_aliases_are_the_keras_modules():
    assert tf.losses is tf.keras.losses and tf.metrics is tf.keras.metrics
    assert tf.optimizers is tf.keras.optimizers and tf.initializers is tf.keras.initializers
    assert tf.losses.MeanSquaredError is tf.keras.losses.MeanSquaredError
    assert tf.initializers.GlorotUniform is tf.keras.initializers.GlorotUniform


def test_tf_initializers_match_tf():
    np.testing.assert_array_equal(tf.constant_initializer(3.0)([2], tf.float32), [3.0, 3.0])
    out = tf.constant_initializer([1, 2])([2])
    assert out.dtype == tf.int32 and out.numpy().tolist() == [1, 2]
    assert tf.constant_initializer(1)([2], tf.int32).dtype == tf.int32
    with pytest.raises(TypeError, match="Eager execution of tf.constant with unsupported shape"):
        tf.constant_initializer([1, 2])([3])
    assert tf.constant_initializer([1, 2]).get_config() == {"value": [1, 2]}
    np.testing.assert_array_equal(tf.ones_initializer()([2]), [1.0, 1.0])
    assert tf.ones_initializer()([2], tf.bool).numpy().tolist() == [True, True]
    assert tf.zeros_initializer()([2], dtype=tf.int32).dtype == tf.int32
    with pytest.raises(ValueError, match="Argument `dtype` expected to be numeric or boolean. "
                                         "Received <dtype: 'string'>."):
        tf.zeros_initializer()([2], tf.string)
    # Seeded initializers draw TF's numbers, the same at every call.
    normal = tf.random_normal_initializer(seed=1)
    np.testing.assert_allclose(normal([2]), [0.00633252, -0.02465083], rtol=1e-5)
    np.testing.assert_array_equal(normal([2]), normal([2]))
    np.testing.assert_allclose(tf.random_uniform_initializer(seed=1)([2]),
                               [0.03784882, -0.00400198], rtol=1e-5)
    np.testing.assert_allclose(tf.random_uniform_initializer(-1, 1, seed=3)([3]),
                               [-0.6081743, 0.8786905, 0.0645504], rtol=1e-5)
    assert tf.random_uniform_initializer(0, 10, seed=3)([3], tf.int32).numpy().tolist() == [
        8, 7, 2]
    with pytest.raises(ValueError, match="Argument `dtype` is expected to be floating point. "
                                         "Received: <dtype: 'int32'>."):
        tf.random_normal_initializer(seed=3)([3], tf.int32)
    assert tf.random_uniform_initializer().get_config() == {"minval": -0.05, "maxval": 0.05,
                                                           "seed": None}
    assert tf.random_normal_initializer().get_config() == {"mean": 0.0, "stddev": 0.05,
                                                          "seed": None}
    assert isinstance(tf.ones_initializer.from_config({}), tf.ones_initializer)
    v = tf.Variable(tf.zeros_initializer()([2, 3]))
    assert v.shape == (2, 3)


def test_indexed_slices_match_tf():
    s = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([0, 2]),
                         tf.constant([3, 2]))
    assert s.dtype == tf.float32 and s.shape == (3, 2) and tf.is_tensor(s)
    np.testing.assert_array_equal(tf.convert_to_tensor(s), [[1, 2], [0, 0], [3, 4]])
    dup = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([1, 1]),
                           tf.constant([3, 2]))
    np.testing.assert_array_equal(tf.convert_to_tensor(dup), [[0, 0], [4, 6], [0, 0]])
    np.testing.assert_array_equal(tf.multiply(s, 2.0), [[2, 4], [0, 0], [6, 8]])
    assert float(tf.reduce_sum(s)) == 10.0
    np.testing.assert_array_equal((-s).values, [[-1, -2], [-3, -4]])
    assert str(s).startswith("IndexedSlices(indices=tf.Tensor([0 2], shape=(2,), dtype=int32)")
    no_shape = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]))
    assert no_shape.shape == tf.TensorShape(None)
    with pytest.raises(ValueError, match="Tensor conversion requested for IndexedSlices for "
                                         "argument `value` without dense_shape"):
        tf.convert_to_tensor(no_shape)
    with pytest.raises(ValueError, match="Incompatible tensor conversion requested to `dtype` "
                                         "float64 for IndexedSlices"):
        tf.convert_to_tensor(s, dtype=tf.float64)
    with pytest.raises(TypeError):
        s + 1   # noqa: B018 - TF defines no operators on IndexedSlices
    values = tf.constant([[1.0, 2.0]])
    with tf.GradientTape() as tape:
        tape.watch(values)
        dense = tf.convert_to_tensor(tf.IndexedSlices(values, [1], [3, 2]))
        loss = tf.reduce_sum(dense * tf.constant([[1.0, 1.0], [2.0, 3.0], [1.0, 1.0]]))
    np.testing.assert_array_equal(tape.gradient(loss, values), [[2.0, 3.0]])


def test_type_specs_match_tf():
    assert repr(tf.IndexedSlicesSpec()) == ("IndexedSlicesSpec(TensorShape(None), tf.float32, "
                                            "tf.int64, None, TensorShape([None]))")
    s = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([0, 2]),
                         tf.constant([3, 2]))
    assert repr(tf.type_spec_from_value(s)) == (
        "IndexedSlicesSpec(TensorShape([3, 2]), tf.float32, tf.int32, tf.int32, "
        "TensorShape([2]))")
    assert tf.type_spec_from_value(tf.constant([1, 2])) == tf.TensorSpec([2], tf.int32)
    assert tf.type_spec_from_value([1, 2]) == tf.TensorSpec([2], tf.int32)
    assert tf.type_spec_from_value(np.ones(2)) == tf.TensorSpec([2], tf.float64)
    assert tf.type_spec_from_value(3) == tf.TensorSpec([], tf.int32)
    assert repr(tf.type_spec_from_value(tf.Variable(1.0))) == (
        "VariableSpec(shape=(), dtype=tf.float32, trainable=True, alias_id=None)")
    assert repr(tf.type_spec_from_value(None)) == "NoneTensorSpec()"
    assert tf.NoneTensorSpec() == tf.NoneTensorSpec()
    assert isinstance(tf.TensorSpec([1]), tf.TypeSpec)
    with pytest.raises(TypeError, match="Could not build a TypeSpec for"):
        tf.type_spec_from_value(object())
