"""Inputs and targets checked against a network's input and output nodes.

Users pass arrays ``(p,)`` for one sample or ``(n, p)`` for a batch, or
mappings of node name to value(s).  Every pass of nodenet then works on
*checked* arrays: finite floats of the right shape, in ``net.inputs`` /
``net.outputs`` order.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([2, 1], seed=0)
>>> input_array(net, {"I2": 0.5, "I1": 0.25}).tolist()
[0.25, 0.5]
>>> input_array(net, [1.0, 2.0, 3.0])
Traceback (most recent call last):
...
nodenet.errors.ShapeError: Expected inputs of shape (2,) for one sample or (n, 2) for a batch, one value per input ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import as_float_array, check_finite, check_int
from .errors import InvalidArgument, ShapeError

if TYPE_CHECKING:
    from .losses import Loss
    from .structure import NetworkStructure

__all__ = [
    "input_array", "target_array", "output_array", "cached_batch_size", "sample_row", "input_values", "per_output",
    "zero_signal", "check_loss_fits", "check_targets_fit",
]


def input_array(net: NetworkStructure, x: Any) -> np.ndarray:
    """Inputs as a checked float array of shape ``(p,)`` or ``(n, p)``."""
    names = [node.name for node in net.inputs]
    array = named_values(x, names, "input") if by_name(x) else as_float_array(x, "The inputs")
    if array.ndim == 1 and array.shape[0] == len(names):
        check_finite(array[None, :], "The input", names, rows=False)
        return array
    if array.ndim == 2 and array.shape[1] == len(names) and array.shape[0] > 0:
        check_finite(array, "The input", names)
        return array
    raise ShapeError(
        f"Expected inputs of shape ({len(names)},) for one sample or (n, {len(names)}) for a "
        f"batch, one value per input node ({', '.join(names)}); got shape {array.shape}."
    )


def target_array(net: NetworkStructure, y: Any, batch: int | None = None) -> np.ndarray:
    """Targets checked against the outputs and the batch size (0 for one sample).

    The batch size defaults to that of the signal caches.

    >>> import nodenet
    >>> net = nodenet.Network.from_layers([1, 1], seed=0)
    >>> target_array(net, [1.0, 2.0], batch=2).tolist()
    [[1.0], [2.0]]
    """
    names = [node.name for node in net.outputs]
    array = named_values(y, names, "output") if by_name(y) else as_float_array(y, "The targets")
    if batch is None:
        batch = cached_batch_size(net)
    k = len(names)
    if batch and array.ndim == 1 and k == 1 and array.shape[0] == batch:
        array = array[:, None]
    if not batch and array.ndim == 0 and k == 1:
        array = array[None]
    expected = (batch, k) if batch else (k,)
    if array.shape != expected:
        raise ShapeError(
            f"Expected targets of shape {expected}, one value per output node ({', '.join(names)})"
            f"{' for each of the ' + str(batch) + ' samples' if batch else ''}; got shape {array.shape}."
        )
    check_finite(array.reshape(-1, k), "The target", names, rows=bool(batch))
    return array


def output_array(net: NetworkStructure) -> np.ndarray:
    """The outputs' ``post`` caches as an array ``(k,)`` for one sample or ``(n, k)`` for a batch."""
    values = [node.post for node in net.outputs]
    return np.array(values, dtype=float).T if isinstance(values[0], np.ndarray) else np.array(values, dtype=float)


def cached_batch_size(net: NetworkStructure) -> int:
    """How many samples the signal caches hold: 0 for one sample (plain floats) or none."""
    first = net.inputs[0].post if net.inputs else None
    return first.shape[0] if isinstance(first, np.ndarray) else 0


def sample_row(net: NetworkStructure, sample: Any) -> int | None:
    """The row of ``sample`` in the batch the caches hold; None when they hold one sample.

    Negative numbers count from the end, as in Python.
    """
    check_int(sample, "sample (a row of the batch)")
    batch = cached_batch_size(net)
    if batch and not -batch <= sample < batch:
        raise InvalidArgument(f"sample={sample} is outside the batch of {batch} samples; use 0 to {batch - 1}.")
    if not batch and sample not in (0, -1):
        raise InvalidArgument(f"sample={sample} needs a batch, but the caches hold one sample; use sample=0.")
    return int(sample) % batch if batch else None


def by_name(values: Any) -> bool:
    """Whether ``values`` are read by name: a mapping, or a pandas DataFrame with named columns.

    A DataFrame whose columns are the default ``0, 1, ...`` (made from an array) is read by position.

    >>> import pandas as pd
    >>> by_name({"I1": 1.0}), by_name(pd.DataFrame({"I1": [1.0]})), by_name(pd.DataFrame([[1.0]])), by_name([1.0])
    (True, True, False, False)
    """
    if isinstance(values, Mapping):
        return True
    columns = getattr(values, "columns", None)
    if columns is None or not hasattr(values, "to_numpy"):
        return False
    return list(columns) != list(range(len(columns)))


def named_values(values: Any, names: list[str], kind: str) -> np.ndarray:
    """The values of a mapping or DataFrame in the order of ``names``: ``(k,)`` for numbers, ``(n, k)`` for columns.

    Every node must be named exactly once; a missing or unknown name is refused, naming it.
    """
    keys = list(values)
    missing = [name for name in names if name not in keys]
    extra = [key for key in keys if key not in names]
    if missing or extra or len(set(map(str, keys))) != len(keys):
        what = "columns" if hasattr(values, "columns") else "values"
        raise ShapeError(
            f"The {kind} {what} must name each {kind} node exactly once ({', '.join(names)}); "
            f"missing: {', '.join(missing) or 'none'}; unknown: {', '.join(map(str, extra)) or 'none'}."
        )
    columns = [as_float_array(values[name], f"The value of {kind} {name!r}") for name in names]
    shapes = {column.shape for column in columns}
    if len(shapes) != 1 or next(iter(shapes)) not in {(), (columns[0].size,)}:
        raise ShapeError(
            f"Every {kind} value must be one number or a 1-D array of the same length; got shapes {sorted(shapes)}."
        )
    return np.stack(columns, axis=-1)


def input_values(net: NetworkStructure, inputs: np.ndarray) -> list[Any]:
    """Checked inputs as one value per input node, in ``net.inputs`` order.

    One sample gives plain floats, a batch the rows of a contiguous array
    (one row per input node).

    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 1], seed=0)
    >>> input_values(net, np.array([0.5, 0.2]))
    [0.5, 0.2]
    >>> [row.tolist() for row in input_values(net, np.array([[0.5, 0.2], [0.1, 0.3]]))]
    [[0.5, 0.1], [0.2, 0.3]]
    """
    if inputs.ndim == 1:
        return inputs.tolist()
    return list(np.ascontiguousarray(inputs.T))


def per_output(values: np.ndarray) -> list[Any]:
    """Values ``(k,)`` or ``(n, k)`` as one float or one ``(n,)`` array per output node."""
    return values.tolist() if values.ndim == 1 else list(values.T)


def zero_signal(values: np.ndarray) -> Any:
    """The zero signal of a pass on ``values`` ``(p,)`` or ``(n, p)``: 0.0 for one sample, zeros ``(n,)`` for a batch.

    >>> zero_signal(np.ones(3)), zero_signal(np.ones((2, 3))).tolist()
    (0.0, [0.0, 0.0])
    """
    return 0.0 if values.ndim == 1 else np.zeros(values.shape[0])


NOT_PROBABILITIES = ("identity", "tanh", "relu", "leaky_relu", "softplus")  # outputs cross-entropy cannot take


def check_loss_fits(net: NetworkStructure, loss: Loss) -> None:
    """Refuse cross-entropy on outputs that are not probabilities, before anything is computed.

    >>> import nodenet
    >>> check_loss_fits(nodenet.Network.from_layers([2, 1], seed=0), nodenet.get_loss("cross_entropy"))
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: cross_entropy needs probabilities at the outputs, but 'O3' uses identity; ...
    """
    if loss.name != "cross_entropy":
        return
    for node in net.outputs:
        if node.activation in NOT_PROBABILITIES:
            raise InvalidArgument(
                f"cross_entropy needs probabilities at the outputs, but {node.name!r} uses {node.activation}; "
                "give the outputs the softmax (or sigmoid) activation, or use the l2 loss."
            )


def check_targets_fit(net: NetworkStructure, loss: Loss, targets: np.ndarray) -> None:
    """Refuse cross-entropy targets that are not probabilities (each in [0, 1], a softmax group's summing to 1)."""
    if loss.name != "cross_entropy":
        return
    table = targets.reshape(-1, targets.shape[-1])
    outputs = net.outputs
    bad = np.argwhere((table < 0.0) | (table > 1.0))
    if bad.size:
        row, column = (int(i) for i in bad[0])
        raise InvalidArgument(
            f"cross_entropy needs targets in [0, 1] (probabilities); the target of {outputs[column].name!r} in row "
            f"{row} is {table[row, column]!r}. Use one-hot rows (nodenet.one_hot) or the l2 loss."
        )
    for members in net.groups().values():
        columns = [outputs.index(member) for member in members]
        sums = table[:, columns].sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1.0) > 1e-9)
        if off.size:
            names = ", ".join(member.name for member in members)
            raise InvalidArgument(
                f"The targets of the softmax group ({names}) must sum to 1 in every row; row {int(off[0])} sums to "
                f"{float(sums[off[0]])!r}. Use one-hot rows (nodenet.one_hot)."
            )
