"""The connections as arrays: the table from_layers writes equals the one read from the objects."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import nodenet
from nodenet.edges import EdgeTable

FIELDS = ("slots", "sources", "counts", "starts", "positions")


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_the_table_from_layers_writes_is_the_one_read_from_the_objects(widths):
    net = nodenet.Network.from_layers(widths, seed=0)
    seeded, read = net._edge_table(), EdgeTable.read(net.nodes)
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(seeded, field), getattr(read, field))
    assert seeded.index == read.index and seeded.size == read.size
    np.testing.assert_array_equal(seeded.depths(), read.depths())


def test_a_structural_change_replaces_the_table():
    net = nodenet.Network.from_layers([3, 4, 2], seed=0)
    seeded = net._edge_table()
    net.disconnect("I1", "H4")
    table = net._edge_table()
    assert table is not seeded and table.slots.size == seeded.slots.size - 1
    X = np.random.default_rng(0).random((5, 3))
    np.testing.assert_allclose(net.compile().forward(X), net.forward(X), rtol=1e-12)


def test_depths_are_longest_paths_from_the_inputs():
    net = nodenet.Network()
    for name in ("I1", "I2"):
        net.add_input(name)
    net.add_node("H3")
    net.add_node("H4")
    net.add_output("O5")
    for source, target in (("I1", "H3"), ("H3", "H4"), ("I2", "O5"), ("H4", "O5"), ("I1", "O5")):
        net.connect(source, target, weight=0.1)
    depth = dict(zip([n.name for n in net.nodes], EdgeTable.read(net.nodes).depths().tolist()))
    assert depth == {"I1": -1, "I2": -1, "H3": 0, "H4": 1, "O5": 2}
