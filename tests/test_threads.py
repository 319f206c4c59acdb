"""A network is not thread-safe: a second thread's call during a pass fails loudly."""

import sys
import threading

import pytest

import nodenet
from nodenet.errors import ConcurrentUseError


def test_a_pass_from_another_thread_during_a_pass_raises(monkeypatch):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    inside, release = threading.Event(), threading.Event()

    def hold(*args, **kwargs):  # the first thread stops inside its forward pass ...
        inside.set()
        release.wait(10)

    monkeypatch.setattr(sys, "breakpointhook", hold)
    first = threading.Thread(target=net.forward, args=([0.5, 0.2, 0.7],), kwargs={"stop_at": "H5"})
    first.start()
    assert inside.wait(10)
    try:  # ... and the second one is refused, whatever it calls
        for call in (lambda: net.forward([0.0, 0.0, 0.0]), lambda: net.predict([[0.1, 0.2, 0.3]]),
                     lambda: net.fit([[0.1, 0.2, 0.3]], [[0.0]], epochs=1, lr=0.1)):
            with pytest.raises(ConcurrentUseError, match="another thread is running a pass on this network"):
                call()
    finally:
        release.set()
        first.join(10)
    assert net["O6"].post == pytest.approx(0.0991164, abs=1e-7)  # the first thread's numbers, untouched
    assert net.forward([0.0, 0.0, 0.0]).shape == (1,)  # free again once it is done


def test_the_same_thread_may_nest_calls():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    seen = []
    net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=2, lr=0.1, callback=lambda info: seen.append(net.predict([0.5, 0.2, 0.7])))
    assert len(seen) == 2
