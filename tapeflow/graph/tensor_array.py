"""`tf.TensorArray`: a list of tensors written in a loop, then stacked.

A TensorArray starts as a Python list of tensors: eagerly, and in traced code
outside graph loops, so `stack()` is one differentiable Pack op. When it
becomes a loop variable of a traced `tf.while_loop` (or AutoGraph loop) it
switches to a *flow*: a variant graph value holding the list, updated by
TensorList ops inside the loop. (Gradients through a TensorArray carried by a
traced loop are not implemented yet: those ops have no gradient rule.)
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike


class _ListValue:
    """The run-time value of a flow: an immutable snapshot of the element arrays."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def _unwrap(value):
    if isinstance(value, xp.ndarray) and value.dtype == object and value.ndim == 0:
        value = value[()]
    return value


def _variant_spec(*args, **attrs):
    return TensorSpec((), dtypes.variant)


TensorListFromTensors = Op("TensorListFromTensors", infer=_variant_spec, differentiable=False)


@TensorListFromTensors.kernel
def _(*items, size):
    items = list(items) + [None] * max(0, size - len(items))
    return xp.asarray(_ListValue(items), dtype=object)


TensorListSetItem = Op("TensorListSetItem", infer=_variant_spec, differentiable=False)


@TensorListSetItem.kernel
def _(flow, index, value, dynamic_size):
    items = list(_unwrap(flow).items)
    index = int(index)
    if index >= len(items):
        if not dynamic_size:
            from tapeflow.core.errors import InvalidArgumentError
            raise InvalidArgumentError(None, None, f"Tried to write to index {index} but array "
                                                   f"is not resizeable and size is: {len(items)}")
        items.extend([None] * (index + 1 - len(items)))
    items[index] = value
    return xp.asarray(_ListValue(items), dtype=object)


def _get_item_infer(flow, index, dtype, element_shape):
    return TensorSpec(element_shape, dtype)


TensorListGetItem = Op("TensorListGetItem", infer=_get_item_infer, differentiable=False)


@TensorListGetItem.kernel
def _(flow, index, dtype, element_shape):
    item = _unwrap(flow).items[int(index)]
    if item is None:
        return xp.zeros([d or 0 for d in element_shape] if element_shape else (),
                        dtype=dtype._np)
    return item


def _stack_infer(flow, dtype, element_shape):
    return TensorSpec((None,) + tuple(element_shape or ()), dtype)


TensorListStack = Op("TensorListStack", infer=_stack_infer, differentiable=False)


@TensorListStack.kernel
def _(flow, dtype, element_shape):
    items = [i for i in _unwrap(flow).items]
    if not items:
        return xp.zeros((0,) + tuple(d or 0 for d in (element_shape or ())), dtype=dtype._np)
    shape = next((i.shape for i in items if i is not None), None)
    return xp.stack([i if i is not None else xp.zeros(shape, dtype=dtype._np) for i in items])


TensorListLength = Op("TensorListLength", infer=lambda flow: TensorSpec((), dtypes.int32),
                      differentiable=False)
TensorListLength.kernel(lambda flow: xp.array(len(_unwrap(flow).items), dtype=xp.int32))


class TensorArray:
    """A list of same-dtype tensors of dynamic length (TF's `tf.TensorArray`).

    >>> import tapeflow as tf
    >>> ta = tf.TensorArray(tf.float32, size=2)
    >>> ta = ta.write(0, 1.0).write(1, 2.0)
    >>> ta.stack().numpy()
    array([1., 2.], dtype=float32)
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._element_shape = None if element_shape is None else TensorShape(element_shape)
        self._infer_shape = infer_shape
        self._flow = flow
        size = 0 if size is None else int(size)
        self._items = None if flow is not None else [None] * size

    # -- properties -----------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def element_shape(self):
        return self._element_shape if self._element_shape is not None else TensorShape(None)

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def flow(self):
        return self._as_flow()

    def _copy(self, items=None, flow=None):
        new = TensorArray.__new__(TensorArray)
        new._dtype, new._dynamic_size = self._dtype, self._dynamic_size
        new._element_shape, new._infer_shape = self._element_shape, self._infer_shape
        new._items, new._flow = items, flow
        return new

    def _check_value(self, value):
        value = value if isinstance(value, TensorLike) else convert_to_tensor(value, self._dtype)
        if value.dtype is not self._dtype:
            raise TypeError(f"TensorArray dtype is {self._dtype.name} but Op is trying to write "
                            f"dtype {value.dtype.name}.")
        shape = value.shape
        if self._element_shape is None:
            if self._infer_shape:
                self._element_shape = shape
        elif not self._element_shape.is_compatible_with(shape):
            raise ValueError(f"Incompatible shape for value ({shape}), expected "
                             f"({self._element_shape})")
        return value

    # -- list mode / flow mode ----------------------------------------------------------
    def _as_flow(self):
        if self._flow is None:
            items = [x for x in self._items if x is not None]
            if len(items) != len(self._items):
                raise ValueError("A TensorArray carried by a traced loop must not have "
                                 "unwritten elements before the loop.")
            self._flow = apply(TensorListFromTensors, *items, size=len(self._items))
            self._items = None
        return self._flow

    def _element_dims(self):
        return tuple(self._element_shape.dims) if self._element_shape is not None and \
            self._element_shape.rank is not None else ()

    # -- API ------------------------------------------------------------------------------
    def write(self, index, value, name=None):
        value = self._check_value(value)
        if self._items is not None and not isinstance(index, TensorLike) or (
                self._items is not None and state.graph is None):
            index = int(index)
            items = list(self._items)
            if index >= len(items):
                if not self._dynamic_size:
                    from tapeflow.core.errors import InvalidArgumentError
                    raise InvalidArgumentError(None, None, f"Tried to write to index {index} "
                                                           "but array is not resizeable and "
                                                           f"size is: {len(items)}")
                items.extend([None] * (index + 1 - len(items)))
            items[index] = value
            return self._copy(items=items)
        index = index if isinstance(index, TensorLike) else convert_to_tensor(index)
        flow = apply(TensorListSetItem, self._as_flow(), index, value,
                     dynamic_size=self._dynamic_size)
        return self._copy(flow=flow)

    def read(self, index, name=None):
        if self._items is not None and (not isinstance(index, TensorLike) or
                                        state.graph is None):
            item = self._items[int(index)]
            if item is None:
                from tapeflow.ops.array import zeros
                return zeros(self._element_dims(), self._dtype)
            return item
        index = index if isinstance(index, TensorLike) else convert_to_tensor(index)
        return apply(TensorListGetItem, self._as_flow(), index, dtype=self._dtype,
                     element_shape=self._element_dims())

    def stack(self, name=None):
        if self._items is not None:
            from tapeflow.ops.array import stack, zeros
            items = [x if x is not None else zeros(self._element_dims(), self._dtype)
                     for x in self._items]
            if not items:
                return zeros((0,) + self._element_dims(), self._dtype)
            return stack(items)
        return apply(TensorListStack, self._flow, dtype=self._dtype,
                     element_shape=self._element_dims())

    def gather(self, indices, name=None):
        from tapeflow.ops.array import stack
        return stack([self.read(i) for i in convert_to_tensor(indices).numpy().tolist()])

    def unstack(self, value, name=None):
        from tapeflow.ops.array import unstack
        value = convert_to_tensor(value, self._dtype)
        items = unstack(value)
        if items:
            self._check_value(items[0])
        return self._copy(items=list(items))

    def scatter(self, indices, value, name=None):
        from tapeflow.ops.array import unstack
        result = self
        for i, v in zip(convert_to_tensor(indices).numpy().tolist(), unstack(value)):
            result = result.write(i, v)
        return result

    def concat(self, name=None):
        from tapeflow.ops.array import concat
        return concat([x for x in self._items if x is not None], axis=0)

    def size(self, name=None):
        if self._items is not None:
            return convert_to_tensor(len(self._items))
        return apply(TensorListLength, self._flow)

    def close(self, name=None):
        return None

    def identity(self):
        return self

    # -- loop-variable protocol (used by while_loop and AutoGraph) ---------------------
    def _to_loop_value(self):
        return self._as_flow()

    def _from_loop_value(self, flow):
        return self._copy(flow=flow)


__all__ = ["TensorArray"]
