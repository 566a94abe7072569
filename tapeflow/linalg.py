"""`tf.linalg`: re-exports of the linear-algebra ops."""
from tapeflow.ops.clip import global_norm
from tapeflow.ops.creation import eye
from tapeflow.ops.factorizations import (cholesky, cholesky_solve, det, eigh, eigvalsh, inv,
                                         logdet, lstsq, matrix_rank, pinv, qr, slogdet, solve,
                                         svd, triangular_solve)
from tapeflow.ops.linalg import (adjoint, band_part, cross, diag, diag_part, einsum,
                                 matrix_transpose, matvec, norm, normalize, set_diag,
                                 tensor_diag, tensor_diag_part, tensordot, trace)
from tapeflow.ops.math import matmul
from tapeflow.ops.normalization import l2_normalize

__all__ = [name for name in dir() if not name.startswith("_")]
