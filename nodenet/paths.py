"""Every directed path between two nodes, with its product of local derivatives.

The chapter's "accounting for multiple paths": a change of ``I1`` reaches
``O6`` along every path ``I1 → H4 → O6``, ``I1 → H5 → O6``, ...  Along one
path the change is multiplied by each connection's weight and by each
node's activation derivative ``α'(pre)``; the derivative of ``target.post``
with respect to ``source.post`` is the sum of these products over all paths.
Hence, with ``∂ℓ/∂O`` the loss's own derivative at each output ``O``
(``O − y`` for the L2 loss; it equals ``O.grad_post`` for an output that
feeds no other node), backpropagation's gradient of any node ``N`` is::

    N.grad_post = Σ_outputs O  ∂ℓ/∂O · Σ_paths N→O  product

and the gradient of a weight ``λ`` from ``A`` to ``B`` is
``A.post · B.grad_pre`` with ``B.grad_pre = α'(B) · B.grad_post``.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> _ = net.forward([0.5, 0.2, 0.7]); _ = net.backward([0.3])
>>> for path in net.paths("I1", "O6"):
...     print(path)
I1 → H4 → O6: λ1,4·σ'(H4_in)·λ4,6·identity'(O6_in) = 0.0118014
I1 → H5 → O6: λ1,5·σ'(H5_in)·λ5,6·identity'(O6_in) = 0.0498081
>>> total = sum(path.product for path in net.paths("I1", "O6"))
>>> bool(abs(total * net["O6"].grad_post - net["I1"].grad_pre) < 1e-15)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from .checks import check_int
from .errors import InvalidArgument
from .notation import format_value, function_symbol, signal_symbol, weight_symbol

if TYPE_CHECKING:
    from .node import Node
    from .structure import NetworkStructure as Network
    from .structure import NodeRef

__all__ = ["Path", "paths", "count_paths"]


@dataclass(frozen=True)
class Path:
    """One directed path and its product of local derivatives.

    Attributes
    ----------
    nodes : tuple of str
        Node names from the source to the target.
    factors : tuple of (str, float or numpy.ndarray)
        Each factor's symbol and value, in path order: the weight of each
        connection, then the activation derivative of the node it enters.
    product : float or numpy.ndarray
        ``∂ target.post / ∂ source.post`` along this path (per sample for a batch).
    """

    nodes: tuple[str, ...]
    factors: tuple[tuple[str, Any], ...]
    product: Any

    def __str__(self) -> str:
        symbols = "·".join(symbol for symbol, _ in self.factors) or "1"
        return f"{' → '.join(self.nodes)}: {symbols} = {format_value(self.product)}"


def count_paths(net: Network, source: NodeRef, target: NodeRef) -> int:
    """The number of directed paths from ``source`` to ``target``.

    Counted by dynamic programming over the topological order, without
    listing them.

    >>> import nodenet
    >>> nodenet.paths.count_paths(nodenet.Network.from_layers([2, 3, 3, 1], seed=0), "I1", "O9")
    9
    """
    src, dst = net.node(source), net.node(target)
    counts: dict[Node, int] = {src: 1}
    for node in net.nodes:
        if node is not src:
            counts[node] = sum(counts.get(conn.source, 0) for conn in node.incoming)
    return counts[dst]


def paths(net: Network, source: NodeRef, target: NodeRef, *, limit: int = 10000) -> list[Path]:
    """Every directed path from ``source`` to ``target`` with its product of derivatives.

    Parameters
    ----------
    net : Network
        After a forward pass (the activation derivatives use the caches).
    source, target : str or Node
    limit : int
        Refuse (before listing anything) when there are more paths.

    Returns
    -------
    list of Path
        In depth-first order following each node's outgoing connections.

    Raises
    ------
    InvalidArgument
        More than ``limit`` paths (the message gives the count), or a
        softmax target, whose derivative couples the outputs of its group.
    NotComputedError
        Before a forward pass.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 3, 3, 1], seed=0)
    >>> _ = net.forward([1.0, 2.0])
    >>> len(net.paths("I1", "O9"))
    9
    >>> net.paths("I1", "O9", limit=5)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: There are 9 paths from 'I1' to 'O9', more than limit=5; pass limit=9 (or more) ...
    """
    check_int(limit, "limit", minimum=1)
    src, dst = net.node(source), net.node(target)
    net.passes.require_current("paths")
    if dst.activation_function.is_group:
        raise InvalidArgument(
            f"{dst.name!r} uses {dst.activation}, whose derivative couples every node of its group; "
            f"list the paths to one of its sources ({', '.join(c.source.name for c in dst.incoming)}) instead."
        )
    count = count_paths(net, src, dst)
    if count > limit:
        raise InvalidArgument(
            f"There are {count} paths from {src.name!r} to {dst.name!r}, more than limit={limit}; "
            f"pass limit={count} (or more) to list them all, or choose nodes closer together."
        )
    leads_to_target = nx.ancestors(net.graph, dst.name) | {dst.name}
    found: list[Path] = []
    stack: list[tuple[Node, tuple[str, ...], tuple[tuple[str, Any], ...], Any]] = []
    if count:
        stack.append((src, (src.name,), (), 1.0))
    while stack:  # depth first, without recursion: paths may be long
        node, nodes, factors, product = stack.pop()
        if node is dst:
            found.append(Path(nodes, factors, product))
            continue
        for conn in reversed(node.outgoing):
            nxt = conn.target
            if nxt.name in leads_to_target:
                derivative = nxt.activation_function.derivative(nxt.pre, nxt.post)
                step = (
                    (weight_symbol(node.name, nxt.name, numbered=net.numbered), conn.weight),
                    (f"{function_symbol(nxt.activation)}'({signal_symbol(nxt.name, pre=True)})", derivative),
                )
                stack.append((nxt, nodes + (nxt.name,), factors + step, product * conn.weight * derivative))
    return found
