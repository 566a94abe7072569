"""Cases for tapeflow.ops.nn."""
CASES = []
