"""The connections of a network as arrays, for building compiled plans.

A compiled plan needs, for every connection, its weight's slot in the
parameter store and its source's position in the topological order.  Reading
them from 10^5 Connection objects takes milliseconds, so the network's
derived cache keeps an :class:`EdgeTable` until its structure changes; for
the layers of :meth:`Network.from_layers <nodenet.Network.from_layers>` the
table is written directly, without reading the objects.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([2, 2, 1], seed=0)
>>> table = EdgeTable.read(net.nodes)
>>> table.slots.tolist(), table.sources.tolist(), table.counts.tolist()
([3, 4, 5, 6, 7, 8], [0, 1, 0, 1, 2, 3], [2, 2, 2])
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from ..structure import LAYERS

if TYPE_CHECKING:
    from ..node import Node
    from ..structure import NetworkStructure

__all__ = ["EdgeTable", "edge_table"]


def edge_table(net: NetworkStructure) -> EdgeTable:
    """The network's :class:`EdgeTable`, from its derived cache.

    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 1], seed=0)
    >>> edge_table(net) is edge_table(net), edge_table(net).slots.tolist()
    (True, [1, 2])
    """
    return net.derived.get("edge table", lambda: _build(net))


def _build(net: NetworkStructure) -> EdgeTable:
    layered = net.derived.peek(LAYERS)
    if layered is not None:
        layers, first_slot, _ = layered
        return EdgeTable.layered(layers, first_slot)
    return EdgeTable.read(net.nodes)


class EdgeTable:
    """The incoming connections of the non-input nodes, node after node, as arrays.

    Attributes
    ----------
    index : dict of Node to int
        Numbers the non-input nodes in topological order.
    positions : numpy.ndarray
        Topological position of each of these nodes.
    size : int
        Number of nodes, inputs included.
    slots, sources : numpy.ndarray
        For each incoming connection (in ``node.incoming`` order, node after
        node): the store slot of its weight and its source's topological position.
    counts, starts : numpy.ndarray
        Number of incoming connections of each node, and where they start.
    """

    def __init__(self, computed: list[Node], positions: np.ndarray, size: int,
                 slots: np.ndarray, sources: np.ndarray, counts: np.ndarray, depths: np.ndarray | None = None) -> None:
        self.index = {node: i for i, node in enumerate(computed)}
        self.positions, self.size = positions, size
        self.slots, self.sources, self.counts = slots, sources, counts
        self.starts = np.concatenate(([0], np.cumsum(counts))).astype(np.intp)
        self._depths = depths  # known for layers; else computed on first use

    @classmethod
    def read(cls, order: list[Node]) -> EdgeTable:
        """The table of the nodes in topological ``order``, read from the objects."""
        position = {node: i for i, node in enumerate(order)}
        computed = [node for node in order if node.kind != "input"]
        incoming_lists = [node.incoming for node in computed]
        incoming = [conn for connections in incoming_lists for conn in connections]
        # map() with C-level getters: no Python frame per connection (large networks have 10^5)
        slots = np.fromiter(map(attrgetter("slot"), incoming), dtype=np.intp, count=len(incoming))
        sources = np.fromiter(map(position.__getitem__, map(attrgetter("source"), incoming)),
                              dtype=np.intp, count=len(incoming))
        counts = np.fromiter(map(len, incoming_lists), dtype=np.intp, count=len(computed))
        positions = np.array([position[node] for node in computed], dtype=np.intp)
        return cls(computed, positions, len(order), slots, sources, counts)

    @classmethod
    def layered(cls, layers: list[list[Node]], first_slot: int) -> EdgeTable:
        """The table of fully connected ``layers`` whose weights fill consecutive slots.

        Slots run target by target, each target's sources in order, from
        ``first_slot`` (how :meth:`Network.from_layers <nodenet.Network.from_layers>` allocates them).

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 2], seed=0)
        >>> layers = [net.nodes[:3], net.nodes[3:5], net.nodes[5:]]
        >>> first = net.connections[0].slot  # the biases came first
        >>> seeded, read = EdgeTable.layered(layers, first), EdgeTable.read(net.nodes)
        >>> all((getattr(seeded, a) == getattr(read, a)).all() for a in ("slots", "sources", "counts", "positions"))
        True
        >>> seeded.depths().tolist() == read.depths().tolist() == [-1, -1, -1, 0, 0, 1, 1]
        True
        """
        widths = [len(layer) for layer in layers]
        offsets = np.concatenate(([0], np.cumsum(widths))).tolist()
        sources = [np.tile(np.arange(offsets[depth], offsets[depth + 1]), widths[depth + 1])
                   for depth in range(len(layers) - 1)]
        counts = [np.full(widths[depth + 1], widths[depth]) for depth in range(len(layers) - 1)]
        source_array = np.concatenate(sources).astype(np.intp) if sources else np.zeros(0, dtype=np.intp)
        count_array = np.concatenate(counts).astype(np.intp) if counts else np.zeros(0, dtype=np.intp)
        computed = [node for layer in layers[1:] for node in layer]
        slots = np.arange(first_slot, first_slot + source_array.size, dtype=np.intp)
        positions = np.arange(widths[0], offsets[-1], dtype=np.intp)
        depths = np.repeat(np.arange(-1, len(layers) - 1), widths).astype(np.intp)  # layer by layer
        return cls(computed, positions, offsets[-1], slots, source_array, count_array, depths)

    def depths(self) -> np.ndarray:
        """Longest path from the inputs, per topological position: -1 for inputs, 0 for the first level.

        >>> import nodenet
        >>> EdgeTable.read(nodenet.Network.from_layers([2, 2, 1], seed=0).nodes).depths().tolist()
        [-1, -1, 0, 0, 1]
        """
        if self._depths is None:
            depth = [-1] * self.size  # Python lists: one step per connection, no numpy call per node
            sources, starts = self.sources.tolist(), self.starts.tolist()
            for i, place in enumerate(self.positions.tolist()):
                first, last = starts[i], starts[i + 1]
                depth[place] = 1 + max(map(depth.__getitem__, sources[first:last])) if last > first else 0
            self._depths = np.array(depth, dtype=np.intp)
        return self._depths

    def of(self, members: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Slots, source positions and per-member counts of the connections into ``members`` (node numbers)."""
        chosen = np.array(members, dtype=np.intp)
        counts = self.counts[chosen]
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
        picked = np.arange(int(counts.sum())) + np.repeat(self.starts[chosen] - offsets, counts)
        return self.slots[picked], self.sources[picked], counts
