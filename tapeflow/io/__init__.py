"""`tf.io`: files, image codecs, byte codecs, TFRecord writing, and `tf.io.gfile`."""
from tapeflow.io import gfile
from tapeflow.io._codecs import (decode_base64, decode_raw, encode_base64, parse_tensor,
                                serialize_tensor)
from tapeflow.io._files import matching_files, read_file, write_file
from tapeflow.io._images import (decode_bmp, decode_gif, decode_image, decode_jpeg, decode_png,
                                encode_jpeg, encode_png)
from tapeflow.io._records import TFRecordOptions, TFRecordWriter

__all__ = [name for name in dir() if not name.startswith("_")]
