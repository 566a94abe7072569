"""The `>>>` examples in the docstrings of the Keras core modules run as doctests."""
import doctest
import importlib

import numpy as np
import pytest

import tapeflow

MODULES = ["tapeflow.keras.activations", "tapeflow.keras.dtype_policies",
           "tapeflow.keras.initializers", "tapeflow.keras.random",
           "tapeflow.keras.regularizers", "tapeflow.keras.variables",
           "tapeflow.keras.layers.convolutional", "tapeflow.keras.layers.core",
           "tapeflow.keras.layers.input", "tapeflow.keras.layers.pooling",
           "tapeflow.keras.layers.recurrent", "tapeflow.keras.layers.symbolic",
           "tapeflow.keras.models.model", "tapeflow.keras.models.sequential"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"tapeflow": tapeflow, "tf": tapeflow,
                                                     "np": np},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
