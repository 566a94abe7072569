"""`tf.signal`: FFTs, windows, framing and STFT (tapeflow.ops.signal)."""
from tapeflow.ops.signal import (fft, fft2d, fft3d, fftshift, frame, hamming_window,
                                 hann_window, ifft, ifft2d, ifft3d, ifftshift, inverse_stft,
                                 inverse_stft_window_fn, irfft, irfft2d, irfft3d,
                                 overlap_and_add, rfft, rfft2d, rfft3d, stft)

__all__ = [name for name in dir() if not name.startswith("_")]
