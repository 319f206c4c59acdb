"""The chapter's formulas with the numbers of the current caches plugged in.

:func:`explain` reads the caches of the last forward and backward passes and
writes each computation the way the chapter does by hand: the symbols, the
numbers in their place, the result.  Derivatives follow the mathematics, not
the chapter's misprints: an identity output has the derivative 1 (the chapter
writes a sigmoid factor ``(1 − O6)·O6`` there).

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
>>> _ = net.forward([0.5, 0.2, 0.7]); _ = net.backward([0.3])
>>> print(net.explain("H4"))
H4 (hidden, sigmoid)
H4_in = λ1,4·I1 + λ2,4·I2 + λ3,4·I3 + b4 = (0.3207)(0.5000) + (-0.3031)(0.2000) + (0.3744)(0.7000) + (0.0708) = 0.4326
H4 = σ(H4_in) = σ(0.4326) = 0.6065
∂L/∂H4 = λ4,6·∂L/∂O6_in = (0.1542)(-0.2009) = -0.0310
∂L/∂H4_in = (1 − H4)·H4·∂L/∂H4 = (1 − 0.6065)(0.6065)(-0.0310) = -0.0074
∂L/∂λ1,4 = I1·∂L/∂H4_in = (0.5000)(-0.0074) = -0.0037
∂L/∂λ2,4 = I2·∂L/∂H4_in = (0.2000)(-0.0074) = -0.0015
∂L/∂λ3,4 = I3·∂L/∂H4_in = (0.7000)(-0.0074) = -0.0052
∂L/∂b4 = ∂L/∂H4_in = -0.0074
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .checks import check_int
from .conversion import sample_row
from .errors import InvalidArgument, NotComputedError
from .notation import (
    bias_symbol,
    derivative_symbol,
    function_symbol,
    latex_escape,
    markdown_escape,
    signal_symbol,
    target_symbol,
    weight_symbol,
)
from .regularization import penalty_from
from .update_formulas import UpdateRule, update_formulas, update_rule

if TYPE_CHECKING:
    from .node import Node
    from .structure import NetworkStructure as Network
    from .structure import NodeRef

__all__ = ["Explanation", "explain", "FORMATS"]

FORMATS = ("text", "markdown", "latex")
PHASES = ("forward", "backward", "update")


@dataclass(frozen=True)
class _Style:
    """How symbols and operators are written: plain text or LaTeX math."""

    latex: bool
    numbered: bool = True

    def signal(self, name: str, pre: bool = False) -> str:
        return signal_symbol(name, pre=pre, latex=self.latex)

    def weight(self, source: str, target: str) -> str:
        return weight_symbol(source, target, latex=self.latex, numbered=self.numbered)

    def bias(self, name: str) -> str:
        return bias_symbol(name, latex=self.latex, numbered=self.numbered)

    def target(self, name: str) -> str:
        return target_symbol(name, latex=self.latex, numbered=self.numbered)

    def grad(self, symbol: str) -> str:
        return derivative_symbol(symbol, latex=self.latex)

    @property
    def times(self) -> str:
        return r" \cdot " if self.latex else "·"

    @property
    def minus(self) -> str:
        return " - " if self.latex else " − "

    def function(self, name: str) -> str:
        return function_symbol(name, latex=self.latex)

    def square(self, text: str) -> str:
        return f"{text}^2" if self.latex else f"{text}²"


# One formula: the left side, the symbols and the same with numbers (each may be
# None), and the result.
Formula = tuple[str, "str | None", "str | None", float]


@dataclass(frozen=True)
class _Section:
    title: str
    text: list[Formula]
    latex: list[Formula]


class Explanation:
    """Formulas with numbers; ``str()`` gives the chosen format.

    ``.text``, ``.markdown`` and ``.latex`` give each format; Jupyter shows
    the Markdown (with LaTeX math) through ``_repr_markdown_`` and the LaTeX
    through ``_repr_latex_``.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([1, 1], seed=0)
    >>> _ = net.forward([1.0]); _ = net.backward([0.0])
    >>> print(net.explain("O2", format="latex").latex.splitlines()[2])
    O_{2}^{\\mathrm{in}} &= \\lambda_{1,2} \\cdot I_{1} + b_{2} = (0.0976)(1.0000) + (0.1076) = 0.2052 \\\\
    """

    def __init__(self, sections: list[_Section], format: str, digits: int) -> None:
        self._sections = sections
        self._format = format
        self._digits = digits

    def _line(self, formula: Formula, *, aligned: bool = False) -> str:
        lhs, *sides, value = formula
        equals = " &= " if aligned else " = "
        return lhs + equals + " = ".join([side for side in sides if side is not None] + [f"{value:.{self._digits}f}"])

    @property
    def text(self) -> str:
        """Plain text, one formula a line under a title line per node."""
        lines = []
        for section in self._sections:
            lines.append(section.title)
            lines += [self._line(formula) for formula in section.text]
        return "\n".join(lines)

    def _aligned(self, section: _Section) -> list[str]:
        return [self._line(formula, aligned=True) + " \\\\" for formula in section.latex]

    @property
    def latex(self) -> str:
        """LaTeX: one ``aligned`` block, a ``\\text{...}`` title row per node."""
        rows = []
        for section in self._sections:
            rows.append(f"&\\text{{{latex_escape(section.title)}}} \\\\")
            rows += self._aligned(section)
        return "\\begin{aligned}\n" + "\n".join(rows) + "\n\\end{aligned}"

    @property
    def markdown(self) -> str:
        """Markdown: a bold title per node, then the formulas as display math."""
        parts = []
        for section in self._sections:
            # a name's < and > as MathJax's \lt and \gt: Jupyter must never see markup in Markdown
            body = "\n".join(self._aligned(section)).replace("<", r"\lt ").replace(">", r"\gt ")
            title = markdown_escape(section.title)
            parts.append(f"**{title}**\n\n$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$")
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return getattr(self, self._format)

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.markdown

    def _repr_latex_(self) -> str:
        return "$$\n" + self.latex + "\n$$"


def explain(
    net: Network,
    name: NodeRef | None = None,
    *,
    format: str = "text",
    sample: int = 0,
    digits: int = 4,
    phase: str | None = None,
    lr: float | None = None,
    l2: float = 0.0,
    l1: float = 0.0,
    regularize_biases: bool = False,
    optimizer: Any = None,
    schedule: Any = None,
    epoch: int = 0,
) -> Explanation:
    """The forward and backward formulas of a node (or of every node) with numbers.

    Parameters
    ----------
    net : Network
        After :meth:`~nodenet.Network.forward` and :meth:`~nodenet.Network.backward`.
    name : str or Node, optional
        The node to explain; by default the whole network: every node's
        forward formulas in ``net.nodes`` order, then every node's backward
        formulas in reverse order, as the chapter walks through them.
    format : {'text', 'markdown', 'latex'}
        What ``str()`` of the result gives.
    sample : int
        Which row of a batch to show (0 for a single sample); the title
        then says ``sample 1 of n`` (counting from 1).  Weight and bias
        gradients are shown for that sample, then as the mean over the batch
        that the network's ``grad_weight`` and ``grad_bias`` hold and the
        update uses.
    digits : int
        Decimals of the numbers shown.
    phase : {'forward', 'backward', 'update'}, optional
        Only the formulas of that pass (the title then ends in ``: forward``
        or ``: backward``, as the page of :func:`nodenet.export_html` shows
        them); by default both.  ``'update'`` writes one step of gradient
        descent on the node's weights and bias, ``λ ← λ − η·∂L/∂λ``, with
        learning rate ``lr`` and, as ``fit`` takes them, the penalties
        ``l2``, ``l1`` and ``regularize_biases``.
    optimizer : Optimizer or str, optional
        For ``phase='update'``: the step of this :class:`~nodenet.SGD`
        (momentum: the velocity ``v``) or :class:`~nodenet.Adam` (``m``,
        ``v``, ``m̂``, ``v̂``, ``ε`` at step ``t``) that its next
        :meth:`~nodenet.Optimizer.update` on ``net`` takes: from the state its
        last ``update`` of this network left, or from zeros when it would
        start afresh (a new optimizer, another network, after ``fit``).
        ``lr`` defaults to the optimizer's.
    schedule : Schedule or str, optional
        With ``epoch``: the learning rate is the schedule's for that epoch
        (``η = schedule.rate(lr, epoch)``), as ``fit`` uses it.

    Returns
    -------
    Explanation

    Raises
    ------
    NotComputedError
        Before a forward or a backward pass (the message says which to call).

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> _ = net.forward([0.5, 0.2, 0.7]); _ = net.backward([0.3])
    >>> print(str(net.explain("O6")).splitlines()[3])
    ∂L/∂O6 = (O6 − y6) = (0.0991 − 0.3000) = -0.2009
    >>> net.explain("H4", format="html")
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: format must be one of text, markdown, latex; got 'html'.
    >>> print(net.explain("O6", phase="forward"))
    O6 (output, identity): forward
    O6_in = λ4,6·H4 + λ5,6·H5 + b6 = (0.1542)(0.6065) + (0.3897)(0.6110) + (-0.2325) = 0.0991
    O6 = O6_in = 0.0991
    """
    if format not in FORMATS:
        raise InvalidArgument(f"format must be one of {', '.join(FORMATS)}; got {format!r}.")
    if phase not in (None, *PHASES):
        raise InvalidArgument(f"phase must be one of {', '.join(PHASES)} (or None for both); got {phase!r}.")
    penalty = penalty_from(l2, l1, regularize_biases)
    check_int(digits, "digits", minimum=0, maximum=17)
    rule = update_rule(net, lr, penalty, optimizer, schedule, epoch, digits) if phase == "update" else None
    nodes = net.nodes if name is None else [net.node(name)]
    pick, where = _sample_picker(net, sample)
    _require_caches(net, nodes)
    if name is not None:
        plan = [(nodes[0], phase or "both")]
    else:
        plan = [(node, "forward") for node in nodes if phase in (None, "forward")]
        plan += [(node, "backward") for node in reversed(nodes) if phase in (None, "backward")]
        plan += [(node, "update") for node in nodes if phase == "update" and node.kind != "input"]
    numbers = _Numbers(pick, digits, where)
    sections = [
        _Section(
            _title(node, phase, where, rule),
            _formulas(net, node, _Style(False, net.numbered), numbers, phase, rule),
            _formulas(net, node, _Style(True, net.numbered), numbers, phase, rule),
        )
        for node, phase in plan
    ]
    return Explanation(sections, format, digits)


def _title(node: Node, phase: str, where: tuple[int, int] | None, rule: UpdateRule | None) -> str:
    title = f"{node.name} ({node.kind}, {node.activation})"
    if phase != "both":
        title += f": {phase}"
    if rule is not None and rule.note:
        title += f", {rule.note}"
    if where is not None:
        row, batch = where
        title += f", with the means over the batch of {batch}" if phase == "update" else f", sample {row + 1} of {batch}"
    return title


def _sample_picker(net: Network, sample: Any) -> tuple[Callable[[Any], float], tuple[int, int] | None]:
    """The chosen sample's value of a cache, and (row, batch size) for a batch."""
    row = sample_row(net, sample)

    def pick(value: Any) -> float:
        return float(value[row]) if row is not None and np.ndim(value) else float(value)

    return pick, None if row is None else (row, len(net.inputs[0].post))


def _require_caches(net: Network, nodes: list[Node]) -> None:
    net.passes.require_current("explain")
    if any(node.grad_post is None for node in nodes):
        raise NotComputedError(
            "explain needs the gradients of a backward pass; call net.backward(y) after net.forward(x)."
        )


@dataclass(frozen=True)
class _Numbers:
    """The chosen sample of a cache, written with ``digits`` decimals."""

    pick: Callable[[Any], float]
    digits: int
    where: tuple[int, int] | None = None

    def plain(self, value: Any) -> str:
        return f"{self.pick(value):.{self.digits}f}"

    def __call__(self, value: Any) -> str:
        return f"({self.plain(value)})"


def _formulas(net: Network, node: Node, style: _Style, num: _Numbers, phase: str, rule: UpdateRule | None) -> list[Formula]:
    if phase == "update":
        assert rule is not None
        return update_formulas(node, style, num, rule) if node.kind != "input" else []
    formulas: list[Formula] = []
    if phase in ("forward", "both"):
        formulas += _forward_formulas(net, node, style, num)
    if phase in ("backward", "both"):
        formulas += _backward_formulas(net, node, style, num)
    return formulas


def _forward_formulas(net: Network, node: Node, s: _Style, num: _Numbers) -> list[Formula]:
    me, pre = s.signal(node.name), s.signal(node.name, pre=True)
    if node.kind == "input":
        return [(me, None, None, num.pick(node.post))]
    incoming = node.incoming
    symbols = [s.weight(c.source.name, node.name) + s.times + s.signal(c.source.name) for c in incoming]
    numbers = [num(c.weight) + num(c.source.post) for c in incoming]
    total = (
        pre,
        " + ".join(symbols + [s.bias(node.name)]),
        " + ".join(numbers + [num(node.bias)]),
        num.pick(node.pre),
    )
    activation = node.activation
    post: Formula
    if activation == "identity":
        post = (me, pre, None, num.pick(node.post))
    elif node.activation_function.is_group:
        members = net.groups()[node.activation_function]
        exps = [f"exp({s.signal(m.name, pre=True)})" for m in members]
        exp_numbers = [f"exp{num(m.pre)}" for m in members]
        over = r" \big/ " if s.latex else " / "
        post = (
            me,
            f"exp({pre}){over}({' + '.join(exps)})",
            f"exp{num(node.pre)}{over}({' + '.join(exp_numbers)})",
            num.pick(node.post),
        )
    else:
        fn = s.function(activation)
        post = (me, f"{fn}({pre})", f"{fn}{num(node.pre)}", num.pick(node.post))
    return [total, post]


def _backward_formulas(net: Network, node: Node, s: _Style, num: _Numbers) -> list[Formula]:
    me, pre = s.signal(node.name), s.signal(node.name, pre=True)
    symbols, numbers = [], []
    if node in net.passes.loss_grads:
        loss_symbols, loss_numbers = _loss_term(net, node, s, num)
        symbols.append(loss_symbols)
        numbers.append(loss_numbers)
    for conn in node.outgoing:
        symbols.append(s.weight(node.name, conn.target.name) + s.times + s.grad(s.signal(conn.target.name, pre=True)))
        numbers.append(num(conn.weight) + num(conn.target.grad_pre))
    grad_post = (s.grad(me), " + ".join(symbols) or "0", " + ".join(numbers) or None, num.pick(node.grad_post))
    if node.kind == "input":
        return [grad_post]
    formulas = [grad_post, _activation_formula(net, node, s, num)]
    d_pre = s.grad(pre)
    for conn in node.incoming:
        value = num.pick(conn.source.post) * num.pick(node.grad_pre)
        symbol = s.grad(s.weight(conn.source.name, node.name))
        formulas.append((symbol, s.signal(conn.source.name) + s.times + d_pre, num(conn.source.post) + num(node.grad_pre), value))
        if num.where is not None:
            terms = [float(a) * float(b) for a, b in zip(conn.source.post, node.grad_pre)]
            formulas.append(_batch_mean(symbol, s.signal(conn.source.name) + s.times + d_pre, terms, num.pick(conn.grad_weight), s, num))
    formulas.append((s.grad(s.bias(node.name)), d_pre, None, num.pick(node.grad_pre)))
    if num.where is not None:
        formulas.append(_batch_mean(s.grad(s.bias(node.name)), d_pre, list(node.grad_pre), num.pick(node.grad_bias), s, num))
    return formulas


def _batch_mean(symbol: str, term: str, terms: list[float], mean: float, s: _Style, num: _Numbers) -> Formula:
    """``∂L/∂λ`` as the batch mean the network holds: ``(1/n)·Σ term = (a + b + … + z)/n``."""
    n = len(terms)
    shown = [num(t) for t in terms] if n <= 6 else [*(num(t) for t in terms[:3]), r"\ldots" if s.latex else "…", num(terms[-1])]
    mean_symbol = rf"\overline{{{symbol}}}" if s.latex else f"mean {symbol}"
    total = r"\sum " if s.latex else "Σ "
    return (mean_symbol, f"(1/{n}){s.times}{total}{term}", f"({' + '.join(shown)})/{n}", mean)


def _loss_term(net: Network, node: Node, s: _Style, num: _Numbers) -> tuple[str, str]:
    """The loss's own derivative at an output: ``(O6 − y6)`` for the L2 loss."""
    loss_fn, target = net.passes.loss_function, net.passes.targets
    me, y = s.signal(node.name), s.target(node.name)
    y_value = target[..., net.outputs.index(node)]
    if loss_fn.name == "l2":
        return f"({me}{s.minus}{y})", f"({num.plain(node.post)}{s.minus}{num.plain(y_value)})"
    if loss_fn.name == "cross_entropy":
        over = r" \big/ " if s.latex else "/"
        return f"(-{y}{over}{me})", f"(-{num(y_value)}{over}{num(node.post)})"
    return f"∂ℓ/∂{me}" if not s.latex else rf"\frac{{\partial \ell}}{{\partial {me}}}", num(net.passes.loss_grads[node])


def _activation_formula(net: Network, node: Node, s: _Style, num: _Numbers) -> Formula:
    """``∂L/∂pre`` from ``∂L/∂post`` through the node's own activation."""
    me, d_me, d_pre = s.signal(node.name), s.grad(s.signal(node.name)), s.grad(s.signal(node.name, pre=True))
    result = num.pick(node.grad_pre)
    activation = node.activation
    if node.activation_function.is_group:
        members = net.groups()[node.activation_function]
        inner = " + ".join(s.signal(m.name) + s.times + s.grad(s.signal(m.name)) for m in members)
        inner_numbers = " + ".join(num(m.post) + num(m.grad_post) for m in members)
        return (
            d_pre,
            f"{me}{s.times}({d_me}{s.minus}({inner}))",
            f"{num(node.post)}({num(node.grad_post)}{s.minus}({inner_numbers}))",
            result,
        )
    post = num.plain(node.post)
    # The derivative through the node's output where the chapter writes it so; else α'(pre).
    written = {
        "identity": ("1", "(1)"),
        "sigmoid": (f"(1{s.minus}{me}){s.times}{me}", f"(1{s.minus}{post}){num(node.post)}"),
        "tanh": (f"(1{s.minus}{s.square(me)})", f"(1{s.minus}{s.square(num(node.post))})"),
    }
    derivative = node.activation_function.derivative(node.pre, node.post)
    symbol, numbers = written.get(
        activation, (f"{s.function(activation)}'({s.signal(node.name, pre=True)})", num(derivative))
    )
    return d_pre, f"{symbol}{s.times}{d_me}", numbers + num(node.grad_post), result
