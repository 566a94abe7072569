"""tf.io and tf.io.gfile: files, codecs, images and TFRecord writing; messages and
bytes from TF 2.21."""
import numpy as np
import pytest

import tapeflow as tf

G = tf.io.gfile


def test_read_and_write_files(tmp_path):
    path = str(tmp_path / "a.txt")
    assert tf.io.write_file(path, "hello") is None
    tf.io.write_file(tf.constant(str(tmp_path / "sub" / "new" / "b.txt")), tf.constant(b"x"))
    assert tf.io.read_file(path).numpy() == b"hello"
    assert tf.io.read_file(str(tmp_path / "sub" / "new" / "b.txt")).numpy() == b"x"
    with pytest.raises(tf.errors.NotFoundError, match="zz.txt; No such file or directory"):
        tf.io.read_file(str(tmp_path / "zz.txt"))
    with pytest.raises(tf.errors.FailedPreconditionError, match="; Is a directory"):
        tf.io.read_file(str(tmp_path))
    files = tf.io.matching_files(str(tmp_path / "*.txt")).numpy().tolist()
    assert files == [path.encode()]


def test_file_ops_run_in_traced_functions_and_datasets(tmp_path):
    for i in range(3):
        tf.io.write_file(str(tmp_path / f"{i}.txt"), str(i * 11))

    @tf.function
    def total(pattern):
        names = tf.io.matching_files(pattern)
        return tf.reduce_sum(tf.map_fn(lambda n: tf.strings.to_number(tf.io.read_file(n)),
                                       names, fn_output_signature=tf.float32))

    assert float(total(tf.constant(str(tmp_path / "*.txt")))) == 33.0
    dataset = tf.data.Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False).map(
        tf.io.read_file)
    assert [x.numpy() for x in dataset] == [b"0", b"11", b"22"]


def test_gfile_functions_match_tf(tmp_path):
    d = str(tmp_path)
    tf.io.write_file(d + "/a.txt", "hello")
    tf.io.write_file(d + "/b.txt", "x")
    assert G.exists(d + "/a.txt") and not G.exists(d + "/nope")
    assert G.isdir(d) and not G.isdir(d + "/a.txt") and not G.isdir(d + "/nope")
    assert sorted(G.listdir(d)) == ["a.txt", "b.txt"]
    with pytest.raises(tf.errors.NotFoundError, match="Could not find directory"):
        G.listdir(d + "/nope")
    assert sorted(G.glob(d + "/*.txt")) == [d + "/a.txt", d + "/b.txt"]
    assert sorted(G.glob([d + "/a*", d + "/b*"])) == [d + "/a.txt", d + "/b.txt"]
    G.makedirs(d + "/x/y")
    G.makedirs(d + "/x/y")
    G.mkdir(d + "/x")
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        G.mkdir(d + "/q/r")
    G.rename(d + "/b.txt", d + "/c.txt")
    with pytest.raises(tf.errors.AlreadyExistsError, match="file already exists"):
        G.rename(d + "/a.txt", d + "/c.txt")
    G.rename(d + "/a.txt", d + "/c.txt", overwrite=True)
    G.copy(d + "/c.txt", d + "/e.txt")
    with pytest.raises(tf.errors.AlreadyExistsError, match="file already exists"):
        G.copy(d + "/c.txt", d + "/e.txt")
    G.remove(d + "/e.txt")
    with pytest.raises(tf.errors.NotFoundError, match="e.txt; No such file or directory"):
        G.remove(d + "/e.txt")
    with pytest.raises(tf.errors.FailedPreconditionError, match="Is a directory"):
        G.remove(d + "/x")
    info = G.stat(d + "/c.txt")
    assert info.length == 5 and not info.is_directory and isinstance(info.mtime_nsec, int)
    with pytest.raises(tf.errors.NotFoundError):
        G.stat(d + "/nope")
    walked = {top: (sorted(dirs), sorted(files)) for top, dirs, files in G.walk(d)}
    assert walked[d] == (["x"], ["c.txt"]) and walked[d + "/x/y"] == ([], [])
    G.rmtree(d + "/x")
    with pytest.raises(tf.errors.NotFoundError, match="x not found"):
        G.rmtree(d + "/x")
    assert G.join("a", "b", "c") == "a/b/c"


def test_gfile_file_objects(tmp_path):
    path = str(tmp_path / "g.txt")
    with G.GFile(path, "w") as f:
        f.write("line1\n")
        f.write(b"line2\n")
    with G.GFile(path) as f:
        assert f.read() == "line1\nline2\n"
    with G.GFile(path, "rb") as f:
        assert f.read() == b"line1\nline2\n"
    with G.GFile(path) as f:
        assert f.readlines() == ["line1\n", "line2\n"]
    with G.GFile(path) as f:
        assert list(f) == ["line1\n", "line2\n"]
    with G.GFile(path) as f:
        f.seek(2)
        assert f.read(3) == "ne1" and f.tell() == 5
    f = G.GFile(path)
    assert (f.size(), f.name, f.mode) == (12, path, "r")
    with G.GFile(path, "a") as f:
        f.write("3")
    with G.GFile(path, "rb") as f:
        assert f.read().endswith(b"3")
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        G.GFile(str(tmp_path / "nope")).read()
    with pytest.raises(tf.errors.InvalidArgumentError, match="mode is not 'r' or 'w'"):
        G.GFile(path, "x")


def test_codecs_match_tf():
    assert tf.io.serialize_tensor(tf.constant([1, 2])).numpy() == (
        b'\x08\x03\x12\x04\x12\x02\x08\x02"\x08\x01\x00\x00\x00\x02\x00\x00\x00')
    assert tf.io.serialize_tensor(tf.constant(1.5)).numpy() == b'\x08\x01\x12\x00"\x04\x00\x00\xc0?'
    assert tf.io.serialize_tensor(tf.constant(["a", "bc"])).numpy() == (
        b"\x08\x07\x12\x04\x12\x02\x08\x02B\x01aB\x02bc")
    assert tf.io.serialize_tensor(tf.zeros([0, 2])).numpy() == (
        b"\x08\x01\x12\x06\x12\x00\x12\x02\x08\x02")
    assert tf.io.serialize_tensor(tf.constant([True])).numpy() == (
        b'\x08\n\x12\x04\x12\x02\x08\x01"\x01\x01')
    parsed = tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant([1, 2])), tf.int32)
    assert parsed.numpy().tolist() == [1, 2]
    assert tf.io.parse_tensor(tf.io.serialize_tensor(tf.zeros([0, 2])), tf.float32).shape == (
        0, 2)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Type mismatch between parsed tensor \\(int32\\) and dtype "
                             "\\(float\\)"):
        tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant([1, 2])), tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Could not parse `serialized` as TensorProto, base64: //8="):
        tf.io.parse_tensor(b"\xff\xff", tf.float32)
    raw = tf.io.decode_raw(tf.constant([b"\x01\x00\x00\x00\x02\x00\x00\x00"]), tf.int32)
    assert raw.numpy().tolist() == [[1, 2]]
    assert tf.io.decode_raw(b"\x00\x01", tf.int16, little_endian=False).numpy().tolist() == [1]
    assert tf.io.decode_raw([b"ab", b"abcd"], tf.uint8, fixed_length=3).numpy().tolist() == [
        [97, 98, 0], [97, 98, 99]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="DecodeRaw requires input strings "
                                                             "to all be the same size"):
        tf.io.decode_raw([b"abcd", b"ab"], tf.uint8)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Input to DecodeRaw has length 3 that is not a multiple of 4, the "
                             "size of float"):
        tf.io.decode_raw([b"abc"], tf.float32)
    assert tf.io.encode_base64([b"hello?>", b"a"]).numpy().tolist() == [b"aGVsbG8_Pg", b"YQ"]
    assert tf.io.encode_base64([b"hello?>", b"a"], pad=True).numpy().tolist() == [
        b"aGVsbG8_Pg==", b"YQ=="]
    assert tf.io.decode_base64([b"aGVsbG8_Pg", b"YQ=="]).numpy().tolist() == [b"hello?>", b"a"]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Invalid character found in base64."):
        tf.io.decode_base64([b"!!"])


def test_png_codec_matches_tf():
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    png = tf.io.encode_png(image)
    assert png.dtype == tf.string and png.shape == ()
    np.testing.assert_array_equal(tf.io.decode_png(png), image)
    assert tf.io.decode_png(png, channels=1).numpy().ravel().tolist() == [0, 3, 6, 9, 12, 15]
    assert tf.io.decode_png(png, channels=4).shape == (2, 3, 4)
    assert tf.io.decode_image(png).shape == (2, 3, 3)
    scaled = tf.io.decode_image(png, dtype=tf.float32)
    assert scaled.dtype == tf.float32 and np.isclose(scaled.numpy().max(), 17 / 255)
    assert tf.io.decode_png(tf.io.encode_png(image[:, :, :1])).shape == (2, 3, 1)
    for decode in (tf.io.decode_image, tf.io.decode_png):
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, "
                                 "BMP, WebP required."):
            decode(b"garbage")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of float"):
        tf.io.encode_png(image.astype(np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="images must be at least rank 3\\[2,3\\]"):
        tf.io.encode_png(image[:, :, 0])

    @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
    def decode(contents):
        out = tf.io.decode_png(contents, channels=3)
        assert out.shape.as_list() == [None, None, 3]
        return out

    np.testing.assert_array_equal(decode(png), image)


def test_jpeg_and_gif_need_pillow():
    from tapeflow.keras.utils import image_decoding
    if image_decoding._pillow() is not None:
        image = np.full((4, 4, 3), 128, np.uint8)
        decoded = tf.io.decode_jpeg(tf.io.encode_jpeg(image, quality=100))
        assert decoded.shape == (4, 4, 3) and abs(int(decoded[0, 0, 0]) - 128) <= 2
        return
    with pytest.raises(tf.errors.InvalidArgumentError, match="needs Pillow"):
        tf.io.decode_jpeg(b"\xff\xd8\xff\xe0garbage")
    with pytest.raises(tf.errors.InvalidArgumentError, match="needs Pillow"):
        tf.io.decode_gif(b"GIF89a")
    with pytest.raises(tf.errors.InvalidArgumentError, match="needs Pillow"):
        tf.io.encode_jpeg(np.zeros((2, 2, 3), np.uint8))


def test_tfrecord_writer_matches_tf(tmp_path):
    path = str(tmp_path / "r.tfrec")
    with tf.io.TFRecordWriter(path) as writer:
        writer.write(b"abc")
        writer.write("defg")
    with open(path, "rb") as file:   # TF 2.21's bytes for the same two records
        assert file.read() == (b"\x03\x00\x00\x00\x00\x00\x00\x00\xb0\x99I\x0eabcnW\xf1!\x04\x00"
                               b"\x00\x00\x00\x00\x00\x00BER\x04defg'\x07\x1b\xa1")
    assert [r.numpy() for r in tf.data.TFRecordDataset(path)] == [b"abc", b"defg"]
    for compression in ("GZIP", "ZLIB"):
        compressed = str(tmp_path / f"r.{compression}")
        with tf.io.TFRecordWriter(compressed, tf.io.TFRecordOptions(compression)) as writer:
            writer.write(b"abc")
        records = tf.data.TFRecordDataset(compressed, compression_type=compression)
        assert [r.numpy() for r in records] == [b"abc"]
    with tf.io.TFRecordWriter(str(tmp_path / "s.gz"), "GZIP") as writer:
        writer.write(b"x")
    assert [r.numpy() for r in tf.data.TFRecordDataset(str(tmp_path / "s.gz"), "GZIP")] == [b"x"]
    with pytest.raises(ValueError, match='Not a valid compression_type: "BAD"'):
        tf.io.TFRecordOptions(compression_type="BAD")
