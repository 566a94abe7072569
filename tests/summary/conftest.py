import pytest

from tapeflow.summary import trace
from tapeflow.summary.writer import summary_state


@pytest.fixture(autouse=True)
def clean_summary_state():
    """Each test starts and ends with no default writer, no step, recording on, no trace."""
    summary_state.writer, summary_state.step, summary_state.is_recording = None, None, True
    yield
    summary_state.writer, summary_state.step, summary_state.is_recording = None, None, True
    trace.trace_off()
