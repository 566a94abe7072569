"""Signal processing (`tf.signal`): FFTs, framing, windows, STFT.

The complex FFTs over the last 1, 2 or 3 axes are primitives (NumPy's pocketfft).
Their gradients follow from the DFT matrix F being symmetric: the VJP of
y = F x is F^H dy = n * ifft(dy), and of y = ifft(x) it is fft(dy) / n (TF's
convention for complex gradients: d/dRe + i d/dIm).

The real FFTs are composites: rfft is the complex FFT of the real signal, cut
to its n // 2 + 1 non-redundant bins; irfft rebuilds the Hermitian-symmetric
spectrum and keeps the real part. Their gradients are therefore the exact
derivatives of those functions, which is what TF returns.
"""
import math

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.ops import array as _array
from tapeflow.ops import elementwise as _elementwise
from tapeflow.ops import math as _math

_COMPLEX = (dtypes.complex64, dtypes.complex128)
_REAL_OF = {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}

# ================================================================================
# Complex FFTs (primitives)
# ================================================================================


def _fft_op(name, rank, inverse):
    axes = tuple(range(-rank, 0))

    def infer(x):
        if x.dims is not None and len(x.dims) < rank:
            raise ValueError(f"Shape must be at least rank {rank} but is rank {len(x.dims)} "
                             f"for '{name}'")
        return TensorSpec(x.dims, x.dtype)

    op = Op(name, infer=infer, dtypes=_COMPLEX)

    @op.kernel
    def _(x):
        if x.ndim < rank:
            raise InvalidArgumentError(None, None, f"Input must have rank of at least {rank} "
                                       f"but got: [{','.join(map(str, x.shape))}]")
        transform = xp.fft.ifftn if inverse else xp.fft.fftn
        return transform(x, axes=axes).astype(x.dtype)
    return op


FFT, IFFT = _fft_op("FFT", 1, False), _fft_op("IFFT", 1, True)
FFT2D, IFFT2D = _fft_op("FFT2D", 2, False), _fft_op("IFFT2D", 2, True)
FFT3D, IFFT3D = _fft_op("FFT3D", 3, False), _fft_op("IFFT3D", 3, True)


def _size_of_last(x, rank):
    """The number of points of the transform (product of the last `rank` dims), as x's dtype."""
    from tapeflow.ops.reduction import reduce_prod
    size = reduce_prod(_array.shape(x)[-rank:])
    return _math.cast(size, x.dtype)


def _pair(forward, inverse, rank):
    forward.gradient(lambda dy, x, out: _math.multiply(apply(inverse, dy),
                                                       _size_of_last(dy, rank)))
    inverse.gradient(lambda dy, x, out: _math.divide(apply(forward, dy),
                                                     _size_of_last(dy, rank)))


_pair(FFT, IFFT, 1)
_pair(FFT2D, IFFT2D, 2)
_pair(FFT3D, IFFT3D, 3)


def _complex_input(x):
    return x if isinstance(x, TensorLike) else convert_to_tensor(x, dtype_hint=dtypes.complex64)


def fft(input, name=None):  # noqa: A002 - TF's argument name
    """The discrete Fourier transform over the last axis (complex input).

    >>> import tapeflow as tf
    >>> tf.signal.fft(tf.constant([1 + 0j, 2 + 0j], tf.complex64)).numpy()
    array([ 3.+0.j, -1.+0.j], dtype=complex64)
    """
    return apply(FFT, _complex_input(input))


def ifft(input, name=None):  # noqa: A002
    """The inverse DFT over the last axis (scaled by 1/n)."""
    return apply(IFFT, _complex_input(input))


def fft2d(input, name=None):  # noqa: A002
    return apply(FFT2D, _complex_input(input))


def ifft2d(input, name=None):  # noqa: A002
    return apply(IFFT2D, _complex_input(input))


def fft3d(input, name=None):  # noqa: A002
    return apply(FFT3D, _complex_input(input))


def ifft3d(input, name=None):  # noqa: A002
    return apply(IFFT3D, _complex_input(input))


# ================================================================================
# Real FFTs (composites)
# ================================================================================

def _fft_lengths(fft_length, x, rank):
    if fft_length is None:
        return None
    from tapeflow.ops.framework import get_static_value
    values = get_static_value(fft_length)
    if values is None:
        raise ValueError("tapeflow needs `fft_length` known while tracing.")
    values = [int(v) for v in xp.asarray(values).reshape(-1)]
    if len(values) != rank:
        raise ValueError(f"fft_length must have {rank} elements, got {values}")
    return values


def _fit_axis(x, axis, length):
    """`x` cut or zero-padded to `length` along `axis` (negative)."""
    size = x.shape[axis]
    if size is None:
        raise ValueError("tapeflow's real FFTs need the transformed dimensions known.")
    if size > length:
        index = [slice(None)] * x.shape.rank
        index[axis] = slice(0, length)
        return x[tuple(index)]
    if size < length:
        paddings = [[0, 0] for _ in range(x.shape.rank)]
        paddings[axis] = [0, length - size]
        from tapeflow.ops.layout import pad
        return pad(x, paddings)
    return x


def _real_input(x, name):
    x = x if isinstance(x, TensorLike) else convert_to_tensor(x)
    if x.dtype not in _COMPLEX_OF:
        raise ValueError(f"{name} requires tf.float32 or tf.float64 inputs, got: {x!r}")
    return x


def _rfftn(x, fft_length, rank, name):
    x = _real_input(x, name)
    lengths = _fft_lengths(fft_length, x, rank) or list(x.shape[-rank:])
    for i, n in enumerate(lengths):
        x = _fit_axis(x, i - rank, n)
    spectrum = _elementwise.complex(x, _array.zeros_like(x))
    spectrum = apply({1: FFT, 2: FFT2D, 3: FFT3D}[rank], spectrum)
    return spectrum[..., :lengths[-1] // 2 + 1]


def rfft(input_tensor, fft_length=None, name=None):
    """The DFT of a real signal over the last axis: the `fft_length // 2 + 1` bins up to
    the Nyquist frequency (the rest mirror them). The signal is cut or zero-padded to
    `fft_length` first.

    Raises:
      ValueError: an input that is not float32 or float64.

    >>> import tapeflow as tf
    >>> tf.signal.rfft(tf.constant([1.0, 2.0, 3.0, 4.0])).numpy()
    array([10.+0.j, -2.+2.j, -2.+0.j], dtype=complex64)
    """
    return _rfftn(input_tensor, fft_length, 1, "RFFT")


def rfft2d(input_tensor, fft_length=None, name=None):
    return _rfftn(input_tensor, fft_length, 2, "RFFT2D")


def rfft3d(input_tensor, fft_length=None, name=None):
    return _rfftn(input_tensor, fft_length, 3, "RFFT3D")


def _irfftn(y, fft_length, rank):
    y = _complex_input(y)
    if y.dtype not in _REAL_OF:
        raise ValueError(f"IRFFT requires tf.complex64 or tf.complex128 inputs, got: {y!r}")
    lengths = _fft_lengths(fft_length, y, rank)
    if lengths is None:
        lengths = list(y.shape[-rank:-1]) + [2 * (y.shape[-1] - 1)]
    for i, n in enumerate(lengths[:-1]):
        y = _fit_axis(y, i - rank, n)
    n = lengths[-1]
    y = _fit_axis(y, -1, n // 2 + 1)
    if rank > 1:
        y = apply({2: IFFT, 3: IFFT2D}[rank], _swap_last(y, rank))
        y = _swap_last(y, rank, back=True)
    mirror = _elementwise.conj(_array_reverse(y[..., 1:n - n // 2]))
    full = _array.concat([y, mirror], axis=-1)
    return _elementwise.math_real(apply(IFFT, full))


def _array_reverse(x):
    from tapeflow.ops.layout import reverse
    return reverse(x, [-1])


def _swap_last(y, rank, back=False):
    """Moves the last axis in front of the other transformed axes (or back)."""
    ndim = y.shape.rank
    perm = list(range(ndim))
    moved = perm[:ndim - rank] + ([ndim - 1] + perm[ndim - rank:ndim - 1] if not back
                                  else perm[ndim - rank + 1:] + [ndim - rank])
    return _array.transpose(y, moved)


def irfft(input_tensor, fft_length=None, name=None):
    """The real signal of length `fft_length` (default 2 * (bins - 1)) whose rfft is
    `input_tensor`; the imaginary parts of the DC and Nyquist bins are ignored.

    >>> import tapeflow as tf
    >>> tf.signal.irfft(tf.signal.rfft(tf.constant([1.0, 2.0, 3.0, 4.0]))).numpy()
    array([1., 2., 3., 4.], dtype=float32)
    """
    return _irfftn(input_tensor, fft_length, 1)


def irfft2d(input_tensor, fft_length=None, name=None):
    return _irfftn(input_tensor, fft_length, 2)


def irfft3d(input_tensor, fft_length=None, name=None):
    return _irfftn(input_tensor, fft_length, 3)


def fftshift(x, axes=None, name=None):
    """Moves the zero-frequency bin to the centre (NumPy's fftshift)."""
    from tapeflow.ops.layout import roll
    x = _as_tensor(x)
    axes = list(range(x.shape.rank)) if axes is None else (
        [axes] if isinstance(axes, int) else list(axes))
    return roll(x, [x.shape[a] // 2 for a in axes], axes)


def ifftshift(x, axes=None, name=None):
    """The inverse of fftshift."""
    from tapeflow.ops.layout import roll
    x = _as_tensor(x)
    axes = list(range(x.shape.rank)) if axes is None else (
        [axes] if isinstance(axes, int) else list(axes))
    return roll(x, [-(x.shape[a] // 2) for a in axes], axes)


def _as_tensor(x):
    return x if isinstance(x, TensorLike) else convert_to_tensor(x)


# ================================================================================
# Windows, framing, STFT
# ================================================================================

def _raised_cosine(window_length, periodic, dtype, a, b):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found <dtype: '{dtype.name}'>")
    length = int(window_length)
    if length == 1:
        return _array.ones([1], dtype=dtype)
    # As TF: an odd length gives the symmetric window even when `periodic`.
    denominator = length + (1 if periodic and length % 2 == 0 else 0) - 1
    np_type = dtype._np.type   # computed in `dtype`, as TF (hamming's first value 0.08000001)
    k = xp.arange(length).astype(dtype._np)
    angle = np_type(2 * math.pi) * k / np_type(max(denominator, 1))
    return convert_to_tensor(np_type(a) - np_type(b) * xp.cos(angle))


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """0.5 - 0.5 cos(2 pi k / N): N = length (periodic, even lengths) or length - 1.

    >>> import tapeflow as tf
    >>> tf.signal.hann_window(5).numpy()
    array([0. , 0.5, 1. , 0.5, 0. ], dtype=float32)
    """
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """0.54 - 0.46 cos(2 pi k / N), N as for hann_window."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46)


def _static_int(value, what):
    from tapeflow.ops.framework import get_static_value
    known = get_static_value(value)
    if known is None:
        raise ValueError(f"tapeflow needs `{what}` known while tracing.")
    return int(known)


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Overlapping frames of `frame_length` samples every `frame_step` along `axis`.

    The axis of length n becomes two: [frames, frame_length], with
    frames = 1 + (n - frame_length) // frame_step (0 if n < frame_length), or
    ceil(n / frame_step) with `pad_end` (the end padded with `pad_value`).

    >>> import tapeflow as tf
    >>> tf.signal.frame(tf.range(7), 3, 2).numpy()
    array([[0, 1, 2],
           [2, 3, 4],
           [4, 5, 6]], dtype=int32)
    """
    from tapeflow.ops.gather import gather
    x = _as_tensor(signal)
    length, step = _static_int(frame_length, "frame_length"), _static_int(frame_step,
                                                                           "frame_step")
    rank = x.shape.rank
    axis = axis % rank
    n = x.shape[axis]
    if n is None:
        raise ValueError("tapeflow's tf.signal.frame needs the framed dimension known.")
    if pad_end:
        frames = -(-n // step)
        needed = max(0, (frames - 1) * step + length - n)
        if needed:
            from tapeflow.ops.layout import pad
            paddings = [[0, 0] for _ in range(rank)]
            paddings[axis] = [0, needed]
            x = pad(x, paddings, constant_values=pad_value)
    else:
        frames = 1 + (n - length) // step if n >= length else 0
    indices = (xp.arange(frames)[:, None] * step + xp.arange(length)[None, :]).astype(xp.int32)
    return gather(x, convert_to_tensor(indices.reshape(frames, length)), axis=axis)


def overlap_and_add(signal, frame_step, name=None):
    """Adds up overlapping frames `[..., frames, frame_length]` placed every `frame_step`.

    >>> import tapeflow as tf
    >>> tf.signal.overlap_and_add(tf.constant([[1., 2., 3.], [4., 5., 6.]]), 2).numpy()
    array([1., 2., 7., 5., 6.], dtype=float32)
    """
    from tapeflow.ops.segment import unsorted_segment_sum
    x = _as_tensor(signal)
    if x.shape.rank is None or x.shape.rank < 2:
        raise ValueError(f"Shape {x.shape} must have rank at least 2")
    step = _static_int(frame_step, "frame_step")
    frames, length = x.shape[-2], x.shape[-1]
    if frames is None or length is None:
        raise ValueError("tapeflow's overlap_and_add needs the frame dimensions known.")
    total = (frames - 1) * step + length if frames else 0
    positions = (xp.arange(frames)[:, None] * step + xp.arange(length)[None, :]).reshape(-1)
    outer = list(range(x.shape.rank - 2))
    moved = _array.transpose(x, [x.shape.rank - 2, x.shape.rank - 1] + outer)
    flat = _array.reshape(moved, [frames * length] + [-1] if outer else [frames * length])
    summed = unsorted_segment_sum(flat, convert_to_tensor(positions.astype(xp.int32)), total)
    if not outer:
        return summed
    summed = _array.reshape(summed, [total] + [x.shape[i] for i in outer])
    return _array.transpose(summed, list(range(1, len(outer) + 1)) + [0])


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """The short-time Fourier transform: `[..., frames, fft_length // 2 + 1]`.

    Frames of `frame_length` every `frame_step` samples, each multiplied by
    `window_fn(frame_length, dtype=...)` (None: no window), then rfft'd with
    `fft_length` (default: the next power of two >= frame_length).
    """
    x = _real_input(signals, "RFFT")
    length = _static_int(frame_length, "frame_length")
    if fft_length is None:
        fft_length = 1 << max(length - 1, 0).bit_length()
    framed = frame(x, length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        framed = _math.multiply(framed, window_fn(length, dtype=x.dtype))
    return rfft(framed, [int(fft_length)])


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window for `inverse_stft` that undoes `forward_window_fn`'s overlapping squares."""
    def window(frame_length, dtype):
        forward = forward_window_fn(frame_length, dtype=dtype).numpy().astype(xp.float64)
        overlaps = -(-frame_length // frame_step)
        squares = xp.pad(forward ** 2, (0, overlaps * frame_step - frame_length))
        denominator = xp.tile(squares.reshape(overlaps, frame_step).sum(0), overlaps)
        return convert_to_tensor((forward / denominator[:frame_length]).astype(
            dtypes.as_dtype(dtype)._np))
    return window


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """Frames from each spectrum (irfft), windowed, overlapped and added."""
    y = _complex_input(stfts)
    length = _static_int(frame_length, "frame_length")
    if fft_length is None:
        fft_length = 1 << max(length - 1, 0).bit_length()
    frames = irfft(y, [int(fft_length)])
    frames = _fit_axis(frames, -1, length)
    if window_fn is not None:
        frames = _math.multiply(frames, window_fn(length, dtype=frames.dtype))
    return overlap_and_add(frames, frame_step)
