"""Array ops: identity, fill/zeros/ones, shapes, reshaping, broadcasting, joining, splitting.

Ops that take a shape take it as a static attribute when it is known (the
common case, and the fastest to run); a shape with entries known only at run
time (inside a trace) comes as an extra 1-D input (`shape_argument`). Gradient
rules use the `*_like` ops, which read the shape from a reference tensor at
run time, so they also work for traced shapes with unknown dimensions.

The other array-op families live beside this module: indexing.py (`x[key]`,
slice, strided_slice), gather.py, creation.py (range, one_hot, ...),
layout.py (tile, pad, reverse, ...) and sort.py.
"""
import numbers

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor, register_pack_function
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape, broadcast_shapes, shape_str
from tapeflow.core.context import state
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import SymbolicTensor
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import normalize_axis, same_as_input, tensor_like


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _static_shape(shape, op_name):
    """A tuple of ints (-1 allowed) from a list, TensorShape or eager tensor `shape`."""
    if isinstance(shape, TensorShape):
        return tuple(-1 if d is None else d for d in shape.as_list())
    if tensor_like(shape):
        shape = shape.numpy()
        return tuple(int(d) for d in shape.reshape(-1))
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    dims = []
    for d in shape:
        if tensor_like(d):
            d = d.numpy()
        dims.append(-1 if d is None else int(d))
    return tuple(dims)


def shape_argument(shape, op_name):
    """A shape argument as (template, extra inputs) for ops that also take traced shapes.

    When every entry is known, the template is a tuple of ints (-1 allowed) and
    there are no extra inputs. When some entries are only known at run time
    (`tf.reshape(x, [tf.shape(x)[0], -1])` inside a trace), the template holds
    None for them and the whole shape comes as one 1-D int tensor input, which
    the kernel reads.
    """
    if isinstance(shape, (list, tuple)) and any(_is_symbolic(d) for d in shape):
        template = tuple(_entry_value(d) for d in shape)
        if None not in template:      # every traced entry is a static dim after all
            return template, ()
        return template, (stack([_shape_entry(d) for d in shape]),)
    if _is_symbolic(shape):
        dims = shape._static_dims()
        if dims is None or len(dims) != 1 or dims[0] is None:
            raise ValueError(f"{op_name}: a traced shape must be a 1-D tensor of known length, "
                             f"got {shape!r}.")
        known = _known_shape_value(shape)
        if known is not None and None not in known:
            return known, ()
        template = known if known is not None else (None,) * dims[0]
        return template, (shape if shape.dtype is dtypes.int32 else _cast(shape, dtypes.int32),)
    return _static_shape(shape, op_name), ()


def _is_symbolic(value):
    return isinstance(value, SymbolicTensor) or (
        getattr(value, "_is_variable", False) and state.graph is not None)


def _entry_value(d):
    if _is_symbolic(d):
        return _known_scalar(d)
    return -1 if d is None else int(d.numpy() if tensor_like(d) else d)


def _shape_entry(d):
    if tensor_like(d):
        return d if d.dtype is dtypes.int32 else _cast(d, dtypes.int32)
    return convert_to_tensor(-1 if d is None else int(d), dtype=dtypes.int32)


def _cast(x, dtype):
    from tapeflow.ops.math import cast
    return cast(x, dtype)


def _known_shape_value(tensor):
    """The entries of a traced 1-D shape tensor that are known while tracing (None if not).

    Reads through `tf.shape(x)` (x's static dims) and stacks of such entries, the
    forms that shape arguments take in practice.
    """
    node = getattr(tensor, "_node", None)
    if node is None:
        return None
    if node.op is Shape:
        dims = node.inputs[0]._static_dims()
        return None if dims is None else tuple(dims)
    if node.op is Pack and node.attrs.get("axis") == 0:
        return tuple(_known_scalar(x) for x in node.inputs)
    if node.op is ConcatV2:
        parts = [_known_shape_value(x) for x in node.inputs]
        return None if None in parts else sum(parts, ())
    if node.op.name == "StridedSlice" and len(node.inputs) == 1:
        known = _known_shape_value(node.inputs[0])
        (item,) = node.attrs["key"] if len(node.attrs["key"]) == 1 else (None,)
        if known is not None and type(item).__name__ == "Span":
            return known[item.start:item.stop:item.step]
    if node.op.name == "Const" and node.attrs["value"].ndim == 1:
        return tuple(int(d) for d in node.attrs["value"])
    return None


def _known_scalar(tensor):
    """A traced scalar's value when tracing knows it (a constant, or a static dim), else None."""
    node = getattr(tensor, "_node", None)
    if node is None:
        return None
    if node.op.name == "Const":
        return int(node.attrs["value"])
    if node.op.name == "Cast":
        return _known_scalar(node.inputs[0])
    if node.op.name == "StridedSlice" and len(node.inputs) == 1:
        key = node.attrs["key"]
        known = _known_shape_value(node.inputs[0])
        if known is not None and len(key) == 1 and type(key[0]) is int:
            return known[key[0]]
    return None


# ================================================================================
# Identity, StopGradient
# ================================================================================

Identity = Op("Identity", infer=same_as_input)
Identity.kernel(lambda x: x)   # tensors are immutable: sharing the array is safe
Identity.gradient(lambda dy, x, out: dy)


def identity(input, name=None):  # noqa: A002 - TF's argument name
    """Returns a tensor with the same value as `input`."""
    return apply(Identity, _t(input))


def _identity_n_infer(*xs):
    return tuple(TensorSpec(x.dims, x.dtype) for x in xs)


IdentityN = Op("IdentityN", infer=_identity_n_infer, multi_output=True)
IdentityN.kernel(lambda *xs: xs)
IdentityN.gradient(lambda dy, *xs, out: tuple(dy))


def identity_n(input, name=None):  # noqa: A002
    """Returns the tensors in `input` unchanged, as one op (TF's `tf.identity_n`)."""
    return list(apply(IdentityN, *[_t(x) for x in input]))


StopGradient = Op("StopGradient", infer=same_as_input, differentiable=False)
StopGradient.kernel(lambda x: x)


def stop_gradient(input, name=None):  # noqa: A002
    """Returns `input`, blocking gradients: tapes treat the result as a constant."""
    return apply(StopGradient, _t(input))


# ================================================================================
# Creation
# ================================================================================

def _fill_infer(value, *shape_tensor, shape):
    return TensorSpec(shape, value.dtype)


Fill = Op("Fill", infer=_fill_infer)


@Fill.kernel
def _(value, *shape_tensor, shape):
    if shape_tensor:
        shape = tuple(int(d) for d in shape_tensor[0])
    for d in shape:
        if d < 0:
            raise InvalidArgumentError(None, None, f"Dimension {d} must be >= 0")
    return xp.full(shape, value, dtype=value.dtype)


Fill.gradient(lambda dy, value, *shape_tensor, out, shape: (reduce_sum_all(dy),) + (
    None,) * len(shape_tensor))


def fill(dims, value, name=None):
    """A tensor of shape `dims` filled with the scalar `value`."""
    value = _t(value)
    shape, extra = shape_argument(dims, "Fill")
    return apply(Fill, value, *extra, shape=shape)


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros of `shape` and `dtype`."""
    dtype = dtypes.as_dtype(dtype)
    return fill(shape, convert_to_tensor(0, dtype=dtype) if not dtype.is_bool
                else convert_to_tensor(False))


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones of `shape` and `dtype`."""
    dtype = dtypes.as_dtype(dtype)
    return fill(shape, convert_to_tensor(1, dtype=dtype) if not dtype.is_bool
                else convert_to_tensor(True))


def _like_infer(x, dtype):
    return TensorSpec(x.dims, dtype or x.dtype)


ZerosLike = Op("ZerosLike", infer=_like_infer, differentiable=False)
ZerosLike.kernel(lambda x, dtype: xp.zeros(x.shape, dtype=(dtype or _dt(x))._np))
OnesLike = Op("OnesLike", infer=_like_infer, differentiable=False)
OnesLike.kernel(lambda x, dtype: xp.ones(x.shape, dtype=(dtype or _dt(x))._np))


def _dt(array):
    return dtypes.from_numpy(array.dtype)


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    """Zeros with the shape (and by default the dtype) of `input`."""
    return apply(ZerosLike, _t(input), dtype=None if dtype is None else dtypes.as_dtype(dtype))


def ones_like(input, dtype=None, name=None):  # noqa: A002
    """Ones with the shape (and by default the dtype) of `input`."""
    return apply(OnesLike, _t(input), dtype=None if dtype is None else dtypes.as_dtype(dtype))


# ================================================================================
# Shapes
# ================================================================================

def _shape_infer(x, out_type):
    return TensorSpec((x.rank,), out_type)


Shape = Op("Shape", infer=_shape_infer, differentiable=False)
Shape.kernel(lambda x, out_type: xp.array(x.shape, dtype=out_type._np))


def shape(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The shape of `input` as a 1-D integer tensor."""
    return apply(Shape, _t(input), out_type=dtypes.as_dtype(out_type))


def _size_infer(x, out_type):
    return TensorSpec((), out_type)


Size = Op("Size", infer=_size_infer, differentiable=False)
Size.kernel(lambda x, out_type: xp.array(x.size, dtype=out_type._np))


def size(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The number of elements of `input` as a scalar integer tensor."""
    return apply(Size, _t(input), out_type=dtypes.as_dtype(out_type))


def _rank_infer(x):
    return TensorSpec((), dtypes.int32)


Rank = Op("Rank", infer=_rank_infer, differentiable=False)
Rank.kernel(lambda x: xp.array(x.ndim, dtype=xp.int32))


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of `input` as a scalar int32 tensor."""
    return apply(Rank, _t(input))


# ================================================================================
# Reshaping
# ================================================================================

def _reshape_infer(x, *shape_tensor, shape):
    dims = list(shape)
    if None in dims:    # traced entries: known ones stay, a -1 is computed only if it can be
        if -1 in dims:
            dims[dims.index(-1)] = None
        return TensorSpec(tuple(dims), x.dtype)
    if -1 in dims:
        known = 1
        for d in dims:
            if d != -1:
                known *= d
        size = None if x.dims is None or None in x.dims else _prod(x.dims)
        if size is not None and known and size % known:
            raise ValueError(f"Cannot reshape a tensor with {size} elements to shape "
                             f"{list(shape)}")
        dims[dims.index(-1)] = None if size is None else (size // known if known else 0)
    elif x.dims is not None and None not in x.dims and _prod(x.dims) != _prod(dims):
        raise ValueError(f"Cannot reshape a tensor with {_prod(x.dims)} elements to shape "
                         f"{list(shape)} ({_prod(dims)} elements)")
    return TensorSpec(tuple(dims), x.dtype)


def _prod(dims):
    n = 1
    for d in dims:
        n *= d
    return n


Reshape = Op("Reshape", infer=_reshape_infer)


@Reshape.kernel
def _(x, *shape_tensor, shape):
    if shape_tensor:
        shape = tuple(int(d) for d in shape_tensor[0])
    if -1 not in shape and x.size != _prod(shape):
        raise InvalidArgumentError(None, None, f"Input to reshape is a tensor with {x.size} "
                                               f"values, but the requested shape has "
                                               f"{_prod(shape)}")
    if -1 in shape:
        known = _prod(d for d in shape if d != -1)
        if known == 0 or x.size % known:
            raise InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {x.size} values, but the "
                            f"requested shape requires a multiple of {known}")
    return x.reshape(shape)


Reshape.gradient(lambda dy, x, *shape_tensor, out, shape: (reshape_like(dy, x),) + (
    None,) * len(shape_tensor))


def reshape(tensor, shape, name=None):
    """Reshapes `tensor` to `shape` (one dimension may be -1; entries may be traced tensors)."""
    shape, extra = shape_argument(shape, "Reshape")
    return apply(Reshape, _t(tensor), *extra, shape=shape)


def _reshape_like_infer(x, like):
    return TensorSpec(like.dims, x.dtype)


ReshapeLike = Op("ReshapeLike", infer=_reshape_like_infer)
ReshapeLike.kernel(lambda x, like: x.reshape(like.shape))
ReshapeLike.gradient(lambda dy, x, like, out: (reshape_like(dy, x), None))


def reshape_like(x, like):
    """Reshapes `x` to the (run-time) shape of `like`."""
    dims = like._static_dims()
    if dims is not None and None not in dims:
        return reshape(x, dims)
    return apply(ReshapeLike, x, like)


def _expand_dims_infer(x, axis):
    dims = list(x.dims)
    dims.insert(axis, 1)
    return TensorSpec(tuple(dims), x.dtype)


ExpandDims = Op("ExpandDims", infer=_expand_dims_infer)
ExpandDims.kernel(lambda x, axis: xp.expand_dims(x, axis))
ExpandDims.gradient(lambda dy, x, out, axis: reshape_like(dy, x))


def expand_dims(input, axis, name=None):  # noqa: A002
    """Inserts a dimension of size 1 at `axis` (negative counts from the end)."""
    x = _t(input)
    axis = int(axis)
    rank = x.ndim
    if not -rank - 1 <= axis <= rank:
        raise InvalidArgumentError(None, None, f"Tried to expand dim index {axis} for tensor "
                                               f"with {rank} dimensions. [Op:ExpandDims]")
    return apply(ExpandDims, x, axis=axis % (rank + 1))


def _squeeze_infer(x, axis):
    return TensorSpec(tuple(d for i, d in enumerate(x.dims) if i not in axis), x.dtype)


Squeeze = Op("Squeeze", infer=_squeeze_infer)
Squeeze.kernel(lambda x, axis: xp.squeeze(x, axis=axis))
Squeeze.gradient(lambda dy, x, out, axis: reshape_like(dy, x))


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Removes dimensions of size 1 (all of them, or those in `axis`)."""
    x = _t(input)
    dims = x._static_dims()
    if axis is None:
        if None in dims:
            raise ValueError("squeeze with axis=None needs a fully known shape; got "
                             f"{TensorShape(dims)}.")
        axes = tuple(i for i, d in enumerate(dims) if d == 1)
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(sorted(normalize_axis(a, len(dims), "Squeeze") for a in axes))
        for a in axes:
            if dims[a] is not None and dims[a] != 1:
                raise InvalidArgumentError(
                    None, None, f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                                f"{dims[a]} [Op:Squeeze]")
    return apply(Squeeze, x, axis=axes)


def _transpose_infer(x, perm):
    return TensorSpec(tuple(x.dims[p] for p in perm), x.dtype)


Transpose = Op("Transpose", infer=_transpose_infer)
Transpose.kernel(lambda x, perm: xp.transpose(x, perm))


@Transpose.gradient
def _(dy, x, out, perm):
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    return transpose(dy, inverse)


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permutes dimensions (reverses them when `perm` is None)."""
    x = _t(a)
    rank = x.ndim
    perm = tuple(range(rank - 1, -1, -1)) if perm is None else tuple(
        int(p) for p in _static_shape(perm, "Transpose"))
    if sorted(perm) != list(range(rank)):
        raise InvalidArgumentError(None, None, f"transpose expects a vector of size {rank}. "
                                               f"But input(1) is a vector of size {len(perm)}"
                                               " [Op:Transpose]")
    return apply(Transpose, x, perm=perm)


def _broadcast_to_infer(x, *shape_tensor, shape):
    return TensorSpec(tuple(shape), x.dtype)


BroadcastTo = Op("BroadcastTo", infer=_broadcast_to_infer)


@BroadcastTo.kernel
def _(x, *shape_tensor, shape):
    if shape_tensor:
        shape = tuple(int(d) for d in shape_tensor[0])
        if broadcast_shapes(x.shape, shape) != shape:
            raise InvalidArgumentError(None, None, f"Unable to broadcast tensor of shape "
                                                   f"{list(x.shape)} to tensor of shape "
                                                   f"{list(shape)}")
    return xp.broadcast_to(x, shape)   # a read-only view: never written, like every tensor


BroadcastTo.gradient(lambda dy, x, *shape_tensor, out, shape: (sum_to_shape(dy, x),) + (
    None,) * len(shape_tensor))


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcasts `input` to `shape` with NumPy's rules."""
    x = _t(input)
    target, extra = shape_argument(shape, "BroadcastTo")
    if extra:
        return apply(BroadcastTo, x, *extra, shape=target)
    dims = x._static_dims()
    if None not in dims and broadcast_shapes(dims, target) != tuple(target):
        raise InvalidArgumentError(None, None, f"Unable to broadcast tensor of shape "
                                               f"{list(dims)} to tensor of shape {list(target)}"
                                               " [Op:BroadcastTo]")
    return apply(BroadcastTo, x, shape=target)


def _broadcast_like_infer(x, like):
    return TensorSpec(like.dims, x.dtype)


BroadcastLike = Op("BroadcastLike", infer=_broadcast_like_infer)
BroadcastLike.kernel(lambda x, like: xp.broadcast_to(x, like.shape))
BroadcastLike.gradient(lambda dy, x, like, out: (sum_to_shape(dy, x), None))


def broadcast_like(x, like):
    """Broadcasts `x` to the (run-time) shape of `like`."""
    x_dims, like_dims = x._static_dims(), like._static_dims()
    if like_dims is not None and None not in like_dims:
        if x_dims == like_dims:
            return x
        return apply(BroadcastTo, x, shape=tuple(like_dims))
    return apply(BroadcastLike, x, like)


# ================================================================================
# Joining and splitting
# ================================================================================

def _concat_infer(*xs, axis):
    first = xs[0]
    dims = list(first.dims)
    total = 0
    for i, x in enumerate(xs):
        if x.dtype is not first.dtype:
            raise TypeError(f"ConcatV2: input {i} has dtype {x.dtype.name}, expected "
                            f"{first.dtype.name}.")
        if len(x.dims) != len(dims):
            raise ValueError(f"Shape must be rank {len(dims)} but is rank {len(x.dims)} for "
                             "'ConcatV2'")
        for j, (a, b) in enumerate(zip(dims, x.dims)):
            if j != axis and a is not None and b is not None and a != b:
                raise ValueError(f"Dimension {j} in both shapes must be equal, but are {a} and "
                                 f"{b} for 'ConcatV2'. Shapes are {list(first.dims)} and "
                                 f"{list(x.dims)}.")
        total = None if total is None or x.dims[axis] is None else total + x.dims[axis]
    dims[axis] = total
    return TensorSpec(tuple(dims), first.dtype)


ConcatV2 = Op("ConcatV2", infer=_concat_infer)


@ConcatV2.kernel
def _(*xs, axis):
    for i, x in enumerate(xs[1:], start=1):
        if x.ndim != xs[0].ndim:
            raise InvalidArgumentError(
                None, None, f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                            f"{shape_str(xs[0].shape)} vs. shape[{i}] = {shape_str(x.shape)}")
        bad = next((j for j, (a, b) in enumerate(zip(x.shape, xs[0].shape))
                    if j != axis and a != b), None)
        if bad is not None:
            raise InvalidArgumentError(
                None, None, f"ConcatOp : Dimension {bad} in both shapes must be equal: shape[0] "
                            f"= {shape_str(xs[0].shape)} vs. shape[{i}] = {shape_str(x.shape)}")
    return xp.concatenate(xs, axis=axis)


@ConcatV2.gradient
def _(dy, *xs, out, axis):
    sizes = [x._static_dims()[axis] for x in xs]
    if None in sizes:   # traced with unknown sizes: split at run time
        return tuple(apply(SplitLike, dy, *xs, axis=axis))
    return tuple(split(dy, sizes, axis=axis))


def _split_like_infer(x, *likes, axis):
    return tuple(TensorSpec(like.dims, x.dtype) for like in likes)


SplitLike = Op("SplitLike", infer=_split_like_infer, multi_output=True)


@SplitLike.kernel
def _(x, *likes, axis):
    cuts, total = [], 0
    for like in likes[:-1]:
        total += like.shape[axis]
        cuts.append(total)
    return tuple(xp.split(x, cuts, axis=axis))


@SplitLike.gradient
def _(dy, x, *likes, out, axis):
    return (concat(list(dy), axis=axis),) + (None,) * len(likes)


def concat(values, axis, name="concat"):
    """Concatenates tensors along `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    from tapeflow.ops._rules import operand_list
    tensors = operand_list(list(values), "ConcatV2")
    if len(tensors) == 1:
        return identity(tensors[0])
    rank = tensors[0].ndim
    axis = normalize_axis(int(axis), rank, "ConcatV2")
    return apply(ConcatV2, *tensors, axis=axis)


def _pack_infer(*xs, axis):
    first = xs[0]
    for i, x in enumerate(xs[1:], start=1):
        if x.dtype is not first.dtype:
            raise TypeError(f"Pack: input {i} has dtype {x.dtype.name}, expected "
                            f"{first.dtype.name}.")
        if x.dims != first.dims and None not in x.dims and None not in first.dims:
            raise ValueError(f"Shapes must be equal rank, but are {list(first.dims)} and "
                             f"{list(x.dims)} for 'Pack'")
    dims = list(first.dims)
    dims.insert(axis, len(xs))
    return TensorSpec(tuple(dims), first.dtype)


Pack = Op("Pack", infer=_pack_infer)


@Pack.kernel
def _(*xs, axis):
    for i, x in enumerate(xs[1:], start=1):
        if x.shape != xs[0].shape:
            raise InvalidArgumentError(None, None, f"Shapes of all inputs must match: "
                                                   f"values[0].shape = {list(xs[0].shape)} != "
                                                   f"values[{i}].shape = {list(x.shape)}")
    return xp.stack(xs, axis=axis)


Pack.gradient(lambda dy, *xs, out, axis: tuple(unstack(dy, num=len(xs), axis=axis)))


def stack(values, axis=0, name="stack"):
    """Stacks rank-R tensors into one rank-(R+1) tensor along `axis`."""
    from tapeflow.ops._rules import operand_list
    tensors = operand_list(list(values), "Pack")
    rank = tensors[0].ndim + 1
    axis = normalize_axis(int(axis), rank, "Pack")
    return apply(Pack, *tensors, axis=axis)


register_pack_function(stack)


def _unpack_infer(x, num, axis):
    dims = tuple(d for i, d in enumerate(x.dims) if i != axis)
    return tuple(TensorSpec(dims, x.dtype) for _ in range(num))


Unpack = Op("Unpack", infer=_unpack_infer, multi_output=True)


@Unpack.kernel
def _(x, num, axis):
    if x.ndim == 1:   # take() would give scalars: a bytes scalar would lose the object dtype
        return tuple(xp.asarray(x[i], dtype=x.dtype) for i in range(num))
    return tuple(xp.take(x, i, axis=axis) for i in range(num))


Unpack.gradient(lambda dy, x, out, num, axis: stack(list(dy), axis=axis))


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor into a list of rank-(R-1) tensors along `axis`."""
    x = _t(value)
    axis = normalize_axis(int(axis), x.ndim, "Unpack")
    n = x._static_dims()[axis]
    if num is None:
        if n is None:
            raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
        num = n
    elif n is not None and num != n:
        raise ValueError(f"Cannot unstack a dimension of size {n} into {num} tensors.")
    return list(apply(Unpack, x, num=int(num), axis=axis))


def _split_infer(x, sizes, axis):
    out = []
    for s in sizes:
        dims = list(x.dims)
        dims[axis] = s
        out.append(TensorSpec(tuple(dims), x.dtype))
    return tuple(out)


SplitV = Op("SplitV", infer=_split_infer, multi_output=True)


@SplitV.kernel
def _(x, sizes, axis):
    if sum(sizes) != x.shape[axis]:
        raise InvalidArgumentError(None, None, f"Determined shape must either match input shape"
                                               f" along split_dim exactly if fully specified, "
                                               f"or be less than the size of the input along "
                                               f"split_dim if not fully specified.  Got: "
                                               f"{sum(sizes)}")
    cuts = []
    total = 0
    for s in sizes[:-1]:
        total += s
        cuts.append(total)
    return tuple(xp.split(x, cuts, axis=axis))


SplitV.gradient(lambda dy, x, out, sizes, axis: concat(list(dy), axis=axis))


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` along `axis` into equal parts (an int) or parts of the given sizes."""
    x = _t(value)
    axis = normalize_axis(int(axis), x.ndim, "SplitV")
    n = x._static_dims()[axis]
    if isinstance(num_or_size_splits, numbers.Integral) or (
            tensor_like(num_or_size_splits) and num_or_size_splits.ndim == 0):
        parts = int(num_or_size_splits)
        if n is None or n % parts:
            raise InvalidArgumentError(None, None, f"Number of ways to split should evenly "
                                                   f"divide the split dimension, but got "
                                                   f"split_dim {axis} (size = {n}) and "
                                                   f"num_split {parts} [Op:Split]")
        sizes = (n // parts,) * parts
    else:
        sizes = list(_static_shape(num_or_size_splits, "SplitV"))
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        sizes = tuple(sizes)
    return list(apply(SplitV, x, sizes=sizes, axis=axis))


# ================================================================================
# Small helpers shared with gradient rules
# ================================================================================

def reduce_sum_all(x):
    from tapeflow.ops.math import reduce_sum
    return reduce_sum(x)


def one_hot_like(target, index):
    """A tensor shaped like `target`: 1 at flat position `index`, 0 elsewhere.

    While tracing it is built from ops (OneHot, Reshape), so `GradientTape.jacobian`
    works inside `tf.function`; eagerly it is a constant made directly.
    """
    dims = target._static_dims()
    size = int(_prod(dims))
    if state.graph is None:
        value = xp.zeros(size, dtype=target.dtype._np)
        value[index] = 1
        return convert_to_tensor(value.reshape(dims))
    from tapeflow.ops.creation import one_hot
    return reshape(one_hot(convert_to_tensor(index), size, dtype=target.dtype), dims)


def batch_one_hot_like(target, index):
    """Like `target` [b, ...]: 1 at flat position `index` of every example (any batch size)."""
    dims = target._static_dims()
    size = int(_prod(dims[1:]))
    if state.graph is None:
        value = xp.zeros((dims[0], size), dtype=target.dtype._np)
        value[:, index] = 1
        return convert_to_tensor(value.reshape(dims))
    from tapeflow.ops.creation import one_hot
    row = one_hot(convert_to_tensor(index), size, dtype=target.dtype)
    return broadcast_like(reshape(row, (1,) + tuple(dims[1:])), target)
