"""Lint: each finding on a crafted network; validate() stays for what cannot be computed."""

import pytest

import nodenet
from nodenet.lint import CODES, Finding


def crafted():
    """I1 -> H3 -> O6 -> H7 (dead), I2 unused, H4 bias-only -> H5 -> O8 (unreachable)."""
    net = nodenet.Network()
    for name in ("I1", "I2"):
        net.add_input(name)
    for name in ("H3", "H4", "H5"):
        net.add_node(name)
    net.add_output("O6")
    net.add_node("H7")
    net.add_output("O8")
    for source, target in [("I1", "H3"), ("H3", "O6"), ("O6", "H7"), ("H4", "H5"), ("H5", "O8")]:
        net.connect(source, target, weight=0.5)
    return net


def test_each_finding_names_its_nodes():
    findings = crafted().lint()
    assert [(f.code, f.nodes) for f in findings] == [
        ("unused-input", ("I2",)),
        ("no-incoming", ("H4",)),
        ("unreachable", ("H5", "H4")),
        ("output-feeds", ("O6", "H7")),
        ("dead-node", ("H7",)),
        ("unreachable", ("O8", "H5")),
    ]
    assert {f.code for f in findings} == set(CODES) - {"ambiguous-symbol"}  # tested on its own below
    assert str(findings[0]) == "unused-input (I2): Input 'I2' feeds no node; its column of x is ignored. Connect it or remove it."


def test_an_input_that_only_feeds_a_dead_end_is_dead():
    net = nodenet.Network.from_layers([1, 1], seed=0)
    net.add_input("I9")
    net.add_node("H10")
    net.connect("I9", "H10")
    assert [(f.code, f.nodes) for f in net.lint()] == [("dead-node", ("I9",)), ("dead-node", ("H10",))]


def test_the_chapters_network_is_clean_and_lint_never_raises_where_validate_does():
    assert nodenet.Network.from_layers([3, 2, 1], seed=13).lint() == []
    net = crafted()
    net.validate()  # all of it can be computed
    net.forward([1.0, 2.0])
    empty = nodenet.Network()
    with pytest.raises(nodenet.TopologyError):
        empty.validate()
    assert empty.lint() == []
    assert Finding("dead-node", "m", ("H1",)) == Finding("dead-node", "m", ("H1",))


def test_nodes_sharing_a_chapter_number_are_reported():
    net = nodenet.Network()
    net.add_input("I1")
    net.add_node("H4")
    net.add_output("O4")
    net.connect("I1", "H4")
    net.connect("H4", "O4")
    findings = net.lint()
    assert [(f.code, f.nodes) for f in findings] == [("ambiguous-symbol", ("H4", "O4"))]
    assert "symbols such as b4 are ambiguous" in findings[0].message
