"""`tf.nn`: re-exports (being written)."""
