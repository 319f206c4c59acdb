"""Paths: the sum over paths of the products of local derivatives is the gradient."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nodenet
from nodenet.paths import count_paths
from nodenet.testing import inputs_for, networks, targets_for


@st.composite
def computed(draw):
    net = draw(networks(max_hidden=4, max_outputs=3))
    batch = draw(st.sampled_from([None, 3]))
    x, y = draw(inputs_for(net, batch=batch)), draw(targets_for(net, batch=batch))
    net.forward(x)
    net.backward(y)
    return net, np.asarray(y, dtype=float)


@given(computed())
def test_sum_over_paths_to_the_outputs_is_the_backpropagated_gradient(problem):
    net, y = problem
    for node in net.nodes:
        total = 0.0
        for column, output in enumerate(net.outputs):
            loss_term = output.post - y[..., column]  # the L2 loss's own derivative at the output
            total = total + loss_term * sum((path.product for path in net.paths(node, output)), 0.0)
        np.testing.assert_allclose(total, node.grad_post, rtol=1e-9, atol=1e-12)


@given(computed())
def test_paths_match_their_count_and_every_path_is_a_chain_of_connections(problem):
    net, _ = problem
    source, target = net.inputs[0], net.outputs[-1]
    found = net.paths(source, target)
    assert len(found) == count_paths(net, source, target)
    assert len({path.nodes for path in found}) == len(found)
    for path in found:
        assert path.nodes[0] == source.name and path.nodes[-1] == target.name
        product = 1.0
        for (a, b), (_, weight), (_, derivative) in zip(zip(path.nodes, path.nodes[1:]), path.factors[::2], path.factors[1::2]):
            assert net.connection(a, b).weight == weight
            product = product * weight * derivative
        np.testing.assert_array_equal(product, path.product)


def chapter():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward([0.5, 0.2, 0.7])
    return net


def test_the_chapters_two_paths_from_i1():
    net = chapter()
    h4, h5 = net["H4"], net["H5"]
    first, second = net.paths("I1", "O6")
    assert first.nodes == ("I1", "H4", "O6") and second.nodes == ("I1", "H5", "O6")
    assert [symbol for symbol, _ in first.factors] == ["λ1,4", "σ'(H4_in)", "λ4,6", "identity'(O6_in)"]
    expected = net.connection("I1", "H4").weight * (1 - h4.post) * h4.post * net.connection("H4", "O6").weight
    assert first.product == pytest.approx(expected, rel=1e-15)
    assert second.product == pytest.approx(
        net.connection("I1", "H5").weight * (1 - h5.post) * h5.post * net.connection("H5", "O6").weight, rel=1e-15
    )
    assert net.paths("O6", "I1") == [] and [p.nodes for p in net.paths("H4", "H4")] == [("H4",)]


def test_too_many_paths_are_refused_with_their_count():
    net = nodenet.Network.from_layers([1, 4, 4, 4, 4, 4, 4, 4, 1], seed=0)
    net.forward([1.0])
    assert count_paths(net, "I1", "O30") == 4**7
    with pytest.raises(nodenet.InvalidArgument, match="There are 16384 paths from 'I1' to 'O30', more than limit=10000"):
        net.paths("I1", "O30")
    assert len(net.paths("H2", "H10")) == 4  # through each node of the layer between


def test_bad_calls():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    with pytest.raises(nodenet.NotComputedError, match=r"call net.forward\(x\) first"):
        net.paths("I1", "O6")
    net.forward([0.5, 0.2, 0.7])
    with pytest.raises(nodenet.InvalidArgument, match="limit must be an int >= 1; got 0"):
        net.paths("I1", "O6", limit=0)
    with pytest.raises(nodenet.NodeNotFound):
        net.paths("I1", "O7")
    softmax = nodenet.Network.from_layers([2, 2], output="softmax", seed=0)
    softmax.forward([1.0, 0.0])
    with pytest.raises(nodenet.InvalidArgument, match="'O3' uses softmax.*sources \\(I1, I2\\)"):
        softmax.paths("I1", "O3")
