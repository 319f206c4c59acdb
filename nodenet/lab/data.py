"""The numbers the lab page holds: structure, symbols, recorded epochs, samples, curves and pictures.

Everything the page shows is computed in the page from these numbers by
the formulas of :mod:`nodenet.backprop` (written again in JavaScript); the
page never holds one drawing per epoch.  Parameters are stored exactly, as
little-endian float64 in base64, so the page's numbers equal Python's.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=10, lr=0.2)
>>> data = lab_data(history)
>>> [node["name"] for node in data["nodes"]], len(data["frames"]), data["samples"]["y"]
(['I1', 'I2', 'I3', 'H4', 'H5', 'O6'], 11, [[0.3]])
>>> decode(data["frames"][0]["parameters"])[:2].round(4).tolist()
[0.3207, -0.3031]
"""

from __future__ import annotations

import base64
import math
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from .. import engine
from ..checks import as_float_array, check_finite
from ..conversion import input_array, target_array
from ..errors import InvalidArgument, ShapeError
from ..notation import bias_symbol, derivative_symbol, function_symbol, node_number, signal_symbol, target_symbol
from ..parameters import Parameters

if TYPE_CHECKING:
    from ..history import History
    from ..structure import NetworkStructure

__all__ = ["lab_data", "decode", "choose_epochs", "NUMBER_BUDGET", "PICTURE_FRAMES", "MAX_SAMPLES", "BUILT_IN"]

NUMBER_BUDGET = 300_000
"""The page holds every recorded epoch up to this many values (2.4 MB) of parameters and optimizer state in all, else evenly spaced
ones within it (at least the first and the last)."""

PICTURE_FRAMES = 50
"""Pictures of what each node computes are stored for up to this many epochs; the page computes the others."""

MAX_SAMPLES = 500
"""Rows of ``data`` kept for the sample chooser and the training points of the pictures ..."""

SAMPLE_BUDGET = 50_000
"""... and at most this many input values in all (a network with 784 inputs keeps 63 rows)."""

MAX_CURVE_POINTS = 2000
GRID = {1: 80, 2: 28}
"""Points per input axis of the pictures of what each node computes (one or two inputs)."""

BUILT_IN = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "softmax")
"""The activations the page's engine computes (a network with another one is shown, not computed)."""


def encode(values: np.ndarray, dtype: str = "<f8") -> str:
    """An array as base64 of its little-endian bytes (float64 unless ``dtype`` says otherwise)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def decode(text: str, dtype: str = "<f8") -> np.ndarray:
    """The inverse of :func:`encode`."""
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def choose_epochs(recorded: Iterable[int], epochs: Iterable[int] | None = None, *, limit: int = PICTURE_FRAMES) -> list[int]:
    """The epochs to show: the requested ones in order, or up to ``limit`` recorded ones evenly spaced.

    The first and the last recorded epochs are always among the defaults;
    requested epochs are checked against the history later.

    Examples
    --------
    >>> choose_epochs(range(0, 1001), limit=5)
    [0, 250, 500, 750, 1000]
    >>> choose_epochs([0, 10, 20], [20, 0, 20])
    [0, 20]
    >>> choose_epochs([], None)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: The history recorded no epochs; fit with record_every >= 1 to record parameters.
    """
    recorded = [int(e) for e in recorded]
    if epochs is not None:
        if isinstance(epochs, (str, bytes)):
            raise InvalidArgument(f"epochs must be a list of recorded epoch numbers; got {epochs!r}.")
        try:
            items = list(epochs)
        except TypeError as err:
            raise InvalidArgument(f"epochs must be a list of recorded epoch numbers; got {epochs!r}.") from err
        if not all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in items):
            raise InvalidArgument(f"epochs must be a list of recorded epoch numbers (ints); got {epochs!r}.")
        if not items:
            raise InvalidArgument("epochs is empty; pass at least one recorded epoch, or None for evenly spaced ones.")
        return sorted({int(e) for e in items})
    if not recorded:
        raise InvalidArgument("The history recorded no epochs; fit with record_every >= 1 to record parameters.")
    if len(recorded) <= limit:
        return recorded
    picks = np.unique(np.round(np.linspace(0, len(recorded) - 1, limit)).astype(int))
    return [recorded[i] for i in picks]


def lab_data(
    history: History,
    *,
    epochs: Iterable[int] | None = None,
    sample: Any = None,
    data: Any = None,
    pictures: bool = True,
) -> dict[str, Any]:
    """The page's numbers as a JSON-ready dict (see the module docstring); the arguments of :class:`~nodenet.Lab`."""
    net = history.network
    history.require_trained_structure("export_html")
    index = {node: i for i, node in enumerate(net.nodes)}
    recorded = history.recorded_epochs
    arrays = 1 + len([k for k in history.optimizer_state(int(recorded[0])) if k != "steps"]) if len(recorded) else 1
    limit = max(2, NUMBER_BUDGET // max(1, arrays * len(history.parameter_names)))  # the optimizer's state counts too
    shown = choose_epochs(history.recorded_epochs, epochs, limit=limit)
    samples = _samples(history, sample, data)
    computable = all(node.activation in BUILT_IN for node in net.nodes) and history.loss_function.name in ("l2", "cross_entropy")
    return {
        "nodes": [_node(node, net.numbered) for node in net.nodes],
        # two flat lists: a large network's connections are most of the page
        "connections": {
            "source": [index[conn.source] for conn in net.connections],
            "target": [index[conn.target] for conn in net.connections],
        },
        "biases": [index[node] for node in net.nodes if node.kind != "input"],
        "loss": history.loss_function.name,
        "computable": computable,
        "optimizer": history.optimizer,
        "regularization": history.regularization,
        "trainingRows": history.training_rows,
        "batchRows": history.batch_rows,
        "frames": [_frame(history, epoch) for epoch in shown],
        "samples": samples,
        "curves": _curves(history),
        "pictures": _pictures(history, shown, samples) if computable and pictures else None,
    }


def _node(node: Any, numbered: bool) -> dict[str, Any]:
    name, activation = node.name, node.activation
    me, pre = signal_symbol(name), signal_symbol(name, pre=True)
    return {
        "name": name,
        "kind": node.kind,
        "activation": activation,
        "slope": getattr(node.activation_function, "slope", None),
        "title": f"{name} ({node.kind}, {activation})",
        # the page writes λ4,6 from the numbers, λ(a→b) without them, as notation.weight_symbol does
        "number": node_number(name) if numbered else None,
        "symbols": {
            "post": me,
            "pre": pre,
            "gradPost": derivative_symbol(me),
            "gradPre": derivative_symbol(pre),
            "bias": bias_symbol(name, numbered=numbered),
            "gradBias": derivative_symbol(bias_symbol(name, numbered=numbered)),
            "target": target_symbol(name, numbered=numbered),
            "function": function_symbol(activation),
        },
    }


def _frame(history: History, epoch: int) -> dict[str, Any]:
    """One recorded epoch: its parameters, learning rate and optimizer state, exactly."""
    position = history.position(epoch)
    state = history.optimizer_state(epoch)
    trained = epoch < history.epochs_run
    return {
        "epoch": epoch,
        "last": not trained,  # the state after the last update: no update follows
        "lr": _finite(history.lr[epoch]) if trained else None,
        "loss": _finite(history.loss[epoch]) if trained else None,
        "parameters": encode(history.parameters[position]),
        "steps": state.pop("steps", None),
        "state": {name: encode(values) for name, values in state.items()},
    }


def _finite(value: float) -> float | None:
    """A number for JSON: NaN (not recorded, as in a history made from checkpoints) becomes None."""
    return float(value) if math.isfinite(value) else None


def _samples(history: History, sample: Any, data: Any) -> dict[str, Any]:
    """Sample 0 is ``sample`` (default the watched one); then up to MAX_SAMPLES rows of ``data``."""
    net = history.network
    x, y = (history.sample_x, history.sample_y) if sample is None else _one_sample(sample, net)
    xs, ys = [x.tolist()], [None if y is None else y.tolist()]
    if data is not None:
        if not (isinstance(data, (tuple, list)) and len(data) == 2):
            raise InvalidArgument(f"data must be a pair (X, Y) of training rows and their targets; got {type(data).__name__}.")
        rows = input_array(net, data[0])
        rows = rows[None, :] if rows.ndim == 1 else rows
        targets = target_array(net, data[1], batch=rows.shape[0])
        kept = min(MAX_SAMPLES, max(1, SAMPLE_BUDGET // rows.shape[1]))
        xs += rows[:kept].tolist()
        ys += targets[:kept].tolist()
    return {"x": xs, "y": ys}


def _one_sample(sample: Any, net: NetworkStructure) -> tuple[np.ndarray, np.ndarray | None]:
    """One sample's inputs (p,) and targets (k,) or None, checked against the network."""
    if not isinstance(sample, (tuple, list)) or len(sample) != 2:
        raise InvalidArgument(f"sample must be an (x, y) pair of one sample's inputs and targets; got {sample!r}.")
    checked: list[np.ndarray | None] = []
    for values, nodes, what in ((sample[0], net.inputs, "inputs"), (sample[1], net.outputs, "targets")):
        if values is None and what == "targets":
            checked.append(None)
            continue
        array = as_float_array(values, f"The {what} of sample")
        if array.shape != (len(nodes),):
            raise ShapeError(
                f"sample must be one sample: its {what} need shape ({len(nodes)},), one value per "
                f"{'input' if what == 'inputs' else 'output'} node; got shape {array.shape}."
            )
        check_finite(array[None, :], f"The {what} of sample", [node.name for node in nodes], rows=False)
        checked.append(array)
    assert checked[0] is not None
    return checked[0], checked[1]


def _thinned(values: np.ndarray) -> tuple[list[int], list[float | None]]:
    """At most MAX_CURVE_POINTS (epoch, value) points, evenly spaced, the last one kept; NaN as None."""
    indices = np.unique(np.linspace(0, len(values) - 1, min(len(values), MAX_CURVE_POINTS)).astype(int))
    return indices.tolist(), [_finite(v) for v in values[indices]]


def _curves(history: History) -> dict[str, Any]:
    epochs, loss = _thinned(history.loss)
    curves: dict[str, Any] = {"epochs": epochs, "loss": loss, "validation": None, "epochsRun": history.epochs_run}
    if history.val_loss is not None:
        curves["validation"] = _thinned(history.val_loss)[1]
    curves["accuracy"] = None if history.accuracy is None else _thinned(history.accuracy)[1]
    curves["valAccuracy"] = None if history.val_accuracy is None else _thinned(history.val_accuracy)[1]
    picks, _ = _thinned(history.recorded_epochs.astype(float))
    curves["predictionEpochs"] = history.recorded_epochs[picks].tolist()
    curves["predictions"] = [[float(v) for v in row] for row in history.predictions[picks]]
    curves["target"] = history.sample_y.tolist()
    return curves


def _pictures(history: History, shown: list[int], samples: dict[str, Any]) -> dict[str, Any] | None:
    """What every node computes over the input range, for each shown epoch: one or two inputs only.

    Values are stored as bytes (0..255 between each picture's lowest and
    highest value, both kept): pictures are for the eye, the page's
    numbers come from the parameters.
    """
    net = history.network
    count = len(net.inputs)
    if count not in GRID:
        return None
    xs = np.array(samples["x"], dtype=float)
    low, high = xs.min(axis=0), xs.max(axis=0)
    pad = np.where(high > low, 0.1 * (high - low), 1.0)
    low, high = low - pad, high + pad
    axes = [np.linspace(low[i], high[i], GRID[count]) for i in range(count)]
    # row-major over (second input, first input): image rows go along the second input
    grid = np.stack([axis.ravel() for axis in np.meshgrid(*axes)], axis=1) if count == 2 else axes[0][:, None]
    clone = history.network_at(shown[0], x=grid[:1])
    params = Parameters(clone)
    shown_nodes = [node for node in clone.nodes if node.kind != "input"]
    frames = {}
    for epoch in choose_epochs(shown, limit=PICTURE_FRAMES):
        params.assign(history.parameters[history.position(epoch)])
        engine.forward(clone, grid)
        values = np.array([node.post for node in shown_nodes], dtype=float)
        lows, highs = values.min(axis=1), values.max(axis=1)
        span = np.where(highs > lows, highs - lows, 1.0)
        levels = np.round(255 * (values - lows[:, None]) / span[:, None]).astype(np.uint8)
        frames[str(epoch)] = {"low": lows.tolist(), "high": highs.tolist(), "bytes": encode(levels, "u1")}
    return {
        "inputs": count,
        "size": GRID[count],
        "axes": [axis.tolist() for axis in axes],
        "nodes": [clone.nodes.index(node) for node in shown_nodes],
        "centres": [0.5 if node.activation in ("sigmoid", "softmax") else 0.0 for node in shown_nodes],
        "frames": frames,
    }
