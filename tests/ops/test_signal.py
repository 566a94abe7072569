"""tf.signal: values, dtypes, errors and gradients from TF 2.21."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.testing.gradient_checker import check_gradients


def test_ffts_match_tf():
    np.testing.assert_allclose(tf.signal.fft(tf.constant([1 + 0j, 2 + 1j])), [3 + 1j, -1 - 1j])
    assert tf.signal.fft(tf.constant([1 + 0j], tf.complex64)).dtype == tf.complex64
    with pytest.raises(tf.errors.InvalidArgumentError, match="of float is not in the list"):
        tf.signal.fft(tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input must have rank of at least 1 but got: \\[\\]"):
        tf.signal.fft(tf.constant(1 + 0j, tf.complex64))
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(tf.signal.rfft(x), [10, -2 + 2j, -2])
    np.testing.assert_allclose(tf.signal.rfft(x, fft_length=[6]),
                               [10, -3.5 - 4.330127j, 2.5 + 0.8660253j, -2], rtol=1e-6)
    np.testing.assert_allclose(tf.signal.rfft(x, fft_length=[2]), [3, -1])
    assert tf.signal.rfft(tf.constant([1.0, 2.0], tf.float64)).dtype == tf.complex128
    with pytest.raises(ValueError, match="RFFT requires tf.float32 or tf.float64 inputs"):
        tf.signal.rfft(tf.constant([1, 2]))
    np.testing.assert_allclose(tf.signal.irfft(tf.signal.rfft(x)), [1, 2, 3, 4], atol=1e-6)
    y = tf.constant([1 + 1j, 2 + 0j, 3 + 1j], tf.complex64)
    np.testing.assert_allclose(tf.signal.irfft(y, fft_length=[5]),
                               [2.2, -0.75872093, 0.30402943, -0.4568158, -0.28849274],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tf.signal.irfft(y), [2.0, -0.5, 0.0, -0.5], atol=1e-6)
    np.testing.assert_allclose(tf.signal.fft2d(tf.constant([[1 + 0j, 2], [3, 4]], tf.complex64)),
                               [[10, -2], [-4, 0]])
    np.testing.assert_allclose(tf.signal.rfft2d(tf.constant([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])),
                               [[18, -3 + 1.7320508j], [-6, 0]], rtol=1e-6, atol=1e-6)
    image = np.random.default_rng(0).standard_normal((3, 4, 6))
    np.testing.assert_allclose(tf.signal.irfft2d(tf.signal.rfft2d(image)), image, atol=1e-12)
    np.testing.assert_allclose(tf.signal.irfft3d(tf.signal.rfft3d(image)), image, atol=1e-12)
    np.testing.assert_array_equal(tf.signal.fftshift(tf.range(5)), np.fft.fftshift(np.arange(5)))
    np.testing.assert_array_equal(tf.signal.ifftshift(tf.range(6)),
                                  np.fft.ifftshift(np.arange(6)))


def test_fft_gradients_match_tf():
    x = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.abs(tf.signal.rfft(x)) ** 2 * tf.constant([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(tape.gradient(loss, x), [0, 24, 16, 40], atol=1e-5)
    c = tf.constant([1 + 2j, 2 - 1j, 0.5 + 0.5j], tf.complex64)
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.signal.fft(c)
        loss = tf.reduce_sum(tf.math.real(y) * tf.constant([1.0, 2.0, 3.0]) + tf.math.imag(y))
    np.testing.assert_allclose(tape.gradient(loss, c),
                               [6 + 3j, -1.5 - 0.8660254j, -1.5 + 0.8660254j], rtol=1e-6)
    z = tf.constant([1 + 1j, 2 + 0.5j, 3 - 1j], tf.complex64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = tf.reduce_sum(tf.signal.irfft(z) * tf.constant([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_allclose(tape.gradient(loss, z), [2.5, -1 + 1j, -0.5], atol=1e-6)
    check_gradients(lambda s: tf.abs(tf.signal.stft(s, 8, 4)), [np.sin(np.arange(20.0))])


def test_windows_match_tf():
    np.testing.assert_allclose(tf.signal.hann_window(5), [0, 0.5, 1, 0.5, 0], atol=1e-7)
    np.testing.assert_allclose(tf.signal.hann_window(5, periodic=False), [0, 0.5, 1, 0.5, 0],
                               atol=1e-7)
    np.testing.assert_allclose(tf.signal.hann_window(4), [0, 0.5, 1, 0.5], atol=1e-7)
    np.testing.assert_allclose(tf.signal.hann_window(4, periodic=False),
                               [0, 0.75, 0.75, 0], atol=1e-7)
    assert tf.signal.hann_window(1).numpy().tolist() == [1.0]
    assert tf.signal.hann_window(0).shape == (0,)
    assert tf.signal.hamming_window(4).numpy().tolist() == np.array(
        [0.08000001, 0.54, 1.0, 0.54], np.float32).tolist()
    assert tf.signal.hann_window(3, dtype=tf.float64).dtype == tf.float64
    with pytest.raises(ValueError, match="dtype must be a floating point type. Found "
                                         "<dtype: 'int32'>"):
        tf.signal.hann_window(3, dtype=tf.int32)


def test_frame_and_overlap_and_add_match_tf():
    assert tf.signal.frame(tf.range(7), 3, 2).numpy().tolist() == [[0, 1, 2], [2, 3, 4],
                                                                   [4, 5, 6]]
    assert tf.signal.frame(tf.range(7), 3, 2, pad_end=True, pad_value=-1).numpy().tolist() == [
        [0, 1, 2], [2, 3, 4], [4, 5, 6], [6, -1, -1]]
    framed = tf.signal.frame(tf.reshape(tf.range(12), [6, 2]), 3, 3, axis=0)
    assert framed.shape == (2, 3, 2) and framed.numpy()[1, 0].tolist() == [6, 7]
    assert tf.signal.frame(tf.range(2), 3, 1).shape == (0, 3)
    assert tf.signal.frame(tf.range(2), 3, 1, pad_end=True).numpy().tolist() == [[0, 1, 0],
                                                                                 [1, 0, 0]]
    frames = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert tf.signal.overlap_and_add(frames, 2).numpy().tolist() == [1, 2, 7, 5, 6]
    batched = tf.signal.overlap_and_add(tf.stack([frames, frames * 2]), 2)
    assert batched.numpy().tolist() == [[1, 2, 7, 5, 6], [2, 4, 14, 10, 12]]


def test_stft_and_inverse_match_tf():
    signal = tf.sin(tf.range(16, dtype=tf.float32))
    spectrum = tf.signal.stft(signal, 8, 4)
    assert spectrum.shape == (3, 5) and spectrum.dtype == tf.complex64
    np.testing.assert_allclose(spectrum.numpy()[0, :3],
                               [-0.9205, 1.4056 - 1.2774j, -1.0717 + 0.9119j], atol=1e-4)
    assert tf.signal.stft(tf.range(16, dtype=tf.float32), 6, 3).shape == (4, 5)
    expected = [0.0, 0.018, 0.2273, 0.1028, -0.7568, -0.7192, -0.1397, 0.4927, 0.9894, 0.3091,
                -0.272, -0.75, -0.5366, 0.3061, 0.2477, 0.0139]
    np.testing.assert_allclose(tf.signal.inverse_stft(spectrum, 8, 4), expected, atol=1e-4)
    window = tf.signal.inverse_stft_window_fn(4)
    restored = tf.signal.inverse_stft(spectrum, 8, 4, window_fn=window)
    np.testing.assert_allclose(restored[4:12], signal[4:12], atol=1e-5)   # exact where covered
