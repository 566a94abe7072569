"""Cases for tapeflow.ops.bitwise."""
CASES = []
