"""The compiled plan gives the textbook's numbers, caches and gradients."""

import copy

import numpy as np
import pytest

import nodenet
from nodenet import backprop
from nodenet.parameters import Parameters
from nodenet.testing import assert_equivalent, run_path

RTOL, ATOL = 1e-12, 1e-13


def test_caches_are_views_of_the_plan_signals():
    net = nodenet.Network.from_layers([3, 4, 2], seed=1)
    plan = net.compile()
    plan.forward(np.ones((5, 3)))
    plan.backward(np.zeros((5, 2)))
    h = net["H4"]
    assert h.pre.shape == (5,) and h.pre.base is not None
    assert type(net.connection("I1", "H4").grad_weight) is float


def test_plan_reads_weights_edited_by_hand_and_is_rebuilt_on_structure_change():
    net = nodenet.Network.from_layers([2, 2, 1], seed=1)
    plan = net.compile()
    X = np.array([[1.0, 2.0]])
    before = plan.forward(X)[0, 0]
    net.connection("H3", "O5").weight += 1.0
    assert plan.forward(X)[0, 0] == pytest.approx(before + net["H3"].post[0])
    net.add_node("H6")
    assert net.compile() is not plan


def test_a_scattered_level_keeps_one_matrix_that_follows_the_weights():
    net = nodenet.Network()  # a skip connection I1 -> O, none to P: the outputs' level is scattered
    i1, i2 = net.add_input("I1"), net.add_input("I2")
    h = net.add_node("H", activation="tanh", bias=0.1)
    o, p = net.add_output("O", bias=-0.2), net.add_output("P", bias=0.3)
    for source, target, weight in ((i1, h, 0.5), (i2, h, -0.3), (h, o, 0.8), (i1, o, 0.4), (h, p, -0.6)):
        net.connect(source, target, weight=weight)
    plan = net.compile()
    X = np.array([[1.0, 2.0], [0.5, -1.0], [-0.3, 0.2]])
    scattered = [level for level in plan._levels if level.scattered is not None]
    assert scattered
    kept = scattered[0].scattered
    for weight in (0.4, -1.5, 2.0):
        net.connection("I1", "O").weight = weight
        outputs = plan.forward(X)
        twin = copy.deepcopy(net)
        np.testing.assert_allclose(outputs, backprop.forward_pass(twin, X), rtol=1e-12)
        assert scattered[0].scattered is kept  # written in place, pass after pass
    # the matrix holds the weights at their places and zeros where no connection is
    assert sorted(kept.ravel().tolist()) == sorted([0.0] * (kept.size - 3) + [2.0, 0.8, -0.6])


def test_training_steps_agree_over_many_updates():
    reference = nodenet.Network.from_layers([4, 5, 3, 2], hidden="tanh", seed=7)  # trained by the textbook
    compiled = nodenet.Network.from_layers([4, 5, 3, 2], hidden="tanh", seed=7)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(16, 4)), rng.normal(size=(16, 2))
    plan = compiled.compile()
    for _ in range(200):
        backprop.forward_pass(reference, X)
        backprop.backward_pass(reference, Y, nodenet.get_loss("l2"))
        plan.forward(X, caches=False)
        plan.backward(Y, caches=False)
        for net in (reference, compiled):
            for conn in net.connections:
                conn.weight -= 0.05 * conn.grad_weight
            for node in net.nodes:
                if node.bias is not None:
                    node.bias -= 0.05 * node.grad_bias
    np.testing.assert_allclose([c.weight for c in compiled.connections], [c.weight for c in reference.connections], rtol=1e-9)


def test_backward_before_forward_is_refused():
    plan = nodenet.Network.from_layers([2, 1], seed=0).compile()
    with pytest.raises(nodenet.NotComputedError, match="plan.forward"):
        plan.backward([[0.0]])


def test_caches_never_alias_the_reused_training_buffers():
    net = nodenet.Network.from_layers([2, 3, 1], seed=2)
    plan = net.compile()
    X1, X2 = np.ones((4, 2)), np.zeros((4, 2))
    plan.forward(X1, caches=False)
    plan.backward(np.ones((4, 1)))
    kept = net["H3"].post.copy()
    held = net["H3"].post
    np.testing.assert_array_equal(net["I1"].pre, X1[:, 0])  # the scratch pass skipped the inputs' pre
    plan.forward(X2, caches=False)
    plan.backward(np.ones((4, 1)), caches=False)
    np.testing.assert_array_equal(held, kept)


def _skip_network():
    """A DAG with a skip connection (a scattered level) and an input feeding two levels (accumulated grad_post)."""
    net = nodenet.Network()
    a, b = net.add_input("a"), net.add_input("b")
    h, g, o = net.add_node("h", bias=0.2), net.add_node("g", activation="tanh", bias=-0.1), net.add_output("o", bias=0.3)
    for number, (source, target) in enumerate([(a, h), (b, h), (h, g), (a, g), (g, o), (b, o)]):
        net.connect(source, target).weight = 0.4 - 0.3 * number
    return net


@pytest.mark.parametrize("signals", ["plan with caches", "plan without caches", "textbook"])
@pytest.mark.parametrize("caches", [True, False])
def test_every_pairing_of_forward_and_backward_gives_the_textbook_gradients(signals, caches):
    """The plan's backward runs on its own signals (prepared views), on a scratch pass's, or on the textbook's caches."""
    X, Y = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 0.9]]), np.array([[0.2], [-0.4], [1.1]])
    reference = _skip_network()
    backprop.forward_pass(reference, X)
    expected_loss = backprop.backward_pass(reference, Y, nodenet.get_loss("l2"))
    net = _skip_network()
    plan = net.compile()
    if signals == "textbook":
        backprop.forward_pass(net, X)
    else:
        plan.forward(X, caches=signals == "plan with caches")
    assert plan.backward(Y, caches=caches) == pytest.approx(expected_loss, rel=RTOL)
    np.testing.assert_allclose(Parameters(net).grads(), Parameters(reference).grads(), rtol=RTOL, atol=ATOL)
    if caches:
        for node, expected in zip(net.nodes, reference.nodes):
            np.testing.assert_allclose(node.grad_post, expected.grad_post, rtol=RTOL, atol=ATOL)


def test_training_steps_read_the_stores_array_anew_when_it_is_replaced():
    """A step's views of the store are taken once: if the store's arrays were ever replaced, the step must not read the old ones."""
    net = nodenet.Network.from_layers([2, 3, 1], seed=4)
    plan = net.compile()
    X = np.array([[0.1, 0.2], [0.3, -0.4]])
    before = plan.run(X, caches=False).copy()
    net.store.values = net.store.values * 2.0  # a new array, as the store's growth makes (without a new structure here)
    after = plan.run(X, caches=False)
    np.testing.assert_allclose(after, net.predict(X, compiled=False), rtol=RTOL)
    assert not np.allclose(after, before)


@pytest.mark.parametrize("optimizer, batch_size", [("sgd", None), ("adam", 7), ("sgd", 1)])
def test_fit_trajectories_agree_between_paths(optimizer, batch_size):
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(30, 4)), rng.normal(size=(30, 2))
    histories = []
    for compiled in (False, True):
        net = nodenet.Network.from_layers([4, 6, 3, 2], hidden="tanh", seed=11)
        histories.append(net.fit(X, Y, epochs=40, lr=0.05, optimizer=optimizer, batch_size=batch_size,
                                 seed=5, compiled=compiled))
    reference, compiled = histories
    np.testing.assert_allclose(compiled.loss, reference.loss, rtol=1e-9)
    np.testing.assert_allclose(compiled.parameters, reference.parameters, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled.gradients[:-1], reference.gradients[:-1], rtol=1e-8, atol=1e-12)


def test_fit_refuses_a_bad_compiled_option():
    net = nodenet.Network.from_layers([1, 1], seed=0)
    with pytest.raises(nodenet.InvalidArgument, match="compiled must be None, True or False"):
        net.fit([[1.0]], [[0.0]], epochs=1, lr=0.1, compiled="yes")


@pytest.mark.parametrize("compiled", [False, True])
def test_fit_leaves_a_pass_of_the_watched_sample_at_the_final_parameters(compiled):
    net = nodenet.Network.from_layers([2, 3, 1], seed=4)
    X = np.arange(40.0).reshape(20, 2) / 40
    history = net.fit(X, X[:, :1], epochs=3, lr=0.1, batch_size=8, compiled=compiled, watch=5)
    reference = nodenet.Network.from_layers([2, 3, 1], seed=4)
    for conn in net.connections:
        reference.connection(conn.source.name, conn.target.name).weight = conn.weight
    for node in net.nodes:
        if node.bias is not None:
            reference[node.name].bias = node.bias
    reference.forward(X[5])
    reference.backward(X[5, :1])
    for node in net.nodes:  # one sample's caches are floats, whichever path ran the pass
        assert type(node.post) is float and type(node.grad_pre) is float
        assert node.post == pytest.approx(reference[node.name].post, rel=1e-12)
        assert node.grad_pre == pytest.approx(reference[node.name].grad_pre, rel=1e-12, abs=1e-15)
    assert net.passes.targets.tolist() == reference.passes.targets.tolist() == X[5, :1].tolist()
    assert {n.name: v for n, v in net.passes.loss_grads.items()} == pytest.approx(
        {n.name: v for n, v in reference.passes.loss_grads.items()}, rel=1e-12)
    assert net.connection("I1", "H3").grad_weight == pytest.approx(reference.connection("I1", "H3").grad_weight, rel=1e-12)
    assert history.predictions[-1][0] == pytest.approx(reference["O6"].post, rel=1e-12)
    assert "H3_in" in str(net.explain("H3"))  # ready to be explained



def test_a_plan_refuses_to_run_after_a_structural_change():
    X = np.ones((4, 3))
    for change in (lambda net: setattr(net["H4"], "activation", "relu"),
                   lambda net: (net.remove_node("H5"), net.connect("I2", "O6", weight=5.0))):
        net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        plan = net.compile()
        plan.forward(X)
        change(net)
        with pytest.raises(nodenet.TopologyError, match=r"built before the network's structure changed.*net.compile\(\)"):
            plan.forward(X)
        with pytest.raises(nodenet.TopologyError):
            plan.backward(np.zeros((4, 1)))
        np.testing.assert_allclose(net.compile().forward(X), net.forward(X), rtol=1e-12)


def test_plan_backward_after_a_one_sample_forward_is_refused():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    plan = net.compile()
    plan.forward(np.zeros((2, 3)))
    net.forward(np.ones(3))
    with pytest.raises(nodenet.NotComputedError, match="plan.forward"):
        plan.backward(np.zeros((2, 1)))


def test_plan_backward_starts_from_the_caches_of_a_textbook_forward():
    net = nodenet.Network.from_layers([3, 2, 2], seed=13)
    X, Y = np.random.default_rng(1).normal(size=(4, 3)), np.zeros((4, 2))
    twin = copy.deepcopy(net)
    list(net.forward_steps(X))  # the textbook's batch pass, in steps
    loss = net.compile().backward(Y)
    list(twin.forward_steps(X))
    assert loss == pytest.approx(backward_steps_loss(twin, Y), rel=1e-12)
    for node, other in zip(net.nodes, twin.nodes):
        np.testing.assert_allclose(node.grad_pre, other.grad_pre, rtol=1e-12, atol=1e-15)


def test_deep_copies_leave_the_plan_behind_and_are_independent():
    import copy

    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.compile().forward(np.ones((2, 3)))
    clone = copy.deepcopy(net)
    assert clone.derived.peek("compiled plan") is None and clone["H4"] is not net["H4"]
    clone.connection("I1", "H4").weight = 9.0
    assert net.connection("I1", "H4").weight != 9.0
    np.testing.assert_allclose(clone.compile().forward(np.ones((2, 3))), clone.forward(np.ones((2, 3))), rtol=1e-12)


def test_predict_uses_the_plan_for_rows_and_agrees_with_the_reference():
    net = nodenet.Network.from_layers([3, 4, 2], seed=3)
    X = np.random.default_rng(0).normal(size=(6, 3))
    compiled = net.predict(X)
    assert net["H4"].post.base is not None  # caches are views of the plan's arrays
    np.testing.assert_allclose(compiled, net.predict(X, compiled=False), rtol=1e-12)
    assert isinstance(net.predict(X[0], compiled=False)[0], float | np.floating)
    one = net.predict(X[0], compiled=True)  # one sample through the plan: float caches, as the textbook leaves
    np.testing.assert_allclose(one, compiled[0], rtol=1e-12)
    assert all(type(node.post) is float for node in net.nodes) and net["O9"].post == pytest.approx(one[1], rel=1e-12)
    with pytest.raises(nodenet.InvalidArgument, match="compiled must be"):
        net.predict(X, compiled=1)


class SteeperSigmoid(nodenet.activations.Sigmoid):
    """Same name and options as the sigmoid, another formula: a level must not merge it with sigmoids."""

    def value(self, pre):
        return super().value(3.0 * pre)

    def derivative(self, pre, post):
        return 3.0 * post * (1.0 - post)


def test_a_level_keeps_activations_of_other_classes_apart_even_with_the_same_name():
    net = nodenet.Network.from_layers([2, 3, 1], seed=1)
    net["H4"].activation = SteeperSigmoid()
    X, Y = np.array([[0.3, -0.2], [0.5, 0.1]]), np.array([[0.2], [0.4]])
    textbook = run_path(net, X, Y, "l2", "textbook")
    assert_equivalent(textbook, run_path(net, X, Y, "l2", "compiled plan"))


def backward_steps_loss(net, Y):
    steps = net.backward_steps(Y)
    while True:
        try:
            next(steps)
        except StopIteration as end:
            return end.value


def test_a_training_step_honours_loss_subclasses_and_gives_the_loss_its_own_copy():
    class Scaled(nodenet.losses.L2):  # overrides only mean: the plan's one-call form must not skip it
        name = "scaled"

        def mean(self, post, target):
            return 100.0 * super().mean(post, target)

    class Clipping(nodenet.losses.L2):  # writes into the outputs it is given
        name = "clipping"

        def grad(self, post, target):
            np.clip(post, -0.1, 0.1, out=post)
            return post - target

    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    for loss in (Scaled(), Clipping()):
        runs = []
        for compiled in (False, True):
            net = nodenet.Network.from_layers([2, 3, 1], output="sigmoid", seed=0)
            runs.append((net.fit(X, Y, epochs=3, lr=0.5, loss=loss, compiled=compiled).loss, Parameters(net).values))
        np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-12)
        np.testing.assert_allclose(runs[1][1], runs[0][1], rtol=1e-12)


def test_one_row_through_the_plan_has_the_losss_own_mean():
    net = nodenet.Network.from_layers([3, 4, 2], seed=5)
    x, y = np.array([[0.3, -1.2, 2.0]]), np.array([[0.7, -0.4]])
    plan = net.compile()
    outputs = plan.run(x, caches=False)
    step_loss = plan.run_backward(y, nodenet.get_loss("l2"), caches=False)
    assert step_loss == nodenet.get_loss("l2").mean(outputs, y)  # bit for bit


def test_layers_whose_first_layer_holds_a_computed_node_give_the_textbook_numbers_on_the_plan():
    """link_layers' fast layered form takes the first layer as the input rows: only when it is the inputs."""
    from nodenet.factory import link_layers

    net = nodenet.Network()
    a, h, o = net.add_input("a"), net.add_node("h", bias=0.3), net.add_output("o")
    link_layers(net, [[a, h], [o]])
    net.connection("a", "o").weight, net.connection("h", "o").weight = 0.5, 2.0
    X = np.array([[1.0], [2.0]])
    expected = 0.5 * X[:, 0] + 2.0 / (1.0 + np.exp(-0.3))  # h has no input: its post is sigmoid(its bias)
    np.testing.assert_allclose(net.predict(X).ravel(), expected, rtol=RTOL)
    np.testing.assert_allclose(net.predict(X, compiled=False).ravel(), expected, rtol=RTOL)


def test_layered_networks_note_their_groups_and_bias_slots_as_the_objects_give_them():
    net = nodenet.Network.from_layers([3, 4, 2], output="softmax", seed=1)
    for number, node in enumerate(net.nodes[3:]):
        node.bias = 0.1 * (number + 1)  # a bias slot read wrongly would show in the outputs
    X = np.random.default_rng(0).random((5, 3))
    noted, outputs = net.groups(), net.predict(X)
    net.structure_changed()  # forget what from_layers noted: the same, read from the objects
    assert [[n.name for n in members] for members in noted.values()] == [["O8", "O9"]]
    assert {key: [n.name for n in members] for key, members in net.groups().items()} == {
        key: [n.name for n in members] for key, members in noted.items()}
    np.testing.assert_allclose(net.predict(X), outputs, rtol=RTOL)
