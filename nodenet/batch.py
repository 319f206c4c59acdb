"""Where a batch pass of the object path keeps its signals.

On a batch of ``n`` samples every node cache is an array of shape ``(n,)``.
The object path (:meth:`Network.forward <nodenet.Network.forward>`,
:meth:`Network.backward <nodenet.Network.backward>` and the stepping
generators) still visits one node at a time, but a node's signals are rows
of matrices of shape ``(nodes, n)`` (row ``r`` belongs to the ``r``-th node of
``net.nodes``), so a node gathers its sources' signals as one block and adds
up its terms ``λ · source.post`` with one matrix-vector product instead of one
numpy call per connection.  :class:`Placement` says where a node's rows and
weights are: a slice when they are evenly spaced (layered networks), an
index array otherwise.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> place = placements(net.nodes, net._edge_table())[net["H4"]]
>>> place.row, place.sources, place.targets
(3, slice(0, 3, 1), slice(5, 6, 1))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

import numpy as np

if TYPE_CHECKING:
    from .edges import EdgeTable
    from .node import Node

__all__ = ["Placement", "BatchSignals", "placements", "selector"]

Selector = Union[slice, np.ndarray]


def selector(indices: np.ndarray) -> Optional[Selector]:
    """``indices`` as a slice when they are evenly spaced and increasing, else an index array.

    >>> selector(np.array([4, 6, 8])), selector(np.array([2, 1])).tolist(), selector(np.array([]))
    (slice(4, 9, 2), [2, 1], None)
    """
    if not indices.size:
        return None
    first, last = int(indices[0]), int(indices[-1])
    step = int(indices[1]) - first if indices.size > 1 else 1
    if step > 0 and (indices.size == 1 or (np.diff(indices) == step).all()):
        return slice(first, last + 1, step)
    return indices.astype(np.intp)


class Placement:
    """A node's row in the signal matrices, and its connections' rows and store slots.

    ``sources``/``weights_in`` select the sources' rows and the weights of the
    incoming connections (in ``node.incoming`` order), ``targets``/``weights_out``
    those of the outgoing ones; ``None`` when there is no such connection.
    """

    __slots__ = ("row", "sources", "weights_in", "targets", "weights_out")

    def __init__(self, row: int, sources: Optional[Selector], weights_in: Optional[Selector],
                 targets: Optional[Selector], weights_out: Optional[Selector]) -> None:
        self.row = row
        self.sources, self.weights_in = sources, weights_in
        self.targets, self.weights_out = targets, weights_out


def placements(order: list[Node], table: EdgeTable) -> dict[Node, Placement]:
    """The :class:`Placement` of every node of topological ``order``, from its :class:`~nodenet.edges.EdgeTable`.

    Incoming connections keep ``node.incoming`` order; outgoing ones are
    taken in the order of their targets.
    """
    starts = table.starts
    targets = np.repeat(table.positions, table.counts)  # each connection's target position
    by_source = np.argsort(table.sources, kind="stable")
    out_starts = np.searchsorted(table.sources[by_source], np.arange(len(order) + 1))
    out_targets, out_slots = targets[by_source], table.slots[by_source]
    places = {}
    for row, node in enumerate(order):
        first, last = int(out_starts[row]), int(out_starts[row + 1])
        number = table.index.get(node)
        incoming = slice(0, 0) if number is None else slice(starts[number], starts[number + 1])
        places[node] = Placement(
            row,
            selector(table.sources[incoming]),
            selector(table.slots[incoming]),
            selector(out_targets[first:last]),
            selector(out_slots[first:last]),
        )
    return places


class BatchSignals:
    """The signal matrices of one batch pass (fresh ones for every pass).

    ``pre`` and ``post`` have one row per node of the pass's order: after a
    forward pass the node caches ``pre`` and ``post`` are views of these rows
    (an input node's ``pre`` is its ``post`` row).  A backward pass that
    follows caches written elsewhere (a compiled plan, a deep copy) copies
    the nodes' ``post`` into a new ``post`` matrix and leaves ``pre`` unused.
    ``grad_pre`` is made by the backward pass; ``zero`` is the zero signal of
    the batch.

    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 1], seed=0)
    >>> signals = BatchSignals(placements(net.nodes, net._edge_table()), 5)
    >>> signals.post.shape, signals.n
    ((3, 5), 5)
    """

    __slots__ = ("places", "n", "pre", "post", "grad_pre", "zero")

    def __init__(self, places: dict[Node, Placement], n: int) -> None:
        self.places = places
        self.n = n
        self.pre = np.empty((len(places), n))
        self.post = np.empty((len(places), n))
        self.grad_pre: Optional[np.ndarray] = None
        self.zero = np.zeros(n)
