"""Linear algebra on (batches of) matrices: einsum, tensordot, norms, transposes,
diagonals, band parts, traces.

Inverses, determinants, solves and factorizations are in `ops/factorizations.py`;
matmul is in `ops/math.py`.
"""
import string

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.convert import convert_to_tensor
from tapeflow.core.dispatch import apply
from tapeflow.core.errors import InvalidArgumentError
from tapeflow.core.op import Op
from tapeflow.core.spec import TensorSpec
from tapeflow.ops._grad_util import sum_to_shape
from tapeflow.ops._rules import binary_operands, operand_list, tensor_like
from tapeflow.ops.math import (INEXACT, _dims_str, _t, abs, add, cast, matmul, multiply, pow,
                               reduce_max, reduce_sum, shape_error, sqrt, subtract)

# ================================================================================
# Einsum
# ================================================================================

_EINSUM_DTYPES = INEXACT | {dtypes.int32, dtypes.int64}


def _parse_einsum(equation, ranks):
    """Splits `equation` into input and output subscripts, one letter per dimension.

    An ellipsis becomes explicit upper-case-free letters for the broadcast
    dimensions (aligned from the right), so the op itself only sees plain letters.
    Raises ValueError with TF's messages for malformed equations.
    """
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(ranks):
        raise ValueError(f'Got {len(ranks)} inputs for equation "{equation}", expecting '
                         f"{len(inputs)}")
    used = set(c for c in equation if c.isalpha())
    spare = [c for c in string.ascii_letters if c not in used]
    ellipsis_rank = max((rank - (len(s) - 3) for s, rank in zip(inputs, ranks) if "..." in s),
                        default=0)
    broadcast = "".join(spare[:ellipsis_rank])
    expanded = []
    for s, rank in zip(inputs, ranks):
        if "..." in s:
            s = s.replace("...", broadcast[ellipsis_rank - (rank - (len(s) - 3)):])
        if len(s) != rank:
            raise shape_error(f"Expected input {len(expanded)} to have rank {len(s)} but got: "
                              f"{rank}", None, "Einsum")
        expanded.append(s)
    if arrow:
        output = rhs.replace("...", broadcast)
        for c in output:
            if c not in "".join(expanded):
                raise ValueError(f"Output subscripts contain the label {c} not present in the "
                                 "input subscripts.")
            if output.count(c) > 1:
                raise ValueError(f"Output subscripts contain a label appearing more than once: "
                                 f"{equation}")
    else:   # implicit form: the letters that appear once, in alphabetical order
        letters = "".join(expanded)
        output = broadcast + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                            and c not in broadcast))
    return ",".join(expanded) + "->" + output


def _label_sizes(subscripts, shapes):
    """{label: size}, or raises TF's error for a label with two different sizes."""
    sizes = {}
    for s, shape in zip(subscripts, shapes):
        for axis, (c, d) in enumerate(zip(s, shape)):
            if d is None:
                continue
            known = sizes.get(c)
            if known is None or known == 1:
                sizes[c] = d
            elif d != known and d != 1:
                return None, (known, axis, shape, d)
    return sizes, None


def _einsum_infer(*specs, equation):
    lhs, output = equation.split("->")
    subscripts = lhs.split(",")
    for spec in specs[1:]:
        if spec.dtype is not specs[0].dtype:
            raise TypeError(f"Einsum: all inputs must have the same dtype, got "
                            f"{specs[0].dtype.name} and {spec.dtype.name}.")
    if any(spec.dims is None for spec in specs):
        return TensorSpec(None, specs[0].dtype)
    sizes, mismatch = _label_sizes(subscripts, [spec.dims for spec in specs])
    if mismatch:
        known, axis, shape, d = mismatch
        raise ValueError(f"Expected dimension {known} at axis {axis} of the input shaped "
                         f"{_dims_str(shape)} but got dimension {d}")
    return TensorSpec(tuple(sizes.get(c) for c in output), specs[0].dtype)


Einsum = Op("Einsum", infer=_einsum_infer, dtypes=_EINSUM_DTYPES)


@Einsum.kernel
def _(*arrays, equation):
    lhs, output = equation.split("->")
    sizes, mismatch = _label_sizes(lhs.split(","), [a.shape for a in arrays])
    if mismatch:
        known, axis, shape, d = mismatch
        raise InvalidArgumentError(None, None, f"Expected dimension {known} at axis {axis} of "
                                               f"the input shaped {_dims_str(shape)} but got "
                                               f"dimension {d}")
    # NumPy's own loop is fastest for small problems; larger ones (and chains)
    # go through BLAS via a contraction path.
    work = 1
    for d in sizes.values():
        work *= d
    optimize = len(arrays) > 2 or work > 20000
    return xp.einsum(equation, *arrays, optimize=optimize)


@Einsum.gradient
def _(dy, *inputs, out, equation):
    lhs, output = equation.split("->")
    subscripts = lhs.split(",")
    return tuple(_einsum_input_gradient(i, dy, inputs, subscripts, output)
                 for i in range(len(inputs)))


def _einsum_input_gradient(i, dy, inputs, subscripts, output):
    """d/d inputs[i] as an einsum of dy with the other inputs (a thunk)."""
    def gradient():
        target = subscripts[i]
        others = [s for j, s in enumerate(subscripts) if j != i] + [output]
        available = set("".join(others))
        unique = "".join(dict.fromkeys(target))
        kept = "".join(c for c in unique if c in available)
        operands = [x for j, x in enumerate(inputs) if j != i] + [dy]
        g = apply(Einsum, *operands, equation=",".join(others) + "->" + kept)
        g = _broadcast_missing_labels(g, kept, unique, inputs[i], target)
        if len(unique) != len(target):
            g = _embed_diagonals(g, unique, target, inputs[i])
        return sum_to_shape(g, inputs[i])
    return gradient


def _broadcast_missing_labels(g, kept, unique, x, target):
    # Labels summed inside x alone: the gradient is constant along them.
    if kept == unique:
        return g
    from tapeflow.ops.array import broadcast_to, reshape
    x_dims = x._static_dims()
    size = {c: x_dims[target.index(c)] for c in unique}
    g = reshape(g, tuple(size[c] if c in kept else 1 for c in unique))
    return broadcast_to(g, tuple(size[c] for c in unique))


def _embed_diagonals(g, unique, target, x):
    # A repeated label (x's diagonal) gets the gradient on the diagonal, zero
    # elsewhere: multiply by identity matrices for each repetition.
    x_dims = x._static_dims()
    spare = [c for c in string.ascii_letters if c not in target]
    renamed, operands, subs, seen = [], [g], [unique], set()
    for axis, c in enumerate(target):
        if c in seen:
            new = spare.pop(0)
            operands.append(convert_to_tensor(xp.eye(x_dims[axis], dtype=g.dtype._np)))
            subs.append(c + new)
            renamed.append(new)
        else:
            seen.add(c)
            renamed.append(c)
    return apply(Einsum, *operands, equation=",".join(subs) + "->" + "".join(renamed))


def einsum(equation, *inputs, **kwargs):
    """Tensor contraction written in Einstein summation notation.

    Supports explicit (`"ij,jk->ik"`) and implicit (`"ij,jk"`) outputs, repeated
    labels (diagonals, traces) and `...` for broadcast batch dimensions. The
    gradient of each input is again an einsum.

    >>> einsum("ij,j->i", [[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0]).numpy()
    array([3., 7.], dtype=float32)

    Raises:
      ValueError: a malformed equation or the wrong number of inputs.
      InvalidArgumentError: inputs whose dimensions do not match the equation.
    """
    # Like TF, values that are not tensors convert to the first input's dtype.
    first = inputs[0] if inputs and tensor_like(inputs[0]) else \
        (convert_to_tensor(inputs[0]) if inputs else None)
    tensors = operand_list(list(inputs), "Einsum", None if first is None else first.dtype)
    explicit = _parse_einsum(equation, [t.ndim for t in tensors])
    return apply(Einsum, *tensors, equation=explicit)


# ================================================================================
# tensordot (composite: transpose, reshape, matmul)
# ================================================================================

def _tensordot_axes(a, b, axes):
    if tensor_like(axes):
        axes = axes.numpy().tolist()
    if isinstance(axes, int):
        if axes < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {axes}.")
        for x in (a, b):
            if axes > x.ndim:
                raise ValueError(f"`axes` must not be larger than the number of dimensions of "
                                 f"tensor {_value_str(x)}.  Received {axes}, vs tensor "
                                 f"dimensions {x.ndim}.")
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, int) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, int) else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes `a` and `b`, {len(a_axes)} != "
                         f"{len(b_axes)}.")
    return [int(i) % a.ndim for i in a_axes], [int(i) % b.ndim for i in b_axes]


def _value_str(x):
    """How TF prints a tensor inside an error message: its values when eager."""
    return str(x.numpy()) if getattr(x, "_value", None) is not None else str(x)


def _as_matrix(x, contract, contract_first):
    """x transposed so the contracted axes come last (or first), reshaped to 2-D."""
    from tapeflow.ops.array import reshape, transpose
    dims = x._static_dims()
    free = [i for i in range(len(dims)) if i not in contract]
    perm = (contract + free) if contract_first else (free + contract)
    size = 1
    for i in contract:
        size *= dims[i]
    moved = transpose(x, perm) if perm != list(range(len(dims))) else x
    shape = (size, -1) if contract_first else (-1, size)
    return reshape(moved, shape), [dims[i] for i in free]


def tensordot(a, b, axes, name=None):
    """Sums the products of `a` and `b` over the given axes.

    Args:
      axes: an int N (the last N axes of `a` with the first N of `b`) or a pair of
        axis lists `[[a_axes], [b_axes]]`.

    >>> tensordot([[1.0, 2.0]], [[3.0], [4.0]], 1).numpy()
    array([[11.]], dtype=float32)
    """
    from tapeflow.ops.array import reshape
    a, b = _t(a), _t(b)   # converted separately: mixed dtypes are MatMul's error, as TF
    a_axes, b_axes = _tensordot_axes(a, b, axes)
    a_matrix, a_free = _as_matrix(a, a_axes, contract_first=False)
    b_matrix, b_free = _as_matrix(b, b_axes, contract_first=True)
    return reshape(matmul(a_matrix, b_matrix), a_free + b_free)


# ================================================================================
# Norms (composites)
# ================================================================================

_MATRIX_ORDS = ("euclidean", "fro", 1, 2, float("inf"))


def _norm_axis(axis):
    if axis is None:
        return None, False
    if isinstance(axis, int):
        return (axis,), False
    axes = tuple(int(a) for a in axis)
    if len(axes) == 1:
        return axes, False
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                         f"got {axis}")
    return axes, True


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector norms (over `axis`, or all elements) and matrix norms (over an axis pair).

    Args:
      ord: vector norms: 'euclidean' (= 2), 1, np.inf, or any p > 0; matrix norms:
        'euclidean'/'fro', 1 (max column sum), np.inf (max row sum), 2 (largest
        singular value).
      axis: None (all elements as one vector), an int, or a pair of ints (matrix).
      keepdims: keep the reduced axes with size 1.

    >>> norm([3.0, 4.0]).numpy()
    5.0

    Raises:
      ValueError: an unsupported `ord` or `axis`.
    """
    x = _t(tensor)
    axes, is_matrix = _norm_axis(axis)
    if is_matrix:
        if ord not in _MATRIX_ORDS:
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', "
                             f"1, 2, inf], got {ord}")
        result = _matrix_norm(x, ord, axes)
    else:
        if isinstance(ord, str) and ord != "euclidean" or not isinstance(ord, str) and \
                not (isinstance(ord, (int, float)) and ord > 0):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        result = _vector_norm(x, ord, axes)
    if keepdims:
        return result
    from tapeflow.ops.array import squeeze
    reduced = tuple(range(x.ndim)) if axes is None else tuple(a % x.ndim for a in axes)
    return squeeze(result, axis=reduced) if reduced else result


def _vector_norm(x, ord, axes):
    # Reductions keep their dimensions; `norm` squeezes them at the end.
    if ord in ("euclidean", 2):
        squares = multiply(x, _conj(x)) if x.dtype.is_complex else multiply(x, x)
        return sqrt(reduce_sum(squares, axes, keepdims=True))
    magnitude = abs(x)
    if ord == 1:
        return reduce_sum(magnitude, axes, keepdims=True)
    if ord == float("inf"):
        return reduce_max(magnitude, axes, keepdims=True)
    power = cast(ord, magnitude.dtype)
    return pow(reduce_sum(pow(magnitude, power), axes, keepdims=True),
               _reciprocal(power))


def _matrix_norm(x, ord, axes):
    rows, cols = axes
    if ord in ("euclidean", "fro"):
        return _vector_norm(x, "euclidean", axes)
    if ord == 1:   # the largest column sum
        return reduce_max(reduce_sum(abs(x), rows, keepdims=True), cols, keepdims=True)
    if ord == float("inf"):   # the largest row sum
        return reduce_max(reduce_sum(abs(x), cols, keepdims=True), rows, keepdims=True)
    from tapeflow.ops.array import expand_dims, transpose
    from tapeflow.ops.factorizations import svd
    rank = x.ndim
    rows, cols = rows % rank, cols % rank
    perm = [i for i in range(rank) if i not in (rows, cols)] + [rows, cols]
    largest = reduce_max(svd(transpose(x, perm), compute_uv=False), -1)
    for a in sorted((rows, cols)):
        largest = expand_dims(largest, a)
    return largest


def _reciprocal(x):
    from tapeflow.ops.math import reciprocal
    return reciprocal(x)


def _conj(x):
    from tapeflow.ops.elementwise import conj
    return conj(x)


# ================================================================================
# Transposes
# ================================================================================

def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swaps the last two dimensions (conjugating too if `conjugate`).

    Raises:
      ValueError: `a` has rank < 2.
    """
    from tapeflow.ops.array import transpose
    x = _t(a)
    rank = x.ndim
    if rank is not None and rank < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received "
                         f"`a` = {_value_str(x)} with shape: {tuple(x.shape)}")
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    out = transpose(x, perm)
    return _conj(out) if conjugate else out


def adjoint(matrix, name=None):
    """The conjugate transpose of the last two dimensions."""
    return matrix_transpose(matrix, conjugate=True)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """Matrix-vector product `a @ b` over the last dimension of `b` (batched)."""
    from tapeflow.ops.array import expand_dims, squeeze
    a, b = _t(a), _t(b)   # converted separately, as TF: mixed dtypes are MatMul's error
    product = matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return squeeze(product, axis=-1)


# ================================================================================
# Diagonals and bands
# ================================================================================

def _diagonal_index(rows, cols, k):
    """Row and column indices of diagonal k of a rows x cols matrix."""
    length = max(min(rows + min(k, 0), cols - max(k, 0)), 0)
    steps = xp.arange(length)
    return steps - min(k, 0), steps + max(k, 0)


def _diagonal_offset(k, length, max_length, align):
    # Shorter diagonals are padded on one side of their row: `align` says which,
    # for superdiagonals (k >= 0) and subdiagonals.
    superdiagonal, subdiagonal = align.split("_")
    side = superdiagonal if k >= 0 else subdiagonal
    return max_length - length if side == "RIGHT" else 0


def _diag_part_infer(x, k, padding_value, align):
    dims = x.dims
    lo, hi = k
    if dims is None:
        return TensorSpec(None, x.dtype)
    rows, cols = dims[-2:]
    if rows is None or cols is None:
        length = None
    else:
        length = max(max(min(rows + min(d, 0), cols - max(d, 0)), 0) for d in range(lo, hi + 1))
    diagonals = () if lo == hi else (hi - lo + 1,)
    return TensorSpec(dims[:-2] + diagonals + (length,), x.dtype)


MatrixDiagPartV3 = Op("MatrixDiagPartV3", infer=_diag_part_infer)


@MatrixDiagPartV3.kernel
def _(x, k, padding_value, align):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"input must be at least 2-dim, received shape: "
                                               f"{_dims_str(x.shape)}")
    rows, cols = x.shape[-2:]
    lo, hi = k
    spec = _diag_part_infer(TensorSpec(x.shape, dtypes.float32), k, padding_value, align)
    max_length = spec.dims[-1]
    out = xp.full(x.shape[:-2] + (hi - lo + 1, max_length), padding_value, dtype=x.dtype)
    for r, d in enumerate(range(hi, lo - 1, -1)):
        i, j = _diagonal_index(rows, cols, d)
        start = _diagonal_offset(d, len(i), max_length, align)
        out[..., r, start:start + len(i)] = x[..., i, j]
    return out[..., 0, :] if lo == hi else out


@MatrixDiagPartV3.gradient
def _(dy, x, out, k, padding_value, align):
    dims = x._static_dims()
    return apply(MatrixDiagV3, dy, k=k, num_rows=dims[-2], num_cols=dims[-1],
                 padding_value=0, align=align)


def _diag_size(length, k, num_rows, num_cols):
    lo, hi = k
    min_rows = length - min(hi, 0)
    min_cols = length + max(lo, 0)
    if num_rows == -1 and num_cols == -1:
        num_rows = num_cols = max(min_rows, min_cols)
    elif num_rows == -1:
        num_rows = min_rows
    elif num_cols == -1:
        num_cols = min_cols
    return num_rows, num_cols


def _diag_infer(diagonal, k, num_rows, num_cols, padding_value, align):
    dims = diagonal.dims
    if dims is None:
        return TensorSpec(None, diagonal.dtype)
    batch = dims[:-1] if k[0] == k[1] else dims[:-2]
    if dims[-1] is None:
        return TensorSpec(batch + (None, None), diagonal.dtype)
    return TensorSpec(batch + _diag_size(dims[-1], k, num_rows, num_cols), diagonal.dtype)


MatrixDiagV3 = Op("MatrixDiagV3", infer=_diag_infer)


@MatrixDiagV3.kernel
def _(diagonal, k, num_rows, num_cols, padding_value, align):
    lo, hi = k
    if diagonal.ndim < (1 if lo == hi else 2):
        raise InvalidArgumentError(None, None, f"diagonal must be at least 1-dim, received "
                                               f"shape: {_dims_str(diagonal.shape)}")
    packed = diagonal[..., None, :] if lo == hi else diagonal
    max_length = packed.shape[-1]
    rows, cols = _diag_size(max_length, k, num_rows, num_cols)
    out = xp.full(packed.shape[:-2] + (rows, cols), padding_value, dtype=diagonal.dtype)
    for r, d in enumerate(range(hi, lo - 1, -1)):
        i, j = _diagonal_index(rows, cols, d)
        start = _diagonal_offset(d, len(i), max_length, align)
        out[..., i, j] = packed[..., r, start:start + len(i)]
    return out


@MatrixDiagV3.gradient
def _(dy, diagonal, out, k, num_rows, num_cols, padding_value, align):
    return apply(MatrixDiagPartV3, dy, k=k, padding_value=0, align=align)


def _k_pair(k):
    if tensor_like(k):
        k = k.numpy().tolist()
    if isinstance(k, (list, tuple)):
        lo, hi = (int(k[0]), int(k[-1]))
        if lo > hi:
            raise InvalidArgumentError(None, None, f"lower diagonal index must not be larger "
                                                   f"than upper diagonal index: {lo} > {hi}")
        return lo, hi
    return int(k), int(k)


def _scalar(value, dtype):
    value = value.numpy() if tensor_like(value) else value
    return dtype._np.type(value).item()


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """A (batch of) matrix with `diagonal` on diagonal `k` (or the diagonals k[0]..k[1])
    and `padding_value` elsewhere (TF's MatrixDiagV3).

    >>> diag([1.0, 2.0]).numpy()
    array([[1., 0.],
           [0., 2.]], dtype=float32)
    """
    x = _t(diagonal)
    return apply(MatrixDiagV3, x, k=_k_pair(k), num_rows=int(num_rows), num_cols=int(num_cols),
                 padding_value=_scalar(padding_value, x.dtype), align=align)


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """Diagonal `k` (or diagonals k[0]..k[1], highest first) of a (batch of) matrix.

    >>> diag_part([[1.0, 2.0], [3.0, 4.0]]).numpy()
    array([1., 4.], dtype=float32)
    """
    x = _t(input)
    return apply(MatrixDiagPartV3, x, k=_k_pair(k),
                 padding_value=_scalar(padding_value, x.dtype), align=align)


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """`input` with diagonal `k` (or diagonals k[0]..k[1]) replaced by `diagonal`.

    Composite: the band outside the diagonals is kept, the diagonals come from
    `diagonal` (so gradients flow to both inputs).
    """
    x = _t(input)
    values = _t(diagonal) if tensor_like(diagonal) else convert_to_tensor(diagonal, x.dtype)
    k = _k_pair(k)
    dims = x._static_dims()
    expected = _diag_part_infer(TensorSpec(dims, x.dtype), k, 0, align).dims
    if None not in dims and tuple(values._static_dims()) != tuple(expected):
        raise InvalidArgumentError(None, None, "Either first dimensions of diagonal don't match "
                                               "input.shape[:-2], or diagonal.shape[:-1] is not "
                                               "equal to the longests diagonal in range "
                                               "[lower_diag_index:upper_diag_index]. "
                                               "[Op:MatrixSetDiagV3]")
    placed = apply(MatrixDiagV3, values, k=k, num_rows=dims[-2], num_cols=dims[-1],
                   padding_value=_scalar(0, x.dtype), align=align)
    ones = apply(MatrixDiagV3, _ones_like(values), k=k, num_rows=dims[-2], num_cols=dims[-1],
                 padding_value=_scalar(0, x.dtype), align=align)
    return add(multiply(x, subtract(_ones_like(ones), ones)), placed)


def _ones_like(x):
    from tapeflow.ops.array import ones_like
    return ones_like(x)


def trace(x, name=None):
    """The sum of the main diagonal of each (batch) matrix.

    >>> trace([[1.0, 2.0], [3.0, 4.0]]).numpy()
    5.0
    """
    return reduce_sum(diag_part(x), axis=-1)


def _band_infer(x, num_lower, num_upper):
    return TensorSpec(x.dims, x.dtype)


MatrixBandPart = Op("MatrixBandPart", infer=_band_infer)


def _band_mask(rows, cols, num_lower, num_upper):
    offset = xp.arange(cols)[None, :] - xp.arange(rows)[:, None]   # j - i
    keep = xp.ones((rows, cols), dtype=bool)
    if num_lower >= 0:
        keep &= -offset <= num_lower
    if num_upper >= 0:
        keep &= offset <= num_upper
    return keep


@MatrixBandPart.kernel
def _(x, num_lower, num_upper):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"input must be at least 2-dim, received shape: "
                                               f"{_dims_str(x.shape)}")
    rows, cols = x.shape[-2:]
    if num_lower > rows:
        raise InvalidArgumentError(None, None, f"num_lower must be negative or less or equal to "
                                               f"number of rows ({rows}) got: {num_lower}")
    if num_upper > cols:
        raise InvalidArgumentError(None, None, f"num_upper must be negative or less or equal to "
                                               f"number of columns ({cols}) got: {num_upper}")
    return xp.where(_band_mask(rows, cols, num_lower, num_upper), x, xp.zeros((), x.dtype))


MatrixBandPart.gradient(lambda dy, x, out, num_lower, num_upper: apply(
    MatrixBandPart, dy, num_lower=num_lower, num_upper=num_upper))


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Keeps `num_lower` subdiagonals and `num_upper` superdiagonals of each matrix
    (a negative count keeps the whole triangle) and zeroes the rest.

    >>> band_part([[1, 2], [3, 4]], 0, -1).numpy()
    array([[1, 2],
           [0, 4]], dtype=int32)
    """
    def as_int(v):
        return int(v.numpy()) if tensor_like(v) else int(v)
    return apply(MatrixBandPart, _t(input), num_lower=as_int(num_lower),
                 num_upper=as_int(num_upper))


# ================================================================================
# Cross product
# ================================================================================

def _cross_infer(a, b):
    return TensorSpec(a.dims, a.dtype)


Cross = Op("Cross", infer=_cross_infer, dtypes=dtypes.REAL_NUMBERS)


@Cross.kernel
def _(a, b):
    if a.shape != b.shape:
        raise InvalidArgumentError(None, None, f"a and b must be the same shape: "
                                               f"{_dims_str(a.shape)} vs {_dims_str(b.shape)}")
    if a.ndim < 1 or a.shape[-1] != 3:
        raise InvalidArgumentError(None, None, f"Dimension 0 in both shapes must be equal, but "
                                               f"are {a.shape[-1] if a.ndim else 0} and 3.")
    return xp.cross(a, b)


Cross.gradient(lambda dy, a, b, out: (cross(b, dy), cross(dy, a)))


def cross(a, b, name=None):
    """The cross product of 3-vectors over the last dimension (batched).

    >>> cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]).numpy()
    array([0., 0., 1.], dtype=float32)
    """
    a, b = binary_operands(a, b, "Cross")
    return apply(Cross, a, b)



def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """`(tensor / norm, norm)` with the norm of `tf.norm(tensor, ord, axis, keepdims=True)`.

    >>> normalize([3.0, 4.0])[0].numpy()
    array([0.6, 0.8], dtype=float32)
    """
    from tapeflow.ops.math import divide
    x = _t(tensor)
    magnitude = norm(x, ord=ord, axis=axis, keepdims=True)
    return divide(x, magnitude), magnitude


# ================================================================================
# tensor_diag, tensor_diag_part (composites over the matrix diagonal ops)
# ================================================================================

def tensor_diag(diagonal, name=None):
    """A tensor of shape `diagonal.shape + diagonal.shape` with `diagonal` on its
    diagonal: `out[i, j, ..., i, j, ...] = diagonal[i, j, ...]`, zeros elsewhere."""
    from tapeflow.ops.array import reshape
    x = _t(diagonal)
    dims = tuple(x._static_dims())
    return reshape(diag(reshape(x, [-1])), dims + dims)


def tensor_diag_part(input, name=None):  # noqa: A002
    """The inverse of `tensor_diag`: `out[i, j, ...] = input[i, j, ..., i, j, ...]`.

    Raises:
      InvalidArgumentError: the rank is odd or the two halves of the shape differ.
    """
    from tapeflow.ops.array import reshape
    x = _t(input)
    dims = tuple(x._static_dims())
    half = len(dims) // 2
    if not dims or len(dims) % 2:
        raise InvalidArgumentError(None, None, "The rank of the tensor should be even and "
                                               f"positive, got shape {_dims_str(dims)} "
                                               "[Op:DiagPart]")
    for i in range(half):
        if dims[i] != dims[i + half]:
            raise InvalidArgumentError(None, None, f"Invalid shape {_dims_str(dims)}: "
                                                   f"dimensions {i} and {i + half} do not "
                                                   "match. [Op:DiagPart]")
    size = 1
    for d in dims[:half]:
        size *= d
    return reshape(diag_part(reshape(x, (size, size))), dims[:half])
