"""Activations: values, derivatives against finite differences, stability."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nodenet
from nodenet.activations import ACTIVATIONS, Sigmoid, Softmax, get_activation

ELEMENTWISE = [name for name, cls in ACTIVATIONS.items() if not cls.is_group]


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(pre=st.floats(-8, 8).filter(lambda v: abs(v) > 1e-3))
def test_derivative_matches_finite_differences(name, pre):
    act = get_activation(name)
    eps = 1e-6
    numeric = (act.value(pre + eps) - act.value(pre - eps)) / (2 * eps)
    assert act.derivative(pre, act.value(pre)) == pytest.approx(numeric, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_scalar_and_array_paths_agree(name):
    act = get_activation(name)
    pres = np.linspace(-30, 30, 41)
    posts = act.value(pres)
    assert isinstance(posts, np.ndarray) and posts.shape == pres.shape
    for pre, post in zip(pres.tolist(), posts.tolist()):
        scalar = act.value(pre)
        assert type(scalar) is float and scalar == pytest.approx(post, rel=1e-15, abs=1e-300)
        assert act.derivative(pre, post) == pytest.approx(float(act.derivative(np.array(pre), np.array(post))), rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "tanh"])
def test_extreme_inputs_stay_finite(name):
    act = get_activation(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = act.value(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]))
    assert np.all(np.isfinite(values))
    assert math.isfinite(act.value(-1e4)) and math.isfinite(act.value(1e4))


def test_known_values():
    assert get_activation("sigmoid").value(0.0) == 0.5
    assert get_activation("sigmoid").derivative(0.0, 0.5) == 0.25  # (1 - post) * post
    assert get_activation("relu").value(-2.0) == 0.0 and get_activation("relu").derivative(0.0, 0.0) == 0.0
    assert get_activation("leaky_relu").value(-2.0) == -0.02
    assert get_activation("softplus").value(0.0) == pytest.approx(math.log(2.0))
    assert get_activation("identity").derivative(3.0, 3.0) == 1.0


def test_softmax_group_value_and_gradient():
    soft = Softmax()
    posts = soft.group_value([1000.0, 1001.0, 999.0])  # no overflow
    assert sum(posts) == pytest.approx(1.0) and all(math.isfinite(p) for p in posts)
    pres = np.array([0.3, -1.2, 2.0])
    grad_post = np.array([0.5, -0.25, 1.5])
    post = np.array(soft.group_value(pres.tolist()))
    jacobian = np.diag(post) - np.outer(post, post)
    assert soft.group_grad_pre(post.tolist(), grad_post.tolist()) == pytest.approx((jacobian @ grad_post).tolist())
    batch = soft.group_value([np.array([0.3, 1.0]), np.array([-1.2, 1.0]), np.array([2.0, 1.0])])
    assert batch[0].tolist() == pytest.approx([post[0], 1 / 3])


def test_specs_round_trip():
    for name in ACTIVATIONS:
        act = get_activation(name)
        assert get_activation(act.to_spec()) == act
    custom = get_activation({"name": "leaky_relu", "slope": 0.2})
    assert custom.to_spec() == {"name": "leaky_relu", "slope": 0.2} and custom != get_activation("leaky_relu")


class DoubledSigmoid(Sigmoid):
    name = "doubled_sigmoid"

    def value(self, pre):
        return 2.0 * super().value(pre)

    def derivative(self, pre, post):
        return post * (1.0 - post / 2.0)


@pytest.mark.parametrize("compiled", [False, True])
def test_a_subclass_formula_is_used_by_batch_passes_too(compiled):
    net = nodenet.Network.from_layers([2, 1, 1], seed=3)
    net["H3"].activation = DoubledSigmoid()
    single = net.forward([0.4, -0.3]).copy()
    net.backward([1.0])
    expected = net.connection("I1", "H3").grad_weight
    run = net.compile() if compiled else net
    np.testing.assert_allclose(run.forward(np.array([[0.4, -0.3]])), [single], rtol=1e-14)
    run.backward([[1.0]])
    assert net.connection("I1", "H3").grad_weight == pytest.approx(expected, rel=1e-14)
