"""Matrix inverses, determinants, linear solves and factorizations (Cholesky, QR,
SVD, symmetric eigendecomposition), batched over leading dimensions.

Kernels call `xp.linalg` (LAPACK); float16 inputs are computed in float32.
Gradient rules are the standard matrix-calculus results, written in tapeflow ops
(matmul, solves, band parts), so they are differentiable again. The signs of
singular and eigen vectors are LAPACK's, which may differ from TF's (both are
valid; TF's own choice depends on its CPU library).
"""
import collections

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.shape import broadcast_shapes
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import binary_operands
from tapeflow.ops.math import (INEXACT, _t, add, divide, log, matmul,
                               multiply, negative, reduce_sum, subtract, where)

_MATRIX_DTYPES = INEXACT
_COMPLEX = frozenset({dtypes.complex64, dtypes.complex128})


def _swap(x):
    return xp.swapaxes(x, -1, -2)


def _working(x):
    """LAPACK has no float16: compute in float32."""
    return x.astype(xp.float32) if x.dtype == xp.float16 else x


def _check_square(x, message="Input matrix must be square."):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"Input tensor 0 must have rank >= 2, got "
                                               f"{x.ndim}")
    if x.shape[-1] != x.shape[-2]:
        raise InvalidArgumentError(None, None, message)


def _same_as_input(x, **attrs):
    return TensorSpec(x.dims, x.dtype)


def _batch_scalar(x, **attrs):
    return TensorSpec(None if x.dims is None else x.dims[:-2], x.dtype)


def _transpose(x):
    from tapeflow.ops.linalg import matrix_transpose
    return matrix_transpose(x, conjugate=x.dtype.is_complex)


def _expand_matrix(x):
    from tapeflow.ops.array import expand_dims
    return expand_dims(expand_dims(x, -1), -1)


# ================================================================================
# Inverse and determinants
# ================================================================================

MatrixInverse = Op("MatrixInverse", infer=_same_as_input, dtypes=_MATRIX_DTYPES)


@MatrixInverse.kernel
def _(x, adjoint):
    _check_square(x)
    a = _working(_swap(x).conj() if adjoint else x)
    if a.size == 0:
        return xp.zeros(x.shape, x.dtype)
    try:
        return xp.linalg.inv(a).astype(x.dtype, copy=False)
    except xp.linalg.LinAlgError:
        raise InvalidArgumentError(None, None, "Input is not invertible.") from None


@MatrixInverse.gradient
def _(dy, x, out, adjoint):
    # Y = X^-1: dY = -Y dX Y, so dX = -Y^T dY Y^T (for Y = X^-T: -Y dY^T Y).
    if adjoint:
        return negative(matmul(out, matmul(dy, out, adjoint_a=True)))
    return negative(matmul(out, matmul(dy, out, adjoint_b=True), adjoint_a=True))


def inv(input, adjoint=False, name=None):  # noqa: A002
    """The inverse of each square matrix (of its adjoint if `adjoint`).

    Raises:
      InvalidArgumentError: a matrix is not square or not invertible.

    >>> inv([[2.0, 0.0], [0.0, 4.0]]).numpy()
    array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)
    """
    return apply(MatrixInverse, _t(input), adjoint=bool(adjoint))


MatrixDeterminant = Op("MatrixDeterminant", infer=_batch_scalar, dtypes=_MATRIX_DTYPES)


@MatrixDeterminant.kernel
def _(x):
    _check_square(x)
    return xp.asarray(xp.linalg.det(_working(x))).astype(x.dtype)


@MatrixDeterminant.gradient
def _(dy, x, out):
    # d det(X) = det(X) tr(X^-1 dX): the gradient is dy * det * X^-T (X must be invertible).
    return multiply(_expand_matrix(multiply(dy, out)), inv(x, adjoint=True))


def _no_half_kernel(x, op):
    # TF declares float16 for these ops but registers no CPU kernel for it.
    if x.dtype is dtypes.float16:
        from tapeflow.core.errors import NotFoundError
        raise NotFoundError(None, None, f"Could not find device for node: {{{{node {op.name}}}}} "
                                        f"= {op.name}[T=DT_HALF]")
    return x


def det(input, name=None):  # noqa: A002
    """The determinant of each square matrix.

    >>> det([[4.0, 1.0], [2.0, 3.0]]).numpy()
    10.0
    """
    return apply(MatrixDeterminant, _no_half_kernel(_t(input), MatrixDeterminant))


def _slogdet_infer(x):
    spec = _batch_scalar(x)
    return spec, spec


LogMatrixDeterminant = Op("LogMatrixDeterminant", infer=_slogdet_infer, dtypes=_MATRIX_DTYPES,
                          multi_output=True)


@LogMatrixDeterminant.kernel
def _(x):
    _check_square(x)
    sign, log_abs = xp.linalg.slogdet(_working(x))
    return xp.asarray(sign).astype(x.dtype), xp.asarray(log_abs).astype(x.dtype)


@LogMatrixDeterminant.gradient
def _(dy, x, out):
    # d log|det X| = tr(X^-1 dX); the sign is piecewise constant.
    return multiply(_expand_matrix(dy[1]), inv(x, adjoint=True))


SlogdetResult = collections.namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])


def slogdet(input, name=None):  # noqa: A002
    """`(sign, log|det|)` of each square matrix: the determinant without overflow.

    >>> slogdet([[-4.0, 1.0], [2.0, 3.0]]).sign.numpy()
    -1.0
    """
    sign, log_abs = apply(LogMatrixDeterminant, _no_half_kernel(_t(input), LogMatrixDeterminant))
    return SlogdetResult(sign, log_abs)


def logdet(matrix, name=None):
    """`log(det(matrix))` of Hermitian positive-definite matrices, via Cholesky:
    `2 * sum(log(diag(L)))`."""
    from tapeflow.ops.linalg import diag_part
    chol = cholesky(matrix)
    return multiply(reduce_sum(log(_real(diag_part(chol))), axis=-1), 2.0)


def _real(x):
    from tapeflow.ops.elementwise import math_real
    return math_real(x)


# ================================================================================
# Linear solves
# ================================================================================

def _solve_infer(matrix, rhs, adjoint):
    if rhs.dims is None or matrix.dims is None:
        return TensorSpec(rhs.dims, rhs.dtype)
    return TensorSpec(rhs.dims, rhs.dtype)


MatrixSolve = Op("MatrixSolve", infer=_solve_infer, dtypes=_MATRIX_DTYPES)


@MatrixSolve.kernel
def _(matrix, rhs, adjoint):
    if matrix.ndim != rhs.ndim:
        raise InvalidArgumentError(None, None, "All input tensors must have the same rank.")
    _check_square(matrix, "First input (lhs) must be a square matrix.")
    if matrix.shape[:-2] != rhs.shape[:-2]:
        raise InvalidArgumentError(None, None, "All input tensors must have the same outer "
                                               "dimensions.")
    if matrix.shape[-1] != rhs.shape[-2]:
        raise InvalidArgumentError(None, None, "Input matrix and rhs are incompatible.")
    a = _working(_swap(matrix).conj() if adjoint else matrix)
    try:
        return xp.linalg.solve(a, _working(rhs)).astype(rhs.dtype, copy=False)
    except xp.linalg.LinAlgError:
        raise InvalidArgumentError(None, None, "Input matrix is not invertible.") from None


@MatrixSolve.gradient
def _(dy, matrix, rhs, out, adjoint):
    # X = A^-1 B: dB = A^-T dX, dA = -dB X^T (for the adjoint system: -X dB^T).
    d_rhs = solve(matrix, dy, adjoint=not adjoint)
    if adjoint:
        return negative(matmul(out, d_rhs, adjoint_b=True)), d_rhs
    return negative(matmul(d_rhs, out, adjoint_b=True)), d_rhs


def solve(matrix, rhs, adjoint=False, name=None):
    """Solves `matrix @ x = rhs` (or `adjoint(matrix) @ x = rhs`) for each batch entry.

    `matrix` is [..., M, M] and `rhs` [..., M, K] with the same batch dimensions.

    >>> solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [2.0]]).numpy()
    array([[1. ],
           [0.5]], dtype=float32)
    """
    matrix, rhs = binary_operands(matrix, rhs, "MatrixSolve")
    return apply(MatrixSolve, matrix, rhs, adjoint=bool(adjoint))


def _triangular_solve_infer(matrix, rhs, lower, adjoint):
    if matrix.dims is None or rhs.dims is None:
        return TensorSpec(None, rhs.dtype)
    batch = broadcast_shapes(matrix.dims[:-2], rhs.dims[:-2])
    return TensorSpec((batch or ()) + rhs.dims[-2:], rhs.dtype)


MatrixTriangularSolve = Op("MatrixTriangularSolve", infer=_triangular_solve_infer,
                           dtypes=_MATRIX_DTYPES)


@MatrixTriangularSolve.kernel
def _(matrix, rhs, lower, adjoint):
    _check_square(matrix)
    if matrix.shape[-1] != rhs.shape[-2]:
        raise InvalidArgumentError(None, None, "Input matrix and rhs are incompatible.")
    a = xp.tril(matrix) if lower else xp.triu(matrix)
    a = _working(_swap(a).conj() if adjoint else a)
    batch = xp.broadcast_shapes(a.shape[:-2], rhs.shape[:-2])
    a = xp.broadcast_to(a, batch + a.shape[-2:])
    b = xp.broadcast_to(_working(rhs), batch + rhs.shape[-2:])
    try:
        return xp.linalg.solve(a, b).astype(rhs.dtype, copy=False)
    except xp.linalg.LinAlgError:   # a zero on the diagonal: substitute, giving inf as TF
        return _substitute(a, b, lower != adjoint).astype(rhs.dtype, copy=False)


def _substitute(a, b, lower):
    """Forward (lower) or back substitution, one row at a time, batched."""
    x = xp.zeros(b.shape, dtype=xp.result_type(a, b))
    n = a.shape[-1]
    rows = range(n) if lower else range(n - 1, -1, -1)
    for i in rows:
        done = x[..., :i, :] if lower else x[..., i + 1:, :]
        coefficients = a[..., i:i + 1, :i] if lower else a[..., i:i + 1, i + 1:]
        x[..., i, :] = (b[..., i, :] - (coefficients @ done)[..., 0, :]) / a[..., i, i:i + 1]
    return x


@MatrixTriangularSolve.gradient
def _(dy, matrix, rhs, out, lower, adjoint):
    # As MatrixSolve, keeping only the triangle the forward pass read.
    from tapeflow.ops.linalg import band_part
    d_rhs = triangular_solve(matrix, dy, lower=lower, adjoint=not adjoint)
    if adjoint:
        d_matrix = negative(matmul(out, d_rhs, adjoint_b=True))
    else:
        d_matrix = negative(matmul(d_rhs, out, adjoint_b=True))
    d_matrix = band_part(d_matrix, -1, 0) if lower else band_part(d_matrix, 0, -1)
    return sum_to_shape(d_matrix, matrix), sum_to_shape(d_rhs, rhs)


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """Solves `matrix @ x = rhs` using only the lower (or upper) triangle of `matrix`.

    >>> triangular_solve([[2.0, 0.0], [1.0, 1.0]], [[2.0], [2.0]]).numpy()
    array([[1.],
           [1.]], dtype=float32)
    """
    matrix, rhs = binary_operands(matrix, rhs, "MatrixTriangularSolve")
    return apply(MatrixTriangularSolve, matrix, rhs, lower=bool(lower), adjoint=bool(adjoint))


# ================================================================================
# Cholesky
# ================================================================================

Cholesky = Op("Cholesky", infer=_same_as_input, dtypes=_MATRIX_DTYPES)


def _cholesky_or_nan(a):
    # TF returns NaNs (not an error) for a matrix that is not positive definite.
    try:
        return xp.linalg.cholesky(a)
    except xp.linalg.LinAlgError:
        if a.ndim == 2:
            return xp.where(xp.tril(xp.ones(a.shape, dtype=bool)), xp.nan, 0).astype(a.dtype)
        return xp.stack([_cholesky_or_nan(m) for m in a])


@Cholesky.kernel
def _(x):
    _check_square(x)
    if x.size == 0:
        return xp.zeros(x.shape, x.dtype)
    batch = x.shape[:-2]
    flat = _working(x).reshape((-1,) + x.shape[-2:])
    return _cholesky_or_nan(flat).reshape(batch + x.shape[-2:]).astype(x.dtype, copy=False)


@Cholesky.gradient
def _(dy, x, out):
    # For A = L L^T (Murray, 2016): with P = Phi(L^T dL) (lower triangle, halved
    # diagonal), S = L^-T P L^-1 and dA = (S + S^T) / 2. Only A's lower triangle
    # is read, but TF returns the symmetric gradient; so do we.
    from tapeflow.ops.linalg import matrix_transpose
    n = out._static_dims()[-1]
    lower_halved = convert_to_tensor((xp.tril(xp.ones((n, n))) - 0.5 * xp.eye(n)).astype(
        out.dtype._np))
    middle = multiply(matmul(out, dy, adjoint_a=True), lower_halved)
    l_inverse = inv(out)
    s = matmul(matmul(l_inverse, middle, adjoint_a=True), l_inverse)
    return multiply(add(s, matrix_transpose(s, conjugate=s.dtype.is_complex)), 0.5)


def cholesky(input, name=None):  # noqa: A002
    """The lower-triangular `L` with `L @ adjoint(L) == input` for each Hermitian
    positive-definite matrix (only the lower triangle of `input` is read).

    >>> cholesky([[4.0, 2.0], [2.0, 5.0]]).numpy()
    array([[2., 0.],
           [1., 2.]], dtype=float32)
    """
    return apply(Cholesky, _no_half_kernel(_t(input), Cholesky))


def cholesky_solve(chol, rhs, name=None):
    """Solves `A x = rhs` given the Cholesky factor `chol` of A."""
    y = triangular_solve(chol, rhs, lower=True)
    return triangular_solve(chol, y, lower=True, adjoint=True)


# ================================================================================
# QR
# ================================================================================

def _qr_infer(x, full_matrices):
    if x.dims is None:
        return TensorSpec(None, x.dtype), TensorSpec(None, x.dtype)
    batch, (m, n) = x.dims[:-2], x.dims[-2:]
    k = None if m is None or n is None else min(m, n)
    q_cols = m if full_matrices else k
    r_rows = m if full_matrices else k
    return TensorSpec(batch + (m, q_cols), x.dtype), TensorSpec(batch + (r_rows, n), x.dtype)


Qr = Op("Qr", infer=_qr_infer, dtypes=_MATRIX_DTYPES, multi_output=True)


@Qr.kernel
def _(x, full_matrices):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"Input tensor 0 must have rank >= 2, got "
                                               f"{x.ndim}")
    q, r = xp.linalg.qr(_working(x), mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)


def _solve_right_upper(x, r):
    """x @ inverse(r)^H for an upper-triangular r (a triangular solve on the right)."""
    from tapeflow.ops.linalg import adjoint as adjoint_of
    return adjoint_of(triangular_solve(r, adjoint_of(x), lower=False))


@Qr.gradient
def _(dy, x, out, full_matrices):
    # For A = QR with m >= n (Q: m x n, R upper triangular), following the
    # derivation used by TF: with M = R dR^H - dQ^H Q (only its lower triangle
    # matters), dA = [dQ + Q copyltu(M)] R^-H, copyltu mirroring the lower triangle.
    dq, dr = dy
    q, r = out
    m, n = x._static_dims()[-2:]
    if m is None or n is None or m < n:
        raise NotImplementedError("QrGrad not implemented when nrows < ncols (or with unknown "
                                  f"shape); received a matrix of shape [{m}, {n}].")
    if full_matrices and m > n:
        raise NotImplementedError(f"QrGrad not implemented when nrows > ncols and "
                                  f"full_matrices is true. Received r.shape={(m, n)} with "
                                  f"nrows={m}and ncols={n}.")
    from tapeflow.ops.linalg import band_part, diag_part, matrix_transpose, set_diag
    ltu = subtract(matmul(r, dr, adjoint_b=True), matmul(dq, q, adjoint_a=True))
    lower = band_part(ltu, -1, 0)
    copyltu = add(lower, matrix_transpose(lower, conjugate=lower.dtype.is_complex))
    copyltu = set_diag(copyltu, diag_part(ltu))
    return _solve_right_upper(add(dq, matmul(q, copyltu)), r)


QrResult = collections.namedtuple("Qr", ["q", "r"])


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """The QR factorization `input = q @ r` (q orthonormal columns, r upper triangular).

    Returns:
      A namedtuple `Qr(q, r)`.
    """
    q, r = apply(Qr, _t(input), full_matrices=bool(full_matrices))
    return QrResult(q, r)


# ================================================================================
# SVD
# ================================================================================

def _svd_infer(x, full_matrices, compute_uv):
    if x.dims is None:
        return (TensorSpec(None, x.dtype),) * 3
    batch, (m, n) = x.dims[:-2], x.dims[-2:]
    k = None if m is None or n is None else min(m, n)
    real = _real_dtype(x.dtype)
    if not compute_uv:
        return TensorSpec(batch + (k,), real), TensorSpec((0,), x.dtype), \
            TensorSpec((0,), x.dtype)
    u_cols, v_cols = (m, n) if full_matrices else (k, k)
    return (TensorSpec(batch + (k,), real), TensorSpec(batch + (m, u_cols), x.dtype),
            TensorSpec(batch + (n, v_cols), x.dtype))


def _real_dtype(dtype):
    return {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}.get(dtype,
                                                                                     dtype)


Svd = Op("Svd", infer=_svd_infer, dtypes=_MATRIX_DTYPES, multi_output=True)


@Svd.kernel
def _(x, full_matrices, compute_uv):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"Input tensor 0 must have rank >= 2, got "
                                               f"{x.ndim}")
    real = _real_dtype(dtypes.from_numpy(x.dtype))._np
    if not compute_uv:
        s = xp.linalg.svd(_working(x), compute_uv=False)
        empty = xp.zeros((0,), x.dtype)
        return s.astype(real), empty, empty
    u, s, vh = xp.linalg.svd(_working(x), full_matrices=full_matrices)
    return s.astype(real), u.astype(x.dtype), _swap(vh).conj().astype(x.dtype)


@Svd.gradient
def _(dy, x, out, full_matrices, compute_uv):
    ds, du, dv = dy
    if not compute_uv:
        # d s_i = u_i^T dA v_i: the gradient is U diag(ds) V^T.
        s, u, v = svd(x, full_matrices=False)
        return matmul(multiply(u, _expand_row(ds)), v, adjoint_b=True)
    m, n = x._static_dims()[-2:]
    if full_matrices and m != n:
        raise NotImplementedError("The SVD gradient is not implemented for full_matrices=True "
                                  "with non-square matrices.")
    return _svd_gradient(ds, du, dv, *out)


def _expand_row(x):
    from tapeflow.ops.array import expand_dims
    return expand_dims(x, -2)


def _svd_gradient(ds, du, dv, s, u, v):
    """Real SVD A = U diag(s) V^T (Townsend, "Differentiating the SVD", 2016):

    dA = U [ (F o (U^T dU - dU^T U)) S + diag(ds) + S (F o (V^T dV - dV^T V)) ] V^T
         + (I - U U^T) dU S^-1 V^T + U S^-1 dV^T (I - V V^T),
    with F_ij = 1 / (s_j^2 - s_i^2) off the diagonal and 0 on it.
    """
    from tapeflow.ops.array import expand_dims
    from tapeflow.ops.linalg import diag, matrix_transpose
    s_squared = multiply(s, s)
    gaps = subtract(expand_dims(s_squared, -2), expand_dims(s_squared, -1))   # s_j^2 - s_i^2
    off_diagonal = _off_diagonal_mask(s)
    safe_gaps = where(off_diagonal, gaps, _ones(gaps))
    f = where(off_diagonal, divide(_ones(gaps), safe_gaps), _zeros(gaps))
    s_row = expand_dims(s, -2)
    s_column = expand_dims(s, -1)
    utdu = matmul(u, du, adjoint_a=True)
    vtdv = matmul(v, dv, adjoint_a=True)
    j = multiply(f, subtract(utdu, matrix_transpose(utdu)))
    k = multiply(f, subtract(vtdv, matrix_transpose(vtdv)))
    inner = add(add(multiply(j, s_row), diag(ds)), multiply(s_column, k))
    grad = matmul(matmul(u, inner), v, adjoint_b=True)
    du_scaled = divide(du, s_row)                                      # dU S^-1
    u_part = subtract(du_scaled, matmul(u, matmul(u, du_scaled, adjoint_a=True)))
    grad = add(grad, matmul(u_part, v, adjoint_b=True))
    dv_scaled = divide(dv, s_row)                                      # dV S^-1
    v_part = subtract(dv_scaled, matmul(v, matmul(v, dv_scaled, adjoint_a=True)))
    return add(grad, matmul(u, v_part, adjoint_b=True))


def _off_diagonal_mask(s):
    from tapeflow.ops.array import expand_dims
    from tapeflow.ops.math import not_equal
    n = s._static_dims()[-1]
    index = convert_to_tensor(xp.arange(n))
    return not_equal(expand_dims(index, -1), expand_dims(index, -2))


def _ones(x):
    from tapeflow.ops.array import ones_like
    return ones_like(x)


def _zeros(x):
    from tapeflow.ops.array import zeros_like
    return zeros_like(x)


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """The singular value decomposition `tensor = u @ diag(s) @ adjoint(v)`.

    Returns:
      `(s, u, v)` (singular values in decreasing order), or `s` alone when
      `compute_uv` is False.
    """
    s, u, v = apply(Svd, _no_half_kernel(_t(tensor), Svd), full_matrices=bool(full_matrices),
                    compute_uv=bool(compute_uv))
    return (s, u, v) if compute_uv else s


# ================================================================================
# Symmetric (Hermitian) eigendecomposition
# ================================================================================

def _eig_infer(x, compute_v):
    if x.dims is None:
        return TensorSpec(None, _real_dtype(x.dtype)), TensorSpec(None, x.dtype)
    values = TensorSpec(x.dims[:-1], _real_dtype(x.dtype))
    return values, TensorSpec(x.dims if compute_v else (0,), x.dtype)


SelfAdjointEigV2 = Op("SelfAdjointEigV2", infer=_eig_infer, dtypes=_MATRIX_DTYPES,
                      multi_output=True)


@SelfAdjointEigV2.kernel
def _(x, compute_v):
    _check_square(x)
    real = _real_dtype(dtypes.from_numpy(x.dtype))._np
    if not compute_v:   # LAPACK reads the lower triangle
        return xp.linalg.eigvalsh(_working(x)).astype(real), xp.zeros((0,), x.dtype)
    e, v = xp.linalg.eigh(_working(x))
    return e.astype(real), v.astype(x.dtype)


@SelfAdjointEigV2.gradient
def _(dy, x, out, compute_v):
    # A = V diag(e) V^T: dA = V (diag(de) + F o (V^T dV)) V^T, F_ij = 1 / (e_j - e_i)
    # off the diagonal. The forward pass reads only the lower triangle, so the
    # gradient is symmetrized into it (diagonal kept once), as TF.
    from tapeflow.ops.array import expand_dims
    from tapeflow.ops.linalg import band_part, diag, diag_part, matrix_transpose, set_diag
    de, dv = dy
    e, v = out
    if not compute_v:
        e, v = eigh(x)
        dv = _zeros(v)
    gaps = subtract(expand_dims(e, -2), expand_dims(e, -1))
    off_diagonal = _off_diagonal_mask(e)
    f = where(off_diagonal, divide(_ones(gaps), where(off_diagonal, gaps, _ones(gaps))),
              _zeros(gaps))
    inner = add(diag(de), multiply(f, matmul(v, dv, adjoint_a=True)))
    grad = matmul(matmul(v, inner), v, adjoint_b=True)
    full = band_part(add(grad, matrix_transpose(grad, conjugate=grad.dtype.is_complex)), -1, 0)
    return set_diag(full, multiply(diag_part(full), 0.5))


def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors of self-adjoint matrices; only the
    lower triangle is read.

    Returns:
      `(e, v)` with `tensor @ v == v @ diag(e)`.
    """
    e, v = apply(SelfAdjointEigV2, _no_half_kernel(_t(tensor), SelfAdjointEigV2), compute_v=True)
    return e, v


def eigvalsh(tensor, name=None):
    """The eigenvalues (ascending) of self-adjoint matrices."""
    e, _ = apply(SelfAdjointEigV2, _no_half_kernel(_t(tensor), SelfAdjointEigV2),
                 compute_v=False)
    return e



def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverse `V diag(1/s) U^H`, ignoring singular values
    below `rcond * max(s)` (default `rcond`: 10 * max(rows, cols) * machine epsilon).

    Composite over `svd`, so it inherits the SVD's gradient.
    """
    from tapeflow.ops.array import expand_dims
    from tapeflow.ops.math import greater, reduce_max
    x = _t(a)
    rows, cols = x._static_dims()[-2:]
    if rcond is None:
        rcond = 10.0 * max(rows, cols) * float(xp.finfo(_real_dtype(x.dtype)._np).eps)
    s, u, v = svd(x, full_matrices=False)
    cutoff = multiply(reduce_max(s, axis=-1, keepdims=True), rcond)
    kept = greater(s, cutoff)
    inverse_s = where(kept, divide(_ones(s), where(kept, s, _ones(s))), _zeros(s))
    return matmul(multiply(v, expand_dims(inverse_s, -2)), u, adjoint_b=True)


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The number of singular values above `tol` (default: eps * max(rows, cols) *
    the largest singular value), as int32."""
    from tapeflow.ops.math import cast, greater, reduce_max
    x = _t(a)
    s = svd(x, compute_uv=False)
    if tol is None:
        rows, cols = x._static_dims()[-2:]
        eps = float(xp.finfo(_real_dtype(x.dtype)._np).eps)
        tol = multiply(reduce_max(s, axis=-1, keepdims=True), eps * max(rows, cols))
    else:
        from tapeflow.ops._rules import as_operand
        tol = as_operand(tol, s.dtype)
    return reduce_sum(cast(greater(s, tol), dtypes.int32), axis=-1)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares solution of `matrix @ x = rhs` (ridge-regularized by
    `l2_regularizer`), for each batch entry.

    With `fast` (the default) the normal equations are solved by Cholesky:
    `(A^H A + l2 I)^-1 A^H b` for tall matrices, `A^H (A A^H + l2 I)^-1 b` for wide
    ones. Otherwise the pseudo-inverse is used (only without regularization).
    """
    from tapeflow.ops._rules import as_operand
    a, b = binary_operands(matrix, rhs, "MatrixSolveLs")
    rows, cols = a._static_dims()[-2:]
    if not fast:
        if l2_regularizer != 0:
            raise NotImplementedError("The slow path of lstsq does not support "
                                      "l2_regularizer != 0 (as TF).")
        return matmul(pinv(a), b)
    regularizer = as_operand(l2_regularizer, a.dtype)
    if rows >= cols:
        gram = matmul(a, a, adjoint_a=True)
        eye = convert_to_tensor(xp.eye(cols, dtype=a.dtype._np))
        return cholesky_solve(cholesky(add(gram, multiply(eye, regularizer))),
                              matmul(a, b, adjoint_a=True))
    gram = matmul(a, a, adjoint_b=True)
    eye = convert_to_tensor(xp.eye(rows, dtype=a.dtype._np))
    return matmul(a, cholesky_solve(cholesky(add(gram, multiply(eye, regularizer))), b),
                  adjoint_a=True)
