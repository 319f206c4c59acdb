"""L2 and L1 penalties in fit: the same steps as a loop written by hand, on every path."""

import numpy as np
import pytest

import nodenet
from nodenet.parameters import Parameters

X = np.random.default_rng(0).uniform(-1, 1, (12, 3))
Y = np.column_stack([X[:, 0] * X[:, 1], X[:, 2]])


def by_hand(net, epochs, lr, l2, l1, biases):
    """Full-batch SGD on the data loss plus l2/2·Σλ² + l1·Σ|λ|, from the network's own gradients."""
    penalties = []
    for _ in range(epochs):
        net.forward(X)
        net.backward(Y)
        params = Parameters(net)
        values, grads = params.values, params.grads()
        mask = np.arange(len(values)) < len(net.connections)
        mask = mask | biases
        penalties.append(0.5 * l2 * np.sum(values[mask] ** 2) + l1 * np.sum(np.abs(values[mask])))
        params.assign(values - lr * (grads + mask * (l2 * values + l1 * np.sign(values))))
    return Parameters(net).values, penalties


@pytest.mark.parametrize("compiled", [None, False])
@pytest.mark.parametrize(("l2", "l1", "biases"), [(0.1, 0.0, False), (0.0, 0.02, False), (0.05, 0.01, True)])
def test_fit_descends_the_penalized_loss(compiled, l2, l1, biases):
    net = nodenet.Network.from_layers([3, 4, 2], hidden="tanh", seed=1)
    twin = nodenet.Network.from_layers([3, 4, 2], hidden="tanh", seed=1)
    history = net.fit(X, Y, epochs=5, lr=0.2, l2=l2, l1=l1, regularize_biases=biases, compiled=compiled, progress=False)
    expected, penalties = by_hand(twin, 5, 0.2, l2, l1, biases)
    np.testing.assert_allclose(Parameters(net).values, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history.penalty, penalties, rtol=1e-12)
    assert history.regularization == {"l2": l2, "l1": l1, "biases": biases}
    plain = nodenet.Network.from_layers([3, 4, 2], hidden="tanh", seed=1).fit(X, Y, epochs=1, lr=0.2, progress=False)
    assert history.loss[0] == pytest.approx(plain.loss[0], rel=1e-12)  # loss is the data loss alone


def test_the_penalty_shrinks_the_weights_but_not_the_gradient_caches():
    net = nodenet.Network.from_layers([3, 4, 2], seed=2)
    net.fit(X, Y, epochs=200, lr=0.1, l2=0.5, progress=False)
    free = nodenet.Network.from_layers([3, 4, 2], seed=2)
    free.fit(X, Y, epochs=200, lr=0.1, progress=False)
    assert sum(c.weight ** 2 for c in net.connections) < 0.5 * sum(c.weight ** 2 for c in free.connections)
    net.forward(X); net.backward(Y)
    caches = Parameters(net).grads()
    net.fit(X, Y, epochs=0, lr=0.1, l2=0.5, progress=False)  # fit leaves the data loss's gradients in the caches
    net.forward(X); net.backward(Y)
    assert Parameters(net).grads().tolist() == caches.tolist()


def test_no_penalty_records_none():
    history = nodenet.Network.from_layers([3, 1], seed=0).fit(X, Y[:, :1], epochs=2, lr=0.1, progress=False)
    assert history.penalty is None and history.regularization is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"l2": -0.1}, "l2 (the L2 penalty, weight decay) must be a number >= 0; got -0.1."),
        ({"l1": float("nan")}, "The l1 (the L1 penalty) must be a finite number; got nan."),
        ({"l2": "0.1"}, "The l2 (the L2 penalty, weight decay) must be a finite number; got '0.1'."),
        ({"l2": 0.1, "regularize_biases": 1}, "regularize_biases must be True or False; got 1."),
    ],
)
def test_bad_penalties_are_refused_before_training(options, message):
    net = nodenet.Network.from_layers([3, 1], seed=0)
    before = Parameters(net).values
    with pytest.raises(nodenet.InvalidArgument) as err:
        net.fit(X, Y[:, :1], epochs=2, lr=0.1, progress=False, **options)
    assert str(err.value) == message
    assert Parameters(net).values.tolist() == before.tolist()
