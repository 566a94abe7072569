"""Framework utilities of the top-level API: ordering helpers, static values, context
queries, devices, tensor conversion functions; expected behaviour from TF 2.21."""
import logging

import numpy as np
import pytest

import tapeflow as tf


def test_control_dependencies_group_tuple_no_op_eager():
    x = tf.constant(1)
    with tf.control_dependencies([x]):
        y = x + 1
    with tf.control_dependencies(None):
        pass
    assert int(y) == 2
    with pytest.raises(TypeError):
        tf.control_dependencies(lambda: 1)
    assert tf.no_op() is None and tf.group(x, y) is None
    assert tf.group([x, [y]], {"a": x}, name="g") is None
    out = tf.tuple([x, None, tf.constant(2.0)])
    assert isinstance(out, list) and out[1] is None and int(out[0]) == 1
    assert tf.tuple(x) is x


def test_ordering_helpers_traced_keep_side_effects_in_order():
    v = tf.Variable(1.0)

    @tf.function
    def f(x):
        update = v.assign_add(x)
        with tf.control_dependencies([update]):
            y = v * 2.0
        tf.group(v.assign_add(1.0))
        tf.no_op()
        return tf.tuple([y, x])[0]

    assert float(f(tf.constant(2.0))) == 6.0 and float(v) == 4.0


def test_parallel_stack_only_in_functions():
    with pytest.raises(RuntimeError, match="tf.parallel_stack\\(\\) is not compatible with "
                                           "eager execution."):
        tf.parallel_stack([[1, 2], [3, 4]])
    f = tf.function(lambda a, b: tf.parallel_stack([a, b]))
    np.testing.assert_array_equal(f(tf.constant([1, 2]), tf.constant([3, 4])), [[1, 2], [3, 4]])


def test_context_queries():
    assert not tf.inside_function() and tf.get_current_name_scope() == ""
    assert not tf.is_symbolic_tensor(tf.constant(1.0))
    assert not tf.is_symbolic_tensor(tf.Variable(1.0)) and not tf.is_symbolic_tensor(np.ones(2))
    seen = {}

    @tf.function
    def f(x):
        seen["inside"] = tf.inside_function()
        seen["symbolic"] = tf.is_symbolic_tensor(x)
        with tf.name_scope("block"):
            seen["scope"] = tf.get_current_name_scope()
        return x

    f(tf.constant(1.0))
    assert seen == {"inside": True, "symbolic": True, "scope": "block"}
    logger = tf.get_logger()
    assert isinstance(logger, logging.Logger) and logger is tf.get_logger()


def test_get_static_value_eager_and_python():
    np.testing.assert_array_equal(tf.get_static_value(tf.constant([1, 2])), [1, 2])
    assert tf.get_static_value(tf.constant("a")) == b"a"
    assert tf.get_static_value([1, 2]) == [1, 2] and tf.get_static_value(None) is None
    assert tf.get_static_value(tf.Variable(1.0)) is None
    shape = tf.TensorShape([1, 2])
    assert tf.get_static_value(shape) is shape


def test_get_static_value_folds_what_tf_folds():
    seen = {}

    @tf.function
    def f(x):
        g = tf.get_static_value
        seen.update(x=g(x), const=g(tf.constant(3)), shape=g(tf.shape(x)), size=g(tf.size(x)),
                    rank=g(tf.rank(x)), range=g(tf.range(3)),
                    cast=g(tf.cast(tf.shape(x), tf.float32)),
                    concat=g(tf.concat([tf.shape(x), [5]], 0)), fill=g(tf.fill([2], 3)),
                    identity=g(tf.identity(tf.constant(2))), add=g(tf.constant(2) + 1),
                    plus=g(x + 1))
        return x

    f(tf.ones([2, 3]))
    expected = dict(x=None, const=3, shape=[2, 3], size=6, rank=2, range=[0, 1, 2],
                    cast=[2.0, 3.0], concat=[2, 3, 5], fill=[3, 3], identity=2, plus=None)
    for key, value in expected.items():
        if value is None:
            assert seen[key] is None, key
        else:
            np.testing.assert_array_equal(seen[key], value, err_msg=key)

    @tf.function(input_signature=[tf.TensorSpec([None, 3])])
    def g(x):
        seen.update(shape=tf.get_static_value(tf.shape(x)), rank=tf.get_static_value(tf.rank(x)))
        return x

    g(tf.ones([2, 3]))
    assert seen["shape"] is None and int(seen["rank"]) == 2


def test_device_and_device_spec():
    spec = tf.DeviceSpec.from_string("/job:foo/replica:0/task:1/device:GPU:2")
    assert spec.to_string() == "/job:foo/replica:0/task:1/device:GPU:2"
    assert tf.DeviceSpec.from_string("/cpu:0").to_string() == "/device:CPU:0"
    assert tf.DeviceSpec.from_string("GPU:*").to_string() == "/device:GPU:*"
    assert tf.DeviceSpec.from_string("").to_string() == ""
    assert tf.DeviceSpec(job="a", device_type="gpu", device_index=1).to_string() == \
        "/job:a/device:GPU:1"
    gpu = tf.DeviceSpec.from_string("/gpu:1")
    assert (gpu.device_type, gpu.device_index, gpu.job) == ("GPU", 1, None)
    assert tf.DeviceSpec.from_string("job:x/task:2").replace(task=3).to_string() == \
        "/job:x/task:3"
    merged = tf.DeviceSpec.from_string("/job:x").make_merged_spec(
        tf.DeviceSpec.from_string("/task:2/cpu:0"))
    assert merged.to_string() == "/job:x/task:2/device:CPU:0"
    assert repr(tf.DeviceSpec.from_string("/cpu:0")) == (
        "<DeviceSpec(job=None, replica=None, task=None, device_type=CPU, device_index=0)>")
    assert tf.DeviceSpec.from_string("/cpu:0") == tf.DeviceSpec.from_string("/device:CPU:0")
    assert tf.DeviceSpec.from_string("/job:a/job:b").to_string() == "/job:b"
    with pytest.raises(ValueError, match="Unknown attribute 'foo' is encountered while parsing "
                                         "the device spec: '/foo:0'."):
        tf.DeviceSpec.from_string("/foo:0")
    with pytest.raises(ValueError):
        tf.DeviceSpec.from_string("/replica:x")

    for name in ("/GPU:0", "/device:XLA_CPU:3", "/CPU:1", None, "", tf.DeviceSpec.from_string(
            "/gpu:0")):
        with tf.device(name) as entered:
            y = tf.constant(1.0) + 1
        assert entered is None
        assert y.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    with pytest.raises(ValueError, match="Unknown attribute 'garbage'"):
        with tf.device("garbage"):
            pass
    with pytest.raises(RuntimeError, match="tf.device does not support functions."):
        tf.device(lambda op: "/cpu:0")
    with pytest.raises(ValueError, match="Expecting a string device name"):
        tf.device(3)


def test_aggregation_method():
    assert (tf.AggregationMethod.ADD_N, tf.AggregationMethod.DEFAULT,
            tf.AggregationMethod.EXPERIMENTAL_TREE,
            tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N) == (0, 0, 1, 2)


class _Meters:
    def __init__(self, value):
        self.value = value


def test_register_tensor_conversion_function():
    def convert(value, dtype=None, name=None, as_ref=False):
        return tf.constant(value.value, dtype=dtype or tf.float32)

    tf.register_tensor_conversion_function(_Meters, convert)
    assert float(tf.convert_to_tensor(_Meters(2.0))) == 2.0
    assert tf.convert_to_tensor(_Meters(2.0), dtype=tf.float64).dtype == tf.float64
    np.testing.assert_allclose(tf.add(_Meters([1.0, 2.0]), 1.0), [2.0, 3.0])
    with pytest.raises(TypeError, match="Cannot register conversions for Python numeric types"):
        tf.register_tensor_conversion_function(float, convert)
    with pytest.raises(TypeError):
        tf.register_tensor_conversion_function(_Meters, 3)
