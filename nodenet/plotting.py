"""Training pictures with matplotlib (the optional ``plot`` extra).

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=50, lr=0.2)
>>> figure = nodenet.plot_history(history)
>>> [axes.get_title() for axes in figure.axes]
['Prediction for the watched sample', 'Weights', 'Biases', 'Training loss']
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidArgument, MissingDependency, install_hint

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .history import History

__all__ = ["plot_history", "parameter_symbols", "log_scale_fits"]

LEGEND_LIMIT = 12
"""Panels with more lines than this get no legend (it would hide the curves)."""


def parameter_symbols(history: History) -> dict[str, str]:
    """The chapter's symbol of every recorded parameter: ``{'I1->H4': 'λ1,4', 'H4.bias': 'b4', ...}``.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([1, 1], seed=0)
    >>> parameter_symbols(net.fit([[1.0]], [[0.0]], epochs=1, lr=0.1))
    {'I1->O2': 'λ1,2', 'O2.bias': 'b2'}
    """
    net = history.network
    symbols = {conn.name: conn.symbol for conn in net.connections}
    symbols.update({node.bias_name: node.bias_symbol for node in net.nodes if node.kind != "input"})
    return {name: symbols.get(name, name) for name in history.parameter_names}


@functools.cache
def _shown_figure(base: type) -> type:
    """matplotlib's Figure with a PNG for notebooks: a figure outside pyplot is otherwise shown as a line of text."""

    class HistoryFigure(base):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=90)
            return buffer.getvalue()

    return HistoryFigure


def plot_history(history: History, *, log_x: bool = False) -> Figure:
    """Four panels of a training run: prediction against target, weights, biases and loss.

    Parameters
    ----------
    history : History
        What :meth:`nodenet.Network.fit` returned.
    log_x : bool
        Epochs on a logarithmic axis (symmetric-log, so epoch 0 stays visible).

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot: save it with ``figure.savefig("training.png")``;
        notebooks display it as a PNG (it has ``_repr_png_``), with or without
        ``%matplotlib inline``.

    Raises
    ------
    MissingDependency
        If matplotlib is not installed (``pip install 'nodenet-lab[plot]'``).

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=20, lr=0.2)
    >>> figure = nodenet.plot_history(history, log_x=True)
    >>> weights = figure.axes[1]
    >>> [line.get_label() for line in weights.get_lines()][:3], weights.get_xscale()
    (['λ1,4', 'λ2,4', 'λ3,4'], 'symlog')
    """
    if not isinstance(log_x, bool):
        raise InvalidArgument(f"log_x must be True or False; got {log_x!r}.")
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise MissingDependency(
            "plot_history needs matplotlib, which is not installed; install it with "
            f"{install_hint('plot')} (or pip install matplotlib)."
        ) from err
    history.require_trained_structure("plot_history")
    figure = _shown_figure(Figure)(figsize=(11, 7.5), layout="constrained")
    prediction, weights, biases, loss = figure.subplots(2, 2).ravel()
    epochs = np.asarray(history.recorded_epochs)
    _plot_predictions(prediction, history, epochs)
    symbols = parameter_symbols(history)
    bias_names = {node.bias_name for node in history.network.nodes if node.kind != "input"}
    for axes, is_bias, title in ((weights, False, "Weights"), (biases, True, "Biases")):
        names = [name for name in history.parameter_names if (name in bias_names) == is_bias]
        for name in names:
            axes.plot(epochs, history.parameter(name), label=plain_label(symbols[name]))
        _finish(axes, title, "value", len(names))
    if not epochs.size:
        for axes in (prediction, weights, biases):
            axes.text(0.5, 0.5, "not recorded\n(fit with record_every >= 1)", ha="center", va="center",
                      transform=axes.transAxes, color="grey")
    loss_epochs = np.arange(len(history.loss))
    loss.plot(loss_epochs, history.loss, label="training")
    if history.val_loss is not None:
        loss.plot(loss_epochs, history.val_loss, label="validation")
    if log_scale_fits(history.loss):
        loss.set_yscale("log")  # an exact 0 (a perfect fit) is left out of a log axis
    if history.penalty is not None:
        loss.plot(loss_epochs, history.penalty, label="weight penalty", linestyle=":")
    lines = 1 + (history.val_loss is not None) + (history.penalty is not None)
    _finish(loss, "Training loss", "loss", lines if lines > 1 else 0, location="upper right")
    if history.accuracy is not None:
        _plot_accuracy(loss, history, loss_epochs)
    for axes in figure.axes:
        axes.set_xlabel("epoch")
        if log_x:
            axes.set_xscale("symlog", linthresh=1.0)
            axes.set_xlim(left=0)
    return figure


def plain_label(text: str) -> str:
    """``text`` shown literally by matplotlib: ``$`` would start mathtext, and a leading ``_`` hides a legend entry.

    >>> print(plain_label("$x^2$"))
    \\$x^2\\$
    >>> plain_label("_y") == chr(0x200B) + "_y"
    True
    """
    text = text.replace("$", "\\$")
    return chr(0x200B) + text if text.startswith("_") else text  # a zero-width space: the legend keeps it


def log_scale_fits(values: Any) -> bool:
    """Whether a log axis suits ``values``: none negative, some positive (NaN and inf ignored).

    >>> log_scale_fits([0.5, 0.01, 0.0]), log_scale_fits([0.5, -0.01])
    (True, False)
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return bool(finite.size and np.all(finite >= 0) and np.any(finite > 0))


def _plot_accuracy(loss: Any, history: History, epochs: np.ndarray) -> None:
    """Accuracy on a second axis of the loss panel (right-hand scale, 0 to 1)."""
    accuracy = loss.twinx()
    accuracy.plot(epochs, history.accuracy, color="#2e7d32", label="training accuracy")
    if history.val_accuracy is not None:
        accuracy.plot(epochs, history.val_accuracy, color="#8e24aa", label="validation accuracy")
    accuracy.set_ylim(0, 1.02)
    accuracy.set_ylabel("accuracy")
    accuracy.legend(fontsize="small", loc="lower center")
    loss.set_title("Training loss and accuracy")


def _plot_predictions(axes: Any, history: History, epochs: np.ndarray) -> None:
    outputs = [node.name for node in history.network.outputs]
    predictions = history.predictions
    targets = np.asarray(history.sample_y, dtype=float).reshape(-1)
    for column, (name, target) in enumerate(zip(outputs, targets)):
        line = axes.plot(epochs, predictions[:, column], label=plain_label(f"{name} (prediction)"))[0]
        axes.axhline(target, color=line.get_color(), linestyle="--", linewidth=1,
                     label=plain_label(f"{name} target = {target:.4g}"))
    _finish(axes, "Prediction for the watched sample", "output", 2 * len(outputs))


def _finish(axes: Any, title: str, ylabel: str, lines: int, location: str = "best") -> None:
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    if 0 < lines <= LEGEND_LIMIT:
        axes.legend(fontsize="small", ncols=2 if lines > 6 else 1, loc=location)
