"""tf.summary write throughput, and tapeflow's protobuf encoder against `protobuf`.

Prints events per second for eager scalar, histogram and image summaries, the
cost of encoding one scalar event (proto + CRC32C framing), and, when the
`tensorboard` package (and so `protobuf`) is importable, the cost of building
the same Event with protobuf's generated classes. With TensorFlow importable
here, or TAPEFLOW_TF_PYTHON naming a Python that has TensorFlow and TensorBoard,
TF's tf.summary.scalar is measured too.

Run: python benchmarks/summary_write.py
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

EVENTS = 5000


def best_time(fn, number, repeat=3):
    """Best average seconds per call of `fn` over `repeat` runs of `number` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def _summary_rates(tf, logdir):
    """Events per second for tf.summary calls of `tf` (tapeflow or TensorFlow)."""
    import numpy as np
    writer = tf.summary.create_file_writer(logdir)
    values = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    image = np.random.default_rng(0).random((1, 28, 28, 1)).astype(np.float32)
    rates = {}
    with writer.as_default(step=1):
        rates["scalar"] = 1 / best_time(lambda: tf.summary.scalar("loss", 0.5), EVENTS)
        rates["histogram (1000 values)"] = 1 / best_time(
            lambda: tf.summary.histogram("weights", values), EVENTS // 10)
        rates["image (28x28)"] = 1 / best_time(
            lambda: tf.summary.image("digit", image), EVENTS // 10)
        with tf.summary.record_if(False):
            rates["scalar, record_if(False)"] = 1 / best_time(
                lambda: tf.summary.scalar("loss", 0.5), EVENTS)
    writer.close()
    return rates


def measure_tapeflow():
    import tapeflow as tf
    from tapeflow.summary import proto
    from tapeflow.summary.records import frame

    def encode():
        value = proto.summary_value("loss", proto.tensor(scalar),
                                    proto.summary_metadata("scalars"))
        return proto.event(time.time(), 7, summary=proto.summary(value))
    import numpy as np
    scalar = np.float32(0.5)
    payload = encode()
    with tempfile.TemporaryDirectory() as logdir:
        rates = _summary_rates(tf, logdir)
    return {"rates": rates,
            "encode_us": best_time(encode, EVENTS) * 1e6,
            "frame_us": best_time(lambda: frame(payload), EVENTS) * 1e6,
            "event_bytes": len(payload)}


def measure_protobuf():
    """Building and serializing the same scalar Event with protobuf's classes, or None."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2
        from tensorboard.compat.proto import tensor_shape_pb2
        import google.protobuf
    except ImportError:
        return None
    import numpy as np
    content = np.float32(0.5).tobytes()

    def encode():
        tensor = tensor_pb2.TensorProto(dtype=1, tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                                        tensor_content=content)
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
        value = summary_pb2.Summary.Value(tag="loss", tensor=tensor, metadata=metadata)
        event = event_pb2.Event(wall_time=time.time(), step=7,
                                summary=summary_pb2.Summary(value=[value]))
        return event.SerializeToString()
    from google.protobuf.internal import api_implementation
    return {"encode_us": best_time(encode, EVENTS) * 1e6,
            "version": f"protobuf {google.protobuf.__version__} "
                       f"({api_implementation.Type()} backend)"}


def measure_tensorflow():
    """TensorFlow's tf.summary rates, here or in TAPEFLOW_TF_PYTHON; None when unavailable."""
    try:
        import tensorflow as tf
    except ImportError:
        other = os.environ.get("TAPEFLOW_TF_PYTHON")
        if not other:
            return None
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        done = subprocess.run([other, __file__, "--tensorflow-only"], capture_output=True,
                              text=True, env=env, timeout=900)
        lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
        return json.loads(lines[-1]) if lines else {"error": done.stderr.strip()[-300:]}
    try:
        with tempfile.TemporaryDirectory() as logdir:
            return _summary_rates(tf, logdir)
    except Exception as error:           # e.g. TensorBoard missing: TF has no tf.summary.scalar
        return {"error": f"{type(error).__name__}: {error}"}


def main():
    if "--tensorflow-only" in sys.argv:
        print(json.dumps(measure_tensorflow()))
        return
    ours = measure_tapeflow()
    print("tf.summary events per second (eager, default writer settings)")
    tf_rates = measure_tensorflow()
    for name, rate in ours["rates"].items():
        theirs = ("not installed" if tf_rates is None else
                  tf_rates.get("error", "")[:60] or f"{tf_rates[name]:10.0f}")
        print(f"  {name:28s} tapeflow {rate:10.0f}   TensorFlow {theirs}")
    print(f"one scalar Event ({ours['event_bytes']} bytes):")
    print(f"  tapeflow encoder      {ours['encode_us']:6.2f} us")
    print(f"  TFRecord framing      {ours['frame_us']:6.2f} us (two CRC32C in pure Python)")
    pb = measure_protobuf()
    if pb is None:
        print("  protobuf              not installed")
    else:
        print(f"  protobuf classes      {pb['encode_us']:6.2f} us ({pb['version']})")


if __name__ == "__main__":
    main()
