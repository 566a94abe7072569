"""`tf.io.TFRecordWriter` and `tf.io.TFRecordOptions`: writing TFRecord files.

Each record is framed as TF frames it (length, masked CRC-32C of the length,
data, masked CRC-32C of the data), optionally in a GZIP or ZLIB stream;
`tf.data.TFRecordDataset` reads them back.
"""
import gzip
import zlib

from tapeflow.io._files import path_text

_COMPRESSIONS = ("", "ZLIB", "GZIP")


class TFRecordOptions:
    """Options of a TFRecord file: its compression ("", "ZLIB" or "GZIP").

    Raises:
      ValueError: an unknown compression type.
    """

    compression_type_map = {"ZLIB": "ZLIB", "GZIP": "GZIP", "": ""}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        compression_type = compression_type or ""
        if compression_type not in _COMPRESSIONS:
            raise ValueError(f'Not a valid compression_type: "{compression_type}"')
        self.compression_type = compression_type
        self.compression_level = compression_level

    @classmethod
    def get_compression_type_string(cls, options):
        if options is None:
            return ""
        if isinstance(options, TFRecordOptions):
            return options.compression_type
        return TFRecordOptions(options).compression_type


class TFRecordWriter:
    """Writes records (bytes or str) to a TFRecord file.

    >>> import tapeflow as tf, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "data.tfrecord")
    >>> with tf.io.TFRecordWriter(path) as writer:
    ...     writer.write(b"abc")
    >>> [r.numpy() for r in tf.data.TFRecordDataset(path)]
    [b'abc']
    """

    def __init__(self, path, options=None):
        compression = TFRecordOptions.get_compression_type_string(options)
        level = getattr(options, "compression_level", None)
        level = -1 if level is None else level
        path = path_text(path)
        if compression == "GZIP":
            self._file = gzip.open(path, "wb", compresslevel=9 if level == -1 else level)
        else:
            self._file = open(path, "wb")
        self._zlib = zlib.compressobj(level) if compression == "ZLIB" else None

    def write(self, record):
        from tapeflow.summary.records import frame
        data = frame(record.encode("utf-8") if isinstance(record, str) else bytes(record))
        self._file.write(self._zlib.compress(data) if self._zlib else data)

    def flush(self):
        if self._zlib is not None:
            self._file.write(self._zlib.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self):
        if self._file is None:
            return
        if self._zlib is not None:
            self._file.write(self._zlib.flush())
        self._file.close()
        self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
