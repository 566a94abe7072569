"""tf.keras.utils.image_dataset_from_directory / text_dataset_from_directory on small
directories the tests build, against Keras 3.15's results (keras_utils_reference.py), and
the PNG/BMP decoders against images with known pixels."""
import base64
import struct
import zlib

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.keras.utils import image_decoding
from tests.data.keras_utils_reference import CASES, DECODED, FILES, SEED9_FILES


@pytest.fixture
def image_dir(tmp_path):
    for name, data in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(base64.b64decode(data))
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    return tmp_path


@pytest.mark.parametrize("name", sorted(FILES))
def test_png_decoder_matches_tf(name):
    decoded = image_decoding.decode_png(base64.b64decode(FILES[name]))
    assert decoded.dtype == np.uint8 and decoded.tolist() == DECODED[name]


@pytest.mark.parametrize("case", sorted(CASES))
def test_image_dataset_matches_keras(image_dir, case, capsys):
    expected = CASES[case]
    ds = tf.keras.utils.image_dataset_from_directory(str(image_dir), shuffle=False,
                                                     verbose=False, **expected["kwargs"])
    assert str(ds.element_spec) == expected["spec"]
    assert ds.class_names == expected["class_names"]
    assert [p.replace(str(image_dir) + "/", "") for p in ds.file_paths] == expected["files"]
    element = next(iter(ds))
    images, labels = element if isinstance(element, tuple) else (element, None)
    np.testing.assert_allclose(images.numpy(), np.array(expected["x"]), atol=2e-3)
    assert (labels.numpy().tolist() if labels is not None else None) == expected["y"]
    assert capsys.readouterr().out == ""


def test_seeded_file_order_is_keras_order(image_dir):
    ds = tf.keras.utils.image_dataset_from_directory(str(image_dir), seed=9, image_size=(2, 2),
                                                     verbose=False)
    assert [p.replace(str(image_dir) + "/", "") for p in ds.file_paths] == SEED9_FILES


def test_messages_split_and_batches(image_dir, capsys):
    utils = tf.keras.utils
    train, val = utils.image_dataset_from_directory(
        str(image_dir), seed=1, validation_split=0.34, subset="both", image_size=(4, 4),
        batch_size=1)
    out = capsys.readouterr().out
    assert out == ("Found 3 files belonging to 2 classes.\nUsing 2 files for training.\n"
                   "Using 1 files for validation.\n")
    assert len(train.file_paths) == 2 and len(val.file_paths) == 1
    assert not set(train.file_paths) & set(val.file_paths)
    assert [x.shape for x, _ in train] == [tf.TensorShape([1, 4, 4, 3])] * 2
    unbatched = utils.image_dataset_from_directory(str(image_dir), batch_size=None, seed=0,
                                                   image_size=(2, 3), labels=[1, 0, 1],
                                                   verbose=False)
    assert unbatched.element_spec == (tf.TensorSpec([2, 3, 3], tf.float32),
                                      tf.TensorSpec([], tf.int32))
    assert unbatched.class_names == ["0", "1"]
    first = utils.image_dataset_from_directory(str(image_dir), image_size=(2, 2), seed=0,
                                               data_format="channels_first", verbose=False)
    assert first.element_spec[0] == tf.TensorSpec([None, 3, 2, 2], tf.float32)


@pytest.mark.parametrize("kwargs, message", [
    (dict(label_mode="x"), '`label_mode` argument must be one of "int", "categorical"'),
    (dict(color_mode="cmyk"), '`color_mode` must be one of {"rgb", "rgba", "grayscale"}'),
    (dict(labels="foo"), "`labels` argument should be a list/tuple of integer labels"),
    (dict(validation_split=0.2), "If `subset` is set, `validation_split` must be set"),
    (dict(validation_split=0.2, subset="training"), "you must provide a `seed` argument"),
    (dict(image_size=(1, 2, 3)), "Invalid `image_size` value"),
    (dict(class_names=["nope"]), "The `class_names` passed did not match"),
    (dict(labels=None, class_names=["cat"]), "When `labels=None` (no labels)"),
    (dict(label_mode="binary", class_names=["cat"]), "there must be exactly 2 class_names"),
    (dict(labels=[0, 1]), "Expected the lengths of `labels` to match"),
    (dict(interpolation="cubic"), "Argument `interpolation` should be one of"),
    (dict(crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "Only one of"),
])
def test_argument_errors(image_dir, kwargs, message):
    with pytest.raises(ValueError) as info:
        tf.keras.utils.image_dataset_from_directory(str(image_dir), verbose=False, **kwargs)
    assert message in str(info.value)


def test_empty_directory(tmp_path):
    (tmp_path / "empty_class").mkdir()
    with pytest.raises(ValueError, match="No images found in directory"):
        tf.keras.utils.image_dataset_from_directory(str(tmp_path), verbose=False)


@pytest.fixture
def text_dir(tmp_path):
    for cls in "ab":
        (tmp_path / cls).mkdir()
        for i in range(3):
            (tmp_path / cls / f"{i}.txt").write_text(f"text {cls} {i} " * (i + 1))
    (tmp_path / "a" / "skip.md").write_text("not text")
    return tmp_path


def test_text_dataset(text_dir, capsys):
    ds = tf.keras.utils.text_dataset_from_directory(str(text_dir), shuffle=False)
    assert capsys.readouterr().out == "Found 6 files belonging to 2 classes.\n"
    assert ds.element_spec == (tf.TensorSpec([None], tf.string), tf.TensorSpec([None], tf.int32))
    assert ds.class_names == ["a", "b"]
    texts, labels = next(iter(ds))
    assert texts.numpy().tolist() == [b"text a 0 ", b"text a 1 text a 1 ",
                                      b"text a 2 text a 2 text a 2 ", b"text b 0 ",
                                      b"text b 1 text b 1 ", b"text b 2 text b 2 text b 2 "]
    assert labels.numpy().tolist() == [0, 0, 0, 1, 1, 1]


def test_text_dataset_max_length_binary_and_explicit_labels(text_dir):
    utils = tf.keras.utils
    ds = utils.text_dataset_from_directory(str(text_dir), seed=1, max_length=7,
                                           label_mode="binary", verbose=False)
    assert ds.element_spec[1] == tf.TensorSpec([None, 1], tf.float32)
    texts, labels = next(iter(ds))
    # Keras' file order for seed=1 is a/2, a/1, b/1, a/0, b/0, b/2 (then a seeded shuffle)
    assert sorted(zip(texts.numpy().tolist(), labels.numpy()[:, 0].tolist())) == (
        [(b"text a ", 0.0)] * 3 + [(b"text b ", 1.0)] * 3)
    explicit = utils.text_dataset_from_directory(str(text_dir), shuffle=False,
                                                 labels=[1, 0, 1, 0, 1, 0], batch_size=4,
                                                 verbose=False)
    assert explicit.class_names == ["0", "1"]
    assert next(iter(explicit))[1].numpy().tolist() == [1, 0, 1, 0]
    only_texts = utils.text_dataset_from_directory(str(text_dir), labels=None, shuffle=False,
                                                   verbose=False)
    assert only_texts.element_spec == tf.TensorSpec([None], tf.string)


# -- the decoders, on images with known pixels ------------------------------------------------------

def png_bytes(pixels, color_type, depth=8, filters=(0,), palette=None, transparency=None):
    """A PNG file of `pixels` (height, width, samples); row y uses filters[y % len]."""
    height, width = pixels.shape[:2]
    samples = pixels.shape[2]
    if depth < 8:
        packed = []
        for row in pixels[:, :, 0]:
            bits = np.unpackbits(row.astype(np.uint8)[:, None], axis=1)[:, 8 - depth:]
            packed.append(np.packbits(bits.reshape(-1)))
        rows = np.array(packed, np.uint8)
    elif depth == 16:
        rows = pixels.astype(">u2").view(np.uint8).reshape(height, -1)
    else:
        rows = pixels.astype(np.uint8).reshape(height, -1)
    bpp = max(1, samples * depth // 8)
    raw, previous = b"", np.zeros(rows.shape[1], np.int64)
    for y, row in enumerate(rows.astype(np.int64)):
        kind = filters[y % len(filters)]
        raw += bytes([kind]) + bytes(_png_filter(row, previous, bpp, kind).tolist())
        previous = row

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth,
                                                                color_type, 0, 0, 0))
    if palette is not None:
        out += chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    if transparency is not None:
        out += chunk(b"tRNS", transparency)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _png_filter(row, up, bpp, kind):
    left = np.concatenate([np.zeros(bpp, np.int64), row[:-bpp]])
    upper_left = np.concatenate([np.zeros(bpp, np.int64), up[:-bpp]])
    if kind == 0:
        predictor = np.zeros_like(row)
    elif kind == 1:
        predictor = left
    elif kind == 2:
        predictor = up
    elif kind == 3:
        predictor = (left + up) // 2
    else:
        p = left + up - upper_left
        pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
        predictor = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up,
                                                                     upper_left))
    return (row - predictor) % 256


RNG = np.random.RandomState(3)


@pytest.mark.parametrize("filters", [(0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4)])
@pytest.mark.parametrize("samples, color_type", [(1, 0), (2, 4), (3, 2), (4, 6)])
def test_png_filters_and_color_types(filters, samples, color_type):
    pixels = RNG.randint(0, 256, (5, 7, samples))
    decoded = image_decoding.decode_png(png_bytes(pixels, color_type, filters=filters))
    assert decoded.tolist() == pixels.tolist()


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_png_low_bit_gray_scales_to_bytes(depth):
    pixels = RNG.randint(0, 1 << depth, (3, 9, 1))
    decoded = image_decoding.decode_png(png_bytes(pixels, 0, depth=depth, filters=(1, 4)))
    assert decoded.tolist() == (pixels * (255 // ((1 << depth) - 1))).tolist()


def test_png_16_bit_keeps_the_high_byte():
    pixels = np.array([[[0, 255, 256], [65535, 32768, 1000]]])
    decoded = image_decoding.decode_png(png_bytes(pixels, 2, depth=16, filters=(4,)))
    assert decoded.tolist() == [[[0, 0, 1], [255, 128, 3]]]   # TF's decode_png values


def test_png_palette_with_transparency():
    palette = np.array([[10, 20, 30], [40, 50, 60], [70, 80, 90]])
    indices = np.array([[[0], [2], [1], [2]]])
    decoded = image_decoding.decode_png(png_bytes(indices, 3, depth=2, palette=palette,
                                                  transparency=bytes([0, 128])))
    assert decoded.tolist() == [[[10, 20, 30, 0], [70, 80, 90, 255], [40, 50, 60, 128],
                                 [70, 80, 90, 255]]]


def test_channel_conversions_match_tf():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 150, 200], [1, 2, 3],
                     [250, 10, 128]]], np.uint8)
    # tf.io.decode_png(..., channels=1) of these pixels (libpng's fixed-point luma)
    gray = image_decoding.convert_channels(rgb, 1)
    assert gray[:, :, 0].tolist() == [[76, 149, 29, 140, 1, 95]]
    gray_alpha = np.array([[[10, 5], [200, 6]]], np.uint8)
    assert image_decoding.convert_channels(gray_alpha, 3).tolist() == [[[10, 10, 10],
                                                                        [200, 200, 200]]]
    assert image_decoding.convert_channels(gray_alpha, 4).tolist() == [[[10, 10, 10, 5],
                                                                        [200, 200, 200, 6]]]
    assert image_decoding.convert_channels(gray_alpha[:, :, :1], 4)[0, 0].tolist() == [
        10, 10, 10, 255]


def bmp_bytes(pixels):
    """An uncompressed 24-bit bottom-up BMP file of RGB `pixels`."""
    height, width, _ = pixels.shape
    row_bytes = (width * 3 + 3) // 4 * 4
    body = b""
    for row in pixels[::-1]:
        line = row[:, ::-1].astype(np.uint8).tobytes()
        body += line + b"\0" * (row_bytes - len(line))
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(body), 0, 0, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + 40 + len(body), 0, 0, 54) + header + body


def test_bmp_decoder():
    pixels = RNG.randint(0, 256, (3, 5, 3))
    decoded = image_decoding.decode_image(bmp_bytes(pixels), 3)
    assert decoded.tolist() == pixels.tolist()


def test_jpeg_needs_pillow():
    if image_decoding._pillow() is not None:
        pytest.skip("Pillow is installed: JPEG files decode")
    with pytest.raises(ValueError, match="Decoding JPEG images needs Pillow"):
        image_decoding.decode_image(b"\xff\xd8\xff\xe0rest", 3)
