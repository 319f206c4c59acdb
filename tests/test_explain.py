"""Explanations: the chapter's formulas with the numbers of the caches."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nodenet
from nodenet.activations import ACTIVATIONS, get_activation
from nodenet.parameters import Parameters
from nodenet.testing import inputs_for, networks, targets_for

X, Y = [0.5, 0.2, 0.7], 0.3


def chapter():
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    net.forward(X)
    net.backward([Y])
    return net


def by_hand(net):
    """The chapter's walkthrough in plain Python, from the network's weights."""
    w = {(c.source.name, c.target.name): c.weight for c in net.connections}
    b = {n: net[n].bias for n in ("H4", "H5", "O6")}
    x = dict(zip(("I1", "I2", "I3"), X))
    h4_in = sum(w[(i, "H4")] * x[i] for i in x) + b["H4"]
    h5_in = sum(w[(i, "H5")] * x[i] for i in x) + b["H5"]
    h4, h5 = 1 / (1 + math.exp(-h4_in)), 1 / (1 + math.exp(-h5_in))
    o6 = w[("H4", "O6")] * h4 + w[("H5", "O6")] * h5 + b["O6"]
    d_o6 = o6 - Y
    d_h4 = w[("H4", "O6")] * d_o6
    d_h4_in = (1 - h4) * h4 * d_h4
    return dict(w=w, b=b, x=x, h4_in=h4_in, h4=h4, o6=o6, d_o6=d_o6, d_h4=d_h4, d_h4_in=d_h4_in)


def f(value):
    return f"{value:.4f}"


def test_h4_reads_like_the_walkthrough_with_hand_computed_numbers():
    net = chapter()
    v = by_hand(net)
    w, x = v["w"], v["x"]
    products = " + ".join(f"({f(w[(i, 'H4')])})({f(x[i])})" for i in ("I1", "I2", "I3"))
    assert str(net.explain("H4")).splitlines() == [
        "H4 (hidden, sigmoid)",
        f"H4_in = λ1,4·I1 + λ2,4·I2 + λ3,4·I3 + b4 = {products} + ({f(v['b']['H4'])}) = {f(v['h4_in'])}",
        f"H4 = σ(H4_in) = σ({f(v['h4_in'])}) = {f(v['h4'])}",
        f"∂L/∂H4 = λ4,6·∂L/∂O6_in = ({f(w[('H4', 'O6')])})({f(v['d_o6'])}) = {f(v['d_h4'])}",
        f"∂L/∂H4_in = (1 − H4)·H4·∂L/∂H4 = (1 − {f(v['h4'])})({f(v['h4'])})({f(v['d_h4'])}) = {f(v['d_h4_in'])}",
        *(
            f"∂L/∂λ{i[1]},4 = {i}·∂L/∂H4_in = ({f(x[i])})({f(v['d_h4_in'])}) = {f(x[i] * v['d_h4_in'])}"
            for i in ("I1", "I2", "I3")
        ),
        f"∂L/∂b4 = ∂L/∂H4_in = {f(v['d_h4_in'])}",
    ]
    assert f(v["h4_in"]) == "0.4326" and f(v["h4"]) == "0.6065"


def test_identity_output_has_derivative_one_not_the_chapters_sigmoid_factor():
    net = chapter()
    v = by_hand(net)
    lines = str(net.explain("O6")).splitlines()
    assert lines[3] == f"∂L/∂O6 = (O6 − y6) = ({f(v['o6'])} − 0.3000) = {f(v['d_o6'])}"
    assert lines[4] == f"∂L/∂O6_in = 1·∂L/∂O6 = (1)({f(v['d_o6'])}) = {f(v['d_o6'])}"
    assert "(1 − O6)" not in str(net.explain())


def test_whole_network_goes_forward_then_backward():
    net = chapter()
    text = str(net.explain())
    titles = [line for line in text.splitlines() if "=" not in line]
    assert titles == [
        f"{node.name} ({node.kind}, {node.activation}): {phase}"
        for phase, order in (("forward", net.nodes), ("backward", net.nodes[::-1]))
        for node in order
    ]
    assert titles[3] == "H4 (hidden, sigmoid): forward"
    assert "∂L/∂I1 = λ1,4·∂L/∂H4_in + λ1,5·∂L/∂H5_in" in text  # the two paths, erratum 3


def test_formats_and_jupyter_reprs():
    net = chapter()
    explanation = net.explain("H4", format="latex")
    assert str(explanation) == explanation.latex
    assert explanation.latex.startswith("\\begin{aligned}") and "\\lambda_{1,4} \\cdot I_{1}" in explanation.latex
    assert explanation._repr_latex_() == "$$\n" + explanation.latex + "\n$$"
    markdown = net.explain("H4", format="markdown")
    assert str(markdown) == markdown._repr_markdown_() and markdown.markdown.startswith("**H4 (hidden, sigmoid)**")
    assert "\\frac{\\partial L}{\\partial H_{4}^{\\mathrm{in}}}" in markdown.markdown
    assert str(net.explain("H4")) == explanation.text == repr(explanation)


def test_a_sample_of_a_batch_reads_like_that_sample_alone():
    net = chapter()
    xs, ys = [[0.1, 0.9, -0.3], X], [[0.0], [Y]]
    net.forward(xs)
    net.backward(ys)
    batch_lines = str(net.explain("H5", sample=1)).splitlines()
    means = [line for line in batch_lines if line.startswith("mean ")]
    assert batch_lines[0] == "H5 (hidden, sigmoid), sample 2 of 2"
    # the batch means the network holds, with both samples' terms
    weights = [net.connection(name, "H5").grad_weight for name in ("I1", "I2", "I3")]
    assert [float(line.rsplit(" = ", 1)[1]) for line in means] == [round(g, 4) for g in [*weights, net["H5"].grad_bias]]
    assert means[0].startswith("mean ∂L/∂λ1,5 = (1/2)·Σ I1·∂L/∂H5_in = ((0.0008) + (")
    net.forward(X)
    net.backward([Y])
    single = str(net.explain("H5")).splitlines()
    assert [line for line in batch_lines[1:] if line not in means] == single[1:]


def test_errors_say_what_to_call_or_what_is_allowed():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    with pytest.raises(nodenet.NotComputedError, match=r"call net.forward\(x\) first"):
        net.explain("H4")
    net.forward(X)
    with pytest.raises(nodenet.NotComputedError, match=r"call net.backward\(y\) after net.forward\(x\)"):
        net.explain()
    net.backward([Y])
    with pytest.raises(nodenet.InvalidArgument, match="sample=1 needs a batch, but the caches hold one sample; use sample=0"):
        net.explain("H4", sample=1)
    with pytest.raises(nodenet.InvalidArgument, match="format must be one of text, markdown, latex"):
        net.explain("H4", format="pdf")
    with pytest.raises(nodenet.NodeNotFound, match="'H9' not found"):
        net.explain("H9")


def on_floats(function):
    return lambda value: float(function(float(value)))


FUNCTIONS = {name: on_floats(get_activation(name).value) for name in ACTIVATIONS if name != "softmax"}
FUNCTIONS["exp"] = math.exp


def evaluate(numbers):
    """The value of a formula's numbers side, e.g. ``(0.3)(0.5) + (0.1)``."""
    expression = numbers.replace("−", "-").replace("²", "**2").replace(")(", ")*(").replace("σ", "sigmoid")
    return eval(expression, dict(FUNCTIONS))


@st.composite
def explained(draw):
    softmax = draw(st.booleans())
    net = draw(networks(max_hidden=3, max_outputs=3, softmax=softmax))
    batch = draw(st.sampled_from([None, 2]))
    net.forward(draw(inputs_for(net, batch=batch)))
    net.backward(draw(targets_for(net, batch=batch, one_hot=softmax)), loss="cross_entropy" if softmax else "l2")
    return net, draw(st.integers(0, (batch or 1) - 1))


@given(explained())
def test_every_formula_evaluates_to_its_result_and_to_the_cache(problem):
    net, sample = problem
    text = str(net.explain(sample=sample, digits=12))
    checked = 0
    for line in text.splitlines():
        sides = line.split(" = ")
        if len(sides) == 4:
            # 12 decimals leave a small divisor (a softmax output near 0) with few significant digits
            assert evaluate(sides[2]) == pytest.approx(float(sides[3]), rel=1e-6, abs=1e-8), line
            checked += 1
    for node in net.nodes:
        post, grad_post = (float(np.atleast_1d(value)[sample]) for value in (node.post, node.grad_post))
        assert f" = {post:.12f}\n" in text + "\n"
        assert f"∂L/∂{node.name} = " in text and f" = {grad_post:.12f}\n" in text + "\n"
    assert checked >= len(net.nodes) - len(net.inputs)


def test_explain_refuses_signals_older_than_the_weights():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward(X)
    net.backward([Y])
    net.connection("I1", "H4").weight -= 0.2 * net.connection("I1", "H4").grad_weight
    with pytest.raises(nodenet.NotComputedError, match=r"weights or biases changed since the last one\); call net.forward"):
        net.explain("H4")


def test_explain_after_a_compiled_fit_shows_the_watched_sample_and_its_target():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.fit([[0.5, 0.2, 0.7], [0.1, 0.9, 0.4]], [[0.3], [0.8]], epochs=5, lr=0.2)
    text = str(net.explain("O6"))
    assert "∂L/∂O6 = (O6 − y6) = (" in text and "− 0.3000)" in text


def test_the_update_phase_writes_one_step_of_gradient_descent():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward([0.5, 0.2, 0.7]); net.backward([0.3])
    text = net.explain("O6", phase="update", lr=0.2).text.splitlines()
    conn = net.connection("H4", "O6")
    assert text[0] == "O6 (output, identity): update"
    assert text[1] == (f"λ4,6 ← λ4,6 − η·∂L/∂λ4,6 = ({conn.weight:.4f}) − (0.2000)({conn.grad_weight:.4f}) = "
                       f"{conn.weight - 0.2 * conn.grad_weight:.4f}")
    assert text[-1].startswith("b6 ← b6 − η·∂L/∂b6 = ")
    whole = net.explain(phase="update", lr=0.2, l2=0.1).text
    assert whole.count(": update") == 3 and "λ1,4 ← λ1,4 − η·(∂L/∂λ1,4 + l2·λ1,4)" in whole and "b4 ← b4 − η·∂L/∂b4" in whole
    with pytest.raises(nodenet.InvalidArgument, match=r"phase='update' needs the learning rate"):
        net.explain("O6", phase="update")
    with pytest.raises(nodenet.InvalidArgument, match=r"l1 \(the L1 penalty\) must be a number >= 0"):
        net.explain("O6", phase="update", lr=0.1, l1=-1)



def _last_line_of(text, symbol):
    """The value of the last line that writes ``symbol ← ...``: the parameter after the step."""
    return float([line for line in text.splitlines() if line.startswith(f"{symbol} ← ")][-1].rsplit(" = ", 1)[1])


@pytest.mark.parametrize(
    "optimizer",
    [nodenet.SGD(lr=0.3), nodenet.SGD(lr=0.3, momentum=0.9), nodenet.SGD(lr=0.3, momentum=0.8, nesterov=True), nodenet.Adam(lr=0.05)],
    ids=repr,
)
def test_the_update_phase_with_an_optimizer_ends_each_parameter_at_the_optimizer_s_next_value(optimizer):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    optimizer.reset()
    symbols = [f"λ{c.source.name[1:]},{c.target.name[1:]}" for c in net.connections] + ["b4", "b5", "b6"]
    for _ in range(3):  # from the second step on, velocities and moments are not zero
        net.forward([[0.5, 0.2, 0.7], [0.1, 0.9, 0.4]]); net.backward([[0.3], [0.8]])
        text = net.explain(phase="update", optimizer=optimizer, digits=17).text
        optimizer.update(net)
        after = Parameters(net).values
        assert [_last_line_of(text, symbol) for symbol in symbols] == pytest.approx(after.tolist(), rel=0, abs=2e-17)
    assert f"η = {optimizer.lr:.17f}, with the means over the batch of 2" in text.splitlines()[0]
    assert (f"Adam step t = {optimizer.steps}:" in text) == isinstance(optimizer, nodenet.Adam)
    # an optimizer last used on another network starts afresh there, and explain shows that step
    other = nodenet.Network.from_layers([3, 2, 1], seed=5)
    other.forward([0.5, 0.2, 0.7]); other.backward([0.3])
    text = other.explain(phase="update", optimizer=optimizer, digits=17).text
    optimizer.update(other)
    assert [_last_line_of(text, symbol) for symbol in symbols] == pytest.approx(Parameters(other).values.tolist(), rel=0, abs=2e-17)


def test_the_update_phase_writes_momentum_adam_and_the_schedule_s_rate():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward([0.5, 0.2, 0.7]); net.backward([0.3])
    momentum = net.explain("O6", phase="update", optimizer=nodenet.SGD(lr=0.2, momentum=0.9)).text.splitlines()
    assert momentum[0] == "O6 (output, identity): update, momentum μ = 0.9; v(λ) is λ's velocity, η = 0.2000"
    assert momentum[1].startswith("v(λ4,6) ← μ·v(λ4,6) − η·∂L/∂λ4,6 = (0.9000)(0.0000) − (0.2000)(")
    assert momentum[2].startswith("λ4,6 ← λ4,6 + v(λ4,6) = (0.1542) + (")
    adam = net.explain("O6", phase="update", optimizer="adam", lr=0.01, format="latex").latex
    assert r"\hat{m} = m(\lambda_{4,6})/(1 - \beta_1^{1})" in adam and r"\sqrt{\hat{v}} + \epsilon" in adam
    decayed = net.explain("O6", phase="update", lr=0.2, schedule=nodenet.TimeDecay(decay=0.5), epoch=2).text.splitlines()
    assert decayed[0] == "O6 (output, identity): update, η = 0.1000, TimeDecay(decay=0.5) at epoch 2 from η0 = 0.2"
    assert "(0.1000)" in decayed[1]
    with pytest.raises(nodenet.InvalidArgument, match=r"explain writes the steps of SGD .* and Adam"):
        class Halving(nodenet.SGD):
            pass
        net.explain("O6", phase="update", optimizer=Halving(lr=0.1))
    with pytest.raises(nodenet.InvalidArgument, match=r"epoch"):
        net.explain("O6", phase="update", lr=0.1, schedule="time", epoch=-1)
