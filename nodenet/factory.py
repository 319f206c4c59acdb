"""How the modules below :class:`nodenet.Network` build and recognise networks.

Loading a file or drawing a random network must give users a
:class:`nodenet.Network`, a class built on top of those modules; they call
:func:`create_network`, and ``nodenet.network`` registers the class once.

Examples
--------
>>> import nodenet
>>> type(create_network()) is nodenet.Network
True
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
from typing import Any, Iterator

from .connection import Connection
from .errors import ArgumentTypeError, TopologyError
from .node import Node
from .structure import GROUPS, LAYERS, SLOTS, NetworkStructure, read_only_slots

__all__ = [
    "check_network", "create_network", "register_network_class", "link_layers", "layered_network", "assign_layers",
]

_network_class: list[type] = []  # the class users get from create_network (nodenet.Network)


def check_network(net: Any, what: str) -> NetworkStructure:
    """``net`` if it is a network, else an :class:`~nodenet.errors.ArgumentTypeError` naming ``what``.

    >>> check_network("net.json", "to_dot")
    Traceback (most recent call last):
    ...
    nodenet.errors.ArgumentTypeError: to_dot needs a nodenet.Network as its first argument; got str 'net.json' ...
    """
    if not isinstance(net, NetworkStructure):
        hint = " (load a saved model with nodenet.load(path) first)" if isinstance(net, (str, os.PathLike)) else ""
        raise ArgumentTypeError(
            f"{what} needs a nodenet.Network as its first argument; got {type(net).__name__} {net!r:.60}{hint}."
        )
    return net


def register_network_class(cls: type) -> None:
    """Make ``cls`` (a subclass of :class:`NetworkStructure`) the class that :func:`create_network` builds."""
    _network_class[:] = [cls]


def create_network() -> Any:
    """An empty network of the class users work with (:class:`nodenet.Network`).

    Modules that build networks (loading a file, drawing a random one) call
    this, so that they need not import the class that is built on them.

    >>> type(create_network()).__name__
    'Network'
    """
    return (_network_class[0] if _network_class else NetworkStructure)()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk build makes objects that all stay alive.

    Every collection walks every tracked object, and 10^5 new connections set
    off many of them: a [784, 128, 10] network builds in about half the time
    without.  Reference counting frees as usual; the collector is enabled
    again only if it was enabled before.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def link_layers(net: NetworkStructure, layers: list[list[Node]]) -> None:
    """Connect every node of each layer to every node of the next, with weights 0.0.

    The bulk form of :meth:`~nodenet.structure.NetworkStructure.connect` for
    :meth:`Network.from_layers <nodenet.Network.from_layers>`: one edge
    insertion and one block of store slots for all the connections, target by
    target.  The nodes must be this network's, each in one layer, without
    connections yet; inputs only in the first layer, softmax only in the last.
    When the layers are the whole network in declaration order, starting
    with its inputs, the derived cache keeps them with their bias slots
    (``LAYERS``), and their groups (``GROUPS``), so the compiled plan need
    not read the nodes and connections one by one.

    >>> import nodenet
    >>> net = nodenet.Network(); a = net.add_input("a"); b = net.add_output("b")
    >>> link_layers(net, [[a], [b]]); net.connection("a", "b").weight
    0.0
    >>> link_layers(net, [[a], [b]])
    Traceback (most recent call last):
    ...
    nodenet.errors.TopologyError: link_layers connects new nodes, but 'a' has connections already; ...
    """
    nodes = [net.node(node) for layer in layers for node in layer]
    if len(set(nodes)) != len(nodes):
        raise TopologyError("link_layers needs each node in one layer only; a node in two layers would make a cycle.")
    for node in nodes:
        if node.incoming or node.outgoing:
            raise TopologyError(f"link_layers connects new nodes, but {node.name!r} has connections already; use connect.")
    groups: dict[Any, list[Node]] = {}  # the members of each group activation (softmax), in order
    for depth, layer in enumerate(layers):
        for node in layer:
            if depth and node.kind == "input":
                raise TopologyError(f"Input node {node.name!r} can only be in the first layer; it takes no connections.")
            if node.activation_function.is_group:
                if depth < len(layers) - 1:
                    raise TopologyError(f"{node.name!r} uses {node.activation}, which ends the network; put it in the last layer.")
                groups.setdefault(node.activation_function, []).append(node)
    with collector_paused():  # 10^5 connections and their edges
        pairs = [(src, dst) for sources, targets in zip(layers, layers[1:]) for dst in targets for src in sources]
        store = net.store
        first = store.allocate_block(len(pairs))
        connections = [Connection(src, dst, store=store, slot=first + i) for i, (src, dst) in enumerate(pairs)]
        start = 0
        for sources, targets in zip(layers, layers[1:]):  # the connections of two layers run target by target
            width, stop = len(sources), start + len(sources) * len(targets)
            for number, target in enumerate(targets):
                target.attach_many(connections[start + number * width : start + (number + 1) * width], ())
            for number, source in enumerate(sources):
                source.attach_many((), connections[start + number : stop : width])
            start = stop
        layer_names = [[node.name for node in layer] for layer in layers]
        names = [(src, dst) for sources, targets in zip(layer_names, layer_names[1:]) for dst in targets for src in sources]
        net.graph.add_edges_from((src, dst, {"connection": conn}) for (src, dst), conn in zip(names, connections))
    for sources, targets in zip(layers, layers[1:]):
        net.connections_added(sources, targets)
    whole = nodes == [net.graph.nodes[name]["node"] for name in net.graph.nodes]  # the whole network, in order
    if whole and all(node.kind == "input" for node in layers[0]):  # and the first layer its inputs (their rows)
        biases = [node.slot for node in nodes if node.kind != "input"]  # layer by layer, as the layers' nodes
        net.derived.put(LAYERS, (layers, first, biases))
        net.derived.put(SLOTS, read_only_slots(itertools.chain(range(first, first + len(pairs)), biases)))
        net.derived.put(GROUPS, groups)


def layered_network(
    widths: list[int],
    activations: list[Any],
    *,
    input_names: list[str] | None = None,
    output_names: list[str] | None = None,
    net: Any = None,
) -> tuple[Any, list[list[Node]]]:
    """A fully connected layered network with the chapter's numbering, and its layers.

    Inputs ``I1..Ip`` (or ``input_names``), hidden nodes ``H..``, outputs ``O..`` (or ``output_names``), numbered globally;
    ``activations[i]`` is the activation of layer ``i + 1``; weights and biases are 0.0.

    >>> net, layers = layered_network([2, 2, 1], ["tanh", "identity"])
    >>> [[node.name for node in layer] for layer in layers]
    [['I1', 'I2'], ['H3', 'H4'], ['O5']]
    """
    net = create_network() if net is None else net
    layers: list[list[Node]] = []
    number = 0
    for depth, width in enumerate(widths):
        layer = []
        for position in range(width):
            number += 1
            if depth == 0:
                layer.append(net.add_input(input_names[position] if input_names else f"I{number}"))
            elif depth == len(widths) - 1:
                name = output_names[position] if output_names else f"O{number}"
                layer.append(net.add_output(name, activation=activations[depth - 1], bias=0.0))
            else:
                layer.append(net.add_node(f"H{number}", activation=activations[depth - 1], bias=0.0))
        layers.append(layer)
    link_layers(net, layers)
    return net, layers


def assign_layers(layers: list[list[Node]], weights: list[Any], biases: list[Any]) -> None:
    """Set the weights and biases of :func:`layered_network`'s layers from matrices ``(n_in, n_out)`` and vectors.

    (scikit-learn's orientation: ``weights[i][row, column]`` connects input ``row`` of layer ``i`` to node
    ``column`` of layer ``i + 1``.)
    """
    for matrix, vector, targets in zip(weights, biases, layers[1:]):
        for column, node in enumerate(targets):
            for row, conn in enumerate(node.incoming):
                conn.weight = float(matrix[row][column])
            node.bias = float(vector[column])
