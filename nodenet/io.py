"""Save and load networks as versioned JSON files.

The file format (version 1) is a JSON object::

    {
      "format": "nodenet",
      "version": 1,
      "network": {
        "directed": true, "multigraph": false, "graph": {},
        "nodes": [{"id": "I1", "kind": "input", "activation": "identity", "bias": null},
                  {"id": "H4", "kind": "hidden", "activation": "sigmoid", "bias": 0.0708...},
                  ...],
        "edges": [{"source": "I1", "target": "H4", "weight": 0.3206...}, ...]
      }
    }

``network`` is networkx node-link data (``networkx.node_link_graph(data,
edges="edges")`` reads it).  ``kind`` is ``input``, ``hidden`` or
``output``; ``activation`` is a name or a dict with options such as
``{"name": "leaky_relu", "slope": 0.1}``; input nodes have ``bias: null``.
Nodes are listed in the order they were added (it fixes the columns of the
inputs and outputs), edges in an order in which they can be added again
so that every node keeps the order of its incoming and outgoing
connections.  Numbers are written with Python's shortest round-trip
``repr``, so a loaded network has bit-for-bit the same weights and biases,
and computes bit-for-bit the same outputs.

:func:`load` checks everything and raises :class:`~nodenet.FormatError`
naming the file and the problem; nothing in a file is ever executed.

Examples
--------
>>> import os, tempfile, nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> path = os.path.join(tempfile.mkdtemp(), "chapter.json")
>>> nodenet.save(net, path)
>>> copy = nodenet.load(path)
>>> copy.connection("I1", "H4").weight == net.connection("I1", "H4").weight
True
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from typing import TYPE_CHECKING, Any, Union

import networkx as nx

from .activations import get_activation
from .checks import check_path
from .errors import FormatError, NodenetError
from .factory import check_network, create_network
from .node import KINDS

if TYPE_CHECKING:
    from .structure import NetworkStructure as Network

__all__ = ["FORMAT", "VERSION", "save", "load", "to_dict", "from_dict"]

FORMAT = "nodenet"
VERSION = 1

PathLike = Union[str, "os.PathLike[str]"]

_NODE_KEYS = {"id", "kind", "activation", "bias"}
_EDGE_KEYS = {"source", "target", "weight"}
_GRAPH_OPTIONAL = frozenset({"directed", "multigraph", "graph"})


def _edge_order(net: Network) -> list:
    """Connections in an order that rebuilds every incoming and outgoing list."""
    connections = net.connections
    rank = {id(conn): position for position, conn in enumerate(connections)}
    chains = nx.DiGraph()
    chains.add_nodes_from(range(len(connections)))
    for node in net.nodes:
        for ordered in (node.incoming, node.outgoing):
            chains.add_edges_from((rank[id(a)], rank[id(b)]) for a, b in zip(ordered, ordered[1:]))
    return [connections[i] for i in nx.lexicographical_topological_sort(chains)]


def to_dict(net: Network) -> dict:
    """The network as the JSON-able dict of the file format.

    >>> import nodenet
    >>> data = to_dict(nodenet.Network.from_layers([1, 1], init="constant", scale=0.5, bias="zeros"))
    >>> data["format"], data["version"], data["network"]["edges"]
    ('nodenet', 1, [{'source': 'I1', 'target': 'O2', 'weight': 0.5}])
    """
    check_network(net, "to_dict")
    net.validate()
    nodes = [net.graph.nodes[name]["node"] for name in net.graph.nodes]
    for node in nodes:
        _check_savable(node)
    return {
        "format": FORMAT,
        "version": VERSION,
        "network": {
            "directed": True,
            "multigraph": False,
            "graph": {},
            "nodes": [
                {"id": n.name, "kind": n.kind, "activation": n.activation_function.to_spec(), "bias": n.bias}
                for n in nodes
            ],
            "edges": [
                {"source": c.source.name, "target": c.target.name, "weight": c.weight} for c in _edge_order(net)
            ],
        },
    }


def save(net: Network, path: PathLike) -> None:
    """Write ``net`` to ``path`` as a nodenet JSON file, atomically.

    The file is written to a temporary file in the same directory and then
    renamed over ``path``: a failed save leaves any previous file intact.
    When ``path`` is a symbolic link, the file it points to is replaced and
    the link stays a link (the write goes through it).

    Parameters
    ----------
    net : Network
    path : str or os.PathLike

    Examples
    --------
    >>> import os, tempfile, nodenet
    >>> path = os.path.join(tempfile.mkdtemp(), "net.json")
    >>> nodenet.save(nodenet.Network.from_layers([2, 1], seed=0), path)
    >>> sorted(os.listdir(os.path.dirname(path)))
    ['net.json']
    """
    target = check_path(path, "save")
    text = json.dumps(to_dict(net), indent=1, allow_nan=False)
    target = os.path.realpath(target)  # through a symbolic link to the file it names
    directory = os.path.dirname(os.path.abspath(target))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _file_mode(target: str) -> int:
    """The permissions of the file being replaced, or those a new file gets (mkstemp's are 0600)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def load(path: PathLike) -> Network:
    """Read a network written by :func:`save`.

    Raises
    ------
    FormatError
        The file is not valid JSON (truncated, malformed), not a nodenet
        file, of another version, or describes no valid network (unknown
        activation, duplicate node, connection to an unknown node, cycle,
        non-finite weight, ...); the message names the file and the problem.
    OSError
        The file cannot be read.

    Examples
    --------
    >>> import os, tempfile, nodenet
    >>> path = os.path.join(tempfile.mkdtemp(), "bad.json")
    >>> with open(path, "w") as f:
    ...     _ = f.write('{"format": "nodenet", "version": 7}')
    >>> nodenet.load(path)
    Traceback (most recent call last):
    ...
    nodenet.errors.FormatError: .../bad.json: unsupported version 7; this nodenet reads version 1 files.
    """
    target = check_path(path, "load")
    with open(target, "rb") as stream:
        raw = stream.read()
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as err:
        raise FormatError(f"{target}: nested too deeply to be a nodenet file (JSON arrays or objects within each other).") from err
    except UnicodeDecodeError as err:
        raise FormatError(f"{target}: not a text (UTF-8) file: {err}.") from err
    except json.JSONDecodeError as err:
        raise FormatError(f"{target}: not valid JSON (truncated or malformed?): {err}.") from err
    except ValueError as err:
        raise FormatError(f"{target}: {err}") from err
    try:
        return from_dict(data)
    except FormatError as err:
        raise FormatError(f"{target}: {err}") from err


def _check_savable(node: Any) -> None:
    """Refuse an activation that would not load back as it is."""
    activation = node.activation_function
    spec = activation.to_spec()
    if not activation.describes_itself():
        raise FormatError(
            f"Cannot save node {node.name!r}: its activation {activation!r} has options that its to_spec() "
            f"({spec!r}) leaves out, so it would load back different. Return them from to_spec() as a dict."
        )
    try:
        loaded = get_activation(spec)
    except NodenetError as err:
        raise FormatError(
            f"Cannot save node {node.name!r}: its activation {spec!r} would not load back ({err}) "
            "Register the class with nodenet.register_activation before saving and loading."
        ) from err
    if loaded != activation:
        raise FormatError(
            f"Cannot save node {node.name!r}: its activation {activation!r} loads back as {loaded!r}; "
            "register its class under a name of its own with nodenet.register_activation."
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number; weights and biases must be finite.")


def from_dict(data: Any) -> Network:
    """Build a network from the dict of the file format, checking everything.

    >>> import nodenet
    >>> from_dict({"format": "nodenet", "version": 1, "network": {"nodes": [], "edges": []}})
    Traceback (most recent call last):
    ...
    nodenet.errors.FormatError: the network has no input nodes; add one with add_input.
    """
    _check(isinstance(data, dict), f"expected a JSON object at the top level; got {type(data).__name__}")
    _check(data.get("format") == FORMAT, f"not a nodenet file (\"format\" is {data.get('format')!r}, expected 'nodenet')")
    version = data.get("version")
    _check(version == VERSION and type(version) is int, f"unsupported version {version!r}; this nodenet reads version {VERSION} files")
    _check_keys(data, {"format", "version", "network"}, "the file")
    graph = data.get("network")
    _check(isinstance(graph, dict), "\"network\" must be an object with \"nodes\" and \"edges\"")
    _check_keys(graph, {"nodes", "edges"}, "\"network\"", _GRAPH_OPTIONAL)
    _check(graph.get("directed", True) is True and graph.get("multigraph", False) is False,
           "\"network\" must be a directed graph without parallel edges")
    nodes, edges = graph.get("nodes"), graph.get("edges")
    _check(isinstance(nodes, list) and isinstance(edges, list), "\"network\" must hold the lists \"nodes\" and \"edges\"")
    net = create_network()
    for position, entry in enumerate(nodes):
        _add_node(net, position, entry)
    for position, entry in enumerate(edges):
        _add_edge(net, position, entry)
    try:
        net.validate()
    except NodenetError as err:
        raise FormatError(_lower_first(str(err)).rstrip(".") + ".") from err
    return net


def _add_node(net: Network, position: int, entry: Any) -> None:
    where = f"node {position}"
    _check(isinstance(entry, dict), f"{where} must be an object; got {entry!r}")
    _check_keys(entry, _NODE_KEYS, where)
    name, kind, activation, bias = (entry.get(key) for key in ("id", "kind", "activation", "bias"))
    where = f"node {position} ({name!r})"
    _check(isinstance(name, str), f"node {position} needs a string \"id\"; got {name!r}")
    _check(kind in KINDS, f"{where} has kind {kind!r}; expected one of {', '.join(KINDS)}")
    if kind == "input":
        _check(bias is None, f"{where} is an input node and must have \"bias\": null; got {bias!r}")
        _check(activation == "identity", f"{where} is an input node; its activation must be 'identity', got {activation!r}")
    else:
        _check(_is_number(bias), f"{where} needs a number \"bias\"; got {bias!r}")
    try:
        if kind == "input":
            net.add_input(name)
        elif kind == "hidden":
            net.add_node(name, activation=activation, bias=bias)
        else:
            net.add_output(name, activation=activation, bias=bias)
    except NodenetError as err:
        raise FormatError(f"{where}: {err}") from err


def _add_edge(net: Network, position: int, entry: Any) -> None:
    _check(isinstance(entry, dict), f"edge {position} must be an object; got {entry!r}")
    _check_keys(entry, _EDGE_KEYS, f"edge {position}")
    source, target, weight = entry.get("source"), entry.get("target"), entry.get("weight")
    where = f"edge {position} ({source!r} -> {target!r})"
    _check(isinstance(source, str) and isinstance(target, str), f"{where} needs string \"source\" and \"target\"")
    _check(_is_number(weight), f"{where} needs a number \"weight\"; got {weight!r}")
    try:
        net.connect(source, target, weight=weight)
    except NodenetError as err:
        raise FormatError(f"{where}: {err}") from err


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_keys(entry: dict, required: set, where: str, optional: frozenset = frozenset()) -> None:
    allowed = required | optional
    unknown = sorted(map(str, set(entry) - allowed))
    _check(not unknown, f"{where} has unknown keys {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(entry))
    _check(not missing, f"{where} lacks {', '.join(map(repr, missing))}")


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise FormatError(problem + ".")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
