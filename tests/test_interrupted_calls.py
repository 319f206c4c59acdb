"""Half-finished calls: a call that raises leaves the network as it was (or consistent, with what it recorded)."""

import numpy as np
import pytest

import nodenet
from nodenet.errors import DivergenceError, InvalidArgument, NumericalError, ReadOnlyAttribute

from hardening import chapter, saved

X = np.array([[0.5, 0.2, 0.7], [0.1, 0.9, 0.4]])
Y = np.array([[0.3], [0.6]])


def test_a_gradient_check_that_raises_half_way_restores_every_parameter():
    net = chapter()
    before = saved(net)
    calls = []
    original = nodenet.engine.loss

    def failing_loss(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:  # after some weights were nudged
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    nodenet.engine.loss = failing_loss
    try:
        with pytest.raises(KeyboardInterrupt):
            nodenet.check_gradients(net, X, Y)
    finally:
        nodenet.engine.loss = original
    assert saved(net) == before


def test_cross_entropy_on_outputs_it_cannot_take_is_refused_before_any_update():
    net = chapter()
    before = saved(net)
    with pytest.raises(InvalidArgument, match="cross_entropy needs probabilities at the outputs, but 'O6' uses identity"):
        net.fit(X, Y, epochs=5, lr=0.1, loss="cross_entropy")
    with pytest.raises(InvalidArgument, match="'O6' uses identity"):
        nodenet.check_gradients(net, X, Y, loss="cross_entropy")
    assert saved(net) == before


@pytest.mark.parametrize("interruption", [RuntimeError("callback failed"), KeyboardInterrupt()], ids=["error", "Ctrl-C"])
def test_an_interrupted_fit_leaves_a_consistent_network_and_hands_back_what_it_recorded(interruption):
    net = chapter()

    def callback(info):
        if info.epoch == 3:
            raise interruption

    with pytest.raises(type(interruption)) as caught:
        net.fit(X, Y, epochs=10, lr=0.1, callback=callback)
    history = caught.value.history
    assert history.epochs_run == 4 and history.parameters.shape == (4, 11)
    twin = chapter()
    twin.fit(X, Y, epochs=4, lr=0.1)
    assert saved(net) == saved(twin)  # exactly the four completed epochs
    assert net.predict(X).tolist() == twin.predict(X).tolist()


def test_an_optimizer_that_fails_mid_step_leaves_the_parameters_of_before_the_step():
    class Flaky(nodenet.SGD):
        def _advance(self, values, grads, eta, scratch):
            values -= 1000.0  # a half-done step ...
            if self.steps == 3:
                raise KeyboardInterrupt  # ... interrupted

    net, twin = chapter(), chapter()
    with pytest.raises(KeyboardInterrupt) as caught:
        net.fit(X, Y, epochs=10, optimizer=Flaky(lr=0.1))
    twin.fit(X, Y, epochs=2, optimizer=Flaky(lr=0.1))
    assert saved(net) == saved(twin) and caught.value.history.epochs_run == 2


def test_a_diverging_update_outside_fit_is_undone():
    net = chapter()
    net.forward([0.5, 0.2, 0.7])
    net.backward([1e6])  # gradients of about 1e6: a step of 1e307 times them overflows
    before = saved(net)
    with pytest.raises(NumericalError, match="The update made .* the parameters keep their values from before the step"):
        nodenet.SGD(lr=1e307).update(net)
    assert saved(net) == before


def test_a_diverging_fit_keeps_the_last_finite_parameters():
    net = nodenet.Network.from_layers([1, 1], seed=0)
    x = np.linspace(-1, 1, 20).reshape(-1, 1)
    with pytest.raises(DivergenceError) as caught:
        net.fit(x, 0.5 * x, epochs=500, lr=10.0)
    assert np.isfinite([c.weight for c in net.connections]).all() and caught.value.history.epochs_run > 0


@pytest.mark.parametrize(("attribute", "value", "fragment"), [
    ("name", "H5", "cannot be renamed"), ("kind", "output", "cannot become 'output'"),
])
def test_structural_node_attributes_are_read_only(tmp_path, attribute, value, fragment):
    net = chapter()
    before = saved(net)
    with pytest.raises(ReadOnlyAttribute, match=fragment):
        setattr(net["H4"], attribute, value)
    assert saved(net) == before
    nodenet.save(net, tmp_path / "net.json")
    assert saved(nodenet.load(tmp_path / "net.json")) == before


@pytest.mark.parametrize("end", ["source", "target"])
def test_connection_ends_are_read_only(end):
    net = chapter()
    with pytest.raises(ReadOnlyAttribute, match=f"The {end} of connection 'I1->H4' cannot be reassigned"):
        setattr(net.connection("I1", "H4"), end, net["H5"])
    assert isinstance(ReadOnlyAttribute("x"), AttributeError)


def test_an_activation_option_cannot_change_behind_the_plans_back():
    net = nodenet.Network.from_layers([3, 2, 1], hidden="leaky_relu", seed=13)
    with pytest.raises(ReadOnlyAttribute, match=r"node.activation = LeakyReLU\(slope=0.5\)"):
        net["H4"].activation_function.slope = 0.5
