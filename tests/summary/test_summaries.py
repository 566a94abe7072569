"""tf.summary ops: values read back from the event file, bad input, traced graphs."""
import struct
import zlib

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph
from tests.summary.wire import read_events, summaries


@pytest.fixture
def writer(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=0)
    writer.set_as_default(step=0)
    yield writer
    writer.close()


def _values(writer):
    writer.flush()
    return [v for e in read_events(writer.path) for v in e["values"]]


def decode_png(data):
    """Pixels of a non-interlaced 8-bit PNG, from zlib and the PNG spec alone."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    i, chunks = 8, {}
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        chunks.setdefault(kind, b"")
        chunks[kind] += data[i + 8:i + 8 + length]
        assert zlib.crc32(data[i + 4:i + 8 + length]) == struct.unpack(
            ">I", data[i + 8 + length:i + 12 + length])[0]
        i += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    assert depth == 8
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8)
    rows = raw.reshape(height, 1 + width * channels)
    assert (rows[:, 0] == 0).all()                       # filter type "none" on every row
    return rows[:, 1:].reshape(height, width, channels)


# -- values --------------------------------------------------------------------------------

def test_scalar_stores_float32_under_the_scalars_plugin(writer):
    assert bool(tf.summary.scalar("loss", 0.25, step=3))
    tf.summary.scalar("count", tf.constant(7, tf.int64), step=4)
    tf.summary.scalar("flag", True, step=5)
    tf.summary.scalar("var", tf.Variable(2.5), step=6, description="a *variable*")
    values = _values(writer)
    assert [(v["tag"], v["plugin"]) for v in values] == [
        ("loss", "scalars"), ("count", "scalars"), ("flag", "scalars"), ("var", "scalars")]
    assert [v["tensor"].dtype for v in values] == [np.float32] * 4
    assert [float(v["tensor"]) for v in values] == [0.25, 7.0, 1.0, 2.5]
    assert values[3]["description"] == "a *variable*"
    assert [e["step"] for e in read_events(writer.path)[1:]] == [3, 4, 5, 6]


def test_tags_take_the_name_scope(writer):
    with tf.name_scope("outer"):
        with tf.name_scope("inner"):
            tf.summary.scalar("x", 1.0)
        tf.summary.scalar("x", 1.0)
        tf.summary.write("raw_tag", 1.0)                  # write() takes the tag as given
    assert [v["tag"] for v in _values(writer)] == ["outer/inner/x", "outer/x", "raw_tag"]


def test_histogram_buckets(writer):
    tf.summary.histogram("h", [1.0, 2.0, 3.0, 4.0, 10.0], buckets=3, step=1)
    tf.summary.histogram("same", tf.fill([4], 2.5), buckets=2, step=1)
    tf.summary.histogram("empty", tf.zeros([0]), buckets=2, step=1)
    tf.summary.histogram("default", np.arange(60.0).reshape(6, 10), step=1)
    h, same, empty, default = [v["tensor"] for v in _values(writer)]
    assert all(v.dtype == np.float64 for v in (h, same, empty, default))
    # Edges split [1, 10] in thirds; the max falls in the last bucket.
    np.testing.assert_array_equal(h, [[1, 4, 3], [4, 7, 1], [7, 10, 1]])
    np.testing.assert_array_equal(same, [[2.5, 2.5, 0], [2.5, 2.5, 4]])
    np.testing.assert_array_equal(empty, np.zeros((2, 3)))
    assert default.shape == (30, 3) and default[:, 2].sum() == 60
    np.testing.assert_array_equal(default[:, 2], np.full(30, 2.0))
    np.testing.assert_allclose(default[:, 0], np.arange(30) * 59 / 30)


def test_image_float_uint8_and_max_outputs(writer):
    x = np.array([0.0, 0.002, 0.5, 0.998, 0.999, 1.0, 1.5, -0.2, np.nan], np.float32)
    floats = np.broadcast_to(x.reshape(1, 1, 9, 1), (4, 2, 9, 1))     # 4 images, 2x9 gray
    rgb = np.arange(2 * 3 * 4 * 3, dtype=np.uint8).reshape(2, 3, 4, 3)
    tf.summary.image("floats", floats, step=2)                        # max_outputs=3
    tf.summary.image("rgb", tf.constant(rgb), step=2, max_outputs=5)
    tf.summary.image("rgba16", np.full((1, 1, 2, 4), 65535, np.uint16), step=2)
    floats_v, rgb_v, rgba_v = _values(writer)
    assert floats_v["plugin"] == "images"
    tensor = floats_v["tensor"]
    assert tensor.shape == (2 + 3,) and list(tensor[:2]) == [b"9", b"2"]   # width, height
    # TF's convert_image_dtype(saturate=True): floor(clip(x * 255.5, 0, 255)), NaN -> 0.
    expected = np.array([0, 0, 127, 254, 255, 255, 255, 0, 0], np.uint8)
    for png in tensor[2:]:
        np.testing.assert_array_equal(decode_png(png)[..., 0], np.tile(expected, (2, 1)))
    assert list(rgb_v["tensor"][:2]) == [b"4", b"3"] and len(rgb_v["tensor"]) == 4
    np.testing.assert_array_equal(decode_png(rgb_v["tensor"][3]), rgb[1])
    np.testing.assert_array_equal(decode_png(rgba_v["tensor"][2]), np.full((1, 2, 4), 255))


def test_text_keeps_shape_and_unicode(writer):
    tf.summary.text("note", "h\u00e9llo **bold**", step=1)
    tf.summary.text("table", [["a", "b"], ["c", "d"]], step=1)
    note, table = _values(writer)
    assert note["plugin"] == "text" and note["tensor"].shape == ()
    assert note["tensor"][()].decode("utf-8") == "h\u00e9llo **bold**"
    assert table["tensor"].tolist() == [[b"a", b"b"], [b"c", b"d"]]


def test_audio_is_wav(writer):
    clip = np.array([[0.0], [0.5], [1.0], [-1.0], [1.5], [0.25]], np.float32)
    tf.summary.audio("sound", np.stack([clip, -clip, clip]), 8000, step=1, max_outputs=2)
    (value,) = _values(writer)
    assert value["plugin"] == "audio" and value["content"] == b"\x10\x0b"   # encoding: WAV
    assert value["tensor"].shape == (2, 2) and list(value["tensor"][:, 1]) == [b"", b""]
    wav = value["tensor"][0, 0]
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt "
    channels, rate = struct.unpack("<HI", wav[22:28])
    assert (channels, rate) == (1, 8000)
    samples = np.frombuffer(wav[44:], "<i2")
    np.testing.assert_array_equal(samples, [0, 16384, 32767, -32768, 32767, 8192])


def test_write_generic_tensors_and_deferred_values(writer):
    calls = []

    def expensive():
        calls.append(1)
        return tf.constant([[1, 2], [3, 4]])
    class Metadata:                                       # a protobuf message, duck-typed
        def SerializeToString(self):
            return b"\n\x08\n\x06custom"                  # plugin_data {plugin_name: "custom"}
    tf.summary.write("m", expensive, step=1, metadata=b"")
    with tf.summary.record_if(False):
        tf.summary.write("skipped", expensive, step=1)
    tf.summary.write("with_metadata", "x", step=1, metadata=Metadata())
    value, with_metadata = _values(writer)
    assert calls == [1]                                   # not called when not recording
    assert value["tensor"].dtype == np.int32 and value["tensor"].tolist() == [[1, 2], [3, 4]]
    assert value["plugin"] == "" and with_metadata["plugin"] == "custom"


# -- bad input -----------------------------------------------------------------------------

def test_bad_input_errors_name_the_summary_and_shape_and_lose_nothing(writer):
    tf.summary.scalar("before", 1.0, step=1)
    with pytest.raises(ValueError, match=r"Expected scalar shape, saw shape: \(2,\)\..*"
                       r"tf\.summary\.scalar 'loss'.*shape \(2,\)"):
        tf.summary.scalar("loss", [1.0, 2.0], step=1)
    with pytest.raises(ValueError, match=r"must have rank 4.*Received rank 3, shape "
                       r"\(4, 4, 3\).*tf\.summary\.image 'img'"):
        tf.summary.image("img", np.zeros((4, 4, 3), np.float32), step=1)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"1, 2, 3, or 4 channels, got 5.*'img'.*\(1, 4, 4, 5\)"):
        tf.summary.image("img", np.zeros((1, 4, 4, 5), np.float32), step=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-zero height"):
        tf.summary.image("img", np.zeros((1, 0, 4, 3), np.float32), step=1)
    with pytest.raises(AttributeError, match="floating point or integer"):
        tf.summary.image("img", np.ones((1, 2, 2, 1), bool), step=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_outputs"):
        tf.summary.image("img", np.zeros((1, 2, 2, 3)), step=1, max_outputs=-1)
    with pytest.raises(TypeError, match="tensor must be of type tf.string; got tf.int32"):
        tf.summary.text("t", 5, step=1)
    with pytest.raises(tf.errors.UnimplementedError, match="Cast string to float"):
        tf.summary.scalar("s", "a", step=1)
    with pytest.raises(ValueError, match=r"must have rank 3.*shape \(2, 2\).*'snd'"):
        tf.summary.audio("snd", np.zeros((2, 2), np.float32), 8000, step=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="is a double tensor"):
        tf.summary.audio("snd", np.zeros((1, 2, 1)), 8000, step=1)
    with pytest.raises(ValueError, match="Unknown encoding: 'mp3'"):
        tf.summary.audio("snd", np.zeros((1, 2, 1), np.float32), 8000, encoding="mp3")
    tf.summary.scalar("after", 2.0, step=2)
    assert [v["tag"] for v in _values(writer)] == ["before", "after"]


def test_checks_that_tf_skips_when_not_recording(writer):
    with tf.summary.record_if(False):
        # Image, histogram and audio data are only looked at when recorded...
        assert not bool(tf.summary.image("img", np.zeros((4, 4, 3)), step=1))
        assert not bool(tf.summary.histogram("h", "abc", step=1))
        # ...but scalar shapes and text dtypes are always checked, as in TF.
        with pytest.raises(ValueError, match="Expected scalar shape"):
            tf.summary.scalar("x", [1.0, 2.0], step=1)
        with pytest.raises(TypeError, match="tf.string"):
            tf.summary.text("t", 1, step=1)


# -- inside functions ------------------------------------------------------------------

def test_function_writes_on_every_call(writer):
    @tf.function
    def step_fn(x, step):
        tf.summary.scalar("x", x, step=step)
        return x * 2.0

    for i in range(3):
        step_fn(tf.constant(float(i)), tf.constant(i, tf.int64))
    assert [(t, s, float(v)) for t, s, v, _ in summaries(writer.path)] == [
        ("x", 0, 0.0), ("x", 1, 1.0), ("x", 2, 2.0)]


def test_traced_summaries_are_side_effect_nodes_run_on_every_call(writer):
    step = tf.Variable(0, dtype=tf.int64)
    tf.summary.experimental.set_step(step)
    graph = Graph("train_step")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([3], tf.float32), "x")
        tf.summary.scalar("mean", tf.reduce_mean(x))
        tf.summary.histogram("x", x, buckets=2)
        with tf.summary.record_if(lambda: tf.equal(step % 2, 0)):
            tf.summary.scalar("every_other", tf.reduce_sum(x))
    writes = [n.op.name for n in graph.nodes if n.op.side_effect]
    assert writes == ["WriteScalarSummary", "WriteHistogramSummary", "WriteScalarSummary"]
    assert summaries(writer.path) == []                   # tracing wrote nothing
    for i in range(3):
        interpret(graph, [tf.constant([1.0, 2.0, float(i)])])
        step.assign_add(1)
    got = [(t, s, np.asarray(v).tolist()) for t, s, v, _ in summaries(writer.path)]
    assert got == [
        ("mean", 0, 1.0), ("x", 0, [[0.0, 1.0, 1.0], [1.0, 2.0, 2.0]]), ("every_other", 0, 3.0),
        ("mean", 1, np.float32(4 / 3)), ("x", 1, [[1.0, 1.5, 2.0], [1.5, 2.0, 1.0]]),
        ("mean", 2, np.float32(5 / 3)), ("x", 2, [[1.0, 1.5, 1.0], [1.5, 2.0, 2.0]]),
        ("every_other", 2, 5.0)]


def test_trace_time_checks_use_static_shapes(writer):
    graph = Graph("bad")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([2], tf.float32), "x")
        with pytest.raises(ValueError, match=r"Expected scalar shape, saw shape: \(2,\)"):
            tf.summary.scalar("x", x, step=1)
        unknown = graph.placeholder(tf.TensorSpec([None, None, None, 7], tf.float32), "im")
        with pytest.raises(tf.errors.InvalidArgumentError, match="got 7"):
            tf.summary.image("im", unknown, step=1)
