import pytest

from tapeflow.summary.writer import summary_state


@pytest.fixture(autouse=True)
def clean_summary_state():
    """Each test starts and ends with no default writer, no step and recording on."""
    summary_state.writer, summary_state.step, summary_state.is_recording = None, None, True
    yield
    summary_state.writer, summary_state.step, summary_state.is_recording = None, None, True
