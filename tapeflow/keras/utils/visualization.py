"""`tf.keras.utils.plot_model`: a picture of the model graph (needs pydot and graphviz)."""


def _pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, **kwargs):
    """A pydot graph with one node per layer and an edge per layer call."""
    pydot = _pydot()
    if pydot is None:
        raise ImportError("You must install pydot (`pip install pydot`) for `plot_model` to "
                          "work.")
    graph = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=dpi)
    layers = model.layers
    for layer in layers:
        label = f"{layer.name} ({type(layer).__name__})" if show_layer_names \
            else type(layer).__name__
        if show_shapes:
            try:
                label += f"\n{layer.output.shape}"
            except (AttributeError, ValueError):
                pass
        graph.add_node(pydot.Node(str(id(layer)), label=label, shape="record"))
    names = {id(layer) for layer in layers}
    for layer in layers:
        for node in getattr(layer, "_inbound_nodes", []):
            for x in getattr(node, "input_tensors", []):
                history = getattr(x, "_keras_history", None)
                if history is not None and id(history.operation) in names:
                    graph.add_edge(pydot.Edge(str(id(history.operation)), str(id(layer))))
    if not any(graph.get_edges()) and len(layers) > 1:      # Sequential built lazily
        for before, after in zip(layers, layers[1:]):
            graph.add_edge(pydot.Edge(str(id(before)), str(id(after))))
    return graph


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draws the model's layers to `to_file` (png, svg, ...). Requires pydot and graphviz.

    Raises:
      ImportError: pydot is not installed.
    """
    graph = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                         show_layer_names=show_layer_names, rankdir=rankdir,
                         expand_nested=expand_nested, dpi=dpi)
    extension = to_file.rsplit(".", 1)[-1] if "." in to_file else "png"
    graph.write(to_file, format=extension)
    return None
