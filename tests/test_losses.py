"""Losses: values, gradients against finite differences, no log(0)."""

import numpy as np
import pytest

from nodenet.losses import get_loss


@pytest.mark.parametrize("name", ["l2", "cross_entropy"])
def test_gradient_matches_finite_differences(name):
    loss = get_loss(name)
    post = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    target = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    grad = loss.grad(post, target)
    eps = 1e-7
    for index in np.ndindex(post.shape):
        up, down = post.copy(), post.copy()
        up[index] += eps
        down[index] -= eps
        numeric = (loss.value(up, target)[index[0]] - loss.value(down, target)[index[0]]) / (2 * eps)
        assert grad[index] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_l2_is_half_the_squared_error_per_sample():
    assert get_loss("l2").value(np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 1.0]])).tolist() == [2.5, 0.5]


def test_cross_entropy_never_takes_log_of_zero():
    ce = get_loss("cross_entropy")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = ce.value(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
        grad = ce.grad(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert np.isfinite(value) and value > 700 and np.all(np.isfinite(grad))


def test_cross_entropy_refuses_outputs_that_are_not_probabilities():
    import nodenet

    with pytest.raises(nodenet.InvalidArgument, match=r"probabilities in \[0, 1\].*got -0.5.*softmax"):
        get_loss("cross_entropy").value(np.array([-0.5, 1.0]), np.array([0.0, 1.0]))
