"""Cases for tapeflow.ops.linalg."""
CASES = []
