r"""The chapter's notation for weights, biases and signals.

Nodes named like the chapter (a prefix and a global number: ``I1``, ``H4``,
``O6``) give ``λ1,4`` for the weight from ``I1`` to ``H4``, ``b4`` for the
bias of ``H4``, ``H4_in`` for its pre-activation signal and ``y6`` for the
target of ``O6``; other names fall back to ``λ(a→b)``, ``b(name)``,
``name_in`` and ``y(name)``.  With ``latex=True`` each symbol is LaTeX
math (``\lambda_{1,4}``).

Examples
--------
>>> weight_symbol("I1", "H4"), bias_symbol("H4"), signal_symbol("H4", pre=True)
('λ1,4', 'b4', 'H4_in')
>>> weight_symbol("x", "hidden"), bias_symbol("hidden")
('λ(x→hidden)', 'b(hidden)')
>>> print(weight_symbol("I1", "H4", latex=True), signal_symbol("H4", pre=True, latex=True))
\lambda_{1,4} H_{4}^{\mathrm{in}}
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable

import numpy as np

__all__ = [
    "chapter_numbering",
    "derivative_symbol",
    "latex_escape",
    "format_value",
    "node_number",
    "weight_symbol",
    "bias_symbol",
    "signal_symbol",
    "target_symbol",
    "function_symbol",
    "weight_name",
    "markdown_escape",
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


def chapter_numbering(names: Iterable[str]) -> bool:
    """Whether the chapter's numbered symbols (``λ1,4``, ``b4``, ``y6``) can name these nodes: no number twice.

    ``I1 I2 H3`` can; ``i0, n0, n1`` cannot (``λ0,1`` would name both ``i0→n1`` and ``n0→n1``), and
    then every symbol takes the names: ``λ(i0→n1)``.

    >>> chapter_numbering(["I1", "I2", "H3", "price"]), chapter_numbering(["i0", "n0", "n1"])
    (True, False)
    """
    numbers = [number for number in map(node_number, names) if number is not None]
    return len(numbers) == len(set(numbers))


def _split(name: str) -> tuple[str, str] | None:
    """``"H4"`` -> ``("H", "4")`` for chapter-style names, else None."""
    number = node_number(name)
    return (name[: -len(number)], number) if number is not None else None


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "%": r"\%", "&": r"\&",
    "#": r"\#", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    r"""``text`` with LaTeX's special characters escaped, for node names in formulas.

    >>> print(latex_escape("out%_1"))
    out\%\_1
    """
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def derivative_symbol(symbol: str, *, latex: bool = False) -> str:
    r"""The loss derivative of a quantity: ``∂L/∂H4`` (or its LaTeX fraction).

    >>> print(derivative_symbol("H4"), derivative_symbol("H_{4}", latex=True))
    ∂L/∂H4 \frac{\partial L}{\partial H_{4}}
    """
    return rf"\frac{{\partial L}}{{\partial {symbol}}}" if latex else f"∂L/∂{symbol}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")  # active inside a line of Markdown (and $ opens math)


def markdown_escape(text: str) -> str:
    r"""``text`` shown literally in Markdown: HTML characters as entities, Markdown's own backslash-escaped.

    Jupyter renders raw HTML inside Markdown, so a node name must never reach it unescaped.

    >>> markdown_escape("<img src=x onerror=alert(1)> *H4*")
    '&lt;img src=x onerror=alert(1)&gt; \\*H4\\*'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _latex_name(name: str) -> str:
    return r"\mathrm{" + latex_escape(name) + "}"


def weight_symbol(source: str, target: str, *, latex: bool = False, numbered: bool = True) -> str:
    """The chapter's symbol for the weight of a connection (``numbered=False``: by the names).

    >>> weight_symbol("I1", "H4"), weight_symbol("I1", "H4", numbered=False), weight_symbol("x", "H4")
    ('λ1,4', 'λ(I1→H4)', 'λ(x→H4)')
    """
    i, j = (node_number(source), node_number(target)) if numbered else (None, None)
    if latex:
        if i is not None and j is not None:
            return rf"\lambda_{{{i},{j}}}"
        return rf"\lambda_{{{_latex_name(source)} \to {_latex_name(target)}}}"
    if i is not None and j is not None:
        return f"λ{i},{j}"
    return f"λ({source}→{target})"


def bias_symbol(name: str, *, latex: bool = False, numbered: bool = True) -> str:
    """The chapter's symbol for the bias of a node (``numbered=False``: by the name)."""
    number = node_number(name) if numbered else None
    if latex:
        return f"b_{{{number if number is not None else _latex_name(name)}}}"
    return f"b{number}" if number is not None else f"b({name})"


def signal_symbol(name: str, *, pre: bool = False, latex: bool = False) -> str:
    """The symbol of a node's output signal (``H4``) or pre-activation (``H4_in``).

    >>> signal_symbol("H4"), signal_symbol("hidden", pre=True), signal_symbol("O6", latex=True)
    ('H4', 'hidden_in', 'O_{6}')
    """
    if not latex:
        return f"{name}_in" if pre else name
    parts = _split(name)
    base = f"{parts[0]}_{{{parts[1]}}}" if parts else _latex_name(name)
    return base + r"^{\mathrm{in}}" if pre else base


def target_symbol(name: str, *, latex: bool = False, numbered: bool = True) -> str:
    """The symbol of an output node's target value: ``y6`` for ``O6``.

    >>> target_symbol("O6"), target_symbol("price"), target_symbol("O6", latex=True)
    ('y6', 'y(price)', 'y_{6}')
    """
    number = node_number(name) if numbered else None
    if latex:
        return f"y_{{{number if number is not None else _latex_name(name)}}}"
    return f"y{number}" if number is not None else f"y({name})"


def function_symbol(activation: str, *, latex: bool = False) -> str:
    """The symbol of an activation function: ``σ`` for the sigmoid, else its name.

    >>> print(function_symbol("sigmoid"), function_symbol("tanh"), function_symbol("sigmoid", latex=True))
    σ tanh \\sigma
    """
    if activation == "sigmoid":
        return r"\sigma" if latex else "σ"
    return rf"\operatorname{{{latex_escape(activation)}}}" if latex else activation


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


def format_value(value: Any, *, digits: int = 6, fixed: bool = False) -> str:
    """Short text for a cached value: a float, a batch summary or None.

    ``digits`` is the number of significant digits, or of decimals with ``fixed=True``.

    >>> format_value(0.420735492403948), format_value(None)
    ('0.420735', 'None')
    >>> format_value(-0.0073931, digits=2)
    '-0.0074'
    >>> import numpy as np
    >>> format_value(np.array([0.5, 0.25]))
    'array(n=2, mean=0.375)'
    >>> format_value(0.0991, digits=4, fixed=True)
    '0.0991'
    """
    kind = "f" if fixed else "g"
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"array(n={value.size}, mean={float(np.mean(value)):.{digits}{kind}})"
    return f"{value:.{digits}{kind}}"
