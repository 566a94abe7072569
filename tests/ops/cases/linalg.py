"""Cases for tapeflow.ops.linalg and tapeflow.ops.factorizations.

References are NumPy formulas (np.einsum, np.linalg.*). Decompositions are
differentiated through functions of well-conditioned inputs: symmetric positive
definite matrices are built inside the case from an unconstrained matrix.
"""
import numpy as np

import tapeflow as tf
from tests.ops.cases import Case, inputs, normal

F64_TOL = dict(grad_rtol=1e-4, grad_atol=1e-5)


def _spd(n):
    """A well-conditioned symmetric positive-definite matrix maker."""
    def make(rng):
        a = rng.standard_normal((n, n))
        return a @ a.T + n * np.eye(n)
    return make


def _well_conditioned(*shape):
    def make(rng):
        n = shape[-1]
        return rng.standard_normal(shape) + 3 * np.eye(n)
    return make


def _sym(a):
    """Symmetric, positive-definite matrices from `a` (tapeflow ops)."""
    n = a.shape[-1]
    return tf.matmul(a, a, transpose_b=True) + tf.constant(n * np.eye(n), a.dtype)


def _np_sym(a):
    n = a.shape[-1]
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(a.dtype)


def _diag_ref(d, k, rows, cols, padding=0):
    out = np.full(d.shape[:-1] + (rows, cols), padding, dtype=d.dtype)
    for i in range(d.shape[-1]):
        out[..., i - min(k, 0), i + max(k, 0)] = d[..., i]
    return out


def _tri(a, lower):
    return np.tril(a) if lower else np.triu(a)


def _col(x):
    return x[..., :, None]


CASES = [
    # -- einsum --
    Case("Einsum", lambda a, b: tf.einsum("ij,jk->ik", a, b), inputs(normal(2, 3), normal(3, 4)),
         lambda a, b: a @ b, order=2),
    Case("Einsum", lambda a, b: tf.einsum("bij,bkj->bik", a, b),
         inputs(normal(2, 3, 4), normal(2, 5, 4)), lambda a, b: np.einsum("bij,bkj->bik", a, b),
         order=2, label="batched_transposed"),
    Case("Einsum", lambda a: tf.einsum("ii->i", a), inputs(normal(3, 3)), np.diagonal, order=2,
         label="diagonal"),
    Case("Einsum", lambda a: tf.einsum("ii", a), inputs(normal(3, 3)), np.trace, order=2,
         label="trace"),
    Case("Einsum", lambda a: tf.einsum("ij->i", a), inputs(normal(3, 4)), lambda a: a.sum(1),
         order=2, label="sum_out"),
    Case("Einsum", lambda a, b: tf.einsum("...i,...i->...", a, b),
         inputs(normal(2, 1, 3), normal(4, 3)), lambda a, b: np.einsum("...i,...i->...", a, b),
         order=2, label="ellipsis_broadcast"),
    Case("Einsum", lambda a, b: tf.einsum("i,j", a, b), inputs(normal(2), normal(3)),
         np.outer, order=2, label="implicit_outer"),
    Case("Einsum", lambda a, b, c: tf.einsum("ij,jk,kl->il", a, b, c),
         inputs(normal(2, 3), normal(3, 4), normal(4, 2)), lambda a, b, c: a @ b @ c, order=2,
         label="chain"),
    Case("Einsum", lambda a, b: tf.einsum("ij,jk->ik", a, b),
         inputs(lambda rng: rng.integers(-4, 4, (2, 3)).astype(np.int32),
                lambda rng: rng.integers(-4, 4, (3, 2)).astype(np.int32)),
         lambda a, b: a @ b, grad=False, label="int32"),
    # -- diagonals, bands, cross --
    Case("MatrixDiagV3", tf.linalg.diag, inputs(normal(2, 3)),
         lambda d: _diag_ref(d, 0, 3, 3), order=2),
    Case("MatrixDiagV3", lambda d: tf.linalg.diag(d, k=1, padding_value=9),
         inputs(normal(3)), lambda d: _diag_ref(d, 1, 4, 4, 9), order=2, label="k1_padding"),
    Case("MatrixDiagV3", lambda d: tf.linalg.diag(d, k=-1, num_rows=3, num_cols=2),
         inputs(normal(2)), lambda d: _diag_ref(d, -1, 3, 2), label="rows_cols"),
    Case("MatrixDiagV3", lambda d: tf.linalg.diag(d, k=(0, 1)), inputs(normal(2, 3)),
         lambda d: _diag_ref(d[0, 1:], 1, 3, 3) + _diag_ref(d[1], 0, 3, 3), order=2,
         label="band_right_left"),
    Case("MatrixDiagPartV3", tf.linalg.diag_part, inputs(normal(2, 3, 4)),
         lambda a: np.diagonal(a, axis1=-2, axis2=-1), order=2),
    Case("MatrixDiagPartV3", lambda a: tf.linalg.diag_part(a, k=(-1, 1)), inputs(normal(3, 3)),
         lambda a: np.stack([np.r_[0, np.diagonal(a, 1)], np.diagonal(a),
                             np.r_[np.diagonal(a, -1), 0]]).astype(a.dtype), order=2,
         label="band"),
    Case("MatrixBandPart", lambda a: tf.linalg.band_part(a, 1, 0), inputs(normal(2, 4, 4)),
         lambda a: np.triu(np.tril(a), -1), order=2),
    Case("MatrixBandPart", lambda a: tf.linalg.band_part(a, -1, 1), inputs(normal(3, 4)),
         lambda a: np.tril(np.triu(a, -10), 1), label="lower_triangle"),
    Case("Cross", tf.linalg.cross, inputs(normal(2, 3), normal(2, 3)), np.cross, order=2),
    # -- inverse, determinants, solves --
    Case("MatrixInverse", tf.linalg.inv, inputs(_well_conditioned(2, 3, 3)), np.linalg.inv,
         order=2, **F64_TOL),
    Case("MatrixInverse", lambda a: tf.linalg.inv(a, adjoint=True),
         inputs(_well_conditioned(3, 3)), lambda a: np.linalg.inv(a.T), order=2,
         label="adjoint", **F64_TOL),
    Case("MatrixDeterminant", tf.linalg.det, inputs(_well_conditioned(2, 3, 3)),
         lambda a: np.linalg.det(a).astype(a.dtype), order=2, rtol=1e-4, **F64_TOL),
    Case("LogMatrixDeterminant", lambda a: list(tf.linalg.slogdet(a)),
         inputs(_well_conditioned(2, 3, 3)),
         lambda a: [x.astype(a.dtype) for x in np.linalg.slogdet(a)], order=2, **F64_TOL),
    Case("MatrixSolve", tf.linalg.solve, inputs(_well_conditioned(2, 3, 3), normal(2, 3, 2)),
         np.linalg.solve, order=2, rtol=1e-4, **F64_TOL),
    Case("MatrixSolve", lambda a, b: tf.linalg.solve(a, b, adjoint=True),
         inputs(_well_conditioned(3, 3), normal(3, 1)),
         lambda a, b: np.linalg.solve(a.T, b), label="adjoint", rtol=1e-4, **F64_TOL),
    Case("MatrixTriangularSolve", tf.linalg.triangular_solve,
         inputs(_well_conditioned(3, 3), normal(3, 2)),
         lambda a, b: np.linalg.solve(np.tril(a), b), order=2, rtol=1e-4, **F64_TOL),
    Case("MatrixTriangularSolve",
         lambda a, b: tf.linalg.triangular_solve(a, b, lower=False, adjoint=True),
         inputs(_well_conditioned(3, 3), normal(2, 3, 2)),
         lambda a, b: np.linalg.solve(np.triu(a).T, b), label="upper_adjoint_broadcast",
         rtol=1e-4, **F64_TOL),
    # -- factorizations --
    Case("Cholesky", lambda a: tf.linalg.cholesky(_sym(a)), inputs(normal(2, 3, 3)),
         lambda a: np.linalg.cholesky(_np_sym(a)), order=2, rtol=1e-4, **F64_TOL),
    Case("Qr", lambda a: list(tf.linalg.qr(a)), inputs(normal(4, 3)),
         lambda a: list(np.linalg.qr(a)), rtol=1e-4, atol=1e-5, **F64_TOL),
    Case("Qr", lambda a: list(tf.linalg.qr(a)), inputs(normal(2, 3, 3)),
         lambda a: list(np.linalg.qr(a)), label="square_batch", rtol=1e-4, atol=1e-5,
         **F64_TOL),
    Case("Svd", lambda a: tf.linalg.svd(a, compute_uv=False), inputs(normal(2, 4, 3)),
         lambda a: np.linalg.svd(a, compute_uv=False), order=2, rtol=1e-4, **F64_TOL),
    Case("Svd", lambda a: list(tf.linalg.svd(a)), inputs(normal(4, 3)),
         lambda a: [np.linalg.svd(a)[1], np.linalg.svd(a, full_matrices=False)[0],
                    np.linalg.svd(a)[2].T], label="uv", rtol=1e-4, atol=1e-5, **F64_TOL),
    Case("SelfAdjointEigV2", lambda a: list(tf.linalg.eigh(_sym(a))), inputs(normal(3, 3)),
         lambda a: list(np.linalg.eigh(_np_sym(a))), rtol=1e-4, atol=1e-5, **F64_TOL),
    Case("SelfAdjointEigV2", lambda a: tf.linalg.eigvalsh(_sym(a)), inputs(normal(2, 3, 3)),
         lambda a: np.linalg.eigvalsh(_np_sym(a)), order=2, rtol=1e-4, label="values",
         **F64_TOL),
]
