"""Keras-style object names: `to_snake_case("MeanIoU") == "mean_io_u"`, unique `sgd`, `sgd_1`.

Keras keeps one process-wide counter per base name, shared by every kind of
object that names itself from its class (layers, metrics, optimizers, losses),
so the second `SGD()` is `sgd_1` and the third `sgd_2`.
"""
import collections
import re

_uids = collections.defaultdict(int)


def to_snake_case(name):
    """`"RMSprop"` -> `"rm_sprop"`, `"AdamW"` -> `"adam_w"`, as Keras spells them."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)   # "MeanIoU" -> "Mean_IoU"
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)     # "Mean_IoU" -> "Mean_Io_U"
    return name.lower()


def uniquify(name):
    """`name` the first time, then `name_1`, `name_2`, ..."""
    count = _uids[name]
    _uids[name] += 1
    return name if count == 0 else f"{name}_{count}"


def auto_name(class_name):
    """A unique snake-case name for a new object of class `class_name`."""
    return uniquify(to_snake_case(class_name))
