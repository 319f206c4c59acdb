"""save / load: bit-for-bit round trips of random DAGs, atomic writes, broken files."""

import json
import os

import numpy as np
import pytest
from hypothesis import given

import nodenet
from nodenet import io
from nodenet.errors import FormatError
from nodenet.testing.strategies import problems as drawn_problems


def describe(net):
    """Everything a file must keep, in the network's own orders."""
    return {
        "nodes": [(n.name, n.kind, n.activation_function.to_spec(), n.bias) for n in net.nodes],
        "inputs": [n.name for n in net.inputs],
        "outputs": [n.name for n in net.outputs],
        "edges": [(c.source.name, c.target.name, c.weight) for c in net.connections],
        "incoming": {n.name: [c.name for c in n.incoming] for n in net.nodes},
        "outgoing": {n.name: [c.name for c in n.outgoing] for n in net.nodes},
    }


def problems():
    return drawn_problems(batch=3, max_hidden=5).map(lambda p: p[:3])


@given(problems())
def test_round_trip_is_bit_for_bit(tmp_path_factory, problem):
    net, x, y = problem
    path = tmp_path_factory.mktemp("io") / "net.json"
    nodenet.save(net, path)
    copy = nodenet.load(path)
    assert describe(copy) == describe(net)
    assert copy.forward(x).tobytes() == net.forward(x).tobytes()
    assert copy.backward(y) == net.backward(y)
    assert [c.grad_weight for c in copy.connections] == [c.grad_weight for c in net.connections]


def test_options_of_activations_survive(tmp_path):
    net = nodenet.Network()
    net.add_input("x")
    net.add_output("y", activation={"name": "leaky_relu", "slope": 0.2}, bias=0.1)
    net.connect("x", "y", weight=1 / 3)
    nodenet.save(net, tmp_path / "n.json")
    copy = nodenet.load(tmp_path / "n.json")
    assert copy["y"].activation_function.slope == 0.2
    assert copy.connection("x", "y").weight == 1 / 3


def test_file_is_documented_node_link_json(tmp_path):
    import networkx as nx

    nodenet.save(nodenet.Network.from_layers([3, 2, 1], seed=13), tmp_path / "chapter.json")
    data = json.loads((tmp_path / "chapter.json").read_text())
    assert data["format"] == "nodenet" and data["version"] == 1
    graph = nx.node_link_graph(data["network"], edges="edges")
    assert sorted(graph.edges) == sorted(nodenet.Network.from_layers([3, 2, 1], seed=13).graph.edges)
    assert data["network"]["nodes"][0] == {"id": "I1", "kind": "input", "activation": "identity", "bias": None}


def test_failed_save_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    nodenet.save(nodenet.Network.from_layers([1, 1], seed=0), path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(io.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        nodenet.save(nodenet.Network.from_layers([2, 1], seed=0), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.json"]      # no temporary file left behind


def test_save_refuses_an_incomplete_network(tmp_path):
    with pytest.raises(nodenet.TopologyError, match="no input nodes"):
        nodenet.save(nodenet.Network(), tmp_path / "n.json")
    assert not (tmp_path / "n.json").exists()


def valid():
    return io.to_dict(nodenet.Network.from_layers([2, 1], seed=0))


def edited(change):
    data = valid()
    change(data)
    return json.dumps(data)


def nodes(data):
    return data["network"]["nodes"]


def edges(data):
    return data["network"]["edges"]


BROKEN = [
    ("truncated", json.dumps(valid())[:-20], "not valid JSON"),
    ("empty", "", "not valid JSON"),
    ("not an object", "[1, 2]", "expected a JSON object at the top level; got list"),
    ("other format", edited(lambda d: d.update(format="keras")), "not a nodenet file"),
    ("wrong version", edited(lambda d: d.update(version=2)), "unsupported version 2; this nodenet reads version 1"),
    ("string version", edited(lambda d: d.update(version="1")), "unsupported version '1'"),
    ("extra key", edited(lambda d: d.update(code="import os")), "unknown keys 'code'"),
    ("no network", edited(lambda d: d.pop("network")), "lacks 'network'"),
    ("no edges", edited(lambda d: d["network"].pop("edges")), "lacks 'edges'"),
    ("undirected", edited(lambda d: d["network"].update(directed=False)), "must be a directed graph"),
    ("unknown activation", edited(lambda d: nodes(d)[2].update(activation="swish")), "node 2 \\('O3'\\): Unknown activation 'swish'"),
    ("bad activation option", edited(lambda d: nodes(d)[2].update(activation={"name": "leaky_relu", "slope": 5})), "slope"),
    ("duplicate node", edited(lambda d: nodes(d).append(dict(nodes(d)[0]))), "node 3 \\('I1'\\): A node named 'I1' already exists"),
    ("bad kind", edited(lambda d: nodes(d)[2].update(kind="bias")), "node 2 \\('O3'\\) has kind 'bias'"),
    ("input with a bias", edited(lambda d: nodes(d)[0].update(bias=0.5)), "input node and must have \"bias\": null"),
    ("missing bias", edited(lambda d: nodes(d)[2].pop("bias")), "node 2 lacks 'bias'"),
    ("string bias", edited(lambda d: nodes(d)[2].update(bias="0.1")), "needs a number \"bias\"; got '0.1'"),
    ("edge to unknown node", edited(lambda d: edges(d)[0].update(target="H9")), "edge 0 \\('I1' -> 'H9'\\): Node 'H9' not found"),
    ("duplicate edge", edited(lambda d: edges(d).append(dict(edges(d)[0]))), "edge 2 .* already exists"),
    ("edge into an input", edited(lambda d: edges(d).append({"source": "O3", "target": "I1", "weight": 1.0})), "is an input node"),
    ("boolean weight", edited(lambda d: edges(d)[0].update(weight=True)), "needs a number \"weight\"; got True"),
    ("NaN weight", json.dumps(valid()).replace('"weight": ', '"weight": NaN, "x": ', 1), "NaN is not a finite number"),
    ("infinite weight", edited(lambda d: edges(d)[0].update(weight=1.0)).replace("1.0", "1e999", 1), "must be a finite number; got inf"),
    ("no outputs", edited(lambda d: (nodes(d).pop(2), edges(d).clear())), "the network has no output nodes"),
    ("huge integer bias", edited(lambda d: nodes(d)[2].update(bias=10**400)), "bias of 'O3' must be a finite number"),
    ("huge integer weight", edited(lambda d: edges(d)[0].update(weight=-(10**400))), "must be a finite number"),
    ("string slope", edited(lambda d: nodes(d)[2].update(activation={"name": "leaky_relu", "slope": "x"})), "slope must be a finite number; got 'x'"),
    ("binary", "\udcff", "not a text"),
]


def test_a_cycle_is_refused(tmp_path):
    net = nodenet.Network.from_layers([1, 1, 1], seed=0)
    data = io.to_dict(net)
    data["network"]["edges"].append({"source": "O3", "target": "H2", "weight": 1.0})
    path = tmp_path / "cycle.json"
    path.write_text(json.dumps(data))
    with pytest.raises(FormatError, match=r"cycle.json: edge 2 \('O3' -> 'H2'\): Connecting 'O3' -> 'H2' would close the cycle H2 -> O3 -> H2"):
        nodenet.load(path)


@pytest.mark.parametrize("label, text, message", BROKEN, ids=[row[0] for row in BROKEN])
def test_broken_files_are_refused_naming_path_and_problem(tmp_path, label, text, message):
    path = tmp_path / "broken.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(FormatError, match=f"broken.json: .*{message}"):
        nodenet.load(path)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        nodenet.load(tmp_path / "nothing.json")


def test_loaded_network_trains_like_the_original(tmp_path):
    X = np.array([[0.5, 0.2, 0.7]])
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    nodenet.save(net, tmp_path / "n.json")
    copy = nodenet.load(tmp_path / "n.json")
    first = net.fit(X, [[0.3]], epochs=20, lr=0.2).parameters
    second = copy.fit(X, [[0.3]], epochs=20, lr=0.2).parameters
    assert np.array_equal(first, second)


def test_saved_files_get_ordinary_permissions_and_keep_those_of_a_replaced_file(tmp_path):
    import os
    import stat

    path = tmp_path / "net.json"
    umask = os.umask(0o022)
    try:
        nodenet.save(nodenet.Network.from_layers([2, 1], seed=0), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o640)
        nodenet.save(nodenet.Network.from_layers([2, 1], seed=1), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(umask)
