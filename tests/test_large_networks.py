"""Deep and wide networks copy, pickle, save, load, go back in history, draw and train (no recursion limit)."""

import copy
import pickle

import numpy as np
import pytest

import nodenet

from hardening import saved


def chain(length):
    net = nodenet.Network()
    net.add_input("x")
    previous = "x"
    for number in range(length):
        net.add_node(f"h{number}", activation="tanh")
        net.connect(previous, f"h{number}", weight=1.1)
        previous = f"h{number}"
    net.add_output("y")
    net.connect(previous, "y", weight=1.0)
    return net


@pytest.fixture(scope="module", params=["chain of 5000", "[200, 200, 200]"])
def trained(request):
    if request.param == "chain of 5000":
        net, X = chain(4998), np.array([[0.5], [-0.25]])
    else:
        net, X = nodenet.Network.from_layers([200, 200, 200], seed=0), np.random.default_rng(0).random((2, 200))
    Y = np.zeros((2, len(net.outputs)))
    history = net.fit(X, Y, epochs=2, lr=0.01, record_every=1)
    return net, X, Y, history


def test_deep_copies_and_pickles_are_whole_and_independent(trained):
    net, X, Y, _ = trained
    reference = saved(net)
    for twin in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert saved(twin) == reference and len(twin) == len(net) in (5000, 600)
        assert twin.passes.current() and net.passes.current()  # fit leaves current caches; so do copies
        np.testing.assert_array_equal(twin.predict(X), net.predict(X))
        original = net.connections[0].weight
        twin.connections[0].weight = original + 1.0
        assert net.connections[0].weight == original  # independent


def test_save_load_and_network_at(trained, tmp_path):
    net, X, Y, history = trained
    nodenet.save(net, tmp_path / "big.json")
    loaded = nodenet.load(tmp_path / "big.json")
    assert [c.weight for c in loaded.connections] == [c.weight for c in net.connections]
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    back = history.network_at(1)
    assert back.connections[0].weight == history.parameter(history.parameter_names[0])[1]


def test_the_diagram_has_every_node_and_edge(trained):
    net, *_ = trained
    source = nodenet.to_dot(net, show="structure").source
    assert source.count("[label=<") == len(net)
    assert source.count(" -> ") - source.count("style=invis") == len(net.connections)
