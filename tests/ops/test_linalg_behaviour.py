"""TensorFlow behaviours of tf.linalg and matmul, with expected values and errors
taken from TF 2.21 (each value below was printed by real TensorFlow)."""
import numpy as np
import pytest

import tapeflow as tf

NAN, INF = np.nan, np.inf


def check(tensor, dtype, expected, rtol=1e-6, atol=1e-7):
    assert tensor.dtype == dtype, f"dtype {tensor.dtype} != {dtype}"
    np.testing.assert_allclose(tensor.numpy(), np.asarray(expected), rtol=rtol, atol=atol)


def check5(tensor, dtype, expected, rtol=1e-5, atol=1e-5):
    """`check` for values printed by TF rounded to 5 decimals."""
    check(tensor, dtype, expected, rtol=rtol, atol=atol)


def grads(f, *values):
    xs = [tf.constant(v) for v in values]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        y = f(*xs)
    return [None if g is None else g.numpy() for g in tape.gradient(y, xs)]


def raises(kind, match=None):
    return pytest.raises(kind, match=match)


# -- linear algebra -----------------------------------------------------------------------------

class TestMatmul:
    def test_dtypes(self):
        check(tf.matmul(tf.constant([[1, 2]]), tf.constant([[3], [4]])), tf.int32, [[11]])
        check(tf.matmul(tf.constant([[1, 2]], tf.int64), tf.constant([[3], [4]], tf.int64)),
              tf.int64, [[11]])
        check(tf.matmul(tf.ones([1, 2, 2], tf.int16), tf.ones([1, 2, 2], tf.int16)), tf.int16,
              [[[2, 2], [2, 2]]])
        for dtype in (tf.int8, tf.int16, tf.bool):
            with raises(tf.errors.InvalidArgumentError, "is not in the list of allowed values"):
                tf.matmul(tf.ones([2, 2], dtype), tf.ones([2, 2], dtype))
        with raises(tf.errors.NotFoundError, "MatMul"):
            tf.matmul(tf.ones([2, 2], tf.uint8), tf.ones([2, 2], tf.uint8))
        check(tf.matmul(tf.ones([2, 2], tf.int8), tf.ones([2, 2], tf.int8),
                        output_type=tf.int32), tf.int32, [[2, 2], [2, 2]])

    def test_batch_broadcasting_and_gradients(self):
        assert tf.matmul(tf.ones([2, 1, 2, 3]), tf.ones([3, 3, 2])).shape == (2, 3, 2, 2)
        assert tf.matmul(tf.ones([4, 2, 3]), tf.ones([3, 5])).shape == (4, 2, 5)
        assert tf.matmul(tf.ones([1, 2, 3]), tf.ones([1, 2, 3]), adjoint_a=True).shape == \
            (1, 3, 3)
        ga, gb = grads(tf.matmul, np.ones((2, 1, 2, 3)), np.ones((3, 3, 2)))
        np.testing.assert_allclose(ga, np.full((2, 1, 2, 3), 6.0))
        np.testing.assert_allclose(gb, np.full((3, 3, 2), 4.0))
        check(tf.matmul(tf.constant([[1 + 1j]]), tf.constant([[1 + 1j]]), adjoint_a=True),
              tf.complex128, [[2 + 0j]])

    def test_errors(self):
        with raises(tf.errors.InvalidArgumentError, "In\\[0\\] ndims must be >= 2"):
            tf.matmul(tf.constant([1.0, 2.0]), tf.constant([[3.0], [4.0]]))
        with raises(tf.errors.InvalidArgumentError, "Matrix size-incompatible: In\\[0\\]: "
                                                    "\\[2,3\\], In\\[1\\]: \\[2,3\\]"):
            tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))
        with raises(tf.errors.InvalidArgumentError, "In\\[0\\] and In\\[1\\] must have "
                                                    "compatible batch dimensions: \\[2,2,3\\] vs."
                                                    " \\[3,3,2\\]"):
            tf.matmul(tf.ones([2, 2, 3]), tf.ones([3, 3, 2]))
        with raises(tf.errors.InvalidArgumentError, "Matrix size-incompatible: In\\[0\\]: "
                                                    "\\[1,2,3\\], In\\[1\\]: \\[1,2,3\\] 1 1"):
            tf.matmul(tf.ones([1, 2, 3]), tf.ones([1, 2, 3]), adjoint_b=True, adjoint_a=True)
        with raises(tf.errors.InvalidArgumentError, "In\\[1\\] ndims must be >= 2: 1 "
                                                    "\\[Op:BatchMatMulV2\\]"):
            tf.matmul(tf.ones([1, 2, 2]), tf.ones([2]))
        with raises(ValueError, "Only one of `transpose_a` and `adjoint_a` can be True."):
            tf.matmul(tf.ones([2, 2]), tf.ones([2, 2]), adjoint_a=True, transpose_a=True)


class TestEinsumTensordot:
    a = np.arange(6.0).reshape(2, 3).astype(np.float32)

    def test_einsum_forms(self):
        check(tf.einsum("ij,jk->ik", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("ij,jk", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("ij, jk -> ik", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("iJ,Jk->ik", self.a, self.a.T), tf.float32, [[5, 14], [14, 50]])
        check(tf.einsum("ii", np.eye(3, dtype=np.float32)), tf.float32, 3.0)
        check(tf.einsum("ii->i", np.eye(3, dtype=np.float32)), tf.float32, [1, 1, 1])
        check(tf.einsum("ij,j->i", self.a, np.ones(3, np.float32)), tf.float32, [3, 12])
        check(tf.einsum("ij,jk,kl->il", self.a, self.a.T, self.a), tf.float32,
              [[42, 61, 80], [150, 214, 278]])
        check(tf.einsum("ij,jk->ik", tf.constant([[1, 2]]), tf.constant([[3], [4]])), tf.int32,
              [[11]])
        assert tf.einsum("...ij,...jk->...ik", np.ones((2, 2, 3), np.float32),
                         np.ones((2, 3, 4), np.float32)).shape == (2, 2, 4)
        assert tf.einsum("...ij,jk->...ik", np.ones((1, 2, 3), np.float32),
                         np.ones((3, 4), np.float32)).shape == (1, 2, 4)
        assert tf.einsum("...i,...i->...", np.ones((2, 1, 3), np.float32),
                         np.ones((4, 3), np.float32)).shape == (2, 4)

    def test_einsum_gradients(self):
        ga, gb = grads(lambda x, y: tf.einsum("ij,jk->ik", x, y), self.a, self.a.T)
        np.testing.assert_allclose(ga, [[3, 5, 7], [3, 5, 7]])
        np.testing.assert_allclose(gb, [[3, 3], [5, 5], [7, 7]])
        g, = grads(lambda x: tf.einsum("ii->i", x), np.ones((2, 2), np.float32))
        np.testing.assert_allclose(g, [[1, 0], [0, 1]])
        ga, gb = grads(lambda x, y: tf.einsum("...i,...i->...", x, y), np.ones((2, 1, 3)),
                       np.ones((4, 3)))
        np.testing.assert_allclose(ga, np.full((2, 1, 3), 4.0))
        np.testing.assert_allclose(gb, np.full((4, 3), 2.0))

    def test_einsum_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Expected dimension 3 at axis 0 of the "
                                                    "input shaped \\[2,3\\] but got dimension 2"):
            tf.einsum("ij,jk->ik", self.a, self.a)
        with raises(ValueError, "Output subscripts contain the label l not present in the "
                                "input subscripts."):
            tf.einsum("ij,jk->il", self.a, self.a.T)
        with raises(ValueError, 'Got 1 inputs for equation "ij,jk->ik", expecting 2'):
            tf.einsum("ij,jk->ik", self.a)
        with raises(ValueError, "Output subscripts contain a label appearing more than once: "
                                "ij->jj"):
            tf.einsum("ij->jj", self.a)
        with raises(tf.errors.InvalidArgumentError, "Expected input 1 to have rank 2 but got: 1"):
            tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3]))

    def test_tensordot(self):
        check(tf.tensordot(self.a, self.a.T, 1), tf.float32, [[5, 14], [14, 50]])
        check(tf.tensordot(self.a, self.a, [[1], [1]]), tf.float32, [[5, 14], [14, 50]])
        check(tf.tensordot(self.a, self.a, [1, 1]), tf.float32, [[5, 14], [14, 50]])
        check(tf.tensordot(self.a, self.a, [[-1], [-1]]), tf.float32, [[5, 14], [14, 50]])
        assert tf.tensordot(np.ones(2, np.float32), np.ones(3, np.float32), 0).shape == (2, 3)
        check(tf.tensordot(tf.constant([[1, 2]]), tf.constant([[3], [4]]), 1), tf.int32, [[11]])

    def test_tensordot_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Matrix size-incompatible"):
            tf.tensordot(self.a, self.a, 1)
        with raises(ValueError, "`axes` must not be larger than the number of dimensions of "
                                "tensor \\[\\[0. 1. 2.\\]\n \\[3. 4. 5.\\]\\].  Received 3, vs "
                                "tensor dimensions 2."):
            tf.tensordot(self.a, self.a, 3)
        with raises(ValueError, "`axes` must be at least 0. Received: -1."):
            tf.tensordot(self.a, self.a, -1)
        with raises(ValueError, "Different number of contraction axes `a` and `b`, 2 != 1."):
            tf.tensordot(self.a, self.a, [[0, 1], [1]])
        with raises(tf.errors.InvalidArgumentError, "cannot compute MatMul"):
            tf.tensordot(self.a, self.a.T.astype(np.float64), 1)


class TestNorms:
    a = np.array([[3.0, -4.0], [1.0, 2.0]], np.float32)

    def test_vector_norms(self):
        check5(tf.norm(self.a), tf.float32, 5.477230072021484)
        check5(tf.norm(self.a, axis=0), tf.float32, [3.1622800827026367, 4.472139835357666])
        check5(tf.norm(self.a, ord=1, axis=1), tf.float32, [7.0, 3.0])
        check5(tf.norm(self.a, ord=np.inf, axis=1), tf.float32, [4.0, 2.0])
        check5(tf.norm(self.a, ord=3, axis=1), tf.float32, [4.4979400634765625, 2.080080032348633])
        check5(tf.norm(self.a, ord=0.5, axis=1), tf.float32, [13.928199768066406, 5.82843017578125],
              rtol=1e-5)
        check5(tf.norm(self.a, ord=1), tf.float32, 10.0)
        check5(tf.norm(self.a, axis=1, keepdims=True), tf.float32, [[5.0], [2.236069917678833]])
        check5(tf.norm(self.a, keepdims=True), tf.float32, [[5.477230072021484]])
        check5(tf.norm(tf.constant([3, -4]), ord=1), tf.int32, 7)
        check5(tf.norm(tf.constant([3 + 4j])), tf.complex128, 5 + 0j)

    def test_matrix_norms(self):
        check5(tf.norm(self.a, ord="fro", axis=[0, 1]), tf.float32, 5.477230072021484)
        check5(tf.norm(self.a, axis=(0, 1)), tf.float32, 5.477230072021484)
        check5(tf.norm(self.a, ord=1, axis=[0, 1]), tf.float32, 6.0)
        check5(tf.norm(self.a, ord=np.inf, axis=[0, 1]), tf.float32, 7.0)
        check5(tf.norm(self.a, ord=2, axis=[0, 1]), tf.float32, 5.11667013168335)
        check5(tf.norm(np.stack([self.a, 2 * self.a]), ord=2, axis=[-2, -1]), tf.float32,
              [5.11667013168335, 10.233349800109863], rtol=1e-5)
        check5(tf.norm(self.a, ord=1, axis=[0, 1], keepdims=True), tf.float32, [[6.0]])
        cube = np.arange(24.0).reshape(2, 3, 4).astype(np.float32)
        check5(tf.norm(cube, ord=2, axis=[0, 2]), tf.float32,
              [27.278745651245117, 36.79500961303711, 47.10309600830078], rtol=1e-5)
        assert tf.norm(cube, ord=2, axis=[0, 2], keepdims=True).shape == (1, 3, 1)

    def test_norm_gradients(self):
        g, = grads(tf.norm, self.a)
        np.testing.assert_allclose(g, [[0.54772, -0.7303], [0.18257, 0.36515]], atol=1e-5)
        g, = grads(tf.norm, np.zeros(2, np.float32))
        assert np.isnan(g).all()
        g, = grads(lambda x: tf.norm(x, ord=1), self.a)
        np.testing.assert_allclose(g, [[1, -1], [1, 1]])
        g, = grads(lambda x: tf.norm(x, ord=np.inf, axis=1), self.a)
        np.testing.assert_allclose(g, [[0, -1], [0, 1]])
        g, = grads(lambda x: tf.norm(x, ord=1, axis=[0, 1]), self.a)
        np.testing.assert_allclose(g, [[0, -1], [0, 1]])
        g, = grads(lambda x: tf.norm(x, ord=2, axis=[0, 1]), self.a)
        np.testing.assert_allclose(g, [[0.51167, -0.8279], [-0.12079, 0.19544]], atol=1e-4)
        g, = grads(lambda x: tf.norm(x, ord=3), self.a)
        np.testing.assert_allclose(g, [[0.41774, -0.74265], [0.04642, 0.18566]], atol=1e-4)

    def test_norm_errors(self):
        for ord in (0, -1, "fro", "nuc"):
            with raises(ValueError, "'ord' must be a supported vector norm, got"):
                tf.norm(self.a, ord=ord, axis=1)
        with raises(ValueError, "'ord' must be a supported matrix norm in \\['euclidean', "
                                "'fro', 1, 2, inf\\], got 3"):
            tf.norm(self.a, ord=3, axis=[0, 1])
        with raises(ValueError, "'axis' must be None, an integer, or a tuple of 2 unique "
                                "integers, got \\[0, 1, 0\\]"):
            tf.norm(self.a, axis=[0, 1, 0])
        with raises(tf.errors.InvalidArgumentError, "Invalid reduction dimension \\(2 for input "
                                                    "with 2 dimension\\(s\\)"):
            tf.norm(self.a, axis=2)
        with raises(tf.errors.InvalidArgumentError, "\\[Op:Sqrt\\]"):
            tf.norm(tf.constant([3, 4]))


class TestMatrixStructure:
    def test_transposes(self):
        assert tf.linalg.matrix_transpose(np.ones((2, 3, 4))).shape == (2, 4, 3)
        check5(tf.linalg.matrix_transpose(tf.constant([[1 + 1j, 2]]), conjugate=True),
              tf.complex128, [[1 - 1j], [2 - 0j]])
        check5(tf.linalg.adjoint(tf.constant([[1 + 1j, 2]])), tf.complex128, [[1 - 1j], [2]])
        with raises(ValueError, "Argument `a` should be a \\(batch\\) matrix with rank >= 2."):
            tf.linalg.matrix_transpose(np.ones(3))
        check5(tf.linalg.matvec(np.arange(6.0).reshape(2, 3).astype(np.float32), [1.0, 2.0, 3.0]),
              tf.float32, [8.0, 26.0])
        check5(tf.linalg.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]), tf.float32, [0.0, 0.0, 1.0])

    def test_diag(self):
        check5(tf.linalg.diag([1.0, 2.0]), tf.float32, [[1, 0], [0, 2]])
        check5(tf.linalg.diag([[1.0, 2.0], [3.0, 4.0]]), tf.float32,
              [[[1, 0], [0, 2]], [[3, 0], [0, 4]]])
        check5(tf.linalg.diag([1.0, 2.0], k=1), tf.float32, [[0, 1, 0], [0, 0, 2], [0, 0, 0]])
        check5(tf.linalg.diag([1.0, 2.0], k=-1), tf.float32, [[0, 0, 0], [1, 0, 0], [0, 2, 0]])
        check5(tf.linalg.diag([1.0, 2.0], num_rows=3), tf.float32, [[1, 0], [0, 2], [0, 0]])
        check5(tf.linalg.diag([1.0, 2.0], k=1, padding_value=9), tf.float32,
              [[9, 1, 9], [9, 9, 2], [9, 9, 9]])
        check5(tf.linalg.diag([1, 2]), tf.int32, [[1, 0], [0, 2]])
        check5(tf.linalg.diag([[1.0, 2.0], [3.0, 0.0]], k=(0, 1)), tf.float32, [[3, 2], [0, 0]])
        with raises(tf.errors.InvalidArgumentError, "diagonal must be at least 1-dim, received "
                                                    "shape: \\[\\]"):
            tf.linalg.diag(1.0)
        g, = grads(lambda x: tf.linalg.diag(x) * np.arange(4.0).reshape(2, 2), [1.0, 2.0])
        np.testing.assert_allclose(g, [0.0, 3.0])

    def test_diag_part_trace_band(self):
        square = np.arange(9.0).reshape(3, 3)
        check5(tf.linalg.diag_part(np.arange(6.0).reshape(2, 3)), tf.float64, [0.0, 4.0])
        check5(tf.linalg.diag_part(square, k=1), tf.float64, [1.0, 5.0])
        check5(tf.linalg.diag_part(square, k=(-1, 1)), tf.float64,
              [[0, 1, 5], [0, 4, 8], [3, 7, 0]])
        check5(tf.linalg.trace(np.arange(6.0).reshape(2, 3)), tf.float64, 4.0)
        check5(tf.linalg.trace(np.arange(12).reshape(2, 2, 3)), tf.int64, [4, 16])
        with raises(tf.errors.InvalidArgumentError, "input must be at least 2-dim, received "
                                                    "shape: \\[3\\]"):
            tf.linalg.trace(np.arange(3.0))
        check5(tf.linalg.band_part(np.arange(16.0).reshape(4, 4), 1, -1), tf.float64,
              [[0, 1, 2, 3], [4, 5, 6, 7], [0, 9, 10, 11], [0, 0, 14, 15]])
        check5(tf.linalg.band_part(tf.constant(np.arange(9).reshape(3, 3)), 0, 0), tf.int64,
              [[0, 0, 0], [0, 4, 0], [0, 0, 8]])
        with raises(tf.errors.InvalidArgumentError, "num_lower must be negative or less or "
                                                    "equal to number of rows \\(3\\) got: 5"):
            tf.linalg.band_part(square, 5, 0)
        check5(tf.linalg.set_diag(square, [10.0, 20.0], k=1), tf.float64,
              [[0, 10, 2], [3, 4, 20], [6, 7, 8]])
        g, = grads(lambda x: tf.linalg.band_part(x, 0, 1), np.ones((2, 3)))
        np.testing.assert_allclose(g, [[1, 1, 0], [0, 1, 1]])


class TestInverseAndFactorizations:
    m = np.array([[4.0, 1.0], [2.0, 3.0]], np.float32)
    s = np.array([[4.0, 1.0], [1.0, 3.0]], np.float32)

    def test_inverse_determinant_solve(self):
        check5(tf.linalg.inv(self.m), tf.float32, [[0.3, -0.1], [-0.2, 0.4]])
        check5(tf.linalg.inv(self.m, adjoint=True), tf.float32, [[0.3, -0.2], [-0.1, 0.4]])
        check5(tf.linalg.det(self.m), tf.float32, 10.0)
        check5(tf.linalg.det(np.stack([self.m, self.s])), tf.float32, [10.0, 11.0])
        check5(tf.linalg.det(np.ones((0, 0), np.float32)), tf.float32, 1.0)
        sign, log_abs = tf.linalg.slogdet(np.array([[-4.0, 1.0], [2.0, 3.0]], np.float32))
        check5(sign, tf.float32, -1.0)
        check5(log_abs, tf.float32, 2.6390600204467773)
        check5(tf.linalg.slogdet(np.zeros((2, 2), np.float32)).log_abs_determinant, tf.float32,
              -INF)
        check5(tf.linalg.logdet(self.s), tf.float32, 2.397900104522705)
        check5(tf.linalg.solve(self.m, np.array([[1.0], [2.0]], np.float32)), tf.float32,
              [[0.1], [0.6]])
        check5(tf.linalg.solve(self.m, np.array([[1.0], [2.0]], np.float32), adjoint=True),
              tf.float32, [[-0.1], [0.7]])
        check5(tf.linalg.triangular_solve(np.array([[2.0, 0.0], [1.0, 1.0]], np.float32),
                                         np.array([[2.0], [2.0]], np.float32)), tf.float32,
              [[1.0], [1.0]])
        check5(tf.linalg.triangular_solve(np.array([[0.0, 0.0], [1.0, 1.0]], np.float32),
                                         np.array([[1.0], [1.0]], np.float32)), tf.float32,
              [[INF], [-INF]])
        check5(tf.linalg.cholesky_solve(tf.linalg.cholesky([[4.0, 2.0], [2.0, 5.0]]),
                                       [[1.0], [2.0]]), tf.float32, [[0.0625], [0.375]])

    def test_gradients(self):
        g, = grads(tf.linalg.inv, self.m)
        np.testing.assert_allclose(g, [[-0.02, -0.02], [-0.06, -0.06]], atol=1e-6)
        g, = grads(tf.linalg.det, self.m)
        np.testing.assert_allclose(g, [[3.0, -2.0], [-1.0, 4.0]], rtol=1e-6)
        g, = grads(lambda x: tf.linalg.slogdet(x)[1], self.m)
        np.testing.assert_allclose(g, [[0.3, -0.2], [-0.1, 0.4]], rtol=1e-6)
        ga, gb = grads(tf.linalg.solve, self.m, np.array([[1.0], [2.0]], np.float32))
        np.testing.assert_allclose(ga, [[-0.01, -0.06], [-0.03, -0.18]], atol=1e-6)
        np.testing.assert_allclose(gb, [[0.1], [0.3]], atol=1e-6)
        g, = grads(tf.linalg.cholesky, self.s)
        np.testing.assert_allclose(g, [[0.20634, 0.17462], [0.17462, 0.30151]], atol=1e-5)
        g, = grads(lambda x: tf.linalg.qr(x)[0], np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
        np.testing.assert_allclose(g, [[-0.35625, 0.0], [-0.10961, 0.0], [0.13702, 0.0]],
                                   atol=1e-5)
        g, = grads(tf.linalg.eigvalsh, self.s)
        np.testing.assert_allclose(g, [[1.0, 0.0], [0.0, 1.0]], atol=1e-6)

    def test_singular_matrices(self):
        with raises(tf.errors.InvalidArgumentError, "Input is not invertible."):
            tf.linalg.inv(np.zeros((2, 2), np.float32))
        check5(tf.linalg.det(np.zeros((2, 2), np.float32)), tf.float32, 0.0)
        with raises(tf.errors.InvalidArgumentError, "Input is not invertible."):
            grads(tf.linalg.det, np.zeros((2, 2), np.float32))
        with raises(tf.errors.InvalidArgumentError, "Input matrix is not invertible."):
            tf.linalg.solve(np.zeros((2, 2), np.float32), np.ones((2, 1), np.float32))
        chol = tf.linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)).numpy()
        assert np.isnan(chol[[0, 1, 1], [0, 0, 1]]).all() and chol[0, 1] == 0.0

    def test_shape_errors(self):
        with raises(tf.errors.InvalidArgumentError, "Input matrix must be square."):
            tf.linalg.inv(np.ones((2, 3), np.float32))
        with raises(tf.errors.InvalidArgumentError, "Input tensor 0 must have rank >= 2, got 1"):
            tf.linalg.inv(np.ones(2, np.float32))
        with raises(tf.errors.InvalidArgumentError, "of int32 is not in the list"):
            tf.linalg.det(tf.constant([[1, 0], [0, 1]]))
        with raises(tf.errors.InvalidArgumentError, "All input tensors must have the same rank."):
            tf.linalg.solve(self.m, np.array([1.0, 2.0], np.float32))
        with raises(tf.errors.InvalidArgumentError, "Input matrix and rhs are incompatible."):
            tf.linalg.solve(self.m, np.ones((3, 1), np.float32))
        with raises(tf.errors.InvalidArgumentError, "All input tensors must have the same outer "
                                                    "dimensions."):
            tf.linalg.solve(np.ones((2, 2, 2), np.float32), np.ones((3, 2, 1), np.float32))
        with raises(tf.errors.NotFoundError, "Cholesky"):
            tf.linalg.cholesky(tf.constant([[4.0, 2.0], [2.0, 5.0]], tf.float16))

    def test_factorization_values(self):
        check5(tf.linalg.cholesky(self.s), tf.float32, [[2.0, 0.0], [0.5, 1.658310055732727]])
        # only the lower triangle is read
        check5(tf.linalg.cholesky([[4.0, 100.0], [1.0, 3.0]]), tf.float32,
              [[2.0, 0.0], [0.5, 1.658310055732727]])
        q, r = tf.linalg.qr(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32))
        check5(q, tf.float32, [[-0.16903, 0.89709], [-0.50709, 0.27603], [-0.84515, -0.34503]],
              atol=1e-5)
        check5(r, tf.float32, [[-5.91608, -7.43736], [0.0, 0.82808]], atol=1e-5)
        q, r = tf.linalg.qr(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), full_matrices=True)
        assert q.shape == (3, 3) and r.shape == (3, 2)
        e, v = tf.linalg.eigh(self.s)
        check5(e, tf.float32, [2.381969928741455, 4.618030071258545])
        np.testing.assert_allclose(np.abs(v.numpy()), [[0.52573, 0.85065], [0.85065, 0.52573]],
                                   atol=1e-5)
        check5(tf.linalg.svd(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32),
                            compute_uv=False), tf.float32, [9.525520324707031, 0.5142999887466431])
        check5(tf.linalg.pinv(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)),
              tf.float32, [[-1.33334, -0.33333, 0.66667], [1.08333, 0.33333, -0.41667]],
              atol=1e-4)

    def test_decompositions_reconstruct(self):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((2, 4, 3))
        s, u, v = tf.linalg.svd(a)
        np.testing.assert_allclose((u.numpy() * s.numpy()[:, None, :]) @
                                   np.swapaxes(v.numpy(), -1, -2), a, atol=1e-12)
        q, r = tf.linalg.qr(a)
        np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-12)
        sym = a @ np.swapaxes(a, -1, -2) + np.eye(4)
        e, v = tf.linalg.eigh(sym)
        np.testing.assert_allclose(v.numpy() @ (e.numpy()[:, :, None] *
                                                np.swapaxes(v.numpy(), -1, -2)), sym, atol=1e-10)
        chol = tf.linalg.cholesky(sym).numpy()
        np.testing.assert_allclose(chol @ np.swapaxes(chol, -1, -2), sym, atol=1e-10)


class TestLinalgComposites:
    a = np.array([[3.0, -4.0], [1.0, 2.0]], np.float32)
    b = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], np.float32)

    def test_normalize(self):
        unit, magnitude = tf.linalg.normalize(self.a, axis=1)
        check5(unit, tf.float32, [[0.6, -0.8], [0.44721, 0.89443]])
        check5(magnitude, tf.float32, [[5.0], [2.23607]])
        unit, magnitude = tf.linalg.normalize(self.a, ord=1, axis=0)
        check5(unit, tf.float32, [[0.75, -0.66667], [0.25, 0.33333]])
        check5(magnitude, tf.float32, [[4.0, 6.0]])

    def test_matrix_rank(self):
        check(tf.linalg.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)), tf.int32, 1)
        check(tf.linalg.matrix_rank(np.stack([self.a, np.zeros((2, 2), np.float32)])),
              tf.int32, [2, 0])
        check(tf.linalg.matrix_rank(self.a, tol=5.0), tf.int32, 1)

    def test_tensor_diag(self):
        assert tf.linalg.tensor_diag([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 2, 2, 2)
        check(tf.linalg.tensor_diag([1.0, 2.0]), tf.float32, [[1, 0], [0, 2]])
        check(tf.linalg.tensor_diag_part(np.arange(16.0).reshape(2, 2, 2, 2)), tf.float64,
              [[0, 5], [10, 15]])
        with raises(tf.errors.InvalidArgumentError, "The rank of the tensor should be even "
                                                    "and positive, got shape \\[2,2,2\\]"):
            tf.linalg.tensor_diag_part(np.arange(8.0).reshape(2, 2, 2))
        with raises(tf.errors.InvalidArgumentError, "Invalid shape \\[2,3\\]: dimensions 0 and "
                                                    "1 do not match."):
            tf.linalg.tensor_diag_part(np.arange(6.0).reshape(2, 3))

    def test_lstsq(self):
        rhs = np.array([[1.0], [2.0], [3.0]], np.float32)
        check5(tf.linalg.lstsq(self.b, rhs), tf.float32, [[-0.07143], [0.5]])
        check5(tf.linalg.lstsq(self.b, rhs, l2_regularizer=0.5), tf.float32,
               [[0.15095], [0.33962]])
        check5(tf.linalg.lstsq(self.b.T, np.array([[1.0], [2.0]], np.float32)), tf.float32,
               [[0.92857], [-0.21428], [0.14286]])
        check5(tf.linalg.lstsq(self.b, rhs, fast=False), tf.float32, [[-0.07143], [0.5]])
        check(tf.linalg.eye(2), tf.float32, [[1, 0], [0, 1]])
