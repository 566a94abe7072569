"""Summary writers: file names, default writer and step, record_if, flushing, closing."""
import gc
import os
import re
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.summary.records import frame
from tapeflow.summary.writer import summary_state
from tests.summary.wire import read_events, summaries


def _size(writer):
    return os.path.getsize(writer.path)


def _wait_for(predicate, timeout=20.0):
    """Polls `predicate` until it holds (the deadline only bounds a hang; nothing is timed)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# -- files and directories ---------------------------------------------------------------

def test_file_name_follows_tensorflow(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path / "run"))
    name = os.path.basename(writer.path)
    pattern = (rf"events\.out\.tfevents\.\d{{10}}\.{re.escape(socket.gethostname())}\."
               rf"{os.getpid()}\.(\d+)\.v2")
    assert re.fullmatch(pattern, name)
    writer.close()


def test_file_names_are_unique_and_take_a_suffix(tmp_path):
    writers = [tf.summary.create_file_writer(str(tmp_path)),
               tf.summary.create_file_writer(str(tmp_path), filename_suffix="foo"),
               tf.summary.create_file_writer(str(tmp_path), filename_suffix=".bar")]
    names = [os.path.basename(w.path) for w in writers]
    counters = [int(n.split(".")[6]) for n in names]
    assert counters == sorted(counters) and len(set(counters)) == 3
    assert names[1].endswith(f".{counters[1]}.foo") and names[2].endswith(f".{counters[2]}.bar")
    assert sorted(os.listdir(tmp_path)) == sorted(names)
    for w in writers:
        w.close()


def test_creating_a_writer_creates_the_logdir_and_a_version_event(tmp_path):
    logdir = tmp_path / "a" / "b"
    writer = tf.summary.create_file_writer(logdir)      # a Path works too
    assert logdir.is_dir()
    (event,) = read_events(writer.path)                  # on disk before any summary
    assert event["file_version"] == "brain.Event:2" and event["values"] == []
    writer.close()


def test_logdir_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(tf.errors.FailedPreconditionError, match="is not a directory"):
        tf.summary.create_file_writer(str(tmp_path / "file" / "sub"))
    with pytest.raises(tf.errors.FailedPreconditionError, match="is not a directory"):
        tf.summary.create_file_writer(str(tmp_path / "file"))
    with pytest.raises(tf.errors.NotFoundError, match="/proc/tapeflow-nope"):
        tf.summary.create_file_writer("/proc/tapeflow-nope/run")
    with pytest.raises(ValueError, match="`logdir` cannot be None"):
        tf.summary.create_file_writer(None)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_logdir_without_permission(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(tf.errors.PermissionDeniedError, match="locked"):
        tf.summary.create_file_writer(str(locked / "run"))


# -- the default writer and step ----------------------------------------------------------

def test_as_default_sets_and_restores_writer_and_step(tmp_path):
    a = tf.summary.create_file_writer(str(tmp_path / "a"))
    b = tf.summary.create_file_writer(str(tmp_path / "b"))
    assert tf.summary.experimental.get_step() is None
    with a.as_default(step=3) as entered:
        assert entered is a
        assert tf.summary.experimental.get_step() == 3
        with b.as_default():
            assert tf.summary.experimental.get_step() == 3
            tf.summary.scalar("x", 1.0)
        tf.summary.scalar("x", 2.0, step=4)
    assert tf.summary.experimental.get_step() is None
    assert not bool(tf.summary.scalar("x", 3.0, step=1))       # no default writer
    a.close(), b.close()
    assert [(t, s, float(v)) for t, s, v, _ in summaries(a.path)] == [("x", 4, 2.0)]
    assert [(t, s, float(v)) for t, s, v, _ in summaries(b.path)] == [("x", 3, 1.0)]


def test_set_as_default_and_set_step(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.set_as_default(step=7)
    assert tf.summary.experimental.get_step() == 7
    tf.summary.scalar("x", 1.0)
    tf.summary.experimental.set_step(8)
    tf.summary.scalar("x", 2.0)
    step = tf.Variable(10, dtype=tf.int64)
    tf.summary.experimental.set_step(step)
    tf.summary.scalar("x", 3.0)
    step.assign_add(1)                                     # read when each summary is written
    tf.summary.scalar("x", 4.0)
    writer.close()
    assert [s for _, s, _, _ in summaries(writer.path)] == [7, 8, 10, 11]


def test_default_writer_is_per_thread(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.set_as_default(step=1)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(
        (bool(tf.summary.scalar("x", 1.0)), tf.summary.experimental.get_step())))
    thread.start(), thread.join()
    assert seen == [(False, None)]
    assert bool(tf.summary.scalar("x", 1.0))
    writer.close()


def test_missing_step_and_bad_steps(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        with pytest.raises(ValueError, match="Received step with shape \\(2,\\)"):
            tf.summary.scalar("x", 1.0, step=[1, 2])
        with pytest.raises(ValueError, match="requested dtype int64"):
            tf.summary.scalar("x", 1.0, step=tf.constant(3))
        with pytest.raises(TypeError):
            tf.summary.scalar("x", 1.0, step=1.5)
        with tf.summary.record_if(False):                     # not recording: no step needed
            assert not bool(tf.summary.scalar("x", 1.0))
        assert bool(tf.summary.scalar("x", 1.0, step=np.int32(2)))
    writer.close()


# -- record_if ---------------------------------------------------------------------------

def test_record_if_with_bools_tensors_and_callables(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    assert not bool(tf.summary.should_record_summaries())        # no writer yet
    with writer.as_default():
        assert bool(tf.summary.should_record_summaries())
        with tf.summary.record_if(False):
            assert not bool(tf.summary.should_record_summaries())
            assert not bool(tf.summary.scalar("off", 1.0, step=0))
            with tf.summary.record_if(True):
                assert bool(tf.summary.scalar("on", 1.0, step=0))
            assert not bool(tf.summary.scalar("off", 1.0, step=0))
        with tf.summary.record_if(tf.constant(False)):
            assert not bool(tf.summary.scalar("off", 1.0, step=0))
        step = tf.Variable(0, dtype=tf.int64)
        with tf.summary.record_if(lambda: tf.equal(step % 2, 0)):   # asked at every write
            for _ in range(5):
                tf.summary.scalar("even", 1.0, step=step)
                step.assign_add(1)
    writer.close()
    assert [(t, s) for t, s, _, _ in summaries(writer.path)] == [
        ("on", 0), ("even", 0), ("even", 2), ("even", 4)]


def test_noop_writer_writes_nothing_and_changes_nothing(tmp_path):
    noop = tf.summary.create_noop_writer()
    assert isinstance(noop, tf.summary.SummaryWriter)
    with noop.as_default(step=5):
        assert tf.summary.experimental.get_step() is None
        assert not bool(tf.summary.scalar("x", 1.0, step=1))
    noop.set_as_default(step=5)
    noop.flush(), noop.close(), noop.close()
    assert not bool(tf.summary.should_record_summaries())


# -- flushing and closing ----------------------------------------------------------------

def test_queue_is_flushed_when_it_passes_max_queue(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=2, flush_millis=10**9)
    header = _size(writer)
    writer.set_as_default(step=0)
    tf.summary.scalar("a", 1.0)
    tf.summary.scalar("b", 1.0)
    assert _size(writer) == header                     # two queued: not yet written
    tf.summary.scalar("c", 1.0)
    assert [t for t, _, _, _ in summaries(writer.path)] == ["a", "b", "c"]
    writer.close()


def test_as_default_flushes_when_the_block_ends(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10**9)
    header = _size(writer)
    with writer.as_default(step=1):
        tf.summary.scalar("a", 1.0)
        assert _size(writer) == header
    assert [t for t, _, _, _ in summaries(writer.path)] == ["a"]
    tf.summary.flush(writer)
    writer.close()


def test_background_thread_flushes_every_flush_millis(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=20)
    writer.set_as_default(step=1)
    tf.summary.scalar("a", 1.0)
    assert _wait_for(lambda: len(summaries(writer.path)) == 1)
    writer.close()


def test_flush_millis_zero_writes_every_summary_at_once(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=0)
    with writer.as_default(step=1):
        tf.summary.scalar("a", 1.0)
        assert len(summaries(writer.path)) == 1
    writer.close()


def test_flush_writes_queued_summaries(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10**9)
    writer.set_as_default(step=1)
    tf.summary.scalar("a", 1.0)
    tf.summary.flush()
    assert len(summaries(writer.path)) == 1
    writer.close()


def test_close_twice_and_use_after_close(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=100)
    writer.set_as_default(step=1)
    tf.summary.scalar("a", 1.0)
    writer.close()
    writer.close()
    writer.flush()
    assert [t for t, _, _, _ in summaries(writer.path)] == ["a"]     # close flushed it
    with pytest.raises(tf.errors.NotFoundError, match="is closed"):
        tf.summary.scalar("a", 2.0)
    with pytest.raises(RuntimeError, match="already closed"):
        writer.as_default().__enter__()
    with pytest.raises(RuntimeError, match="already closed"):
        writer.set_as_default()


def test_garbage_collected_writer_flushes_its_queue(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10**9)
    path = writer.path
    writer.set_as_default(step=1)
    tf.summary.scalar("a", 1.0)
    assert summaries(path) == []
    summary_state.writer = None                   # drop the default writer's reference
    del writer
    gc.collect()
    assert [t for t, _, _, _ in summaries(path)] == ["a"]


def test_appends_never_rewrite_earlier_bytes(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path), max_queue=0)
    writer.set_as_default(step=0)
    before = open(writer.path, "rb").read()
    for i in range(5):
        tf.summary.scalar("x", float(i), step=i)
        after = open(writer.path, "rb").read()
        assert after.startswith(before) and len(after) > len(before)
        before = after
    writer.close()


_CRASHING_PROGRAM = """
import os, sys
import tapeflow as tf
writer = tf.summary.create_file_writer(sys.argv[1], max_queue=100, flush_millis=10**9)
writer.set_as_default()
for step in range(3):
    tf.summary.scalar("kept", float(step), step=step)
writer.flush()
for step in range(3, 6):
    tf.summary.scalar("lost", float(step), step=step)
os._exit(1)   # a crash: no close, no exit handlers, the queue is lost
"""


def test_a_crash_loses_only_the_unflushed_tail(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    subprocess.run([sys.executable, "-c", _CRASHING_PROGRAM, str(tmp_path)], env=env,
                   check=False, timeout=120)
    assert [(t, s) for t, s, _, _ in summaries(str(tmp_path))] == [
        ("kept", 0), ("kept", 1), ("kept", 2)]


def test_a_record_cut_by_a_crash_is_skipped_and_a_new_writer_starts_clean(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path / "run"), max_queue=0)
    with writer.as_default(step=1):
        tf.summary.scalar("whole", 1.0)
    writer.close()
    with open(writer.path, "ab") as file:                 # half of a record, as if cut
        file.write(frame(b"x" * 50)[:30])
    assert [t for t, _, _, _ in summaries(writer.path)] == ["whole"]
    again = tf.summary.create_file_writer(str(tmp_path / "run"))
    with again.as_default(step=2):
        tf.summary.scalar("next", 1.0)
    again.close()
    assert [t for t, _, _, _ in summaries(again.path)] == ["next"]
