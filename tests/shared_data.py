"""Where the tests find the project's shared data (MNIST and Fashion-MNIST IDX files).

Looked for in `$TAPEFLOW_DATA_DIR`, then `<project root>/../shared/data`, then
`/work/shared/data`. Tests that need the data skip, saying why, when none exists
(CI runs from a fresh clone where `../shared` may be missing). Tests never download.
"""
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CANDIDATES = (os.environ.get("TAPEFLOW_DATA_DIR"),
              os.path.join(ROOT, os.pardir, "shared", "data"),
              "/work/shared/data")


def shared_data_dir():
    """The first existing shared data directory, or None."""
    for candidate in CANDIDATES:
        if candidate and os.path.isdir(os.path.join(candidate, "mnist")):
            return os.path.abspath(candidate)
    return None


def require_shared_data():
    """The shared data directory; skips the calling test if there is none."""
    directory = shared_data_dir()
    if directory is None:
        pytest.skip("the shared MNIST data is not available: set TAPEFLOW_DATA_DIR to a "
                    "directory holding mnist/ and fashion-mnist/ IDX files (tests never "
                    "download)")
    return directory
