"""What each summary kind stores: histogram buckets, PNG images, WAV audio.

Pure NumPy (via `xp`) and the standard library, arrays in and arrays out. The
formats are the ones TensorBoard's plugins read: a histogram is a float64
`[k, 3]` tensor of (left edge, right edge, count) rows; an image summary is a
string vector `[width, height, png_1, ..., png_n]`; an audio summary is a
string matrix `[n, 2]` of (WAV bytes, label) rows.
"""
import struct
import zlib

from tapeflow.core.array_api import xp

DEFAULT_BUCKET_COUNT = 30


# -- histograms ----------------------------------------------------------------------

def histogram_buckets(data, bucket_count=DEFAULT_BUCKET_COUNT):
    """Counts `data` in `bucket_count` equal-width buckets between its min and max.

    Returns a float64 array of shape `[bucket_count, 3]`: (left, right, count)
    rows, as TensorBoard's `tf.summary.histogram` writes them. A value on an
    inner edge counts in the bucket to its right; the maximum counts in the last
    bucket. When all values are equal every bucket is `[v, v]` and the last one
    holds them all; with no data every row is zeros.
    """
    x = xp.asarray(data, dtype=xp.float64).reshape(-1)
    if bucket_count == 0:
        return xp.zeros((0, 3), dtype=xp.float64)
    if x.size == 0:
        return xp.zeros((bucket_count, 3), dtype=xp.float64)
    low, high = x.min(), x.max()
    counts = xp.zeros(bucket_count, dtype=xp.float64)
    if low == high:
        edges = xp.full(bucket_count + 1, low)
        counts[-1] = x.size
    else:
        width = (high - low) / bucket_count
        index = xp.minimum(xp.floor((x - low) / width).astype(xp.int64), bucket_count - 1)
        counts[:] = xp.bincount(index, minlength=bucket_count)
        edges = xp.linspace(low, high, bucket_count + 1)
    return xp.stack([edges[:-1], edges[1:], counts], axis=1)


# -- images --------------------------------------------------------------------------

def to_uint8(images):
    """Converts images to uint8 like `tf.image.convert_image_dtype(..., saturate=True)`.

    Floats are taken to lie in [0, 1]: they are scaled by 255.5 (in their own
    precision), clipped to [0, 255] and truncated, so 0.5 -> 127 and 0.999 -> 255;
    NaN becomes 0. Wider integers are divided down by a power of two (uint16:
    `x // 256`), narrower ones multiplied up; negative values clip to 0.
    """
    images = xp.asarray(images)
    kind = images.dtype.kind
    if images.dtype == xp.uint8:
        return images
    if kind == "f":
        scaled = images * images.dtype.type(255.5)
        scaled = xp.where(xp.isnan(scaled), 0, scaled)
        return xp.clip(scaled, 0, 255).astype(xp.uint8)
    if kind in "iu":
        bits = images.dtype.itemsize * 8 - (1 if kind == "i" else 0)   # value bits
        if bits > 8:
            images = images // (1 << (bits - 8))
        else:
            images = images.astype(xp.int64) * (1 << (8 - bits))
        return xp.clip(images, 0, 255).astype(xp.uint8)
    if kind == "b":
        return images.astype(xp.uint8) * 255
    raise TypeError(f"images of dtype {images.dtype} cannot be converted to uint8")


def encode_png(image):
    """PNG bytes for one uint8 image of shape `[height, width, channels]` (1-4 channels).

    Every row uses filter type 0 (none) and zlib's default compression; PNG
    readers accept any filter choice, so this is enough for TensorBoard.
    """
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]    # gray, gray+alpha, RGB, RGBA
    rows = xp.zeros((height, 1 + width * channels), dtype=xp.uint8)  # byte 0: filter
    rows[:, 1:] = image.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes())),
                     _png_chunk(b"IEND", b"")))


def _png_chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF         # PNG uses zlib's CRC32
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def image_tensor(images, max_outputs):
    """The image summary tensor: `[b"width", b"height", png, ...]` for the first images."""
    images = to_uint8(images)[:max_outputs]
    height, width = images.shape[1], images.shape[2]
    out = xp.empty(2 + len(images), dtype=object)
    out[0], out[1] = str(width).encode(), str(height).encode()
    for i, image in enumerate(images):
        out[2 + i] = encode_png(image)
    return out


# -- audio ---------------------------------------------------------------------------

def encode_wav(audio, sample_rate):
    """16-bit PCM WAV bytes for float samples in [-1, 1] of shape `[frames, channels]`.

    Samples are scaled by 32768, rounded half away from zero and clipped to
    int16 (1.0 -> 32767, -1.0 -> -32768); NaN becomes 0.
    """
    frames, channels = audio.shape
    scaled = xp.nan_to_num(audio.astype(xp.float64) * 32768.0)
    samples = xp.clip(xp.trunc(scaled + xp.copysign(0.5, scaled)), -32768, 32767)
    data = samples.astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, channels, sample_rate, sample_rate * channels * 2,
                      channels * 2, 16)
    return b"".join((b"RIFF", struct.pack("<I", 36 + len(data)), b"WAVE",
                     b"fmt ", struct.pack("<I", len(fmt)), fmt,
                     b"data", struct.pack("<I", len(data)), data))


def audio_tensor(audio, sample_rate, max_outputs):
    """The audio summary tensor: `[n, 2]` rows of (WAV bytes, empty label)."""
    clips = audio[:max_outputs]
    out = xp.empty((len(clips), 2), dtype=object)
    for i, clip in enumerate(clips):
        out[i, 0], out[i, 1] = encode_wav(clip, sample_rate), b""
    return out
