"""fit, predict and History: batching modes against the core engine, seeds, stopping, divergence."""

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_chapter import EPOCHS, LR, by_hand_epochs
from test_chapter import X as CHAPTER_X
from test_chapter import Y as CHAPTER_Y

import nodenet
from nodenet import training
from nodenet.errors import DivergenceError, InvalidArgument, NodeNotFound, ShapeError
from nodenet.testing import inputs_for, networks, targets_for


def parameters(net):
    return [c.weight for c in net.connections] + [n.bias for n in net.nodes if n.kind != "input"]


def manual_sgd(net, batches, lr):
    """Gradient descent by hand with the core engine: forward, backward, λ -= lr * grad."""
    losses = []
    for xb, yb in batches:
        net.forward(xb)
        losses.append(net.backward(yb))
        for conn in net.connections:
            conn.weight -= lr * conn.grad_weight
        for node in net.nodes:
            if node.kind != "input":
                node.bias -= lr * node.grad_bias
    return losses


def regression_data(n=7, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (0.5 * X[:, :1] - 0.3 * X[:, 1:] + 0.1)


def small_net(seed=1):
    return nodenet.Network.from_layers([2, 3, 1], hidden="tanh", seed=seed)


# ---------------------------------------------------------------- the chapter
def test_fit_reproduces_the_chapters_numbers():
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    history = net.fit([CHAPTER_X], [[CHAPTER_Y]], epochs=EPOCHS, lr=LR)
    expected = list(by_hand_epochs())
    names = history.parameter_names
    assert names == ["I1->H4", "I2->H4", "I3->H4", "I1->H5", "I2->H5", "I3->H5", "H4->O6", "H5->O6",
                     "H4.bias", "H5.bias", "O6.bias"]
    keys = ["14", "24", "34", "15", "25", "35", "46", "56"]
    for epoch in (0, 1, 2, 500, 999):
        want = expected[epoch]
        row = history.parameters[epoch]
        assert row[:8] == pytest.approx([want["weights"][k] for k in keys], abs=1e-12)
        assert row[8:] == pytest.approx([want["biases"][k] for k in "456"], abs=1e-12)
        assert history.gradients[epoch, :8] == pytest.approx([want["grads"][k] for k in keys], abs=1e-12)
        assert history.loss[epoch] == pytest.approx(want["loss"], abs=1e-12)
        assert history.predictions[epoch, 0] == pytest.approx(want["post"]["O6"], abs=1e-12)
    assert history.recorded_epochs.tolist() == list(range(EPOCHS + 1))
    assert np.isnan(history.gradients[-1]).all()
    assert history.predictions[-1, 0] == pytest.approx(CHAPTER_Y, abs=1e-6)
    assert float(net.predict(CHAPTER_X)[0]) == pytest.approx(CHAPTER_Y, abs=1e-6)
    assert history.lr.tolist() == [LR] * EPOCHS


# ---------------------------------------------------------------- batching modes
def test_full_batch_equals_core_gradient_descent():
    X, Y = regression_data()
    net, twin = small_net(), small_net()
    history = net.fit(X, Y, epochs=5, lr=0.3)
    losses = manual_sgd(twin, [(X, Y)] * 5, 0.3)
    # the plan's matrix products add in another order than the textbook's sums: equal to 1e-12 relative
    assert parameters(net) == pytest.approx(parameters(twin), rel=1e-12, abs=1e-15)
    assert history.loss.tolist() == pytest.approx(losses, rel=1e-12)
    assert parameters(net) != parameters(small_net())  # it did train


def test_mini_batches_include_the_last_short_batch():
    X, Y = regression_data(n=7)
    net, twin = small_net(), small_net()
    history = net.fit(X, Y, epochs=2, lr=0.3, batch_size=3, shuffle=False)
    batches = [(X[0:3], Y[0:3]), (X[3:6], Y[3:6]), (X[6:7], Y[6:7])]
    losses = manual_sgd(twin, batches * 2, 0.3)
    assert parameters(net) == pytest.approx(parameters(twin), rel=1e-12, abs=1e-15)
    assert history.loss.tolist() == pytest.approx([np.mean(losses[:3]), np.mean(losses[3:])], rel=1e-12)


def test_stochastic_mode_shuffles_with_the_seed():
    X, Y = regression_data(n=5)
    net, twin = small_net(), small_net()
    net.fit(X, Y, epochs=3, lr=0.2, batch_size=1, seed=42)
    rng = np.random.RandomState(42)
    batches = []
    for _ in range(3):
        order = rng.permutation(5)
        batches += [(X[i], Y[i]) for i in order]  # one-row batches take the float path
    manual_sgd(twin, batches, 0.2)
    assert parameters(net) == parameters(twin)


@settings(max_examples=15)
@given(st.data(), st.sampled_from([None, 1, 2, 3]))
def test_every_mode_on_random_dags_matches_the_core_engine(data, batch_size):
    net = data.draw(networks(max_hidden=3))
    X = data.draw(inputs_for(net, batch=4, max_value=1.0))
    Y = data.draw(targets_for(net, batch=4, max_value=1.0))
    twin = copy.deepcopy(net)
    net.fit(X, Y, epochs=2, lr=0.05, batch_size=batch_size, shuffle=False)
    size = batch_size or 4
    batches = [(X[i:i + size], Y[i:i + size]) for i in range(0, 4, size)]
    manual_sgd(twin, batches * 2, 0.05)
    np.testing.assert_allclose(parameters(net), parameters(twin), rtol=1e-12, atol=1e-12)


def test_same_seed_same_numbers_other_seed_other_numbers():
    X, Y = regression_data(n=20)
    runs = []
    for seed in (3, 3, 4):
        net = small_net()
        history = net.fit(X, Y, epochs=4, lr=0.1, batch_size=4, optimizer="adam", seed=seed)
        runs.append(history.parameters)
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_adam_and_momentum_reduce_the_loss():
    X, Y = regression_data(n=20)
    for optimizer in ("adam", nodenet.SGD(lr=0.1, momentum=0.9, nesterov=True)):
        history = small_net().fit(X, Y, epochs=60, lr=0.05, batch_size=5, optimizer=optimizer, seed=0)
        assert history.loss[-1] < history.loss[0] / 4


def test_schedule_sets_each_epochs_rate():
    X, Y = regression_data()
    history = small_net().fit(X, Y, epochs=4, lr=0.4, schedule=nodenet.StepDecay(factor=0.5, every=2))
    assert history.lr.tolist() == [0.4, 0.4, 0.2, 0.2]
    history = small_net().fit(X, Y, epochs=3, lr=0.4, schedule="chapter")
    assert history.lr.tolist() == pytest.approx([0.4, 0.4 / 1.01, 0.4 / 1.01 / 1.02])


def test_optimizer_instance_keeps_its_rate_unless_lr_given():
    X, Y = regression_data()
    optimizer = nodenet.SGD(lr=0.7)
    assert small_net().fit(X, Y, epochs=1, optimizer=optimizer).lr.tolist() == [0.7]
    assert small_net().fit(X, Y, epochs=1, optimizer=optimizer, lr=0.2).lr.tolist() == [0.2]
    assert optimizer.lr == 0.7                 # the user's object is not changed


def test_fit_updates_the_objects_users_hold():
    X, Y = regression_data()
    net = small_net()
    conn, node = net.connection("I1", "H3"), net["H3"]
    before = conn.weight, node.bias
    net.fit(X, Y, epochs=3, lr=0.3)
    assert (conn.weight, node.bias) != before
    assert net.connection("I1", "H3") is conn and conn.weight == net.connection("I1", "H3").weight


# ---------------------------------------------------------------- stopping and failure
def test_early_stopping_counts_epochs_without_improvement():
    X, Y = regression_data()
    history = small_net().fit(X, Y, epochs=100, lr=1e-300, tol=1e-9, patience=3)
    assert history.stopped_early and history.epochs_run == 4   # best at epoch 0, then 3 flat epochs
    history = small_net().fit(X, Y, epochs=30, lr=0.3, tol=0.0, patience=3)
    assert not history.stopped_early and history.epochs_run == 30


def test_early_stopping_monitors_the_validation_loss():
    X, Y = regression_data(n=12)
    seen = []
    # the validation targets are the opposite of the training targets: learning makes them worse
    history = small_net().fit(X, Y, epochs=50, lr=0.5, validation=(X, -Y), patience=2,
                              callback=lambda info: seen.append(info.val_loss))
    assert history.stopped_early and history.epochs_run == 3
    assert history.val_loss.tolist() == seen and history.val_loss[2] > history.val_loss[1] > history.val_loss[0]
    assert history.loss[2] < history.loss[0]
    net = history.network
    net.forward(X)
    assert net.loss(-Y) == history.val_loss[-1]


def test_callback_sees_each_epoch_and_can_stop():
    X, Y = regression_data()
    infos = []
    history = small_net().fit(X, Y, epochs=10, lr=0.1, callback=lambda info: infos.append(info) or info.epoch == 2)
    assert [i.epoch for i in infos] == [0, 1, 2] and history.epochs_run == 3 and history.stopped_early
    assert infos[1].loss == history.loss[1] and infos[0].lr == 0.1 and infos[0].network is history.network


@pytest.mark.parametrize("compiled", [False, True])
def test_a_callback_that_changes_the_structure_stops_the_training(compiled):
    X, Y = regression_data()
    net = small_net()
    with pytest.raises(nodenet.TopologyError, match="callback changed the network's structure in epoch 1"):
        net.fit(X, Y, epochs=5, lr=0.1, compiled=compiled,
                callback=lambda info: info.epoch == 1 and info.network.add_node("extra") and None)


def test_divergence_names_the_epoch_and_keeps_finite_parameters():
    X, Y = regression_data()
    net = nodenet.Network.from_layers([2, 1], seed=0)
    snapshots = []
    with pytest.raises(DivergenceError, match=r"became (inf|nan) in epoch \d+ .*smaller learning rate") as err:
        net.fit(X * 100, Y, epochs=1000, lr=5.0, callback=lambda info: snapshots.append(parameters(info.network)))
    assert all(math.isfinite(v) for v in parameters(net))
    epoch = int(str(err.value).split("in epoch ")[1].split()[0])
    assert parameters(net) == snapshots[epoch - 1]   # the parameters from the start of that epoch
    assert isinstance(err.value, FloatingPointError)
    assert err.value.history.epochs_run == epoch and err.value.history.network is net


def test_non_finite_update_is_not_written():
    X, Y = regression_data()
    net = nodenet.Network.from_layers([2, 1], seed=0)
    before = parameters(net)
    with pytest.raises(DivergenceError, match=r"parameter update became (-?inf|nan) in epoch 0"):
        net.fit(X * 1e6, Y, epochs=1, lr=1e308)
    assert parameters(net) == before


# ---------------------------------------------------------------- History
def test_recording_every_kth_epoch_and_the_final_state():
    X, Y = regression_data()
    net = small_net()
    history = net.fit(X, Y, epochs=10, lr=0.1, record_every=3)
    assert history.recorded_epochs.tolist() == [0, 3, 6, 9, 10]
    assert history.parameters.shape == history.gradients.shape == (5, 13)
    assert history.predictions.shape == (5, 1)
    assert history.parameters[-1].tolist() == parameters(net)
    assert np.isnan(history.gradients[-1]).all() and not np.isnan(history.gradients[:-1]).any()
    assert history.parameter("H3.bias").tolist() == history.parameters[:, 9].tolist()
    with pytest.raises(NodeNotFound, match="No parameter 'X'; recorded parameters: I1->H3"):
        history.parameter("X")
    with pytest.raises(InvalidArgument, match="Epoch 4 was not recorded; the nearest recorded epochs are 3 and 6"):
        history.network_at(4)


def test_zero_epochs_record_the_initial_state():
    X, Y = regression_data()
    net = small_net()
    history = net.fit(X, Y, epochs=0, lr=0.1)
    assert history.recorded_epochs.tolist() == [0] and history.loss.shape == (0,)
    assert history.parameters[0].tolist() == parameters(net) and np.isnan(history.gradients).all()


def test_record_nothing():
    X, Y = regression_data()
    for record_every in (0, None):
        history = small_net().fit(X, Y, epochs=3, lr=0.1, record_every=record_every)
        assert history.parameters.shape == (0, 13) and history.recorded_epochs.tolist() == []
        assert history.loss.shape == (3,) and history.val_loss is None
        with pytest.raises(InvalidArgument, match="No parameters were recorded"):
            history.network_at(0)


def test_network_at_is_an_independent_copy_with_its_caches():
    X, Y = regression_data()
    net = small_net()
    history = net.fit(X, Y, epochs=4, lr=0.3, watch=2)
    assert history.sample_x.tolist() == X[2].tolist()
    early = history.network_at(1)
    assert early is not net and parameters(early) == history.parameters[1].tolist()
    assert early["O6"].post == history.predictions[1, 0]
    assert early["H3"].grad_pre is not None                 # backward on the watched target
    assert history.network_at(1, y=[5.0])["O6"].grad_post == early["O6"].post - 5.0
    early.connection("I1", "H3").weight = 99.0
    assert net.connection("I1", "H3").weight != 99.0
    batch = history.network_at(4, x=X)
    assert batch["O6"].post.shape == (7,) and batch["O6"].grad_pre is None


def test_network_at_recomputes_gradients_of_the_watched_sample():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    history = net.fit([CHAPTER_X], [[CHAPTER_Y]], epochs=3, lr=LR)
    for epoch in range(3):
        copy_ = history.network_at(epoch)
        assert [c.grad_weight for c in copy_.connections] == history.gradients[epoch, :8].tolist()


def test_watch_a_separate_sample():
    X, Y = regression_data()
    history = small_net().fit(X, Y, epochs=2, lr=0.1, watch=([0.0, 0.0], [0.5]))
    assert history.sample_y.tolist() == [0.5]


def test_predict_shapes():
    net = small_net()
    assert net.predict([0.1, 0.2]).shape == (1,)
    assert net.predict(np.zeros((4, 2))).shape == (4, 1)
    assert nodenet.predict(net, np.zeros((4, 2))).tolist() == net.predict(np.zeros((4, 2))).tolist()


# ---------------------------------------------------------------- progress
def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    X, Y = regression_data()
    small_net().fit(X, Y, epochs=3, lr=0.1)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(training, "_stderr_is_terminal", lambda: True)
    small_net().fit(X, Y, epochs=3, lr=0.1, progress=False)
    assert capsys.readouterr().err == ""
    small_net().fit(X, Y, epochs=3, lr=0.1)
    assert "fit" in capsys.readouterr().err


# ---------------------------------------------------------------- bad calls
X7, Y7 = regression_data()


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"epochs": -1}, InvalidArgument, "epochs must be an int >= 0; got -1"),
        ({"epochs": 2.5}, InvalidArgument, "epochs must be an int"),
        ({"batch_size": 0}, InvalidArgument, r"The batch_size \(or None\) must be an int >= 1; got 0"),
        ({"X": X7[:, :1]}, ShapeError, r"X must have shape \(n, 2\), one column per node \(I1, I2\)"),
        ({"Y": Y7[:3]}, ShapeError, "X has 7 rows but Y has 3"),
        ({"X": np.full((7, 2), np.nan)}, InvalidArgument, "X holds nan for 'I1' in row 0"),
        ({"optimizer": "lbfgs"}, InvalidArgument, "Unknown optimizer 'lbfgs'"),
        ({"lr": None}, InvalidArgument, "needs a learning rate"),
        ({"lr": -1}, InvalidArgument, "must be a finite number > 0"),
        ({"schedule": "cosine"}, InvalidArgument, "Unknown schedule 'cosine'"),
        ({"loss": "hinge"}, InvalidArgument, "Unknown loss 'hinge'"),
        ({"tol": -0.1}, InvalidArgument, "tol must be a finite number >= 0"),
        ({"patience": 0}, InvalidArgument, "patience .* must be an int >= 1"),
        ({"record_every": -2}, InvalidArgument, r"The record_every \(or None\) must be an int >= 0"),
        ({"watch": 7}, InvalidArgument, r"watch=7 is not a row of X; choose a row in 0..6"),
        ({"validation": X7}, InvalidArgument, r"validation must be a pair \(X_val, Y_val\)"),
        ({"validation": (X7, Y7[:, 0][:2])}, ShapeError, "X_val .* has 7 rows but Y_val"),
        ({"shuffle": "no"}, InvalidArgument, "shuffle must be True or False"),
        ({"progress": "yes"}, InvalidArgument, "progress must be True, False or None"),
        ({"callback": 3}, InvalidArgument, "callback must be callable"),
    ],
)
def test_bad_calls(options, error, message):
    arguments = {"X": X7, "Y": Y7, "epochs": 1, "lr": 0.1, **options}
    with pytest.raises(error, match=message):
        nodenet.fit(small_net(), arguments.pop("X"), arguments.pop("Y"), **arguments)


@pytest.mark.parametrize("batch_size, shuffle, watch", [(None, False, 3), (4, True, 0), (4, True, 7), (1, True, 2), (4, False, 9)])
def test_recorded_predictions_are_the_watched_outputs_at_the_recorded_parameters(batch_size, shuffle, watch):
    X, Y = regression_data(n=10)
    net = small_net()
    history = net.fit(X, Y, epochs=6, lr=0.1, batch_size=batch_size, shuffle=shuffle, seed=1, watch=watch)
    for epoch, prediction in zip(history.recorded_epochs, history.predictions):
        expected = history.network_at(int(epoch)).predict(X[watch])
        np.testing.assert_allclose(prediction, expected, rtol=1e-12, atol=1e-15)


def test_network_at_refuses_a_network_whose_structure_changed_after_fit():
    X, Y = regression_data()
    net = small_net()
    history = net.fit(X, Y, epochs=3, lr=0.1)
    assert history.network_at(0) is not net
    net.add_node("H99")
    with pytest.raises(nodenet.TopologyError, match="structure .* changed after this history was recorded"):
        history.network_at(0)


@pytest.mark.parametrize("epoch, fragment", [(True, "epoch must be an int; got True"), (2.0, "must be an int"),
                                             (99, "Epoch 99 is outside this run: its recorded states go from epoch 0 to 3")])
def test_network_at_names_bad_epochs(epoch, fragment):
    X, Y = regression_data()
    history = small_net().fit(X, Y, epochs=3, lr=0.1)
    with pytest.raises(InvalidArgument) as info:
        history.network_at(epoch)
    assert fragment in str(info.value)


def test_large_finite_parameters_are_not_mistaken_for_a_divergence():
    net = nodenet.Network.from_layers([1, 1], init="constant", scale=1.0, bias="zeros")
    net.connection("I1", "O2").weight = 1e308
    net["O2"].bias = 1e308  # their sum overflows, each is finite
    history = net.fit([[0.0]], [[1e308]], epochs=1, lr=1e-300)
    assert history.epochs_run == 1 and net.connection("I1", "O2").weight == 1e308


def test_early_stopping_lets_slow_steady_gains_add_up():
    from nodenet.training import _EarlyStopping

    stopper = _EarlyStopping(tol=1.0, patience=3)
    losses = [10.0 - 0.4 * epoch for epoch in range(20)]  # each step gains less than tol
    assert not any(stopper.should_stop(loss) for loss in losses)
    flat = _EarlyStopping(tol=1.0, patience=3)
    assert [flat.should_stop(loss) for loss in (5.0, 4.9, 4.8, 4.7)] == [False, False, False, True]


def test_accuracy_is_recorded_for_classifiers_beside_the_loss():
    from nodenet import datasets
    from nodenet.metrics import correct

    X, labels = datasets.gaussians(90, classes=3, seed=0)
    Y = nodenet.one_hot(labels)
    net = nodenet.Network.from_layers([2, 5, 3], hidden="tanh", output="softmax", seed=0)
    twin = nodenet.Network.from_layers([2, 5, 3], hidden="tanh", output="softmax", seed=0)
    history = net.fit(X[:60], Y[:60], epochs=4, lr=0.3, loss="cross_entropy", validation=(X[60:], Y[60:]), progress=False)
    for epoch in range(4):  # full batch: the epoch's accuracy is that of its starting parameters
        twin_outputs = twin.predict(X[:60])
        assert history.accuracy[epoch] == correct(twin_outputs, Y[:60]) / 60
        twin.fit(X[:60], Y[:60], epochs=1, lr=0.3, loss="cross_entropy", progress=False)
        assert history.val_accuracy[epoch] == correct(twin.predict(X[60:]), Y[60:]) / 30
    assert nodenet.Network.from_layers([2, 1], seed=0).fit(X, labels[:, None] > 0, epochs=1, lr=0.1, progress=False).accuracy is None
    regression = nodenet.Network.from_layers([2, 1], output="sigmoid", seed=0).fit(
        X, (labels[:, None] > 0).astype(float), epochs=2, lr=0.1, metrics=["accuracy"], progress=False)
    assert regression.accuracy.shape == (2,) and regression.val_accuracy is None
    with pytest.raises(nodenet.InvalidArgument, match=r"metrics must be a list of names from accuracy, or \(\) for none; got 'accuracy'"):
        net.fit(X, Y, epochs=1, lr=0.1, metrics="accuracy")
