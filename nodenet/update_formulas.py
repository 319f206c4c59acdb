"""The update step's formulas with numbers: ``λ ← λ − η·∂L/∂λ`` for a node's weights and bias.

:func:`nodenet.explain.explain` with ``phase="update"`` writes them: plain
gradient descent with learning rate ``lr``, the L2/L1 penalties of
:mod:`nodenet.regularization`, and, when an optimizer is given, its momentum
(the velocity ``v``) or Adam terms (``m``, ``v``, ``m̂``, ``v̂``, ``ε``) from
its current state.  Each line computes its number with the optimizer's own
operations, in their order, so the last line of a parameter equals what the
optimizer's step gives.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> _ = net.forward([0.5, 0.2, 0.7]); _ = net.backward([0.3])
>>> print(net.explain("H4", phase="update", lr=0.2).text.splitlines()[1])
λ1,4 ← λ1,4 − η·∂L/∂λ1,4 = (0.3207) − (0.2000)(-0.0037) = 0.3214
>>> adam = nodenet.Adam(lr=0.01)
>>> print(*net.explain("O6", phase="update", optimizer=adam).text.splitlines()[:7], sep="\\n")
O6 (output, identity): update, Adam step t = 1: β1 = 0.9, β2 = 0.999, ε = 1e-08, η = 0.0100
g = ∂L/∂λ4,6 = -0.1218
m(λ4,6) ← β1·m(λ4,6) + (1 − β1)·g = (0.9000)(0.0000) + (0.1000)(-0.1218) = -0.0122
v(λ4,6) ← β2·v(λ4,6) + (1 − β2)·g² = (0.9990)(0.0000) + (0.0010)(-0.1218)² = 0.0000
m̂ = m(λ4,6)/(1 − β1^1) = (-0.0122)/(1 − 0.9^1) = -0.1218
v̂ = v(λ4,6)/(1 − β2^1) = (0.0000)/(1 − 0.999^1) = 0.0148
λ4,6 ← λ4,6 − η·m̂/(√v̂ + ε) = (0.1542) − (0.0100)(-0.1218)/(√(0.0148) + 1e-08) = 0.1642
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import check_int, check_number
from .errors import InvalidArgument
from .optimizers import SGD, Adam, Optimizer, get_optimizer
from .parameters import Parameters
from .schedules import get_schedule

if TYPE_CHECKING:
    from .node import Node
    from .regularization import Penalty
    from .structure import NetworkStructure

__all__ = ["UpdateRule", "update_rule", "update_formulas"]


def _sign(value: float) -> float:
    return 0.0 if value == 0 else math.copysign(1.0, value)


def _short(value: float) -> str:
    """A setting as Python writes it (``0.9``, ``1e-08``): settings are exact, not rounded."""
    return repr(float(value)) if 1e-4 <= abs(value) < 1e6 or value == 0 else f"{value:g}"


@dataclass(frozen=True)
class UpdateRule:
    """What one update step does: the epoch's learning rate, the penalty, the optimizer and its state."""

    lr: float
    penalty: Penalty | None
    optimizer: Optimizer | None = None
    state: dict[str, np.ndarray] = field(default_factory=dict)
    index: dict[Any, int] = field(default_factory=dict)
    step: int = 1
    note: str = ""


def update_rule(
    net: NetworkStructure,
    lr: Any,
    penalty: Penalty | None,
    optimizer: Any = None,
    schedule: Any = None,
    epoch: Any = 0,
    digits: int = 4,
) -> UpdateRule:
    """The checked update of ``explain(..., phase="update")``: the rate for ``epoch`` and the optimizer's state."""
    if optimizer is not None:
        optimizer = get_optimizer(optimizer, lr=lr)
        if type(optimizer) not in (SGD, Adam):
            raise InvalidArgument(
                f"explain writes the steps of SGD (with or without momentum) and Adam; got {optimizer!r}. "
                "Explain the gradients (phase='backward') and step the optimizer yourself."
            )
        lr = optimizer.lr if lr is None else lr
    if lr is None:
        raise InvalidArgument("phase='update' needs the learning rate: explain(..., phase='update', lr=0.2).")
    lr = check_number(lr, "lr (learning rate)")
    epoch = check_int(epoch, "epoch (for the schedule's learning rate)", minimum=0)
    notes = []
    if schedule is not None:
        schedule = get_schedule(schedule)
        notes.append(f"η = {schedule.rate(lr, epoch):.{digits}f}, {schedule!r} at epoch {epoch} from η0 = {_short(lr)}")
        lr = schedule.rate(lr, epoch)
    if optimizer is None:
        return UpdateRule(lr, penalty, note=", ".join(notes))
    parameters = Parameters(net)
    # the state the optimizer's next update(net) continues from: zeros when it would start afresh
    if optimizer.continues(net):
        state, started = {name: parameters.from_flat(array) for name, array in optimizer.state(len(parameters)).items()}, optimizer.steps
    else:
        state, started = {name: np.zeros(len(parameters)) for name in optimizer.state_names}, 0
    connections, biased = net.connections, [node for node in net.nodes if node.kind != "input"]
    index: dict[Any, int] = {conn: i for i, conn in enumerate(connections)}
    index.update({node: len(connections) + i for i, node in enumerate(biased)})
    if isinstance(optimizer, Adam):
        head = f"Adam step t = {started + 1}: β1 = {_short(optimizer.beta1)}, β2 = {_short(optimizer.beta2)}, ε = {_short(optimizer.eps)}"
    elif optimizer.momentum:
        head = f"{'Nesterov ' if optimizer.nesterov else ''}momentum μ = {_short(optimizer.momentum)}; v(λ) is λ's velocity"
    else:
        head = "plain gradient descent"
    if schedule is None:
        notes.append(f"η = {lr:.{digits}f}")
    return UpdateRule(lr, penalty, optimizer, state, index, started + 1, ", ".join([head, *notes]))


def _parameters(node: Node, style: Any) -> list[tuple[str, float, Any, bool, Any]]:
    """(symbol, value, gradient, penalized, owner) of the node's incoming weights, then its bias."""
    parameters: list[tuple[str, float, Any, bool, Any]] = [
        (style.weight(conn.source.name, node.name), conn.weight, conn.grad_weight, True, conn) for conn in node.incoming
    ]
    parameters.append((style.bias(node.name), (0.0 if node.bias is None else float(node.bias)), node.grad_bias, False, node))
    return parameters


def update_formulas(node: Node, style: Any, num: Any, rule: UpdateRule) -> list[tuple]:
    """The lines of one step on the node's weights, then its bias; a parameter's last line is its new value."""
    arrow, eta = (r" \leftarrow ", r"\eta") if style.latex else (" ← ", "η")
    formulas: list[tuple] = []
    penalty = rule.penalty
    for symbol, value, grad, is_weight, owner in _parameters(node, style):
        gradient, gradient_numbers, total = style.grad(symbol), num(grad), grad
        if penalty is not None and (is_weight or penalty.biases):
            terms = [(f"l2{style.times}{symbol}", num(penalty.l2) + num(value))] if penalty.l2 else []
            terms += [(f"l1{style.times}sign({symbol})", num(penalty.l1) + num(_sign(value)))] if penalty.l1 else []
            gradient = "(" + " + ".join([gradient, *(t[0] for t in terms)]) + ")"
            gradient_numbers = "(" + " + ".join([gradient_numbers, *(t[1] for t in terms)]) + ")"
            # the operations of regularization.Penalty.gradient, in order
            total = penalty.l2 * value + (penalty.l1 * _sign(value) if penalty.l1 else 0.0) + grad
        optimizer, lr = rule.optimizer, rule.lr
        if isinstance(optimizer, Adam):
            formulas += _adam(symbol, value, (gradient, gradient_numbers, total), rule, rule.index[owner], style, num)
        elif isinstance(optimizer, SGD) and optimizer.momentum:
            formulas += _momentum(symbol, value, (gradient, gradient_numbers, total), rule, rule.index[owner], style, num)
        else:
            lhs = f"{symbol}{arrow}{symbol}{style.minus}{eta}{style.times}{gradient}"
            formulas.append((lhs, None, f"{num(value)}{style.minus}{num(lr)}{gradient_numbers}", value - lr * total))
    return formulas


def _momentum(symbol: str, value: float, grad: tuple, rule: UpdateRule, i: int, style: Any, num: Any) -> list[tuple]:
    """``v ← μ·v − η·g``, then ``λ ← λ + v`` (Nesterov: ``λ ← λ + μ·v − η·g``), as SGD computes them."""
    gradient, gradient_numbers, total = grad
    optimizer, lr = rule.optimizer, rule.lr
    assert isinstance(optimizer, SGD)
    arrow, eta, mu = (r" \leftarrow ", r"\eta", r"\mu") if style.latex else (" ← ", "η", "μ")
    velocity, mu_value = float(rule.state["velocity"][i]), optimizer.momentum
    v = f"v({symbol})"
    new_velocity = mu_value * velocity - lr * total
    lines = [
        (
            f"{v}{arrow}{mu}{style.times}{v}{style.minus}{eta}{style.times}{gradient}",
            None,
            f"{num(mu_value)}{num(velocity)}{style.minus}{num(lr)}{gradient_numbers}",
            new_velocity,
        )
    ]
    if optimizer.nesterov:
        lhs = f"{symbol}{arrow}{symbol} + {mu}{style.times}{v}{style.minus}{eta}{style.times}{gradient}"
        numbers = f"{num(value)} + {num(mu_value)}{num(new_velocity)}{style.minus}{num(lr)}{gradient_numbers}"
        lines.append((lhs, None, numbers, value + mu_value * new_velocity - lr * total))
    else:
        lines.append((f"{symbol}{arrow}{symbol} + {v}", None, f"{num(value)} + {num(new_velocity)}", value + new_velocity))
    return lines


def _adam(symbol: str, value: float, grad: tuple, rule: UpdateRule, i: int, style: Any, num: Any) -> list[tuple]:
    """Adam's moments, their bias corrections and the step, in the order :class:`~nodenet.Adam` computes them."""
    gradient, gradient_numbers, g = grad
    optimizer, lr, t = rule.optimizer, rule.lr, rule.step
    assert isinstance(optimizer, Adam)
    b1, b2, eps = optimizer.beta1, optimizer.beta2, optimizer.eps
    first, second = float(rule.state["first"][i]), float(rule.state["second"][i])
    if style.latex:
        arrow, eta, beta1, beta2, m_hat, v_hat, epsilon = (
            r" \leftarrow ",
            r"\eta",
            r"\beta_1",
            r"\beta_2",
            r"\hat{m}",
            r"\hat{v}",
            r"\epsilon",
        )
        root, power = (lambda x: rf"\sqrt{{{x}}}"), (lambda base, exp: f"{base}^{{{exp}}}")
    else:
        arrow, eta, beta1, beta2, m_hat, v_hat, epsilon = " ← ", "η", "β1", "β2", "m̂", "v̂", "ε"
        root, power = (lambda x: f"√{x}"), (lambda base, exp: f"{base}^{exp}")
    m, v, dot, minus = f"m({symbol})", f"v({symbol})", style.times, style.minus
    new_first = b1 * first + (1.0 - b1) * g
    new_second = b2 * second + (1.0 - b2) * g * g
    corrected_first, corrected_second = new_first / (1.0 - b1**t), new_second / (1.0 - b2**t)
    new_value = value - (corrected_first * lr) / (math.sqrt(corrected_second) + eps)
    return [
        (f"g = {gradient}", None, gradient_numbers if gradient != style.grad(symbol) else None, g),
        (f"{m}{arrow}{beta1}{dot}{m} + (1{minus}{beta1}){dot}g", None, f"{num(b1)}{num(first)} + {num(1.0 - b1)}{num(g)}", new_first),
        (
            f"{v}{arrow}{beta2}{dot}{v} + (1{minus}{beta2}){dot}{style.square('g')}",
            None,
            f"{num(b2)}{num(second)} + {num(1.0 - b2)}{style.square(num(g))}",
            new_second,
        ),
        (f"{m_hat} = {m}/(1{minus}{power(beta1, t)})", None, f"{num(new_first)}/(1{minus}{power(_short(b1), t)})", corrected_first),
        (f"{v_hat} = {v}/(1{minus}{power(beta2, t)})", None, f"{num(new_second)}/(1{minus}{power(_short(b2), t)})", corrected_second),
        (
            f"{symbol}{arrow}{symbol}{minus}{eta}{dot}{m_hat}/({root(v_hat)} + {epsilon})",
            None,
            f"{num(value)}{minus}{num(lr)}{num(corrected_first)}/({root(num(corrected_second))} + {_short(eps)})",
            new_value,
        ),
    ]
