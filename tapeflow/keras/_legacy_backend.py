"""The TF2-era `tf.keras.backend` functions (`K.mean`, `K.dot`, ...), as Keras 3 keeps them.

Each is a thin wrapper over tapeflow ops with Keras 2's signature; `backend.py`
loads this module on first use of one of these names.
"""
import tapeflow as tf
from tapeflow.keras import backend


def _axis_bool(x):
    return tf.cast(x, backend.floatx()) if x.dtype == tf.bool else x


def abs(x):  # noqa: A001 - Keras' name
    return tf.abs(x)


def all(x, axis=None, keepdims=False):  # noqa: A001
    return tf.reduce_all(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    return tf.reduce_any(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def argmax(x, axis=-1):
    return tf.argmax(x, axis)


def argmin(x, axis=-1):
    return tf.argmin(x, axis)


def arange(start, stop=None, step=1, dtype="int32"):
    if stop is None and start < 0:
        start = 0
    return tf.range(start, limit=stop, delta=step, dtype=dtype)


def batch_flatten(x):
    size = 1
    for d in x.shape.as_list()[1:]:
        size *= d
    return tf.reshape(x, (-1, size))


def bias_add(x, bias, data_format=None):
    return tf.nn.bias_add(x, bias)


def cast(x, dtype):
    return tf.cast(x, dtype)


def cast_to_floatx(x):
    return tf.cast(x, backend.floatx())


def clip(x, min_value, max_value):
    if max_value is not None and max_value < min_value:
        max_value = min_value
    if max_value is None:
        max_value = float("inf")
    return tf.clip_by_value(x, min_value, max_value)


def concatenate(tensors, axis=-1):
    return tf.concat(tensors, axis)


def constant(value, dtype=None, shape=None, name=None):
    return tf.constant(value, dtype=dtype or backend.floatx(), shape=shape, name=name)


def cos(x):
    return tf.cos(x)


def cumsum(x, axis=0):
    return tf.math.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return tf.math.cumprod(x, axis=axis)


def dot(x, y):
    """Matrix product; for rank > 2, contracts x's last axis with y's second to last."""
    if x.shape.rank > 2 or y.shape.rank > 2:
        x_shape, y_shape = x.shape.as_list(), y.shape.as_list()
        y_perm = list(range(y.shape.rank))
        y_perm = [y_perm[-2]] + y_perm[:-2] + [y_perm[-1]]
        x2 = tf.reshape(x, (-1, x_shape[-1]))
        y2 = tf.reshape(tf.transpose(y, y_perm), (y_shape[-2], -1))
        out = tf.matmul(x2, y2)
        return tf.reshape(out, x_shape[:-1] + y_shape[:-2] + y_shape[-1:])
    return tf.matmul(x, y)


def dropout(x, level, noise_shape=None, seed=None):
    return tf.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def dtype(x):
    return x.dtype.name


def elu(x, alpha=1.0):
    from tapeflow.keras import activations
    return activations.elu(x, alpha=alpha)


def equal(x, y):
    return tf.equal(x, y)


def exp(x):
    return tf.exp(x)


def expand_dims(x, axis=-1):
    return tf.expand_dims(x, axis)


def eye(size, dtype=None, name=None):
    return tf.eye(size, dtype=dtype or backend.floatx())


def flatten(x):
    return tf.reshape(x, [-1])


def gather(reference, indices):
    return tf.gather(reference, indices)


def greater(x, y):
    return tf.greater(x, y)


def greater_equal(x, y):
    return tf.greater_equal(x, y)


def hard_sigmoid(x):
    from tapeflow.keras import activations
    return activations.hard_sigmoid(x)


def l2_normalize(x, axis=None):
    return tf.nn.l2_normalize(x, axis=axis)


def less(x, y):
    return tf.less(x, y)


def less_equal(x, y):
    return tf.less_equal(x, y)


def log(x):
    return tf.math.log(x)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return tf.reduce_max(x, axis, keepdims)


def maximum(x, y):
    return tf.maximum(x, y)


def mean(x, axis=None, keepdims=False):
    return tf.reduce_mean(_axis_bool(x), axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return tf.reduce_min(x, axis, keepdims)


def minimum(x, y):
    return tf.minimum(x, y)


def ndim(x):
    return x.shape.rank


def not_equal(x, y):
    return tf.not_equal(x, y)


def one_hot(indices, num_classes):
    return tf.one_hot(indices, depth=num_classes, axis=-1)


def ones(shape, dtype=None, name=None):
    return tf.ones(shape, dtype=dtype or backend.floatx())


def ones_like(x, dtype=None, name=None):
    return tf.ones_like(x, dtype=dtype)


def permute_dimensions(x, pattern):
    return tf.transpose(x, perm=pattern)


def pow(x, a):  # noqa: A001
    return tf.pow(x, tf.cast(a, x.dtype))


def prod(x, axis=None, keepdims=False):
    return tf.reduce_prod(x, axis, keepdims)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype or backend.floatx(),
                            seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return tf.random.uniform(shape, minval=minval, maxval=maxval,
                             dtype=dtype or backend.floatx(), seed=seed)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from tapeflow.keras import activations
    return activations.relu(x, negative_slope=alpha, max_value=max_value, threshold=threshold)


def repeat(x, n):
    return tf.repeat(tf.expand_dims(x, 1), n, axis=1)


def repeat_elements(x, rep, axis):
    return tf.repeat(x, rep, axis=axis)


def reshape(x, shape):
    return tf.reshape(x, shape)


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return tf.reverse(x, axes)


def round(x):  # noqa: A001
    return tf.round(x)


def shape(x):
    return tf.shape(x)


def sigmoid(x):
    return tf.sigmoid(x)


def sign(x):
    return tf.sign(x)


def sin(x):
    return tf.sin(x)


def softmax(x, axis=-1):
    return tf.nn.softmax(x, axis=axis)


def softplus(x):
    return tf.nn.softplus(x)


def softsign(x):
    return tf.nn.softsign(x)


def sqrt(x):
    zero = tf.cast(0.0, x.dtype)
    return tf.sqrt(tf.clip_by_value(x, zero, tf.cast(float("inf"), x.dtype)))


def square(x):
    return tf.square(x)


def squeeze(x, axis):
    return tf.squeeze(x, [axis])


def stack(x, axis=0):
    return tf.stack(x, axis=axis)


def std(x, axis=None, keepdims=False):
    return tf.math.reduce_std(_axis_bool(x), axis=axis, keepdims=keepdims)


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [tf.stop_gradient(v) for v in variables]
    return tf.stop_gradient(variables)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return tf.reduce_sum(x, axis, keepdims)


def switch(condition, then_expression, else_expression):
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    return tf.where(condition, then_value, else_value)


def tanh(x):
    return tf.tanh(x)


def tile(x, n):
    return tf.tile(x, [n] if isinstance(n, int) else n)


def transpose(x):
    return tf.transpose(x)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return tf.random.truncated_normal(shape, mean, stddev, dtype=dtype or backend.floatx(),
                                      seed=seed)


def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def moving_average_update(x, value, momentum):
    return x.assign(x * momentum + value * (1 - momentum))


def var(x, axis=None, keepdims=False):
    return tf.math.reduce_variance(_axis_bool(x), axis=axis, keepdims=keepdims)


def variable(value, dtype=None, name=None, constraint=None):
    return tf.Variable(value, dtype=dtype or backend.floatx(), name=name, constraint=constraint)


def zeros(shape, dtype=None, name=None):
    return tf.zeros(shape, dtype=dtype or backend.floatx())


def zeros_like(x, dtype=None, name=None):
    return tf.zeros_like(x, dtype=dtype)


NAMES = frozenset(name for name, value in dict(globals()).items()
                  if callable(value) and not name.startswith("_") and name != "backend"
                  and getattr(value, "__module__", None) == __name__)
