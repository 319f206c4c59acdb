"""A table of bad calls: each raises the documented class with a helpful message."""

import math

import numpy as np
import pytest

import nodenet
from nodenet import (
    CycleError,
    InvalidArgument,
    NodenetError,
    NodeNotFound,
    NotComputedError,
    ShapeError,
    TopologyError,
)


def chapter():
    return nodenet.Network.from_layers([3, 2, 1], seed=13)


def computed():
    net = chapter()
    net.forward([0.5, 0.2, 0.7])
    return net


def softmax_net():
    return nodenet.Network.from_layers([2, 3], output="softmax", seed=1)


BAD_CALLS = [
    # (id, call, exception class, message fragment)
    ("unknown node", lambda: chapter()["H9"], NodeNotFound, "Node 'H9' not found; known nodes: I1, I2, I3, H4, H5, O6."),
    ("unknown node by method", lambda: chapter().node("x"), NodeNotFound, "known nodes"),
    ("missing connection", lambda: chapter().connection("I1", "O6"), NodeNotFound, "No connection 'I1' -> 'O6'; 'I1' connects to H4, H5"),
    ("duplicate node", lambda: chapter().add_node("H4"), TopologyError, "A node named 'H4' already exists"),
    ("empty name", lambda: nodenet.Network().add_input(""), InvalidArgument, "must not be empty or blank"),
    ("non-string name", lambda: nodenet.Network().add_input(3), InvalidArgument, "got int 3"),
    ("self loop", lambda: chapter().connect("H4", "H4"), TopologyError, "to itself"),
    ("into an input", lambda: chapter().connect("H4", "I1"), TopologyError, "is an input node"),
    ("duplicate connection", lambda: chapter().connect("I1", "H4"), TopologyError, "already exists"),
    ("cycle", lambda: chapter().connect("O6", "H4"), CycleError, "H4 -> O6 -> H4"),
    ("softmax feeding a node", lambda: _softmax_feeding(), TopologyError, "'O3' uses the softmax"),
    ("softmax on a hidden node", lambda: setattr(chapter()["H4"], "activation", "softmax"), TopologyError, "'H4' cannot use softmax: it couples output nodes that feed nothing, and 'H4' is a hidden node"),
    ("softmax hidden node added", lambda: nodenet.Network().add_node("H1", activation="softmax"), TopologyError, "'H1' is a hidden node"),
    ("softmax on a feeding output", lambda: _feeding_output_to_softmax(), TopologyError, "'O2' is an output that feeds other nodes"),
    ("non-numeric weight", lambda: chapter().connect("I1", "O6", weight="heavy"), InvalidArgument, "weight of 'I1'->'O6' must be a finite number; got 'heavy'"),
    ("infinite weight", lambda: setattr(chapter().connection("I1", "H4"), "weight", math.inf), InvalidArgument, "got inf"),
    ("nan bias", lambda: setattr(chapter()["H4"], "bias", float("nan")), InvalidArgument, "bias of 'H4'"),
    ("bias on an input", lambda: setattr(chapter()["I1"], "bias", 1.0), InvalidArgument, "Input node 'I1' has no bias"),
    ("unknown activation", lambda: nodenet.Network().add_node("H", activation="swish"), InvalidArgument, "Unknown activation 'swish'; choose one of"),
    ("bad leaky slope", lambda: nodenet.Network().add_node("H", activation={"name": "leaky_relu", "slope": 2}), InvalidArgument, "slope"),
    ("unknown loss", lambda: computed().backward([0.3], loss="hinge"), InvalidArgument, "Unknown loss 'hinge'"),
    ("too few widths", lambda: nodenet.Network.from_layers([3]), InvalidArgument, "at least two layer sizes"),
    ("zero width", lambda: nodenet.Network.from_layers([3, 0, 1]), InvalidArgument, "each an int >= 1"),
    ("float width", lambda: nodenet.Network.from_layers([3, 2.5, 1]), InvalidArgument, "[3, 2.5, 1]"),
    ("widths not a sequence", lambda: nodenet.Network.from_layers(3), InvalidArgument, "sequence of layer sizes"),
    ("unknown initializer", lambda: nodenet.Network.from_layers([2, 1], init="lecun"), InvalidArgument, "Unknown initializer 'lecun'"),
    ("unknown bias initializer", lambda: nodenet.Network.from_layers([2, 1], bias="ones"), InvalidArgument, "Unknown bias initializer 'ones'"),
    ("bad seed", lambda: nodenet.Network.from_layers([2, 1], seed=-1), InvalidArgument, "seed must be"),
    ("nan scale", lambda: nodenet.Network.from_layers([2, 1], init="constant", scale=float("nan")), InvalidArgument, "initializer scale must be a finite number; got nan"),
    ("non-numeric scale", lambda: nodenet.Network.from_layers([2, 1], scale="x"), InvalidArgument, "got 'x'"),
    ("negative uniform scale", lambda: nodenet.Network.from_layers([2, 1], init="uniform", scale=-1), InvalidArgument, "needs scale > 0"),
    ("huge weight", lambda: chapter().connect("I1", "O6", weight=10**400), InvalidArgument, "must be a finite number"),
    ("boolean bias", lambda: setattr(chapter()["H4"], "bias", True), InvalidArgument, "bias of 'H4' must be a finite number; got True"),
    ("non-numeric leaky slope", lambda: nodenet.get_activation({"name": "leaky_relu", "slope": "x"}), InvalidArgument, "leaky_relu slope must be a finite number; got 'x'"),
    ("too few inputs", lambda: chapter().forward([0.5, 0.2]), ShapeError, "Expected inputs of shape (3,) for one sample or (n, 3)"),
    ("too many input columns", lambda: chapter().forward(np.zeros((4, 5))), ShapeError, "got shape (4, 5)"),
    ("3-d inputs", lambda: chapter().forward(np.zeros((2, 2, 3))), ShapeError, "got shape (2, 2, 3)"),
    ("empty batch", lambda: chapter().forward(np.zeros((0, 3))), ShapeError, "got shape (0, 3)"),
    ("non-numeric input", lambda: chapter().forward(["a", 0.2, 0.7]), InvalidArgument, "must be numbers"),
    ("nan input", lambda: chapter().forward([0.5, float("nan"), 0.7]), InvalidArgument, "The input holds nan for 'I2'; values must be finite"),
    ("inf input in a batch", lambda: chapter().forward([[0, 0, 0], [0, 0, np.inf]]), InvalidArgument, "The input holds inf for 'I3' in row 1"),
    ("missing named input", lambda: chapter().forward({"I1": 0.5, "I2": 0.2}), ShapeError, "missing: I3"),
    ("unknown named input", lambda: chapter().forward({"I1": 0.5, "I2": 0.2, "I3": 0.7, "I4": 1}), ShapeError, "unknown: I4"),
    ("backward before forward", lambda: chapter().backward([0.3]), NotComputedError, "call net.forward(x) first"),
    ("loss before forward", lambda: chapter().loss([0.3]), NotComputedError, "call net.forward(x) first"),
    ("backward after a structural change", lambda: _changed_after_forward().backward([0.3]), NotComputedError, "current structure"),
    ("wrong target width", lambda: computed().backward([0.3, 0.1]), ShapeError, "Expected targets of shape (1,)"),
    ("nan target", lambda: computed().backward([float("nan")]), InvalidArgument, "The target holds nan for 'O6'"),
    ("no inputs", lambda: nodenet.Network().forward([]), TopologyError, "no input nodes"),
    ("no outputs", lambda: _inputs_only().forward([1.0]), TopologyError, "no output nodes"),
    ("gradient check eps", lambda: nodenet.check_gradients(chapter(), [0, 0, 0], [0], eps=0), InvalidArgument, "eps must be"),
    ("diagram show", lambda: nodenet.to_dot(chapter(), show="some"), InvalidArgument, "show must be one of 'all'"),
    ("diagram sample", lambda: nodenet.to_dot(computed(), sample=2), InvalidArgument, "sample=2 needs a batch"),
    ("diagram format", lambda: nodenet.render(chapter(), "net.jpg"), InvalidArgument, "the formats are png, svg, pdf, dot"),
]


def _softmax_feeding():
    net = softmax_net()
    net.add_output("O9")
    return net.connect("O3", "O9")


def _feeding_output_to_softmax():
    net = nodenet.Network()
    net.add_input("I1")
    net.add_output("O2")
    net.add_output("O3")
    net.connect("O2", "O3")
    net["O2"].activation = "softmax"


def _changed_after_forward():
    net = computed()
    net.add_node("H7")
    return net


def _inputs_only():
    net = nodenet.Network()
    net.add_input("I1")
    return net


@pytest.mark.parametrize("call, error, fragment", [case[1:] for case in BAD_CALLS], ids=[case[0] for case in BAD_CALLS])
def test_bad_call(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, NodenetError)
    assert fragment in str(info.value)


def test_errors_are_also_builtins():
    assert issubclass(NodeNotFound, LookupError) and issubclass(NodeNotFound, ValueError)
    assert issubclass(CycleError, TopologyError) and issubclass(ShapeError, ValueError)
    assert issubclass(NotComputedError, RuntimeError)
    assert issubclass(nodenet.DivergenceError, FloatingPointError)
    assert issubclass(nodenet.FormatError, ValueError)


def test_refused_connection_leaves_the_network_unchanged():
    net = chapter()
    before = [(c.source.name, c.target.name, c.weight) for c in net.connections]
    with pytest.raises(CycleError):
        net.connect("O6", "H4", weight=1.0)
    with pytest.raises(InvalidArgument):
        net.connect("I1", "O6", weight="x")
    assert [(c.source.name, c.target.name, c.weight) for c in net.connections] == before
    assert net.graph.number_of_edges() == 8 and not net.graph.has_edge("I1", "O6")
    assert net["O6"].incoming == [net.connection("H4", "O6"), net.connection("H5", "O6")]


def test_unknown_node_is_not_a_bare_key_error():
    with pytest.raises(NodeNotFound) as info:
        chapter()["nope"]
    assert info.value.__cause__ is not None  # chained from the lookup that failed
    assert str(info.value).startswith("Node 'nope' not found")


def test_refused_nodes_leave_the_parameter_store_untouched():
    net = chapter()
    size, version, in_use = net.store.size, net.store.version, net.store.in_use
    for call in (lambda: net.add_node("H4"), lambda: net.add_node("H9", activation="softmax"),
                 lambda: net.add_node("H9", bias="x"), lambda: net.add_output("O6")):
        with pytest.raises(NodenetError):
            call()
    assert (net.store.size, net.store.version, net.store.in_use) == (size, version, in_use) == (11, version, 11)
    assert len(net) == 6
