"""TFRecord framing: CRC32C, the record layout, truncated and corrupted files."""
import struct

import pytest

import tapeflow as tf
from tapeflow.summary.records import crc32c, frame, iter_records, masked_crc32c, read_records

# One record exactly as TensorFlow 2.21 wrote it: tf.summary.scalar("loss", 1.5, step=3).
TF_RECORD = bytes.fromhex(
    "2e00000000000000c5cb57fa09b56c30b28ac1da4110032a210a1f0a046c6f7373420a0801120022040000"
    "c03f4a0b0a090a077363616c617273189175ea")


@pytest.mark.parametrize("data, expected", [
    (b"", 0x00000000),
    (b"123456789", 0xE3069283),                 # the standard CRC-32C check value
    (bytes(32), 0x8A9136AA),                    # RFC 3720, appendix B.4
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
])
def test_crc32c_known_values(data, expected):
    assert crc32c(data) == expected


def test_masked_crc_is_tfrecords_rotation_plus_constant():
    crc = 0xE3069283
    rotated = ((crc >> 15) | (crc << 17)) & 0xFFFFFFFF
    assert masked_crc32c(b"123456789") == (rotated + 0xA282EAD8) & 0xFFFFFFFF


def test_frame_reproduces_a_record_written_by_tensorflow():
    payload = TF_RECORD[12:-4]
    assert frame(payload) == TF_RECORD
    assert list(iter_records(TF_RECORD + TF_RECORD)) == [payload, payload]


def _three_records():
    payloads = [b"first", b"second" * 10, b"third!"]
    return payloads, b"".join(frame(p) for p in payloads)


def test_truncated_last_record_is_skipped_at_every_cut():
    payloads, data = _three_records()
    start_of_last = len(frame(payloads[0])) + len(frame(payloads[1]))
    for cut in range(start_of_last, len(data)):
        assert list(iter_records(data[:cut])) == payloads[:2]
    assert list(iter_records(data)) == payloads


def test_corrupted_record_raises_data_loss():
    payloads, data = _three_records()
    damaged = bytearray(data)
    damaged[len(frame(payloads[0])) + 14] ^= 0x01       # a byte of the second payload
    with pytest.raises(tf.errors.DataLossError, match="corrupted record at byte"):
        list(iter_records(bytes(damaged)))
    damaged = bytearray(data)
    damaged[2] ^= 0x01                                   # the first length
    with pytest.raises(tf.errors.DataLossError, match="corrupted record length"):
        list(iter_records(bytes(damaged)))


def test_read_records_reads_a_file(tmp_path):
    payloads, data = _three_records()
    path = tmp_path / "records"
    path.write_bytes(data + struct.pack("<Q", 99))       # plus the start of a fourth
    assert list(read_records(str(path))) == payloads
