"""Decoding image files to uint8 arrays, as `tf.image.decode_image` does for Keras.

PNG (all bit depths and color types, not interlaced) and BMP (uncompressed 8, 24
and 32-bit) are decoded here with NumPy and zlib. JPEG and GIF, and interlaced
PNGs, need Pillow (`pip install tapeflow[images]`), which is used for every
format when it is installed.

The result has shape (height, width, channels); `channels` converts like TF:
gray is repeated to RGB, alpha is dropped (not composited) or added as 255, and
RGB becomes gray with the ITU-R 601 luma weights in libpng's fixed point.
"""
import struct
import zlib

from tapeflow.core.array_api import xp

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PILLOW = []   # the PIL.Image module, or None, once looked up


def _pillow():
    if not _PILLOW:
        try:
            from PIL import Image
        except ImportError:
            Image = None
        _PILLOW.append(Image)
    return _PILLOW[0]


def decode_image(data, channels=None, path="<bytes>"):
    """The image in the file bytes `data` as uint8 (height, width, channels)."""
    image = _decode_with_pillow(data) if _pillow() is not None else None
    if image is None:
        image = _decode_natively(data, path)
    return convert_channels(image, channels)


def _decode_with_pillow(data):
    import io
    with _pillow().open(io.BytesIO(data)) as picture:
        picture.seek(0)                       # the first frame of an animation
        mode = picture.mode
        if mode not in ("L", "LA", "RGB", "RGBA"):
            mode = "RGBA" if "A" in mode or "transparency" in picture.info else "RGB"
            picture = picture.convert(mode)
        array = xp.asarray(picture)
    return array[:, :, None] if array.ndim == 2 else array


def _decode_natively(data, path):
    if data.startswith(_PNG_SIGNATURE):
        return decode_png(data, path)
    if data.startswith(b"BM"):
        return decode_bmp(data, path)
    kind = "JPEG" if data.startswith(b"\xff\xd8") else (
        "GIF" if data.startswith(b"GIF8") else "this")
    raise ValueError(f"Decoding {kind} images needs Pillow (pip install tapeflow[images]); "
                     f"cannot decode {path}. PNG and BMP files decode without it.")


def convert_channels(image, channels):
    """`image` with `channels` channels (None or 0: unchanged), converted as TF does."""
    have = image.shape[2]
    if not channels or channels == have:
        return image
    color = image[:, :, :3] if have >= 3 else image[:, :, :1]
    if channels == 1:
        if have >= 3:   # libpng's fixed-point luma (as TF decodes): weights / 2**15, truncated
            luma = (color.astype(xp.uint32) * xp.array([9797, 19234, 3737], xp.uint32)).sum(
                axis=2) >> 15
            return luma.astype(xp.uint8)[:, :, None]
        return color
    if color.shape[2] == 1:
        color = xp.repeat(color, 3, axis=2)
    if channels == 3:
        return xp.ascontiguousarray(color)
    alpha = image[:, :, -1:] if have in (2, 4) else xp.full(image.shape[:2] + (1,), 255,
                                                               xp.uint8)
    return xp.concatenate([color, alpha], axis=2)


# -- PNG ----------------------------------------------------------------------------------------

_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def decode_png(data, path="<bytes>"):
    """A PNG file as uint8 (height, width, channels); 16-bit samples keep their high byte."""
    header, palette, transparency, compressed = _png_chunks(data, path)
    width, height, depth, color_type, interlace = header
    if interlace:
        if _pillow() is None:
            raise ValueError(f"Decoding interlaced PNG images needs Pillow (pip install "
                             f"tapeflow[images]); cannot decode {path}.")
        return _decode_with_pillow(data)
    samples = _PNG_CHANNELS[color_type]
    bits_per_pixel = samples * depth
    row_bytes = (width * bits_per_pixel + 7) // 8
    raw = zlib.decompress(compressed)
    if len(raw) != height * (row_bytes + 1):
        raise ValueError(f"{path}: the PNG image data is truncated.")
    rows = _unfilter(raw, height, row_bytes, max(1, bits_per_pixel // 8))
    pixels = _unpack_samples(rows, width, samples, depth)
    if color_type == 3:
        return _apply_palette(pixels[:, :, 0], palette, transparency)
    if transparency is not None and color_type in (0, 2):
        key = xp.array(transparency, dtype=pixels.dtype)
        opaque = ~xp.all(pixels == key, axis=2, keepdims=True)
        pixels = xp.concatenate([pixels, xp.where(opaque, 255, 0).astype(pixels.dtype)],
                                axis=2)
    if depth == 16:
        return (pixels >> 8).astype(xp.uint8)
    if depth < 8 and color_type == 0:   # scale 1, 2 and 4-bit gray to 0..255
        return (pixels * (255 // ((1 << depth) - 1))).astype(xp.uint8)
    return pixels.astype(xp.uint8)


def _png_chunks(data, path):
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError(f"{path} is not a PNG file.")
    position, header, palette, transparency, idat = 8, None, None, None, []
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            header = (width, height, depth, color, interlace)
        elif kind == b"PLTE":
            palette = xp.frombuffer(body, xp.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            transparency = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None or not idat:
        raise ValueError(f"{path} is not a complete PNG file.")
    if transparency is not None and header[3] in (0, 2):
        count = 1 if header[3] == 0 else 3
        transparency = struct.unpack(f">{count}H", transparency[:2 * count])
    return header, palette, transparency, b"".join(idat)


def _unfilter(raw, height, row_bytes, bpp):
    """Undoes the per-row PNG filters (None, Sub, Up, Average, Paeth)."""
    out = xp.zeros((height, row_bytes), xp.uint8)
    stride = row_bytes + 1
    previous = xp.zeros(row_bytes, xp.uint8)
    for y in range(height):
        kind = raw[y * stride]
        row = xp.frombuffer(raw, xp.uint8, row_bytes, y * stride + 1)
        if kind == 0:
            current = row
        elif kind == 2:
            current = row + previous                              # wraps mod 256
        elif kind == 1:
            current = _unfilter_sub(row, bpp)
        elif kind in (3, 4):
            current = _unfilter_sequential(row, previous, bpp, kind)
        else:
            raise ValueError(f"Unknown PNG filter type {kind}.")
        out[y] = current
        previous = out[y]
    return out


def _unfilter_sub(row, bpp):
    # x[i] = row[i] + x[i - bpp]: a running sum (mod 256) over each byte position of a pixel.
    padded = xp.zeros(-(-row.size // bpp) * bpp, xp.uint16)
    padded[:row.size] = row
    sums = xp.cumsum(padded.reshape(-1, bpp), axis=0, dtype=xp.uint64) % 256
    return sums.reshape(-1)[:row.size].astype(xp.uint8)


def _unfilter_sequential(row, previous, bpp, kind):
    """Average (3) and Paeth (4): each byte depends on the one decoded before it."""
    raw, up = row.tolist(), previous.tolist()
    out = [0] * len(raw)
    for i, value in enumerate(raw):
        left = out[i - bpp] if i >= bpp else 0
        if kind == 3:
            out[i] = (value + ((left + up[i]) >> 1)) & 255
            continue
        upper_left = up[i - bpp] if i >= bpp else 0
        estimate = left + up[i] - upper_left
        to_left, to_up = abs(estimate - left), abs(estimate - up[i])
        to_upper_left = abs(estimate - upper_left)
        if to_left <= to_up and to_left <= to_upper_left:
            predictor = left
        elif to_up <= to_upper_left:
            predictor = up[i]
        else:
            predictor = upper_left
        out[i] = (value + predictor) & 255
    return xp.array(out, xp.uint8)


def _unpack_samples(rows, width, samples, depth):
    height = rows.shape[0]
    if depth == 8:
        return rows[:, :width * samples].reshape(height, width, samples)
    if depth == 16:
        wide = rows[:, :width * samples * 2].reshape(height, width * samples, 2)
        values = wide[:, :, 0].astype(xp.uint16) << 8 | wide[:, :, 1]
        return values.reshape(height, width, samples)
    bits = xp.unpackbits(rows, axis=1)[:, :width * samples * depth]
    weights = (1 << xp.arange(depth - 1, -1, -1)).astype(xp.uint8)
    values = (bits.reshape(height, width * samples, depth) * weights).sum(axis=2)
    return values.astype(xp.uint8).reshape(height, width, samples)


def _apply_palette(indices, palette, transparency):
    colors = palette[indices]
    if transparency is None:
        return colors
    alpha = xp.full(len(palette), 255, xp.uint8)
    given = xp.frombuffer(transparency, xp.uint8)[:len(palette)]
    alpha[:len(given)] = given
    return xp.concatenate([colors, alpha[indices][:, :, None]], axis=2)


# -- BMP ----------------------------------------------------------------------------------------

def decode_bmp(data, path="<bytes>"):
    """An uncompressed 8, 24 or 32-bit BMP file as uint8 (height, width, 1, 3 or 4)."""
    if len(data) < 54 or not data.startswith(b"BM"):
        raise ValueError(f"{path} is not a BMP file.")
    offset = struct.unpack("<I", data[10:14])[0]
    header_size, width, height, _, bits, compression = struct.unpack("<IiiHHI", data[14:34])
    if compression not in (0, 3) or bits not in (8, 24, 32):
        raise ValueError(f"{path}: only uncompressed 8, 24 and 32-bit BMP files decode without "
                         "Pillow (pip install tapeflow[images]).")
    top_down = height < 0
    height = abs(height)
    row_bytes = (width * bits // 8 + 3) // 4 * 4
    pixels = xp.frombuffer(data, xp.uint8, row_bytes * height, offset).reshape(height,
                                                                               row_bytes)
    if not top_down:
        pixels = pixels[::-1]
    if bits == 8:
        colors = struct.unpack("<I", data[46:50])[0] or 256
        table = xp.frombuffer(data, xp.uint8, 4 * colors, 14 + header_size).reshape(-1, 4)
        return xp.ascontiguousarray(table[pixels[:, :width]][:, :, 2::-1])
    channels = bits // 8
    image = pixels[:, :width * channels].reshape(height, width, channels)
    order = [2, 1, 0] if channels == 3 else [2, 1, 0, 3]   # stored as BGR(A)
    return xp.ascontiguousarray(image[:, :, order])
