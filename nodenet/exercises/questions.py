"""The questions of a worksheet: what can be asked, its symbols, and its answer with the worked formula.

Every answer is nodenet's own number: the caches of a forward and a
backward pass (:mod:`nodenet.backprop`) and the weights after one step of
:class:`~nodenet.SGD`; every worked formula is :func:`nodenet.explain.explain`'s
line for that number.

Examples
--------
>>> import nodenet
>>> from nodenet.exercises.hand import Quantity
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> question = build_questions(net, [0.5, 0.2, 0.7], [0.3], lr=0.2, ask="all", rng=None, digits=4)[0]
>>> question.symbol, question.ascii, round(question.answer, 4)
('H4_in', 'H4_in', 0.4326)
>>> print(question.worked)
H4_in = λ1,4·I1 + λ2,4·I2 + λ3,4·I3 + b4 = (0.3207)(0.5000) + (-0.3031)(0.2000) + (0.3744)(0.7000) + (0.0708) = 0.4326
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence, cast

from ..errors import InvalidArgument
from ..io import from_dict, to_dict
from ..notation import bias_symbol, derivative_symbol, signal_symbol, weight_symbol
from ..optimizers import SGD
from .hand import Quantity, quantity_order

if TYPE_CHECKING:
    import numpy as np

    from ..network import Network

__all__ = ["Question", "PHASES", "build_questions", "symbol_of", "normalized"]

PHASES = {
    "forward": ("pre", "post"),
    "backward": ("grad_post", "grad_pre", "grad_weight", "grad_bias"),
    "update": ("new_weight", "new_bias"),
}


@dataclass(frozen=True)
class Question:
    """One blank of a worksheet and its key: the number asked, its symbols, its answer and worked formula."""

    number: int
    quantity: Quantity
    symbol: str
    latex: str
    answer: float
    worked: str
    worked_latex: str

    @property
    def ascii(self) -> str:
        """The symbol in plain ASCII, as an answers file may write it (``dL/dw1,4``, ``new w1,4``)."""
        return self.symbol.replace("∂", "d").replace("λ", "w").replace("→", "->")


def symbol_of(quantity: Quantity, net: Any, *, latex: bool = False) -> str:
    """The chapter's symbol of a quantity: ``H4_in``, ``∂L/∂λ1,4``, ``new λ1,4``."""
    kind, node, source = quantity
    numbered = net.numbered
    if kind in ("pre", "post", "grad_post", "grad_pre"):
        symbol = signal_symbol(node, pre=kind in ("pre", "grad_pre"), latex=latex)
        return derivative_symbol(symbol, latex=latex) if kind.startswith("grad") else symbol
    parameter = (
        weight_symbol(source, node, latex=latex, numbered=numbered)  # type: ignore[arg-type]
        if kind.endswith("weight")
        else bias_symbol(node, latex=latex, numbered=numbered)
    )
    if kind.startswith("grad"):
        return derivative_symbol(parameter, latex=latex)
    return rf"{parameter}^{{\mathrm{{new}}}}" if latex else f"new {parameter}"


def normalized(key: str) -> str:
    """A symbol as answers may spell it, made comparable: no spaces, ``∂``→``d``, ``λ``/``lambda``→``w``."""
    text = unicodedata.normalize("NFKC", str(key)).strip().strip("`*$")
    text = re.sub(r"\s+", "", text).replace("∂", "d").replace("λ", "w").replace("→", "->").replace("−", "-")
    return text.replace("lambda", "w").replace("\\", "")


def _nodenet_values(net: Network, x: Any, y: Any, lr: float, loss: str) -> dict[Quantity, float]:
    """Every quantity as nodenet computes it: the passes' caches, then one SGD step on a copy."""
    net.forward(x)
    net.backward(y, loss=loss)
    values: dict[Quantity, float] = {}
    for node in net.nodes:
        for kind in ("pre", "post", "grad_post", "grad_pre"):
            if node.kind != "input" or kind == "grad_post":
                values[Quantity(kind, node.name)] = float(getattr(node, kind))
        if node.kind != "input":
            values[Quantity("grad_bias", node.name)] = float(node.grad_bias)  # type: ignore[arg-type]
            for conn in node.incoming:
                values[Quantity("grad_weight", node.name, conn.source.name)] = float(conn.grad_weight)  # type: ignore[arg-type]
    stepped = cast("Network", from_dict(to_dict(net)))
    stepped.forward(x)
    stepped.backward(y, loss=loss)
    SGD(lr=lr).update(stepped)
    for conn in stepped.connections:
        values[Quantity("new_weight", conn.target.name, conn.source.name)] = conn.weight
    for node in stepped.nodes:
        if node.kind != "input":
            values[Quantity("new_bias", node.name)] = float(node.bias)  # type: ignore[arg-type]
    return values


def _worked(net: Network, lr: float, digits: int) -> dict[Quantity, tuple[str, str]]:
    """explain's line (text and LaTeX) for every quantity, in the order explain writes them."""
    worked: dict[Quantity, tuple[str, str]] = {}
    for node in net.nodes:
        for phase, kinds in (("forward", ["pre", "post"]), ("backward", ["grad_post", "grad_pre"]), ("update", [])):
            if node.kind == "input" and phase != "backward":
                continue
            quantities = [Quantity(kind, node.name) for kind in kinds] if node.kind != "input" else [Quantity("grad_post", node.name)]
            if phase != "forward" and node.kind != "input":
                kind = "grad" if phase == "backward" else "new"
                quantities += [Quantity(f"{kind}_weight", node.name, c.source.name) for c in node.incoming]
                quantities.append(Quantity(f"{kind}_bias", node.name))
            explanation = net.explain(node, phase=phase, lr=lr if phase == "update" else None, digits=digits)
            texts = explanation.text.splitlines()[1:]
            latexes = [row.replace(" &= ", " = ").removesuffix(" \\\\") for row in explanation.latex.splitlines()[2:-1]]
            worked.update(zip(quantities, zip(texts, latexes)))
    return worked


def build_questions(
    net: Network, x: Any, y: Any, *, lr: float, ask: Any, rng: np.random.Generator | None, digits: int, loss: str = "l2"
) -> list[Question]:
    """The questions ``ask`` chooses, numbered in the walkthrough's order, with nodenet's answers."""
    order = [q for q in quantity_order(net)]
    chosen = _choose(net, order, ask, rng)
    values = _nodenet_values(net, x, y, lr, loss)
    worked = _worked(net, lr, digits)
    return [Question(i, q, symbol_of(q, net), symbol_of(q, net, latex=True), values[q], *worked[q]) for i, q in enumerate(chosen, start=1)]


def _choose(net: Network, order: list[Quantity], ask: Any, rng: np.random.Generator | None) -> list[Quantity]:
    """``ask``: ``"all"``, a phase, a list of phases or symbols, or a number of questions drawn with ``rng``."""
    if isinstance(ask, bool) or ask is None:
        raise InvalidArgument(f"ask must be 'all', a phase, a list of phases or symbols, or a number; got {ask!r}.")
    if isinstance(ask, numbers.Integral):
        ask = int(ask)
        if not 1 <= ask <= len(order):
            raise InvalidArgument(f"ask={ask} questions: this network has 1 to {len(order)} quantities to ask.")
        picked = sorted(rng.choice(len(order), size=ask, replace=False)) if rng is not None else range(ask)
        return [order[i] for i in picked]
    if not isinstance(ask, (str, list, tuple)):
        raise InvalidArgument(f"ask must be 'all', a phase, a list of phases or symbols, or a number; got {ask!r}.")
    items: Sequence[Any] = [ask] if isinstance(ask, str) else ask
    by_symbol = {normalized(symbol_of(q, net)): q for q in order}
    wanted: set[Quantity] = set()
    for item in items:
        if not isinstance(item, str):
            raise InvalidArgument(f"ask's items must be phases or symbols (str); got {item!r}.")
        if item == "all":
            wanted.update(order)
        elif item in PHASES:
            wanted.update(q for q in order if q.kind in PHASES[item])
        elif normalized(item) in by_symbol:
            wanted.add(by_symbol[normalized(item)])
        else:
            examples = ", ".join(symbol_of(q, net) for q in order[:2] + order[-1:])
            raise InvalidArgument(
                f"ask={item!r} is neither 'all', a phase ({', '.join(PHASES)}) nor a symbol of this network (e.g. {examples})."
            )
    if not wanted:
        raise InvalidArgument("ask chose no question; ask for 'all', a phase or at least one symbol such as 'H4_in'.")
    return [q for q in order if q in wanted]
