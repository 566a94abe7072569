"""`tf.summary`: write TensorBoard event files.

>>> import tempfile
>>> writer = tf.summary.create_file_writer(tempfile.mkdtemp())
>>> with writer.as_default(step=1):
...     written = tf.summary.scalar("loss", 0.25)
>>> bool(written)
True
>>> writer.close()

Re-exports only; the writer and state live in `writer.py`, the summary ops in
`summaries.py`, graph export in `trace.py`, the file format in `proto.py` and
`records.py`.
"""
from tapeflow.summary import experimental  # noqa: F401
from tapeflow.summary.summaries import audio, histogram, image, scalar, text, write
from tapeflow.summary.trace import graph, trace_export, trace_off, trace_on
from tapeflow.summary.writer import (SummaryWriter, create_file_writer, create_noop_writer,
                                     flush, record_if, should_record_summaries)

__all__ = ["SummaryWriter", "audio", "create_file_writer", "create_noop_writer",
           "experimental", "flush", "graph", "histogram", "image", "record_if", "scalar",
           "should_record_summaries", "text", "trace_export", "trace_off", "trace_on", "write"]
