"""Cases for the ops of tf.io that work on values (codecs); the file ops and the
Pillow-based codecs are tested in tests/io/test_io.py."""
import base64
import struct
import zlib

import numpy as np

import tapeflow as tf
import tapeflow.io  # noqa: F401 - registers the ops before the registry test lists them
from tests.ops.cases import Case, const, inputs

_BYTES = np.array([b"hello?>", b"a", b"", b"\xff\x00\x10"], dtype=object)


def _png_bytes(image):
    """An independent minimal PNG writer (8-bit, filter 1 on every row)."""
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = []
    for row in image.reshape(height, width * channels).astype(np.int32):
        sub = (row - np.concatenate([np.zeros(channels, np.int32), row[:-channels]])) % 256
        rows.append(b"\x01" + sub.astype(np.uint8).tobytes())

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


_IMAGE = (np.arange(4 * 5 * 3) * 7 % 256).astype(np.uint8).reshape(4, 5, 3)
_PNG = np.array(_png_bytes(_IMAGE), dtype=object)


def _bmp_bytes(image):
    height, width, _ = image.shape
    row_bytes = (width * 3 + 3) // 4 * 4
    pixels = b"".join(image[y, :, ::-1].tobytes().ljust(row_bytes, b"\0")
                      for y in range(height - 1, -1, -1))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 0, 0, 0, 0)
    return header + info + pixels


CASES = [
    Case("DecodeRaw", lambda x: tf.io.decode_raw(x, tf.int16, little_endian=False),
         inputs(const(np.array([b"\x00\x01\xff\xfe", b"abcd"], dtype=object))),
         lambda x: np.stack([np.frombuffer(s, ">i2").astype(np.int16) for s in x]),
         grad=False, dtypes=("float32",)),
    Case("EncodeBase64", lambda x: tf.io.encode_base64(x, pad=True), inputs(const(_BYTES)),
         lambda x: np.array([base64.urlsafe_b64encode(s) for s in x], dtype=object),
         grad=False, dtypes=("float32",)),
    Case("DecodeBase64", tf.io.decode_base64,
         inputs(const(np.array([base64.urlsafe_b64encode(s).rstrip(b"=") for s in _BYTES],
                               dtype=object))),
         lambda x: _BYTES, grad=False, dtypes=("float32",)),
    Case("SerializeTensor", lambda x: tf.reshape(
        tf.io.parse_tensor(tf.io.serialize_tensor(x), x.dtype), x.shape),
         inputs(const(np.linspace(-1, 1, 6).reshape(2, 3))), lambda x: x, grad=False,
         dtypes=("float32",)),
    Case("ParseTensor", lambda x: tf.reshape(tf.io.parse_tensor(x, tf.string), [2]),
         # TF 2.21's bytes for tf.io.serialize_tensor(tf.constant(["a", "bc"])).
         inputs(const(np.array(b"\x08\x07\x12\x04\x12\x02\x08\x02B\x01aB\x02bc",
                               dtype=object))),
         lambda x: np.array([b"a", b"bc"], dtype=object), grad=False, dtypes=("float32",)),
    Case("DecodePng", tf.io.decode_png, inputs(const(_PNG)), lambda x: _IMAGE, grad=False,
         dtypes=("float32",)),
    Case("DecodeImage", lambda x: tf.io.decode_image(x, channels=1, expand_animations=False),
         inputs(const(_PNG)),
         lambda x: ((_IMAGE.astype(np.uint32) * [9797, 19234, 3737]).sum(2) >> 15).astype(
             np.uint8)[:, :, None], grad=False, dtypes=("float32",)),
    Case("DecodeBmp", tf.io.decode_bmp,
         inputs(const(np.array(_bmp_bytes(_IMAGE), dtype=object))), lambda x: _IMAGE,
         grad=False, dtypes=("float32",)),
    Case("EncodePng", lambda x: tf.io.decode_png(tf.io.encode_png(x)),
         inputs(const(_IMAGE)), lambda x: x, grad=False, dtypes=("float32",)),
]

EXEMPT = {
    "ReadFile": "tests/io/test_io.py (files on disk, TF's errors)",
    "WriteFile": "tests/io/test_io.py",
    "MatchingFiles": "tests/io/test_io.py",
    "DecodeJpeg": "tests/io/test_io.py (needs Pillow; skipped without it)",
    "DecodeGif": "tests/io/test_io.py (needs Pillow; skipped without it)",
    "EncodeJpeg": "tests/io/test_io.py (needs Pillow; skipped without it)",
}


import tapeflow.io._audio  # noqa: E402,F401 - registers the WAV ops


def _wav_bytes(samples, rate):
    """An independent 16-bit PCM WAV writer."""
    data = samples.astype("<i2").tobytes()
    channels = samples.shape[1]
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " +
            struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data)


_PCM = np.array([[0, 16384], [-32768, 32767], [100, -100]], np.int16)
CASES.append(Case("DecodeWav", lambda x: list(tf.audio.decode_wav(x)),
                  inputs(const(np.array(_wav_bytes(_PCM, 8000), dtype=object))),
                  lambda x: [_PCM.astype(np.float32) / 32768, np.array(8000, np.int32)],
                  grad=False, dtypes=("float32",)))
CASES.append(Case("EncodeWav", lambda x: tf.audio.encode_wav(x, 8000),
                  inputs(const((_PCM / 32768).astype(np.float32))),
                  lambda x: np.array(_wav_bytes(_PCM, 8000), dtype=object), grad=False,
                  dtypes=("float32",)))
