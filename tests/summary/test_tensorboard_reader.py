"""Round trip through TensorBoard's own readers (needs the `tensorboard` test extra)."""
import io

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.summary.records import frame

pytest.importorskip("tensorboard", reason="the `tensorboard` test extra is not installed")
from tensorboard.backend.event_processing import event_file_loader  # noqa: E402
from tensorboard.backend.event_processing import plugin_event_accumulator  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

IMAGES = (np.arange(2 * 3 * 5 * 3).reshape(2, 3, 5, 3) / 89.0).astype(np.float32)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("tb_reader"))
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        for step in range(3):
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
            tf.summary.histogram("weights", np.arange(10.0) * (step + 1), step=step, buckets=5)
        tf.summary.image("pictures", IMAGES, step=7)
        tf.summary.text("notes", "hello *TensorBoard*", step=8)
        tf.summary.audio("sound", np.zeros((1, 16, 1), np.float32), 8000, step=9)
    writer.close()
    return logdir


@pytest.fixture(scope="module")
def accumulator(logdir):
    acc = plugin_event_accumulator.EventAccumulator(logdir, size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def _array(event):
    return tensor_util.make_ndarray(event.tensor_proto)


def test_tags_by_plugin(accumulator):
    plugins = {tag: accumulator.SummaryMetadata(tag).plugin_data.plugin_name
               for tag in accumulator.Tags()["tensors"]}
    assert plugins == {"loss": "scalars", "weights": "histograms", "pictures": "images",
                       "notes": "text", "sound": "audio"}


def test_scalars_steps_and_values(accumulator):
    events = accumulator.Tensors("loss")
    assert [e.step for e in events] == [0, 1, 2]
    np.testing.assert_allclose([float(_array(e)) for e in events], [1.0, 0.5, 1 / 3], rtol=1e-6)


def test_histograms(accumulator):
    events = accumulator.Tensors("weights")
    assert [e.step for e in events] == [0, 1, 2]
    last = _array(events[2])
    np.testing.assert_allclose(last[:, 0], [0, 5.4, 10.8, 16.2, 21.6])   # 0..27 in fifths
    np.testing.assert_array_equal(last[:, 2], [2, 2, 2, 2, 2])


def test_images_decode_with_pillow(accumulator):
    pil = pytest.importorskip("PIL.Image")
    (event,) = accumulator.Tensors("pictures")
    assert event.step == 7
    tensor = _array(event)
    assert list(tensor[:2]) == [b"5", b"3"]
    expected = np.floor(np.clip(IMAGES * 255.5, 0, 255)).astype(np.uint8)
    for png, image in zip(tensor[2:], expected):
        np.testing.assert_array_equal(np.asarray(pil.open(io.BytesIO(png))), image)


def test_text(accumulator):
    (event,) = accumulator.Tensors("notes")
    assert (event.step, _array(event).item()) == (8, b"hello *TensorBoard*")


def test_the_legacy_accumulator_reads_the_same_file(logdir):
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={"tensors": 0})
    acc.Reload()
    assert set(acc.Tags()["tensors"]) == {"loss", "weights", "pictures", "notes", "sound"}
    assert [e.step for e in acc.Tensors("loss")] == [0, 1, 2]


def test_tensorboard_skips_a_truncated_last_record(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=1):
        tf.summary.scalar("whole", 1.0)
    writer.close()
    with open(writer.path, "ab") as file:
        file.write(frame(b"\x10\x05" + b"x" * 40)[:25])
    events = list(event_file_loader.EventFileLoader(writer.path).Load())
    assert [e.summary.value[0].tag for e in events if e.HasField("summary")] == ["whole"]
