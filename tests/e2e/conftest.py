"""The end-to-end tests find the shipped MNIST through tests/shared_data.py."""
import pytest

from tests.shared_data import require_shared_data


@pytest.fixture
def mnist_data_dir(monkeypatch):
    directory = require_shared_data()
    monkeypatch.setenv("TAPEFLOW_DATA_DIR", directory)
    return directory
