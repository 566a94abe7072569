"""tf.image: TF's numbers (recorded from TensorFlow 2.21 on CPU), errors and gradients."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.testing.gradient_checker import check_gradients

X = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1) ** 1.5
U = np.arange(15, dtype=np.float32).reshape(1, 5, 3, 1)

RESIZED = {
    "bilinear": [[0.1666666865348816, 1.9142135381698608, 4.80153226852417],
                 [3.5120229721069336, 6.323984146118164, 10.034135818481445],
                 [8.530056953430176, 12.938638687133789, 17.883039474487305],
                 [17.425731658935547, 22.762290954589844, 28.556930541992188],
                 [23.35618019104004, 29.31138801574707, 35.672855377197266]],
    "nearest": [[0.0, 2.8284270763397217, 5.196152687072754],
                [0.0, 2.8284270763397217, 5.196152687072754],
                [8.0, 14.696938514709473, 18.5202579498291],
                [22.627416610717773, 31.62277603149414, 36.482872009277344],
                [22.627416610717773, 31.62277603149414, 36.482872009277344]],
    "bicubic": [[-0.5276005864143372, 0.9926835298538208, 3.95099139213562],
                [2.3230273723602295, 4.981886386871338, 8.77316665649414],
                [8.324143409729004, 12.898452758789062, 18.12277603149414],
                [18.263784408569336, 24.02373504638672, 30.298877716064453],
                [24.189498901367188, 30.518213272094727, 37.32789611816406]],
    "area": [[0.2500000298023224, 1.9142135381698608, 4.604220867156982],
             [3.0983622074127197, 5.589022636413574, 8.924290657043457],
             [8.795084953308105, 12.938638687133789, 17.564424514770508],
             [18.745405197143555, 23.85380744934082, 29.36670684814453],
             [23.720558166503906, 29.311382293701172, 35.26783752441406]],
}
RESIZE_GRADIENTS = {
    "bilinear": [[1.4999998807907104, 2.0, 2.533332347869873, 4.1666669845581055],
                 [8.999999046325684, 8.09999942779541, 8.699996948242188, 12.000000953674316],
                 [14.5, 12.40000057220459, 12.933330535888672, 17.166669845581055]],
    "nearest": [[3.0, 0.0, 5.0, 7.0], [6.0, 0.0, 7.0, 8.0], [21.0, 0.0, 23.0, 25.0]],
    "bicubic": [[1.165505051612854, 1.9516923427581787, 2.408573627471924, 4.141361236572266],
                [8.005104064941406, 7.548521041870117, 7.994936466217041, 10.912788391113281],
                [15.220076560974121, 13.499311447143555, 13.956193923950195,
                 18.195932388305664]],
}


def _equal(tensor, expected, dtype):
    assert tensor.dtype == dtype
    np.testing.assert_array_equal(tensor.numpy(), np.array(expected, dtype=dtype.as_numpy_dtype))


# -- resize -------------------------------------------------------------------------------

@pytest.mark.parametrize("method", sorted(RESIZED))
def test_resize_matches_tf_bit_for_bit(method):
    _equal(tf.image.resize(X, [5, 3], method=method)[0, ..., 0], RESIZED[method], tf.float32)


@pytest.mark.parametrize("method", sorted(RESIZE_GRADIENTS))
def test_resize_gradients_match_tf_bit_for_bit(method):
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.image.resize(x, [5, 3], method=method)
    grad = tape.gradient(y, x, output_gradients=tf.constant(U))
    _equal(grad[0, ..., 0], RESIZE_GRADIENTS[method], tf.float32)


@pytest.mark.parametrize("method", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("size", [(5, 3), (2, 9)])
def test_resize_gradients_by_finite_differences(method, size):
    """Resizing is linear, so a wide step is exact up to the float32 output's rounding."""
    image = np.random.default_rng(0).standard_normal((2, 4, 6, 2))
    check_gradients(lambda x: tf.image.resize(x, size, method=method), [image], delta=0.5,
                    rtol=1e-4, atol=1e-4, order=2)


def test_resize_dtypes_and_shapes():
    u8 = np.array([[[[0], [255]], [[100], [30]]]], np.uint8)
    _equal(tf.image.resize(u8, [3, 3])[0, ..., 0],
           [[0.0, 127.5, 255.0], [50.0, 96.25, 142.5], [100.0, 65.0, 30.0]], tf.float32)
    _equal(tf.image.resize(u8, [3, 3], method="nearest")[0, ..., 0],
           [[0, 255, 255], [100, 30, 30], [100, 30, 30]], tf.uint8)
    assert tf.image.resize(X.astype(np.float64), [2, 2]).dtype == tf.float32
    assert tf.image.resize(X.astype(np.float64), [2, 2], method="nearest").dtype == tf.float64
    assert tf.image.resize(X[0], [7, 2]).shape == (7, 2, 1)
    assert tf.image.resize(np.zeros((1, 30, 17, 1), np.float32), [10, 10],
                           preserve_aspect_ratio=True).shape == (1, 10, 6, 1)
    assert tf.image.resize(X, [5, 3], method=tf.image.ResizeMethod.BICUBIC).shape == (1, 5, 3, 1)


def test_resize_in_tf_function_with_unknown_batch():
    resize = tf.function(lambda x: tf.image.resize(x, [5, 3]),
                         input_signature=[tf.TensorSpec([None, 3, 4, 1], tf.float32)])
    _equal(resize(tf.constant(X))[0, ..., 0], RESIZED["bilinear"], tf.float32)


@pytest.mark.parametrize("call, error, message", [
    (lambda: tf.image.resize(X[0, ..., 0], [3, 7]), ValueError,
     "'images' must have either 3 or 4 dimensions."),
    (lambda: tf.image.resize(X, [3, 7, 1]), ValueError,
     "'size' must be a 1-D Tensor of 2 elements: new_height, new_width"),
    (lambda: tf.image.resize(X, [0, 7]), tf.errors.InvalidArgumentError,
     "output dimensions must be positive [Op:ResizeBilinear]"),
    (lambda: tf.image.resize(X, [3, 7], method="foo"), ValueError,
     "Resize method is not implemented: foo"),
])
def test_resize_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


# -- flips, rotations, crops, pads ----------------------------------------------------------

IMAGE = np.arange(2 * 2 * 3, dtype=np.float32).reshape(2, 2, 3, 1)


def test_flips_rot90_transpose():
    _equal(tf.image.flip_left_right(IMAGE)[..., 0], IMAGE[:, :, ::-1, 0], tf.float32)
    _equal(tf.image.flip_up_down(IMAGE[0])[..., 0], IMAGE[0, ::-1, :, 0], tf.float32)
    _equal(tf.image.rot90(IMAGE[0], 1)[..., 0], [[2.0, 5.0], [1.0, 4.0], [0.0, 3.0]],
           tf.float32)
    _equal(tf.image.rot90(IMAGE, -1)[..., 0],
           [[[3.0, 0.0], [4.0, 1.0], [5.0, 2.0]], [[9.0, 6.0], [10.0, 7.0], [11.0, 8.0]]],
           tf.float32)
    _equal(tf.image.rot90(IMAGE, tf.constant(2))[..., 0], IMAGE[:, ::-1, ::-1, 0], tf.float32)
    _equal(tf.image.transpose(np.arange(6).reshape(2, 3, 1))[..., 0],
           [[0, 3], [1, 4], [2, 5]], tf.int64)


def test_crops_and_pads():
    _equal(tf.image.central_crop(np.arange(63, dtype=np.float32).reshape(7, 9, 1), 0.3)[..., 0],
           [[21.0, 22.0, 23.0], [30.0, 31.0, 32.0], [39.0, 40.0, 41.0]], tf.float32)
    assert tf.image.central_crop(np.zeros((2, 7, 9, 1)), 0.5).shape == (2, 5, 5, 1)
    _equal(tf.image.resize_with_crop_or_pad(np.arange(20, dtype=np.float32).reshape(4, 5, 1),
                                            3, 8)[..., 0],
           [[0, 0, 1, 2, 3, 4, 0, 0], [0, 5, 6, 7, 8, 9, 0, 0], [0, 10, 11, 12, 13, 14, 0, 0]],
           tf.float32)
    _equal(tf.image.pad_to_bounding_box(np.ones((1, 2, 2, 1), np.float32), 1, 0, 3, 4)[0, ..., 0],
           [[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]], tf.float32)
    _equal(tf.image.crop_to_bounding_box(IMAGE, 1, 1, 1, 2)[..., 0], IMAGE[:, 1:2, 1:3, 0],
           tf.float32)


def test_pad_with_unknown_batch_in_tf_function():
    pad = tf.function(lambda x: tf.image.pad_to_bounding_box(x, 1, 2, 4, 6),
                      input_signature=[tf.TensorSpec([None, 2, 3, 1], tf.float32)])
    out = pad(tf.constant(IMAGE)).numpy()
    expected = np.zeros((2, 4, 6, 1), np.float32)
    expected[:, 1:3, 2:5] = IMAGE
    np.testing.assert_array_equal(out, expected)


def test_crop_pad_flip_gradients():
    image = np.random.default_rng(1).standard_normal((2, 3, 4, 2))
    for fn in (tf.image.flip_left_right, tf.image.flip_up_down,
               lambda x: tf.image.rot90(x, 3),
               lambda x: tf.image.resize_with_crop_or_pad(x, 2, 7),
               lambda x: tf.image.central_crop(x, 0.5)):
        check_gradients(fn, [image])


@pytest.mark.parametrize("call, message", [
    (lambda: tf.image.flip_left_right(np.zeros((4, 5))),
     "'image' (shape (4, 5)) must be at least three-dimensional."),
    (lambda: tf.image.flip_left_right(np.zeros((1, 2, 4, 5, 3))),
     "'image' (shape (1, 2, 4, 5, 3))must have either 3 or 4 dimensions."),
    (lambda: tf.image.central_crop(IMAGE, 0.0), "central_fraction must be within (0, 1]"),
    (lambda: tf.image.crop_to_bounding_box(IMAGE, 1, 1, 4, 4),
     "width must be >= target + offset."),
    (lambda: tf.image.crop_to_bounding_box(IMAGE, -1, 1, 1, 1), "offset_height must be >= 0."),
    (lambda: tf.image.crop_to_bounding_box(IMAGE, 0, 0, 0, 2), "target_height must be > 0."),
    (lambda: tf.image.pad_to_bounding_box(IMAGE, 1, 1, 2, 2), "width must be <= target - offset"),
    (lambda: tf.image.pad_to_bounding_box(IMAGE, -1, 1, 6, 6), "offset_height must be >= 0"),
    (lambda: tf.image.resize_with_crop_or_pad(IMAGE, 0, 8), "target_height must be > 0."),
    (lambda: tf.image.grayscale_to_rgb(tf.zeros((2, 2, 3))),
     "Last dimension of a grayscale image should be size 1."),
    (lambda: tf.image.random_brightness(IMAGE, -1.0), "max_delta must be non-negative."),
    (lambda: tf.image.random_contrast(IMAGE, 2.0, 1.0), "upper must be > lower."),
    (lambda: tf.image.random_contrast(IMAGE, -1.0, 1.0), "lower must be non-negative."),
    (lambda: tf.image.adjust_gamma(IMAGE, -1.0), "Gamma should be a non-negative real number."),
])
def test_value_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


# -- dtype conversion and color ---------------------------------------------------------------

def test_convert_image_dtype_matches_tf():
    floats = np.array([0., 0.5, 0.998, 1.0, 1.5, -0.2], np.float32)
    _equal(tf.image.convert_image_dtype(np.array([0, 1, 128, 255], np.uint8), tf.float32),
           [0.0, 0.003921568859368563, 0.501960813999176, 1.0], tf.float32)
    _equal(tf.image.convert_image_dtype(floats, tf.uint8), [0, 127, 254, 255, 127, 205],
           tf.uint8)
    _equal(tf.image.convert_image_dtype(floats, tf.uint8, saturate=True),
           [0, 127, 254, 255, 255, 0], tf.uint8)
    _equal(tf.image.convert_image_dtype(np.array([0, 1, 255], np.uint8), tf.int32),
           [0, 8388608, 2139095040], tf.int32)
    ints = np.array([0, 2 ** 24, 2 ** 31 - 1, -5], np.int32)
    _equal(tf.image.convert_image_dtype(ints, tf.uint8), [0, 2, 255, 255], tf.uint8)
    _equal(tf.image.convert_image_dtype(ints, tf.uint8, saturate=True), [0, 2, 255, 0],
           tf.uint8)
    _equal(tf.image.convert_image_dtype(np.array([0, 100, 255], np.uint8), tf.int8),
           [0, 50, 127], tf.int8)
    _equal(tf.image.convert_image_dtype(np.array([0, 65535, 300], np.uint16), tf.float16),
           [0.0, np.inf, 0.00457763671875], tf.float16)
    _equal(tf.image.convert_image_dtype(np.array([0.5, 1.0], np.float64), tf.uint8), [127, 255],
           tf.uint8)
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(floats, tf.bool)


def test_brightness_contrast_gamma_gray_match_tf():
    _equal(tf.image.adjust_brightness(np.array([0, 100, 250], np.uint8).reshape(1, 1, 3), 0.1),
           [[[25, 125, 255]]], tf.uint8)
    _equal(tf.image.adjust_brightness(np.array([0, 100, 250], np.int32).reshape(1, 1, 3), 0.1),
           [[[214748368, 214748464, 214748624]]], tf.int32)
    _equal(tf.image.adjust_brightness(np.array([0.1, 0.2]).reshape(1, 1, 2), 0.1),
           [[[0.20000000298023224, 0.30000001192092896]]], tf.float64)
    _equal(tf.image.adjust_contrast(np.array([0, 100, 250, 30], np.uint8).reshape(2, 2, 1), 1.7),
           [[[0], [103]], [[255], [0]]], tf.uint8)
    _equal(tf.image.adjust_gamma(np.array([[[10, 200, 30]]], np.uint8), 2.0, 1.5),
           [[[0, 235, 5]]], tf.uint8)
    _equal(tf.image.rgb_to_grayscale(np.array([[[10, 200, 30]]], np.uint8)), [[[124]]], tf.uint8)
    gray = tf.image.rgb_to_grayscale(np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 24)
    np.testing.assert_allclose(
        gray.numpy().ravel(),
        [0.03395833447575569, 0.15894582867622375, 0.2839333415031433, 0.40892085433006287,
         0.5339083671569824, 0.6588958501815796, 0.7838833332061768, 0.9088708758354187],
        rtol=1e-6)
    assert tf.image.grayscale_to_rgb(tf.zeros((2, 1))).shape == (2, 3)


def test_per_image_standardization_matches_tf():
    _equal(tf.image.per_image_standardization(
        np.array([[[0], [255]], [[10], [20]]], np.uint8))[..., 0],
        [[-0.6701246500015259, 1.7282161712646484], [-0.576072096824646, -0.48201948404312134]],
        tf.float32)
    _equal(tf.image.per_image_standardization(np.ones((2, 2, 1), np.float32))[..., 0],
           [[0.0, 0.0], [0.0, 0.0]], tf.float32)
    out = tf.image.per_image_standardization(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 24)
    np.testing.assert_allclose(out.numpy().ravel()[:4], [-1.6613247394561768, -1.5168617963790894,
                                                         -1.3723987340927124, -1.2279356718063354],
                               rtol=1e-6)
    standardize = tf.function(tf.image.per_image_standardization,
                              input_signature=[tf.TensorSpec([None, 2, 2, 1], tf.float32)])
    np.testing.assert_allclose(standardize(tf.constant(IMAGE[:, :, :2])).numpy(),
                               tf.image.per_image_standardization(IMAGE[:, :, :2]).numpy(),
                               rtol=1e-6)


def test_float_color_op_gradients():
    """float32 inside (as in TF), so a step and tolerance suited to float32."""
    image = np.random.default_rng(2).random((2, 3, 4, 3))
    for fn in (tf.image.per_image_standardization, tf.image.rgb_to_grayscale,
               lambda x: tf.image.adjust_brightness(x, 0.3),
               lambda x: tf.image.adjust_gamma(x, 2.0, 0.5)):
        check_gradients(lambda x: tf.cast(fn(tf.cast(x, tf.float32)), tf.float64), [image],
                        delta=1e-2, rtol=2e-2, atol=2e-3)


# -- random image ops: TF's draws ---------------------------------------------------------------

@pytest.fixture
def seven():
    tf.random.set_seed(3)
    yield
    tf.random.set_seed(None)


def test_random_flips_match_tf(seven):
    batch = np.arange(12, dtype=np.float32).reshape(4, 1, 3, 1)
    _equal(tf.image.random_flip_left_right(batch, seed=1)[..., 0],
           [[[2.0, 1.0, 0.0]], [[5.0, 4.0, 3.0]], [[8.0, 7.0, 6.0]], [[9.0, 10.0, 11.0]]],
           tf.float32)
    flips = [tf.image.random_flip_left_right(batch[0], seed=2)[..., 0].numpy().tolist()
             for _ in range(4)]
    assert flips == [[[0.0, 1.0, 2.0]], [[2.0, 1.0, 0.0]], [[0.0, 1.0, 2.0]], [[2.0, 1.0, 0.0]]]
    _equal(tf.image.stateless_random_flip_left_right(batch, seed=[1, 2])[..., 0],
           [[[2.0, 1.0, 0.0]], [[3.0, 4.0, 5.0]], [[8.0, 7.0, 6.0]], [[9.0, 10.0, 11.0]]],
           tf.float32)


def test_random_crop_brightness_contrast_match_tf(seven):
    value = np.arange(30).reshape(5, 6, 1)
    _equal(tf.image.random_crop(value, [2, 3, 1], seed=4)[..., 0], [[7, 8, 9], [13, 14, 15]],
           tf.int64)
    _equal(tf.image.random_crop(value, [2, 3, 1], seed=4)[..., 0], [[15, 16, 17], [21, 22, 23]],
           tf.int64)
    _equal(tf.image.stateless_random_crop(value, [2, 3, 1], seed=[1, 2])[..., 0],
           [[1, 2, 3], [7, 8, 9]], tf.int64)
    _equal(tf.image.random_brightness(np.zeros((1, 1, 1), np.float32), 0.5, seed=5),
           [[[-0.10233080387115479]]], tf.float32)
    two = np.array([0., 1.], np.float32).reshape(1, 2, 1)
    _equal(tf.image.random_contrast(two, 0.2, 1.8, seed=5),
           [[[-0.3402414321899414], [1.3402414321899414]]], tf.float32)
    _equal(tf.image.stateless_random_brightness(np.zeros((1, 1, 1), np.float32), 0.5, seed=[1, 2]),
           [[[0.34406042098999023]]], tf.float32)
    _equal(tf.image.stateless_random_contrast(two, 0.2, 1.8, seed=[1, 2]),
           [[[-0.27524834871292114], [1.2752482891082764]]], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need value.shape >= size"):
        tf.image.random_crop(value, [6, 3, 1])


def test_resize_with_pad_matches_tf():
    x = np.arange(15, dtype=np.float32).reshape(3, 5, 1)
    _equal(tf.image.resize_with_pad(x, 4, 4)[..., 0],
           [[1.375, 2.625, 3.875, 5.125], [8.875, 10.125, 11.375, 12.625],
            [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], tf.float32)
    assert tf.image.resize_with_pad(x, 6, 10).shape == (6, 10, 1)
    assert tf.image.resize_with_pad(x.astype(np.uint8), 4, 4, method="nearest").dtype == tf.uint8
