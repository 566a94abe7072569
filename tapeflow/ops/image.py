"""Image ops (tf.image): resizing, flips, crops and pads, dtype and color conversions.

Images are NHWC: a batch [batch, height, width, channels] or one image
[height, width, channels]. The resize kernels are primitives that reproduce
TF's CPU kernels bit for bit (weights in `_resize.py`), with gradient ops that
scatter in TF's order. Everything else composes existing ops - flips are
reversals, crops are slices, pads are pads - and inherits their gradients.
"""
import enum
import functools

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import TensorShape, shape_str
from tapeflow.core.spec import TensorSpec
from tapeflow.ops import _resize
from tapeflow.ops import array as _array
from tapeflow.ops import layout as _layout
from tapeflow.ops import math as _math
from tapeflow.ops._rules import tensor_like

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_REAL = _FLOATS + (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8,
                   dtypes.uint16)


def _t(x):
    return x if tensor_like(x) else convert_to_tensor(x)


def _dims(x):
    return x._static_dims()


# ==================================================================================
# Resizing: ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea
# ==================================================================================

def _resize_infer_for(name, out_dtype):
    def infer(images, size):
        if images.dims is not None and len(images.dims) != 4:
            raise ValueError(f"input must be 4-dimensional{shape_str(images.dims)} for "
                             f"'{name}'")
        batch, _, _, channels = images.dims if images.dims is not None else (None,) * 4
        return TensorSpec((batch, size[0], size[1], channels), out_dtype or images.dtype)
    return infer


def _check_resize(images, size):
    if images.ndim != 4:
        raise InvalidArgumentError(None, None, "input must be 4-dimensional"
                                   + shape_str(images.shape))
    if size[0] <= 0 or size[1] <= 0:
        raise InvalidArgumentError(None, None, "output dimensions must be positive")
    _, height, width, _ = images.shape
    if height == 0 or width == 0:
        raise InvalidArgumentError(None, None, "input image must be of non-zero size")
    return height, width


def _resize_op(name, out_dtype=None, differentiable=True):
    return Op(name, infer=_resize_infer_for(name, out_dtype), dtypes=_REAL,
              differentiable=differentiable)


ResizeBilinear = _resize_op("ResizeBilinear", dtypes.float32)
ResizeNearestNeighbor = _resize_op("ResizeNearestNeighbor")
ResizeBicubic = _resize_op("ResizeBicubic", dtypes.float32)
ResizeArea = _resize_op("ResizeArea", dtypes.float32, differentiable=False)  # as in TF


@ResizeBilinear.kernel
def _(images, size):
    """TF's lerp order: along x on the two rows, then along y, in float32.

    The x lerp is done once per input row (the same float ops TF does per
    output row), then rows are gathered: less work when upsampling.
    """
    height, width = _check_resize(images, size)
    x = images.astype(xp.float32, copy=False)
    y_low, y_high, y_lerp = _resize.linear(height, size[0])
    x_low, x_high, x_lerp = _resize.linear(width, size[1])
    left = xp.take(x, x_low, axis=2)
    rows = left + (xp.take(x, x_high, axis=2) - left) * x_lerp[None, None, :, None]
    upper = xp.take(rows, y_low, axis=1)
    return upper + (xp.take(rows, y_high, axis=1) - upper) * y_lerp[None, :, None, None]


@ResizeNearestNeighbor.kernel
def _(images, size):
    height, width = _check_resize(images, size)
    rows = _resize.nearest(height, size[0])
    cols = _resize.nearest(width, size[1])
    return images[:, rows][:, :, cols]


@ResizeBicubic.kernel
def _(images, size):
    """Keys' cubic: 4 taps along y (for each x tap), then 4 along x, as TF sums them."""
    height, width = _check_resize(images, size)
    x = images.astype(xp.float32, copy=False)
    rows, row_weights = _resize.cubic(height, size[0])
    cols, col_weights = _resize.cubic(width, size[1])
    along_y = _weighted_taps(x, 1, rows, row_weights)
    return _weighted_taps(along_y, 2, cols, col_weights)


def _weighted_taps(x, axis, index, weights):
    """sum_k x[..., index[:, k], ...] * weights[:, k] along `axis`, summed in k order."""
    shape = [1] * x.ndim
    shape[axis] = -1
    total = None
    for k in range(index.shape[1]):
        term = xp.take(x, index[:, k], axis=axis) * weights[:, k].reshape(shape)
        total = term if total is None else total + term
    return total


@ResizeArea.kernel
def _(images, size):
    """Per output cell: rows of (cell * x coverage) sums, times y coverage, times 1/area."""
    height, width = _check_resize(images, size)
    x = images.astype(xp.float32, copy=False)
    rows, row_weights, row_valid, row_scale = _resize.area(height, size[0])
    cols, col_weights, col_valid, col_scale = _resize.area(width, size[1])
    total = None
    for a in range(rows.shape[1]):
        band = x[:, rows[:, a]]
        row_sum = None
        for b in range(cols.shape[1]):
            term = band[:, :, cols[:, b]] * col_weights[None, None, :, b, None]
            row_sum = term if row_sum is None else xp.where(col_valid[None, None, :, b, None],
                                                            row_sum + term, row_sum)
        term = row_sum * row_weights[None, :, a, None, None]
        total = term if total is None else xp.where(row_valid[None, :, a, None, None],
                                                    total + term, total)
    return total * xp.float32(1.0 / float(row_scale * col_scale))


# -- gradients: scatter each output gradient back to the taps that made it ------------------

def _grad_infer(dy, images, **attrs):
    return TensorSpec(images.dims, images.dtype)


def _scatter_taps(dy, images, taps):
    """The adjoint of a separable resampling with `taps`, accumulated in TF's order.

    Output gradient (y, x) adds `dy * row_weight * col_weight` to input pixel
    (row, col) for every pair of taps, visiting y, x, row tap, col tap in order
    (so float rounding matches TF's loops).
    """
    batch, height, width, channels = images.shape
    out_h, out_w = dy.shape[1], dy.shape[2]
    rows, row_weights = taps(height, out_h)
    cols, col_weights = taps(width, out_w)
    # contributions[y, x, i, j, b, c], flattened in that order; float32 as in TF
    # (float64 gradients, which TF never feeds here, keep float64).
    g = xp.transpose(dy, (1, 2, 0, 3)).astype(xp.promote_types(dy.dtype, xp.float32),
                                              copy=False)
    g = g[:, :, None, None] * row_weights[:, None, :, None, None, None]
    g = g * col_weights[None, :, None, :, None, None]
    g = g.reshape(-1, batch * channels).astype(images.dtype, copy=False)
    out = xp.zeros((height * width, batch * channels), dtype=images.dtype)
    for sources, targets in _scatter_rounds(taps, height, width, out_h, out_w):
        out[targets] += g[sources]
    return xp.transpose(out.reshape(height, width, batch, channels), (2, 0, 1, 3))


@functools.lru_cache(maxsize=64)
def _scatter_rounds(taps, height, width, out_h, out_w):
    """Splits the scatter-add into rounds whose targets are distinct.

    Round r adds every input pixel's r-th contribution (in TF's order), so plain
    fancy-index adds - much faster than `add.at` - keep each pixel's summation
    order. Cached per geometry.
    """
    rows, cols = taps(height, out_h)[0], taps(width, out_w)[0]
    target = (rows[:, None, :, None] * width + cols[None, :, None, :]).reshape(-1)
    order = xp.argsort(target, kind="stable")
    first = xp.searchsorted(target[order], target[order])   # start of each pixel's group
    rank = xp.arange(target.size) - first
    rounds = []
    for r in range(int(rank.max()) + 1 if target.size else 0):
        sources = order[rank == r]
        rounds.append((sources, target[sources]))
    return rounds


def _linear_taps(in_size, out_size):
    low, high, lerp = _resize.linear(in_size, out_size)
    return xp.stack([low, high], axis=1), xp.stack([xp.float32(1) - lerp, lerp], axis=1)


def _nearest_taps(in_size, out_size):
    return _resize.nearest(in_size, out_size)[:, None], xp.ones((out_size, 1), xp.float32)


ResizeBilinearGrad = Op("ResizeBilinearGrad", infer=_grad_infer)
ResizeNearestNeighborGrad = Op("ResizeNearestNeighborGrad", infer=_grad_infer)
ResizeBicubicGrad = Op("ResizeBicubicGrad", infer=_grad_infer)


def _grad_kernel(taps):
    return lambda dy, images: _scatter_taps(dy, images, taps)


ResizeBilinearGrad.kernel(_grad_kernel(_linear_taps))
ResizeNearestNeighborGrad.kernel(_grad_kernel(_nearest_taps))
ResizeBicubicGrad.kernel(_grad_kernel(_resize.cubic))


def _resize_gradients(forward, backward):
    @forward.gradient
    def _(dy, images, out, size):
        return apply(backward, dy, images)

    @backward.gradient
    def _(ddx, dy, images, out):
        size = tuple(_dims(dy)[1:3])     # the gradient of a linear map's adjoint is the map
        return _math.cast(apply(forward, ddx, size=size), dy.dtype), None


_resize_gradients(ResizeBilinear, ResizeBilinearGrad)
_resize_gradients(ResizeNearestNeighbor, ResizeNearestNeighborGrad)
_resize_gradients(ResizeBicubic, ResizeBicubicGrad)


class ResizeMethod(str, enum.Enum):
    """The `method` names of `tf.image.resize`."""
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"

    def __str__(self):
        return self.value


_RESIZE_OPS = {"bilinear": ResizeBilinear, "nearest": ResizeNearestNeighbor,
               "bicubic": ResizeBicubic, "area": ResizeArea}


def _size_pair(size):
    values = size.numpy() if tensor_like(size) else xp.asarray(size)
    if values.shape != (2,):
        raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
    if values.dtype.kind not in "iu":
        raise TypeError(f"'size' must be int32, got {dtypes.from_numpy(values.dtype).name}")
    return int(values[0]), int(values[1])


def _aspect_preserving_size(height, width, size):
    """TF's float32 arithmetic for `preserve_aspect_ratio=True`."""
    scale = min(xp.float32(size[0]) / xp.float32(height), xp.float32(size[1]) / xp.float32(width))
    return (int(xp.round(scale * xp.float32(height))), int(xp.round(scale * xp.float32(width))))


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None):
    """Resizes images to `size` = (height, width) (TF2's `tf.image.resize`).

    Samples at half-pixel centers. The result is float32, except with
    'nearest', which keeps the input dtype.

    Args:
      images: [batch, height, width, channels] or [height, width, channels].
      size: two ints (new height, new width).
      method: 'bilinear' (default), 'nearest', 'bicubic' or 'area'.
      preserve_aspect_ratio: scale both sides by the same factor to fit in `size`.
      antialias: only False is implemented (it is TF's default).

    Raises:
      ValueError: images not 3-D or 4-D, a bad `size`, or an unknown method.
    """
    images = _t(images)
    dims = _dims(images)
    if dims is not None and len(dims) not in (3, 4):
        raise ValueError("'images' must have either 3 or 4 dimensions.")
    size = _size_pair(size)
    method = str(method).lower()
    if method not in _RESIZE_OPS:
        if method in {m.value for m in ResizeMethod}:
            raise NotImplementedError(f"tf.image.resize method {method!r} is not implemented "
                                      "in tapeflow; use bilinear, nearest, bicubic or area.")
        raise ValueError(f"Resize method is not implemented: {method}")
    if antialias and method in ("bilinear", "bicubic"):
        raise NotImplementedError("tf.image.resize(antialias=True) is not implemented in "
                                  "tapeflow.")
    batched = images if len(dims) == 4 else _array.expand_dims(images, 0)
    if preserve_aspect_ratio:
        height, width = _dims(batched)[1:3]
        if height is None or width is None:
            raise NotImplementedError("preserve_aspect_ratio needs static image sizes.")
        size = _aspect_preserving_size(height, width, size)
    out = apply(_RESIZE_OPS[method], batched, size=size)
    return out if len(dims) == 4 else _array.squeeze(out, axis=0)


# ==================================================================================
# AdjustContrastv2: (x - mean) * factor + mean per image and channel (no gradient in TF)
# ==================================================================================

def _contrast_infer(images, factor):
    if images.dims is not None and len(images.dims) < 3:
        raise ValueError(f"input must be at least 3-D, got shape{shape_str(images.dims)}")
    return TensorSpec(images.dims, images.dtype)


AdjustContrastv2 = Op("AdjustContrastv2", infer=_contrast_infer, dtypes=(dtypes.float32,),
                      differentiable=False)


@AdjustContrastv2.kernel
def _(images, factor):
    if images.ndim < 3:
        raise InvalidArgumentError(None, None, "input must be at least 3-D, got shape"
                                   + shape_str(images.shape))
    if factor.ndim != 0:
        raise InvalidArgumentError(None, None, "contrast_factor must be scalar: "
                                   + shape_str(factor.shape))
    mean = xp.mean(images, axis=(-3, -2), keepdims=True, dtype=xp.float32)
    return (images - mean) * factor.astype(xp.float32) + mean


# ==================================================================================
# Shape checks
# ==================================================================================

def _check_image(image, three_or_four=True):
    """TF's static checks of an image's rank (unknown ranks pass)."""
    dims = _dims(image)
    if dims is None:
        return None
    if len(dims) < 3:
        raise ValueError(f"'image' (shape {TensorShape(dims)}) must be at least "
                         "three-dimensional.")
    if three_or_four and len(dims) > 4:
        raise ValueError(f"'image' (shape {TensorShape(dims)})must have either 3 or 4 "
                         "dimensions.")
    return len(dims)


def _static_int(value, what):
    if tensor_like(value):
        value = value.numpy()
    try:
        return int(value)
    except TypeError:
        raise NotImplementedError(f"{what} must be known when the op is called in "
                                  "tapeflow (a Python int or an eager tensor).") from None


def _height_width(image):
    dims = _dims(image)
    height, width = dims[-3], dims[-2]
    if height is None or width is None:
        raise NotImplementedError("this tf.image function needs static image heights and "
                                  "widths in tapeflow.")
    return height, width


def _spatial_slice(image, rows, cols):
    """`image[..., rows, cols, :]` for 3-D and 4-D images."""
    return image[..., rows, cols, :]


# ==================================================================================
# Flips, rotations, transposes (reversals and transposes: gradients for free)
# ==================================================================================

def flip_left_right(image):
    """Reverses the width axis of an image or a batch of images."""
    image = _t(image)
    _check_image(image)
    return _layout.reverse(image, [-2])


def flip_up_down(image):
    """Reverses the height axis of an image or a batch of images."""
    image = _t(image)
    _check_image(image)
    return _layout.reverse(image, [-3])


def _swap_height_width(image):
    rank = len(_dims(image))
    perm = [1, 0, 2] if rank == 3 else [0, 2, 1, 3]
    return _array.transpose(image, perm)


def transpose(image, name=None):
    """Swaps height and width."""
    image = _t(image)
    _check_image(image)
    return _swap_height_width(image)


def rot90(image, k=1, name=None):
    """Rotates images counter-clockwise by `k` quarter turns."""
    image = _t(image)
    _check_image(image)
    k = _static_int(k, "k") % 4
    if k == 1:
        return _swap_height_width(flip_left_right(image))
    if k == 2:
        return flip_up_down(flip_left_right(image))
    if k == 3:
        return flip_left_right(_swap_height_width(image))
    return image


def _random_flip(image, flip, uniform):
    """TF's random flips: one coin per image (flip if u < 0.5), or per batch entry
    (flip if round(u) == 1)."""
    image = _t(image)
    rank = _check_image(image)
    if rank == 3:
        return _math.where(_math.less(uniform([]), 0.5), flip(image), image)
    batch = _dims(image)[0]
    coins = uniform([batch] if batch is not None else _array.shape(image)[:1])
    flips = _math.cast(_math.round(_array.reshape(coins, [-1, 1, 1, 1])), image.dtype)
    return flips * flip(image) + (1 - flips) * image


def random_flip_left_right(image, seed=None):
    """Flips each image left to right with probability 1/2."""
    from tapeflow.ops.random import uniform
    return _random_flip(image, flip_left_right, lambda shape: uniform(shape, 0, 1.0, seed=seed))


def random_flip_up_down(image, seed=None):
    """Flips each image upside down with probability 1/2."""
    from tapeflow.ops.random import uniform
    return _random_flip(image, flip_up_down, lambda shape: uniform(shape, 0, 1.0, seed=seed))


def stateless_random_flip_left_right(image, seed):
    """Like `random_flip_left_right`, deterministic for a seed of shape [2]."""
    from tapeflow.ops.stateless_random import stateless_uniform
    return _random_flip(image, flip_left_right,
                        lambda shape: stateless_uniform(shape, seed, 0, 1.0))


def stateless_random_flip_up_down(image, seed):
    """Like `random_flip_up_down`, deterministic for a seed of shape [2]."""
    from tapeflow.ops.stateless_random import stateless_uniform
    return _random_flip(image, flip_up_down, lambda shape: stateless_uniform(shape, seed, 0, 1.0))


# ==================================================================================
# Crops and pads
# ==================================================================================

def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The [target_height, target_width] window at (offset_height, offset_width)."""
    image = _t(image)
    _check_image(image)
    offset_height = _static_int(offset_height, "offset_height")
    offset_width = _static_int(offset_width, "offset_width")
    target_height = _static_int(target_height, "target_height")
    target_width = _static_int(target_width, "target_width")
    height, width = _height_width(image)
    for ok, message in ((offset_width >= 0, "offset_width must be >= 0."),
                        (offset_height >= 0, "offset_height must be >= 0."),
                        (target_width > 0, "target_width must be > 0."),
                        (target_height > 0, "target_height must be > 0."),
                        (width >= target_width + offset_width,
                         "width must be >= target + offset."),
                        (height >= target_height + offset_height,
                         "height must be >= target + offset.")):
        if not ok:
            raise ValueError(message)
    return _spatial_slice(image, slice(offset_height, offset_height + target_height),
                          slice(offset_width, offset_width + target_width))


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Pads with zeros to [target_height, target_width], placing the image at the offset."""
    image = _t(image)
    rank = _check_image(image)
    offset_height = _static_int(offset_height, "offset_height")
    offset_width = _static_int(offset_width, "offset_width")
    height, width = _height_width(image)
    after_height = _static_int(target_height, "target_height") - offset_height - height
    after_width = _static_int(target_width, "target_width") - offset_width - width
    for ok, message in ((offset_height >= 0, "offset_height must be >= 0"),
                        (offset_width >= 0, "offset_width must be >= 0"),
                        (after_width >= 0, "width must be <= target - offset"),
                        (after_height >= 0, "height must be <= target - offset")):
        if not ok:
            raise ValueError(message)
    paddings = [[offset_height, after_height], [offset_width, after_width], [0, 0]]
    return _layout.pad(image, [[0, 0]] * (rank - 3) + paddings)


def resize_with_crop_or_pad(image, target_height, target_width):
    """Crops (centrally) or pads (with zeros, centrally) to the target size."""
    image = _t(image)
    _check_image(image)
    target_height = _static_int(target_height, "target_height")
    target_width = _static_int(target_width, "target_width")
    if target_width <= 0:
        raise ValueError("target_width must be > 0.")
    if target_height <= 0:
        raise ValueError("target_height must be > 0.")
    height, width = _height_width(image)
    height_diff, width_diff = target_height - height, target_width - width
    cropped = crop_to_bounding_box(image, max(-height_diff // 2, 0), max(-width_diff // 2, 0),
                                   min(target_height, height), min(target_width, width))
    return pad_to_bounding_box(cropped, max(height_diff // 2, 0), max(width_diff // 2, 0),
                               target_height, target_width)


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR,
                    antialias=False):
    """Resizes keeping the aspect ratio, then pads with zeros (centrally) to the target."""
    image = _t(image)
    _check_image(image)
    target_height = _static_int(target_height, "target_height")
    target_width = _static_int(target_width, "target_width")
    if target_width <= 0:
        raise ValueError("target_width must be > 0.")
    if target_height <= 0:
        raise ValueError("target_height must be > 0.")
    height, width = (xp.float32(d) for d in _height_width(image))
    # TF's float32 arithmetic for the resized size and the padding.
    ratio = max(width / xp.float32(target_width), height / xp.float32(target_height))
    new_height, new_width = height / ratio, width / ratio
    pad_top = max(0, int(xp.floor((xp.float32(target_height) - new_height) / xp.float32(2))))
    pad_left = max(0, int(xp.floor((xp.float32(target_width) - new_width) / xp.float32(2))))
    resized = resize(image, [int(xp.floor(new_height)), int(xp.floor(new_width))], method,
                     antialias=antialias)
    return pad_to_bounding_box(resized, pad_top, pad_left, target_height, target_width)


def central_crop(image, central_fraction):
    """The central `central_fraction` (in (0, 1]) of each side of the image(s)."""
    image = _t(image)
    if central_fraction <= 0.0 or central_fraction > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    if central_fraction == 1.0:
        return image
    _check_image(image)
    height, width = _height_width(image)
    top = int((height - height * central_fraction) / 2)
    left = int((width - width * central_fraction) / 2)
    return _spatial_slice(image, slice(top, height - top), slice(left, width - left))


def _random_crop(value, size, offsets_for):
    value = _t(value)
    size = [_static_int(s, "size") for s in (size.numpy() if tensor_like(size) else size)]
    dims = _dims(value)
    if len(size) != len(dims):
        raise InvalidArgumentError(None, None, f"Incompatible shapes: [{len(dims)}] vs. "
                                   f"[{len(size)}] [Op:GreaterEqual]")
    if None in dims:
        raise NotImplementedError("random_crop needs a static value shape in tapeflow.")
    if any(d < s for d, s in zip(dims, size)):
        raise InvalidArgumentError(None, None, "Need value.shape >= size, got "
                                   f"{list(dims)} {size}")
    limit = convert_to_tensor(xp.array([d - s + 1 for d, s in zip(dims, size)], xp.int32))
    offsets = _math.floormod(offsets_for([len(dims)]), limit)
    key = tuple(slice(offsets[i], offsets[i] + s) for i, s in enumerate(size))
    return value[key]


def random_crop(value, size, seed=None, name=None):
    """A random `size` window of `value` (any rank)."""
    from tapeflow.ops.random import uniform
    return _random_crop(value, size, lambda shape: uniform(
        shape, maxval=dtypes.int32.max, dtype=dtypes.int32, seed=seed))


def stateless_random_crop(value, size, seed, name=None):
    """Like `random_crop`, deterministic for a seed of shape [2]."""
    from tapeflow.ops.stateless_random import stateless_uniform
    return _random_crop(value, size, lambda shape: stateless_uniform(
        shape, seed, maxval=dtypes.int32.max, dtype=dtypes.int32))


# ==================================================================================
# dtype conversion, brightness, contrast, gamma, standardization, color
# ==================================================================================

def _saturate_cast(x, dtype):
    """Clamps to the range of `dtype` (in x's dtype), then casts."""
    if x.dtype.min < dtype.min:
        x = _math.maximum(x, convert_to_tensor(dtype.min, dtype=x.dtype))
    if x.dtype.max > dtype.max:
        x = _math.minimum(x, convert_to_tensor(dtype.max, dtype=x.dtype))
    return _math.cast(x, dtype)


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Converts between image dtypes, rescaling: floats span [0, 1], integers [0, max].

    Integer to integer shifts by the ratio of the ranges; integer to float casts
    then scales by 1/max; float to integer scales by max + 0.5 then casts
    (clamping first when `saturate`).

    >>> tf.image.convert_image_dtype(tf.constant([0, 255], tf.uint8), tf.float32).numpy()
    array([0., 1.], dtype=float32)
    """
    image = _t(image)
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer) or dtype.is_bool:
        raise AttributeError("dtype must be either floating point or integer")
    if not (image.dtype.is_floating or image.dtype.is_integer) or image.dtype.is_bool:
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype is image.dtype:
        return _array.identity(image)
    cast = _saturate_cast if saturate else _math.cast
    if image.dtype.is_integer and dtype.is_integer:
        if image.dtype.max > dtype.max:
            scale = (image.dtype.max + 1) // (dtype.max + 1)
            return cast(_math.floordiv(image, convert_to_tensor(scale, dtype=image.dtype)), dtype)
        scale = (dtype.max + 1) // (image.dtype.max + 1)
        return _math.multiply(cast(image, dtype), convert_to_tensor(scale, dtype=dtype))
    if image.dtype.is_floating and dtype.is_floating:
        return _math.cast(image, dtype)
    if image.dtype.is_integer:
        scale = convert_to_tensor(1.0 / image.dtype.max, dtype=dtype)
        return _math.multiply(_math.cast(image, dtype), scale)
    scale = convert_to_tensor(dtype.max + 0.5, dtype=image.dtype)
    return cast(_math.multiply(image, scale), dtype)


def _to_working_float(image):
    """TF's convention: float16/float32 images stay; others go to float32 (rescaled)."""
    if image.dtype in (dtypes.float16, dtypes.float32):
        return image
    return convert_image_dtype(image, dtypes.float32)


def adjust_brightness(image, delta):
    """Adds `delta` to every value (in the [0, 1] float scale for integer images)."""
    image = _t(image)
    flt = _to_working_float(image)
    adjusted = _math.add(flt, _math.cast(_t(delta), flt.dtype))
    return convert_image_dtype(adjusted, image.dtype, saturate=True)


def adjust_contrast(images, contrast_factor):
    """`(x - mean) * contrast_factor + mean`, with the mean per image and channel."""
    images = _t(images)
    flt = _to_working_float(images)
    factor = _math.cast(_t(contrast_factor), dtypes.float32)
    adjusted = apply(AdjustContrastv2, flt, factor)
    return convert_image_dtype(adjusted, images.dtype, saturate=True)


def adjust_gamma(image, gamma=1, gain=1):
    """`gain * image ** gamma` (in the [0, 1] float scale for integer images)."""
    image = _t(image)
    flt = _to_working_float(image)
    if not tensor_like(gamma) and gamma < 0:
        raise ValueError("Gamma should be a non-negative real number.")
    adjusted = _math.multiply(convert_to_tensor(gain, dtype=flt.dtype),
                              _math.pow(flt, convert_to_tensor(gamma, dtype=flt.dtype)))
    return convert_image_dtype(adjusted, image.dtype, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """`adjust_brightness` by a delta drawn uniformly from [-max_delta, max_delta)."""
    from tapeflow.ops.random import uniform
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, uniform([], -max_delta, max_delta, seed=seed))


def random_contrast(image, lower, upper, seed=None):
    """`adjust_contrast` by a factor drawn uniformly from [lower, upper)."""
    from tapeflow.ops.random import uniform
    _check_contrast_range(lower, upper)
    return adjust_contrast(image, uniform([], lower, upper, seed=seed))


def _check_contrast_range(lower, upper):
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def stateless_random_brightness(image, max_delta, seed):
    """Like `random_brightness`, deterministic for a seed of shape [2]."""
    from tapeflow.ops.stateless_random import stateless_uniform
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, stateless_uniform([], seed, -max_delta, max_delta))


def stateless_random_contrast(image, lower, upper, seed):
    """Like `random_contrast`, deterministic for a seed of shape [2]."""
    from tapeflow.ops.stateless_random import stateless_uniform
    _check_contrast_range(lower, upper)
    return adjust_contrast(image, stateless_uniform([], seed, lower, upper))


def per_image_standardization(image):
    """`(x - mean) / max(stddev, 1 / sqrt(N))` per image, N its number of values (float32).

    >>> tf.image.per_image_standardization(tf.ones([2, 2, 1])).numpy().ravel()
    array([0., 0., 0., 0.], dtype=float32)
    """
    image = _t(image)
    _check_image(image, three_or_four=False)
    image = _math.cast(image, dtypes.float32)
    dims = _dims(image)
    axes = [-1, -2, -3]
    mean = _math.reduce_mean(image, axis=axes, keepdims=True)
    centered = _math.subtract(image, mean)
    stddev = _math.sqrt(_math.reduce_mean(_math.square(centered), axis=axes, keepdims=True))
    if dims is not None and None not in dims[-3:]:
        count = convert_to_tensor(float(dims[-3] * dims[-2] * dims[-1]), dtype=dtypes.float32)
    else:
        # Values per image = all values / number of images (the mean has one per image).
        count = _math.divide(_math.cast(_array.size(image), dtypes.float32),
                             _math.cast(_array.size(mean), dtypes.float32))
    min_stddev = _math.rsqrt(count)
    return _math.divide(centered, _math.maximum(stddev, min_stddev))


_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)


def rgb_to_grayscale(images, name=None):
    """Luma `0.2989 R + 0.5870 G + 0.1140 B`, keeping a last axis of size 1."""
    images = _t(images)
    flt = convert_image_dtype(images, dtypes.float32)
    weights = convert_to_tensor(xp.array(_GRAY_WEIGHTS, dtype=xp.float32))
    gray = _math.reduce_sum(_math.multiply(flt, weights), axis=-1, keepdims=True)
    return convert_image_dtype(gray, images.dtype)


def grayscale_to_rgb(images, name=None):
    """Repeats the single channel three times."""
    images = _t(images)
    dims = _dims(images)
    if dims is not None:
        if len(dims) < 2:
            raise ValueError(f"A grayscale image (shape {TensorShape(dims)}) must be at least "
                             "two-dimensional.")
        if dims[-1] is not None and dims[-1] != 1:
            raise ValueError("Last dimension of a grayscale image should be size 1.")
    return _array.concat([images, images, images], axis=-1)
