"""Cases for tapeflow.ops.random (values are checked by statistics in tests/ops/test_random.py)."""
CASES = []
EXEMPT = {
    "RandomUniform": "tests/ops/test_random.py (seeds, ranges, statistics)",
    "RandomStandardNormal": "tests/ops/test_random.py",
    "TruncatedNormal": "tests/ops/test_random.py",
}
