"""tf.Module: names, name scopes, automatic tracking; expected values from TF 2.21."""
import numpy as np
import pytest

import tapeflow as tf


class Dense(tf.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.random.normal([in_features, out_features], seed=1), name="w")
        self.b = tf.Variable(tf.zeros([out_features]), name="b")

    @tf.function
    def __call__(self, x):
        return tf.nn.relu(tf.matmul(x, self.w) + self.b)


class Sequential(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(3, 3)
        self.dense_2 = Dense(3, 2)
        self.lst = [tf.Variable(1.0, name="l0"),
                    {"a": tf.Variable(2.0, trainable=False, name="d")}]
        self.t = (Dense(2, 2, name="tup"),)

    def __call__(self, x):
        return self.dense_2(self.dense_1(x))


def test_tracking_order_and_names_match_tf():
    m = Sequential(name="the_model")
    assert m.name == "the_model" and m.name_scope.name == "the_model/"
    assert [v.name for v in m.variables] == ["l0:0", "d:0", "b:0", "w:0", "b:0", "w:0",
                                            "b:0", "w:0"]
    assert [v.name for v in m.trainable_variables] == ["l0:0", "b:0", "w:0", "b:0", "w:0",
                                                      "b:0", "w:0"]
    assert [v.name for v in m.non_trainable_variables] == ["d:0"]
    assert [s.name for s in m.submodules] == ["dense", "dense", "tup"]
    assert isinstance(m.variables, tuple) and isinstance(m.submodules, tuple)


def test_low_level_pattern_with_tf_function_call_and_gradients():
    m = Sequential()
    x = tf.constant([[2.0, 2.0, 2.0]])
    assert m(x).shape == (1, 2)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(m(x))
    grads = tape.gradient(loss, m.trainable_variables)
    assert len(grads) == 7
    # l0 and the Dense in `t` are not used by __call__; dense_1 and dense_2 are.
    assert [g is not None for g in grads] == [False, True, True, True, True, False, False]


def test_default_names_and_validation():
    assert tf.Module().name == "module"
    assert Dense(1, 1).name == "dense"

    class MyConv2DLayer(tf.Module):
        pass

    assert MyConv2DLayer().name == "my_conv2_d_layer"
    for bad in ("bad name", "1abc", "a.b-c"):
        with pytest.raises(ValueError, match="is not a valid module name. Module names must "
                                             "be valid Python identifiers"):
            tf.Module(name=bad)


def test_name_scope_nests_and_with_name_scope():
    class M(tf.Module):
        @tf.Module.with_name_scope
        def make(self):
            return tf.Variable(1.0, name="inner")

    assert M(name="mm").make().name == "mm/inner:0"
    with tf.name_scope("outer"):
        q = tf.Module(name="q")
        assert q.name == "q" and q.name_scope.name == "outer/q/"
        with q.name_scope as scope:
            assert scope == "outer/q/"
            assert tf.get_current_name_scope() == "outer/q"
        assert tf.get_current_name_scope() == "outer"
    assert tf.get_current_name_scope() == ""


def test_with_name_scope_is_reentrant():
    class Recursive(tf.Module):
        @tf.Module.with_name_scope
        def depth(self, n):
            return tf.get_current_name_scope() if n == 0 else self.depth(n - 1)

    assert Recursive(name="r").depth(2) == "r"
    assert tf.get_current_name_scope() == ""


def test_with_name_scope_method_is_converted_by_autograph():
    class NS(tf.Module):
        @tf.Module.with_name_scope
        def f(self, x):
            if x > 0:
                y = x * 2.0
            else:
                y = -x
            return y

    ns = NS(name="ns")

    @tf.function
    def g(x):
        return ns.f(x)

    assert float(g(tf.constant(-3.0))) == 3.0
    assert float(g(tf.constant(2.0))) == 4.0


def test_duplicates_cycles_and_non_module_attributes():
    class P(tf.Module):
        def __init__(self):
            super().__init__()
            self.a = tf.Variable(1.0, name="a")
            self.b = self.a
            self.me = self
            self.t = tf.constant(1.0)

    p = P()
    assert len(p.variables) == 1 and p.submodules == ()
    # With paths, values are not deduplicated; a module reachable from itself is walked
    # one level deep.
    assert [path for path, _ in p._flatten(with_path=True)] == [
        ("_name",), ("_name_scope",), ("a",), ("b",), ("me",), ("t",), ("me", "_name"),
        ("me", "_name_scope"), ("me", "a"), ("me", "b"), ("me", "me"), ("me", "t")]
    assert [path for path, _ in p._flatten(
        with_path=True, predicate=lambda v: isinstance(v, tf.Variable))] == [
        ("a",), ("b",), ("me", "a"), ("me", "b")]
    m = tf.Module()
    m.x = tf.Variable(2.0)   # attributes set later are tracked too
    assert [v.numpy() for v in m.variables] == [2.0]


def test_flatten_options():
    m = Sequential()
    paths = [p for p, _ in m._flatten(predicate=lambda v: isinstance(v, tf.Variable),
                                       with_path=True)]
    assert paths[:3] == [("lst", 0), ("lst", 1, "a"), ("dense_1", "b")]
    top = list(m._flatten(recursive=False, predicate=lambda v: isinstance(v, tf.Variable)))
    assert [v.name for v in top] == ["l0:0", "d:0"]
    reverse = m._flatten(predicate=lambda v: isinstance(v, tf.Variable), with_path=True,
                         attribute_traversal_key=lambda k: [-ord(c) for c in k])
    assert [path for path, _ in reverse] == [
        ("lst", 0), ("lst", 1, "a"), ("t", 0, "w"), ("t", 0, "b"), ("dense_2", "w"),
        ("dense_2", "b"), ("dense_1", "w"), ("dense_1", "b")]


def test_trackable_children_for_checkpoints():
    m = Sequential()
    m.count = 3
    children = m._trackable_children()
    assert sorted(children) == ["dense_1", "dense_2", "lst", "t"]
    assert children["dense_1"] is m.dense_1
    assert children["lst"] == {0: m.lst[0], 1: {"a": m.lst[1]["a"]}}   # containers by index
    assert children["t"] == {0: m.t[0]}


def test_variable_values_survive_traced_calls():
    d = Dense(2, 2)
    d.b.assign([1.0, -1.0])
    x = tf.constant([[0.0, 0.0]])
    np.testing.assert_allclose(d(x).numpy(), [[1.0, 0.0]])


def test_checkpoint_saves_module_variables_under_tf_keys(tmp_path):
    class Inner(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([1.0, 2.0], name="w")
            self.lst = [tf.Variable(3.0), {"k": tf.Variable(4.0)}, 5, "text"]

    class Outer(tf.Module):
        def __init__(self):
            super().__init__()
            self.d = Inner()
            self.g = tf.random.Generator.from_seed(1)

    m = Outer()
    path = tf.train.Checkpoint(model=m).save(str(tmp_path / "ck"))
    keys = sorted(k for k, _ in tf.train.list_variables(path))
    # TF 2.21 writes these keys for the same object graph (plus its object-graph entry).
    assert keys == ["model/d/lst/0/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/d/lst/1/k/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/d/w/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/g/_state_var/.ATTRIBUTES/VARIABLE_VALUE",
                    "save_counter/.ATTRIBUTES/VARIABLE_VALUE"]
    m.d.w.assign([0.0, 0.0])
    m.d.lst[1]["k"].assign(0.0)
    first = m.g.normal([3]).numpy()
    tf.train.Checkpoint(model=m).restore(path)
    np.testing.assert_array_equal(m.d.w.numpy(), [1.0, 2.0])
    assert float(m.d.lst[1]["k"]) == 4.0
    np.testing.assert_array_equal(m.g.normal([3]).numpy(), first)   # the state came back
