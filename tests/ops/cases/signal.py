"""Cases for the FFT ops of tf.signal; complex values are built from real inputs inside
`fn` so that the gradient checks run on real float64 arrays."""
import numpy as np

import tapeflow as tf
import tapeflow.ops.signal  # noqa: F401 - registers the ops before the registry lists them
from tests.ops.cases import Case, inputs, normal


def _complex_case(op, transform, reference, shape, label=""):
    def fn(re, im):
        out = transform(tf.complex(re, im))
        return [tf.math.real(out), tf.math.imag(out)]

    def ref(re, im):
        out = reference(re + 1j * im)
        return [out.real.astype(re.dtype), out.imag.astype(re.dtype)]

    return Case(op, fn, inputs(normal(*shape), normal(*shape)), ref, rtol=1e-4, atol=1e-5,
                label=label)


CASES = [
    _complex_case("FFT", tf.signal.fft, np.fft.fft, (3, 6)),
    _complex_case("IFFT", tf.signal.ifft, np.fft.ifft, (2, 5)),
    _complex_case("FFT2D", tf.signal.fft2d, np.fft.fft2, (2, 3, 4)),
    _complex_case("IFFT2D", tf.signal.ifft2d, np.fft.ifft2, (3, 4)),
    _complex_case("FFT3D", tf.signal.fft3d, lambda x: np.fft.fftn(x, axes=(-3, -2, -1)),
                  (2, 3, 2)),
    _complex_case("IFFT3D", tf.signal.ifft3d, lambda x: np.fft.ifftn(x, axes=(-3, -2, -1)),
                  (2, 2, 3)),
    Case("FFT", lambda x: tf.abs(tf.signal.rfft(x, fft_length=[10])), inputs(normal(2, 8)),
         lambda x: np.abs(np.fft.rfft(x, n=10)).astype(x.dtype), rtol=1e-4, atol=1e-5,
         label="rfft_padded"),
    Case("IFFT", lambda re, im: tf.signal.irfft(tf.complex(re, im), fft_length=[7]),
         inputs(normal(2, 4), normal(2, 4)),
         lambda re, im: np.fft.irfft(re + 1j * im, n=7).astype(re.dtype), rtol=1e-4,
         atol=1e-5, label="irfft"),
]
