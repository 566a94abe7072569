"""Every transformation against TF's result on small inputs (see tf_cases.py)."""
import itertools
import re

import numpy as np
import pytest

from tests.data.tf_cases import BATCHING_CASES, MISC_CASES, SOURCE_CASES, TRANSFORM_CASES

CASES = SOURCE_CASES + TRANSFORM_CASES + BATCHING_CASES + MISC_CASES


def to_python(value):
    """NumPy values as plain Python values (the tables' form)."""
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[to_python(v) for v in value])
    if isinstance(value, (tuple, list)):
        return type(value)(to_python(v) for v in value)
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    return value


def _short_names(message):
    # TF's messages name TF's classes by module path, and Python names functions by
    # qualified name (TF wraps them): compare the last part of each name only.
    message = re.sub(r"<class '(?:[\w.]*\.)?(\w+)'>", r"<class '\1'>", message)
    return re.sub(r"(?:[\w<>]+\.<locals>\.)+", "", message)


def assert_tf_error(error, expected):
    kind, message = expected
    assert type(error).__name__ == kind, f"{type(error).__name__}: {error}"
    ours = _short_names(str(error))
    theirs = _short_names(message)
    assert ours.startswith(theirs), f"\n ours: {ours}\n   TF: {theirs}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_tensorflow(case):
    _, build, spec, cardinality, expected = case
    if spec is None:
        with pytest.raises(Exception) as info:
            build()
        assert_tf_error(info.value, expected)
        return
    dataset = build()
    assert str(dataset.element_spec) == spec
    assert int(dataset.cardinality()) == cardinality
    if isinstance(expected, tuple):
        with pytest.raises(Exception) as info:
            list(itertools.islice(dataset.as_numpy_iterator(), 30))
        assert_tf_error(info.value, expected)
    else:
        assert to_python(list(itertools.islice(dataset.as_numpy_iterator(), 30))) == expected


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
