"""Structural findings about a network that computes but may not be what was meant.

:meth:`Network.validate <nodenet.Network.validate>` raises only on what cannot
be computed; :func:`lint` reports the rest:

``unused-input``
    an input node that feeds nothing: its column of ``x`` is ignored.
``dead-node``
    a hidden node (or an input that feeds something) with no path to any
    output: its value never reaches the loss and its gradients stay 0.
``no-incoming``
    a hidden node without incoming connections: its signal is its bias alone.
``unreachable``
    an output, or a hidden node with incoming connections, that no input
    reaches: its signal does not depend on ``x``.
``output-feeds``
    an output node that feeds other nodes: its ``grad_post`` adds the loss
    term and the terms of its outgoing connections (allowed, worth knowing).
``ambiguous-symbol``
    nodes whose names carry the same chapter number (``H4`` and ``O4``):
    ``b4`` and ``λ1,4`` no longer say which node they belong to in
    explanations and diagrams.  Reported after the per-node findings.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([2, 1], seed=0)
>>> _ = net.add_node("H9"); _ = net.connect("I1", "H9")
>>> for finding in net.lint():
...     print(finding)
dead-node (H9): 'H9' has no path to an output; its value never reaches the loss. Connect it towards an output or ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from .notation import node_number

if TYPE_CHECKING:
    from .structure import NetworkStructure as Network

__all__ = ["Finding", "lint", "CODES"]

CODES = ("unused-input", "dead-node", "no-incoming", "unreachable", "output-feeds", "ambiguous-symbol")


@dataclass(frozen=True)
class Finding:
    """One lint finding: a code from ``CODES``, a message and the nodes involved."""

    code: str
    message: str
    nodes: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.code} ({', '.join(self.nodes)}): {self.message}"


def lint(net: Network) -> list[Finding]:
    """Report unused inputs, dead, bias-only and unreachable nodes, outputs that feed others.

    Per-node findings come in ``net.nodes`` order, at most one per node,
    then one ``ambiguous-symbol`` finding per shared chapter number.

    Parameters
    ----------
    net : Network

    Returns
    -------
    list of Finding
        Empty for a network without any of these findings.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network()
    >>> _ = net.add_input("I1"); _ = net.add_input("I2"); _ = net.add_output("O3")
    >>> _ = net.connect("I1", "O3")
    >>> [(f.code, f.nodes) for f in net.lint()]
    [('unused-input', ('I2',))]
    """
    graph = net.graph
    from_inputs = _reach(graph, [node.name for node in net.inputs], nx.descendants)
    to_outputs = _reach(graph, [node.name for node in net.outputs], nx.ancestors)
    findings = []
    for node in net.nodes:
        name = node.name
        if node.kind == "input" and not node.outgoing:
            findings.append(
                Finding("unused-input", f"Input {name!r} feeds no node; its column of x is ignored. "
                        "Connect it or remove it.", (name,))
            )
        elif node.kind != "output" and name not in to_outputs:
            findings.append(
                Finding("dead-node", f"{name!r} has no path to an output; its value never reaches the loss. "
                        "Connect it towards an output or remove it.", (name,))
            )
        elif node.kind == "hidden" and not node.incoming:
            findings.append(
                Finding("no-incoming", f"Hidden node {name!r} has no incoming connections; its signal is its "
                        "bias alone. Connect an input or an earlier node to it.", (name,))
            )
        elif node.kind != "input" and name not in from_inputs:
            sources = tuple(conn.source.name for conn in node.incoming)
            findings.append(
                Finding("unreachable", f"No input reaches {name!r}; its signal does not depend on x. "
                        "Connect it to a node that an input reaches.", (name, *sources))
            )
        elif node.kind == "output" and node.outgoing:
            targets = tuple(conn.target.name for conn in node.outgoing)
            findings.append(
                Finding("output-feeds", f"Output {name!r} also feeds {', '.join(targets)}; its gradient adds "
                        "the loss term and the terms of these connections.", (name, *targets))
            )
    numbered: dict[str, list[str]] = {}
    for node in net.nodes:
        number = node_number(node.name)
        if number is not None:
            numbered.setdefault(number, []).append(node.name)
    for number, names in numbered.items():
        if len(names) > 1:
            findings.append(
                Finding("ambiguous-symbol", f"{' and '.join(map(repr, names))} share the chapter number {number}, "
                        f"so symbols such as b{number} are ambiguous; number nodes globally (e.g. from_layers does).",
                        tuple(names))
            )
    return findings


def _reach(graph: nx.DiGraph, starts: list[str], direction: object) -> set[str]:
    """``starts`` and every node reached from them along ``direction``."""
    reached = set(starts)
    for name in starts:
        reached |= direction(graph, name)  # type: ignore[operator]
    return reached
