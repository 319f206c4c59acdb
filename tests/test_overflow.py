"""Numbers: finite inputs never give a silent NaN; the parameter store never holds a non-finite value."""

import re

import numpy as np
import pytest

import nodenet
from nodenet.activations import Activation
from nodenet.errors import InvalidArgument, NumericalError
from nodenet.testing import assert_equivalent, run_path

from hardening import chapter, saved


def overflowing():
    """Finite weights whose terms overflow: 10·1e308 and 10·(−1e308)."""
    net = nodenet.Network()
    net.add_input("a"); net.add_input("b")
    net.add_node("h", activation="identity")
    net.add_output("y")
    net.connect("a", "h", weight=1e308); net.connect("b", "h", weight=-1e308); net.connect("h", "y", weight=1.0)
    return net


@pytest.mark.parametrize("x", [[10.0, 10.0], [[10.0, 10.0], [1.0, 1.0]]], ids=["one sample", "batch"])
@pytest.mark.parametrize("call", ["forward", "predict", "textbook"])
def test_finite_inputs_that_overflow_raise_naming_the_node(x, call):
    net = overflowing()
    before = saved(net)
    with pytest.raises(NumericalError, match=r"h\.pre became (nan|inf)( for sample row 0)? although the inputs and parameters are finite"):
        with np.errstate(over="ignore", invalid="ignore"):
            if call == "textbook":
                net.predict(x, compiled=False)
            else:
                getattr(net, call)(x)
    assert isinstance(NumericalError("x"), FloatingPointError) and saved(net) == before


@pytest.mark.parametrize("rows", [1, 2], ids=["one-sample path", "compiled plan"])
def test_fit_whose_initial_signals_overflow_names_the_node_and_keeps_the_parameters(rows):
    """No update ran (epochs=0): not a divergence, the error of the pass itself; the caches tell the same."""
    net = overflowing()
    before = saved(net)
    with pytest.raises(NumericalError, match=r"h\.pre became (nan|inf) although the inputs and parameters are finite") as caught:
        with np.errstate(over="ignore", invalid="ignore"):
            net.fit([[10.0, 10.0]] * rows, [[0.0]] * rows, epochs=0, lr=0.1)
    assert not isinstance(caught.value, nodenet.DivergenceError)
    assert saved(net) == before
    assert net["a"].post == 10.0 and not np.isfinite(net["h"].pre) and net["y"].grad_post is None  # no backward pass


def test_a_saturating_hidden_node_is_not_an_error():
    net = nodenet.Network()
    net.add_input("a"); net.add_node("h", activation="sigmoid"); net.add_output("y")
    net.connect("a", "h", weight=1e308); net.connect("h", "y", weight=1.0)
    with np.errstate(over="ignore"):
        assert net.forward([10.0]).tolist() == [1.0]  # sigmoid(inf) = 1: documented saturation


def test_gradients_that_overflow_raise_naming_the_node():
    net = nodenet.Network()
    net.add_input("a"); net.add_node("h", activation="identity"); net.add_output("y")
    net.connect("a", "h", weight=1.0); net.connect("h", "y", weight=1e300)
    net.forward([1e-290])  # y = 1e10: a finite loss
    before = saved(net)
    with pytest.raises(NumericalError, match=r"h\.grad_post became inf although the inputs and parameters are finite"):
        with np.errstate(over="ignore"):
            net.backward([0.0])  # ∂L/∂y = 1e10, then ∂L/∂h = 1e300 · 1e10
    assert saved(net) == before


@pytest.mark.parametrize(("label", "call", "fragment"), [
    ("uniform init, huge scale", lambda net: nodenet.initialize(net, "uniform", scale=1e308, seed=0),
     "draws non-finite weights"),
    ("weight inf", lambda net: setattr(net.connection("I1", "H4"), "weight", float("inf")), "finite"),
    ("bias nan", lambda net: setattr(net["H4"], "bias", float("nan")), "finite"),
    ("assign inf", lambda net: nodenet.parameters.Parameters(net).assign([np.inf] * 11), "must be finite"),
])
def test_no_writer_puts_a_non_finite_value_in_the_store(label, call, fragment):
    net = chapter()
    before = saved(net)
    with pytest.raises(InvalidArgument, match=fragment):
        with np.errstate(over="ignore"):
            call(net)
    assert saved(net) == before


def softmax_net():
    return nodenet.Network.from_layers([2, 3], output="softmax", seed=1)


@pytest.mark.parametrize(("label", "targets", "fragment"), [
    ("negative", [[-1.0, 1.0, 1.0]], "needs targets in [0, 1]"),
    ("above one", [[0.0, 2.0, -1.0]], "needs targets in [0, 1]"),
    ("rows not summing to 1", [[0.5, 0.25, 0.0]], "must sum to 1 in every row; row 0 sums to 0.75"),
])
def test_cross_entropy_refuses_targets_that_are_not_probabilities(label, targets, fragment):
    net = softmax_net()
    before = saved(net)
    with pytest.raises(InvalidArgument, match=re.escape(fragment)):
        net.fit([[0.1, 0.2]], targets, epochs=3, lr=0.1, loss="cross_entropy")
    net.forward([0.1, 0.2])
    with pytest.raises(InvalidArgument, match=re.escape(fragment)):
        net.backward(targets[0], loss="cross_entropy")
    assert saved(net) == before


def test_a_sigmoid_output_takes_cross_entropy_with_any_probability():
    net = nodenet.Network.from_layers([2, 1], output="sigmoid", seed=0)
    history = net.fit([[0.1, 0.2], [0.3, 0.1]], [[0.25], [1.0]], epochs=3, lr=0.1, loss="cross_entropy")
    assert np.isfinite(history.loss).all()


class Scaled(Activation):
    """A custom activation whose instances differ only in an attribute its spec leaves out."""

    name = "scaled"

    def __init__(self, scale):
        self.scale = scale

    def value(self, pre):
        return np.tanh(self.scale * pre) if isinstance(pre, np.ndarray) else float(np.tanh(self.scale * pre))

    def derivative(self, pre, post):
        return self.scale * (1.0 - post * post)


def test_custom_activations_that_differ_in_attributes_give_the_textbook_numbers_on_the_plan():
    net = nodenet.Network.from_layers([2, 3, 1], seed=2)
    net["H3"].activation, net["H4"].activation, net["H5"].activation = Scaled(1.0), Scaled(3.0), Scaled(1.0)
    assert Scaled(1.0) != Scaled(1.0)  # compared by identity: their spec does not tell them apart
    X, Y = np.array([[0.3, -0.2], [0.5, 0.1]]), np.array([[0.2], [0.4]])
    assert_equivalent(run_path(net, X, Y, "l2", "textbook"), run_path(net, X, Y, "l2", "compiled plan"))


def test_parameter_names_are_unique():
    net = nodenet.Network()
    net.add_input("a")
    with pytest.raises(InvalidArgument, match="contains '->'"):
        net.add_node("a->b")
    net.add_node("b"); net.add_output("c")
    net.connect("a", "b"); net.connect("b", "c")
    names = nodenet.parameters.Parameters(net).names
    assert len(names) == len(set(names)) == net.parameter_count()
