"""Forward and backward passes one node at a time.

:func:`forward_steps` and :func:`backward_steps` run the very computation of
:meth:`Network.forward <nodenet.Network.forward>` and
:meth:`Network.backward <nodenet.Network.backward>` (the same per-node
methods, the same floating-point operations in the same order), pausing
after each node to yield a :class:`Step`.  After the last step the caches
equal those the plain passes leave.

A step's terms are the products ``λ · source.post`` (forward) and
``λ · target.grad_pre`` (backward).  For one sample the pass adds exactly
these numbers, one by one; for a batch it adds them with one matrix-vector
product (:mod:`nodenet.batch`), so their sum matches the cache up to
floating-point rounding.

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

A structural change between steps (or, while stepping backward, a new weight
or bias) stops the generator with an error at its next step: the remaining
steps would mix two networks.  So does another forward or backward pass
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

from .errors import NotComputedError, TopologyError
from .notation import format_value

if TYPE_CHECKING:
    from .losses import Loss
    from .network import Network
    from .node import Node

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


def forward_steps(net: Network, x: Any) -> Iterator[Step]:
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
    signals, inputs = net._start_forward(x)
    order = net.nodes
    for node in order:
        node.pre = node.post = None
    net.zero_grad()
    return _forward(net, order, signals, inputs, net._version, net._passes)


def _forward(net: Network, order: list[Node], signals: Any, inputs: dict, version: int, passes: int) -> Iterator[Step]:
    for position, node in enumerate(order, start=1):
        _require_structure(net, version, "forward_steps(x)")
        _require_own_pass(net, passes, "forward_steps(x)")
        net._forward_node(node, signals, inputs)
        values = {f"{node.name}.pre": node.pre}
        values.update((f"{member.name}.post", member.post) for member in _written(net, node))
        incoming = {conn.name: _term(conn.weight, conn.source.post) for conn in node._incoming}
        if position == len(order):  # the pass is complete once its last step is taken
            net._signals_computed()
        yield Step(node, "forward", values, incoming)


def backward_steps(net: Network, y: Any, *, loss: Union[str, Loss] = "l2") -> Generator[Step, None, float]:
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
    backward O6: O6.grad_post = -0.200884, O6.grad_pre = -0.200884, O6.grad_bias = -0.200884, H4->O6.grad_weight = -0.121837, H5->O6.grad_weight = -0.122735
    >>> dict(first.terms)
    {'loss': -0.2008836...}
    """
    value, signals = net._start_backward(y, loss)
    order = net.nodes
    net.zero_grad()
    return _backward(net, order, signals, value, net._version, net._passes)


def _backward(
    net: Network, order: list[Node], signals: Any, loss_value: float, version: int, passes: int
) -> Generator[Step, None, float]:
    direct = net._loss_grads
    for node in reversed(order):
        _require_structure(net, version, "backward_steps(y)")
        _require_own_pass(net, passes, "backward_steps(y)")
        net._require_forward("backward_steps")  # no weight or bias changed between steps
        net._backward_node(node, signals, direct)
        values: dict[str, Any] = {}
        for member in _written(net, node):
            values[f"{member.name}.grad_post"] = member.grad_post
            values[f"{member.name}.grad_pre"] = member.grad_pre
        if node.kind != "input":
            values[f"{node.name}.grad_bias"] = node.grad_bias
        values.update((f"{conn.name}.grad_weight", conn.grad_weight) for conn in node._incoming)
        outgoing = {LOSS_TERM: direct[node]} if node in direct else {}
        outgoing.update((conn.name, _term(conn.weight, conn.target.grad_pre)) for conn in node._outgoing)
        yield Step(node, "backward", values, outgoing)
    return loss_value


def _term(weight: float, signal: Any) -> Any:
    """``λ · signal``: the product the pass added for a connection (the signal is computed by then)."""
    return weight * signal


def _require_structure(net: Network, version: int, restart: str) -> None:
    if net._version != version:
        raise TopologyError(
            f"The network's structure changed while stepping through it; start again with net.{restart}."
        )


def _require_own_pass(net: Network, passes: int, restart: str) -> None:
    if net._passes != passes:
        raise NotComputedError(
            "Another forward or backward pass ran while stepping through this one, and the remaining steps "
            f"would mix the two; start again with net.{restart}."
        )


def _written(net: Network, node: Node) -> list[Node]:
    """The nodes whose signal or gradients the step of ``node`` computes.

    A softmax group's work is done at its last member (see the module notes).
    """
    if not node._activation.is_group:
        return [node]
    members = net._groups[node._activation]
    return members if members[-1] is node else []
