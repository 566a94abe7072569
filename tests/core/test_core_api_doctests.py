"""The `>>>` examples in the docstrings of the core-api modules run as doctests."""
import doctest
import importlib

import numpy as np
import pytest

import tapeflow

MODULES = ["tapeflow.core.module", "tapeflow.core.device", "tapeflow.core.type_spec",
           "tapeflow.ops.indexed_slices", "tapeflow.ops.init_ops", "tapeflow.graph.functional",
           "tapeflow.graph.gradients", "tapeflow.ops.casting", "tapeflow.ops.framework",
           "tapeflow.ops.histogram", "tapeflow.ops.batch_space", "tapeflow.ops.unravel",
           "tapeflow.ops.ragged", "tapeflow.ops.strings", "tapeflow.io._records",
           "tapeflow.ops.signal", "tapeflow.ops.sparse", "tapeflow.ops.sets",
           "tapeflow.ops.edit_distance", "tapeflow.ops.lookup", "tapeflow.io._audio",
           "tapeflow.core.forward_accumulator"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"tf": tapeflow, "np": np},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
