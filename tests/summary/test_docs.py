"""The `>>>` examples in tapeflow.summary's docstrings run."""
import doctest
import importlib

import pytest

import tapeflow as tf


@pytest.mark.parametrize("module", ["tapeflow.summary", "tapeflow.summary.records",
                                    "tapeflow.summary.experimental"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), extraglobs={"tf": tf})
    assert result.attempted > 0 and result.failed == 0
