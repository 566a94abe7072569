import pytest

from tests.shared_data import require_shared_data


@pytest.fixture(scope="session")
def shared_data():
    """The directory holding mnist/ and fashion-mnist/ (the test skips without it)."""
    return require_shared_data()
