"""`tf.linalg`: re-exports (being written)."""
