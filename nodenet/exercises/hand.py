"""A model of a student's calculation by hand, with the known mistakes as switches.

:func:`hand_values` walks a network the way a worksheet asks it: forward
node by node, backward in reverse, then one step of gradient descent, on
plain floats.  With no :class:`Slip` it gives nodenet's own numbers (the
tests hold it to :mod:`nodenet.backprop`, bit for bit); each slip changes one
formula, in one place or everywhere, and the change flows on to every later
number, as it does on a student's paper.  :func:`nodenet.exercises.check`
recomputes a worksheet under each slip to name the mistake behind a wrong
answer.  This module models the student; the answer key never uses it.

Examples
--------
>>> import nodenet
>>> from nodenet.exercises.hand import Quantity, Slip, hand_values
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> right = hand_values(net, [0.5, 0.2, 0.7], [0.3], lr=0.2)
>>> round(right[Quantity("new_weight", "H4", "I1")], 4)
0.3214
>>> flipped = hand_values(net, [0.5, 0.2, 0.7], [0.3], lr=0.2, slips=[Slip("update_sign")])
>>> round(flipped[Quantity("new_weight", "H4", "I1")], 4)
0.32
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, NamedTuple

import numpy as np

from ..losses import get_loss

if TYPE_CHECKING:
    from ..node import Node
    from ..structure import NetworkStructure

__all__ = ["Quantity", "Slip", "SLIP_KINDS", "hand_values", "quantity_order"]


class Quantity(NamedTuple):
    """One number of the walkthrough: ``kind`` at ``node`` (and, for a weight, from ``source``).

    Kinds: ``pre`` (``H4_in``), ``post`` (``H4``), ``grad_post`` (``∂L/∂H4``),
    ``grad_pre`` (``∂L/∂H4_in``), ``grad_weight`` (``∂L/∂λ1,4``), ``grad_bias``
    (``∂L/∂b4``), ``new_weight`` and ``new_bias`` (after one step).
    """

    kind: str
    node: str
    source: str | None = None


SLIP_KINDS = (
    "update_sign",
    "learning_rate",
    "loss_sign",
    "no_bias",
    "derivative",
    "missing_path",
    "pre_for_post",
    "wrong_weight",
)


@dataclass(frozen=True)
class Slip:
    """One mistake: its ``kind`` (one of :data:`SLIP_KINDS`) and where it happens.

    - ``update_sign``, ``learning_rate``: in every update, or in that of one parameter (``node``,
      ``source`` and ``where="weight"`` for a weight, ``node`` and ``where="bias"`` for a bias).
    - ``loss_sign``: everywhere.
    - ``no_bias``: the bias of ``node`` (or of every node when ``node`` is None) left out of ``pre``.
    - ``derivative`` at ``node``: ``other`` is ``"sigmoid"`` (a sigmoid factor at a linear node),
      ``"none"`` (left out), ``"swapped"`` (pre and post swapped in it) or another node's name
      (that node's derivative).
    - ``missing_path``: the term of the connection ``node → other`` left out of ``∂L/∂node``.
    - ``pre_for_post``: ``node``'s pre used where its post belongs, ``where`` = ``"forward"`` (its
      targets' weighted sums) or ``"gradient"`` (its outgoing weights' gradients); every node when
      ``node`` is None.
    - ``wrong_weight``: the weight of ``other`` (``"I2->H5"``) used for the connection
      ``source → node``, ``where`` = ``"forward"`` (in ``node``'s pre) or ``"backward"`` (in
      ``∂L/∂source``).
    """

    kind: str
    node: str | None = None
    source: str | None = None
    other: str | None = None
    where: str | None = None


def quantity_order(net: NetworkStructure) -> list[Quantity]:
    """Every quantity of one sample in the walkthrough's order: forward, backward, update."""
    order = []
    for node in net.nodes:
        if node.kind != "input":
            order += [Quantity("pre", node.name), Quantity("post", node.name)]
    for node in reversed(net.nodes):
        order += [Quantity("grad_post", node.name)]
        if node.kind != "input":
            order += [Quantity("grad_pre", node.name)]
            order += [Quantity("grad_weight", node.name, conn.source.name) for conn in node.incoming]
            order += [Quantity("grad_bias", node.name)]
    for node in net.nodes:
        if node.kind != "input":
            order += [Quantity("new_weight", node.name, conn.source.name) for conn in node.incoming]
            order += [Quantity("new_bias", node.name)]
    return order


class _Slips:
    """The slips of one walk, indexed by where they act."""

    def __init__(self, slips: Iterable[Slip]) -> None:
        self.kinds: dict[str, list[Slip]] = {}
        for slip in slips:
            self.kinds.setdefault(slip.kind, []).append(slip)

    def has(self, kind: str, **where: Any) -> bool:
        return any(all(getattr(slip, key) in (value, None) for key, value in where.items()) for slip in self.kinds.get(kind, ()))

    def find(self, kind: str, **where: Any) -> Slip | None:
        return next((s for s in self.kinds.get(kind, ()) if all(getattr(s, k) == v for k, v in where.items())), None)


def hand_values(
    net: NetworkStructure,
    x: Any,
    y: Any,
    *,
    lr: float,
    loss: Any = "l2",
    slips: Iterable[Slip] = (),
    given: Mapping[Quantity, float] | None = None,
) -> dict[Quantity, float]:
    """Every quantity of one sample (``x``, ``y`` in input and output order), computed by hand.

    ``slips`` are the mistakes made; ``given`` replaces computed numbers by
    the student's own as the walk goes (to see whether an answer follows
    from the student's earlier answers).
    """
    slip = _Slips(slips)
    given = given or {}
    weights = {(c.source.name, c.target.name): c.weight for c in net.connections}
    values: dict[Quantity, float] = {}

    def put(quantity: Quantity, value: float) -> float:
        values[quantity] = float(given.get(quantity, value))
        return values[quantity]

    def weight(source: str, target: str, where: str) -> float:
        wrong = slip.find("wrong_weight", node=target, source=source, where=where)
        return weights[(source, target)] if wrong is None else weights[tuple(wrong.other.split("->", 1))]  # type: ignore[union-attr]

    inputs = dict(zip(net.inputs, np.asarray(x, dtype=float).reshape(-1).tolist()))
    group_ends = {members[-1]: members for members in net.groups().values()}
    for node in net.nodes:
        if node.kind == "input":
            values[Quantity("pre", node.name)] = values[Quantity("post", node.name)] = inputs[node]
            continue
        pre = 0.0
        for conn in node.incoming:
            used = "pre" if slip.has("pre_for_post", node=conn.source.name, where="forward") else "post"
            pre = pre + weight(conn.source.name, node.name, "forward") * values[Quantity(used, conn.source.name)]
        if not slip.has("no_bias", node=node.name):
            pre = pre + (0.0 if node.bias is None else float(node.bias))
        pre = put(Quantity("pre", node.name), pre)
        activation = node.activation_function
        if not activation.is_group:
            put(Quantity("post", node.name), float(activation.value(pre)))
        if node in group_ends:
            members = group_ends[node]
            posts = activation.group_value([values[Quantity("pre", m.name)] for m in members])
            for member, post in zip(members, posts):
                put(Quantity("post", member.name), float(post))

    loss_fn = get_loss(loss)
    predicted = np.array([values[Quantity("post", o.name)] for o in net.outputs])
    loss_grads = dict(zip(net.outputs, np.asarray(loss_fn.grad(predicted, np.asarray(y, dtype=float).reshape(-1))).tolist()))
    if slip.has("loss_sign"):
        loss_grads = {node: -grad for node, grad in loss_grads.items()}
    for node in reversed(net.nodes):
        activation = node.activation_function
        if node in group_ends:
            members = group_ends[node]
            for member in members:
                put(Quantity("grad_post", member.name), loss_grads[member])
            grads = activation.group_grad_pre(
                [values[Quantity("post", m.name)] for m in members], [values[Quantity("grad_post", m.name)] for m in members]
            )
            for member, grad in zip(members, grads):
                put(Quantity("grad_pre", member.name), float(grad))
        if not activation.is_group:
            grad_post = loss_grads.get(node, 0.0)
            for conn in node.outgoing:
                if not slip.has("missing_path", node=node.name, other=conn.target.name):
                    grad_post = grad_post + weight(node.name, conn.target.name, "backward") * values[Quantity("grad_pre", conn.target.name)]
            grad_post = put(Quantity("grad_post", node.name), grad_post)
            if node.kind != "input":
                put(Quantity("grad_pre", node.name), _derivative(net, node, values, slip) * grad_post)
        if node.kind == "input":
            continue
        grad_pre = values[Quantity("grad_pre", node.name)]
        for conn in node.incoming:
            used = "pre" if slip.has("pre_for_post", node=conn.source.name, where="gradient") else "post"
            put(Quantity("grad_weight", node.name, conn.source.name), values[Quantity(used, conn.source.name)] * grad_pre)
        put(Quantity("grad_bias", node.name), grad_pre)

    for node in net.nodes:
        if node.kind == "input":
            continue
        for conn in node.incoming:
            grad = values[Quantity("grad_weight", node.name, conn.source.name)]
            put(
                Quantity("new_weight", node.name, conn.source.name),
                _step(conn.weight, grad, lr, slip, node=node.name, source=conn.source.name, where="weight"),
            )
        grad = values[Quantity("grad_bias", node.name)]
        put(
            Quantity("new_bias", node.name),
            _step((0.0 if node.bias is None else float(node.bias)), grad, lr, slip, node=node.name, where="bias"),
        )
    return values


def _step(value: float, grad: float, lr: float, slip: _Slips, **parameter: Any) -> float:
    """``λ − η·g`` as the student wrote it for one parameter (``where`` is ``weight`` or ``bias``)."""
    sign = 1.0 if slip.has("update_sign", **parameter) else -1.0
    rate = 1.0 if slip.has("learning_rate", **parameter) else lr
    return value + sign * (rate * grad)


def _derivative(net: NetworkStructure, node: Node, values: Mapping[Quantity, float], slip: _Slips) -> float:
    """``α'`` at ``node`` as the student wrote it (the activation's own derivative without a slip)."""
    pre, post = values[Quantity("pre", node.name)], values[Quantity("post", node.name)]
    wrong = slip.find("derivative", node=node.name)
    if wrong is None:
        return float(node.activation_function.derivative(pre, post))
    if wrong.other == "sigmoid":
        return (1.0 - post) * post
    if wrong.other == "none":
        return 1.0
    if wrong.other == "swapped":
        return float(node.activation_function.derivative(post, pre))
    other = net.node(wrong.other)  # type: ignore[arg-type]
    return float(other.activation_function.derivative(values[Quantity("pre", other.name)], values[Quantity("post", other.name)]))
