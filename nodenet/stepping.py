"""Forward and backward passes one node at a time.

:func:`forward_steps` and :func:`backward_steps` run the textbook's passes
(:mod:`nodenet.backprop`: the same per-node functions, the same
floating-point operations in the same order), pausing after each node to
yield a :class:`Step`.  After the last step the caches equal those of
:meth:`Network.forward <nodenet.Network.forward>` and
:meth:`Network.backward <nodenet.Network.backward>` (bitwise for one
sample, to 1e-12 for a batch, which those run through the compiled plan).

A step's terms are the products ``λ · source.post`` (forward) and
``λ · target.grad_pre`` (backward) that the step added up, one by one.

State of a partially consumed generator
---------------------------------------
``forward_steps(x)`` checks ``x`` when it is called (errors are raised by the
call, before anything changes), then clears every cache of the network
(signals and gradients).  After ``k`` steps the first ``k`` nodes of
``net.nodes`` hold this pass's ``pre`` and ``post``; every other cache is
``None``.  Until the last step is taken, :meth:`~nodenet.Network.loss`,
:meth:`~nodenet.Network.backward` and :func:`backward_steps` raise
:class:`~nodenet.NotComputedError`; an abandoned generator leaves this state.

``backward_steps(y)`` needs a completed forward pass; the call checks ``y``,
computes the loss and clears every gradient cache.  Steps visit the nodes in
reverse ``net.nodes`` order; after ``k`` steps the last ``k`` nodes hold their
``grad_post``, ``grad_pre`` and ``grad_bias`` and their incoming connections
their ``grad_weight``; every other gradient cache is ``None``.  The
generator returns the loss (``StopIteration.value``).

A structural change between steps, or a new weight or bias, stops the
generator with an error at its next step: the remaining steps would mix two
networks, and the signals of the pass are never marked current.  So does another forward or backward pass
started in between (the remaining steps would mix two passes).

Softmax outputs
---------------
Softmax couples the nodes of its group, so one step does the group's shared
work: in the forward pass each member's step computes its ``pre``, and the
step of the group's last member (in ``net.nodes`` order) also computes the
``post`` of every member; in the backward pass the step of that same node
(the first member visited) computes ``grad_post`` and ``grad_pre`` of every
member, and each member's own step its ``grad_bias`` and ``grad_weight``.
``Step.values`` lists everything a step wrote.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> for step in net.forward_steps([0.5, 0.2, 0.7]):
...     print(step)
forward I1: I1.pre = 0.5, I1.post = 0.5
forward I2: I2.pre = 0.2, I2.post = 0.2
forward I3: I3.pre = 0.7, I3.post = 0.7
forward H4: H4.pre = 0.432637, H4.post = 0.606503
forward H5: H5.pre = 0.451426, H5.post = 0.610978
forward O6: O6.pre = 0.0991164, O6.post = 0.0991164
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generator, Iterator, Mapping, Union

import numpy as np

from . import backprop
from .conversion import check_loss_fits, check_targets_fit, input_array, input_values, output_array, per_output, target_array, zero_signal
from .losses import Loss, get_loss
from .notation import format_value

if TYPE_CHECKING:
    from .freshness import Ticket
    from .node import Node
    from .structure import NetworkStructure

__all__ = ["Step", "forward_steps", "backward_steps"]

LOSS_TERM = "loss"


@dataclass(frozen=True)
class Step:
    """One node's share of a forward or backward pass.

    Attributes
    ----------
    node : Node
        The node just computed.
    phase : {'forward', 'backward'}
    values : mapping of str to float or numpy.ndarray
        Every cache the step wrote, keyed ``'H4.pre'``, ``'H4.post'``,
        ``'H4.grad_post'``, ``'H4.grad_pre'``, ``'H4.grad_bias'`` or
        ``'I1->H4.grad_weight'``.
    terms : mapping of str to float or numpy.ndarray
        The terms that were added up: forward, ``λ · source.post`` per
        incoming connection (keyed ``'I1->H4'``; ``pre`` is their sum plus the
        bias); backward, ``λ · target.grad_pre`` per outgoing connection
        (keyed ``'H4->O6'``) and, for an output, the loss derivative (keyed
        ``'loss'``; ``grad_post`` is their sum).

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 1], seed=0)
    >>> *_, last = net.forward_steps([1.0, 2.0])
    >>> last.node.name, sorted(last.terms)
    ('O3', ['I1->O3', 'I2->O3'])
    """

    node: Node
    phase: str
    values: Mapping[str, Any]
    terms: Mapping[str, Any]

    def __str__(self) -> str:
        values = ", ".join(f"{key} = {format_value(value)}" for key, value in self.values.items())
        return f"{self.phase} {self.node.name}: {values}"


def forward_steps(net: NetworkStructure, x: Any) -> Iterator[Step]:
    """Run :meth:`Network.forward` one node at a time, in ``net.nodes`` order.

    Parameters
    ----------
    net : Network
    x : array-like or mapping
        One sample or a batch, as for :meth:`Network.forward`.

    Returns
    -------
    iterator of Step
        One step per node; see the module notes for the state in between.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> steps = net.forward_steps([0.5, 0.2, 0.7])
    >>> [next(steps).node.name for _ in range(4)]
    ['I1', 'I2', 'I3', 'H4']
    >>> net["H4"].post is not None, net["H5"].post is None
    (True, True)
    """
    net.validate()
    inputs = input_array(net, x)
    with net.passes.exclusive("forward_steps"):
        net.clear_signals()
        ticket = net.passes.begin_forward()
    return _forward(net, inputs, ticket)


def _forward(net: NetworkStructure, inputs: np.ndarray, ticket: Ticket) -> Iterator[Step]:
    order = net.nodes
    zero = zero_signal(inputs)
    values = dict(zip(net.inputs, input_values(net, inputs)))
    group_ends = {members[-1]: members for members in net.groups().values()}
    for node in order:
        with net.passes.exclusive("forward_steps"):  # one step at a time; another thread's pass is refused
            step = _forward_step(net, node, order, zero, values, group_ends, ticket)
        yield step


def _forward_step(net: Any, node: Any, order: list, zero: Any, values: dict, group_ends: dict, ticket: Any) -> Step:
    net.passes.require_unchanged(ticket, "forward_steps(x)")
    if node.kind == "input":
        backprop.forward_input(node, values[node])
    else:
        backprop.forward_node(node, zero)
    written = group_ends.get(node, [] if node.activation_function.is_group else [node])
    if node in group_ends:
        backprop.forward_group(written)
    step_values = {f"{node.name}.pre": node.pre}
    step_values.update((f"{member.name}.post", member.post) for member in written)
    terms = {conn.name: conn.weight * conn.source.post for conn in node.incoming}
    if node is order[-1]:  # the pass is complete once its last step is taken
        net.passes.finish_forward(ticket)
    return Step(node, "forward", step_values, terms)


def backward_steps(net: NetworkStructure, y: Any, *, loss: Union[str, Loss] = "l2") -> Generator[Step, None, float]:
    """Run :meth:`Network.backward` one node at a time, in reverse ``net.nodes`` order.

    Parameters
    ----------
    net : Network
        With a completed forward pass.
    y : array-like or mapping
        Targets, as for :meth:`Network.backward`.
    loss : {'l2', 'cross_entropy'} or Loss

    Returns
    -------
    generator of Step
        One step per node; it returns the loss when exhausted.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> _ = net.forward([0.5, 0.2, 0.7])
    >>> first = next(net.backward_steps([0.3]))
    >>> print(first)
    backward O6: O6.grad_post = -0.200884, O6.grad_pre = -0.200884, O6.grad_bias = -0.200884, H4->O6.grad_weight = ...
    >>> dict(first.terms)
    {'loss': -0.2008836...}
    """
    net.passes.require_current("backward_steps")
    targets = target_array(net, y)
    loss_fn = get_loss(loss)
    check_loss_fits(net, loss_fn)
    check_targets_fit(net, loss_fn, targets)
    with net.passes.exclusive("backward_steps"):
        ticket = net.passes.begin_backward()
        net.zero_grad()
    predicted = output_array(net)
    value = loss_fn.mean(predicted, targets)
    loss_grads = dict(zip(net.outputs, per_output(loss_fn.grad(predicted, targets))))
    net.passes.record_loss(loss_fn, targets, loss_grads)
    return _backward(net, zero_signal(predicted), loss_grads, value, ticket)


def _backward(
    net: NetworkStructure, zero: Any, loss_grads: dict, loss_value: float, ticket: Ticket
) -> Generator[Step, None, float]:
    group_ends = {members[-1]: members for members in net.groups().values()}
    for node in reversed(net.nodes):
        with net.passes.exclusive("backward_steps"):  # one step at a time
            step = _backward_step(net, node, zero, loss_grads, group_ends, ticket)
        yield step
    return loss_value


def _backward_step(net: Any, node: Any, zero: Any, loss_grads: dict, group_ends: dict, ticket: Any) -> Step:
    net.passes.require_unchanged(ticket, "backward_steps(y)")
    written = group_ends.get(node, [] if node.activation_function.is_group else [node])
    if node in group_ends:
        backprop.backward_group(written, loss_grads)
    backprop.backward_node(node, loss_grads.get(node, zero))
    values: dict[str, Any] = {}
    for member in written:
        values[f"{member.name}.grad_post"] = member.grad_post
        values[f"{member.name}.grad_pre"] = member.grad_pre
    if node.kind != "input":
        values[f"{node.name}.grad_bias"] = node.grad_bias
    values.update((f"{conn.name}.grad_weight", conn.grad_weight) for conn in node.incoming)
    terms = {LOSS_TERM: loss_grads[node]} if node in loss_grads else {}
    terms.update((conn.name, conn.weight * conn.target.grad_pre) for conn in node.outgoing)
    return Step(node, "backward", values, terms)
