"""tf.train.Checkpoint and CheckpointManager: TF 2's documented behaviour."""
import os

import numpy as np
import pytest

import tapeflow as tf
from tapeflow._util import atomic

RNG = np.random.default_rng(7)
X = RNG.random((8, 4), dtype=np.float32)
Y = RNG.random((8, 2), dtype=np.float32)


class Net(tf.keras.Model):
    """The TF "Training checkpoints" guide's model: built on first call."""

    def __init__(self):
        super().__init__()
        self.l1 = tf.keras.layers.Dense(5)

    def call(self, x):
        return self.l1(x)


def train_step(net, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.abs(net(x) - y))
    variables = net.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return loss


def test_save_restore_variables_and_nested_structures(tmp_path):
    step = tf.Variable(3, dtype=tf.int64)
    nested = {"a": tf.Variable([1.0, 2.0]), "b": [tf.Variable(5.0)]}
    checkpoint = tf.train.Checkpoint(step=step, nested=nested)
    path = checkpoint.save(str(tmp_path / "ckpt"))
    assert path == str(tmp_path / "ckpt-1")
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "ckpt-1.data-00000-of-00001",
                                            "ckpt-1.index"]
    step.assign(10)
    nested["a"].assign([0.0, 0.0])
    nested["b"][0].assign(0.0)
    status = checkpoint.restore(path)
    status.assert_consumed()
    assert int(step) == 3 and nested["a"].numpy().tolist() == [1.0, 2.0]
    assert float(nested["b"][0]) == 5.0
    assert sorted(name for name, _ in tf.train.list_variables(path)) == [
        "nested/a/.ATTRIBUTES/VARIABLE_VALUE", "nested/b/0/.ATTRIBUTES/VARIABLE_VALUE",
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE", "step/.ATTRIBUTES/VARIABLE_VALUE"]
    assert tf.train.load_variable(path, "step") == 3


def test_save_counter_state_file_and_latest_checkpoint(tmp_path):
    checkpoint = tf.train.Checkpoint(v=tf.Variable(1.0))
    assert int(checkpoint.save_counter) == 0
    first = checkpoint.save(str(tmp_path / "c"))
    second = checkpoint.save(str(tmp_path / "c"))
    assert (first, second) == (str(tmp_path / "c-1"), str(tmp_path / "c-2"))
    assert int(checkpoint.save_counter) == 2
    with open(tmp_path / "checkpoint") as f:
        assert f.read() == ('model_checkpoint_path: "c-2"\n'
                            'all_model_checkpoint_paths: "c-2"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == second
    assert tf.train.latest_checkpoint(str(tmp_path / "nothing")) is None
    written = checkpoint.write(str(tmp_path / "exact"))
    assert written == str(tmp_path / "exact")
    assert tf.train.latest_checkpoint(str(tmp_path)) == second      # write() leaves the state


def test_keras_model_and_optimizer_round_trip(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3),
                                 tf.keras.layers.BatchNormalization(),
                                 tf.keras.layers.Dense(2)])
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    path = checkpoint.save(str(tmp_path / "ckpt"))
    saved = [w.copy() for w in model.get_weights()]
    saved_slots = [v.numpy().copy() for v in model.optimizer.variables]
    model.fit(X, Y, epochs=1, verbose=0)
    checkpoint.restore(path).assert_consumed()
    for got, want in zip(model.get_weights(), saved):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(model.optimizer.variables, saved_slots):
        np.testing.assert_array_equal(got.numpy(), want)
    keys = [name for name, _ in tf.train.list_variables(path)]
    assert "model/layers/dense/vars/0/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "optimizer/vars/0/.ATTRIBUTES/VARIABLE_VALUE" in keys


def test_deferred_restoration_resumes_training_exactly(tmp_path):
    # The TF guide's pattern: restore before the model and optimizer have variables.
    net, optimizer = Net(), tf.keras.optimizers.Adam(0.1)
    checkpoint = tf.train.Checkpoint(step=tf.Variable(1), optimizer=optimizer, net=net)
    manager = tf.train.CheckpointManager(checkpoint, str(tmp_path), max_to_keep=3)
    for _ in range(3):
        train_step(net, optimizer, X, np.zeros((8, 5), np.float32))
        checkpoint.step.assign_add(1)
    manager.save()
    continued = [float(train_step(net, optimizer, X, np.zeros((8, 5), np.float32)))
                 for _ in range(2)]

    net2, optimizer2 = Net(), tf.keras.optimizers.Adam(0.1)
    checkpoint2 = tf.train.Checkpoint(step=tf.Variable(1), optimizer=optimizer2, net=net2)
    manager2 = tf.train.CheckpointManager(checkpoint2, str(tmp_path), max_to_keep=3)
    status = checkpoint2.restore(manager2.latest_checkpoint)
    assert int(checkpoint2.step) == 4
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()                    # net2 has no variables yet
    resumed = [float(train_step(net2, optimizer2, X, np.zeros((8, 5), np.float32)))
               for _ in range(2)]
    status.assert_consumed()
    np.testing.assert_allclose(resumed, continued, rtol=1e-6)
    assert int(optimizer2.iterations.numpy()) == 5


def test_manager_keeps_max_to_keep_and_recovers_its_state(tmp_path):
    checkpoint = tf.train.Checkpoint(v=tf.Variable(0.0))
    manager = tf.train.CheckpointManager(checkpoint, str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None
    paths = []
    for i in range(4):
        checkpoint.v.assign(float(i))
        paths.append(manager.save())
    assert [os.path.basename(p) for p in paths] == ["ckpt-1", "ckpt-2", "ckpt-3", "ckpt-4"]
    assert manager.checkpoints == paths[2:]
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "ckpt-3.data-00000-of-00001", "ckpt-3.index",
        "ckpt-4.data-00000-of-00001", "ckpt-4.index"]
    state = open(tmp_path / "checkpoint").read().splitlines()
    assert state[:3] == ['model_checkpoint_path: "ckpt-4"', 'all_model_checkpoint_paths: "ckpt-3"',
                         'all_model_checkpoint_paths: "ckpt-4"']
    again = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(0.0)), str(tmp_path),
                                       max_to_keep=2)
    assert again.checkpoints == paths[2:] and again.latest_checkpoint == paths[3]
    assert os.path.basename(manager.save(checkpoint_number=100)) == "ckpt-100"


def test_manager_restore_or_initialize_and_interval(tmp_path):
    calls = []
    v = tf.Variable(1.0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path / "a"),
                                         max_to_keep=None, init_fn=lambda: calls.append(1))
    assert manager.restore_or_initialize() is None and calls == [1]
    path = manager.save()
    v.assign(7.0)
    assert manager.restore_or_initialize() == path and float(v) == 1.0
    step = tf.Variable(0)
    interval = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path / "b"),
                                          max_to_keep=5, step_counter=step,
                                          checkpoint_interval=10)
    saved = []
    for value in (0, 5, 10, 12, 20):
        step.assign(value)
        saved.append(interval.save() is not None)
    assert saved == [True, False, True, False, True]
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for "
                                         "`max_to_keep`, got 0"):
        tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=0)


def test_shape_mismatch_raises_and_restores_nothing(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]),
                               b=tf.Variable(np.ones((2, 3), np.float32))).save(
        str(tmp_path / "c"))
    a, b = tf.Variable([0.0, 0.0]), tf.Variable(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"Received incompatible tensor with shape \(2, 3\) when "
                                         r"attempting to restore variable with shape \(2, 4\) "
                                         r"and name b/.ATTRIBUTES/VARIABLE_VALUE"):
        tf.train.Checkpoint(a=a, b=b).restore(path)
    assert a.numpy().tolist() == [0.0, 0.0]            # not restored either


def test_missing_and_corrupt_checkpoints(tmp_path):
    checkpoint = tf.train.Checkpoint(v=tf.Variable(2.0))
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files for"):
        checkpoint.restore(str(tmp_path / "nothing"))
    path = checkpoint.save(str(tmp_path / "c"))
    with open(path + ".data-00000-of-00001", "wb") as f:
        f.write(b"garbage")
    checkpoint.v.assign(5.0)
    with pytest.raises(tf.errors.DataLossError, match="damaged"):
        checkpoint.restore(path)
    assert float(checkpoint.v) == 5.0
    assert isinstance(checkpoint.restore(None), object)
    checkpoint.restore(None).assert_nothing_matched()


def test_a_crash_mid_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    v = tf.Variable(1.0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=2)
    first = manager.save()
    v.assign(2.0)
    real_replace = atomic.replace

    def crash_on_index(source, target):
        if target.endswith(".index"):
            raise OSError("simulated crash")
        real_replace(source, target)
    monkeypatch.setattr(atomic, "replace", crash_on_index)
    with pytest.raises(OSError, match="simulated crash"):
        manager.save()
    monkeypatch.setattr(atomic, "replace", real_replace)
    assert tf.train.latest_checkpoint(str(tmp_path)) == first
    v.assign(9.0)
    tf.train.Checkpoint(v=v).restore(first).assert_consumed()
    assert float(v) == 1.0
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path))


def test_status_assertions():
    import tempfile
    path = tf.train.Checkpoint(a=tf.Variable(1.0), b=tf.Variable(2.0)).save(
        os.path.join(tempfile.mkdtemp(), "c"))
    partial = tf.train.Checkpoint(a=tf.Variable(0.0)).restore(path)
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint "
                                             "b/.ATTRIBUTES/VARIABLE_VALUE"):
        partial.assert_consumed()
    partial.assert_existing_objects_matched().expect_partial()
    extra = tf.train.Checkpoint(a=tf.Variable(0.0), b=tf.Variable(0.0),
                                c=tf.Variable(0.0)).restore(path)
    with pytest.raises(AssertionError, match="Found 1 Python objects that were not bound to "
                                             "checkpointed values"):
        extra.assert_existing_objects_matched()


def test_checkpoint_arguments_must_be_trackable():
    with pytest.raises(ValueError, match="`Checkpoint` was expecting v to be a trackable object"):
        tf.train.Checkpoint(v=1.0)


def test_modules_and_metrics_are_tracked(tmp_path):
    class Module:
        def __init__(self):
            self.scale = tf.Variable(2.0)
            self.dense = tf.keras.layers.Dense(1)

    module, metric = Module(), tf.keras.metrics.Mean()
    module.dense.build((None, 2))
    metric.update_state([1.0, 3.0])
    path = tf.train.Checkpoint(module=module, metric=metric).save(str(tmp_path / "c"))
    module2, metric2 = Module(), tf.keras.metrics.Mean()
    module2.dense.build((None, 2))
    tf.train.Checkpoint(module=module2, metric=metric2).restore(path).assert_consumed()
    assert float(module2.scale) == 2.0 and float(metric2.result()) == 2.0
    np.testing.assert_array_equal(module2.dense.kernel.numpy(), module.dense.kernel.numpy())
