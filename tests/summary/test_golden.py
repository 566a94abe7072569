"""tapeflow writes the same Event bytes as TensorFlow for the same tf.summary calls."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.summary.records import read_records
from tests.summary.golden_tf import GOLDEN

# The audio inputs of the TF program, as bytes so that NumPy's float32 sin cannot drift.
CLIPS = np.frombuffer(bytes.fromhex(
    "000000006f467c3f9383ab3e991f5fbfb29a21bf4630283f0000003f40518a3e321155be2670fdbe3055a7be"
    "2b3c113e000000bf9a9999beccccccbdd0cccc3d9a99993e0000003f"), np.float32).reshape(3, 6, 1)
STEREO = np.frombuffer(bytes.fromhex(
    "0000000000000080eb51383eeb5138beeb51b83eeb51b8be713d0a3f713d0abfeb51383feb5138bf6666663f"
    "666666bf"), np.float32).reshape(1, 6, 2)
# SummaryMetadata(plugin_data=PluginData(plugin_name="custom", content=b"xyz")), serialized.
CUSTOM_METADATA = bytes.fromhex("0a0d0a06637573746f6d120378797a")
# Summary(value=[Value(tag="raw", simple_value=2.0)]), serialized.
RAW_SUMMARY = bytes.fromhex("0a0a0a037261771500000040")


def _write_like_tf():
    tf.summary.scalar("loss", 1.5)
    tf.summary.scalar("loss_i", 7)
    with tf.name_scope("outer"):
        tf.summary.scalar("a", 2.0, step=5, description="hello desc")
    tf.summary.histogram("h", [1., 2., 3., 4., 10.], buckets=3)
    tf.summary.histogram("h30", np.arange(10, dtype=np.float32) / 3, step=1)
    tf.summary.text("tv", [["a", "b"], ["c", "d"]])
    tf.summary.text("u", "h\u00e9llo")
    tf.summary.audio("a", CLIPS, 8000, max_outputs=2)
    tf.summary.audio("st", STEREO, 44100)
    tf.summary.write("w32", np.array([[1, 2], [3, 4]], np.int32), step=-5)
    tf.summary.write("wb", True, step=2**40)
    tf.summary.write("ws", ["a", "bc"])
    tf.summary.write("wf", np.array(1.5), metadata=CUSTOM_METADATA)
    tf.summary.experimental.write_raw_pb(RAW_SUMMARY, step=9)


@pytest.fixture(scope="module")
def payloads(tmp_path_factory):
    writer = tf.summary.create_file_writer(str(tmp_path_factory.mktemp("golden")))
    with writer.as_default(step=3):
        _write_like_tf()
    writer.close()
    records = list(read_records(writer.path))
    assert len(records) == 1 + len(GOLDEN)
    return dict(zip(GOLDEN, records[1:]))


@pytest.mark.parametrize("name", list(GOLDEN))
def test_event_bytes_match_tensorflow(payloads, name):
    payload = payloads[name]
    assert payload[:1] == b"\t"            # field 1 (wall_time, a double) comes first
    assert payload[9:].hex() == GOLDEN[name]


def test_file_starts_with_the_version_event(payloads, tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.close()
    (header,) = list(read_records(writer.path))
    assert b"\x1a\x0dbrain.Event:2" in header     # field 3: file_version
