"""The compiled plan in single precision (``dtype=np.float32``) against float64.

The tolerance is the one ``Network.compile`` documents: signals and gradients
to about 1e-6 relative to their scale (held here to 1e-5), trainings to
about 1e-4 over tens of steps.
"""

import copy

import numpy as np
import pytest
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st

import nodenet
from nodenet.testing import inputs_for, networks, targets_for

F32 = np.dtype(np.float32)


def close(got, want, tolerance):
    """``got`` within ``tolerance`` of ``want``, relative to the scale of ``want`` (at least 1)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    return float(np.max(np.abs(got - want))) <= tolerance * scale if want.size else True


@st.composite
def problems(draw, softmax=False):
    net = draw(networks(max_hidden=6, max_outputs=3, softmax=softmax))
    rows = draw(st.integers(1, 6))
    return net, draw(inputs_for(net, batch=rows)), draw(targets_for(net, batch=rows, one_hot=softmax))


@settings(max_examples=100, deadline=None)
@given(st.booleans().flatmap(lambda softmax: problems(softmax=softmax).map(lambda p: (*p, softmax))))
def test_a_float32_pass_agrees_with_float64_on_random_dags(problem):
    net, X, Y, softmax = problem
    loss = "cross_entropy" if softmax else "l2"
    twin = copy.deepcopy(net)
    outputs = net.compile().forward(X)
    value = net.compile().backward(Y, loss=loss)
    grads = net.store.grads.copy()
    plan = twin.compile(dtype=np.float32)
    outputs32 = plan.forward(X)
    value32 = plan.backward(Y, loss=loss)
    assert plan.dtype == F32 and outputs32.dtype == F32
    assert close(outputs32, outputs, 1e-5)
    assert close(value32, value, 1e-5)
    assert close(twin.store.grads[: twin.store.size], grads[: net.store.size], 1e-5)
    assert twin.store.values.dtype == np.float64  # the parameters stay float64
    for node, node32 in zip(net.nodes, twin.nodes):  # the caches too, node by node
        assert close(node32.post, node.post, 1e-5) and close(node32.grad_pre, node.grad_pre, 1e-5), node.name


@settings(max_examples=40, deadline=None)
@given(problems(), st.sampled_from([None, 2]), st.sampled_from([0.0, 0.9]))
def test_a_float32_training_follows_the_float64_one(problem, batch_size, momentum):
    net, X, Y = problem
    twin = copy.deepcopy(net)
    options = dict(epochs=10, batch_size=batch_size, shuffle=False, optimizer=nodenet.SGD(lr=0.05, momentum=momentum))
    try:
        history = net.fit(X, Y, **options)
    except nodenet.DivergenceError:
        reject()
    # a training that blows up amplifies every rounding (float64's own too): compare the ones that descend
    assume(history.loss[-1] <= history.loss[0])
    history32 = twin.fit(X, Y, dtype=np.float32, **options)
    assert close(history32.parameters, history.parameters, 1e-4)
    assert close(history32.loss, history.loss, 1e-4)
    assert history32.parameters.dtype == np.float64


def test_adam_in_float32_follows_float64_on_a_layered_network():
    # Adam divides by the root of the squared gradients: a float32 rounding of a gradient near 0 can change a
    # step by a good part of the learning rate, so drawn networks would need a loose bound; this one does not
    rng = np.random.default_rng(0)
    X, Y = rng.random((64, 5)), rng.random((64, 2))
    runs = {}
    for dtype in (None, np.float32):
        net = nodenet.Network.from_layers([5, 16, 8, 2], seed=3)
        runs[dtype] = net.fit(X, Y, epochs=20, batch_size=16, shuffle=False, optimizer=nodenet.Adam(lr=0.01), dtype=dtype)
    assert close(runs[np.float32].parameters, runs[None].parameters, 1e-4)
    assert runs[np.float32].loss[-1] < runs[np.float32].loss[0]


def test_fit_in_float32_leaves_a_pass_of_the_watched_sample():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    twin = nodenet.Network.from_layers([3, 2, 1], seed=13)
    x, y = [[0.5, 0.2, 0.7]], [[0.3]]
    net.fit(x, y, epochs=200, lr=0.2)  # one row: float64 runs the generated trainer, float32 the plan
    twin.fit(x, y, epochs=200, lr=0.2, dtype=np.float32)
    for node, node32 in zip(net.nodes, twin.nodes):
        assert type(node32.post) is float
        assert node32.post == pytest.approx(node.post, rel=1e-5, abs=1e-6)
        assert node32.grad_pre == pytest.approx(node.grad_pre, rel=1e-4, abs=1e-6)
    assert twin.predict([0.5, 0.2, 0.7])[0] == pytest.approx(0.3, abs=1e-4)


def test_predict_in_float32_returns_float32_for_samples_and_rows():
    net = nodenet.Network.from_layers([3, 4, 2], seed=1)
    rows = np.random.default_rng(2).random((5, 3))
    one = net.predict(rows[0], dtype=np.float32)
    many = net.predict(rows, dtype="float32")
    assert one.dtype == F32 and one.shape == (2,)
    assert many.dtype == F32 and many.shape == (5, 2)
    np.testing.assert_allclose(many, net.predict(rows), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(one, many[0], rtol=1e-6)  # one row and five: BLAS may add in other orders
    assert net.predict(rows).dtype == np.float64 and net.predict(rows, dtype=np.float64).dtype == np.float64


def test_float32_and_float64_plans_are_kept_apart():
    net = nodenet.Network.from_layers([2, 3, 1], seed=0)
    assert net.compile(dtype=np.float32) is net.compile(dtype="float32")
    assert net.compile(dtype=np.float32) is not net.compile()
    assert net.compile().dtype == np.float64


@pytest.mark.parametrize("dtype", [int, np.float16, "float128", "x", True, [1]])
def test_other_dtypes_are_refused_by_name(dtype):
    net = nodenet.Network.from_layers([2, 1], seed=0)
    with pytest.raises(nodenet.InvalidArgument, match="dtype must be np.float64 .* or np.float32"):
        net.compile(dtype=dtype)
    with pytest.raises(nodenet.InvalidArgument, match="dtype must be"):
        net.predict([[0.1, 0.2]], dtype=dtype)
    with pytest.raises(nodenet.InvalidArgument, match="dtype must be"):
        net.fit([[0.1, 0.2]], [[0.0]], epochs=1, lr=0.1, dtype=dtype)
    assert net.connection("I1", "O3").grad_weight is None  # refused before any pass


def test_float32_with_the_textbook_path_is_refused():
    net = nodenet.Network.from_layers([2, 1], seed=0)
    with pytest.raises(nodenet.InvalidArgument, match="compiled=False asks for the textbook"):
        net.fit([[0.1, 0.2]], [[0.0]], epochs=1, lr=0.1, compiled=False, dtype=np.float32)
    with pytest.raises(nodenet.InvalidArgument, match="runs on the compiled plan"):
        net.predict([0.1, 0.2], compiled=False, dtype=np.float32)


def test_cross_entropy_in_float32_clips_at_float32s_smallest_number():
    # a true class whose probability underflows in float32: clipped at float64's tiny, 1/p overflowed to inf
    # in the float32 buffers and the softmax gradient became NaN (a false DivergenceError)
    X = np.array([[300.0, -200.0], [-250.0, 280.0], [10.0, 5.0]])
    Y = np.eye(3)
    losses = {}
    for dtype in (None, np.float32):
        net = nodenet.Network.from_layers([2, 3], output="softmax", seed=0)
        losses[dtype] = net.fit(X, Y, loss="cross_entropy", epochs=3, lr=1e-3, dtype=dtype).loss
        assert np.isfinite(net.store.grads[: net.store.size]).all()
    # float32 cannot hold the true class's probability (below 1e-38), so its gradient there is not float64's:
    # the numbers part, but both train
    assert losses[np.float32][-1] < losses[np.float32][0] and losses[None][-1] < losses[None][0]


def test_a_float32_backward_after_a_float64_forward_keeps_the_float64_signals():
    net = nodenet.Network.from_layers([2, 3, 1], seed=0)
    X, Y = np.array([[0.1, 0.2], [0.3, -0.7]]), np.array([[0.5], [0.1]])
    net.forward(X)
    before = [node.post.copy() for node in net.nodes]
    net.compile(dtype=np.float32).backward(Y)
    assert all(np.array_equal(node.post, kept) for node, kept in zip(net.nodes, before))
    assert net.nodes[-1].post.dtype == np.float64


def test_dtypes_in_another_byte_order_are_the_native_ones():
    net = nodenet.Network.from_layers([2, 1], seed=0)
    assert net.compile(dtype=">f4") is net.compile(dtype="float32")
    assert net.compile(dtype=">f4").dtype == np.dtype("float32")
    assert net.compile(dtype=">f8") is net.compile()


def test_a_float32_divergence_says_that_float64_may_go_on():
    net = nodenet.Network.from_layers([1, 1], seed=0)
    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    with pytest.raises(nodenet.DivergenceError, match="dtype=np.float64"):
        net.fit(X, 0.5 * X, epochs=500, lr=10.0, dtype=np.float32)
    with pytest.raises(nodenet.DivergenceError) as caught:
        nodenet.Network.from_layers([1, 1], seed=0).fit(X, 0.5 * X, epochs=500, lr=10.0)
    assert "float32" not in str(caught.value)
