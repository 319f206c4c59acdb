"""The exception hierarchy of nodenet.

Every error raised for bad user input derives from :class:`NodenetError` and
from the matching builtin, so ``except ValueError`` keeps working.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network()
>>> try:
...     net["H9"]
... except nodenet.NodeNotFound as err:
...     print(err)
Node 'H9' not found; the network has no nodes yet.
"""

from __future__ import annotations

__all__ = [
    "NodenetError",
    "InvalidArgument",
    "TopologyError",
    "NodeNotFound",
    "CycleError",
    "ShapeError",
    "NotComputedError",
    "DivergenceError",
    "FormatError",
    "GraphvizNotFound",
    "MissingDependency",
    "ArgumentTypeError",
    "ReadOnlyAttribute",
    "NumericalError",
    "ConcurrentUseError",
]


class NodenetError(Exception):
    """Base class of every error nodenet raises on purpose."""


class ReadOnlyAttribute(NodenetError, AttributeError):
    """An attribute that is part of the network's structure cannot be assigned."""


class InvalidArgument(NodenetError, ValueError):
    """An argument has a value nodenet cannot use (bad name, option, number)."""


class ArgumentTypeError(InvalidArgument, TypeError):
    """An argument of the wrong type (a string where a network belongs, ``None`` for a path, ...)."""


class TopologyError(NodenetError, ValueError):
    """The requested structure is not a valid feed-forward network."""


class NodeNotFound(TopologyError, LookupError):
    """A node or connection name does not exist in the network."""

    def __str__(self) -> str:  # LookupError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class CycleError(TopologyError):
    """A connection would close a cycle; the message quotes the cycle."""


class ShapeError(NodenetError, ValueError):
    """Inputs or targets have the wrong width or dimensionality."""


class NotComputedError(NodenetError, RuntimeError):
    """A value was requested before the pass that computes it ran."""


class ConcurrentUseError(NodenetError, RuntimeError):
    """A network was used by one thread while another was running a pass on it."""


class NumericalError(NodenetError, FloatingPointError):
    """A signal, gradient or parameter became NaN or infinite from finite values (overflow)."""


class DivergenceError(NumericalError):
    """The loss became NaN or infinite during training."""


class FormatError(NodenetError, ValueError):
    """A file is not a valid nodenet model file."""


class GraphvizNotFound(NodenetError, RuntimeError):
    """The Graphviz ``dot`` program, needed to draw PNG, SVG or PDF files, is missing."""


class MissingDependency(NodenetError, ImportError):
    """An optional Python package a feature needs (such as matplotlib) is not installed."""


DISTRIBUTION = "nodenet-lab"
"""The name nodenet is installed under (``pip install nodenet-lab``); the import name stays ``nodenet``.

(``nodenet`` on PyPI is an unrelated networking library.)"""


def install_hint(extra: str) -> str:
    """The command that installs an optional extra of this project.

    >>> install_hint("plot")
    "pip install 'nodenet-lab[plot]'"
    """
    return f"pip install '{DISTRIBUTION}[{extra}]'"
