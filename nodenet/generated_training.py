"""``fit``'s epochs on the generated one-sample trainer, and how a training that diverged is reported.

For one-row batches of a small network trained with plain gradient
descent, ``fit`` hands all its epochs to :mod:`nodenet.fast.trainer`'s
generated function at once, then writes what it recorded into the
:class:`~nodenet.History`.  The numbers are bitwise those of the
other paths; :func:`generated_trainer_fits` says when it is used.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=1000, lr=0.2)  # this path
>>> round(float(history.loss[-1]), 12), history.parameters.shape
(0.0, (1001, 11))
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Iterator, Optional

import numpy as np

from .errors import DivergenceError
from .fast.trainer import can_train, one_sample_trainer
from .losses import Loss
from .optimizers import SGD, Optimizer

if TYPE_CHECKING:
    from .history import History
    from .parameters import Parameters
    from .structure import NetworkStructure

__all__ = ["generated_trainer_fits", "train_generated", "diverged", "what_is_kept"]


def generated_trainer_fits(net: NetworkStructure, optimizer: Optimizer, rows: int, compiled: Optional[bool], hooks: bool) -> bool:
    """Whether ``fit`` runs on the generated trainer: one-row batches, plain SGD, no per-epoch ``hooks``.

    ``hooks`` is true when fit has work to do after each epoch (a callback,
    validation, early stopping, a penalty, accuracy or a progress bar).
    """
    plain = type(optimizer) is SGD and optimizer.momentum == 0.0
    return compiled is None and rows == 1 and plain and not hooks and can_train(net)


def train_generated(
    net: NetworkStructure, params: Parameters, history: History, x: np.ndarray, y: np.ndarray, loss: Loss,
    optimizer: Optimizer, rates: Iterator[float], epochs: int, record_every: int, permutation: Any,
    watched_row: Optional[int], sample_x: np.ndarray,
) -> Optional[float]:
    """Run ``epochs`` epochs of one-row steps on ``net``; returns the last epoch's learning rate (None: no epoch).

    ``permutation(n)`` gives each epoch's order of the rows (``None``: in
    order).  Raises the :class:`DivergenceError` of ``fit``.
    """
    trainer = one_sample_trainer(net, loss)
    values = params.values.tolist()
    rate_list = list(itertools.islice(rates, epochs))
    records: list[float] = []
    losses: list[float] = []
    done: list[int] = []  # the number of steps taken
    outcome = None
    try:
        outcome = trainer.run(values, x.tolist(), y.tolist(), list(y), rate_list, epochs, record_every, permutation,
                              watched_row, sample_x.tolist(), records, losses, done)
    finally:  # also when interrupted: the network keeps the parameters reached, the history what was recorded
        params.assign(values)
        undone = outcome is not None and outcome[0] == "parameter update"  # a step taken, then undone, as on the other paths
        optimizer.advanced(done[0] + undone if done else 0, len(params))
        if records:  # the states at the start of epochs 0, k, 2k, ...
            rows = np.fromiter(records, dtype=float, count=len(records)).reshape(-1, 2 * len(params) + y.shape[1])
            history.record_rows(range(0, record_every * rows.shape[0], record_every), rows)
        history.end_epochs(losses, rate_list[: len(losses)])
    if outcome is not None:
        what, value, epoch, step = outcome
        raise diverged(what, value, epoch, rate_list[epoch], what_is_kept(epoch, step))
    return rate_list[-1] if rate_list else None


def what_is_kept(epoch: int, batch: int) -> str:
    """What a diverged training keeps: the parameters from before the failed step."""
    if batch == 0:
        return f"its parameters from the start of epoch {epoch}"
    return f"its parameters from before batch {batch} of epoch {epoch}"


def diverged(what: str, value: float, epoch: int, lr: float, kept: str, *, float32: bool = False) -> DivergenceError:
    """The error of a training whose ``what`` (loss, parameters, signals) became ``value`` (``float32``: in single precision)."""
    single = (" In float32 the signals overflow beyond 3.4e38 (exp beyond 88), where float64 goes on: "
              "train with dtype=np.float64 if it does.") if float32 else ""
    return DivergenceError(
        f"The {what} became {value!r} in epoch {epoch} (learning rate {lr:g}); the training diverged. "
        f"Use a smaller learning rate (e.g. lr={lr / 10:g}) or scale the data (nodenet.MinMaxScaler). "
        f"The network keeps {kept}.{single}"
    )
