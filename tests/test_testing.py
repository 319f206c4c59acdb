"""The tools for users' own tests: gradient checks and hypothesis strategies."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import nodenet
from nodenet.activations import Sigmoid
from nodenet.testing import check_gradients, inputs_for, networks, targets_for


class WrongSigmoid(Sigmoid):
    """A sigmoid whose derivative forgets the (1 - post) factor."""

    name = "wrong_sigmoid"

    def derivative(self, pre, post):
        return post


@pytest.mark.parametrize("x, y", [([0.4, -0.3], [1.0]), ([[0.4, -0.3], [0.1, 0.2]], [[1.0], [0.0]])])
def test_check_gradients_names_the_wrong_parameter(x, y):
    net = nodenet.Network.from_layers([2, 1, 1], seed=3)
    net["H3"].activation = WrongSigmoid()  # batches too: its derivative, not the sigmoid's shortcut
    report = check_gradients(net, x, y)
    assert not report.ok and not report
    assert report.worst.name in {"I1->H3", "I2->H3", "H3.bias", "I1.input", "I2.input"}
    assert report.max_error > 1e-3
    assert str(report).startswith("MISMATCH: 7 gradients checked, worst ")


def test_check_gradients_leaves_the_network_as_it_was():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    before = [c.weight for c in net.connections] + [n.bias for n in net.nodes if n.bias is not None]
    report = check_gradients(net, [0.5, 0.2, 0.7], [0.3])
    after = [c.weight for c in net.connections] + [n.bias for n in net.nodes if n.bias is not None]
    assert before == after and report.ok
    net2 = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net2.forward([0.5, 0.2, 0.7])
    net2.backward([0.3])
    assert [c.grad_weight for c in net.connections] == [c.grad_weight for c in net2.connections]
    entry = next(e for e in report.entries if e.name == "H4->O6")
    assert entry.analytic == net2.connection("H4", "O6").grad_weight
    assert entry.numeric == pytest.approx(entry.analytic, rel=1e-7)


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"min_inputs": 0}, "inputs: need integers with 1 <= min <= max"),
        ({"min_hidden": 3, "max_hidden": 2}, "hidden: need integers"),
        ({"softmax": True, "min_outputs": 1}, "outputs: need integers with 2 <= min"),
        ({"activations": ["softmax"]}, "element-wise activations"),
        ({"output_activations": []}, "non-empty list"),
        ({"max_weight": -1}, "max_weight must be a positive number"),
    ],
)
def test_strategy_options_are_validated_early(options, fragment):
    with pytest.raises(nodenet.InvalidArgument, match=None) as info:
        networks(**options)
    assert fragment in str(info.value)


@settings(max_examples=30)
@given(networks(min_inputs=2, max_inputs=2, min_hidden=1, max_hidden=3, max_outputs=1))
def test_networks_respect_their_bounds(net):
    assert len(net.inputs) == 2 and len(net.outputs) == 1
    assert 1 <= sum(n.kind == "hidden" for n in net.nodes) <= 3
    assert all(n.incoming for n in net.nodes if n.kind != "input")
    assert all(abs(c.weight) <= 2.0 for c in net.connections)


# a network is a large draw: hypothesis 6.80 (the declared minimum) counts too many of them as oversized
@settings(max_examples=20, suppress_health_check=[HealthCheck.data_too_large])
@given(networks(softmax=True, max_outputs=4))
def test_softmax_networks_are_valid_groups(net):
    assert all(n.activation == "softmax" and not n.outgoing for n in net.outputs)
    assert net.forward(np.zeros(len(net.inputs))).sum() == pytest.approx(1.0)


def test_batch_option_is_validated():
    net = nodenet.Network.from_layers([2, 1], seed=0)
    with pytest.raises(nodenet.InvalidArgument, match="batch must be None or an int >= 1"):
        inputs_for(net, batch=0)
    with pytest.raises(nodenet.InvalidArgument):
        targets_for(net, batch=-2)
