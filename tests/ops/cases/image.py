"""Cases for tapeflow.ops.image: the resize kernels, their gradient ops, AdjustContrastv2.

The references below resample pixel by pixel in float64 from TF's documented
half-pixel-center rules (TF's exact float32 numbers are checked against
recorded TF output in tests/ops/test_image.py). The resize ops return float32
even for float64 images, as in TF, so their own gradients are checked in
test_image.py with a finite-difference step suited to float32 outputs; the
gradient ops (adjoints) are checked here, including their gradients (the
resize ops themselves).
"""
import math

import numpy as np

import tapeflow as tf
from tapeflow.core.dispatch import apply
from tapeflow.ops import image as image_ops
from tests.ops.cases import Case, inputs, normal

_SIZE = (5, 3)          # from a 4 x 6 image: upsample rows, downsample columns


def _coordinate(i, in_size, out_size):
    return (i + 0.5) * in_size / out_size - 0.5


def _linear_weights(in_size, out_size):
    """[out, in] matrix: row i mixes the two input pixels around its sample point."""
    matrix = np.zeros((out_size, in_size))
    for i in range(out_size):
        position = _coordinate(i, in_size, out_size)
        low = math.floor(position)
        lerp = position - low
        matrix[i, min(max(low, 0), in_size - 1)] += 1 - lerp
        matrix[i, min(max(low + 1, 0), in_size - 1)] += lerp
    return matrix


def _nearest_weights(in_size, out_size):
    matrix = np.zeros((out_size, in_size))
    for i in range(out_size):
        matrix[i, min(math.floor((i + 0.5) * in_size / out_size), in_size - 1)] = 1
    return matrix


def _keys(t):
    """Keys' cubic convolution kernel with a = -0.5."""
    t = abs(t)
    if t <= 1:
        return 1.5 * t ** 3 - 2.5 * t ** 2 + 1
    if t < 2:
        return -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2
    return 0.0


def _cubic_weights(in_size, out_size):
    """Keys' weights at the sample's distance to 4 neighbours (the fraction rounded to
    1/1024, as TF's table does); taps outside the image dropped and the rest renormalized."""
    matrix = np.zeros((out_size, in_size))
    for i in range(out_size):
        position = _coordinate(i, in_size, out_size)
        base = math.floor(position)
        fraction = round((position - base) * 1024) / 1024
        taps = {base + k: _keys(k - fraction) for k in (-1, 0, 1, 2)}
        inside = {j: w for j, w in taps.items() if 0 <= j < in_size}
        total = sum(inside.values())
        for j, w in inside.items():
            matrix[i, j] = w / total
    return matrix


def _area_weights(in_size, out_size):
    """Each output cell averages the input cells it covers, weighted by the overlap."""
    scale = in_size / out_size
    matrix = np.zeros((out_size, in_size))
    for i in range(out_size):
        start, end = i * scale, (i + 1) * scale
        for j in range(in_size):
            matrix[i, j] = max(0.0, min(j + 1, end) - max(j, start)) / scale
    return matrix


def _resample(weights, keep_dtype=False):
    """The reference resize: float32 output, or the input's dtype (`keep_dtype`)."""
    def reference(images, size=_SIZE):
        rows = weights(images.shape[1], size[0])
        cols = weights(images.shape[2], size[1])
        out = np.einsum("yi,bijc,xj->byxc", rows, images.astype(np.float64), cols)
        return out.astype(images.dtype if keep_dtype else np.float32)
    return reference


def _adjoint(weights):
    def reference(dy, images):
        rows = weights(images.shape[1], dy.shape[1])
        cols = weights(images.shape[2], dy.shape[2])
        return np.einsum("yi,byxc,xj->bijc", rows, dy, cols).astype(images.dtype)
    return reference


def _resize(method):
    return lambda x: tf.image.resize(x, _SIZE, method=method)


def _grad_op(op):
    return lambda dy, images: apply(op, dy, images)


def _contrast_reference(images, factor):
    mean = images.mean(axis=(-3, -2), keepdims=True)
    return ((images - mean) * factor + mean).astype(np.float32)


_IMAGES = inputs(normal(2, 4, 6, 3))
_DY_AND_IMAGES = inputs(normal(2, *_SIZE, 3), normal(2, 4, 6, 3))
_RESIZE_TOLERANCE = dict(rtol=2e-5, atol=2e-5, dtypes=("float32",))   # float32 math, as TF

CASES = [
    Case("ResizeBilinear", _resize("bilinear"), _IMAGES, _resample(_linear_weights),
         grad=False, **_RESIZE_TOLERANCE),
    Case("ResizeBilinear", lambda x: tf.image.resize(x[0], (7, 9)),
         _IMAGES, lambda x: _resample(_linear_weights)(x[:1], (7, 9))[0], grad=False,
         label="single_image_upsample", **_RESIZE_TOLERANCE),
    Case("ResizeNearestNeighbor", _resize("nearest"), _IMAGES,
         _resample(_nearest_weights, keep_dtype=True), grad=False),
    Case("ResizeBicubic", _resize("bicubic"), _IMAGES, _resample(_cubic_weights), grad=False,
         **_RESIZE_TOLERANCE),
    Case("ResizeArea", _resize("area"), _IMAGES, _resample(_area_weights), grad=False,
         **_RESIZE_TOLERANCE),
    Case("ResizeBilinearGrad", _grad_op(image_ops.ResizeBilinearGrad), _DY_AND_IMAGES,
         _adjoint(_linear_weights), wrt=(0,), **_RESIZE_TOLERANCE),
    Case("ResizeNearestNeighborGrad", _grad_op(image_ops.ResizeNearestNeighborGrad),
         _DY_AND_IMAGES, _adjoint(_nearest_weights), wrt=(0,), **_RESIZE_TOLERANCE),
    Case("ResizeBicubicGrad", _grad_op(image_ops.ResizeBicubicGrad), _DY_AND_IMAGES,
         _adjoint(_cubic_weights), wrt=(0,), **_RESIZE_TOLERANCE),
    Case("AdjustContrastv2", lambda x: tf.image.adjust_contrast(x, 1.7), _IMAGES,
         lambda x: _contrast_reference(x, 1.7), dtypes=("float32",), grad=False),
]

_FLOAT32_OUTPUT = ("tests/ops/test_image.py (TF's numbers; gradients by finite differences "
                   "with a step suited to the op's float32 output)")
EXEMPT = {"ResizeBilinear": _FLOAT32_OUTPUT, "ResizeNearestNeighbor": _FLOAT32_OUTPUT,
          "ResizeBicubic": _FLOAT32_OUTPUT}
