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
>>> place = placements(net.nodes)[net["H4"]]
>>> place.row, place.sources, place.targets
(3, slice(0, 3, 1), slice(5, 6, 1))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

import numpy as np

if TYPE_CHECKING:
    from .node import Node

__all__ = ["Placement", "BatchSignals", "placements", "selector"]

Selector = Union[slice, np.ndarray]


def selector(indices: list[int]) -> Optional[Selector]:
    """``indices`` as a slice when they are evenly spaced and increasing, else an index array.

    >>> selector([4, 6, 8]), selector([2, 1]).tolist(), selector([])
    (slice(4, 9, 2), [2, 1], None)
    """
    if not indices:
        return None
    first, count = indices[0], len(indices)
    step = indices[1] - first if count > 1 else 1
    if step > 0 and indices == list(range(first, first + step * count, step)):
        return slice(first, first + step * (count - 1) + 1, step)
    return np.array(indices, dtype=np.intp)


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


def placements(order: list[Node]) -> dict[Node, Placement]:
    """The :class:`Placement` of every node, for nodes in topological ``order``."""
    row = {node: position for position, node in enumerate(order)}
    return {
        node: Placement(
            row[node],
            selector([row[conn.source] for conn in node._incoming]),
            selector([conn._slot for conn in node._incoming]),
            selector([row[conn.target] for conn in node._outgoing]),
            selector([conn._slot for conn in node._outgoing]),
        )
        for node in order
    }


class BatchSignals:
    """The signal matrices of one batch pass (fresh ones for every pass).

    ``pre`` and ``post`` have one row per node of the pass's order; the node
    caches ``pre`` and ``post`` are views of these rows.  ``grad_pre`` is made
    by the backward pass.  ``zero`` is the zero signal of the batch.

    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 1], seed=0)
    >>> signals = BatchSignals(placements(net.nodes), 5)
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
