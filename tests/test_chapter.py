"""The chapter's worked example, reproduced number for number.

The reference below is an independent plain-Python computation of the
chapter's 3-2-1 network (sigmoid hidden nodes, identity output, L2 loss),
with its initial weights drawn as its code draws them: ``np.random.seed(13)``,
then six input-to-hidden weights from U[-1/sqrt(3), 1/sqrt(3)], two
hidden-to-output weights from U[-1/sqrt(2), 1/sqrt(2)], and three biases
``(u - 0.5) * 0.5``.
"""

import math

import numpy as np
import pytest

import nodenet

X = [0.5, 0.2, 0.7]
Y = 0.3
LR = 0.2
EPOCHS = 1000


def chapter_initial_parameters():
    rng = np.random.RandomState(13)
    lo = -1.0 / math.sqrt(3.0)
    w = {key: lo + rng.random_sample() * (-2 * lo) for key in ("14", "24", "34", "15", "25", "35")}
    lo = -1.0 / math.sqrt(2.0)
    w.update({key: lo + rng.random_sample() * (-2 * lo) for key in ("46", "56")})
    b = {key: (rng.random_sample() - 0.5) * 0.5 for key in ("4", "5", "6")}
    return w, b


def by_hand_epochs():
    """Yield, for each epoch, every signal and derivative computed by hand."""
    w, b = chapter_initial_parameters()
    x1, x2, x3 = X
    for _ in range(EPOCHS):
        h4_in = w["14"] * x1 + w["24"] * x2 + w["34"] * x3 + b["4"]
        h5_in = w["15"] * x1 + w["25"] * x2 + w["35"] * x3 + b["5"]
        h4, h5 = 1 / (1 + math.exp(-h4_in)), 1 / (1 + math.exp(-h5_in))
        o6 = w["46"] * h4 + w["56"] * h5 + b["6"]
        d_o6 = o6 - Y  # dL/dO6; identity output so dL/dO6_in is the same
        d_h4, d_h5 = w["46"] * d_o6, w["56"] * d_o6
        d_h4_in, d_h5_in = (1 - h4) * h4 * d_h4, (1 - h5) * h5 * d_h5
        grads = {
            "14": x1 * d_h4_in, "24": x2 * d_h4_in, "34": x3 * d_h4_in,
            "15": x1 * d_h5_in, "25": x2 * d_h5_in, "35": x3 * d_h5_in,
            "46": h4 * d_o6, "56": h5 * d_o6,
        }
        bias_grads = {"4": d_h4_in, "5": d_h5_in, "6": d_o6}
        d_inputs = [w[f"{i}4"] * d_h4_in + w[f"{i}5"] * d_h5_in for i in "123"]
        yield {
            "weights": dict(w), "biases": dict(b), "pre": {"H4": h4_in, "H5": h5_in, "O6": o6},
            "post": {"H4": h4, "H5": h5, "O6": o6},
            "grad_post": {"H4": d_h4, "H5": d_h5, "O6": d_o6},
            "grad_pre": {"H4": d_h4_in, "H5": d_h5_in, "O6": d_o6},
            "grads": grads, "bias_grads": bias_grads, "d_inputs": d_inputs,
            "loss": 0.5 * d_o6 ** 2,
        }
        w = {key: w[key] - LR * grads[key] for key in w}
        b = {key: b[key] - LR * bias_grads[key] for key in b}


def sgd_step(net):
    for conn in net.connections:
        conn.weight -= LR * conn.grad_weight
    for node in net.nodes:
        if node.kind != "input":
            node.bias -= LR * node.grad_bias


def test_initial_weights_are_the_chapters():
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    w, b = chapter_initial_parameters()
    for key, value in w.items():
        assert net.connection(f"{'I' if key[0] in '123' else 'H'}{key[0]}",
                              f"{'H' if key[1] in '45' else 'O'}{key[1]}").weight == value
    assert [net[f"{'O' if k == '6' else 'H'}{k}"].bias for k in b] == list(b.values())
    assert w["14"] == pytest.approx(0.320663123, abs=1e-9)


def test_every_number_of_every_epoch_matches_the_hand_computation():
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    tol = dict(rel=0, abs=1e-12)
    for epoch, expected in enumerate(by_hand_epochs()):
        prediction = net.forward(X)
        loss = net.backward([Y])
        assert loss == pytest.approx(expected["loss"], **tol)
        for name in ("H4", "H5", "O6"):
            node = net[name]
            assert type(node.pre) is float and type(node.grad_pre) is float
            assert node.pre == pytest.approx(expected["pre"][name], **tol)
            assert node.post == pytest.approx(expected["post"][name], **tol)
            assert node.grad_post == pytest.approx(expected["grad_post"][name], **tol)
            assert node.grad_pre == pytest.approx(expected["grad_pre"][name], **tol)
            assert node.grad_bias == pytest.approx(expected["bias_grads"][name[1]], **tol)
        for conn in net.connections:
            key = conn.source.name[1] + conn.target.name[1]
            assert conn.weight == pytest.approx(expected["weights"][key], **tol), (epoch, key)
            assert conn.grad_weight == pytest.approx(expected["grads"][key], **tol), (epoch, key)
        for node, d_input in zip(net.inputs, expected["d_inputs"]):
            assert node.grad_pre == pytest.approx(d_input, **tol)
        sgd_step(net)
    assert float(prediction[0]) == pytest.approx(Y, abs=1e-6)


def test_first_epoch_values_read_like_the_walkthrough():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward(X)
    net.backward([Y])
    # the output is linear: dL/dO6_in equals dL/dO6 = O6 - y (no sigmoid factor, erratum 2)
    assert net["O6"].grad_pre == net["O6"].grad_post == net["O6"].post - Y
    # dH4_in/dI1 is the weight λ1,4 (erratum 3): I1's gradient sums the two paths
    paths = sum(net.connection("I1", h).weight * net[h].grad_pre for h in ("H4", "H5"))
    assert net["I1"].grad_pre == pytest.approx(paths, abs=1e-15)
    assert net.connection("I3", "H5").symbol == "λ3,5"  # erratum 1
