"""The generated one-sample trainer trains bit for bit as the textbook does, and is used where it says."""

import copy
import gc
import linecache
import threading
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nodenet
from nodenet import backprop, training
from nodenet.fast import trainer as trainer_module
from nodenet.fast.trainer import MAX_CONNECTIONS, one_sample_trainer
from nodenet.parameters import Parameters
from nodenet.testing import inputs_for, networks, targets_for
from nodenet.testing.strategies import ALL_ELEMENTWISE

FIELDS = ("loss", "lr", "recorded_epochs", "parameters", "gradients", "predictions")


def fit_both(net, X, Y, **options):
    """``fit`` on the one-sample path and on the generated trainer, from equal copies.

    The one-sample path (nodenet.fast.single) is the textbook's float
    operations, bitwise (tests/test_equivalence.py); ``fit(compiled=False)``
    would run the textbook on one-row batches, numpy arrays, whose
    functions (np.tanh, einsum) may differ from math's in the last bit.
    """
    def run():
        copied = copy.deepcopy(net)
        try:
            return copied, copied.fit(X, Y, **options), None
        except nodenet.DivergenceError as err:
            return copied, err.history, str(err)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "generated_trainer_fits", lambda *a: False)
        reference = run()
    calls = []
    original = training.train_generated
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "train_generated", lambda *a, **k: calls.append(1) or original(*a, **k))
        outcomes = [reference, run()]
    assert calls == [1], "the default path did not take the generated trainer"
    return outcomes


def assert_bitwise(left, right):
    (net_a, hist_a, err_a), (net_b, hist_b, err_b) = left, right
    assert err_a == err_b
    for field in FIELDS:
        a, b = getattr(hist_a, field), getattr(hist_b, field)
        assert a.shape == b.shape, field
        assert np.array_equal(a, b, equal_nan=True), field
        assert a.tobytes() == b.tobytes(), field  # the sign of zero too
    assert Parameters(net_a).values.tobytes() == Parameters(net_b).values.tobytes()
    if err_a is None:
        for node_a, node_b in zip(net_a.nodes, net_b.nodes):
            for field in ("pre", "post", "grad_pre", "grad_post"):
                assert np.array_equal(getattr(node_a, field), getattr(node_b, field)), (node_a.name, field)


@st.composite
def trainings(draw):
    net = draw(networks(max_hidden=5, max_outputs=3, activations=ALL_ELEMENTWISE,
                        output_activations=("identity", "sigmoid", "tanh", "relu")))
    rows = draw(st.integers(1, 4))
    X = draw(inputs_for(net, batch=rows))
    Y = draw(targets_for(net, batch=rows))
    options = dict(
        epochs=draw(st.integers(0, 12)),
        lr=draw(st.sampled_from([0.05, 0.3, 1.0, 40.0])),
        batch_size=1,
        record_every=draw(st.sampled_from([0, 1, 2, 5, None])),
        seed=draw(st.integers(0, 3)),
        shuffle=draw(st.booleans()),
        watch=draw(st.sampled_from([None, rows - 1, (X[0] * 0.5, Y[0])])),
        schedule=draw(st.sampled_from([None, "time"])),
    )
    return net, X, Y, options


@settings(max_examples=150, deadline=None)
@given(trainings())
def test_whole_trainings_equal_the_textbook_bit_for_bit(problem):
    net, X, Y, options = problem
    assert_bitwise(*fit_both(net, X, Y, **options))


@settings(max_examples=60, deadline=None)
@given(trainings())
def test_every_epoch_equals_the_textbook_passes_on_one_sample(problem):
    net, X, Y, options = problem
    epochs, lr = options["epochs"], options["lr"]
    reference = copy.deepcopy(net)
    try:
        history = net.fit(X, Y, epochs=epochs, lr=lr, batch_size=1, shuffle=False)
    except nodenet.DivergenceError:
        return  # how it diverges: test_whole_trainings_equal_the_textbook_bit_for_bit
    loss = nodenet.get_loss("l2")
    parameters = Parameters(reference)
    for epoch in range(epochs):
        assert np.array_equal(parameters.values, history.parameters[epoch])
        total = 0.0
        for x, y in zip(np.asarray(X, dtype=float), np.asarray(Y, dtype=float)):
            backprop.forward_pass(reference, x)
            total += backprop.backward_pass(reference, y, loss)
            parameters.update(nodenet.SGD(lr=lr))  # λ ← λ − η ∂L/∂λ
        assert total / len(X) == history.loss[epoch]
    assert np.array_equal(parameters.values, Parameters(net).values)


def test_the_chapter_network_trains_bitwise_like_the_textbook():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    textbook, generated = fit_both(net, [[0.5, 0.2, 0.7]], [[0.3]], epochs=1000, lr=0.2)
    assert_bitwise(textbook, generated)
    assert generated[1].parameters.shape == (1001, 11) and generated[1].loss[-1] < 1e-20


def test_divergence_is_reported_as_on_the_other_paths():
    net = nodenet.Network.from_layers([1, 1], seed=0)
    X = np.linspace(-1, 1, 4).reshape(-1, 1)
    textbook, generated = fit_both(net, X, 0.5 * X, epochs=500, lr=10.0, batch_size=1, seed=1)
    assert_bitwise(textbook, generated)
    assert "training diverged" in generated[2] and "The network keeps its parameters" in generated[2]


def test_names_that_are_not_identifiers_compile_and_train_alike():
    net = nodenet.Network()
    for name in ("for", "x y')  # raise SystemExit(1)", "n1"):
        net.add_input(name)
    net.add_node("n1_", activation="tanh", bias=0.1)
    net.add_node("w_a", activation="sigmoid", bias=-0.2)
    net.add_output("post_x", bias=0.3)
    for source, target, weight in [("for", "n1_", 0.5), ("x y')  # raise SystemExit(1)", "n1_", -0.4), ("n1", "w_a", 0.2), ("n1_", "w_a", 0.7),
                                   ("w_a", "post_x", 1.1), ("n1_", "post_x", -0.6), ("for", "post_x", 0.05)]:
        net.connect(source, target, weight=weight)
    X, Y = [[0.1, 0.2, 0.3], [0.3, -0.1, 0.9]], [[0.5], [-0.2]]
    assert_bitwise(*fit_both(net, X, Y, epochs=30, lr=0.3, batch_size=1, seed=0))
    source = one_sample_trainer(net, nodenet.get_loss("l2")).source
    assert "pre_n1__ = 0.0 + w_n0_n1__ * post_n0 + w_n1_n1__ * post_n1 + b_n1__" in source
    assert "# n0 is the node 'for'" in source and "# n1 is the node \"x y')  # raise SystemExit(1)\"" in source and "# n1_ is the node 'n1'" in source


class Cube(nodenet.Activation):  # not registered: training needs no name
    name = "cube"

    def value(self, pre):
        return pre * pre * pre

    def derivative(self, pre, post):
        return 3.0 * pre * pre


def test_custom_activations_and_losses_are_called_as_the_textbook_calls_them():
    net = nodenet.Network.from_layers([2, 2, 1], hidden=Cube(), seed=3)
    X, Y = [[0.2, -0.4], [0.5, 0.1]], [[0.3], [0.1]]

    class Quartic(nodenet.losses.Loss):
        name = "quartic"

        def value(self, post, target):
            return float(((post - target) ** 4).sum())

        def grad(self, post, target):
            return 4.0 * (post - target) ** 3

    for loss in ("l2", Quartic()):
        assert_bitwise(*fit_both(net, X, Y, epochs=20, lr=0.1, batch_size=1, loss=loss, seed=0))


def stopping_at(call, error):
    """An identity activation that raises ``error`` in its ``call``-th value (a fresh count per object)."""
    class Stopping(nodenet.Activation):
        name = "stopping"

        def __init__(self):
            self.calls = 0

        def value(self, pre):
            self.calls += 1
            if self.calls == call:
                raise error
            return pre

        def derivative(self, pre, post):
            return 1.0

    return Stopping()


def test_an_error_inside_training_leaves_the_parameters_reached():
    results = []
    for compiled in (False, None):
        net = nodenet.Network.from_layers([2, 1], output=stopping_at(25, RuntimeError("stop here")), seed=0)
        with pytest.raises(RuntimeError) as caught:
            net.fit([[0.2, 0.4]], [[1.0]], epochs=100, lr=0.1, compiled=compiled)
        results.append((Parameters(net).values.tobytes(), caught.value.history.loss.tobytes(),
                        caught.value.history.parameters.tobytes()))
    assert results[0] == results[1]


def test_networks_of_one_structure_share_one_compiled_function():
    loss = nodenet.get_loss("l2")
    first = one_sample_trainer(nodenet.Network.from_layers([3, 2, 1], seed=1), loss)
    assert one_sample_trainer(nodenet.Network.from_layers([3, 2, 1], seed=2), nodenet.get_loss("l2")) is first
    assert one_sample_trainer(nodenet.Network.from_layers([3, 2, 1], hidden="tanh", seed=1), loss) is not first


@pytest.mark.parametrize("options", [
    dict(optimizer="adam"), dict(optimizer=nodenet.SGD(lr=0.1, momentum=0.9)), dict(l2=0.01), dict(validation=([[0.0, 0.0]], [[0.0]])),
    dict(tol=0.0), dict(callback=lambda info: None), dict(metrics=["accuracy"]), dict(compiled=True), dict(batch_size=2),
])
def test_other_options_take_the_other_paths_with_the_same_numbers(monkeypatch, options):
    calls = []
    monkeypatch.setattr(training, "train_generated", lambda *a, **k: calls.append(1))
    net = nodenet.Network.from_layers([2, 2, 1], seed=0)
    X, Y = [[0.1, 0.2], [0.4, 0.3]], [[0.3], [0.6]]
    options = {"lr": 0.1, "batch_size": 1, "epochs": 3, "shuffle": False, **options}
    history = net.fit(X, Y, **options)
    assert calls == [] and history.epochs_run == 3


def test_large_networks_take_the_one_sample_path():
    net = nodenet.Network.from_layers([30, 15, 1], seed=0)
    assert len(net.connections) > MAX_CONNECTIONS
    assert not nodenet.generated_training.generated_trainer_fits(net, nodenet.SGD(lr=0.1), 1, None, False)


def test_the_optimizer_counts_the_generated_steps():
    opt = nodenet.SGD(lr=0.1)
    nodenet.Network.from_layers([2, 1], seed=0).fit([[0.1, 0.2], [0.3, 0.4]], [[0.0], [1.0]], epochs=5, batch_size=1,
                                                    optimizer=opt)
    assert opt.steps == 10 and opt.started(3)


@dataclass
class ScaledL2(nodenet.losses.Loss):
    """A custom loss with an option; a dataclass, so unhashable, and equal to any instance with the same option."""

    scale: float = 1.0
    name = "scaled l2"

    def value(self, post, target):
        return self.scale * 0.5 * float(((post - target) ** 2).sum())

    def grad(self, post, target):
        return self.scale * (post - target)


@dataclass
class Stretched(nodenet.Activation):
    """A custom activation with an option (a dataclass: unhashable)."""

    factor: float = 2.0
    name = "stretched"

    def value(self, pre):
        return self.factor * pre

    def derivative(self, pre, post):
        return self.factor


def test_custom_losses_and_activations_are_told_apart_by_identity_even_when_unhashable():
    net = nodenet.Network.from_layers([2, 2, 1], hidden=Stretched(0.5), seed=3)
    X, Y = [[0.2, -0.4], [0.5, 0.1]], [[0.3], [0.1]]
    for loss in (ScaledL2(1.0), ScaledL2(3.0)):  # the second fit of one network must not reuse the first loss
        assert_bitwise(*fit_both(net, X, Y, epochs=4, lr=0.1, batch_size=1, loss=loss, seed=0))
    other = nodenet.Network.from_layers([2, 2, 1], hidden=Stretched(1.5), seed=3)  # same structure, other option
    assert_bitwise(*fit_both(other, X, Y, epochs=4, lr=0.1, batch_size=1, loss="l2", seed=0))


@pytest.mark.parametrize("stop_at", [5, 8, 19])
def test_an_interrupted_training_counts_the_steps_it_took(stop_at):
    steps = []
    for generated in (False, True):
        net = nodenet.Network.from_layers([2, 1], output=stopping_at(stop_at, KeyboardInterrupt()), seed=0)
        opt = nodenet.SGD(lr=0.1)
        with pytest.MonkeyPatch.context() as patch:
            if not generated:
                patch.setattr(training, "generated_trainer_fits", lambda *a: False)
            with pytest.raises(KeyboardInterrupt):
                net.fit([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[0.0], [1.0], [0.5]], epochs=10, batch_size=1,
                        shuffle=False, optimizer=opt, record_every=0)
        steps.append((opt.steps, Parameters(net).values.tobytes()))
    assert steps[0] == steps[1] and steps[0][0] > 0


def test_a_diverging_update_counts_its_step_as_the_other_paths_do():
    counts = []
    for generated in (False, True):
        opt = nodenet.SGD(lr=1e306)
        with pytest.MonkeyPatch.context() as patch:
            if not generated:
                patch.setattr(training, "generated_trainer_fits", lambda *a: False)
            with pytest.raises(nodenet.DivergenceError, match="parameter update"):
                nodenet.Network.from_layers([2, 1], seed=0).fit([[1.0, 2.0]], [[-1e5]], epochs=3, optimizer=opt)
        counts.append(opt.steps)
    assert counts[0] == counts[1] == 1


def test_trainers_compile_safely_in_threads_and_drop_their_source_lines_with_them():
    def train(widths):
        for width in widths:
            nodenet.Network.from_layers([1, width, 1], seed=0).fit([[0.3]], [[0.1]], epochs=2, lr=0.1)

    threads = [threading.Thread(target=train, args=(range(start, start + 60, 6),)) for start in range(1, 7)]
    errors = []
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        threading.excepthook = threading.__excepthook__
    assert errors == []
    gc.collect()
    kept = [name for name in linecache.cache if name.startswith("<nodenet one-sample trainer")]
    assert len(kept) <= trainer_module._KEEP  # the module keeps the 32 latest; the others' lines went with them
