"""Properties over random DAGs: gradients, batches, construction order."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nodenet
from nodenet.testing.strategies import SMOOTH
from nodenet.testing.strategies import problems as drawn_problems


def problems(*, softmax=False, batch=None):
    """Smooth activations only: finite differences are wrong at a kink."""
    return drawn_problems(softmax=softmax, batch=batch, max_hidden=5, activations=SMOOTH).map(lambda p: p[:3])


@given(problems())
def test_single_sample_gradients_match_finite_differences(problem):
    net, x, y = problem
    report = nodenet.check_gradients(net, x, y, tol=1e-5)
    assert report.ok, str(report)


@given(problems(batch=4))
def test_batch_gradients_match_finite_differences(problem):
    net, x, y = problem
    report = nodenet.check_gradients(net, x, y, tol=1e-5)
    assert report.ok, str(report)


@given(problems(softmax=True, batch=3))
def test_softmax_cross_entropy_gradients(problem):
    net, x, y = problem
    report = nodenet.check_gradients(net, x, y, loss="cross_entropy", tol=1e-5)
    assert report.ok, str(report)
    # with softmax outputs the gradient at the softmax inputs is y_hat - y
    for column, node in enumerate(net.outputs):
        np.testing.assert_allclose(node.grad_pre, node.post - y[:, column], atol=1e-12)


@given(problems(batch=5))
def test_batch_equals_mean_of_single_samples(problem):
    net, x, y = problem
    net.forward(x)
    batch_loss = net.backward(y)
    batch_caches = {n.name: (n.pre, n.post, n.grad_pre, n.grad_post) for n in net.nodes}
    batch_grads = [c.grad_weight for c in net.connections] + [n.grad_bias for n in net.nodes if n.bias is not None]
    losses, grads = [], []
    for row, (xi, yi) in enumerate(zip(x, y)):
        net.forward(xi)
        losses.append(net.backward(yi))
        grads.append([c.grad_weight for c in net.connections] + [n.grad_bias for n in net.nodes if n.bias is not None])
        for node in net.nodes:
            for cached, single in zip(batch_caches[node.name], (node.pre, node.post, node.grad_pre, node.grad_post)):
                assert type(single) is float
                assert cached[row] == pytest.approx(single, rel=1e-12, abs=1e-12)
    assert batch_loss == pytest.approx(np.mean(losses), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(batch_grads, np.mean(grads, axis=0), rtol=1e-12, atol=1e-14)


def rebuild(net, node_order, edge_order):
    """The same network, its nodes and connections added in another order."""
    copy = nodenet.Network()
    for node in node_order:
        if node.kind == "input":
            copy.add_input(node.name)
        elif node.kind == "hidden":
            copy.add_node(node.name, activation=node.activation, bias=node.bias)
        else:
            copy.add_output(node.name, activation=node.activation, bias=node.bias)
    for conn in edge_order:
        copy.connect(conn.source.name, conn.target.name, weight=conn.weight)
    return copy


@given(problems(batch=2), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_construction_order(problem, random):
    net, x, y = problem
    nodes, edges = net.nodes, net.connections
    # inputs and outputs keep their relative order: it defines the columns of x and y
    others = [n for n in nodes if n.kind == "hidden"]
    random.shuffle(others)
    random.shuffle(edges)
    copy = rebuild(net, net.inputs + others + net.outputs, edges)
    np.testing.assert_allclose(copy.forward(x), net.forward(x), rtol=1e-12, atol=1e-12)
    assert copy.backward(y) == pytest.approx(net.backward(y), rel=1e-12, abs=1e-15)
    for conn in net.connections:
        other = copy.connection(conn.source.name, conn.target.name)
        assert other.grad_weight == pytest.approx(conn.grad_weight, rel=1e-10, abs=1e-14)
