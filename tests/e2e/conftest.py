"""Finds the shipped MNIST for the end-to-end tests (TAPEFLOW_DATA_DIR, then the defaults)."""
import os

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_data_dir():
    """TAPEFLOW_DATA_DIR, else <project root>/../shared/data, else /work/shared/data."""
    for candidate in (os.environ.get("TAPEFLOW_DATA_DIR"),
                      os.path.join(_ROOT, "..", "shared", "data"), "/work/shared/data"):
        if candidate and os.path.isdir(os.path.join(candidate, "mnist")):
            return os.path.abspath(candidate)
    return None


@pytest.fixture
def mnist_data_dir(monkeypatch):
    directory = find_data_dir()
    if directory is None:
        pytest.skip("MNIST not found (set TAPEFLOW_DATA_DIR)")
    monkeypatch.setenv("TAPEFLOW_DATA_DIR", directory)
    return directory
