"""`model.summary()`: Keras 3's box-drawn table of layers, output shapes and parameters.

The table reproduces what Keras 3 prints through the `rich` library when
output is not a terminal: the line length is `min(88, terminal columns - 4)`
(108 with a "Connected to" column for non-sequential functional models), the
columns get Keras' relative positions, and when the columns (plus one space of
padding each side) do not fit between the borders, every column gives up an
equal share of the excess, as rich does. Long cells wrap at spaces.
"""
import math
import re
import shutil

_HEAVY_TOP = ("┏", "━", "┳", "┓")
_HEAVY_HEAD_BOTTOM = ("┡", "━", "╇", "┩")
_ROW_SEPARATOR = ("├", "─", "┼", "┤")
_BOTTOM = ("└", "─", "┴", "┘")


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False, layer_range=None):
    """Prints the summary table of `model` (see `Model.summary`)."""
    text = summary_text(model, line_length, positions, expand_nested, show_trainable,
                        layer_range)
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)


def summary_text(model, line_length=None, positions=None, expand_nested=False,
                 show_trainable=False, layer_range=None):
    layers, sequential_like, relevant_nodes = _layers_to_show(model)
    if sequential_like:
        default_length, default_positions = 88, [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length, default_positions = 108, [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
    positions = positions or default_positions
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    console_width = shutil.get_terminal_size().columns
    default_length = min(default_length, console_width - 4)
    line_length = line_length or default_length
    widths = _column_widths(positions, line_length)

    rows = []
    start, stop = _layer_index_range(layers, layer_range)
    for layer in layers[start:stop]:
        rows.extend(_layer_rows(layer, sequential_like, relevant_nodes, show_trainable,
                                expand_nested, 0))
    lines = [f'Model: "{model.name}"']
    # Like rich's console, lines wider than the terminal are cut at its width.
    lines.extend(line[:console_width]
                 for line in _render_table(header, justify, rows, widths, line_length))
    lines.extend(_totals(model))
    return "\n".join(lines) + "\n"


# -- which layers, and is the model a simple chain? ----------------------------------------

def _layers_to_show(model):
    """(layers, sequential_like, relevant nodes) as Keras decides them."""
    from tapeflow.keras.models.functional import Functional
    from tapeflow.keras.models.sequential import Sequential
    if isinstance(model, Sequential) or not isinstance(model, Functional):
        return model.layers, True, []
    nodes = []
    sequential_like = True
    for depth in model._nodes_by_depth:
        group = model._nodes_by_depth[depth]
        if len(group) > 1 or (len(group) == 1 and len(group[0].input_tensors) > 1):
            sequential_like = False
            break
        nodes.extend(group)
    if sequential_like:
        for layer in model.layers:
            if sum(1 for node in layer._inbound_nodes if node in nodes) > 1:
                sequential_like = False     # a shared layer
                break
    relevant = [node for group in model._nodes_by_depth.values() for node in group]
    return list(model._operations), sequential_like, relevant


def _layer_index_range(layers, layer_range):
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    names = [layer.name for layer in layers]
    starts = [i for i, name in enumerate(names) if re.match(layer_range[0], name)]
    ends = [i for i, name in enumerate(names) if re.match(layer_range[1], name)]
    if not starts or not ends:
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if starts[0] > ends[-1]:
        raise ValueError("layer_range[0] must come before layer_range[1] in the model.")
    return starts[0], ends[-1] + 1


# -- cells ------------------------------------------------------------------------------------

def _layer_rows(layer, sequential_like, relevant_nodes, show_trainable, expand_nested,
                level):
    prefix = "   " * level + "└ " if level else ""
    class_name = getattr(layer, "class_name", None) or layer.__class__.__name__
    fields = [f"{prefix}{layer.name} ({class_name})", _output_shape_text(layer),
              _params_text(layer)]
    if not sequential_like:
        fields.append(_connections(layer, relevant_nodes))
    if show_trainable:
        weights = getattr(layer, "weights", [])
        fields.append(("Y" if layer.trainable else "N") if weights else "-")
    rows = [fields]
    nested = getattr(layer, "layers", None) if expand_nested else None
    if nested:
        for sublayer in nested:
            rows.extend(_layer_rows(sublayer, sequential_like, relevant_nodes,
                                    show_trainable, expand_nested, level + 1))
    return rows


def _params_text(layer):
    if not hasattr(layer, "built"):
        return "0"
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _output_shape_text(layer):
    """The last call's output shape(s), else the shape computed from the build shapes."""
    nodes = layer._inbound_nodes
    if not nodes and not getattr(layer, "_build_shapes_dict", None):
        return "?"
    if nodes:
        shapes = [_format_shape(x.shape) for x in nodes[-1].output_tensors]
    else:
        shapes = _shapes_from_build(layer)
        if shapes is None:
            return "?"
    if len(shapes) == 1:
        return shapes[0]
    return "[" + ", ".join(shapes) + "]"


def _shapes_from_build(layer):
    try:
        shape = layer.output_shape
    except AttributeError:
        if not _knows_output_shape(layer):
            return None
        try:
            shape = layer.compute_output_shape(**layer._build_shapes_dict)
        except Exception:   # noqa: BLE001 - a shape we cannot trace prints as "?"
            return None
    if _is_shape(shape):
        return [_format_shape(shape)]
    return [_format_shape(s) for s in _flatten_shapes(shape)]


def _is_shape(value):
    return isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value)


def _flatten_shapes(value):
    if _is_shape(value):
        return [value]
    if isinstance(value, dict):
        return [s for key in sorted(value) for s in _flatten_shapes(value[key])]
    return [s for item in value for s in _flatten_shapes(item)]


def _knows_output_shape(layer):
    """Keras prints "?" for user layers that do not implement compute_output_shape."""
    from tapeflow.keras.layers.base import Layer
    for cls in type(layer).__mro__:
        if "compute_output_shape" in cls.__dict__:
            return cls is not Layer or type(layer).__module__.startswith("tapeflow.keras")
    return False


def _connections(layer, relevant_nodes):
    parts = []
    for node in layer._inbound_nodes:
        if relevant_nodes and node not in relevant_nodes:
            continue
        for x in node.input_tensors:
            history = x._keras_history
            parts.append(f"{history.operation.name}[{history.node_index}]"
                         f"[{history.tensor_index}]")
    return ", ".join(parts) if parts else "-"


# -- totals -----------------------------------------------------------------------------------

def _count(weights):
    return int(sum(math.prod(tuple(w.shape)) for w in weights))


def _memory(weights):
    unique = {id(w): w for w in weights}.values()
    bits = sum(math.prod(tuple(w.shape)) * w.dtype.size * 8 for w in unique)
    return bits / 8


def readable_memory_size(size):
    """`1.33 MB`: bytes in the largest unit that keeps the value >= 1."""
    for unit in ["B", "KB", "MB", "GB", "TB", "PB"]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _totals(model):
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_weights = []
    if getattr(model, "compiled", False) and optimizer is not None and \
            getattr(optimizer, "built", False):
        optimizer_weights = list(optimizer.variables)
    total = _count(trainable) + _count(non_trainable) + _count(optimizer_weights)
    total_memory = _memory(trainable) + _memory(non_trainable) + _memory(optimizer_weights)
    lines = [f" Total params: {total:,} ({readable_memory_size(total_memory)})",
             f" Trainable params: {_count(trainable):,} "
             f"({readable_memory_size(_memory(trainable))})",
             f" Non-trainable params: {_count(non_trainable):,} "
             f"({readable_memory_size(_memory(non_trainable))})"]
    if optimizer_weights:
        lines.append(f" Optimizer params: {_count(optimizer_weights):,} "
                     f"({readable_memory_size(_memory(optimizer_weights))})")
    return lines


# -- the table ----------------------------------------------------------------------------------

def _column_widths(positions, line_length):
    widths = []
    current = 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    return widths


def _fit_widths(widths, line_length):
    """Cell widths (padding included) that fit the table into `line_length`, as rich does."""
    cells = [w + 2 for w in widths]
    available = line_length - (len(cells) + 1)
    excess = sum(cells) - available
    if excess <= 0:
        return cells
    # Every column gives up an equal share of the excess, rounding as it goes.
    result = []
    remaining_ratio = len(cells)
    for cell in cells:
        share = min(cell, round(excess / remaining_ratio))
        result.append(cell - share)
        excess -= share
        remaining_ratio -= 1
    return result


def _wrap(text, width):
    """Lines of at most `width` characters, broken at spaces, as rich wraps a cell.

    A word longer than the width gets a line of its own, cut with an ellipsis.
    """
    lines, current = [], ""
    for word in re.findall(r"\s*\S+\s*", text) or [""]:
        if len(current) + len(word.rstrip()) <= width:
            current += word
            continue
        if current:
            lines.append(current)
        current = word
    lines.append(current)
    return [_truncate(line.rstrip(), width) for line in lines]


def _truncate(text, width):
    return text if len(text) <= width else text[:width - 1] + "…"


def _justify(text, width, how):
    if how == "right":
        return " " * (width - len(text)) + text
    if how == "center":
        left = (width - len(text)) // 2
        return " " * left + text + " " * (width - len(text) - left)
    return text + " " * (width - len(text))


def _row_lines(cells, justify, widths, vertical):
    wrapped = [_wrap(cell, width - 2) for cell, width in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    lines = []
    for i in range(height):
        parts = [" " + _justify(lines_[i] if i < len(lines_) else "", width - 2, how) + " "
                 for lines_, width, how in zip(wrapped, widths, justify)]
        lines.append(vertical + vertical.join(parts) + vertical)
    return lines


def _rule(chars, widths):
    left, fill, cross, right = chars
    return left + cross.join(fill * w for w in widths) + right


def _render_table(header, justify, rows, widths, line_length):
    cells = _fit_widths(widths, line_length)
    lines = [_rule(_HEAVY_TOP, cells)]
    lines.extend(_row_lines(header, justify, cells, "┃"))
    lines.append(_rule(_HEAVY_HEAD_BOTTOM, cells))
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule(_ROW_SEPARATOR, cells))
        lines.extend(_row_lines(row, justify, cells, "│"))
    lines.append(_rule(_BOTTOM, cells))
    return lines
