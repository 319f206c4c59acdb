"""A plain-text table of a network's nodes and their caches.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([1, 1], seed=0)
>>> _ = net.forward([1.0])
>>> print(summary(net))
node  kind    activation  bias      pre       post      grad_pre  grad_post
I1    input   identity    -         1         1         None      None
O2    output  identity    0.107595  0.205222  0.205222  None      None
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .notation import format_value

if TYPE_CHECKING:
    from .structure import NetworkStructure

__all__ = ["summary"]


def summary(net: NetworkStructure) -> str:
    """A table of every node with its caches, in topological order."""
    header = ("node", "kind", "activation", "bias", "pre", "post", "grad_pre", "grad_post")
    rows = [header] + [
        (
            node.name,
            node.kind,
            node.activation,
            "-" if node.bias is None else format_value(node.bias),
            *(format_value(v) for v in (node.pre, node.post, node.grad_pre, node.grad_post)),
        )
        for node in net.nodes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    table = "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
    computed = any(node.post is not None for node in net.nodes)
    if computed and not net.passes.current():
        table += "\n(caches from before the last change of the network; run net.forward(x) for current ones)"
    return table
