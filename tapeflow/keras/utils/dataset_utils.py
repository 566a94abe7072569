"""`image_dataset_from_directory` and `text_dataset_from_directory` (Keras' rules).

A directory with one subdirectory per class becomes a `tf.data.Dataset` of
`(images, labels)` or `(texts, labels)` batches:

1. index: files with an allowed extension, class subdirectories in sorted
   order (or `class_names`' order), files in sorted walk order; then, with
   `shuffle`, one NumPy `RandomState(seed)` permutation of the list (Keras' own,
   so the same seed gives Keras' file order);
2. split: with `validation_split`, the last `int(split * n)` files are the
   validation subset;
3. pipeline: `zip(paths, labels)`, `shuffle(batch_size * 8, seed)` when
   shuffling, a parallel map that reads (and decodes and resizes) each file,
   `batch(batch_size)`, `prefetch(AUTOTUNE)`.

The datasets carry `class_names` and `file_paths` attributes, as Keras' do.
"""
import os

from tapeflow.core import dtypes
from tapeflow.core.array_api import xp
from tapeflow.core.spec import TensorSpec
from tapeflow.core.tensor import wrap
from tapeflow.data.dataset import Dataset
from tapeflow.data.options import AUTOTUNE
from tapeflow.data.parallel import map_numpy

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                   "gaussian", "mitchellcubic")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """A dataset of image batches (float32, 0-255; uint8 for "nearest") and labels.

    Args:
      directory: holds one subdirectory of images per class (with `labels="inferred"`).
      labels: "inferred", None (images only), or a list of int labels in the sorted
        order of the image paths.
      label_mode: "int" (int32), "categorical" (one-hot float32), "binary" (float32
        of shape (1,)), or None.
      class_names: the class subdirectories to use, in label order.
      color_mode: "grayscale", "rgb" or "rgba" (1, 3 or 4 channels).
      batch_size: images per batch; None for unbatched elements.
      image_size: (height, width) every image is resized to.
      shuffle, seed: shuffle the files (and batches' elements), reproducibly with a seed.
      validation_split, subset: hold out a fraction; subset "training", "validation"
        or "both" (a pair of datasets).
      interpolation: the `tf.image.resize` method.
      follow_links: visit subdirectories that are symbolic links.
      crop_to_aspect_ratio, pad_to_aspect_ratio: keep the aspect ratio by cropping
        the center, or by padding, before resizing.
      data_format: "channels_last" (default) or "channels_first".
      format: "tf" only.
      verbose: print how many files were found.

    Returns:
      A `tf.data.Dataset`, or a (training, validation) pair with `subset="both"`.
    """
    _check_labels(labels, class_names, label_mode, "image")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    image_size = _image_size(image_size)
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be "
                         "set to `True`.")
    data_format = _data_format(data_format)
    _check_format(format)
    loader = _ImageLoader(image_size, _CHANNELS[color_mode], interpolation, data_format,
                          crop_to_aspect_ratio, pad_to_aspect_ratio)
    return _from_directory(directory, labels, label_mode, class_names, batch_size, shuffle,
                           seed, validation_split, subset, follow_links, verbose,
                           IMAGE_FORMATS, loader, "images")


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None,
                                shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """A dataset of `tf.string` batches of file contents (`.txt` files) and labels.

    Arguments as in `image_dataset_from_directory`; `max_length` keeps at most that
    many bytes of each text.
    """
    _check_labels(labels, class_names, label_mode, "text")
    _check_format(format)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    loader = _TextLoader(max_length)
    return _from_directory(directory, labels, label_mode, class_names, batch_size, shuffle,
                           seed, validation_split, subset, follow_links, verbose, (".txt",),
                           loader, "text files")


# -- the shared steps ---------------------------------------------------------------------------

def _from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                    validation_split, subset, follow_links, verbose, formats, loader, what):
    _check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(xp.random.randint(1e6))
    paths, labels, class_names = index_directory(directory, labels, formats, class_names,
                                                 shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    buffer_size = batch_size * 8 if batch_size is not None else 1024
    num_classes = len(class_names) if class_names else 0
    subsets = ["training", "validation"] if subset == "both" else [subset]
    datasets = []
    for name in subsets:
        part_paths, part_labels = _split(paths, labels, validation_split, name)
        if not part_paths:
            which = f"{name} " if subset == "both" else ""
            allowed = (f"Allowed formats: {formats}" if len(formats) > 1
                       else f"Allowed format: {formats[0]}")
            raise ValueError(f"No {which}{what} found in directory {directory}. {allowed}")
        shuffled = shuffle and not (subset == "both" and name == "validation")
        dataset = _paths_and_labels(part_paths, part_labels, label_mode, num_classes, loader,
                                    shuffled, buffer_size, seed)
        if batch_size is not None:
            dataset = dataset.batch(batch_size)
        dataset = dataset.prefetch(AUTOTUNE)
        dataset.class_names = class_names
        if loader.keeps_paths:   # Keras sets `file_paths` on image datasets only
            dataset.file_paths = part_paths
        datasets.append(dataset)
    return datasets if subset == "both" else datasets[0]


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """(file paths, int labels or None, class names), in Keras' order (see module doc)."""
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 "subdirectories of the target directory. Expected: "
                                 f"{subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None and labels is None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                             "be specified.")
        if class_names is not None:
            raise ValueError("When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
    files, found_labels = [], []
    for index, subdir in enumerate(subdirs):
        for path in _valid_files(os.path.join(directory, subdir), follow_links, formats):
            files.append(path)
            found_labels.append(index)
    if labels == "inferred":
        labels = xp.array(found_labels, dtype=xp.int32)
        names = subdirs
    elif labels is None:
        names = None
    else:
        if len(labels) != len(files):
            raise ValueError("Expected the lengths of `labels` to match the number of files "
                             f"in the target directory. len(labels) is {len(labels)} while we "
                             f"found {len(files)} files in directory {directory}.")
        names = [str(label) for label in sorted(set(labels))]
        labels = list(labels)
    if verbose:
        print(f"Found {len(files)} files." if labels is None else
              f"Found {len(files)} files belonging to {len(names)} classes.")
    if shuffle:   # Keras' global shuffle: one RandomState permutation of paths and labels
        xp.random.RandomState(seed).shuffle(files)
        if labels is not None:
            xp.random.RandomState(seed).shuffle(labels)
    return files, labels, names


def _valid_files(directory, follow_links, formats):
    walk = sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0])
    for root, _, names in walk:
        for name in sorted(names):
            if name.lower().endswith(formats):
                yield os.path.join(root, name)


def _split(paths, labels, validation_split, subset):
    if not validation_split:
        return paths, labels
    count = int(validation_split * len(paths))
    if subset == "training":
        print(f"Using {len(paths) - count} files for training.")
        return paths[:-count], None if labels is None else labels[:-count]
    print(f"Using {count} files for validation.")
    return paths[-count:], None if labels is None else labels[-count:]


def _paths_and_labels(paths, labels, label_mode, num_classes, loader, shuffle, buffer_size,
                      seed):
    path_dataset = Dataset.from_tensor_slices(xp.array([p.encode() for p in paths],
                                                       dtype=object))
    if label_mode:
        dataset = Dataset.zip((path_dataset, _label_dataset(labels, label_mode, num_classes)))
    else:
        dataset = path_dataset
    if shuffle:
        dataset = dataset.shuffle(buffer_size, seed=seed)
    if label_mode:
        spec = (loader.spec, dataset.element_spec[1])
        return map_numpy(dataset, lambda c: (loader(c[0]),) + c[1:], spec, AUTOTUNE,
                         loader.name)
    return map_numpy(dataset, lambda c: (loader(c[0]),), loader.spec, AUTOTUNE, loader.name)


def _label_dataset(labels, label_mode, num_classes):
    values = xp.asarray(labels, dtype=xp.int32)
    if label_mode == "binary":
        return Dataset.from_tensor_slices(values.astype(xp.float32)[:, None])
    if label_mode == "categorical":
        return Dataset.from_tensor_slices(xp.eye(num_classes, dtype=xp.float32)[values])
    return Dataset.from_tensor_slices(values)


# -- reading one file ------------------------------------------------------------------------------

def _path(component):
    value = component[()] if hasattr(component, "ndim") else component
    return value.decode() if isinstance(value, bytes) else str(value)


class _ImageLoader:
    """Reads, decodes and resizes one image file (run on the map's worker threads)."""

    name = "image_dataset_from_directory()"
    keeps_paths = True

    def __init__(self, image_size, channels, interpolation, data_format, crop, pad):
        self.image_size = image_size
        self.channels = channels
        self.interpolation = interpolation
        self.channels_first = data_format == "channels_first"
        self.crop, self.pad = crop, pad
        height, width = image_size
        shape = (channels, height, width) if self.channels_first else (height, width, channels)
        # tf.image.resize gives float32, except "nearest", which keeps uint8
        self.dtype = dtypes.uint8 if interpolation == "nearest" else dtypes.float32
        self.spec = TensorSpec(shape, self.dtype)

    def __call__(self, component):
        from tapeflow.keras.utils.image_decoding import decode_image
        path = _path(component)
        with open(path, "rb") as f:
            image = decode_image(f.read(), self.channels, path)
        image = self._resize(image)
        return image.transpose(2, 0, 1) if self.channels_first else image

    def _resize(self, image):
        from tapeflow.image import resize, resize_with_pad
        height, width = self.image_size
        if self.crop:
            image = _center_crop_to_aspect_ratio(image, height / width)
        if self.pad:
            out = resize_with_pad(wrap(image), height, width, method=self.interpolation)
        else:
            out = resize(wrap(image), (height, width), method=self.interpolation)
        return xp.asarray(out.numpy(), dtype=self.dtype._np)


def _center_crop_to_aspect_ratio(image, ratio):
    """The largest centered crop of `image` with height / width == `ratio` (Keras' rounding)."""
    height, width = image.shape[:2]
    crop_height = int(float(width * ratio))
    crop_height = min(height, crop_height)
    crop_width = int(float(height / ratio))
    crop_width = min(width, crop_width)
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    return image[top:top + crop_height, left:left + crop_width]


class _TextLoader:
    """Reads one text file as bytes (at most `max_length` of them)."""

    spec = TensorSpec((), dtypes.string)
    name = "text_dataset_from_directory()"
    keeps_paths = False

    def __init__(self, max_length):
        self.max_length = max_length

    def __call__(self, component):
        with open(_path(component), "rb") as f:
            text = f.read()
        if self.max_length is not None:
            text = text[:self.max_length]
        out = xp.empty((), dtype=object)
        out[()] = text
        return out


# -- argument checks -------------------------------------------------------------------------------

def _check_labels(labels, class_names, label_mode, kind):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size "
                f"as the number of {kind} files in the target directory. If you wish to infer "
                "the labels from the subdirectory names in the target directory, pass "
                '`labels="inferred"`. If you wish to get a dataset that only contains '
                f"{'images' if kind == 'image' else 'text samples'} (no labels), pass "
                f"`labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")


def _check_validation_split(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide "
                         "a `seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def _check_format(format):  # noqa: A002 - Keras' argument name
    if format != "tf":
        raise ValueError(f'`format` should be "tf" in tapeflow. Received: format={format}')


def _image_size(image_size):
    if isinstance(image_size, int):
        return (image_size, image_size)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    return tuple(int(d) for d in image_size)


def _data_format(data_format):
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError('The `data_format` argument must be one of "channels_first", '
                         f'"channels_last". Received: data_format={data_format}')
    return data_format
