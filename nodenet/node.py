"""Node: one neuron with its signal and gradient caches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, Union

from .activations import Activation, get_activation
from .checks import check_number
from .errors import InvalidArgument, ReadOnlyAttribute, TopologyError
from .notation import bias_name, bias_symbol, format_value
from .parameters import ParameterStore

if TYPE_CHECKING:
    from .connection import Connection
    from .structure import NetworkStructure as Network

__all__ = ["Node", "KINDS", "check_activation_fits", "check_can_feed"]

KINDS = ("input", "hidden", "output")

Signal = Any  # a float for one sample, an array (n,) for a batch, None before a pass


class Node:
    """A node of a network and its caches.

    Create nodes with :meth:`nodenet.Network.add_input`,
    :meth:`~nodenet.Network.add_node` and :meth:`~nodenet.Network.add_output`.

    Attributes
    ----------
    name : str
        Unique name in its network, e.g. ``'H4'``.
    kind : {'input', 'hidden', 'output'}
    pre, post : float, numpy.ndarray or None
        Pre-activation signal (the chapter's ``H4_in``) and output signal
        (``H4``) of the last forward pass: floats for one sample, arrays of
        shape ``(n,)`` for a batch, ``None`` before any pass.
    grad_pre, grad_post : float, numpy.ndarray or None
        ``dL/dpre`` and ``dL/dpost`` of each sample after a backward pass.
    bias : float or None
        ``b``; ``None`` for input nodes, which have no bias.
    grad_bias : float or None
        ``dL/db``, the mean over the batch.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network()
    >>> net.add_node("H4", activation="sigmoid", bias=0.1)
    Node('H4', hidden, sigmoid, bias=0.1, pre=None, post=None, grad_pre=None, grad_post=None)
    """

    __slots__ = (
        "_name",
        "_kind",
        "_activation",
        "_store",
        "_slot",
        "pre",
        "post",
        "grad_pre",
        "grad_post",
        "_incoming",
        "_outgoing",
        "_network",
    )

    def __init__(
        self,
        name: str,
        kind: str,
        activation: Union[str, dict, Activation] = "identity",
        bias: float | None = 0.0,
        network: Network | None = None,
        *,
        slot: int | None = None,
    ) -> None:
        if kind not in KINDS:
            raise InvalidArgument(f"Node kind must be one of {KINDS}; got {kind!r}.")
        self._name = name
        self._kind = kind
        self._network = network
        self._activation = get_activation(activation)
        self._store = network.store if network is not None else ParameterStore(1)
        self._slot: int | None = slot  # given: a slot of the network's store that holds the bias already
        if kind != "input" and slot is None:
            value = check_number(0.0 if bias is None else bias, f"bias of {name!r}")
            self._slot = self._store.allocate(value)
        self.pre: Signal = None
        self.post: Signal = None
        self.grad_pre: Signal = None
        self.grad_post: Signal = None
        self._incoming: list[Connection] = []
        self._outgoing: list[Connection] = []

    @property
    def name(self) -> str:
        """The node's unique name in its network (fixed once the node is added)."""
        return self._name

    @name.setter
    def name(self, value: object) -> None:
        raise ReadOnlyAttribute(
            f"Node {self._name!r} cannot be renamed to {value!r}: names identify nodes in the graph, in "
            "parameter names and in saved files. Add a node with the new name and connect it instead."
        )

    @property
    def kind(self) -> str:
        """``'input'``, ``'hidden'`` or ``'output'`` (fixed once the node is added)."""
        return self._kind

    @kind.setter
    def kind(self, value: object) -> None:
        raise ReadOnlyAttribute(
            f"The kind of node {self._name!r} ({self._kind}) cannot become {value!r}; it fixes the node's role "
            "(inputs take no connections and no bias). Add a node of the kind you need instead."
        )

    @property
    def activation(self) -> str:
        """The activation's name (``'sigmoid'``); assign a name to change it."""
        return self._activation.name

    @activation.setter
    def activation(self, spec: Union[str, dict, Activation]) -> None:
        if self.kind == "input":
            raise InvalidArgument(f"Input node {self.name!r} has the identity activation; it cannot change.")
        activation = get_activation(spec)
        check_activation_fits(self.name, self.kind, bool(self._outgoing), activation)
        self._activation = activation
        if self._network is not None:
            self._network.structure_changed()

    @property
    def activation_function(self) -> Activation:
        """The :class:`~nodenet.activations.Activation` object itself."""
        return self._activation

    @property
    def bias(self) -> float | None:
        """The bias ``b`` (``None`` for an input node)."""
        return None if self._slot is None else self._store.value(self._slot)

    @bias.setter
    def bias(self, value: float) -> None:
        if self._slot is None:
            raise InvalidArgument(f"Input node {self.name!r} has no bias; set biases on hidden or output nodes.")
        self._store.values[self._slot] = check_number(value, f"bias of {self.name!r}")
        self._store.written()

    @property
    def grad_bias(self) -> float | None:
        """``dL/db`` (mean over the batch) of the last backward pass, or None."""
        return None if self._slot is None else self._store.grad(self._slot)

    @grad_bias.setter
    def grad_bias(self, value: float | None) -> None:
        if self._slot is not None:
            self._store.set_grad(self._slot, value)

    @property
    def incoming(self) -> list[Connection]:
        """Connections into this node, in the order they were made."""
        return list(self._incoming)

    @property
    def outgoing(self) -> list[Connection]:
        """Connections out of this node, in the order they were made."""
        return list(self._outgoing)

    @property
    def bias_name(self) -> str:
        """ASCII parameter name of the bias, ``'H4.bias'``."""
        return bias_name(self.name)

    @property
    def numbered(self) -> bool:
        """Whether this node's symbols use the chapter's numbers: its network's :attr:`~NetworkStructure.numbered`."""
        return self._network is None or self._network.numbered

    @property
    def bias_symbol(self) -> str:
        """The chapter's symbol of the bias, ``'b4'`` (``'b(H4)'`` where node numbers repeat)."""
        return bias_symbol(self.name, numbered=self.numbered)

    @property
    def slot(self) -> int | None:
        """The bias's slot in the network's parameter store (``None`` for an input node).

        The fast paths and the optimizers read and write whole arrays of the
        store by slot; everything else uses :attr:`bias` and :attr:`grad_bias`.
        """
        return self._slot

    def attach(self, conn: Connection) -> None:
        """Record ``conn`` among this node's incoming or outgoing connections (the network calls this)."""
        (self._incoming if conn.target is self else self._outgoing).append(conn)

    def attach_many(self, incoming: Sequence[Connection], outgoing: Sequence[Connection]) -> None:
        """:meth:`attach` for many connections at once: ``incoming`` end here, ``outgoing`` start here (bulk linking)."""
        self._incoming.extend(incoming)
        self._outgoing.extend(outgoing)

    def release(self, conn: Connection) -> None:
        """Forget ``conn`` (the network calls this when it removes a connection)."""
        (self._incoming if conn.target is self else self._outgoing).remove(conn)

    def detach(self) -> None:
        """Leave the network: the bias moves into a store of the node's own."""
        self._network = None
        if self._slot is not None:
            self._store, self._slot = self._store.move_out(self._slot)

    def clear_gradients(self) -> None:
        """Set ``grad_pre`` and ``grad_post`` to ``None``."""
        self.grad_pre = self.grad_post = None

    def __repr__(self) -> str:
        bias = "" if self.kind == "input" else f"bias={format_value(self.bias)}, "
        return (
            f"Node({self.name!r}, {self.kind}, {self.activation}, {bias}"
            f"pre={format_value(self.pre)}, post={format_value(self.post)}, "
            f"grad_pre={format_value(self.grad_pre)}, grad_post={format_value(self.grad_post)})"
        )


def check_activation_fits(name: str, kind: str, feeds: bool, activation: Activation) -> None:
    """A group activation (softmax) couples outputs that end the network: nowhere else."""
    if activation.is_group and (kind != "output" or feeds):
        raise TopologyError(
            f"{name!r} cannot use {activation.name}: it couples output nodes that feed nothing, and "
            f"{name!r} is {'an output that feeds other nodes' if kind == 'output' else 'a ' + kind + ' node'}; "
            "make it such an output or choose another activation."
        )


def check_can_feed(source: Node, target: Node) -> None:
    """Refuse a connection that no feed-forward network can hold, whatever else it contains."""
    if source is target:
        raise TopologyError(f"Cannot connect {source.name!r} to itself; self-loops are not feed-forward.")
    if target.kind == "input":
        raise TopologyError(
            f"Cannot connect {source.name!r} -> {target.name!r}: {target.name!r} is an input node "
            "and takes no incoming connections; use add_node for a hidden node."
        )
    if source.activation_function.is_group:
        raise TopologyError(
            f"{source.name!r} uses the {source.activation} group activation and cannot feed "
            f"{target.name!r}; only outputs may use {source.activation} and they end the network."
        )
