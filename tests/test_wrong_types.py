"""Wrong types and ranges are reported by nodenet, naming the argument, and change nothing."""

import re
import shutil

import numpy as np
import pytest

import nodenet
from nodenet.errors import ArgumentTypeError, InvalidArgument, NodenetError, NumericalError, ShapeError

from hardening import chapter, saved

X = [[0.5, 0.2, 0.7], [0.1, 0.9, 0.4]]
Y = [[0.3], [0.6]]


def history():
    return chapter().fit(X, Y, epochs=2, lr=0.1)


class ReturnsNew(nodenet.Optimizer):
    """A custom optimizer whose step returns new values instead of updating in place."""

    def __init__(self):
        super().__init__(lr=0.1)

    def step(self, values, grads, lr=None):
        return np.asarray(values) - 0.5


WRONG = [
    # (id, call on a fresh chapter network, error class (also the builtin), message fragment)
    ("seed of 2**32", lambda net: nodenet.Network.from_layers([2, 1], seed=2**32), InvalidArgument, "below 2**32"),
    ("negative seed", lambda net: nodenet.Network.from_layers([2, 1], seed=-1), InvalidArgument, "an int >= 0"),
    ("ragged rows", lambda net: net.predict([[0.5, 0.2, 0.7], [0.1, 0.2]]), InvalidArgument, "rows have different lengths"),
    ("text in inputs", lambda net: net.predict([["a", "b", "c"]]), InvalidArgument, "must be numbers"),
    ("tol -1", lambda net: nodenet.check_gradients(net, X, Y, tol=-1), InvalidArgument, "tol must be a finite number >= 0"),
    ("inputs 'no'", lambda net: nodenet.check_gradients(net, X, Y, inputs="no"), InvalidArgument, "inputs must be True or False"),
    ("step lengths", lambda net: nodenet.SGD(lr=0.1).step([1.0, 2.0], [1.0]), ShapeError, "one gradient per value"),
    ("step NaN gradient", lambda net: nodenet.SGD(lr=0.1).step([1.0], [np.nan]), NumericalError, "needs finite gradients"),
    ("sample with text", lambda net: nodenet.export_html(history(), "/tmp/x.html", sample=([0.1, 0.2, 0.3], ["d"])),
     InvalidArgument, "must be numbers"),
    ("save(str, path)", lambda net: nodenet.save("net", "/tmp/net.json"), ArgumentTypeError, "needs a nodenet.Network"),
    ("fit(str)", lambda net: nodenet.fit("net", X, Y, epochs=1, lr=0.1), ArgumentTypeError, "fit needs a nodenet.Network"),
    ("to_dot(str)", lambda net: nodenet.to_dot("net.json"), ArgumentTypeError, "load a saved model with nodenet.load"),
    ("render(None)", lambda net: nodenet.render(net, None), ArgumentTypeError, "render needs a file path"),
    ("render(net=None)", lambda net: nodenet.render(None, "net.svg"), ArgumentTypeError, "render needs a nodenet.Network"),
    ("load(None)", lambda net: nodenet.load(None), ArgumentTypeError, "load needs a file path"),
    ("bytes path", lambda net: nodenet.load(b"net.json"), ArgumentTypeError, "load needs a file path"),
    ("check_gradients(str)", lambda net: nodenet.check_gradients("net", X, Y), ArgumentTypeError, "check_gradients needs"),
    ("export_html(net)", lambda net: nodenet.export_html(net, "/tmp/x.html"), ArgumentTypeError, "the History that fit returned"),
    ("epochs text", lambda net: net.fit(X, Y, epochs="10", lr=0.1), InvalidArgument, "epochs"),
]


@pytest.mark.parametrize(("label", "call", "error", "fragment"), WRONG, ids=[row[0] for row in WRONG])
def test_wrong_types_and_ranges_get_a_nodenet_error_and_change_nothing(label, call, error, fragment):
    if label.startswith("sample") and shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed (apt-get install graphviz)")
    net = chapter()
    before = saved(net)
    with pytest.raises(error, match=re.escape(fragment)) as caught:
        call(net)
    assert isinstance(caught.value, NodenetError)
    if error is ArgumentTypeError:
        assert isinstance(caught.value, TypeError)
    assert saved(net) == before


def test_a_custom_optimizer_step_that_returns_new_values_is_applied():
    net = chapter()
    weights = [conn.weight for conn in net.connections]
    net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=1, optimizer=ReturnsNew(), record_every=0)
    assert [conn.weight for conn in net.connections] == pytest.approx([w - 0.5 for w in weights], abs=1e-15)
