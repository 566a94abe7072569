"""Run-time checks: tf.debugging asserts, tf.Assert and check_numerics.

Eagerly a failing check raises at once. Traced, each check is a side-effect
node that raises InvalidArgumentError when the compiled function runs, with
the same message.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._rules import same_as_input, tensor_like


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _assert_infer(condition, *data, message, summarize):
    return ()


Assert = Op("Assert", infer=_assert_infer, multi_output=True, side_effect=True,
            differentiable=False)


@Assert.kernel
def _(condition, *data, message, summarize):
    if not bool(xp.all(condition)):
        shown = ", ".join(_summary(d, summarize) for d in data)
        raise InvalidArgumentError(None, None, f"{message}{' ' if shown else ''}{shown}".strip())
    return ()


def _summary(array, summarize):
    flat = xp.asarray(array).reshape(-1)
    items = flat[:summarize].tolist() if summarize else flat.tolist()
    text = " ".join(str(i) for i in items)
    return f"[{text}{'...' if summarize and flat.size > summarize else ''}]"


def Assert_(condition, data, summarize=None, name=None):  # noqa: N802 - TF's name is tf.Assert
    """Raises InvalidArgumentError (now, or when the traced function runs) unless `condition`."""
    tensors = [_t(d) for d in data if not isinstance(d, str)]
    text = " ".join(d for d in data if isinstance(d, str))
    apply(Assert, _t(condition), *tensors, message=text or "assertion failed:",
          summarize=3 if summarize is None else int(summarize))


def _check(condition_fn, x, y, message, default):
    from tapeflow.ops import math
    x, y = _t(x), _t(y)
    condition = math.reduce_all(condition_fn(x, y)) if hasattr(math, "reduce_all") else \
        condition_fn(x, y)
    Assert_(condition, [message or default, "x =", x, "y =", y])


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    from tapeflow.ops.math import equal
    _check(equal, x, y, message, "Condition x == y did not hold.")


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    from tapeflow.ops.math import less
    _check(less, x, y, message, "Condition x < y did not hold.")


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    from tapeflow.ops.math import greater
    _check(greater, x, y, message, "Condition x > y did not hold.")


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    from tapeflow.ops.math import less_equal
    _check(less_equal, x, y, message, "Condition x <= y did not hold.")


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    from tapeflow.ops.math import greater_equal
    _check(greater_equal, x, y, message, "Condition x >= y did not hold.")


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    assert_greater_equal(x, 0 if _t(x).dtype.is_integer else 0.0, message=message or
                         "Condition x >= 0 did not hold element-wise.")


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    assert_greater(x, 0 if _t(x).dtype.is_integer else 0.0, message=message or
                   "Condition x > 0 did not hold element-wise.")


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    from tapeflow.ops.math import abs as abs_, less_equal, multiply, subtract, add
    x, y = _t(x), _t(y)
    eps = 10 * float(xp.finfo(x.dtype._np).eps) if x.dtype.is_floating else 0
    rtol = eps if rtol is None else rtol
    atol = eps if atol is None else atol
    condition = less_equal(abs_(subtract(x, y)), add(atol, multiply(rtol, abs_(y))))
    from tapeflow.ops import math
    Assert_(math.reduce_all(condition) if hasattr(math, "reduce_all") else condition,
            [message or "x and y not equal to tolerance rtol = %s, atol = %s" % (rtol, atol),
             "x =", x, "y =", y])


def assert_rank(x, rank, message=None, name=None):
    x = _t(x)
    if x.shape.rank is not None and x.shape.rank != int(rank):
        raise ValueError(f"{message + ' ' if message else ''}Tensor must have rank {rank}. "
                         f"Received rank {x.shape.rank}, shape {x.shape}")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks that tensors' shapes agree with symbolic dimension names (as TF)."""
    sizes = {}
    for tensor, expected in shapes:
        dims = _t(tensor).shape.as_list()
        if len(dims) != len(expected):
            raise ValueError(f"{message + ' ' if message else ''}Specified by tensor "
                             f"{tensor!r} dimension mismatch: expected rank {len(expected)}.")
        for d, e in zip(dims, expected):
            if isinstance(e, int):
                if d is not None and d != e:
                    raise ValueError(f"{message + ' ' if message else ''}dimension {d} != {e}")
            elif d is not None:
                if sizes.setdefault(e, d) != d:
                    raise ValueError(f"{message + ' ' if message else ''}dimension '{e}' must "
                                     f"be {sizes[e]}, got {d}")


def assert_type(tensor, tf_type, message=None, name=None):
    if _t(tensor).dtype is not dtypes.as_dtype(tf_type):
        raise TypeError(f"{message + ' ' if message else ''}{tensor!r} must be of type "
                        f"{dtypes.as_dtype(tf_type)!r}")


def _check_numerics_infer(x, message):
    return TensorSpec(x.dims, x.dtype)


CheckNumerics = Op("CheckNumerics", infer=_check_numerics_infer, dtypes=dtypes.FLOATS,
                   side_effect=True)


@CheckNumerics.kernel
def _(x, message):
    if not xp.all(xp.isfinite(x)):
        kind = "NaN" if xp.isnan(x).any() else "Inf"
        raise InvalidArgumentError(None, None, f"{message} : Tensor had {kind} values")
    return x


CheckNumerics.gradient(lambda dy, x, out, message: dy)


def check_numerics(tensor, message, name=None):
    """Returns `tensor`, raising InvalidArgumentError if it has NaN or Inf values."""
    return apply(CheckNumerics, _t(tensor), message=str(message))


def is_numeric_tensor(tensor):
    return tensor_like(tensor) and tensor.dtype.is_numeric


same_as_input = same_as_input
