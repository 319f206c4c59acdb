"""The chapter's notation for weights, biases and signals.

Nodes named like the chapter (a prefix and a global number: ``I1``, ``H4``,
``O6``) give ``λ1,4`` for the weight from ``I1`` to ``H4`` and ``b4`` for the
bias of ``H4``; other names fall back to ``λ(a→b)`` and ``b(name)``.

Examples
--------
>>> weight_symbol("I1", "H4"), bias_symbol("H4")
('λ1,4', 'b4')
>>> weight_symbol("x", "hidden"), bias_symbol("hidden")
('λ(x→hidden)', 'b(hidden)')
>>> pre_symbol("H4"), derivative_symbol(pre_symbol("H4"))
('H4_in', '∂L/∂H4_in')
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = [
    "format_value",
    "node_number",
    "weight_symbol",
    "bias_symbol",
    "pre_symbol",
    "derivative_symbol",
    "weight_name",
    "bias_name",
]

_NUMBERED = re.compile(r"^[A-Za-z]+(\d+)$")


def node_number(name: str) -> str | None:
    """The chapter number of a node name (``"H4"`` -> ``"4"``), or None.

    >>> node_number("O6"), node_number("out")
    ('6', None)
    """
    match = _NUMBERED.match(name)
    return match.group(1) if match else None


def weight_symbol(source: str, target: str) -> str:
    """The chapter's symbol for the weight of a connection."""
    i, j = node_number(source), node_number(target)
    if i is not None and j is not None:
        return f"λ{i},{j}"
    return f"λ({source}→{target})"


def bias_symbol(name: str) -> str:
    """The chapter's symbol for the bias of a node."""
    number = node_number(name)
    return f"b{number}" if number is not None else f"b({name})"


def pre_symbol(name: str) -> str:
    """The chapter's symbol of a node's pre-activation signal (its output is its name).

    >>> pre_symbol("O6")
    'O6_in'
    """
    return f"{name}_in"


def derivative_symbol(symbol: str) -> str:
    """The symbol of the loss derivative with respect to ``symbol``.

    >>> derivative_symbol("λ1,4")
    '∂L/∂λ1,4'
    """
    return f"∂L/∂{symbol}"


def weight_name(source: str, target: str) -> str:
    """An ASCII parameter name for a weight, unique in a network.

    >>> weight_name("I1", "H4")
    'I1->H4'
    """
    return f"{source}->{target}"


def bias_name(name: str) -> str:
    """An ASCII parameter name for a bias, unique in a network.

    >>> bias_name("H4")
    'H4.bias'
    """
    return f"{name}.bias"


def format_value(value: Any, *, digits: int = 6) -> str:
    """Short text for a cached value: a float, a batch summary or None.

    ``digits`` is the number of significant digits.

    >>> format_value(0.420735492403948), format_value(None)
    ('0.420735', 'None')
    >>> format_value(-0.0073931, digits=2)
    '-0.0074'
    >>> import numpy as np
    >>> format_value(np.array([0.5, 0.25]))
    'array(n=2, mean=0.375)'
    """
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"array(n={value.size}, mean={float(np.mean(value)):.{digits}g})"
    return f"{value:.{digits}g}"
