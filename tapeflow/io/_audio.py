"""WAV codecs for `tf.audio`: 16-bit PCM WAV files <-> float32 samples in [-1, 1)."""
import struct

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import TensorLike
from tapeflow.io._files import as_string_tensor


def _decode_infer(contents, desired_channels, desired_samples):
    return (TensorSpec((None if desired_samples < 0 else desired_samples,
                        None if desired_channels < 0 else desired_channels), dtypes.float32),
            TensorSpec((), dtypes.int32))


DecodeWav = Op("DecodeWav", infer=_decode_infer, dtypes=(dtypes.string,), multi_output=True,
               differentiable=False)


def _chunks(data):
    if data[:4] != b"RIFF":
        raise InvalidArgumentError(None, None, "Header mismatch: Expected RIFF but found "
                                   f"{data[:4].decode('latin-1')}")
    if data[8:12] != b"WAVE":
        raise InvalidArgumentError(None, None, "Header mismatch: Expected WAVE but found "
                                   f"{data[8:12].decode('latin-1')}")
    offset, chunks = 12, {}
    while offset + 8 <= len(data):
        kind, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        chunks.setdefault(kind, data[offset + 8:offset + 8 + size])
        offset += 8 + size + (size & 1)
    return chunks


@DecodeWav.kernel
def _(contents, desired_channels, desired_samples):
    data = contents[()] if isinstance(contents, xp.ndarray) else contents
    chunks = _chunks(data)
    if b"fmt " not in chunks or b"data" not in chunks:
        raise InvalidArgumentError(None, None, "Bad WAV file: no fmt or data chunk")
    audio_format, channels, sample_rate, _, _, bits = struct.unpack("<HHIIHH",
                                                                    chunks[b"fmt "][:16])
    if audio_format != 1 or bits != 16:
        raise InvalidArgumentError(None, None, "Can only read 16-bit PCM WAV files, got format "
                                   f"{audio_format} with {bits} bits per sample")
    samples = xp.frombuffer(chunks[b"data"], dtype="<i2")
    audio = (samples.astype(xp.float32) / xp.float32(32768.0)).reshape(-1, channels)
    if desired_channels > 0 and desired_channels != channels:
        audio = audio[:, :desired_channels] if desired_channels < channels else \
            xp.repeat(audio[:, :1], desired_channels, axis=1)
    if desired_samples >= 0:
        padded = xp.zeros((desired_samples, audio.shape[1]), xp.float32)
        count = min(desired_samples, audio.shape[0])
        padded[:count] = audio[:count]
        audio = padded
    return xp.ascontiguousarray(audio), xp.array(sample_rate, dtype=xp.int32)


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """A 16-bit PCM WAV file as (float32 samples [samples, channels], int32 sample rate).

    `desired_channels` keeps the first channels or repeats a mono one;
    `desired_samples` cuts or zero-pads.
    """
    return apply(DecodeWav, as_string_tensor(contents), desired_channels=int(desired_channels),
                 desired_samples=int(desired_samples))


EncodeWav = Op("EncodeWav", infer=lambda audio, sample_rate: TensorSpec((), dtypes.string),
               dtypes=(dtypes.float32,), differentiable=False)


@EncodeWav.kernel
def _(audio, sample_rate):
    from tapeflow.summary.encoders import encode_wav as encode
    if audio.ndim != 2:
        raise InvalidArgumentError(None, None, f"audio must be 2-dimensional"
                                   f"[{','.join(map(str, audio.shape))}]")
    return xp.array(encode(audio, int(sample_rate)), dtype=object)


def encode_wav(audio, sample_rate, name=None):
    """16-bit PCM WAV bytes for float32 samples `[samples, channels]` in [-1, 1].

    >>> import tapeflow as tf
    >>> wav = tf.audio.encode_wav(tf.constant([[0.5], [-0.25]]), 16000)
    >>> tf.audio.decode_wav(wav)[0].numpy().ravel()
    array([ 0.5 , -0.25], dtype=float32)
    """
    audio = audio if isinstance(audio, TensorLike) else convert_to_tensor(audio)
    rate = sample_rate if isinstance(sample_rate, TensorLike) else convert_to_tensor(
        sample_rate, dtype=dtypes.int32)
    return apply(EncodeWav, audio, rate)
