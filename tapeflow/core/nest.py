"""Nested structures of lists, tuples, namedtuples and dicts (TF's `tf.nest`).

As in TF: dicts flatten in sorted-key order, None is a leaf, strings are leaves,
and packing rebuilds the same container types.
"""
import collections
import collections.abc as _abc


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(structure):
    """True for lists, tuples (incl. namedtuples), dicts and mappings."""
    return isinstance(structure, (list, tuple, dict, _abc.Mapping)) and not _is_leaf_type(structure)


def _is_leaf_type(x):
    return getattr(type(x), "_tf_nest_leaf", False)


is_sequence = is_nested
is_nested_or_composite = is_nested


def _sorted_keys(mapping):
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def _children(structure):
    if isinstance(structure, (dict, _abc.Mapping)):
        return [structure[k] for k in _sorted_keys(structure)]
    return list(structure)


def flatten(structure, expand_composites=False):
    """The leaves of `structure`, depth first, dicts in sorted-key order.

    >>> flatten({"b": 1, "a": (2, [3])})
    [2, 3, 1]
    """
    if not is_nested(structure):
        return [structure]
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(structure, out):
    for child in _children(structure):
        if is_nested(child):
            _flatten_into(child, out)
        else:
            out.append(child)


def _rebuild(template, children):
    if isinstance(template, (dict, _abc.Mapping)):
        keys = _sorted_keys(template)
        by_key = dict(zip(keys, children))
        ordered = [(k, by_key[k]) for k in template]   # keep the template's own key order
        if type(template) is dict:
            return dict(ordered)
        if isinstance(template, collections.defaultdict):
            return type(template)(template.default_factory, ordered)
        return type(template)(ordered)
    if _is_namedtuple(template):
        return type(template)(*children)
    if isinstance(template, tuple):
        return tuple(children)
    if isinstance(template, list):
        return list(children)
    return type(template)(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Rebuilds `structure` with its leaves replaced, in order, by `flat_sequence`."""
    flat_sequence = list(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == "
                             f"{len(flat_sequence)} > 1")
        return flat_sequence[0]
    position, packed = _pack(structure, flat_sequence, 0)
    if position != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {position} atoms, but "
                         f"flat_sequence had {len(flat_sequence)} items.")
    return packed


def _pack(structure, flat, position):
    children = []
    for child in _children(structure):
        if is_nested(child):
            position, packed = _pack(child, flat, position)
            children.append(packed)
        else:
            if position >= len(flat):
                raise ValueError("Could not pack sequence: flat_sequence has too few items "
                                 f"({len(flat)}).")
            children.append(flat[position])
            position += 1
    return position, _rebuild(structure, children)


def map_structure(func, *structures, check_types=True, expand_composites=False):
    """Applies `func` to corresponding leaves of structures of the same shape."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other, check_types=check_types)
    flat = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flat)])


def map_structure_up_to(shallow_tree, func, *structures):
    flat = [flatten_up_to(shallow_tree, s) for s in structures]
    return pack_sequence_as(shallow_tree, [func(*leaves) for leaves in zip(*flat)])


def flatten_up_to(shallow_tree, input_tree, check_types=True):
    """Flattens `input_tree` only as deep as `shallow_tree` goes."""
    if not is_nested(shallow_tree):
        return [input_tree]
    if not is_nested(input_tree):
        raise TypeError(f"If shallow structure is a sequence, input must also be a sequence. "
                        f"Input has type: {type(input_tree).__name__}.")
    shallow_children = _children(shallow_tree)
    input_children = _children(input_tree)
    if len(shallow_children) != len(input_children):
        raise ValueError(f"The two structures don't have the same sequence length. Input "
                         f"structure has length {len(input_children)}, while shallow "
                         f"structure has length {len(shallow_children)}.")
    out = []
    for s, i in zip(shallow_children, input_children):
        out.extend(flatten_up_to(s, i, check_types))
    return out


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises ValueError (or TypeError for differing container types) if shapes differ."""
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError("The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    if not is_nested(nest1):
        return
    if check_types and _container_kind(nest1) != _container_kind(nest2):
        raise TypeError("The two structures don't have the same sequence type. Input "
                        f"structure has type {type(nest1)}, while shallow structure has "
                        f"type {type(nest2)}.")
    if isinstance(nest1, _abc.Mapping) and set(nest1) != set(nest2):
        raise ValueError("The two dictionaries don't have the same set of keys. First "
                         f"structure has keys {sorted(nest1)}, while second structure has "
                         f"keys {sorted(nest2)}.")
    c1, c2 = _children(nest1), _children(nest2)
    if len(c1) != len(c2):
        raise ValueError("The two structures don't have the same number of elements.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    for a, b in zip(c1, c2):
        assert_same_structure(a, b, check_types)


def _container_kind(x):
    if isinstance(x, _abc.Mapping):
        return "mapping"
    if _is_namedtuple(x):
        return type(x)
    return type(x)


def flatten_with_paths(structure):
    """(path, leaf) pairs; a path is a tuple of keys/indices."""
    out = []
    _paths(structure, (), out)
    return out


def _paths(structure, prefix, out):
    if not is_nested(structure):
        out.append((prefix, structure))
        return
    if isinstance(structure, _abc.Mapping):
        keys = _sorted_keys(structure)
    else:
        keys = range(len(structure))
    for key in keys:
        _paths(structure[key], prefix + (key,), out)
