"""Building networks, looking things up, and the cache semantics of the passes."""

import pickle

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nodenet

X = [0.5, 0.2, 0.7]


def chapter():
    return nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)


def test_from_layers_numbers_nodes_globally_like_the_chapter():
    net = nodenet.Network.from_layers([2, 3, 2, 2], seed=0)
    assert [n.name for n in net.nodes] == ["I1", "I2", "H3", "H4", "H5", "H6", "H7", "O8", "O9"]
    assert [n.kind for n in net.inputs] == ["input", "input"]
    assert [n.name for n in net.outputs] == ["O8", "O9"]
    assert {n.activation for n in net.nodes if n.kind == "hidden"} == {"sigmoid"}
    assert [c.name for c in net["H6"].incoming] == ["H3->H6", "H4->H6", "H5->H6"]


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_parameter_count_is_the_chapters_formula(widths):
    net = nodenet.Network.from_layers(widths, seed=0)
    assert net.parameter_count() == sum(w * (prev + 1) for prev, w in zip(widths, widths[1:]))
    assert net.parameter_count() == len(net.connections) + len(net) - len(net.inputs)


def test_graph_holds_the_objects():
    net = chapter()
    assert isinstance(net.graph, nx.DiGraph)
    assert net.graph.nodes["H4"]["node"] is net["H4"] is net.node("H4")
    assert net.graph.edges["I1", "H4"]["connection"] is net.connection("I1", "H4")
    assert net.connection(net["I1"], net["H4"]) is net.connection("I1", "H4")
    assert "H4" in net and "H9" not in net and len(net) == 6


def test_node_from_another_network_is_refused():
    with pytest.raises(nodenet.NodeNotFound, match="belongs to another network"):
        chapter().connect(chapter()["I1"], "H4")


def test_topological_order_is_cached_and_invalidated():
    net = chapter()
    nodes = net.nodes
    first = net.derived.peek("order")
    assert nodes == first and net.nodes == first and net.derived.peek("order") is first
    net.add_node("H7")
    net.connect("H4", "H7")
    net.connect("H7", "O6")
    assert net.derived.peek("order") is None
    assert [n.name for n in net.nodes] == ["I1", "I2", "I3", "H4", "H5", "H7", "O6"]


@pytest.mark.parametrize("widths", [[1, 1], [3, 2, 1], [4, 1, 5, 2], [2, 7, 7, 3, 1]])
def test_from_layers_keeps_the_order_networkx_gives(widths):
    net = nodenet.Network.from_layers(widths, seed=0)  # declared layer by layer: the order needs no sort
    lexicographic = nx.lexicographical_topological_sort(net.graph, key=[n.name for n in net.nodes].index)
    assert [node.name for node in net.nodes] == list(lexicographic)
    assert [node.name for node in net.nodes] == list(net.graph.nodes)  # declaration order


def lexicographic_order(net):
    rank = {name: i for i, name in enumerate(net.graph.nodes)}  # declaration order
    return list(nx.lexicographical_topological_sort(net.graph, key=rank.__getitem__))


@given(st.integers(2, 9), st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=30), st.data())
def test_the_order_is_networkx_lexicographic_one_however_the_network_was_built(size, pairs, data):
    net = nodenet.Network()
    net.add_input("a")
    for number in range(1, size):
        net.add_node(f"n{number}")
    names = list(net.graph.nodes)
    for source, target in pairs:  # edges in either direction of the declaration order, cycles refused
        try:
            net.connect(names[source % size], names[target % size])
        except nodenet.TopologyError:
            assert names[target % size] == "a" or source % size == target % size or nx.has_path(
                net.graph, names[target % size], names[source % size]) or net.graph.has_edge(
                names[source % size], names[target % size])
        assert nx.is_directed_acyclic_graph(net.graph)
        assert [node.name for node in net.nodes] == lexicographic_order(net)
    if data.draw(st.booleans()) and size > 2:
        net.remove_node(names[data.draw(st.integers(1, size - 1))])
        assert [node.name for node in net.nodes] == lexicographic_order(net)
    copy = pickle.loads(pickle.dumps(net))
    assert [node.name for node in copy.nodes] == lexicographic_order(copy) == [node.name for node in net.nodes]


def test_a_connection_against_the_declaration_order_is_still_checked_for_cycles():
    net = nodenet.Network()
    a, b, c = net.add_input("a"), net.add_node("b"), net.add_node("c")
    net.connect(a, b)
    net.connect(c, b)  # c was added after b: from here on every connection is checked
    with pytest.raises(nodenet.CycleError, match="c -> b -> c"):
        net.connect(b, c)
    assert [node.name for node in net.nodes] == ["a", "c", "b"]


def test_single_sample_caches_are_python_floats_and_batch_caches_are_arrays():
    net = chapter()
    net.forward(X)
    net.backward([0.3])
    for node in net.nodes:
        for value in (node.pre, node.post, node.grad_pre, node.grad_post):
            assert type(value) is float
    net.forward(np.array([X, X, X]))
    net.backward(np.array([0.3, 0.3, 0.3]))  # shape (n,) accepted for one output
    for node in net.nodes:
        for value in (node.pre, node.post, node.grad_pre, node.grad_post):
            assert isinstance(value, np.ndarray) and value.shape == (3,)
    assert all(type(c.grad_weight) is float for c in net.connections)


def test_forward_clears_gradients_and_backward_overwrites():
    net = chapter()
    net.forward(X)
    net.backward([0.3])
    first = net.connection("I1", "H4").grad_weight
    net.backward([0.3])
    assert net.connection("I1", "H4").grad_weight == first  # overwritten, not accumulated
    net.forward(X)
    assert all(n.grad_pre is None and n.grad_post is None and n.grad_bias is None for n in net.nodes)
    assert all(c.grad_weight is None for c in net.connections)
    net.backward([0.3])
    net.zero_grad()
    assert all(n.grad_pre is None for n in net.nodes) and all(c.grad_weight is None for c in net.connections)
    assert net["H4"].post is not None  # signals stay


def test_inputs_and_targets_by_name():
    net = nodenet.Network.from_layers([3, 2, 2], seed=4)
    by_position = net.forward(X).copy()
    by_name = net.forward({"I3": 0.7, "I1": 0.5, "I2": 0.2})
    assert by_name.tolist() == by_position.tolist()
    loss = net.backward({"O7": 1.0, "O6": 0.0})
    assert loss == net.backward([0.0, 1.0])
    batch = net.forward({"I1": [0.5, 0.1], "I2": [0.2, 0.2], "I3": [0.7, 0.3]})
    assert batch.shape == (2, 2)
    np.testing.assert_allclose(batch[0], by_position, rtol=1e-12)  # a batch runs the compiled plan


def test_output_feeding_another_node_sums_both_terms():
    net = nodenet.Network()
    net.add_input("I1")
    net.add_output("O2", activation="sigmoid")
    net.add_output("O3")
    net.connect("I1", "O2", weight=0.7)
    net.connect("O2", "O3", weight=-1.3)
    net.forward([0.4])
    net.backward([0.2, 0.1])
    o2, o3 = net["O2"], net["O3"]
    assert o2.grad_post == pytest.approx((o2.post - 0.2) + (-1.3) * o3.grad_pre, abs=1e-15)
    assert nodenet.check_gradients(net, [0.4], [0.2, 0.1]).ok


def test_hidden_node_without_incoming_is_its_bias():
    net = nodenet.Network()
    net.add_input("I1")
    net.add_node("H2", activation="tanh", bias=0.3)
    net.add_output("O3")
    net.connect("H2", "O3", weight=2.0)
    net.forward(np.zeros((4, 1)))
    assert net["H2"].pre.tolist() == [0.3] * 4
    net.backward(np.ones((4, 1)))
    assert net["I1"].grad_post.tolist() == [0.0] * 4


def test_disconnect_and_remove_keep_the_objects_consistent():
    net = chapter()
    net.disconnect("I1", "H4")
    assert [c.source.name for c in net["H4"].incoming] == ["I2", "I3"]
    assert net["I1"].outgoing == [net.connection("I1", "H5")]
    net.remove_node("H5")
    assert [n.name for n in net.nodes] == ["I1", "I2", "I3", "H4", "O6"]
    assert net.parameter_count() == 2 + 1 + 2  # I2,I3->H4; H4->O6; biases of H4 and O6
    assert net.forward(X).shape == (1,)


def test_activation_change_invalidates_the_plan():
    net = nodenet.Network.from_layers([2, 2], seed=0)
    net.forward([1.0, 2.0])
    for node in net.outputs:
        node.activation = "softmax"
    probabilities = net.forward([1.0, 2.0])
    assert probabilities.sum() == pytest.approx(1.0)
    with pytest.raises(nodenet.InvalidArgument, match="identity activation"):
        net["I1"].activation = "relu"


def test_reprs_show_the_cached_numbers():
    net = chapter()
    assert repr(net) == "Network(3 inputs, 2 hidden, 1 outputs; 8 connections, 11 parameters)"
    net.forward(X)
    assert "pre=0.432637, post=0.606503" in repr(net["H4"])
    assert repr(net.connection("H4", "O6")).startswith("Connection('H4' -> 'O6', weight=0.154")
    net.forward(np.array([X, X]))
    assert "pre=array(n=2, mean=0.432637)" in repr(net["H4"])
    assert net.summary().splitlines()[5].split()[:4] == ["H5", "hidden", "sigmoid", "0.111009"]


def test_from_layers_is_reproducible_per_seed_and_accepts_generators():
    weights = lambda net: [c.weight for c in net.connections] + [n.bias for n in net.nodes if n.bias is not None]
    assert weights(nodenet.Network.from_layers([4, 3, 2], seed=5)) == weights(nodenet.Network.from_layers([4, 3, 2], seed=5))
    assert weights(nodenet.Network.from_layers([4, 3, 2], seed=5)) != weights(nodenet.Network.from_layers([4, 3, 2], seed=6))
    a = nodenet.Network.from_layers([4, 3, 2], seed=np.random.default_rng(1))
    b = nodenet.Network.from_layers([4, 3, 2], seed=np.random.default_rng(1))
    assert weights(a) == weights(b)


def test_topological_order_follows_declaration_after_removals_and_survives_save_load(tmp_path):
    net = nodenet.Network()
    net.add_input("I1")
    for name in ("HA", "HB", "HC", "HX"):
        net.add_node(name)
        net.connect("I1", name)
    net.add_output("O9")
    net.connect("HX", "O9")
    for name in ("HA", "HB", "HC"):
        net.remove_node(name)
    net.add_node("HD")
    net.connect("I1", "HD")
    net.connect("HD", "O9")
    assert [n.name for n in net.nodes] == ["I1", "HX", "HD", "O9"]
    nodenet.save(net, tmp_path / "net.json")
    loaded = nodenet.load(tmp_path / "net.json")
    assert [n.name for n in loaded.nodes] == [n.name for n in net.nodes]
    assert [c.name for c in loaded.connections] == [c.name for c in net.connections]


def test_the_collector_pause_of_bulk_builds_leaves_it_as_it_was():
    import gc

    from nodenet.factory import collector_paused

    assert gc.isenabled()
    nodenet.Network.from_layers([3, 2, 1], seed=0)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller had it off: it stays off
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0
    assert gc.isenabled()  # enabled again after an error too
