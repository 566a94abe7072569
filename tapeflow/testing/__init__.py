"""Testing utilities shipped with the package (TF has `tf.test.compute_gradient` too)."""
