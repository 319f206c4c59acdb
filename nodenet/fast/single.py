"""The fast path for one sample: the textbook's float operations, without its Python overhead.

For one sample the cost of a pass is Python, not arithmetic.  This path
reads each node's connections once per structure into a :class:`Program`
(store slots and source nodes, kept in the network's derived cache) and
then runs the textbook's formulas on plain floats, reading weights and
biases straight from the parameter store.  It performs the very operations
of :mod:`nodenet.backprop` in the same order, so its results are bitwise
equal to the textbook's (the tests check it).

Examples
--------
>>> import numpy as np, nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> forward(net, np.array([0.5, 0.2, 0.7])).tolist()
[0.09911638047412785]
>>> backward(net, np.array([0.3]), nodenet.get_loss("l2"))
0.02017711429690768
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, NamedTuple

import numpy as np

from ..conversion import output_array

if TYPE_CHECKING:
    from ..activations import Activation
    from ..losses import Loss
    from ..node import Node
    from ..structure import NetworkStructure

__all__ = ["Program", "program", "forward", "backward"]


class Computed(NamedTuple):
    """One non-input node: its bias slot, its incoming (slot, source) and outgoing (slot, target) pairs."""

    node: Node
    activation: Activation
    value: Callable[[Any], Any]
    bias_slot: int
    incoming: tuple[tuple[int, Node], ...]
    outgoing: tuple[tuple[int, Node], ...]
    group: tuple[Node, ...] | None  # the members, at the last member of a softmax group


class Program(NamedTuple):
    """A network's nodes as the one-sample path walks them (kept until the structure changes)."""

    inputs: tuple[Node, ...]
    input_outgoing: tuple[tuple[Node, tuple[tuple[int, Node], ...]], ...]
    computed: tuple[Computed, ...]
    outputs: tuple[Node, ...]


def program(net: NetworkStructure) -> Program:
    """The network's :class:`Program`, from its derived cache."""
    return net.derived.get("one-sample program", lambda: _build(net))


def _build(net: NetworkStructure) -> Program:
    group_ends = {members[-1]: tuple(members) for members in net.groups().values()}
    computed = []
    for node in net.nodes:
        if node.kind == "input":
            continue
        activation = node.activation_function
        computed.append(Computed(
            node, activation, activation.value, node.slot,  # type: ignore[arg-type]
            tuple((conn.slot, conn.source) for conn in node.incoming),
            tuple((conn.slot, conn.target) for conn in node.outgoing),
            group_ends.get(node),
        ))
    outgoing = tuple((node, tuple((conn.slot, conn.target) for conn in node.outgoing)) for node in net.inputs)
    return Program(tuple(net.inputs), outgoing, tuple(computed), tuple(net.outputs))


def forward(net: NetworkStructure, inputs: np.ndarray) -> np.ndarray:
    """:func:`nodenet.backprop.forward_pass` for one checked sample ``(p,)``; returns the outputs ``(k,)``."""
    steps = program(net)
    ticket = net.passes.begin_forward()
    store = net.store
    store.clear_grads()
    item = store.values.item
    for node, value in zip(steps.inputs, inputs.tolist()):
        node.pre = node.post = value
        node.grad_pre = node.grad_post = None
    for step in steps.computed:
        node = step.node
        node.grad_pre = node.grad_post = None
        pre = 0.0
        for slot, source in step.incoming:
            pre = pre + item(slot) * source.post
        node.pre = pre + item(step.bias_slot)
        if not step.activation.is_group:
            node.post = step.value(node.pre)
        elif step.group is not None:
            for member, post in zip(step.group, step.activation.group_value([m.pre for m in step.group])):
                member.post = post
    net.passes.finish_forward(ticket)
    return np.array([node.post for node in steps.outputs])


def backward(net: NetworkStructure, targets: np.ndarray, loss: Loss, *, inputs: bool = True) -> float:
    """:func:`nodenet.backprop.backward_pass` for one sample, after a current forward pass; returns the loss.

    ``inputs=False`` leaves out the input nodes' gradients (no parameter needs them).
    """
    steps = program(net)
    net.passes.require_current("backward")
    net.passes.begin_backward()
    predicted = output_array(net)
    value = loss.mean(predicted, targets)
    loss_grads = dict(zip(steps.outputs, loss.grad(predicted, targets).tolist()))
    net.passes.record_loss(loss, targets, loss_grads)
    store = net.store
    grads, known = store.grads, store.known
    item = store.values.item
    for step in reversed(steps.computed):
        node = step.node
        if not step.activation.is_group:
            grad_post = loss_grads.get(node, 0.0)
            for slot, target in step.outgoing:
                grad_post = grad_post + item(slot) * target.grad_pre
            node.grad_post = grad_post
            node.grad_pre = step.activation.derivative(node.pre, node.post) * grad_post
        elif step.group is not None:
            members = step.group
            for member in members:
                member.grad_post = loss_grads[member]
            grads_pre = step.activation.group_grad_pre([m.post for m in members], [m.grad_post for m in members])
            for member, grad in zip(members, grads_pre):
                member.grad_pre = grad
        grad_pre = node.grad_pre
        grads[step.bias_slot] = grad_pre
        known[step.bias_slot] = True
        for slot, source in step.incoming:
            grads[slot] = source.post * grad_pre
            known[slot] = True
    if inputs:
        for node, outgoing in steps.input_outgoing:
            grad_post = 0.0
            for slot, target in outgoing:
                grad_post = grad_post + item(slot) * target.grad_pre
            node.grad_post = grad_post
            node.grad_pre = grad_post
    return value
