"""Random ops: TF's exact numbers, TF's seed semantics, and the distributions' statistics.

Every expected value below was printed by TensorFlow 2.21 (CPU) for the same call.
Each test runs twice: with the NumPy draws (TAPEFLOW_JIT=0), and with every float
draw, however small, through the Numba kernels of ops/_philox_jit.py.
"""
import subprocess
import sys

import numpy as np
import pytest

import tapeflow as tf
from tapeflow.core.context import graph_scope
from tapeflow.graph.interpret import interpret
from tapeflow.graph.ir import Graph

LOGITS = np.log(np.array([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1], [0.25, 0.25, 0.5]], np.float32))


@pytest.fixture(autouse=True, params=["numpy", "numba"])
def _draw_path(request, monkeypatch):
    if request.param == "numpy":
        monkeypatch.setenv("TAPEFLOW_JIT", "0")
    else:
        from tapeflow._util import jit
        from tapeflow.ops import _random_bits
        monkeypatch.setenv("TAPEFLOW_JIT", "1")
        if not jit.enabled():
            pytest.skip("Numba is not installed")
        monkeypatch.setattr(_random_bits, "_JIT_MIN_VALUES", 1)


@pytest.fixture(autouse=True)
def _no_global_seed():
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def _equal(tensor, expected, dtype):
    assert tensor.dtype == dtype
    np.testing.assert_array_equal(tensor.numpy(), np.array(expected, dtype=dtype.as_numpy_dtype))


# -- stateless ops: TF's numbers bit for bit -------------------------------------------

def test_stateless_uniform_matches_tf():
    _equal(tf.random.stateless_uniform([5], seed=[1, 2]),
           [0.8440604209899902, 0.19204533100128174, 0.9962232112884521, 0.16038739681243896,
            0.27199018001556396], tf.float32)
    _equal(tf.random.stateless_uniform([3], seed=[1, 2], dtype=tf.float64),
           [0.7524837538451801, 0.9697857725627486, 0.17592233912897481], tf.float64)
    _equal(tf.random.stateless_uniform([4], seed=[3, 4], dtype=tf.float16),
           [0.0107421875, 0.8837890625, 0.658203125, 0.2021484375], tf.float16)
    _equal(tf.random.stateless_uniform([4], seed=[1, 2], minval=-1.5, maxval=2.5),
           [1.876241683959961, -0.731818675994873, 2.4848928451538086, -0.8584504127502441],
           tf.float32)
    _equal(tf.random.stateless_uniform([2], seed=tf.constant([-7, 2 ** 40], tf.int64)),
           [0.9024876356124878, 0.5437160730361938], tf.float32)


def test_stateless_integers_match_tf():
    _equal(tf.random.stateless_uniform([6], seed=[1, 2], minval=0, maxval=100, dtype=tf.int32),
           [40, 49, 94, 79, 27, 65], tf.int32)
    _equal(tf.random.stateless_uniform([3], seed=[1, 2], minval=-5, maxval=7, dtype=tf.int64),
           [-5, 1, 6], tf.int64)
    _equal(tf.random.stateless_uniform([2], seed=[1, 2], minval=None, maxval=None,
                                       dtype=tf.uint32), [1105988140, 1738052849], tf.uint32)
    _equal(tf.random.stateless_uniform([2], seed=[1, 2], minval=None, maxval=None,
                                       dtype=tf.int64),
           [7464880146280614444, 1591045637757961278], tf.int64)


def test_stateless_normals_match_tf():
    _equal(tf.random.stateless_normal([6], seed=[1, 2]),
           [0.544110119342804, 0.20738030970096588, 0.0735643208026886, 0.04643455147743225,
            -1.301589846611023, -0.9538565278053284], tf.float32)
    _equal(tf.random.stateless_normal([3], seed=[1, 2], dtype=tf.float64),
           [-0.1423118100189212, 0.7406072461585091, -1.469047669443883], tf.float64)
    _equal(tf.random.stateless_normal([3], seed=[5, 6], mean=2.0, stddev=0.5),
           [2.5119922161102295, 1.7306057214736938, 2.6397767066955566], tf.float32)


def test_stateless_truncated_normals_match_tf():
    _equal(tf.random.stateless_truncated_normal([9], seed=[3, 4]),
           [-0.17393383383750916, 1.6723546981811523, 0.3481701612472534, -1.7038906812667847,
            0.6385190486907959, -1.309924602508545, -0.010434313677251339, -1.0422205924987793,
            -0.7741751074790955], tf.float32)
    _equal(tf.random.stateless_truncated_normal([5], seed=[3, 4], dtype=tf.float64),
           [-0.33108455971554474, 0.027812399664981575, -0.3426617871510759,
            0.7552056484940203, -0.5822817890198345], tf.float64)
    _equal(tf.random.stateless_truncated_normal([5], seed=[1, 2], dtype=tf.float16),
           [0.5439453125, 0.2073974609375, 0.07354736328125, 0.04644775390625, 0.168212890625],
           tf.float16)


def test_stateless_categorical_shuffle_split_fold_in_match_tf():
    _equal(tf.random.stateless_categorical(LOGITS, 7, seed=[1, 2]),
           [[2, 2, 0, 2, 2, 2, 2], [0, 1, 1, 1, 0, 0, 0], [2, 1, 2, 1, 2, 1, 1]], tf.int64)
    _equal(tf.random.split([1, 2], 3),
           [[1105988140, 1738052849], [-335576002, 370444179], [10670227, -246211131]],
           tf.int32)
    _equal(tf.random.fold_in([1, 2], 3), [1105988140, 3], tf.int32)
    _equal(tf.random.fold_in([1, 2], 2 ** 40), [7464880146280614444, 2 ** 40], tf.int64)
    _equal(tf.random.experimental.stateless_shuffle(np.arange(10, dtype=np.int32), seed=[1, 2]),
           [0, 3, 8, 1, 5, 4, 9, 7, 6, 2], tf.int32)
    key, counter = tf.ops.stateless_random.key_counter([1, 2])
    _equal(key, [10413732777507651514], tf.uint64)
    _equal(counter, [0, 17830669156045600267], tf.uint64)


def test_large_categorical_follows_tf_sharding():
    """Big draws are split into shards (by CPU count) that each restart the stream."""
    from tapeflow.ops._random_bits import parallel_for_blocks
    assert parallel_for_blocks(4, 8804, threads=2) == [(0, 4)]
    assert parallel_for_blocks(16, 17109, threads=2) == [(i, i + 2) for i in range(0, 16, 2)]
    assert parallel_for_blocks(200, 14966, threads=2) == [(i, i + 25) for i in range(0, 200, 25)]
    assert parallel_for_blocks(64, 22609, threads=1) == [(0, 64)]


# -- stateful ops and the seed rules ------------------------------------------------------

def test_global_seed_gives_tf_sequence_and_restarts():
    for _ in range(2):
        tf.random.set_seed(7)
        _equal(tf.random.uniform([3]), [0.834453821182251, 0.23336660861968994,
                                         0.8796519041061401], tf.float32)
        _equal(tf.random.uniform([3]), [0.01905345916748047, 0.6496551036834717,
                                         0.6962069272994995], tf.float32)


def test_repeated_seeded_op_continues_its_stream():
    tf.random.set_seed(7)
    _equal(tf.random.uniform([5], seed=5),
           [0.8669310808181763, 0.0021675825119018555, 0.9194519519805908, 0.4260975122451782,
            0.8180663585662842], tf.float32)
    _equal(tf.random.uniform([5], seed=5),
           [0.1441715955734253, 0.25092780590057373, 0.16438055038452148, 0.28020691871643066,
            0.9063448905944824], tf.float32)
    # Other ops (and dtypes) with the same seeds have streams of their own.
    expected = [0.007278046105057001, 0.5343581438064575, 0.18353332579135895,
                -0.3664293885231018]
    _equal(tf.random.normal([4], seed=5), expected, tf.float32)
    _equal(tf.random.truncated_normal([4], seed=5), expected, tf.float32)
    _equal(tf.random.uniform([4], 2, 9, dtype=tf.int64, seed=5), [6, 2, 3, 3], tf.int64)


def test_op_seed_without_global_seed_uses_default_global_seed():
    _equal(tf.random.uniform([3], seed=5),
           [0.3883112668991089, 0.6636828184127808, 0.1919107437133789], tf.float32)


def test_seeds_zero_zero_are_not_unseeded():
    tf.random.set_seed(0)
    _equal(tf.random.uniform([2], seed=0), [0.01975703239440918, 0.0070421695709228516],
           tf.float32)


def test_float_bounds_and_integer_draws_after_set_seed():
    tf.random.set_seed(7)
    _equal(tf.random.uniform([2], 1.0, 3.0), [2.668907642364502, 1.4667332172393799],
           tf.float32)
    _equal(tf.random.uniform([2], 2, 9, dtype=tf.int64), [3, 7], tf.int64)
    _equal(tf.random.uniform([2], maxval=3.0), [0.754610538482666, 0.9047255516052246],
           tf.float32)


def test_categorical_and_shuffle_match_tf():
    tf.random.set_seed(1)
    _equal(tf.random.categorical(LOGITS, 7, seed=2),
           [[1, 1, 1, 1, 2, 2, 2], [0, 1, 0, 0, 0, 0, 0], [2, 2, 2, 2, 1, 2, 1]], tf.int64)
    _equal(tf.random.categorical(LOGITS, 7, seed=2),
           [[1, 2, 0, 0, 2, 0, 0], [0, 0, 1, 0, 1, 2, 0], [1, 0, 2, 2, 2, 2, 2]], tf.int64)
    values = tf.constant(np.arange(10, dtype=np.int32))
    _equal(tf.random.shuffle(values, seed=2), [9, 0, 8, 6, 1, 3, 7, 2, 4, 5], tf.int32)
    _equal(tf.random.shuffle(values, seed=2), [8, 7, 4, 3, 2, 1, 9, 5, 6, 0], tf.int32)
    _equal(tf.random.shuffle(np.arange(12, dtype=np.int32).reshape(6, 2), seed=3),
           [[10, 11], [6, 7], [0, 1], [2, 3], [4, 5], [8, 9]], tf.int32)


def test_traced_ops_have_their_own_streams():
    """In a traced function, unseeded ops get op seeds 0, 1, ... and keep their streams."""
    tf.random.set_seed(7)
    graph = Graph("f")
    with graph_scope(graph):
        graph.outputs = [tf.random.uniform([3]), tf.random.uniform([2]),
                         tf.random.normal([2], seed=3)]
    first, second = interpret(graph, []), interpret(graph, [])
    _equal(first[0], [0.7537285089492798, 0.07793760299682617, 0.45880913734436035],
           tf.float32)
    _equal(second[0], [0.7915035486221313, 0.510116696357727, 0.5416638851165771], tf.float32)
    _equal(second[1], [0.7407518625259399, 0.29213786125183105], tf.float32)
    _equal(second[2], [1.1952472925186157, -0.844708263874054], tf.float32)


def test_traced_shape_tensor():
    graph = Graph("f")
    with graph_scope(graph):
        x = graph.placeholder(tf.TensorSpec([None, 3], tf.float32))
        out = tf.random.stateless_normal(tf.shape(x), seed=[1, 2])
        assert out.shape.as_list() == [None, None]
        graph.outputs = [out]
    result, = interpret(graph, [tf.zeros([2, 3])])
    np.testing.assert_array_equal(result.numpy(),
                                  tf.random.stateless_normal([2, 3], seed=[1, 2]).numpy())


def test_same_seeds_same_numbers_in_a_fresh_process():
    code = ("import tapeflow as tf; tf.random.set_seed(3); "
            "print(tf.random.normal([4]).numpy().tolist())")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].strip()


def test_unseeded_draws_differ():
    assert not np.array_equal(tf.random.uniform([4]).numpy(), tf.random.uniform([4]).numpy())


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_unseeded_draws_have_the_right_distribution(dtype):
    first = tf.random.uniform([200_000], dtype=dtype).numpy()
    second = tf.random.uniform([200_000], dtype=dtype).numpy()
    assert first.dtype == dtype.as_numpy_dtype
    assert 0 <= first.min() and first.max() < 1
    assert abs(first.mean() - 0.5) < 0.005 and abs(first.std() - 12 ** -0.5) < 0.005
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.01          # a fresh stretch each call
    normal = tf.random.normal([200_000], dtype=dtype).numpy()
    assert abs(normal.mean()) < 0.01 and abs(normal.std() - 1) < 0.01


# -- tf.random.Generator -------------------------------------------------------------------

def test_generator_matches_tf():
    g = tf.random.Generator.from_seed(1234)
    _equal(g.state, [1234, 0, 0], tf.int64)
    _equal(g.uniform([3]), [0.3581475019454956, 0.11322760581970215, 0.566709041595459],
           tf.float32)
    _equal(g.state, [2002, 0, 0], tf.int64)
    _equal(g.normal([5]), [1.1264245510101318, -1.0338292121887207, 0.2571070194244385,
                           -0.10831461101770401, -0.39451363682746887], tf.float32)
    _equal(g.state, [3282, 0, 0], tf.int64)
    _equal(g.truncated_normal([3], 1., 2.),
           [1.0671679973602295, 0.9915610551834106, 1.8996500968933105], tf.float32)
    _equal(g.uniform([4], -5, 5, dtype=tf.int32), [1, -4, 4, 2], tf.int32)
    _equal(g.uniform_full_int([2]), [5394157901782015838, 17192996849532768131], tf.uint64)
    _equal(g.make_seeds(2), [[-6148173427697408052, -9003098517762259782], [0, 0]], tf.int64)
    _equal(g.state, [6098, 0, 0], tf.int64)
    states = [child.state.numpy().tolist() for child in g.split(2)]
    assert states == [[0, 0, 5796473010014489708], [0, 0, -8160839781151359880]]


def test_generator_states_and_constructors():
    assert tf.random.Generator.from_seed(-1).state.numpy().tolist() == [-1, -1, -1]
    assert tf.random.Generator.from_seed(2 ** 70 + 3).state.numpy().tolist() == [3, 64, 0]
    assert tf.random.Generator.from_seed([1, 2]).state.numpy().tolist() == [0, 1, 2]
    assert tf.random.Generator.from_seed([1, 2, 3, 4]).state.numpy().tolist() == [1, 2, 3]
    g = tf.random.Generator.from_key_counter(key=5, counter=[1, 2], alg="philox")
    assert g.state.numpy().tolist() == [1, 2, 5] and g.state.name == "StateVar:0"
    assert g.skip(10).numpy().tolist() == [1, 2, 5]
    assert g.state.numpy().tolist() == [2561, 2, 5]
    g = tf.random.Generator.from_state([2 ** 63 - 1, 0, 5], "philox")
    g.uniform([1])
    assert g.state.numpy().tolist() == [-9223372036854775553, 0, 5]
    assert g.algorithm == 1 and int(g.key) == 5
    assert tf.random.create_rng_state(1234, "philox").numpy().tolist() == [1234, 0, 0]
    copy = tf.random.Generator(copy_from=g)
    assert copy.state.numpy().tolist() == g.state.numpy().tolist()
    tf.random.set_global_generator(tf.random.Generator.from_seed(3))
    assert tf.random.get_global_generator().state.numpy().tolist() == [3, 0, 0]


def test_generator_in_a_traced_function_keeps_advancing():
    g = tf.random.Generator.from_seed(1)
    graph = Graph("f")
    with graph_scope(graph):
        graph.outputs = [g.normal([2])]
    first, second = interpret(graph, []), interpret(graph, [])
    _equal(first[0], [0.4384227395057678, -0.5343984365463257], tf.float32)
    _equal(second[0], [1.6307176351547241, 0.007847783155739307], tf.float32)
    _equal(g.state, [1025, 0, 0], tf.int64)


# -- statistics and other properties -------------------------------------------------------

def test_distributions():
    tf.random.set_seed(0)
    u = tf.random.uniform([20000], minval=-2.0, maxval=3.0).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.05
    n = tf.random.normal([20000], mean=1.0, stddev=2.0).numpy()
    assert abs(n.mean() - 1.0) < 0.06 and abs(n.std() - 2.0) < 0.06
    t = tf.random.truncated_normal([20000], stddev=0.5).numpy()
    assert np.abs(t).max() <= 1.0 and t.dtype == np.float32 and abs(t.std() - 0.44) < 0.02
    i = tf.random.uniform([1000], 0, 10, dtype=tf.int32).numpy()
    assert i.dtype == np.int32 and i.min() == 0 and i.max() == 9
    c = tf.random.categorical(tf.math.log([[0.1, 0.9]]), 4000).numpy()
    assert abs(c.mean() - 0.9) < 0.03
    g = tf.random.gamma([4000], alpha=[2.0, 5.0], beta=2.0).numpy()
    assert g.shape == (4000, 2) and np.allclose(g.mean(axis=0), [1.0, 2.5], rtol=0.06)
    p = tf.random.poisson([4000], lam=3.0).numpy()
    assert p.dtype == np.float32 and abs(p.mean() - 3.0) < 0.15


def test_truncated_normal_rare_groups_match_reference():
    """Groups needing more than two Philox blocks take the slow path; check many."""
    from tests.ops import philox_reference as ref
    values = tf.random.stateless_truncated_normal([4000], seed=[5, 5], dtype=tf.float64)
    np.testing.assert_array_equal(values.numpy(), ref.truncated_normal([5, 5], 4000,
                                                                       np.float64))


def test_shapes_and_dtypes():
    assert tf.random.uniform(tf.TensorShape([2, 3])).shape == (2, 3)
    assert tf.random.uniform(tf.constant([2, 3])).shape == (2, 3)
    assert tf.random.uniform([]).shape == ()
    assert tf.random.normal((0, 4)).shape == (0, 4)
    assert tf.random.normal([2], dtype=tf.float16).dtype == tf.float16
    assert tf.random.categorical([[1.0, 2.0]], 3, dtype=tf.int32).dtype == tf.int32
    assert tf.random.categorical([[1.0, 2.0]], 0).shape == (1, 0)
    assert tf.random.shuffle(5).numpy() == 5
    _equal(tf.random.categorical([[-np.inf, -np.inf]], 3, seed=1), [[2, 2, 2]], tf.int64)
    _equal(tf.random.categorical([[np.nan, 1.0]], 3, seed=1), [[1, 1, 1]], tf.int64)


@pytest.mark.parametrize("call, error, message", [
    (lambda: tf.random.uniform([2], dtype=tf.int32), ValueError,
     "Must specify maxval for integer dtype tf.int32"),
    (lambda: tf.random.uniform([2], dtype=tf.uint8, maxval=3), ValueError,
     "Argument `dtype` got invalid value <dtype: 'uint8'>"),
    (lambda: tf.random.uniform([2], 5, 5, dtype=tf.int32), tf.errors.InvalidArgumentError,
     "Need minval < maxval, got 5 >= 5 [Op:RandomUniformInt]"),
    (lambda: tf.random.uniform([2], [1, 2], [3, 4], dtype=tf.int32),
     tf.errors.InvalidArgumentError, "minval must be 0-D, got shape [2]"),
    (lambda: tf.random.uniform([-1]), tf.errors.InvalidArgumentError,
     "Dimension -1 must be >= 0 [Op:RandomUniform]"),
    (lambda: tf.random.uniform(3), tf.errors.InvalidArgumentError,
     "shape must be a vector of {int32,int64}, got shape []"),
    (lambda: tf.random.normal([2], dtype=tf.int32), TypeError, ""),
    (lambda: tf.random.stateless_uniform([2], seed=[1, 2, 3]), tf.errors.InvalidArgumentError,
     "seed must have shape [2], not [3]"),
    (lambda: tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32), ValueError,
     "argument `minval` and `maxval` must be both None or not None"),
    (lambda: tf.random.stateless_uniform([2], seed=[1, 2], minval=0, maxval=7,
                                         dtype=tf.uint32), ValueError,
     "Please don't use unsigned integers in this case."),
    (lambda: tf.random.stateless_uniform([2], seed=[1, 2], alg="foo"), ValueError,
     "Argument `alg` got unsupported value foo."),
    (lambda: tf.random.categorical([1.0, 2.0], 3), tf.errors.InvalidArgumentError,
     "logits should be a matrix, got shape [2] [Op:Multinomial]"),
    (lambda: tf.random.categorical(tf.zeros([2, 0]), 3), tf.errors.InvalidArgumentError,
     "num_classes should be positive, got 0"),
    (lambda: tf.random.categorical([[1.0, 2.0]], 3, dtype=tf.float32), ValueError,
     "Accepted dtypes are (tf.int32, tf.int64)."),
    (lambda: tf.random.Generator.from_seed(1).uniform([2], dtype=tf.int32), ValueError,
     "minval and maxval must be both `None` or both non-`None`"),
])
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_stream_attribute_prints_in_graph_dumps():
    tf.random.set_seed(5)
    graph = Graph("f")
    with graph_scope(graph):
        graph.outputs = [tf.random.uniform([2])]
    assert "RandomUniform() shape=(2,) dtype=tf.float32 stream=Philox(seed=5, seed2=0)" \
        in graph.as_text()


def test_tf_function_random_ops_match_tf():
    tf.random.set_seed(7)

    @tf.function
    def draw():
        return tf.random.uniform([3]), tf.random.uniform([2]), tf.random.normal([2], seed=3)

    first, second = draw(), draw()
    _equal(first[0], [0.7537285089492798, 0.07793760299682617, 0.45880913734436035],
           tf.float32)
    _equal(second[1], [0.7407518625259399, 0.29213786125183105], tf.float32)
    _equal(second[2], [1.1952472925186157, -0.844708263874054], tf.float32)
    g = tf.random.Generator.from_seed(1)
    normal = tf.function(lambda: g.normal([2]))
    normal()
    _equal(normal(), [1.6307176351547241, 0.007847783155739307], tf.float32)


def test_philox_paths_agree():
    """The Python-int path for a few blocks and the NumPy path give the same words,
    including across a 128-bit counter wrap."""
    from tapeflow.ops._philox import _mix, philox_blocks_at
    offsets = np.arange(12, dtype=np.uint64) * np.uint64(5)
    few = philox_blocks_at(2 ** 64 - 1, 2 ** 128 - 20, offsets)
    many = np.stack(_mix(2 ** 64 - 1, 2 ** 128 - 20, offsets), axis=1).astype(np.uint32)
    np.testing.assert_array_equal(few, many)
