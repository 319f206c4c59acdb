"""The network core: what a network *is* (nodes, connections, parameters, the networkx graph, the
topological order, the freshness of its caches); :class:`nodenet.Network` adds what it *does*."""

from __future__ import annotations

from typing import Any, Union

import networkx as nx
import numpy as np

from .activations import Activation, get_activation
from .checks import check_name
from .connection import Connection
from .errors import CycleError, NodeNotFound, TopologyError
from .freshness import DerivedCache, PassRecord
from .node import Node, check_activation_fits, check_can_feed
from .notation import chapter_numbering
from .parameters import ParameterStore

__all__ = ["NetworkStructure", "NodeRef", "LAYERS", "SLOTS", "GROUPS", "read_only_slots"]

NodeRef = Union[str, Node]

# derived-cache keys: the layers of from_layers and its first weight slot (while they hold), parameter_slots()
LAYERS, SLOTS, GROUPS = "layers", "parameter slots", "groups"


def read_only_slots(slots: Any) -> np.ndarray:  # shared by every reader until the structure changes
    array = np.fromiter(slots, dtype=np.intp)
    array.flags.writeable = False
    return array


class NetworkStructure:
    """The nodes, connections and parameters of a feed-forward network.

    Attributes
    ----------
    graph : networkx.DiGraph
        Keyed by node name; the objects are the attributes ``"node"`` and
        ``"connection"``.
    derived : DerivedCache
        Forms derived from the structure (order, groups, plans); cleared by
        every structural change.
    passes : PassRecord
        Which passes ran and whether the signal caches are current.
    """

    def __init__(self) -> None:
        self.graph: nx.DiGraph = nx.DiGraph()
        self._store = ParameterStore()
        self._inputs: list[Node] = []
        self._outputs: list[Node] = []
        self._added: dict[str, int] = {}  # declaration rank: ties of the topological order
        self._next_rank = 0
        self._declared_in_order = True  # every connection runs from an earlier-declared node to a later one
        self._structure_version = 0
        self.derived = DerivedCache()
        self.passes = PassRecord(self)

    # ------------------------------------------------------------------ building
    def add_input(self, name: str) -> Node:
        """Add an input node (identity activation, no bias).

        >>> import nodenet
        >>> nodenet.Network().add_input("I1")
        Node('I1', input, identity, pre=None, post=None, grad_pre=None, grad_post=None)
        """
        node = self._add(name, "input", "identity", None)
        self._inputs.append(node)
        return node

    def add_node(self, name: str, *, activation: Union[str, dict, Activation] = "sigmoid", bias: float = 0.0) -> Node:
        """Add a hidden node.

        >>> import nodenet
        >>> nodenet.Network().add_node("H4", activation="tanh").activation
        'tanh'
        """
        return self._add(name, "hidden", activation, bias)

    def add_output(
        self, name: str, *, activation: Union[str, dict, Activation] = "identity", bias: float = 0.0
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
        nodenet.errors.CycleError: Connecting 'O3' -> 'H2' would close the cycle H2 -> O3 -> H2; a feed-forward ...
        """
        src, dst = self.node(source), self.node(target)
        check_can_feed(src, dst)
        if self.graph.has_edge(src.name, dst.name):
            raise TopologyError(
                f"Connection {src.name!r} -> {dst.name!r} already exists; set its weight "
                f"with net.connection({src.name!r}, {dst.name!r}).weight = ..."
            )
        in_order = self._declared_in_order and self._added[src.name] < self._added[dst.name]
        if not in_order and nx.has_path(self.graph, dst.name, src.name):
            cycle = nx.shortest_path(self.graph, dst.name, src.name) + [dst.name]
            raise CycleError(
                f"Connecting {src.name!r} -> {dst.name!r} would close the cycle "
                f"{' -> '.join(cycle)}; a feed-forward network must stay acyclic."
            )
        conn = Connection(src, dst, weight, self._store)
        self.graph.add_edge(src.name, dst.name, connection=conn)
        src.attach(conn)
        dst.attach(conn)
        self.connections_added([src], [dst])
        return conn

    def disconnect(self, source: NodeRef, target: NodeRef) -> None:
        """Remove the connection from ``source`` to ``target``.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 1], seed=0)
        >>> net.disconnect("I1", "O3"); len(net.connections)
        1
        """
        conn = self.connection(source, target)
        conn.source.release(conn)
        conn.target.release(conn)
        self.graph.remove_edge(conn.source.name, conn.target.name)
        conn.detach()
        self.structure_changed()

    def remove_node(self, name: NodeRef) -> None:
        """Remove a node and all its connections.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 2, 1], seed=0)
        >>> net.remove_node("H3"); [n.name for n in net.nodes]
        ['I1', 'I2', 'H4', 'O5']
        """
        node = self.node(name)
        for conn in node.incoming + node.outgoing:
            self.disconnect(conn.source, conn.target)
        for registry in (self._inputs, self._outputs):
            if node in registry:
                registry.remove(node)
        self.graph.remove_node(node.name)
        del self._added[node.name]
        node.detach()
        self.structure_changed()

    def _add(self, name: Any, kind: str, activation: Union[str, dict, Activation], bias: float | None) -> Node:
        """Check everything, then create the node: a refused call leaves the network (and its store) as it was."""
        check_name(name)
        if name in self.graph:
            raise TopologyError(f"A node named {name!r} already exists; node names must be unique.")
        check_activation_fits(name, kind, False, get_activation(activation))
        node = Node(name, kind, activation, bias, self)
        self.graph.add_node(node.name, node=node)
        self._added[node.name] = self._next_rank
        self._next_rank += 1
        self.structure_changed()
        return node

    def connections_added(self, sources: list[Node], targets: list[Node]) -> None:
        """Record new connections from ``sources`` to ``targets``, noting if some source was added after a target."""
        latest = max((self._added[node.name] for node in sources), default=-1)
        self._declared_in_order = self._declared_in_order and all(self._added[n.name] > latest for n in targets)
        self.structure_changed()

    def structure_changed(self) -> None:
        """Record a change (new connections: :meth:`connections_added`); every derived form is rebuilt on demand."""
        self._structure_version += 1
        self.derived.clear()

    @property
    def structure_version(self) -> int:
        """Counts the structural changes (histories and plans compare it)."""
        return self._structure_version

    @property
    def store(self) -> ParameterStore:
        """The :class:`~nodenet.parameters.ParameterStore` holding every weight and bias."""
        return self._store

    # ------------------------------------------------------------------ copies and pickles
    def __getstate__(self) -> dict:
        """A flat description (nodes, connections by number, the store): deep and wide networks copy and pickle."""
        nodes = [self.graph.nodes[name]["node"] for name in self._added]  # declaration order
        position = {node: i for i, node in enumerate(nodes)}
        links = [conn for node in nodes for conn in node.incoming]
        number = {conn: i for i, conn in enumerate(links)}
        passes = self.passes
        return {
            "store": self._store,
            "nodes": [(n.name, n.kind, n.activation_function, n.slot, n.pre, n.post, n.grad_pre, n.grad_post,
                       [number[c] for c in n.incoming], [number[c] for c in n.outgoing]) for n in nodes],
            "links": [(position[c.source], position[c.target], c.slot) for c in links],
            "inputs": [position[n] for n in self._inputs],
            "outputs": [position[n] for n in self._outputs],
            "current": passes.current(),
            "loss": (passes.loss_function, passes.targets,
                     [(position[node], value) for node, value in passes.loss_grads.items()]),
        }

    def __setstate__(self, state: dict) -> None:
        NetworkStructure.__init__(self)
        self._store = state["store"]
        nodes: list[Node] = []
        for name, kind, activation, slot, *caches, _, _ in state["nodes"]:
            node = Node(name, kind, activation, None, self, slot=slot)
            node.pre, node.post, node.grad_pre, node.grad_post = caches
            self.graph.add_node(name, node=node)
            self._added[name] = len(nodes)
            nodes.append(node)
        self._next_rank = len(nodes)
        links = [Connection(nodes[s], nodes[t], store=self._store, slot=slot) for s, t, slot in state["links"]]
        for node, (*_, incoming, outgoing) in zip(nodes, state["nodes"]):
            for index in incoming + outgoing:  # each node's lists in their own order
                node.attach(links[index])
        self.graph.add_edges_from((c.source.name, c.target.name, {"connection": c}) for c in links)
        self._declared_in_order = all(source < target for source, target, _ in state["links"])
        self._inputs = [nodes[i] for i in state["inputs"]]
        self._outputs = [nodes[i] for i in state["outputs"]]
        if state["current"]:
            self.passes.finish_forward(self.passes.begin_forward())
        loss_function, targets, loss_grads = state["loss"]
        if loss_function is not None:
            self.passes.record_loss(loss_function, targets, {nodes[i]: value for i, value in loss_grads})

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
            targets = ", ".join(c.target.name for c in src.outgoing) or "nothing"
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
        """All nodes in (cached, deterministic) topological order: ties keep the declaration order."""
        return list(self.derived.get("order", self._topological_order))

    @property
    def connections(self) -> list[Connection]:
        """All connections, grouped by target in topological order."""
        return [conn for node in self.nodes for conn in node.incoming]

    def parameter_slots(self) -> np.ndarray:
        """Read-only store slots of every weight (``connections`` order), then every bias; kept per structure.

        >>> import nodenet
        >>> nodenet.Network.from_layers([2, 1], seed=0).parameter_slots().tolist()
        [1, 2, 0]
        """
        return self.derived.get(SLOTS, self._read_slots)

    def _read_slots(self) -> np.ndarray:
        return read_only_slots([conn.slot for conn in self.connections] + [n.slot for n in self.nodes if n.kind != "input"])

    @property
    def numbered(self) -> bool:
        """Whether symbols use the chapter's node numbers (``λ1,4``): no number names two nodes."""
        return self.derived.get("numbered", lambda: chapter_numbering(node.name for node in self.nodes))

    def groups(self) -> dict[Activation, list[Node]]:
        """The members of each group activation (softmax), in topological order.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 2], output="softmax", seed=0)
        >>> [[node.name for node in members] for members in net.groups().values()]
        [['O3', 'O4']]
        """
        return {activation: list(members) for activation, members in self.derived.get(GROUPS, self._groups).items()}

    def parameter_count(self) -> int:
        """Number of weights and biases.

        For a layered network this is the chapter's ``sum l_i (l_{i-1} + 1)``.

        >>> import nodenet
        >>> nodenet.Network.from_layers([3, 2, 1], seed=0).parameter_count()
        11
        """
        return len(self.parameter_slots())

    def __len__(self) -> int:
        return len(self.graph)

    def __repr__(self) -> str:
        hidden = len(self.graph) - len(self._inputs) - len(self._outputs)
        return (
            f"Network({len(self._inputs)} inputs, {hidden} hidden, {len(self._outputs)} outputs; "
            f"{self.graph.number_of_edges()} connections, {self.parameter_count()} parameters)"
        )

    # ------------------------------------------------------------------ order and validation
    def _topological_order(self) -> list[Node]:
        lexicographic = nx.lexicographical_topological_sort  # ties by rank; declared in order, it is that order
        names = self._added if self._declared_in_order else lexicographic(self.graph, key=self._added.__getitem__)
        return [self.graph.nodes[name]["node"] for name in names]

    def _groups(self) -> dict[Activation, list[Node]]:
        groups: dict[Activation, list[Node]] = {}
        for node in self.nodes:
            if node.activation_function.is_group:
                groups.setdefault(node.activation_function, []).append(node)
        return groups

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

    def zero_grad(self) -> None:
        """Clear every gradient cache (set it to ``None``).

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> _ = net.forward([1.0]); _ = net.backward([0.0]); net.zero_grad()
        >>> net["O2"].grad_bias is None
        True
        """
        for node in self.nodes:
            node.clear_gradients()
        self._store.clear_grads()

    def clear_signals(self) -> None:
        """Set every cache, signals and gradients, to ``None`` (no pass is current afterwards)."""
        self.passes.forget_signals()
        for node in self.nodes:
            node.pre = node.post = None
        self.zero_grad()
