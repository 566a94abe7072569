"""Runs the `>>>` examples in the random and image op modules' docstrings."""
import doctest

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.ops import image, random, random_generator, stateless_random


@pytest.mark.parametrize("module", [random, stateless_random, random_generator, image],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    tf.random.set_seed(None)
    try:
        result = doctest.testmod(module, globs={"tf": tf, "np": np}, optionflags=doctest.ELLIPSIS)
    finally:
        tf.random.set_seed(None)
    assert result.failed == 0
