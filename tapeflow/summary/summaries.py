"""The summary ops: `tf.summary.scalar`, `histogram`, `image`, `text`, `audio`, `write`.

Each public function checks its input, then runs one side-effect op whose
kernel turns the value into what TensorBoard stores (buckets, PNGs, WAVs),
wraps it in an `Event` and queues it on the default writer. Because the write
is an op taking the value and the step as inputs, a traced `function` keeps it
as a node that runs on every call (side-effect ops are never pruned), not a
Python action done once at trace time. A third input, `should_record`, carries
a `record_if` condition that is only known when the function runs; eagerly the
condition is decided before anything is computed.

The writer, the tag and the plugin metadata are op attributes: a traced
function uses the default writer of the time it was traced, as in TensorFlow.
"""
import functools
import time

from tapeflow.core import dtypes as _dtypes
from tapeflow.core import errors
from tapeflow.core.array_api import xp
from tapeflow.core.context import state
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import Tensor
from tapeflow.summary import encoders, proto
from tapeflow.summary.writer import get_step, recording_condition, summary_state

_AUDIO_WAV = 11       # AudioPluginData.Encoding.WAV


# -- the ops --------------------------------------------------------------------------

def _written_spec(data, step, should_record, **attrs):
    """Every write op returns a scalar bool: whether the summary was written."""
    return TensorSpec((), _dtypes.bool)


def _op(name):
    return Op(name, infer=_written_spec, differentiable=False, side_effect=True)


WriteSummary = _op("WriteSummary")
WriteScalarSummary = _op("WriteScalarSummary")
WriteHistogramSummary = _op("WriteHistogramSummary")
WriteImageSummary = _op("WriteImageSummary")
WriteAudioSummary = _op("WriteAudioSummary")
WriteRawProtoSummary = _op("WriteRawProtoSummary")


def _emit(writer, tag, metadata, step, should_record, make_tensor):
    """Queues one summary event; `make_tensor()` runs only when recording."""
    if not should_record:
        return xp.asarray(False)
    value = proto.summary_value(tag, proto.tensor(make_tensor()), metadata)
    writer._write_event(proto.event(time.time(), int(step), summary=proto.summary(value)))
    return xp.asarray(True)


@WriteSummary.kernel
def _(data, step, should_record, *, writer, tag, metadata):
    return _emit(writer, tag, metadata, step, should_record, lambda: data)


@WriteScalarSummary.kernel
def _(data, step, should_record, *, writer, tag, metadata):
    return _emit(writer, tag, metadata, step, should_record,
                 lambda: xp.asarray(data.real if data.dtype.kind == "c" else data,
                                    dtype=xp.float32))


@WriteHistogramSummary.kernel
def _(data, step, should_record, *, writer, tag, metadata, buckets):
    return _emit(writer, tag, metadata, step, should_record,
                 lambda: encoders.histogram_buckets(
                     data.real if data.dtype.kind == "c" else data, buckets))


@WriteImageSummary.kernel
def _(data, step, should_record, *, writer, tag, metadata, max_outputs):
    return _emit(writer, tag, metadata, step, should_record,
                 lambda: encoders.image_tensor(data, max_outputs))


@WriteAudioSummary.kernel
def _(data, step, should_record, *, writer, tag, metadata, sample_rate, max_outputs):
    return _emit(writer, tag, metadata, step, should_record,
                 lambda: encoders.audio_tensor(data, sample_rate, max_outputs))


@WriteRawProtoSummary.kernel
def _(data, step, should_record, *, writer, tag, metadata):
    if not should_record:
        return xp.asarray(False)
    wall_time = time.time()
    for serialized in data.reshape(-1).tolist():      # each one a whole `Summary` proto
        writer._write_event(proto.event(wall_time, int(step), summary=serialized))
    return xp.asarray(True)


# -- the public functions --------------------------------------------------------------

def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes a generic summary: `tensor` under `tag`, with optional plugin metadata.

    Args:
      tag: the summary's tag (not prefixed by the name scope).
      tensor: the value, or a callable returning it (called only when recording).
      step: an int64-convertible scalar; defaults to `tf.summary.experimental.get_step()`.
      metadata: a `SummaryMetadata` proto, serialized (bytes) or not, or None.
      name: unused.

    Returns:
      A scalar bool Tensor: True if the summary was written, False if no default
      writer is set or `record_if` is off.

    Raises:
      ValueError: no step was given and no default step is set.
    """
    if hasattr(metadata, "SerializeToString"):
        metadata = metadata.SerializeToString()
    return _write(WriteSummary, tag, tensor, step, metadata or b"")


def write_raw_pb(tensor, step=None, name=None):
    """Writes serialized `Summary` protos (a string tensor of any shape), one event each.

    Returns:
      True if written, False if there is no default writer or recording is off.
    """
    def checked():
        data = _value(tensor)
        if data.dtype is not _dtypes.string:
            raise TypeError(f"write_raw_pb expects a string tensor of serialized Summary "
                            f"protos; got {data.dtype!r}")
        return data
    return _write(WriteRawProtoSummary, "", checked, step, b"")


def scalar(name, data, step=None, description=None):
    """Writes a scalar summary, shown in TensorBoard's Scalars tab.

    Args:
      name: the tag, prefixed by the current name scope.
      data: a real numeric scalar, stored as float32.
      step: the step; defaults to `tf.summary.experimental.get_step()`.
      description: optional long-form description (Markdown) shown in TensorBoard.

    Returns:
      True if written, False if there is no default writer or recording is off.

    Raises:
      ValueError: `data` is not a scalar, or no step is set.
    """
    data = convert_to_tensor(data)
    dims = data._static_dims()
    if dims is not None and len(dims) != 0:
        raise ValueError(f"Expected scalar shape, saw shape: {_shape_text(dims)}."
                         + _where("scalar", name, dims))
    if data.dtype is _dtypes.string:
        raise errors.UnimplementedError(
            None, None,
            "Cast string to float is not supported [Op:Cast]" + _where("scalar", name, dims))
    return _write(WriteScalarSummary, _tag(name), data, step, _metadata("scalars", description))


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram summary of `data` (any shape), shown in the Histograms tab.

    Args:
      name: the tag, prefixed by the current name scope.
      data: numeric values to count; flattened.
      step: the step; defaults to `tf.summary.experimental.get_step()`.
      buckets: the number of equal-width buckets; defaults to 30.
      description: optional long-form description.

    Returns:
      True if written, False if there is no default writer or recording is off.
    """
    buckets = encoders.DEFAULT_BUCKET_COUNT if buckets is None else _static_int(buckets)

    def checked():
        tensor = _value(data)
        if tensor.dtype is _dtypes.string:
            raise errors.UnimplementedError(None, None,
                                            "Cast string to double is not supported [Op:Cast]"
                                            + _where("histogram", name, tensor._static_dims()))
        if buckets < 0:
            raise errors.InvalidArgumentError(None, None, f"buckets must be >= 0, got {buckets}"
                                              + _where("histogram", name, None))
        return tensor
    return _write(WriteHistogramSummary, _tag(name), checked, step,
                  _metadata("histograms", description), buckets=buckets)


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes an image summary of a batch of images, shown in the Images tab.

    Args:
      name: the tag, prefixed by the current name scope.
      data: images of shape `[k, height, width, channels]` (NHWC) with 1
        (grayscale), 2 (grayscale + alpha), 3 (RGB) or 4 (RGBA) channels.
        Floats are taken to lie in [0, 1] and integers in their type's range;
        values outside are clipped.
      step: the step; defaults to `tf.summary.experimental.get_step()`.
      max_outputs: at most this many images (the first ones) are written.
      description: optional long-form description.

    Returns:
      True if written, False if there is no default writer or recording is off.

    Raises:
      ValueError: `data` does not have rank 4 (when recording).
      InvalidArgumentError: an unsupported number of channels, an empty image,
        or a negative `max_outputs` (when recording).
    """
    max_outputs = _static_int(max_outputs)

    def checked():
        tensor = _value(data)
        dims = tensor._static_dims()
        where = _where("image", name, dims)
        if dims is not None and len(dims) != 4:
            raise ValueError(f"Tensor  must have rank 4.  Received rank {len(dims)}, shape "
                             f"{_shape_text(dims)}{where}")
        if not (tensor.dtype.is_floating or tensor.dtype.is_integer):
            raise AttributeError("image dtype must be either floating point or integer" + where)
        if max_outputs < 0:
            raise errors.InvalidArgumentError(
                None, None, f"Condition x >= 0 did not hold element-wise: max_outputs = "
                f"{max_outputs}{where}")
        if dims is not None and dims[3] is not None and not 1 <= dims[3] <= 4:
            raise errors.InvalidArgumentError(
                None, None, f"image must have 1, 2, 3, or 4 channels, got {dims[3]}{where}")
        if dims is not None and 0 in (dims[1], dims[2]) and dims[0] != 0:
            raise errors.InvalidArgumentError(
                None, None, f"image must have a non-zero height and width{where}")
        return tensor
    return _write(WriteImageSummary, _tag(name), checked, step,
                  _metadata("images", description), max_outputs=max_outputs)


def text(name, data, step=None, description=None):
    """Writes a text summary (a string tensor of any shape; Markdown), shown in the Text tab.

    Raises:
      TypeError: `data` is not a string tensor.
    """
    data = convert_to_tensor(data)
    if data.dtype is not _dtypes.string:
        raise TypeError(f"tensor must be of type tf.string; got {data.dtype!r}"
                        + _where("text", name, data._static_dims()))
    return _write(WriteSummary, _tag(name), data, step, _metadata("text", description))


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None, description=None):
    """Writes an audio summary (WAV clips), shown in the Audio tab.

    Args:
      name: the tag, prefixed by the current name scope.
      data: float32 samples in [-1, 1] of shape `[k, frames, channels]`.
      sample_rate: samples per second (an int).
      step: the step; defaults to `tf.summary.experimental.get_step()`.
      max_outputs: at most this many clips (the first ones) are written.
      encoding: only "wav" (the default) is supported.
      description: optional long-form description.

    Returns:
      True if written, False if there is no default writer or recording is off.
    """
    if encoding not in (None, "wav"):
        raise ValueError(f"Unknown encoding: {encoding!r}")
    if isinstance(sample_rate, float) or isinstance(sample_rate, bool):
        raise TypeError(f"Cannot convert {sample_rate!r} to EagerTensor of dtype int32")
    sample_rate, max_outputs = _static_int(sample_rate), _static_int(max_outputs)

    def checked():
        tensor = _value(data)
        dims = tensor._static_dims()
        where = _where("audio", name, dims)
        if dims is not None and len(dims) != 3:
            raise ValueError(f"Tensor  must have rank 3.  Received rank {len(dims)}, shape "
                             f"{_shape_text(dims)}{where}")
        if tensor.dtype is not _dtypes.float32:
            raise errors.InvalidArgumentError(
                None, None, "cannot compute EncodeWav as input #0(zero-based) was expected to "
                f"be a float tensor but is a {errors._tf_type_word(tensor.dtype)} tensor "
                f"[Op:EncodeWav]{where}")
        return tensor
    metadata = _metadata("audio", description, content=proto.int_field(2, _AUDIO_WAV))
    return _write(WriteAudioSummary, _tag(name), checked, step, metadata,
                  sample_rate=sample_rate, max_outputs=max_outputs)


# -- shared steps ------------------------------------------------------------------------

def _write(op, tag, data, step, metadata, **attrs):
    """Runs the write `op` if recording: resolves the step, then the (possibly deferred) data."""
    condition = recording_condition()
    if condition is False:
        return convert_to_tensor(False)
    step = _step(step)
    data = _value(data)
    should_record = convert_to_tensor(True) if condition is True else condition
    return apply(op, data, step, should_record, writer=summary_state.writer, tag=tag,
                 metadata=metadata, **attrs)


def _step(step):
    if step is None:
        step = get_step()
        if step is None:
            raise ValueError("No step set. Please specify one either through the `step` "
                             "argument or through tf.summary.experimental.set_step()")
    step = convert_to_tensor(step, dtype=_dtypes.int64)
    dims = step._static_dims()
    if dims is not None and len(dims) != 0:
        raise ValueError(f"Argument `step` must be a scalar. Received step with shape "
                         f"{_shape_text(dims)}.")
    return step


def _value(data):
    if callable(data) and not isinstance(data, Tensor):
        data = data()
    return convert_to_tensor(data)


def _static_int(value):
    return int(value.numpy()) if hasattr(value, "numpy") else int(value)


def _tag(name):
    """The tag of a summary named `name`: the current name scope, then the name."""
    return state.name_scope + name


@functools.lru_cache(maxsize=256)
def _metadata(plugin_name, description, content=b""):
    return proto.summary_metadata(plugin_name, content=content, description=description or "")


def _shape_text(dims):
    """A shape as TF prints it in these messages: `(2,)`, `(4, 4, 3)`, `()`."""
    return str(tuple(dims))


def _where(kind, name, dims):
    """The context added to error messages: which summary, which tag, which shape."""
    shape = "" if dims is None else f", data shape {_shape_text(dims)}"
    return f" (in tf.summary.{kind} {name!r}{shape})"
