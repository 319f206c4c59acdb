"""The signal matrices of a batch pass on the object path."""

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nodenet
from nodenet.batch import placements, selector
from nodenet.testing import inputs_for, networks, targets_for


@given(st.lists(st.integers(0, 40), max_size=12))
def test_a_selector_picks_exactly_the_indices(indices):
    chosen = selector(np.array(indices, dtype=np.intp))
    if not indices:
        assert chosen is None
    else:
        assert np.arange(50)[chosen].tolist() == indices


def test_evenly_spaced_indices_become_slices():
    assert selector(np.array([3])) == slice(3, 4, 1)
    assert selector(np.array([0, 3, 6])) == slice(0, 7, 3)
    assert isinstance(selector(np.array([0, 1, 3])), np.ndarray) and isinstance(selector(np.array([5, 5])), np.ndarray)


def test_placements_of_a_layered_network_are_slices():
    net = nodenet.Network.from_layers([3, 4, 2], seed=0)
    place = placements(net.nodes, net._edge_table())
    hidden = place[net["H4"]]
    assert hidden.row == 3 and hidden.sources == slice(0, 3, 1) and hidden.targets == slice(7, 9, 1)
    assert net._params.values[hidden.weights_in].tolist() == [c.weight for c in net["H4"].incoming]
    assert net._params.values[hidden.weights_out].tolist() == [c.weight for c in net["H4"].outgoing]
    assert place[net["I1"]].sources is None and place[net["O9"]].targets is None


def skip_network():
    net = nodenet.Network()
    for name in ("I1", "I2"):
        net.add_input(name)
    net.add_node("H3", activation="tanh", bias=0.1)
    net.add_output("O4", bias=-0.2)
    for source, target, weight in (("I1", "H3", 0.5), ("I2", "H3", -0.3), ("I1", "O4", 0.7), ("H3", "O4", 1.1)):
        net.connect(source, target, weight=weight)
    return net


def test_node_caches_are_rows_of_fresh_matrices_each_pass():
    net = skip_network()
    X = np.array([[0.5, 0.2], [0.1, 0.9], [0.3, 0.3]])
    net.forward(X)
    first = net["H3"].post
    assert first.base is net._batch.post and np.shares_memory(net["O4"].pre, net._batch.pre)
    kept = first.copy()
    net.forward(X * 2)
    np.testing.assert_array_equal(first, kept)  # an older pass's arrays are left alone
    assert not np.shares_memory(first, net["H3"].post)


def test_a_node_with_a_skip_connection_gathers_its_scattered_sources():
    net = skip_network()
    X = np.array([[0.5, 0.2], [0.1, 0.9]])
    out = net.forward(X)
    hidden = np.tanh(0.5 * X[:, 0] - 0.3 * X[:, 1] + 0.1)
    np.testing.assert_allclose(out[:, 0], 0.7 * X[:, 0] + 1.1 * hidden - 0.2, rtol=1e-15)
    net.backward([[1.0], [0.0]])
    delta = out[:, 0] - [1.0, 0.0]
    assert net.connection("I1", "O4").grad_weight == pytest.approx(np.mean(delta * X[:, 0]), rel=1e-14)
    np.testing.assert_allclose(net["I1"].grad_post, 0.7 * delta + 0.5 * (1 - hidden**2) * 1.1 * delta, rtol=1e-14)


@st.composite
def problems(draw):
    net = draw(networks(max_hidden=5, max_outputs=3))
    return net, draw(inputs_for(net, batch=4)), draw(targets_for(net, batch=4))


def gradients(net):
    return [c.grad_weight for c in net.connections] + [n.grad_bias for n in net.nodes if n.kind != "input"]


@given(problems())
def test_backward_gathers_caches_written_by_a_compiled_plan_or_a_copy(problem):
    net, x, y = problem
    net.forward(x)
    net.backward(y)
    expected = gradients(net)
    net.forward(x + 1.0)
    net.compile().forward(x)  # the caches now view the plan's arrays, not the last reference pass's
    net.backward(y)
    np.testing.assert_allclose(gradients(net), expected, rtol=1e-10, atol=1e-12)
    net.forward(x)
    clone = copy.deepcopy(net)  # the copy's caches are arrays of their own
    clone.backward(y)
    np.testing.assert_allclose(gradients(clone), expected, rtol=1e-12, atol=1e-14)


@given(networks(max_hidden=6, max_outputs=3))
def test_placements_select_each_nodes_own_connections(net):
    order = net.nodes
    rows = np.arange(len(order))
    slots = np.arange(net._params.size)
    for node, place in placements(order, net._edge_table()).items():
        assert order[place.row] is node
        pick = lambda chosen, picked: [] if chosen is None else picked[chosen].tolist()  # noqa: E731
        incoming = [(order.index(c.source), c._slot) for c in node.incoming]  # in this order
        outgoing = sorted((order.index(c.target), c._slot) for c in node.outgoing)  # in any order
        assert list(zip(pick(place.sources, rows), pick(place.weights_in, slots))) == incoming
        assert sorted(zip(pick(place.targets, rows), pick(place.weights_out, slots))) == outgoing
