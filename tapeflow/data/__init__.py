"""`tf.data`: input pipelines (Dataset, its sources and transformations, Options).

>>> import tapeflow as tf
>>> ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4, 5, 6])).batch(2)
>>> [tuple(t.numpy().tolist() for t in batch) for batch in ds]
[([1, 2], [4, 5]), ([3], [6])]
"""
from tapeflow.data import experimental
from tapeflow.data.dataset import Dataset, DatasetV2
from tapeflow.data.iterator import NumpyIterator, OwnedIterator
from tapeflow.data.options import (AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY,
                                   Options, ThreadingOptions)
from tapeflow.data.readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset
from tapeflow.data.structure import DatasetSpec

Iterator = OwnedIterator

__all__ = ["AUTOTUNE", "Dataset", "DatasetSpec", "DatasetV2", "FixedLengthRecordDataset",
           "INFINITE_CARDINALITY", "Iterator", "NumpyIterator", "Options", "TFRecordDataset",
           "TextLineDataset", "ThreadingOptions", "UNKNOWN_CARDINALITY", "experimental"]
