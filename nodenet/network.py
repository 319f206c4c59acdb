"""Network: the DAG of nodes and connections, forward and backward passes."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generator, Iterator, Sequence, Union

import networkx as nx
import numpy as np

from .activations import Activation, get_activation
from .batch import BatchSignals, Placement, placements
from .checks import as_float_array, check_finite, check_int
from .connection import Connection
from .edges import EdgeTable
from .errors import (
    CycleError,
    InvalidArgument,
    NodeNotFound,
    NotComputedError,
    ShapeError,
    TopologyError,
)
from .losses import Loss, batch_mean, get_loss
from .node import Node, check_activation_fits
from .notation import format_value
from .parameters import ParameterStore
from .seeding import Seed

if TYPE_CHECKING:
    from .compiled import CompiledPlan
    from .explain import Explanation
    from .lint import Finding
    from .paths import Path
    from .stepping import Step
    from .training import History

__all__ = ["Network"]

NodeRef = Union[str, Node]
ArrayLike = Any


class Network:
    """A feed-forward network: any DAG of :class:`Node` joined by :class:`Connection`.

    The network owns a :class:`networkx.DiGraph` (``net.graph``) keyed by
    node name, with the objects stored as the attributes ``"node"`` and
    ``"connection"``.  Build it with :meth:`add_input`, :meth:`add_node`,
    :meth:`add_output` and :meth:`connect`, or with :meth:`from_layers`.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network()
    >>> _ = net.add_input("I1"); _ = net.add_node("H2", activation="sigmoid")
    >>> _ = net.add_output("O3")
    >>> _ = net.connect("I1", "H2", weight=0.5); _ = net.connect("H2", "O3", weight=2.0)
    >>> net.forward([0.0]).tolist()
    [1.0]
    >>> round(net.backward([0.5]), 6)
    0.125
    >>> net["H2"].grad_post, net.connection("I1", "H2").grad_weight
    (1.0, 0.0)
    """

    def __init__(self) -> None:
        self.graph: nx.DiGraph = nx.DiGraph()
        self._params = ParameterStore()
        self._inputs: list[Node] = []
        self._outputs: list[Node] = []
        self._added: dict[str, int] = {}  # declaration rank: ties of the topological order
        self._next_rank = 0
        self._version = 0  # bumped by every structural change; compiled plans and histories check it
        self._order: list[Node] | None = None
        self._groups: dict[Activation, list[Node]] = {}
        self._signals_at: tuple[int, int] | None = None  # (structure, parameter) versions of the caches
        self._passes = 0  # passes started so far: stepping generators notice a pass started after theirs
        self._compiled: CompiledPlan | None = None
        self._places: tuple[int, dict[Node, Placement]] | None = None  # (structure version, placements)
        self._edges: tuple[int, EdgeTable] | None = None  # (structure version, the connections as arrays)
        self._batch: BatchSignals | None = None  # the matrices the node caches view, after a batch pass
        self._loss_grads: dict[Node, Any] = {}
        self._loss_target: tuple[Loss, np.ndarray] | None = None

    # ------------------------------------------------------------------ building
    @classmethod
    def from_layers(
        cls,
        widths: Sequence[int],
        *,
        hidden: str = "sigmoid",
        output: str = "identity",
        init: str = "xavier",
        bias: str = "small",
        scale: float = 0.5,
        seed: Seed = None,
    ) -> Network:
        """A fully connected layered network with the chapter's numbering.

        Nodes are numbered globally: inputs ``I1..Ip``, hidden nodes ``H..``,
        outputs ``O..``; ``[3, 2, 1]`` gives ``I1 I2 I3 H4 H5 O6``.

        Parameters
        ----------
        widths : sequence of int
            Nodes per layer, inputs first and outputs last (at least two layers).
        hidden, output : str
            Activation names of the hidden and the output nodes.
        init, bias, scale, seed
            Passed to :func:`nodenet.initializers.initialize`. With an int
            seed the draws follow numpy's legacy ``np.random.seed``, so
            ``seed=13`` reproduces the chapter's initial weights.

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> [n.name for n in net.nodes]
        ['I1', 'I2', 'I3', 'H4', 'H5', 'O6']
        >>> net.parameter_count()
        11
        """
        from .initializers import initialize

        widths = _check_widths(widths)
        net = cls()
        layers: list[list[Node]] = []
        number = 0
        for depth, width in enumerate(widths):
            layer = []
            for _ in range(width):
                number += 1
                if depth == 0:
                    layer.append(net.add_input(f"I{number}"))
                elif depth == len(widths) - 1:
                    layer.append(net.add_output(f"O{number}", activation=output))
                else:
                    layer.append(net.add_node(f"H{number}", activation=hidden))
            layers.append(layer)
        net._link_layers(layers)
        initialize(net, init, bias=bias, scale=scale, seed=seed)
        return net

    def add_input(self, name: str) -> Node:
        """Add an input node (identity activation, no bias).

        >>> import nodenet
        >>> nodenet.Network().add_input("I1")
        Node('I1', input, identity, pre=None, post=None, grad_pre=None, grad_post=None)
        """
        node = self._add(name, "input", "identity", None)
        self._inputs.append(node)
        return node

    def add_node(
        self,
        name: str,
        *,
        activation: Union[str, dict, Activation] = "sigmoid",
        bias: float = 0.0,
    ) -> Node:
        """Add a hidden node.

        >>> import nodenet
        >>> nodenet.Network().add_node("H4", activation="tanh").activation
        'tanh'
        """
        return self._add(name, "hidden", activation, bias)

    def add_output(
        self,
        name: str,
        *,
        activation: Union[str, dict, Activation] = "identity",
        bias: float = 0.0,
    ) -> Node:
        """Add an output node; outputs keep their declaration order.

        >>> import nodenet
        >>> nodenet.Network().add_output("O6").kind
        'output'
        """
        node = self._add(name, "output", activation, bias)
        self._outputs.append(node)
        return node

    def connect(self, source: NodeRef, target: NodeRef, *, weight: float = 0.0) -> Connection:
        """Connect ``source`` to ``target`` with ``weight``; returns the Connection.

        Refuses self-loops, connections into input nodes, duplicates and
        cycles; a refused call leaves the network unchanged.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1, 1], seed=0)
        >>> net.connect("O3", "H2")
        Traceback (most recent call last):
        ...
        nodenet.errors.CycleError: Connecting 'O3' -> 'H2' would close the cycle H2 -> O3 -> H2; a feed-forward network must stay acyclic.
        """
        src, dst = self.node(source), self.node(target)
        if src is dst:
            raise TopologyError(f"Cannot connect {src.name!r} to itself; self-loops are not feed-forward.")
        if dst.kind == "input":
            raise TopologyError(
                f"Cannot connect {src.name!r} -> {dst.name!r}: {dst.name!r} is an input node "
                "and takes no incoming connections; use add_node for a hidden node."
            )
        if self.graph.has_edge(src.name, dst.name):
            raise TopologyError(
                f"Connection {src.name!r} -> {dst.name!r} already exists; set its weight "
                f"with net.connection({src.name!r}, {dst.name!r}).weight = ..."
            )
        if src._activation.is_group:
            raise TopologyError(
                f"{src.name!r} uses the {src.activation} group activation and cannot feed "
                f"{dst.name!r}; only outputs may use {src.activation} and they end the network."
            )
        if nx.has_path(self.graph, dst.name, src.name):
            cycle = nx.shortest_path(self.graph, dst.name, src.name) + [dst.name]
            raise CycleError(
                f"Connecting {src.name!r} -> {dst.name!r} would close the cycle "
                f"{' -> '.join(cycle)}; a feed-forward network must stay acyclic."
            )
        return self._link(src, dst, weight)

    def disconnect(self, source: NodeRef, target: NodeRef) -> None:
        """Remove the connection from ``source`` to ``target``.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 1], seed=0)
        >>> net.disconnect("I1", "O3"); len(net.connections)
        1
        """
        conn = self.connection(source, target)
        conn.source._outgoing.remove(conn)
        conn.target._incoming.remove(conn)
        self.graph.remove_edge(conn.source.name, conn.target.name)
        _detach(conn)
        self._structure_changed()

    def remove_node(self, name: NodeRef) -> None:
        """Remove a node and all its connections.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 2, 1], seed=0)
        >>> net.remove_node("H3"); [n.name for n in net.nodes]
        ['I1', 'I2', 'H4', 'O5']
        """
        node = self.node(name)
        for conn in node._incoming + node._outgoing:
            self.disconnect(conn.source, conn.target)
        for registry in (self._inputs, self._outputs):
            if node in registry:
                registry.remove(node)
        self.graph.remove_node(node.name)
        del self._added[node.name]
        node._network = None
        _detach(node)
        self._structure_changed()

    def _add(self, name: Any, kind: str, activation: Union[str, dict, Activation], bias: float | None) -> Node:
        """Check everything, then create the node: a refused call leaves the network (and its store) as it was."""
        name = _check_name(name)
        if name in self.graph:
            raise TopologyError(f"A node named {name!r} already exists; node names must be unique.")
        check_activation_fits(name, kind, False, get_activation(activation))
        node = Node(name, kind, activation, bias, self)
        self.graph.add_node(node.name, node=node)
        self._added[node.name] = self._next_rank
        self._next_rank += 1
        self._structure_changed()
        return node

    def _link(self, src: Node, dst: Node, weight: float) -> Connection:
        conn = Connection(src, dst, weight, self._params)
        self.graph.add_edge(src.name, dst.name, connection=conn)
        src._outgoing.append(conn)
        dst._incoming.append(conn)
        self._structure_changed()
        return conn

    def _link_layers(self, layers: list[list[Node]]) -> None:
        """Connect every node of each layer to every node of the next (weights 0.0).

        The bulk version of :meth:`_link` for :meth:`from_layers`, which
        cannot create cycles or duplicates: one edge insertion and one slot
        allocation for all connections.
        """
        pairs = [(source, target) for sources, targets in zip(layers, layers[1:]) for target in targets for source in sources]
        first = self._params.allocate_block(len(pairs))
        connections = [Connection._in_slot(src, dst, self._params, first + i) for i, (src, dst) in enumerate(pairs)]
        for conn in connections:
            conn.source._outgoing.append(conn)
            conn.target._incoming.append(conn)
        self.graph.add_edges_from((c.source.name, c.target.name, {"connection": c}) for c in connections)
        self._structure_changed()
        self._edges = (self._version, EdgeTable.layered(layers, first))

    def _edge_table(self) -> EdgeTable:
        """The connections as arrays (kept until the structure changes)."""
        if self._edges is None or self._edges[0] != self._version:
            self._edges = (self._version, EdgeTable.read(self._plan()))
        return self._edges[1]

    def _structure_changed(self) -> None:
        self._version += 1
        self._order = None
        self._compiled = None

    def __deepcopy__(self, memo: dict) -> Network:
        """An independent copy, without what is rebuilt on demand.

        The compiled plan, the placements, the edge table and the batch
        matrices are left out; the copy's node caches are independent arrays,
        which a backward pass gathers afresh.
        """
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            setattr(clone, key, None if key in _REBUILT else copy.deepcopy(value, memo))
        return clone

    # ------------------------------------------------------------------ looking up
    def node(self, name: NodeRef) -> Node:
        """The node called ``name`` (a Node of this network is returned as is).

        >>> import nodenet
        >>> nodenet.Network.from_layers([1, 1], seed=0).node("I9")
        Traceback (most recent call last):
        ...
        nodenet.errors.NodeNotFound: Node 'I9' not found; known nodes: I1, O2.
        """
        if isinstance(name, Node):
            if self.graph.nodes.get(name.name, {}).get("node") is not name:
                raise NodeNotFound(f"Node {name.name!r} belongs to another network; pass its name instead.")
            return name
        try:
            return self.graph.nodes[name]["node"]
        except (KeyError, TypeError) as err:
            known = ", ".join(self.graph.nodes) if len(self.graph) else ""
            hint = f"known nodes: {known}." if known else "the network has no nodes yet."
            raise NodeNotFound(f"Node {name!r} not found; {hint}") from err

    __getitem__ = node

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.graph

    def connection(self, source: NodeRef, target: NodeRef) -> Connection:
        """The connection from ``source`` to ``target``.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> net.connection("O2", "I1")
        Traceback (most recent call last):
        ...
        nodenet.errors.NodeNotFound: No connection 'O2' -> 'I1'; 'O2' connects to nothing.
        """
        src, dst = self.node(source), self.node(target)
        data = self.graph.get_edge_data(src.name, dst.name)
        if data is None:
            targets = ", ".join(c.target.name for c in src._outgoing) or "nothing"
            raise NodeNotFound(f"No connection {src.name!r} -> {dst.name!r}; {src.name!r} connects to {targets}.")
        return data["connection"]

    @property
    def inputs(self) -> list[Node]:
        """Input nodes in declaration order."""
        return list(self._inputs)

    @property
    def outputs(self) -> list[Node]:
        """Output nodes in declaration order."""
        return list(self._outputs)

    @property
    def nodes(self) -> list[Node]:
        """All nodes in (cached, deterministic) topological order."""
        return list(self._plan())

    @property
    def connections(self) -> list[Connection]:
        """All connections, grouped by target in topological order."""
        return [conn for node in self._plan() for conn in node._incoming]

    def parameter_count(self) -> int:
        """Number of weights and biases.

        For a layered network this is the chapter's ``sum l_i (l_{i-1} + 1)``.

        >>> import nodenet
        >>> nodenet.Network.from_layers([3, 2, 1], seed=0).parameter_count()
        11
        """
        return self.graph.number_of_edges() + len(self.graph) - len(self._inputs)

    def __len__(self) -> int:
        return len(self.graph)

    def __repr__(self) -> str:
        hidden = len(self.graph) - len(self._inputs) - len(self._outputs)
        return (
            f"Network({len(self._inputs)} inputs, {hidden} hidden, {len(self._outputs)} outputs; "
            f"{self.graph.number_of_edges()} connections, {self.parameter_count()} parameters)"
        )

    # ------------------------------------------------------------------ validation
    def _plan(self) -> list[Node]:
        """The cached topological order; rebuilt after any structural change."""
        if self._order is None:
            names = nx.lexicographical_topological_sort(self.graph, key=self._added.__getitem__)
            order = [self.graph.nodes[name]["node"] for name in names]
            groups: dict[Activation, list[Node]] = {}
            for node in order:
                if node._activation.is_group:
                    groups.setdefault(node._activation, []).append(node)
            self._groups = groups
            self._order = order
        return self._order

    def compile(self) -> CompiledPlan:
        """The network's :class:`~nodenet.compiled.CompiledPlan` (cached until the structure changes).

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.compile() is net.compile()
        True
        """
        if self._compiled is None:
            from .compiled import CompiledPlan

            self._compiled = CompiledPlan(self)
        return self._compiled

    def validate(self) -> None:
        """Raise :class:`TopologyError` if the network cannot be computed.

        >>> import nodenet
        >>> nodenet.Network().validate()
        Traceback (most recent call last):
        ...
        nodenet.errors.TopologyError: The network has no input nodes; add one with add_input.
        """
        if not self._inputs:
            raise TopologyError("The network has no input nodes; add one with add_input.")
        if not self._outputs:
            raise TopologyError("The network has no output nodes; add one with add_output.")
        self._plan()

    # ------------------------------------------------------------------ passes
    def forward(self, x: ArrayLike, *, stop_at: NodeRef | None = None) -> np.ndarray:
        """Compute every node's ``pre`` and ``post`` for one sample or a batch.

        Parameters
        ----------
        x : array-like of shape (p,) or (n, p), or mapping of input name to value(s)
            Values of the input nodes in ``net.inputs`` order.
        stop_at : str or Node, optional
            Call :func:`breakpoint` just before this node is computed; the
            debugger opens in the frame that computes it, whose locals include
            ``node`` and its ``incoming`` connections (``r`` runs the rest of
            the node's computation, ``p node`` then shows its ``pre`` and ``post``).

        Returns
        -------
        numpy.ndarray of shape (k,) or (n, k)
            The output signals, in ``net.outputs`` order.

        Notes
        -----
        Clears every gradient cache: gradients of earlier signals are never
        shown as current.  :meth:`forward_steps` runs the same computation
        one node at a time.

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.forward([0.5, 0.2, 0.7]).round(4).tolist()
        [0.0991]
        >>> net.forward({"I1": 0.5, "I2": 0.2, "I3": 0.7}).round(4).tolist()
        [0.0991]
        >>> net.forward([[0.5, 0.2, 0.7], [0.0, 0.0, 0.0]]).shape
        (2, 1)
        """
        stop = self._stop_node(stop_at)
        self.validate()
        return self._forward_pass(*self._input_columns(x), stop)

    def loss(self, y: ArrayLike, *, loss: Union[str, Loss] = "l2") -> float:
        """Loss of the last forward pass against targets ``y`` (mean over a batch).

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], init="constant", scale=1.0, bias="zeros")
        >>> _ = net.forward([2.0]); net.loss([1.0])
        0.5
        """
        self._require_forward("loss")
        return get_loss(loss).mean(self._output_array(), self._targets(y))

    def backward(
        self, y: ArrayLike, *, loss: Union[str, Loss] = "l2", stop_at: NodeRef | None = None
    ) -> float:
        """Backpropagate the loss against ``y``; fill every gradient cache.

        Node caches (``grad_pre``, ``grad_post``) hold each sample's values;
        ``grad_weight`` and ``grad_bias`` are means over the batch.  Gradients
        are overwritten, never accumulated.

        Parameters
        ----------
        y : array-like of shape (k,) or (n, k), or mapping of output name to value(s)
        loss : {'l2', 'cross_entropy'} or Loss
        stop_at : str or Node, optional
            Call :func:`breakpoint` just before this node's gradients are
            computed; the debugger opens in a frame whose locals include
            ``node`` and its ``outgoing`` connections.

        Returns
        -------
        float
            The loss (mean over the batch).

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> _ = net.forward([0.5, 0.2, 0.7])
        >>> round(net.backward([0.3]), 6), round(net["O6"].grad_pre, 6)
        (0.020177, -0.200884)
        """
        stop = self._stop_node(stop_at)
        self._require_forward("backward")
        return self._backward_pass(self._targets(y), get_loss(loss), stop)

    # The passes below take checked inputs and targets: fit checks its data once
    # and then runs them batch after batch.
    def _forward_pass(self, columns: list, batch: int, stop: Node | None = None) -> np.ndarray:
        """The forward pass on checked input columns (``batch`` rows, 0 for one sample)."""
        signals, inputs = self._begin_forward(columns, batch)
        forward_node = self._forward_node
        for node in self._order:  # type: ignore[union-attr]
            forward_node(node, signals, inputs, node is stop)
        self._signals_computed()
        return self._output_array()

    def _backward_pass(
        self, target: np.ndarray, loss_fn: Loss, stop: Node | None = None, *, inputs: bool = True
    ) -> float:
        """The backward pass against checked targets, after a current forward pass.

        ``inputs=False`` leaves out the input nodes' gradients, which no
        parameter needs (fit's training steps).
        """
        value, signals = self._begin_backward(target, loss_fn)
        backward_node, direct = self._backward_node, self._loss_grads
        for node in reversed(self._order):  # type: ignore[arg-type]
            if inputs or node.kind != "input":
                backward_node(node, signals, direct, node is stop)
        return value

    # The per-node work below is shared by forward/backward and by the stepping
    # generators of nodenet.stepping: one implementation of each formula.  A
    # pass's ``signals`` is 0.0 for one sample (plain floats, the terms added one
    # by one, in order) or the BatchSignals of a batch (the node's rows of the
    # pass's matrices, the terms added by one matrix-vector product).
    def _start_forward(self, x: ArrayLike) -> tuple[Any, dict[Node, Any]]:
        """Validate ``x``; return the pass's signals and each input node's value."""
        self.validate()
        return self._begin_forward(*self._input_columns(x))

    def _begin_forward(self, columns: list, batch: int) -> tuple[Any, dict[Node, Any]]:
        """Reset the caches for a pass on checked inputs; return the pass's signals and the inputs."""
        self._passes += 1
        self._signals_at = None
        self._loss_grads, self._loss_target = {}, None
        if self._compiled is not None:
            self._compiled._signals = None  # the plan's signals are no longer the network's
        self._params.clear_grads()
        self._batch = BatchSignals(self._placements(), batch) if batch else None
        return self._batch or 0.0, dict(zip(self._inputs, columns))

    def _placements(self) -> dict[Node, Placement]:
        """Each node's rows and weights in a batch pass (kept until the structure changes)."""
        if self._places is None or self._places[0] != self._version:
            self._places = (self._version, placements(self._plan(), self._edge_table()))
        return self._places[1]

    def _forward_node(self, node: Node, signals: Any, inputs: dict[Node, Any], stop: bool = False) -> None:
        """Compute ``node.pre`` and ``node.post``.

        ``pre`` is the bias plus ``λ · source.post`` of each incoming
        connection.  A softmax node gets its ``pre`` only; the last member of
        its group (in topological order) computes the ``post`` of the whole
        group.
        """
        incoming = node._incoming
        if stop:
            breakpoint()  # stop_at: `node` is next; `n` computes its pre and post
        node._clear_gradients()
        values = self._params.values
        pre: Any
        place: Any = None
        if signals.__class__ is float:  # one sample
            if node.kind == "input":
                node.pre = node.post = inputs[node]
                return
            pre = signals
            for conn in incoming:
                pre = pre + values.item(conn._slot) * conn.source.post
            node.pre = pre + values.item(node._slot)
        else:  # a batch
            place = signals.places[node]
            if node.kind == "input":
                post = signals.post[place.row]
                post[:] = inputs[node]
                node.pre = node.post = post
                return
            pre = signals.pre[place.row]
            if place.sources is None:
                pre.fill(0.0)
            else:
                np.matmul(values[place.weights_in], signals.post[place.sources], out=pre)
            pre += values.item(node._slot)
            node.pre = pre
        activation = node._activation
        if not activation.is_group:
            if signals.__class__ is float:
                node.post = activation.value(node.pre)
            else:
                node.post = activation.value_into(node.pre, signals.post[place.row])
        elif self._groups[activation][-1] is node:
            members = self._groups[activation]
            for member, post in zip(members, activation.group_value([m.pre for m in members])):
                _set_cache(member, "post", post, signals)

    def _start_backward(self, y: ArrayLike, loss: Union[str, Loss]) -> tuple[float, Any]:
        """Validate ``y``; compute the loss and its derivative at each output.

        Returns the loss and the pass's signals; the derivatives are kept in
        ``self._loss_grads`` (output node -> ``dL/dpost`` from the loss
        alone), the loss and the targets in ``self._loss_target`` (for
        explanations).
        """
        self._require_forward("backward")
        return self._begin_backward(self._targets(y), get_loss(loss))

    def _begin_backward(self, target: np.ndarray, loss_fn: Loss) -> tuple[float, Any]:
        """:meth:`_start_backward` on checked targets."""
        self._passes += 1
        predicted = self._output_array()
        batched = predicted.ndim == 2
        value = loss_fn.mean(predicted, target)
        direct = loss_fn.grad(predicted, target)
        self._loss_grads = dict(zip(self._outputs, list(direct.T) if batched else direct.tolist()))
        self._loss_target = (loss_fn, target)
        if not batched:
            return value, 0.0
        signals = self._batch
        if signals is None:  # the caches came from elsewhere (a compiled plan, a copy): gather them
            signals = self._batch = BatchSignals(self._placements(), predicted.shape[0])
            for node, row in zip(self._order, signals.post):  # type: ignore[arg-type]
                row[:] = node.post
        signals.grad_pre = np.empty_like(signals.post)
        return value, signals

    def _backward_node(self, node: Node, signals: Any, direct: dict[Node, Any], stop: bool = False) -> None:
        """Compute the gradients of ``node`` and of its incoming weights.

        ``grad_post`` is the loss derivative (outputs) plus ``λ · target.grad_pre``
        of each outgoing connection.  A softmax group is handled at its last
        member (the first one visited in reverse order): it sets ``grad_post``
        and ``grad_pre`` of every member.  Parameter gradients are batch means.
        """
        outgoing = node._outgoing
        if stop:
            breakpoint()  # stop_at: `node` is next; `n` computes its grad_post, grad_pre, ...
        activation = node._activation
        values = self._params.values
        one = signals.__class__ is float  # one sample, or a batch
        place: Any = None if one else signals.places[node]
        grad_post: Any
        if not activation.is_group:
            if one:
                grad_post = direct[node] if node.kind == "output" else signals
                for conn in outgoing:
                    grad_post = grad_post + values.item(conn._slot) * conn.target.grad_pre
            elif place.targets is None:
                grad_post = direct[node] if node.kind == "output" else signals.zero
            else:
                grad_post = values[place.weights_out] @ signals.grad_pre[place.targets]
                if node.kind == "output":
                    grad_post += direct[node]
            node.grad_post = grad_post
            if node.kind == "input":
                node.grad_pre = grad_post
                return
            if one:
                node.grad_pre = activation.derivative(node.pre, node.post) * grad_post
            else:
                node.grad_pre = activation.grad_pre_into(node.pre, node.post, grad_post, signals.grad_pre[place.row])
        elif self._groups[activation][-1] is node:
            members = self._groups[activation]
            for member in members:
                member.grad_post = direct[member]
            group_grads = activation.group_grad_pre([m.post for m in members], [m.grad_post for m in members])
            for member, grad in zip(members, group_grads):
                _set_cache(member, "grad_pre", grad, signals)
        grad_pre: Any = node.grad_pre
        store = self._params
        grads, known = store.grads, store.known
        known[node._slot] = True
        if one:
            grads[node._slot] = grad_pre
            for conn in node._incoming:
                grads[conn._slot] = conn.source.post * grad_pre
                known[conn._slot] = True
            return
        grads[node._slot] = batch_mean(grad_pre)
        if place.sources is not None:
            grads[place.weights_in] = signals.post[place.sources] @ grad_pre / signals.n
            known[place.weights_in] = True

    def _stop_node(self, stop_at: NodeRef | None) -> Node | None:
        return None if stop_at is None else self.node(stop_at)

    # ------------------------------------------------------------------ stepping and explaining
    def forward_steps(self, x: ArrayLike) -> Iterator[Step]:
        """The forward pass one node at a time; see :func:`nodenet.stepping.forward_steps`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> [step.node.name for step in net.forward_steps([1.0])]
        ['I1', 'O2']
        """
        from .stepping import forward_steps

        return forward_steps(self, x)

    def backward_steps(self, y: ArrayLike, *, loss: Union[str, Loss] = "l2") -> Generator[Step, None, float]:
        """The backward pass one node at a time; see :func:`nodenet.stepping.backward_steps`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> _ = net.forward([1.0])
        >>> [step.node.name for step in net.backward_steps([0.0])]
        ['O2', 'I1']
        """
        from .stepping import backward_steps

        return backward_steps(self, y, loss=loss)

    def explain(
        self,
        name: NodeRef | None = None,
        *,
        format: str = "text",
        sample: int = 0,
        digits: int = 4,
    ) -> Explanation:
        """The chapter's formulas with the numbers; see :func:`nodenet.explain.explain`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> _ = net.forward([1.0]); _ = net.backward([0.0])
        >>> print(net.explain("O2").text.splitlines()[1])
        O2_in = λ1,2·I1 + b2 = (0.0976)(1.0000) + (0.1076) = 0.2052
        """
        from .explain import explain

        return explain(self, name, format=format, sample=sample, digits=digits)

    def paths(self, source: NodeRef, target: NodeRef, *, limit: int = 10000) -> list[Path]:
        """Every directed path with its product of derivatives; see :func:`nodenet.paths.paths`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> _ = net.forward([0.5, 0.2, 0.7])
        >>> [str(path).split(":")[0] for path in net.paths("I1", "O6")]
        ['I1 → H4 → O6', 'I1 → H5 → O6']
        """
        from .paths import paths

        return paths(self, source, target, limit=limit)

    def lint(self) -> list[Finding]:
        """Structural findings (dead or unreachable nodes, ...); see :func:`nodenet.lint.lint`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 1], seed=0)
        >>> net.lint()
        []
        """
        from .lint import lint

        return lint(self)

    def zero_grad(self) -> None:
        """Clear every gradient cache (set it to ``None``).

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> _ = net.forward([1.0]); _ = net.backward([0.0]); net.zero_grad()
        >>> net["O2"].grad_bias is None
        True
        """
        for node in self._plan():
            node._clear_gradients()
        self._params.clear_grads()

    # ------------------------------------------------------------------ helpers
    def _sample_row(self, sample: Any) -> int | None:
        """The row of ``sample`` in the batch the caches hold; None when they hold one sample.

        Negative numbers count from the end, as in Python.
        """
        check_int(sample, "sample (a row of the batch)")
        first = self._inputs[0].post if self._inputs else None
        batch = first.shape[0] if isinstance(first, np.ndarray) else 0
        if batch and not -batch <= sample < batch:
            raise InvalidArgument(f"sample={sample} is outside the batch of {batch} samples; use 0 to {batch - 1}.")
        if not batch and sample not in (0, -1):
            raise InvalidArgument(f"sample={sample} needs a batch, but the caches hold one sample; use sample=0.")
        return int(sample) % batch if batch else None

    def _signals_computed(self) -> None:
        """Stamp the caches as computed with the current structure and parameters."""
        self._signals_at = (self._version, self._params.version)

    def _signals_current(self) -> bool:
        """Whether the signal caches belong to the current structure and parameters."""
        return self._signals_at == (self._version, self._params.version)

    def _require_forward(self, what: str) -> None:
        if not self._signals_current():
            changed = "" if self._signals_at is None else " (nodes, connections, weights or biases changed since the last one)"
            raise NotComputedError(
                f"{what} needs the signals of a forward pass with the current structure and parameters"
                f"{changed}; call net.forward(x) first."
            )

    def _output_array(self) -> np.ndarray:
        values = [node.post for node in self._outputs]
        return np.array(values, dtype=float).T if isinstance(values[0], np.ndarray) else np.array(values, dtype=float)

    def _input_columns(self, x: ArrayLike) -> tuple[list, int]:
        """Validated input values per input node, and the batch size (0 for one sample)."""
        return columns_of(self._input_array(x))

    def _input_array(self, x: ArrayLike) -> np.ndarray:
        """Inputs as a validated float array of shape (p,) or (n, p)."""
        names = [node.name for node in self._inputs]
        array = _named_values(x, names, "input") if isinstance(x, Mapping) else as_float_array(x, "The inputs")
        if array.ndim == 1 and array.shape[0] == len(names):
            check_finite(array[None, :], "The input", names, rows=False)
            return array
        if array.ndim == 2 and array.shape[1] == len(names) and array.shape[0] > 0:
            check_finite(array, "The input", names)
            return array
        raise ShapeError(
            f"Expected inputs of shape ({len(names)},) for one sample or (n, {len(names)}) for a "
            f"batch, one value per input node ({', '.join(names)}); got shape {array.shape}."
        )

    def _targets(self, y: ArrayLike, batch: int | None = None) -> np.ndarray:
        """Targets validated against the outputs and the batch size (0 for one sample).

        The batch size defaults to that of the last forward pass.
        """
        names = [node.name for node in self._outputs]
        array = _named_values(y, names, "output") if isinstance(y, Mapping) else as_float_array(y, "The targets")
        if batch is None:
            first = self._outputs[0].post
            batch = first.shape[0] if isinstance(first, np.ndarray) else 0
        k = len(names)
        if batch and array.ndim == 1 and k == 1 and array.shape[0] == batch:
            array = array[:, None]
        if not batch and array.ndim == 0 and k == 1:
            array = array[None]
        expected = (batch, k) if batch else (k,)
        if array.shape != expected:
            raise ShapeError(
                f"Expected targets of shape {expected}, one value per output node ({', '.join(names)})"
                f"{' for each of the ' + str(batch) + ' samples' if batch else ''}; got shape {array.shape}."
            )
        check_finite(array.reshape(-1, k), "The target", names, rows=bool(batch))
        return array

    def summary(self) -> str:
        """A table of every node with its caches, in topological order.

        >>> import nodenet
        >>> print(nodenet.Network.from_layers([1, 1], seed=0).summary())
        node  kind    activation  bias      pre   post  grad_pre  grad_post
        I1    input   identity    -         None  None  None      None
        O2    output  identity    0.107595  None  None  None      None
        """
        header = ("node", "kind", "activation", "bias", "pre", "post", "grad_pre", "grad_post")
        rows = [header] + [
            (
                node.name,
                node.kind,
                node.activation,
                "-" if node.bias is None else format_value(node.bias),
                *(format_value(v) for v in (node.pre, node.post, node.grad_pre, node.grad_post)),
            )
            for node in self._plan()
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)

    # ------------------------------------------------------------------ training
    def fit(self, X: ArrayLike, Y: ArrayLike, **options: Any) -> History:
        """Train this network in place; see :func:`nodenet.training.fit` for the options.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=1000, lr=0.2)
        History(1000 epochs, final loss 0; 1001 recorded states of 11 parameters)
        """
        from .training import fit

        return fit(self, X, Y, **options)

    def predict(self, X: ArrayLike, *, compiled: bool | None = None) -> np.ndarray:
        """Outputs for one sample ``(p,)`` or rows ``(n, p)``; see :func:`nodenet.training.predict`.

        >>> import nodenet
        >>> nodenet.Network.from_layers([3, 2, 1], seed=13).predict([0.5, 0.2, 0.7]).round(4).tolist()
        [0.0991]
        """
        from .training import predict

        return predict(self, X, compiled=compiled)

    # ------------------------------------------------------------------ pictures
    def render(self, path: Any, **options: Any) -> Any:
        """Draw the annotated diagram into a PNG, SVG, PDF or DOT file; see :func:`nodenet.render`.

        >>> import nodenet, tempfile, pathlib
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.render(pathlib.Path(tempfile.mkdtemp()) / "net.dot").read_text()[:16]
        'digraph network '
        """
        from .render import render

        return render(self, path, **options)

    def _repr_svg_(self) -> str | None:
        from .render import notebook_svg

        return notebook_svg(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        svg = self._repr_svg_()
        return {"text/plain": repr(self), **({"image/svg+xml": svg} if svg is not None else {})}


def _detach(item: Union[Node, Connection]) -> None:
    """Move a removed node's or connection's parameter out of the network's store."""
    if item._slot is None:
        return
    store, slot = item._store, item._slot
    item._store = ParameterStore(1)
    item._slot = item._store.allocate(store.value(slot))
    store.release(slot)


_REBUILT = ("_compiled", "_places", "_batch", "_edges")  # left out of deep copies


def _set_cache(node: Node, name: str, value: Any, signals: Any) -> None:
    """Set ``node.post`` or ``node.grad_pre`` (``name``); in a batch, as the node's row of the pass's matrix."""
    if signals.__class__ is not float:
        row = getattr(signals, name)[signals.places[node].row]
        row[:] = value
        value = row
    setattr(node, name, value)


def columns_of(inputs: np.ndarray) -> tuple[list, int]:
    """Checked inputs as one value per input node, and the batch size (0 for one sample).

    One sample gives plain floats, a batch the rows of a contiguous array
    (one row per input node).

    >>> columns_of(np.array([0.5, 0.2]))
    ([0.5, 0.2], 0)
    >>> values, batch = columns_of(np.array([[0.5, 0.2], [0.1, 0.3]])); values[1].tolist(), batch
    ([0.2, 0.3], 2)
    """
    if inputs.ndim == 1:
        return inputs.tolist(), 0
    return list(np.ascontiguousarray(inputs.T)), inputs.shape[0]


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgument(f"Node names must be non-empty strings; got {name!r}.")
    return name


def _check_widths(widths: Any) -> list[int]:
    try:
        values = list(widths)
    except TypeError as err:
        raise InvalidArgument(f"widths must be a sequence of layer sizes such as [3, 2, 1]; got {widths!r}.") from err
    if len(values) < 2 or not all(isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w >= 1 for w in values):
        raise InvalidArgument(
            f"widths must list at least two layer sizes, each an int >= 1 (inputs first, outputs last), "
            f"such as [3, 2, 1]; got {widths!r}."
        )
    return [int(w) for w in values]


def _named_values(values: Mapping, names: list[str], kind: str) -> np.ndarray:
    missing = [name for name in names if name not in values]
    extra = [name for name in values if name not in names]
    if missing or extra:
        raise ShapeError(
            f"The {kind} values must name each {kind} node exactly once ({', '.join(names)}); "
            f"missing: {', '.join(missing) or 'none'}; unknown: {', '.join(map(str, extra)) or 'none'}."
        )
    columns = [as_float_array(values[name], f"The value of {kind} {name!r}") for name in names]
    shapes = {column.shape for column in columns}
    if len(shapes) != 1 or next(iter(shapes)) not in {(), (columns[0].size,)}:
        raise ShapeError(f"Every {kind} value must be one number or a 1-D array of the same length; got shapes {sorted(shapes)}.")
    return np.stack(columns, axis=-1)
