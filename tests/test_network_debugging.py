"""Debugger stops: forward(x, stop_at=...) and backward(y, stop_at=...) open pdb on the textbook's formulas."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

import nodenet

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def stops(monkeypatch):
    """Replace the debugger by a hook that records the stopping frame."""
    seen = []

    def hook(*args, **kwargs):
        frame = sys._getframe(1)
        node = frame.f_locals["node"]
        seen.append((node.name, node.pre, node.grad_pre, frame.f_code.co_name))

    monkeypatch.setattr(sys, "breakpointhook", hook)
    return seen


def chapter():
    return nodenet.Network.from_layers([3, 2, 1], seed=13)


def test_forward_stops_once_just_before_the_node(stops):
    net = chapter()
    net.forward([0.5, 0.2, 0.7], stop_at="H5")
    assert stops == [("H5", None, None, "forward_node")]  # not computed yet
    assert net["H5"].pre == pytest.approx(0.4514256, abs=1e-7)


def test_backward_stops_before_the_gradients_of_the_node(stops):
    net = chapter()
    net.forward([0.5, 0.2, 0.7])
    net.backward([0.3], stop_at=net["H4"])
    [(name, _, grad_pre, function)] = stops
    assert (name, grad_pre, function) == ("H4", None, "backward_node")
    assert net["O6"].grad_pre is not None  # O6 was computed before H4
    assert net["H4"].grad_pre == pytest.approx(-0.0073932, abs=1e-7)


def test_a_batch_stops_too_and_gives_the_batch_numbers(stops):
    net = chapter()
    X = [[0.5, 0.2, 0.7], [0.1, 0.2, 0.3]]
    expected = net.forward(X).copy()
    assert net.forward(X, stop_at="O6").ravel().tolist() == pytest.approx(expected.ravel().tolist(), rel=1e-12)
    assert [stop[0] for stop in stops] == ["O6"]


def test_no_stop_without_stop_at_and_unknown_names_are_refused_first(stops):
    net = chapter()
    net.forward([0.5, 0.2, 0.7])
    net.backward([0.3])
    assert stops == []
    with pytest.raises(nodenet.NodeNotFound, match="'H9' not found; known nodes: I1, I2, I3, H4, H5, O6"):
        net.forward([0.0, 0.0, 0.0], stop_at="H9")
    assert net["O6"].grad_pre is not None  # refused before anything changed
    with pytest.raises(nodenet.NodeNotFound):
        net.backward([0.3], stop_at="O7")


def pdb_session(script, commands):
    """Run ``script`` under a real pdb (stdin-driven), return what the learner sees."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONBREAKPOINT", None)
    run = subprocess.run(
        [sys.executable, *script], input="\n".join(commands) + "\n",
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    return run.stdout


def listed_function(out):
    """The source lines that ``ll`` printed (numbered lines), without their numbers."""
    lines = (line.removeprefix("(Pdb) ") for line in out.splitlines())
    return [re.sub(r"^\s*\d+\s+(->)?\t", "", line) for line in lines if re.match(r"^\s*\d+\s+(->)?\t", line)]


def test_pdb_opens_the_forward_pass_on_the_formula_of_the_node():
    out = pdb_session([str(ROOT / "examples" / "debugging.py")],
                      ["p node.name", "ll", "n", "n", "p conn.source.name, conn.weight * conn.source.post",
                       "r", "p node.pre", "c"])
    assert "forward_node()\n-> pre = zero" in out  # stopped before H5's first term
    source = listed_function(out)
    assert 5 <= len(source) <= 30 and source[0].startswith("def forward_node(")
    code = "\n".join(source)
    for shown in ("conn.weight", "conn.source.post", "node.bias", "activation.value(node.pre)"):
        assert shown in code
    for hidden in ("_slot", "place", "__class__", "values.item"):
        assert hidden not in code
    assert "(Pdb) 'H5'" in out
    assert "-> pre = pre + conn.weight * conn.source.post" in out
    assert "(Pdb) ('I1', 0.2689004248649783)" in out  # the first term, λ1,5 · I1
    assert "(Pdb) 0.45142556" in out  # pre after `r` ran the rest of the node
    assert out.rstrip().endswith("prediction O6 = 0.099116")


def test_pdb_opens_the_backward_pass_on_the_formulas_of_the_node():
    script = ("import nodenet\n"
              "net = nodenet.Network.from_layers([3, 2, 1], seed=13)\n"
              "net.forward([0.5, 0.2, 0.7])\n"
              "print('loss', round(net.backward([0.3], stop_at='H4'), 6))\n")
    out = pdb_session(["-c", script], ["p node.name", "ll", "r", "p node.grad_pre, node.grad_bias", "c"])
    source = listed_function(out)
    assert 5 <= len(source) <= 30 and source[0].startswith("def backward_node(")
    code = "\n".join(source)
    for shown in ("conn.weight", "conn.target.grad_pre", ".derivative(", "grad_weight", "grad_bias"):
        assert shown in code
    for hidden in ("_slot", "place", "__class__", "values.item", "known["):
        assert hidden not in code
    assert "(Pdb) 'H4'" in out
    assert re.search(r"\(Pdb\) \(-0\.0073931\d+, -0\.0073931\d+\)", out)
    assert out.rstrip().endswith("loss 0.020177")
