"""Stepping generators: order, values and final caches equal the plain passes."""

import numpy as np
import pytest
from hypothesis import given

import nodenet
from nodenet.testing import problems


@given(problems())
def test_steps_visit_nodes_in_order_and_add_up_their_terms(problem):
    net, x, y, loss = problem
    steps = list(net.forward_steps(x))
    assert [s.node for s in steps] == net.nodes and {s.phase for s in steps} == {"forward"}
    backward = net.backward_steps(y, loss=loss)
    back = []
    with pytest.raises(StopIteration) as stop:
        while True:
            back.append(next(backward))
    assert stop.value.value == net.passes.loss_function.mean(np.array([n.post for n in net.outputs]).T, y)
    assert [s.node for s in back] == net.nodes[::-1] and {s.phase for s in back} == {"backward"}
    for step in steps:  # pre is the terms plus the bias, added one by one in this order
        if step.node.kind != "input":
            total = 0.0 if np.ndim(x) == 1 else np.zeros(len(x))
            for term in step.terms.values():
                total = total + term
            np.testing.assert_array_equal(total + step.node.bias, step.node.pre)
    for step in back:  # every cache a step reports is the final one
        for key, value in step.values.items():
            owner, attr = key.rsplit(".", 1)
            obj = net[owner] if "->" not in owner else net.connection(*owner.split("->"))
            np.testing.assert_array_equal(getattr(obj, attr), value)


def chapter():
    return nodenet.Network.from_layers([3, 2, 1], seed=13)


def test_partial_forward_leaves_later_nodes_empty_and_blocks_backward():
    net = chapter()
    net.forward([0.1, 0.1, 0.1]); net.backward([0.0])
    steps = net.forward_steps([0.5, 0.2, 0.7])
    for _ in range(4):
        step = next(steps)
    assert step.node.name == "H4" and step.values == {"H4.pre": net["H4"].pre, "H4.post": net["H4"].post}
    assert step.terms["I1->H4"] == net.connection("I1", "H4").weight * 0.5
    assert net["H5"].pre is None and net["O6"].post is None and net["H4"].grad_pre is None
    with pytest.raises(nodenet.NotComputedError, match="call net.forward"):
        net.backward([0.3])
    list(steps)
    assert net.backward([0.3]) == pytest.approx(0.020177114, abs=1e-9)


def test_partial_backward_fills_the_visited_nodes_only():
    net = chapter()
    net.forward([0.5, 0.2, 0.7]); net.backward([0.9])
    steps = net.backward_steps([0.3])
    first = next(steps)
    assert first.node.name == "O6" and first.terms == {"loss": net["O6"].post - 0.3}
    assert net["H4"].grad_post is None and net.connection("I1", "H4").grad_weight is None
    h5 = next(steps)
    assert h5.terms == {"H5->O6": net.connection("H5", "O6").weight * net["O6"].grad_pre}
    assert h5.values["H5.grad_post"] == h5.terms["H5->O6"]


def test_bad_arguments_are_refused_by_the_call_before_any_change():
    net = chapter()
    net.forward([0.5, 0.2, 0.7])
    with pytest.raises(nodenet.ShapeError):
        net.forward_steps([1.0])
    assert net["O6"].post is not None
    with pytest.raises(nodenet.ShapeError):
        net.backward_steps([1.0, 2.0])


def test_softmax_group_work_happens_at_its_last_member():
    net = nodenet.Network.from_layers([2, 3], output="softmax", seed=1)
    steps = list(net.forward_steps([0.5, -1.0]))
    assert list(steps[2].values) == ["O3.pre"] and net["O3"].post is not None
    assert list(steps[4].values) == ["O5.pre", "O3.post", "O4.post", "O5.post"]
    back = list(net.backward_steps([0.0, 1.0, 0.0], loss="cross_entropy"))
    assert back[0].node.name == "O5" and "O3.grad_pre" in back[0].values
    assert "O3.grad_pre" not in back[2].values and "O3.grad_bias" in back[2].values


def test_taking_exactly_every_forward_step_completes_the_pass():
    from itertools import islice

    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    steps = net.forward_steps([0.5, 0.2, 0.7])
    list(islice(steps, len(net.nodes)))  # the generator is not resumed after its last step
    assert net.backward([0.3]) == pytest.approx(0.020177114296907, rel=1e-12)


def test_changes_between_steps_stop_the_generators():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    steps = net.forward_steps([0.5, 0.2, 0.7])
    next(steps)
    net.add_node("H9")
    with pytest.raises(nodenet.TopologyError, match=r"changed while stepping.*net.forward_steps\(x\)"):
        next(steps)
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward([0.5, 0.2, 0.7])
    steps = net.backward_steps([0.3])
    next(steps)
    net.connection("I1", "H4").weight = 0.0
    with pytest.raises(nodenet.NotComputedError, match=r"weight or bias changed.*net.backward_steps\(y\)"):
        next(steps)


def test_a_weight_edited_between_forward_steps_never_leaves_stale_signals_current():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    steps = net.forward_steps([0.5, 0.2, 0.7])
    for _ in range(4):  # I1, I2, I3 and H4
        next(steps)
    stale, old_weight = net["H4"].pre, net.connection("I1", "H4").weight
    net.connection("I1", "H4").weight = 1.0
    with pytest.raises(nodenet.NotComputedError, match=r"weight or bias changed.*net.forward_steps\(x\)"):
        next(steps)
    assert not net.passes.current()
    with pytest.raises(nodenet.NotComputedError, match="backward needs the signals"):
        net.backward([0.3])
    assert f"{stale:.4g}" not in nodenet.to_dot(net, show="all").source  # no old H4_in beside the new weight
    net.forward([0.5, 0.2, 0.7])
    assert net["H4"].pre == pytest.approx(stale + 0.5 * (1.0 - old_weight), rel=1e-12)  # with the new weight
@pytest.mark.parametrize("between", ["forward", "backward", "compiled", "before the first step"])
@pytest.mark.parametrize("phase", ["forward", "backward"])
def test_another_pass_between_steps_stops_the_generators(phase, between):
    net = nodenet.Network.from_layers([2, 2, 1], seed=0)
    X, Y = np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[1.0], [0.0]])
    if phase == "forward":
        steps, restart = net.forward_steps(X), r"net.forward_steps\(x\)"
    else:
        net.forward(X)
        steps, restart = net.backward_steps(Y), r"net.backward_steps\(y\)"
    if between != "before the first step":
        next(steps)
    if between == "compiled":
        net.compile().forward(-X)
    else:
        net.forward(-X)
        if between == "backward":
            net.backward(Y)
    with pytest.raises(nodenet.NotComputedError, match="Another forward or backward pass.*" + restart):
        next(steps)
