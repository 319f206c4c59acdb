"""Every fast path equals the textbook: bitwise on one sample, 1e-12 relative on batches."""

import copy

import numpy as np
from hypothesis import given, settings

from nodenet import backprop, engine
from nodenet.losses import get_loss
from nodenet.testing import assert_equivalent, problems, run_path, snapshot


@given(problems())
def test_the_fast_path_of_each_pass_equals_the_textbook(problem):
    net, x, y, loss = problem
    textbook = run_path(net, x, y, loss, "textbook")
    if x.ndim == 1:
        assert_equivalent(textbook, run_path(net, x, y, loss, "one sample"), exact=True)
    assert_equivalent(textbook, run_path(net, x, y, loss, "compiled plan"))


@given(problems())
def test_the_engine_picks_a_path_with_the_textbook_numbers(problem):
    """What users call (net.forward / net.backward) against the textbook, and stepping against both."""
    net, x, y, loss = problem
    textbook = run_path(net, x, y, loss, "textbook")
    twin = copy.deepcopy(net)
    outputs = engine.forward(twin, x).copy()
    assert_equivalent(textbook, snapshot(twin, outputs, engine.backward(twin, y, loss=loss)), exact=x.ndim == 1)
    stepped = copy.deepcopy(net)
    *_, last = stepped.forward_steps(x)
    steps = stepped.backward_steps(y, loss=loss)
    for _ in stepped.nodes:
        next(steps)
    value = backprop.backward_pass(copy.deepcopy(stepped), y, get_loss(loss))  # the loss of the stepped signals
    assert_equivalent(textbook, snapshot(stepped, np.array([n.post for n in stepped.outputs]).T, value), exact=True)


@settings(max_examples=40)
@given(problems(batch=1))
def test_the_plan_on_one_row_equals_the_one_sample_path(problem):
    net, x, y, loss = problem
    assert_equivalent(run_path(net, x[0], y[0], loss, "one sample"), run_path(net, x, y, loss, "compiled plan"))
