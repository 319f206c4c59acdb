"""Optimizers and learning-rate schedules against updates computed by hand."""

import itertools
import math

import pytest

import nodenet
from nodenet.errors import InvalidArgument
from nodenet.optimizers import get_optimizer
from nodenet.parameters import Parameters
from nodenet.schedules import get_schedule

GRADS = [[0.5, -1.0], [0.25, 2.0], [-0.75, 0.5]]
START = [1.0, -2.0]


def run(optimizer, lr=None):
    values, seen = list(START), []
    for grads in GRADS:
        values = optimizer.step(values, grads, lr)
        seen.append(values.tolist())
    return seen


def test_sgd_is_plain_gradient_descent():
    # λ ← λ − η g, step by step: 1 - 0.1*0.5 = 0.95, 0.95 - 0.025 = 0.925, 0.925 + 0.075 = 1.0
    steps = run(nodenet.SGD(lr=0.1))
    assert steps[0] == pytest.approx([0.95, -1.9])
    assert steps[1] == pytest.approx([0.925, -2.1])
    assert steps[2] == pytest.approx([1.0, -2.15])


def test_sgd_momentum_by_hand():
    # v1 = -0.1 g1;  v2 = 0.9 v1 - 0.1 g2;  v3 = 0.9 v2 - 0.1 g3
    v1 = [-0.05, 0.1]
    v2 = [0.9 * -0.05 - 0.025, 0.9 * 0.1 - 0.2]       # [-0.07, -0.11]
    v3 = [0.9 * v2[0] + 0.075, 0.9 * v2[1] - 0.05]     # [0.012, -0.149]
    steps = run(nodenet.SGD(lr=0.1, momentum=0.9))
    expected, values = [], list(START)
    for v in (v1, v2, v3):
        values = [a + b for a, b in zip(values, v)]
        expected.append(values)
    for got, want in zip(steps, expected):
        assert got == pytest.approx(want, abs=1e-15)
    assert steps[2] == pytest.approx([1.0 - 0.05 - 0.07 + 0.012, -2.0 + 0.1 - 0.11 - 0.149])


def test_sgd_nesterov_by_hand():
    # θ ← θ + μ v_new − η g with v_new = μ v − η g
    steps = run(nodenet.SGD(lr=0.1, momentum=0.5, nesterov=True))
    v1 = [-0.05, 0.1]
    first = [1.0 + 0.5 * -0.05 - 0.05, -2.0 + 0.5 * 0.1 + 0.1]
    v2 = [0.5 * v1[0] - 0.025, 0.5 * v1[1] - 0.2]
    second = [first[0] + 0.5 * v2[0] - 0.025, first[1] + 0.5 * v2[1] - 0.2]
    assert steps[0] == pytest.approx(first, abs=1e-15)
    assert steps[1] == pytest.approx(second, abs=1e-15)


def test_adam_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    steps = run(nodenet.Adam(lr=lr))
    # step 1: m = 0.1 g, v = 0.001 g², corrected m̂ = g, v̂ = g²: moves by lr * sign(g)
    assert steps[0] == pytest.approx([1.0 - 0.01, -2.0 + 0.01], abs=1e-9)
    m = [0.1 * 0.5, 0.1 * -1.0]
    v = [0.001 * 0.25, 0.001 * 1.0]
    m = [0.9 * m[0] + 0.1 * 0.25, 0.9 * m[1] + 0.1 * 2.0]
    v = [0.999 * v[0] + 0.001 * 0.0625, 0.999 * v[1] + 0.001 * 4.0]
    second = [
        steps[0][i] - lr * (m[i] / (1 - b1**2)) / (math.sqrt(v[i] / (1 - b2**2)) + eps) for i in range(2)
    ]
    assert steps[1] == pytest.approx(second, rel=1e-14)
    # second coordinate: m̂ = (-0.09 + 0.2) / 0.19, v̂ = (0.000999 + 0.004) / 0.001999
    assert steps[1][1] == pytest.approx(-1.99 - 0.01 * (0.11 / 0.19) / math.sqrt(0.004999 / 0.001999), rel=1e-7)


def test_step_lr_overrides_and_reset_clears_state():
    opt = nodenet.SGD(lr=0.1, momentum=0.9)
    assert opt.step([1.0], [1.0], 0.5).tolist() == [0.5]
    opt.reset()
    assert opt.step([1.0], [1.0]).tolist() == [0.9]
    assert opt.steps == 1


def test_update_writes_into_the_objects_users_see():
    net = nodenet.Network.from_layers([2, 1], init="constant", scale=1.0, bias="zeros")
    conn = net.connection("I1", "O3")
    opt = nodenet.SGD(lr=0.5, momentum=0.5)
    net.forward([1.0, 0.0]); net.backward([0.0])          # ŷ = 1, grad of I1->O3 is 1
    opt.update(net)
    assert conn.weight == 0.5 and net["O3"].bias == -0.5
    conn.weight = 2.0                                    # a user edit between steps is respected
    net.forward([1.0, 0.0]); net.backward([0.0])          # ŷ = 1.5, grad 1.5
    opt.update(net)
    assert conn.weight == pytest.approx(2.0 + (0.5 * -0.5 - 0.5 * 1.5))
    assert net.connection("I1", "O3") is conn


def test_update_without_gradients_says_what_to_run():
    net = nodenet.Network.from_layers([1, 1], seed=0)
    with pytest.raises(nodenet.NotComputedError, match=r"No gradient for I1->O2, O2.bias; run net.forward"):
        nodenet.Adam(lr=0.1).update(net)


def test_parameter_order_matches_the_history_contract():
    net = nodenet.Network.from_layers([2, 2, 1], seed=0)
    names = Parameters(net).names
    assert names[:6] == [c.name for c in net.connections]
    assert names[6:] == ["H3.bias", "H4.bias", "O5.bias"]


@pytest.mark.parametrize(
    "schedule, expected",
    [
        (nodenet.Constant(), [0.2, 0.2, 0.2, 0.2]),
        (nodenet.TimeDecay(decay=0.5), [0.2, 0.2 / 1.5, 0.2 / 2.0, 0.2 / 2.5]),
        (nodenet.ChapterDecay(decay=0.5), [0.2, 0.2 / 1.5, 0.2 / 1.5 / 2.0, 0.2 / 1.5 / 2.0 / 2.5]),
        (nodenet.StepDecay(factor=0.1, every=2), [0.2, 0.2, 0.02, 0.02]),
        (nodenet.ExponentialDecay(gamma=0.5), [0.2, 0.1, 0.05, 0.025]),
    ],
)
def test_schedules_by_hand(schedule, expected):
    assert [schedule.rate(0.2, epoch) for epoch in range(4)] == pytest.approx(expected, rel=1e-15)
    assert list(itertools.islice(schedule.rates(0.2), 4)) == pytest.approx(expected, rel=1e-15)


def test_chapter_decay_compounds_faster_than_time_decay():
    chapter, usual = nodenet.ChapterDecay(decay=0.01), nodenet.TimeDecay(decay=0.01)
    assert chapter.rate(1.0, 100) < usual.rate(1.0, 100) / 10


@pytest.mark.parametrize("name, cls", [("sgd", nodenet.SGD), ("adam", nodenet.Adam)])
def test_optimizers_by_name(name, cls):
    opt = get_optimizer(name, lr=0.3)
    assert type(opt) is cls and opt.lr == 0.3


@pytest.mark.parametrize("name", ["constant", "time", "chapter", "step", "exponential"])
def test_schedules_by_name(name):
    assert get_schedule(name).name == name


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nodenet.SGD(lr=0), r"SGD lr \(learning rate\) must be a finite number > 0; got 0"),
        (lambda: nodenet.SGD(lr=float("nan")), "finite number > 0"),
        (lambda: nodenet.SGD(lr=0.1, momentum=1.0), r"SGD momentum must be a number in \[0, 1\); got 1.0"),
        (lambda: nodenet.SGD(lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda: nodenet.SGD(lr=0.1, momentum=0.5, nesterov="yes"), "nesterov must be True or False"),
        (lambda: nodenet.SGD(0.1), "positional"),
        (lambda: nodenet.Adam(lr=0.1, beta2=-0.1), r"Adam beta2 must be a number in \[0, 1\)"),
        (lambda: nodenet.Adam(lr=0.1, eps=0), "Adam eps must be a finite number > 0"),
        (lambda: nodenet.TimeDecay(decay=-1), "TimeDecay decay must be a finite number > 0"),
        (lambda: nodenet.StepDecay(every=0), "StepDecay every must be an int >= 1"),
        (lambda: nodenet.ExponentialDecay(gamma=2), r"ExponentialDecay gamma must be a number in \[0, 1\]"),
        (lambda: get_optimizer("rmsprop", lr=0.1), "Unknown optimizer 'rmsprop'; choose one of adam, sgd"),
        (lambda: get_optimizer("sgd"), "needs a learning rate: pass lr="),
        (lambda: get_schedule("cosine"), "Unknown schedule 'cosine'; choose one of constant, time, chapter"),
    ],
)
def test_bad_options_are_refused_early(make, message):
    with pytest.raises((InvalidArgument, TypeError), match=message):
        make()


def test_a_new_parameter_count_restarts_the_optimizer():
    opt = nodenet.Adam(lr=0.1)
    for _ in range(50):
        opt.step([1.0], [1.0])
    first = opt.step([1.0, 1.0], [1.0, 1.0])
    assert first.tolist() == pytest.approx([0.9, 0.9])  # Adam's first step moves by lr
    assert opt.steps == 1


def test_numpy_numbers_are_accepted_as_options():
    import numpy as np

    opt = nodenet.SGD(lr=np.float32(0.5), momentum=np.float64(0.25))
    assert opt.lr == 0.5 and opt.momentum == 0.25


def test_update_restarts_after_a_structural_change():
    net = nodenet.Network.from_layers([2, 1], init="constant", scale=1.0, bias="zeros")
    opt = nodenet.SGD(lr=0.5, momentum=0.9)
    net.forward([1.0, 0.0]); net.backward([0.0])
    opt.update(net)
    assert opt.velocity.any()
    net.disconnect("I2", "O3")
    net.forward([1.0, 0.0]); net.backward([0.0])
    opt.update(net)
    assert opt.steps == 1  # no velocity carried over from another structure
