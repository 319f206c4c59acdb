"""Initializers: bounds, distributions, the chapter's draw order, seeding."""

import math

import numpy as np
import pytest

import nodenet
from nodenet.initializers import draw_weights
from nodenet.seeding import as_rng


@pytest.mark.parametrize(
    "scheme, bound",
    [("xavier", 1 / math.sqrt(8)), ("glorot", math.sqrt(6) / math.sqrt(8 + 4)), ("uniform", 0.5)],
)
def test_uniform_schemes_respect_their_bounds(scheme, bound):
    weights = draw_weights(scheme, np.random.default_rng(0), fan_in=8, fan_out=4, size=20000)
    assert np.all(np.abs(weights) <= bound)
    assert np.abs(weights).max() > 0.99 * bound  # and fill the interval
    assert abs(weights.mean()) < 0.01 * bound * 3


def test_he_has_the_right_spread():
    weights = draw_weights("he", np.random.default_rng(0), fan_in=50, fan_out=10, size=40000)
    assert weights.std() == pytest.approx(math.sqrt(2 / 50), rel=0.02)


def test_constant_and_zero_biases():
    net = nodenet.Network.from_layers([2, 3, 1], init="constant", scale=0.25, bias="zeros")
    assert {c.weight for c in net.connections} == {0.25}
    assert {n.bias for n in net.nodes if n.kind != "input"} == {0.0}


def test_small_biases_are_the_chapters_draws():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    rng = np.random.RandomState(13)
    rng.random_sample(8)  # the eight weights come first
    expected = [(rng.random_sample() - 0.5) * 0.5 for _ in range(3)]
    assert [net["H4"].bias, net["H5"].bias, net["O6"].bias] == expected


def test_initialize_rewrites_a_hand_built_network():
    net = nodenet.Network()
    net.add_input("a")
    net.add_node("h")
    net.add_output("o")
    net.connect("a", "h")
    net.connect("h", "o")
    net.connect("a", "o")
    nodenet.initialize(net, "glorot", seed=3)
    assert all(c.weight != 0.0 for c in net.connections)
    assert all(abs(n.bias) <= 0.25 for n in net.nodes if n.kind != "input")


def test_as_rng_keeps_given_generators():
    gen = np.random.default_rng(0)
    assert as_rng(gen) is gen
    assert isinstance(as_rng(None), np.random.Generator)
    assert as_rng(13).random_sample() == np.random.RandomState(13).random_sample()
    with pytest.raises(nodenet.InvalidArgument):
        as_rng(True)
