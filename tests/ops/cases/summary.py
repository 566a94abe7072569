"""The summary write ops have no Case: they return only "written?" and act on files."""
CASES = []

_WHERE = ("tests/summary/test_summaries.py (values read back from the event file, eager and "
          "traced), tests/summary/test_golden.py (bytes equal to TensorFlow's)")
EXEMPT = {name: _WHERE for name in (
    "WriteSummary", "WriteScalarSummary", "WriteHistogramSummary", "WriteImageSummary",
    "WriteAudioSummary", "WriteRawProtoSummary")}
