"""TFRecord framing: how event files cut a byte stream into records.

An event file is a sequence of records, each laid out as

    uint64  length of the payload (little-endian)
    uint32  masked CRC32C of those 8 length bytes
    bytes   payload (one serialized `Event` proto)
    uint32  masked CRC32C of the payload

CRC32C is the Castagnoli variant of CRC32 (not the one in `zlib`). It is
"masked" (rotated and offset) so that a CRC stored inside CRC-protected data
does not checksum to a fixed value. Readers stop at a truncated last record
(a writer may still be appending to it) and reject a record whose checksum is
wrong.
"""
import struct

from tapeflow.core.errors import DataLossError

_CASTAGNOLI = 0x82F63B78          # the CRC32C polynomial, bit-reversed
_MASK_DELTA = 0xA282EAD8
_HEADER = struct.Struct("<QI")    # length, masked CRC of the length
_FOOTER = struct.Struct("<I")     # masked CRC of the payload


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CASTAGNOLI if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _crc_table()


def crc32c(data):
    """The CRC32C of `data` (bytes), one table lookup per byte.

    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    """
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The CRC32C of `data`, rotated right by 15 bits plus a constant (TFRecord's mask)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(payload):
    """One record: header, `payload`, footer."""
    length = struct.pack("<Q", len(payload))
    return b"".join((length, struct.pack("<I", masked_crc32c(length)), payload,
                     _FOOTER.pack(masked_crc32c(payload))))


def read_records(path):
    """Yields the payloads of the records in the file at `path`.

    Stops quietly at a truncated last record. Raises `DataLossError` for a
    record whose length or payload checksum does not match.
    """
    with open(path, "rb") as file:
        data = file.read()
    yield from iter_records(data, path)


def iter_records(data, name="<bytes>"):
    """Yields the payloads of the complete records in the bytes `data`."""
    offset, end = 0, len(data)
    while end - offset >= _HEADER.size:
        length, length_crc = _HEADER.unpack_from(data, offset)
        if length_crc != masked_crc32c(data[offset:offset + 8]):
            raise DataLossError(None, None,
                                f"corrupted record length at byte {offset} of {name}")
        start = offset + _HEADER.size
        stop = start + length
        if stop + _FOOTER.size > end:
            return                                   # truncated tail: not written yet
        payload = data[start:stop]
        if _FOOTER.unpack_from(data, stop)[0] != masked_crc32c(payload):
            raise DataLossError(None, None, f"corrupted record at byte {offset} of {name}")
        yield payload
        offset = stop + _FOOTER.size

