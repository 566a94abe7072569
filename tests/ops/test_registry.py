"""The registry test: every registered op is checked for values, dtypes, shape rules
and gradients, and the test fails when an op has no case."""
import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.core.op import REGISTRY
from tapeflow.graph.ir import Graph
from tapeflow.testing.gradient_checker import check_gradients
from tests.ops.cases import all_cases, all_exempt

CASES = all_cases()
EXEMPT = all_exempt()
TOLERANCE = {"float16": (1e-2, 1e-2), "float64": (1e-10, 1e-12)}


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _make_inputs(case, dtype, seed=0):
    arrays = case.inputs(np.random.default_rng(seed))
    return [a.astype(dtype) if np.asarray(a).dtype.kind == "f" else np.asarray(a) for a in arrays]


def _assert_values(actual, expected, err_msg="", **tolerances):
    """Numbers within tolerances; strings (object arrays of bytes) exactly."""
    if np.asarray(expected).dtype.kind in "OSU":
        np.testing.assert_array_equal(actual, expected, err_msg=err_msg)
    else:
        np.testing.assert_allclose(actual, expected, err_msg=err_msg, **tolerances)


def test_every_op_has_a_case():
    covered = {case.op for case in CASES}
    missing = sorted(set(REGISTRY) - covered - set(EXEMPT))
    assert not missing, f"registered ops without a test case: {missing}"


def test_every_differentiable_op_has_a_gradient_case():
    with_grad = {case.op for case in CASES if case.grad}
    missing = sorted(name for name, op in REGISTRY.items()
                     if op.differentiable and name not in with_grad and name not in EXEMPT)
    assert not missing, f"differentiable ops without a gradient check: {missing}"


def test_cases_name_registered_ops():
    unknown = sorted({case.op for case in CASES} - set(REGISTRY))
    assert not unknown, f"cases for ops that are not registered: {unknown}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_values_match_reference(case):
    for dtype in case.dtypes:
        arrays = _make_inputs(case, dtype)
        outputs = _as_list(case.fn(*[tf.constant(a) for a in arrays]))
        expected = _as_list(case.reference(*arrays))
        assert len(outputs) == len(expected)
        rtol, atol = TOLERANCE.get(dtype, (case.rtol, case.atol))
        for out, ref in zip(outputs, expected):
            ref = np.asarray(ref)
            assert out.dtype.as_numpy_dtype == ref.dtype.type, \
                f"{case.id}: dtype {out.dtype.name} != reference {ref.dtype}"
            assert tuple(out.shape) == ref.shape
            _assert_values(out.numpy(), ref, rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", [c for c in CASES if c.grad], ids=lambda c: c.id)
def test_gradients_match_finite_differences(case):
    arrays = _make_inputs(case, np.float64)
    wrt = case.wrt
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f")
    check_gradients(case.fn, arrays, wrt=wrt, order=case.order, rtol=case.grad_rtol,
                    atol=case.grad_atol)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_shape_rules_match_eager(case):
    arrays = _make_inputs(case, case.dtypes[0])
    eager = _as_list(case.fn(*[tf.constant(a) for a in arrays]))
    graph = Graph("case")
    with graph_scope(graph):
        placeholders = [graph.placeholder(tf.TensorSpec(a.shape, tf.as_dtype(a.dtype)))
                        for a in arrays]
        traced = _as_list(case.fn(*placeholders))
    for e, t in zip(eager, traced):
        assert t.dtype == e.dtype, f"{case.id}: traced dtype {t.dtype} vs eager {e.dtype}"
        dims = t.shape.as_list()
        assert all(d is None or d == s for d, s in zip(dims, e.shape)) and \
            len(dims) == len(e.shape), f"{case.id}: traced shape {dims} vs eager {e.shape}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_traced_matches_eager(case):
    """The compiled graph of each case gives the eager values (issue: traced == eager)."""
    arrays = _make_inputs(case, case.dtypes[-1])
    tensors = [tf.constant(a) for a in arrays]
    eager = _as_list(case.fn(*tensors))
    traced = _as_list(tf.function(case.fn)(*tensors))
    assert len(eager) == len(traced)
    for e, t in zip(eager, traced):
        assert t.dtype == e.dtype and t.shape == e.shape, case.id
        _assert_values(t.numpy(), e.numpy(), rtol=1e-12, atol=0, err_msg=case.id)
