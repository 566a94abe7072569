"""`tf.image`: re-exports (being written)."""
