"""Cases for tapeflow.ops.image."""
CASES = []
