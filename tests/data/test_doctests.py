"""Runs the `>>>` examples in the tf.data modules' docstrings."""
import doctest

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.data import dataset, options
from tapeflow import data


@pytest.mark.parametrize("module", [data, dataset, options],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, globs={"tf": tf, "np": np, "xp": np,
                                            "Dataset": tf.data.Dataset,
                                            "Options": tf.data.Options},
                             optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
