"""`tf.audio`: WAV files (tapeflow.io._audio)."""
from tapeflow.io._audio import decode_wav, encode_wav

__all__ = ["decode_wav", "encode_wav"]
