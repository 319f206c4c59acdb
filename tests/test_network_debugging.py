"""Debugger stops: forward(x, stop_at=...) and backward(y, stop_at=...) call breakpoint()."""

import os
import pathlib
import subprocess
import sys

import pytest

import nodenet

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def stops(monkeypatch):
    """Replace the debugger by a hook that records the locals of the stopping frame."""
    seen = []

    def hook(*args, **kwargs):
        frame = sys._getframe(1)
        node = frame.f_locals["node"]
        seen.append((node.name, node.pre, node.grad_pre, dict(frame.f_locals)))

    monkeypatch.setattr(sys, "breakpointhook", hook)
    return seen


def chapter():
    return nodenet.Network.from_layers([3, 2, 1], seed=13)


def test_forward_stops_once_just_before_the_node(stops):
    net = chapter()
    net.forward([0.5, 0.2, 0.7], stop_at="H5")
    [(name, pre, _, frame)] = stops
    assert name == "H5" and pre is None  # not computed yet
    assert [conn.source.name for conn in frame["incoming"]] == ["I1", "I2", "I3"]
    assert net["H5"].pre == pytest.approx(0.4514256, abs=1e-7)


def test_backward_stops_before_the_gradients_of_the_node(stops):
    net = chapter()
    net.forward([0.5, 0.2, 0.7])
    net.backward([0.3], stop_at=net["H4"])
    [(name, _, grad_pre, frame)] = stops
    assert name == "H4" and grad_pre is None
    assert [conn.target.name for conn in frame["outgoing"]] == ["O6"]
    assert frame["outgoing"][0].target.grad_pre is not None  # O6 was computed before H4
    assert net["H4"].grad_pre == pytest.approx(-0.0073932, abs=1e-7)


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


def test_a_real_pdb_session_on_the_example_script():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONBREAKPOINT", None)
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "debugging.py")],
        input="p node.name\np node.pre\nr\np node.pre\nc\n",
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    out = run.stdout
    assert "(Pdb) 'H5'" in out
    assert "(Pdb) None" in out  # H5.pre before it is computed
    assert "(Pdb) 0.45142556" in out  # and after `r` ran the node's computation
    assert out.rstrip().endswith("prediction O6 = 0.099116")
