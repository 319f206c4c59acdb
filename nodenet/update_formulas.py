"""The update step's formulas with numbers: ``λ ← λ − η·∂L/∂λ`` for a node's weights and bias.

:func:`nodenet.explain.explain` with ``phase="update"`` writes them (plain
gradient descent with learning rate ``lr``, and the L2/L1 penalties of
:mod:`nodenet.regularization`); the lab's update step writes the same lines.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> _ = net.forward([0.5, 0.2, 0.7]); _ = net.backward([0.3])
>>> print(net.explain("H4", phase="update", lr=0.2).text.splitlines()[1])
λ1,4 ← λ1,4 − η·∂L/∂λ1,4 = (0.3207) − (0.2000)(-0.0037) = 0.3214
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .node import Node
    from .regularization import Penalty

__all__ = ["update_formulas"]


def _sign(value: float) -> float:
    return 0.0 if value == 0 else math.copysign(1.0, value)


def update_formulas(node: Node, style: Any, num: Any, lr: float, penalty: Penalty | None) -> list[tuple]:
    """One formula per incoming weight, then the bias: the parameter after one step of gradient descent."""
    arrow, eta = (r" \leftarrow ", r"\eta") if style.latex else (" ← ", "η")
    parameters: list[tuple[str, float, Any, bool]] = [
        (style.weight(conn.source.name, node.name), conn.weight, conn.grad_weight, True) for conn in node.incoming
    ]
    parameters.append((style.bias(node.name), float(node.bias or 0.0), node.grad_bias, bool(penalty and penalty.biases)))
    formulas = []
    for symbol, value, grad, penalized in parameters:
        gradient, gradient_numbers, total = style.grad(symbol), num(grad), grad
        if penalty is not None and penalized:
            terms = [(f"l2{style.times}{symbol}", num(penalty.l2) + num(value))] if penalty.l2 else []
            terms += [(f"l1{style.times}sign({symbol})", num(penalty.l1) + num(_sign(value)))] if penalty.l1 else []
            gradient = "(" + " + ".join([gradient, *(t[0] for t in terms)]) + ")"
            gradient_numbers = "(" + " + ".join([gradient_numbers, *(t[1] for t in terms)]) + ")"
            # the operations of regularization.Penalty.gradient, in order
            total = penalty.l2 * value + (penalty.l1 * _sign(value) if penalty.l1 else 0.0) + grad
        lhs = f"{symbol}{arrow}{symbol}{style.minus}{eta}{style.times}{gradient}"
        formulas.append((lhs, None, f"{num(value)}{style.minus}{num(lr)}{gradient_numbers}", value - lr * total))
    return formulas
