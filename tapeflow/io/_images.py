"""Image codecs: `tf.io.decode_png`, `decode_jpeg`, `decode_bmp`, `decode_gif`,
`decode_image`, `encode_png`, `encode_jpeg`.

Decoding uses the decoders of `tf.keras.utils.image_dataset_from_directory`
(PNG and BMP natively; JPEG and GIF with Pillow, `pip install tapeflow[images]`);
PNGs are encoded natively. Like TF's, these are ops, so they run inside
`tf.data` maps and traced functions; none has a gradient. JPEG decoding goes
through Pillow's libjpeg, which may differ from TF's by a level here and there.
"""
from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.io._files import as_string_tensor

_UNKNOWN_FORMAT = ("Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP "
                   "required.")


_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"BM", b"\xff\xd8", b"GIF8", b"RIFF")


def _decode(contents, channels):
    from tapeflow.keras.utils.image_decoding import decode_image
    data = contents[()] if isinstance(contents, xp.ndarray) else contents
    if not data.startswith(_SIGNATURES):
        raise InvalidArgumentError(None, None, _UNKNOWN_FORMAT)
    try:
        return decode_image(data, channels or None)
    except (ValueError, KeyError, IndexError) as error:
        message = str(error) if "Pillow" in str(error) else _UNKNOWN_FORMAT
        raise InvalidArgumentError(None, None, message) from None


def _image_infer(contents, channels, **attrs):
    return TensorSpec((None, None, channels or None), dtypes.uint8)


def _decoder(name):
    op = Op(name, infer=_image_infer, dtypes=(dtypes.string,), differentiable=False)
    op.kernel(lambda contents, channels: _decode(contents, channels))
    return op


DecodePng = _decoder("DecodePng")
DecodeJpeg = _decoder("DecodeJpeg")
DecodeBmp = _decoder("DecodeBmp")


def _check_channels(channels, allowed=(0, 1, 3, 4)):
    channels = 0 if channels is None else int(channels)
    if channels not in allowed:
        raise InvalidArgumentError(None, None, f"channels must be 0, 1, 3 or 4, got {channels}")
    return channels


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None):
    """A PNG file's pixels as uint8 `[height, width, channels]` (channels 0: as stored).

    Raises:
      InvalidArgumentError: not an image. NotImplementedError: dtype uint16.
    """
    if dtypes.as_dtype(dtype) is not dtypes.uint8:
        raise NotImplementedError("tapeflow decodes PNGs to uint8 only.")
    return apply(DecodePng, as_string_tensor(contents), channels=_check_channels(channels))


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                name=None):
    """A JPEG file's pixels as uint8 `[height, width, channels]` (needs Pillow)."""
    return apply(DecodeJpeg, as_string_tensor(contents), channels=_check_channels(channels))


def decode_bmp(contents, channels=0, name=None):
    """A BMP file's pixels as uint8 `[height, width, channels]`."""
    return apply(DecodeBmp, as_string_tensor(contents), channels=_check_channels(channels))


def _gif_infer(contents):
    return TensorSpec((None, None, None, 3), dtypes.uint8)


DecodeGif = Op("DecodeGif", infer=_gif_infer, dtypes=(dtypes.string,), differentiable=False)


@DecodeGif.kernel
def _(contents):
    return _gif_frames(contents[()] if isinstance(contents, xp.ndarray) else contents)


def _gif_frames(data):
    from tapeflow.keras.utils.image_decoding import _pillow
    image_module = _pillow()
    if image_module is None:
        raise InvalidArgumentError(None, None, "Decoding GIF images needs Pillow (pip install "
                                   "tapeflow[images]).")
    import io
    frames = []
    with image_module.open(io.BytesIO(data)) as picture:
        for index in range(getattr(picture, "n_frames", 1)):
            picture.seek(index)
            frames.append(xp.asarray(picture.convert("RGB")))
    return xp.stack(frames)


def decode_gif(contents, name=None):
    """The frames of a GIF as uint8 `[frames, height, width, 3]` (needs Pillow)."""
    return apply(DecodeGif, as_string_tensor(contents))


def _decode_image_infer(contents, channels, expand_animations):
    return TensorSpec(None if expand_animations else (None, None, channels or None),
                      dtypes.uint8)


DecodeImage = Op("DecodeImage", infer=_decode_image_infer, dtypes=(dtypes.string,),
                 differentiable=False)


@DecodeImage.kernel
def _(contents, channels, expand_animations):
    data = contents[()] if isinstance(contents, xp.ndarray) else contents
    if expand_animations and data.startswith(b"GIF8"):
        frames = _gif_frames(data)
        from tapeflow.keras.utils.image_decoding import convert_channels
        return xp.stack([convert_channels(frame, channels or None) for frame in frames])
    return _decode(data, channels)


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None,
                 expand_animations=True):
    """Any supported image file as `[height, width, channels]` (GIFs: `[frames, ...]`).

    `dtype=tf.float32` scales the pixels to [0, 1].
    """
    from tapeflow.ops.math import cast, multiply
    dtype = dtypes.as_dtype(dtype)
    image = apply(DecodeImage, as_string_tensor(contents), channels=_check_channels(channels),
                  expand_animations=bool(expand_animations))
    if dtype is dtypes.uint8:
        return image
    if not dtype.is_floating:
        raise NotImplementedError("tapeflow's decode_image gives uint8 or float images.")
    from tapeflow.core.convert import convert_to_tensor
    return multiply(cast(image, dtype), convert_to_tensor(1.0 / 255.0, dtype=dtype))


EncodePng = Op("EncodePng", infer=lambda image, compression: TensorSpec((), dtypes.string),
               dtypes=(dtypes.uint8,), differentiable=False)


@EncodePng.kernel
def _(image, compression):
    from tapeflow.summary.encoders import encode_png as encode
    if image.ndim != 3:
        raise InvalidArgumentError(None, None, f"images must be at least rank 3"
                                   f"[{','.join(map(str, image.shape))}]")
    if not 1 <= image.shape[2] <= 4:
        raise InvalidArgumentError(None, None, f"image must have 1, 2, 3, or 4 channels, got "
                                   f"{image.shape[2]}")
    return xp.array(encode(xp.ascontiguousarray(image)), dtype=object)


def encode_png(image, compression=-1, name=None):
    """PNG file bytes for a uint8 image `[height, width, channels]` (1 to 4 channels)."""
    x = image if isinstance(image, TensorLike) else _tensor(image)
    return apply(EncodePng, x, compression=int(compression))


def _tensor(value):
    from tapeflow.core.convert import convert_to_tensor
    return convert_to_tensor(value)


EncodeJpeg = Op("EncodeJpeg", infer=lambda image, quality: TensorSpec((), dtypes.string),
                dtypes=(dtypes.uint8,), differentiable=False)


@EncodeJpeg.kernel
def _(image, quality):
    from tapeflow.keras.utils.image_decoding import _pillow
    image_module = _pillow()
    if image_module is None:
        raise InvalidArgumentError(None, None, "Encoding JPEG images needs Pillow (pip install "
                                   "tapeflow[images]).")
    import io
    buffer = io.BytesIO()
    pixels = image[:, :, 0] if image.shape[2] == 1 else image
    image_module.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return xp.array(buffer.getvalue(), dtype=object)


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):  # noqa: A002 - TF's argument name
    """JPEG file bytes for a uint8 image `[height, width, 1 or 3]` (needs Pillow)."""
    x = image if isinstance(image, TensorLike) else _tensor(image)
    return apply(EncodeJpeg, x, quality=int(quality))
