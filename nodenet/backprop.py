"""The textbook: forward and backward passes written as the chapter's formulas.

Every number of the by-hand walkthrough is computed here, node by node, from
the public attributes of the objects (``conn.weight``, ``conn.source.post``,
``node.bias``, the node's activation function), so that a learner who stops
in a debugger (``net.forward(x, stop_at="H5")``) reads the formula being
computed.  The same lines serve one sample (plain floats) and a batch
(numpy arrays of shape ``(n,)``, one value per sample).

Forward, for a node with incoming connections ``λ`` from its sources::

    pre  = Σ λ · source.post + b          (the chapter's H4_in)
    post = α(pre)                         (the chapter's H4)

Backward, in reverse topological order::

    ∂L/∂post = (∂L/∂post from the loss, at an output) + Σ_outgoing λ · target.∂L/∂pre
    ∂L/∂pre  = α'(pre, post) · ∂L/∂post
    ∂L/∂λ    = mean over the batch of source.post · ∂L/∂pre
    ∂L/∂b    = mean over the batch of ∂L/∂pre

A softmax group couples its members: the group's ``post`` is computed at
its last member (in topological order), its ``∂L/∂pre`` at the same member,
the first one the backward pass visits.

The fast paths (:mod:`nodenet.fast`) compute the same numbers with fewer
Python operations; the tests hold them to these functions.

Examples
--------
>>> import numpy as np, nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> forward_pass(net, np.array([0.5, 0.2, 0.7])).round(6).tolist()
[0.099116]
>>> round(backward_pass(net, np.array([0.3]), nodenet.get_loss("l2")), 6)
0.020177
>>> round(net.connection("I1", "H4").grad_weight, 6)
-0.003697
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .conversion import input_values, output_array, per_output, zero_signal

if TYPE_CHECKING:
    from .losses import Loss
    from .node import Node
    from .structure import NetworkStructure

__all__ = [
    "forward_input",
    "forward_node",
    "forward_group",
    "backward_node",
    "backward_group",
    "batch_mean",
    "forward_pass",
    "backward_pass",
]


def forward_input(node: Node, value: Any, *, stop: bool = False) -> None:
    """An input node passes its value on: ``pre = post = x``."""
    if stop:
        breakpoint()  # stop_at: `node` is next; `n` sets its pre and post
    node.pre = value
    node.post = node.pre


def forward_node(node: Node, zero: Any = 0.0, *, stop: bool = False) -> None:
    """``pre = Σ λ · source.post + b`` and ``post = α(pre)``: the chapter's ``H4_in`` and ``H4``.

    ``zero`` is the pass's zero signal (0.0 for one sample, zeros for a batch).
    """
    if stop:
        breakpoint()  # stop_at: `node` is next; `n` runs its formula one term at a time
    pre = zero
    for conn in node.incoming:
        pre = pre + conn.weight * conn.source.post  # λ · source.post
    node.pre = pre + node.bias
    activation = node.activation_function
    if not activation.is_group:  # a softmax group's post waits for forward_group
        node.post = activation.value(node.pre)


def forward_group(members: Sequence[Node]) -> None:
    """The ``post`` of every member of a softmax group, from all their ``pre``."""
    activation = members[0].activation_function
    posts = activation.group_value([member.pre for member in members])
    for member, post in zip(members, posts):
        member.post = post


def backward_node(node: Node, loss_grad: Any = 0.0, *, stop: bool = False) -> None:
    """``∂L/∂post``, ``∂L/∂pre`` of ``node``, then ``∂L/∂λ`` of its incoming weights and ``∂L/∂b``.

    ``loss_grad`` is ``∂L/∂post`` from the loss alone (outputs; the pass's
    zero signal for the other nodes).
    """
    if stop:
        breakpoint()  # stop_at: `node` is next; `n` runs its formulas one line at a time
    activation = node.activation_function
    if not activation.is_group:  # a softmax group's gradients come from backward_group
        grad_post = loss_grad
        for conn in node.outgoing:
            grad_post = grad_post + conn.weight * conn.target.grad_pre  # one term per path onwards
        node.grad_post = grad_post
        node.grad_pre = activation.derivative(node.pre, node.post) * node.grad_post
    if node.kind == "input":
        return  # an input has no weights in and no bias
    for conn in node.incoming:
        conn.grad_weight = batch_mean(conn.source.post * node.grad_pre)
    node.grad_bias = batch_mean(node.grad_pre)


def backward_group(members: Sequence[Node], loss_grads: dict[Node, Any]) -> None:
    """``∂L/∂post`` and ``∂L/∂pre`` of every member of a softmax group (its members feed nothing)."""
    activation = members[0].activation_function
    for member in members:
        member.grad_post = loss_grads[member]
    grads = activation.group_grad_pre([m.post for m in members], [m.grad_post for m in members])
    for member, grad in zip(members, grads):
        member.grad_pre = grad


def batch_mean(value: Any) -> float:
    """The mean over the batch as a float; one sample's value is its own mean.

    >>> batch_mean(0.25), batch_mean(np.array([1.0, 2.0]))
    (0.25, 1.5)
    """
    return float(np.mean(value))


def forward_pass(net: NetworkStructure, inputs: np.ndarray, *, stop_at: Node | None = None) -> np.ndarray:
    """Every node's ``pre`` and ``post`` for checked ``inputs`` ``(p,)`` or ``(n, p)``; returns the outputs.

    Clears every gradient first: gradients of earlier signals are never
    shown as current.  ``stop_at`` calls :func:`breakpoint` just before that
    node is computed.
    """
    ticket = net.passes.begin_forward()
    net.zero_grad()
    zero = zero_signal(inputs)
    values = dict(zip(net.inputs, input_values(net, inputs)))
    group_ends = {members[-1]: members for members in net.groups().values()}
    for node in net.nodes:
        if node.kind == "input":
            forward_input(node, values[node], stop=node is stop_at)
        else:
            forward_node(node, zero, stop=node is stop_at)
        if node in group_ends:
            forward_group(group_ends[node])
    net.passes.finish_forward(ticket)
    return output_array(net)


def backward_pass(
    net: NetworkStructure,
    targets: np.ndarray,
    loss: Loss,
    *,
    stop_at: Node | None = None,
    inputs: bool = True,
) -> float:
    """Every gradient against checked ``targets``, after a current forward pass; returns the loss.

    ``inputs=False`` leaves out the input nodes' gradients, which no
    parameter needs.  ``stop_at`` calls :func:`breakpoint` just before that
    node's gradients are computed.
    """
    net.passes.require_current("backward")
    net.passes.begin_backward()
    net.zero_grad()
    predicted = output_array(net)
    value = loss.mean(predicted, targets)
    loss_grads = dict(zip(net.outputs, per_output(loss.grad(predicted, targets))))
    net.passes.record_loss(loss, targets, loss_grads)
    zero = zero_signal(predicted)
    group_ends = {members[-1]: members for members in net.groups().values()}
    for node in reversed(net.nodes):
        if node.kind == "input" and not inputs:
            continue
        if node in group_ends:
            backward_group(group_ends[node], loss_grads)
        backward_node(node, loss_grads.get(node, zero), stop=node is stop_at)
    return value
