"""`tf.bitwise`: re-exports (being written)."""
