"""The fused conv-block kernels, NumPy and Numba paths, against references written from
scratch (tests/ops/cases/fused.py): float32 and float64, ties, odd sizes, 3x3 windows."""
import numpy as np
import pytest

from tapeflow._util import jit
from tapeflow.ops import fused
from tests.ops.cases.fused import ref_forward, ref_grad, ref_route_grad, sparse_images

SHAPES = [  # (x shape, filter shape, padding, pool)
    ((4, 12, 12, 1), (3, 3, 1, 32), "VALID", (2, 2)),
    ((3, 11, 9, 3), (3, 3, 3, 16), "VALID", (2, 2)),     # pool drops a row and a column
    ((2, 10, 11, 2), (2, 3, 2, 5), "SAME", (3, 3)),
    ((2, 9, 9, 1), (5, 5, 1, 7), "VALID", (2, 3)),
]
PATHS = ["numpy"] + (["numba"] if jit.enabled() else [])


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    monkeypatch.setenv("TAPEFLOW_JIT", "1" if request.param == "numba" else "0")
    assert jit.enabled() == (request.param == "numba")
    return request.param


def _inputs(x_shape, f_shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = sparse_images(*x_shape)(rng).astype(dtype)
    w = rng.standard_normal(f_shape).astype(dtype)
    w[..., 0] = 0          # channel 0: every window ties at the bias
    b = rng.standard_normal(f_shape[3]).astype(dtype)
    b[0] = 0.5
    b[1] = -0.5            # channel 1 (with its weights zeroed below): all pre-activations < 0
    w[..., 1] = 0
    return x, w, b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, f_shape, padding, pool", SHAPES)
def test_forward_and_gradient_match_reference(path, dtype, x_shape, f_shape, padding, pool):
    x, w, b = _inputs(x_shape, f_shape, dtype)
    out, route = fused.FusedConv2DBiasReluMaxPool.forward(x, w, b, padding=padding,
                                                          pool_size=pool)
    ref_out, ref_route = ref_forward(x, w, b, padding, pool)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    assert out.dtype == dtype and route.dtype == np.uint8
    np.testing.assert_allclose(out, ref_out, **tol)
    np.testing.assert_array_equal(route, ref_route)
    assert (route[..., 0] == 0).all() and (route[..., 1] == fused.NO_ROUTE).all()

    dy = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    dw, db = fused.FusedConv2DBiasReluMaxPoolGrad.forward(
        x, route, dy, filter_dims=f_shape, padding=padding, pool_size=pool)
    ref_dw, ref_db = ref_grad(x, route, dy, f_shape, padding, pool)
    assert dw.dtype == dtype and db.dtype == dtype and dw.shape == f_shape
    np.testing.assert_allclose(dw, ref_dw, **tol)
    np.testing.assert_allclose(db, ref_db, **tol)


def test_route_gradient_matches_reference():
    rng = np.random.default_rng(0)
    route = rng.integers(0, 9, (2, 3, 2, 4)).astype(np.uint8)
    route[route == 8] = fused.NO_ROUTE
    dy = rng.standard_normal((2, 3, 2, 4))
    dz = fused.FusedReluMaxPoolGrad.forward(route, dy, conv_size=(10, 7), pool_size=(3, 3))
    np.testing.assert_array_equal(dz, ref_route_grad(route, dy, (10, 7), (3, 3)))


def test_numba_gradient_splits_over_threads_like_one_piece(monkeypatch):
    if not jit.enabled():
        pytest.skip("Numba is not installed")
    x, w, b = _inputs((16, 28, 28, 1), (3, 3, 1, 32), np.float64)
    out, route = fused.FusedConv2DBiasReluMaxPool.forward(x, w, b, padding="VALID",
                                                          pool_size=(2, 2))
    dy = np.random.default_rng(1).standard_normal(out.shape)
    split = fused.FusedConv2DBiasReluMaxPoolGrad.forward(
        x, route, dy, filter_dims=w.shape, padding="VALID", pool_size=(2, 2))
    monkeypatch.setattr(fused, "_MIN_PARALLEL_MACS", 1 << 62)
    whole = fused.FusedConv2DBiasReluMaxPoolGrad.forward(
        x, route, dy, filter_dims=w.shape, padding="VALID", pool_size=(2, 2))
    out_whole, route_whole = fused.FusedConv2DBiasReluMaxPool.forward(
        x, w, b, padding="VALID", pool_size=(2, 2))
    np.testing.assert_array_equal(out, out_whole)
    np.testing.assert_array_equal(route, route_whole)
    for a, e in zip(split, whole):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)
