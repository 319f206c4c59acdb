"""The known mistakes of backpropagation by hand: where each can happen, in words, and as a formula.

:func:`candidates` lists every :class:`~nodenet.exercises.hand.Slip` a
network allows, the most common first; :func:`describe` says one in words;
:func:`formula` writes the formula a student who made it probably used,
with the numbers, at the place where it acts (:func:`sites`).

Examples
--------
>>> import nodenet
>>> from nodenet.exercises.hand import Slip
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> describe(Slip("derivative", node="O6", other="sigmoid"), net)
'a sigmoid factor (1 − O6)·O6 at O6, whose activation (identity) has the derivative 1'
>>> len(candidates(net)) > 20
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping

from ..notation import bias_symbol, derivative_symbol, signal_symbol, target_symbol, weight_symbol
from .hand import Quantity, Slip

if TYPE_CHECKING:
    from ..structure import NetworkStructure

__all__ = ["MISTAKES", "candidates", "describe", "sites", "formula"]

MISTAKES = {
    "update_sign": "the sign of the update flipped (λ + η·∂L/∂λ)",
    "learning_rate": "the learning rate left out of the update (λ − ∂L/∂λ)",
    "loss_sign": "the sign of the loss derivative flipped (y − ŷ for ŷ − y)",
    "no_bias": "a bias forgotten in a weighted sum",
    "derivative": "the wrong activation derivative (another node's, a sigmoid factor at a linear node, or none)",
    "missing_path": "a path left out of a sum over several outgoing connections",
    "pre_for_post": "the pre-activation used where the post-activation belongs",
    "wrong_weight": "the wrong weight (a wrong index)",
}
"""Each mistake :func:`nodenet.exercises.check` can name, in a few words."""


def _weight(net: NetworkStructure, source: str, target: str) -> str:
    return weight_symbol(source, target, numbered=net.numbered)


def candidates(net: NetworkStructure) -> list[Slip]:
    """Every slip of ``net``, one place at a time, systematic ones first, the rarer ones last."""
    hidden = [node for node in net.nodes if node.kind != "input"]
    found = [Slip("update_sign"), Slip("learning_rate"), Slip("loss_sign"), Slip("no_bias")]
    found += [Slip("no_bias", node=node.name) for node in hidden]
    elementwise = [node for node in hidden if not node.activation_function.is_group]
    found += [Slip("derivative", node=n.name, other="sigmoid") for n in elementwise if n.activation == "identity"]
    found += [Slip("derivative", node=n.name, other="none") for n in elementwise if n.activation != "identity"]
    found += [
        Slip("missing_path", node=node.name, other=conn.target.name)
        for node in net.nodes
        if len(node.outgoing) + (node in net.outputs) > 1
        for conn in node.outgoing
    ]
    for kind in ("update_sign", "learning_rate"):
        for node in hidden:
            found += [Slip(kind, node=node.name, source=conn.source.name, where="weight") for conn in node.incoming]
            found.append(Slip(kind, node=node.name, where="bias"))
    sources = [node for node in hidden if node.outgoing]
    for where in ("gradient", "forward"):
        found += [Slip("pre_for_post", where=where)] if sources else []
        found += [Slip("pre_for_post", node=node.name, where=where) for node in sources] if len(sources) > 1 else []
    found += [Slip("derivative", node=n.name, other="swapped") for n in elementwise if n.activation != "identity"]
    found += [Slip("derivative", node=n.name, other=m.name) for n in elementwise for m in elementwise if m is not n]
    for conn in net.connections:
        ends = {conn.source, conn.target}
        for other in net.connections:
            if other is not conn and ends & {other.source, other.target}:
                name = f"{other.source.name}->{other.target.name}"
                found.append(Slip("wrong_weight", node=conn.target.name, source=conn.source.name, other=name, where="forward"))
                found.append(Slip("wrong_weight", node=conn.target.name, source=conn.source.name, other=name, where="backward"))
    return found


def describe(slip: Slip, net: NetworkStructure) -> str:
    """The mistake in words, with the symbols of ``net``."""
    kind, node = slip.kind, slip.node
    if kind in ("update_sign", "learning_rate"):
        return _describe_update(slip, net)
    if kind == "loss_sign":
        return "the loss derivative has the wrong sign: (y − ŷ) where it is (ŷ − y)"
    if kind == "no_bias":
        if node is None:
            return "the biases are left out of the weighted sums"
        return f"the bias {bias_symbol(node, numbered=net.numbered)} is left out of {signal_symbol(node, pre=True)}"
    if kind == "derivative":
        return _describe_derivative(slip, net)
    if kind == "missing_path":
        term = f"{_weight(net, node, slip.other)}·{derivative_symbol(signal_symbol(slip.other, pre=True))}"  # type: ignore[arg-type]
        return f"the path through {slip.other} is missing from {derivative_symbol(signal_symbol(node))}: the term {term} is left out"  # type: ignore[arg-type]
    if kind == "pre_for_post":
        who = (
            f"{signal_symbol(node, pre=True)} is used where {signal_symbol(node)} belongs"
            if node
            else "pre-activations are used where post-activations belong"
        )  # noqa: E501
        place = "in the weighted sums of the next nodes" if slip.where == "forward" else "in the gradients of the outgoing weights (∂L/∂λ)"
        return f"{who} {place}"
    # wrong_weight
    source, target = slip.other.split("->", 1)  # type: ignore[union-attr]
    used, meant = _weight(net, source, target), _weight(net, slip.source, node)  # type: ignore[arg-type]
    place = signal_symbol(node, pre=True) if slip.where == "forward" else derivative_symbol(signal_symbol(slip.source))  # type: ignore[arg-type]
    return f"{used} is used where {meant} belongs, in {place} (a wrong index)"


def _describe_update(slip: Slip, net: NetworkStructure) -> str:
    if slip.where is None:
        which, symbol = "the update", "λ"
    else:
        symbol = _weight(net, slip.source, slip.node) if slip.where == "weight" else bias_symbol(slip.node, numbered=net.numbered)  # type: ignore[arg-type]
        which = f"the update of {symbol}"
    grad = derivative_symbol(symbol)
    if slip.kind == "update_sign":
        return f"{which} adds the gradient step: {symbol} + η·{grad} where descent is {symbol} − η·{grad}"
    return f"the learning rate η is left out of {which}: {symbol} − {grad} where it is {symbol} − η·{grad}"


def _describe_derivative(slip: Slip, net: NetworkStructure) -> str:
    node = net.node(slip.node)  # type: ignore[arg-type]
    me = signal_symbol(node.name)
    if slip.other == "sigmoid":
        return f"a sigmoid factor (1 − {me})·{me} at {node.name}, whose activation ({node.activation}) has the derivative 1"
    if slip.other == "none":
        return (
            f"the activation derivative at {node.name} is left out: {derivative_symbol(me)} is used where "
            f"{derivative_symbol(signal_symbol(node.name, pre=True))} belongs"
        )
    if slip.other == "swapped":
        return f"the derivative of {node.activation} at {node.name} is evaluated with {signal_symbol(node.name, pre=True)} and {me} swapped"
    return f"the activation derivative of {slip.other} is used at {node.name}"


def sites(slip: Slip, net: NetworkStructure) -> list[Quantity]:
    """The quantities the slip changes first (the others change because these did)."""
    kind, node = slip.kind, slip.node
    if kind in ("update_sign", "learning_rate") and slip.where is not None:
        return [Quantity("new_weight", node, slip.source) if slip.where == "weight" else Quantity("new_bias", node)]  # type: ignore[arg-type]
    if kind in ("update_sign", "learning_rate"):
        return [q for n in net.nodes if n.kind != "input" for q in _updates(n.name, [c.source.name for c in n.incoming])]
    if kind == "loss_sign":
        return [Quantity("grad_post", output.name) for output in net.outputs]
    if kind == "no_bias":
        return [Quantity("pre", n.name) for n in net.nodes if n.kind != "input" and node in (None, n.name)]
    if kind == "derivative":
        return [Quantity("grad_pre", node)]  # type: ignore[arg-type]
    if kind == "missing_path":
        return [Quantity("grad_post", node)]  # type: ignore[arg-type]
    if kind == "pre_for_post":
        kind_of = "pre" if slip.where == "forward" else "grad_weight"
        return [
            Quantity(kind_of, c.target.name, c.source.name if kind_of == "grad_weight" else None)
            for c in net.connections
            if c.source.kind != "input" and node in (None, c.source.name)
        ]
    return [Quantity("pre", node)] if slip.where == "forward" else [Quantity("grad_post", slip.source)]  # type: ignore[arg-type]


def _updates(node: str, sources: list[str]) -> list[Quantity]:
    return [*(Quantity("new_weight", node, s) for s in sources), Quantity("new_bias", node)]


def formula(
    slip: Slip, quantity: Quantity, net: NetworkStructure, values: Mapping[Quantity, float], *, lr: float, digits: int, loss: str = "l2"
) -> str:
    """The formula the student probably used for ``quantity`` (a site of ``slip``), with their numbers."""

    def n(value: float) -> str:
        return f"({value:.{digits}f})"

    result = f" = {values[quantity]:.{digits}f}"
    kind, node = quantity.kind, quantity.node
    if kind in ("new_weight", "new_bias"):
        symbol = _weight(net, quantity.source, node) if kind == "new_weight" else bias_symbol(node, numbered=net.numbered)  # type: ignore[arg-type]
        old = net.connection(quantity.source, node).weight if kind == "new_weight" else float(net.node(node).bias)  # type: ignore[arg-type]
        grad = values[Quantity("grad_weight" if kind == "new_weight" else "grad_bias", node, quantity.source)]
        sign = "+" if slip.kind == "update_sign" else "−"
        rate = ("", "") if slip.kind == "learning_rate" else ("η·", n(lr))
        return f"{symbol} {sign} {rate[0]}{derivative_symbol(symbol)} = {n(old)} {sign} {rate[1]}{n(grad)}{result}"
    if kind == "pre":
        target = net.node(node)
        symbols, numbers = [], []
        for conn in target.incoming:
            wrong = slip.kind == "wrong_weight" and slip.source == conn.source.name and slip.where == "forward"
            source, dest = slip.other.split("->", 1) if wrong else (conn.source.name, node)  # type: ignore[union-attr]
            used = "pre" if slip.kind == "pre_for_post" and slip.node in (None, conn.source.name) else "post"
            symbols.append(f"{_weight(net, source, dest)}·{signal_symbol(conn.source.name, pre=used == 'pre')}")
            numbers.append(f"{n(net.connection(source, dest).weight)}{n(values[Quantity(used, conn.source.name)])}")
        if slip.kind != "no_bias":
            symbols.append(bias_symbol(node, numbered=net.numbered))
            numbers.append(n((0.0 if target.bias is None else float(target.bias))))
        return f"{signal_symbol(node, pre=True)} = {' + '.join(symbols)} = {' + '.join(numbers)}{result}"
    if kind == "grad_post":
        return _grad_post_formula(slip, quantity, net, values, n, loss) + result
    if kind == "grad_pre":
        me = signal_symbol(node)
        factor = {"sigmoid": f"(1 − {me})·{me}", "none": "", "swapped": f"α'({me} for {signal_symbol(node, pre=True)})"}.get(
            slip.other or "", f"α'({slip.other})"
        )
        grad_post = values[Quantity("grad_post", node)]
        derivative = values[quantity] / grad_post if grad_post else 0.0  # the factor the student used
        shown = f"{n(derivative)}{n(grad_post)}" if factor else n(grad_post)
        lhs = derivative_symbol(signal_symbol(node, pre=True))
        return f"{lhs} = {factor + '·' if factor else ''}{derivative_symbol(me)} = {shown}{result}"
    # grad_weight with a pre-activation for a post-activation
    source = quantity.source
    return (
        f"{derivative_symbol(_weight(net, source, node))} = {signal_symbol(source, pre=True)}·"  # type: ignore[arg-type]
        f"{derivative_symbol(signal_symbol(node, pre=True))} = {n(values[Quantity('pre', source)])}"  # type: ignore[arg-type]
        f"{n(values[Quantity('grad_pre', node)])}{result}"
    )


def _grad_post_formula(
    slip: Slip, quantity: Quantity, net: NetworkStructure, values: Mapping[Quantity, float], n: Callable[[float], str], loss: str
) -> str:
    """``∂L/∂post`` as the student summed it: the loss's term at an output, then one term per path used."""
    node = net.node(quantity.node)
    symbols, numbers, terms = [], [], 0.0
    for conn in node.outgoing:
        if slip.kind == "missing_path" and slip.other == conn.target.name:
            continue
        wrong = slip.kind == "wrong_weight" and slip.source == node.name and slip.node == conn.target.name and slip.where == "backward"
        source, dest = slip.other.split("->", 1) if wrong else (node.name, conn.target.name)  # type: ignore[union-attr]
        weight, grad = net.connection(source, dest).weight, values[Quantity("grad_pre", conn.target.name)]
        symbols.append(f"{_weight(net, source, dest)}·{derivative_symbol(signal_symbol(conn.target.name, pre=True))}")
        numbers.append(f"{n(weight)}{n(grad)}")
        terms = terms + weight * grad
    if node in net.outputs:
        me, y = signal_symbol(node.name), target_symbol(node.name, numbered=net.numbered)
        first, second = (y, me) if slip.kind == "loss_sign" else (me, y)
        symbols.insert(0, f"({first} − {second})" if loss == "l2" else f"∂ℓ/∂{me}")
        numbers.insert(0, n(values[quantity] - terms))
    return f"{derivative_symbol(signal_symbol(node.name))} = {' + '.join(symbols) or '0'} = {' + '.join(numbers) or '0'}"
