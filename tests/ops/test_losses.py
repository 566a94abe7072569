"""Behaviour of tf.nn losses: values, gradients, dtypes and errors as TF 2.21 gives them."""
import numpy as np
import pytest

import tapeflow as tf


def _grads(fn, *values):
    tensors = [tf.constant(v) for v in values]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        y = fn(*tensors)
    return [g.numpy() for g in tape.gradient(y, tensors)]


def test_sparse_softmax_cross_entropy_values_and_label_forms():
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits([1, 0], [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(loss.numpy(), [0.31326166, 1.3132616], rtol=1e-6)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(np.array([1, 0]), tf.zeros([2, 3]))
    np.testing.assert_allclose(loss.numpy(), [1.0986119, 1.0986119], rtol=1e-6)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([[1, 0]]),
                                                          tf.zeros([1, 2, 10]))
    assert loss.shape == [1, 2]
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(1), tf.zeros([10]))
    assert loss.shape == [] and abs(float(loss) - 2.3025851) < 1e-6
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([1, 0], tf.int64),
                                                          tf.zeros([2, 10], tf.float64))
    assert loss.dtype == tf.float64


def test_sparse_softmax_cross_entropy_gradient_and_second_derivative():
    logits = tf.constant([[1.0, 2.0, 3.0], [1.0, 0.0, -1.0]])
    labels = tf.constant([2, 0])
    with tf.GradientTape() as outer:
        outer.watch(logits)
        with tf.GradientTape() as inner:
            inner.watch(logits)
            loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
        g = inner.gradient(loss, logits)
    np.testing.assert_allclose(g.numpy(), [[0.09003057, 0.24472848, -0.33475906],
                                           [-0.33475906, 0.24472848, 0.09003057]], rtol=1e-5)
    # Each row of g sums to zero, so the gradient of sum(g) vanishes.
    np.testing.assert_allclose(outer.gradient(g, logits).numpy(), np.zeros((2, 3)), atol=1e-6)


@pytest.mark.parametrize("labels, logits, error, message", [
    ([10, 0], np.zeros([2, 10], np.float32), tf.errors.InvalidArgumentError,
     r"Received a label value of 10 which is outside the valid range of \[0, 10\).  "
     r"Label values: 10 0"),
    ([1, 12, -3], np.zeros([3, 10], np.float32), tf.errors.InvalidArgumentError,
     r"Received a label value of -3 which is outside the valid range of \[0, 10\).  "
     r"Label values: 1 12 -3"),
    ([0, 0], np.zeros([2, 0], np.float32), tf.errors.InvalidArgumentError,
     r"Must have at least one class, but got logits shape \[2,0\]"),
    ([[1, 0]], np.zeros([2, 10], np.float32), ValueError,
     r"`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
     r"labels.shape=\(1, 2\) of rank 2 and logits.shape=\(2, 10\) of rank 2"),
    ([1, 0], np.zeros([3, 10], np.float32), ValueError,
     r"`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
     r"labels.shape=\(2,\) and logits.shape=\(3, 10\)"),
    ([1.0, 0.0], np.zeros([2, 10], np.float32), tf.errors.InvalidArgumentError,
     "Value for attr 'Tlabels' of float is not in the list of allowed values: int32, int64"),
    ([1, 0], np.zeros([2, 10], np.int32), tf.errors.InvalidArgumentError,
     "Value for attr 'T' of int32 is not in the list of allowed values"),
])
def test_sparse_softmax_cross_entropy_errors(labels, logits, error, message):
    with pytest.raises(error, match=message):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(labels), tf.constant(logits))


def test_softmax_cross_entropy_values_and_forms():
    xent = tf.nn.softmax_cross_entropy_with_logits
    np.testing.assert_allclose(xent([[0.0, 1.0]], [[1.0, 2.0]]).numpy(), [0.31326166],
                               rtol=1e-6)
    assert xent([[0, 1]], [[1.0, 2.0]]).dtype == tf.float32            # labels are cast
    assert xent(tf.constant([[0.0, 1.0]], tf.float64), [[1.0, 2.0]]).dtype == tf.float32
    np.testing.assert_allclose(xent([[0.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]).numpy(),
                               [0.31326166, 0.31326166], rtol=1e-6)   # labels broadcast
    np.testing.assert_allclose(xent([[0.0, 1.0], [1.0, 0.0]], [[1.0, 2.0], [3.0, 5.0]],
                                    axis=0).numpy(), [0.126928, 3.048587], rtol=1e-5)
    assert xent([0.0, 1.0], [1.0, 2.0]).shape == []
    assert xent(tf.ones([2, 3, 4]) / 4, tf.zeros([2, 3, 4])).shape == [2, 3]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"logits and labels must be broadcastable: logits_size=\[1,2\] "
                             r"labels_size=\[1,3\]"):
        xent([[0.0, 1.0, 0.0]], [[1.0, 2.0]])


def test_softmax_cross_entropy_gradients_follow_tf_for_unnormalized_labels():
    dlogits, dlabels = _grads(lambda labels, logits:
                              tf.nn.softmax_cross_entropy_with_logits(labels, logits),
                              [[1.0, 1.0]], [[1.0, 2.0]])
    # TF's gradient is softmax - labels even when the labels do not sum to 1.
    np.testing.assert_allclose(dlabels, [[-0.7310586, -0.2689414]], rtol=1e-6)
    np.testing.assert_allclose(dlogits, [[1.3132616, 0.31326166]], rtol=1e-6)


def test_sigmoid_cross_entropies():
    np.testing.assert_allclose(
        tf.nn.sigmoid_cross_entropy_with_logits([0.0, 1.0], [1.0, -2.0]).numpy(),
        [1.3132616, 2.126928], rtol=1e-6)
    np.testing.assert_allclose(
        tf.nn.weighted_cross_entropy_with_logits([0.0, 1.0], [1.0, -2.0], 3.0).numpy(),
        [1.3132616, 6.380784], rtol=1e-6)
    dlabels, dlogits = _grads(lambda labels, logits:
                              tf.nn.sigmoid_cross_entropy_with_logits(labels, logits),
                              [0.3, 0.6], [0.0, 1.0])
    np.testing.assert_allclose(dlogits, [0.2, 0.13105854], rtol=1e-6)   # exact at 0
    np.testing.assert_allclose(dlabels, [0.0, -1.0], atol=1e-7)
    dlabels, dlogits = _grads(lambda labels, logits:
                              tf.nn.weighted_cross_entropy_with_logits(labels, logits, 2.0),
                              [0.3, 0.6], [0.0, 1.0])
    np.testing.assert_allclose(dlogits, [0.7, -0.03030634], rtol=1e-5)   # TF's value at 0
    np.testing.assert_allclose(dlabels, [0.6931472, -0.6867383], rtol=1e-6)


def test_sigmoid_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"must have the same shape, received \(\(2,\) vs "
                                         r"\(3,\)\)"):
        tf.nn.sigmoid_cross_entropy_with_logits([0.0, 1.0, 0.0], [1.0, -2.0])
    with pytest.raises(ValueError, match="Both `labels` and `logits` must be provided"):
        tf.nn.sigmoid_cross_entropy_with_logits(None, [1.0, -2.0])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute Mul as input #1\(zero-based\) was expected to be "
                             "a float tensor but is a int32 tensor"):
        tf.nn.sigmoid_cross_entropy_with_logits([0, 1], [1.0, -2.0])
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.weighted_cross_entropy_with_logits([0.0, 1.0, 0.0], [1.0, -2.0], 2.0)


def test_l2_loss():
    assert float(tf.nn.l2_loss([[1.0, 2.0], [3.0, 4.0]])) == 15.0
    assert tf.nn.l2_loss(tf.constant([1.0, 2.0], tf.float64)).dtype == tf.float64
    assert float(tf.nn.l2_loss(3.0)) == 4.5
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of int32"):
        tf.nn.l2_loss(tf.constant([1, 2]))


def test_compute_average_loss_and_scale_regularization_loss():
    cal = tf.nn.compute_average_loss
    assert float(cal([1.0, 2.0, 3.0])) == 2.0
    assert float(cal([1.0, 2.0, 3.0], global_batch_size=6)) == 1.0
    assert float(cal([1.0, 2.0, 3.0], global_batch_size=tf.constant(6))) == 1.0
    np.testing.assert_allclose(float(cal([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 2.0])),
                               2.3333333, rtol=1e-6)
    assert float(cal([1.0, 2.0, 3.0], sample_weight=2.0)) == 4.0
    assert float(cal([[1.0, 2.0], [3.0, 4.0]])) == 5.0
    assert float(cal([[1.0, 2.0], [3.0, 4.0]], sample_weight=[1.0, 2.0])) == 8.5
    assert cal([1, 2, 3]).dtype == tf.float64
    assert cal(tf.constant([1.0, 2.0], tf.float16)).dtype == tf.float16
    assert float(cal(tf.zeros([0]))) == 0.0
    with pytest.raises(ValueError, match="Expected a tensor with at least rank 1"):
        cal(3.0)
    with pytest.raises(TypeError, match="global_batch_size must be an integer"):
        cal([1.0, 2.0, 3.0], global_batch_size=6.0)
    srl = tf.nn.scale_regularization_loss
    assert float(srl(3.0)) == 3.0 and float(srl([1.0, 2.0])) == 3.0
    assert srl(3).dtype == tf.float64
