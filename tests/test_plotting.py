"""Training plots: every panel holds the recorded numbers under the right label."""

import sys

import numpy as np
import pytest

import nodenet
from nodenet.plotting import LEGEND_LIMIT, log_scale_fits, parameter_symbols

matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install 'nodenet-lab[plot]')")
matplotlib.use("Agg")

X = [[0.5, 0.2, 0.7]]
Y = [[0.3]]


@pytest.fixture(scope="module")
def history():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    return net.fit(X, Y, epochs=30, lr=0.2, record_every=3, validation=(X, Y))


def lines_by_label(axes):
    return {line.get_label(): line for line in axes.get_lines()}


def test_panels_and_titles(history):
    figure = nodenet.plot_history(history)
    assert [axes.get_title() for axes in figure.axes] == [
        "Prediction for the watched sample", "Weights", "Biases", "Training loss",
    ]
    assert all(axes.get_xlabel() == "epoch" for axes in figure.axes)
    assert all(axes.get_xscale() == "linear" for axes in figure.axes)


def test_prediction_panel_holds_predictions_and_target(history):
    lines = lines_by_label(nodenet.plot_history(history).axes[0])
    assert set(lines) == {"O6 (prediction)", "O6 target = 0.3"}
    prediction = lines["O6 (prediction)"]
    np.testing.assert_array_equal(prediction.get_xdata(), history.recorded_epochs)
    np.testing.assert_array_equal(prediction.get_ydata(), history.predictions[:, 0])
    assert list(lines["O6 target = 0.3"].get_ydata()) == [0.3, 0.3]


def test_weights_panel_holds_every_weight_and_only_weights(history):
    lines = lines_by_label(nodenet.plot_history(history).axes[1])
    assert list(lines) == ["λ1,4", "λ2,4", "λ3,4", "λ1,5", "λ2,5", "λ3,5", "λ4,6", "λ5,6"]
    for conn in history.network.connections:
        np.testing.assert_array_equal(lines[conn.symbol].get_ydata(), history.parameter(conn.name))


def test_biases_panel_holds_the_biases_not_the_weights(history):
    # The chapter's figure plots λ1,4, λ2,4, λ3,4 under "biases"; here the panel holds b4, b5, b6.
    lines = lines_by_label(nodenet.plot_history(history).axes[2])
    assert list(lines) == ["b4", "b5", "b6"]
    for name in ("H4", "H5", "O6"):
        values = lines[f"b{name[1]}"].get_ydata()
        np.testing.assert_array_equal(values, history.parameter(f"{name}.bias"))
    first_weight = history.parameter("I1->H4")
    assert not any(np.array_equal(line.get_ydata(), first_weight) for line in lines.values())


def test_loss_panel_on_a_log_axis_with_validation(history):
    axes = nodenet.plot_history(history).axes[3]
    lines = lines_by_label(axes)
    np.testing.assert_array_equal(lines["training"].get_xdata(), np.arange(30))
    np.testing.assert_array_equal(lines["training"].get_ydata(), history.loss)
    np.testing.assert_array_equal(lines["validation"].get_ydata(), history.val_loss)
    assert axes.get_yscale() == "log"


def test_log_x_uses_a_symmetric_log_axis_starting_at_zero(history):
    figure = nodenet.plot_history(history, log_x=True)
    assert [axes.get_xscale() for axes in figure.axes] == ["symlog"] * 4
    assert all(axes.get_xlim()[0] == 0 for axes in figure.axes)


def test_the_figure_saves_as_png(history, tmp_path):
    path = tmp_path / "training.png"
    nodenet.plot_history(history).savefig(path)
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_several_outputs_and_hand_names_without_crowded_legends():
    net = nodenet.Network.from_layers([4, 5, 2], seed=1)
    history = net.fit(np.eye(4)[:2], [[0.0, 1.0], [1.0, 0.0]], epochs=3, lr=0.1, watch=1)
    figure = nodenet.plot_history(history)
    assert set(lines_by_label(figure.axes[0])) == {
        "O10 (prediction)", "O10 target = 1", "O11 (prediction)", "O11 target = 0",
    }
    assert len(figure.axes[1].get_lines()) == 30 > LEGEND_LIMIT
    assert figure.axes[1].get_legend() is None
    assert figure.axes[2].get_legend() is not None


def test_parameter_symbols_for_hand_named_nodes():
    net = nodenet.Network()
    net.add_input("x")
    net.add_output("y")
    net.connect("x", "y", weight=0.5)
    history = net.fit([[1.0]], [[0.0]], epochs=1, lr=0.1)
    assert parameter_symbols(history) == {"x->y": "λ(x→y)", "y.bias": "b(y)"}


def test_log_scale_fits():
    assert log_scale_fits([1.0, 0.0, np.nan])
    assert not log_scale_fits([0.0, 0.0])
    assert not log_scale_fits([1.0, -1.0])


def test_bad_option(history):
    with pytest.raises(nodenet.InvalidArgument, match=r"log_x must be True or False; got 'yes'\."):
        nodenet.plot_history(history, log_x="yes")


def test_missing_matplotlib_names_the_extra(history, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(nodenet.MissingDependency, match=r"pip install 'nodenet-lab\[plot\]'") as err:
        nodenet.plot_history(history)
    assert isinstance(err.value, ImportError)


def test_a_history_without_records_still_plots_its_loss():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=5, lr=0.2, record_every=0)
    figure = nodenet.plot_history(history)
    prediction, weights, biases, loss = figure.axes
    assert len(loss.get_lines()) == 1 and len(loss.get_lines()[0].get_xdata()) == 5
    assert "not recorded" in weights.texts[0].get_text()


def test_plot_history_refuses_a_network_changed_after_training():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=2, lr=0.2)
    net.add_node("H9")
    with pytest.raises(nodenet.TopologyError, match="plot_history needs the trained structure"):
        nodenet.plot_history(history)


def test_a_classifiers_loss_panel_shows_its_accuracy_and_the_penalty():
    X, labels = nodenet.datasets.xor(60, seed=0)
    net = nodenet.Network.from_layers([2, 4, 2], hidden="tanh", output="softmax", seed=0)
    history = net.fit(X, nodenet.one_hot(labels), epochs=30, lr=0.5, loss="cross_entropy", l2=0.01,
                      validation=(X[:20], nodenet.one_hot(labels[:20])), progress=False)
    figure = nodenet.plot_history(history)
    loss, accuracy = figure.axes[3], figure.axes[4]
    assert loss.get_title() == "Training loss and accuracy"
    assert [line.get_label() for line in loss.get_lines()] == ["training", "validation", "weight penalty"]
    assert [line.get_label() for line in accuracy.get_lines()] == ["training accuracy", "validation accuracy"]
    assert accuracy.get_lines()[0].get_ydata().tolist() == history.accuracy.tolist()
