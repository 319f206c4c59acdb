"""Training: the fit loop, batching and early stopping (the record of a run is :mod:`nodenet.history`).

One epoch is one pass over the training rows: ``batch_size=None`` is
full-batch gradient descent (one update per epoch), ``batch_size=1`` is
stochastic gradient descent (one update per row) and ``batch_size=k`` uses
mini-batches of ``k`` rows, the last one shorter when ``k`` does not divide
the number of rows.  Each batch of two or more rows goes through the compiled
plan as one array, so the Python cost is per level of the DAG, not per
sample; one-row batches take the fast one-sample path (:mod:`nodenet.engine`).

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=1000, lr=0.2)
>>> round(float(net.predict([0.5, 0.2, 0.7])[0]), 6)
0.3
>>> history.loss.shape, history.parameters.shape
((1000,), (1001, 11))
"""

from __future__ import annotations

import math
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Union

import numpy as np

from .checks import check_int
from .conversion import by_name, check_loss_fits, check_targets_fit, named_values
from .data import finite_array
from .engine import training_path
from .errors import DivergenceError, InvalidArgument, NumericalError, ShapeError, TopologyError
from .factory import check_network
from .generated_training import diverged, generated_trainer_fits, train_generated, what_is_kept
from .history import History
from .losses import Loss, get_loss
from .metrics import METRICS, correct
from .optimizers import Optimizer, get_optimizer
from .parameters import Parameters
from .regularization import penalty_from
from .schedules import Schedule, get_schedule
from .seeding import Seed, as_rng

if TYPE_CHECKING:
    from .structure import NetworkStructure

__all__ = ["EpochInfo", "fit"]

ArrayLike = Any


@dataclass(frozen=True)
class EpochInfo:
    """What a ``callback`` receives after each epoch.

    ``loss`` is the epoch's training loss, ``val_loss`` the validation loss
    after the epoch (or ``None``), ``lr`` the epoch's learning rate and
    ``network`` the network being trained (its parameters are those after the
    epoch's updates).
    """

    epoch: int
    loss: float
    val_loss: Optional[float]
    lr: float
    network: NetworkStructure


# --------------------------------------------------------------------------- validation
def _matrix(values: ArrayLike, width: int, what: str, names: list[str], *, targets: bool = False) -> np.ndarray:
    if by_name(values):  # a DataFrame (or a mapping) by its column names, in the network's order
        values = named_values(values, names, "output" if targets else "input")
    array = finite_array(values, what, names)
    if targets and array.ndim == 1 and width == 1:  # (n,) targets of a single output
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] != width:
        hint = "Reshape one sample with np.reshape(x, (1, -1))."
        if targets and array.ndim == 1 and width > 1 and np.all(array == np.round(array)):
            hint = (f"These look like class labels: one-hot code them with nodenet.one_hot({what}), "
                    "or use nodenet.sklearn.NodenetClassifier, which takes labels.")
        raise ShapeError(
            f"{what} must have shape (n, {width}), one column per node ({', '.join(names)}); "
            f"got shape {array.shape}. {hint}"
        )
    return array


def _data(net: NetworkStructure, X: ArrayLike, Y: ArrayLike, what: str) -> tuple[np.ndarray, np.ndarray]:
    inputs = [node.name for node in net.inputs]
    outputs = [node.name for node in net.outputs]
    x = _matrix(X, len(inputs), f"X{what}", inputs)
    y = _matrix(Y, len(outputs), f"Y{what}", outputs, targets=True)
    if x.shape[0] != y.shape[0]:
        raise ShapeError(f"X{what} has {x.shape[0]} rows but Y{what} has {y.shape[0]}; give one target row per input row.")
    return x, y


def _count(value: Any, what: str, *, minimum: int, allow_none: bool = False) -> Optional[int]:
    if value is None and allow_none:
        return None
    return check_int(value, what + (" (or None)" if allow_none else ""), minimum=minimum)


def _watched(watch: Any, x: np.ndarray, y: np.ndarray, net: NetworkStructure) -> tuple[np.ndarray, np.ndarray, Optional[int]]:
    """The watched sample, and its row in X (None for a sample from outside the data)."""
    if watch is None:
        watch = 0
    if isinstance(watch, (int, np.integer)) and not isinstance(watch, bool):
        if not 0 <= watch < x.shape[0]:
            raise InvalidArgument(f"watch={watch!r} is not a row of X; choose a row in 0..{x.shape[0] - 1}.")
        return x[watch].copy(), y[watch].copy(), int(watch)
    if isinstance(watch, tuple) and len(watch) == 2:
        wx, wy = _data(net, [watch[0]], [watch[1]], " of watch")
        return wx[0], wy[0], None
    raise InvalidArgument(f"watch must be None, a row index of X or a pair (x, y); got {watch!r}.")


def _batches(n: int, batch_size: Optional[int]) -> list[slice]:
    size = n if batch_size is None else min(batch_size, n)
    return [slice(start, start + size) for start in range(0, n, size)]


# --------------------------------------------------------------------------- fit
def fit(
    net: NetworkStructure,
    X: ArrayLike,
    Y: ArrayLike,
    *,
    epochs: int,
    lr: Optional[float] = None,
    batch_size: Optional[int] = None,
    optimizer: Union[str, Optimizer] = "sgd",
    loss: Union[str, Loss] = "l2",
    shuffle: bool = True,
    seed: Seed = None,
    schedule: Union[None, str, Schedule] = None,
    validation: Optional[tuple[ArrayLike, ArrayLike]] = None,
    tol: Optional[float] = None,
    patience: Optional[int] = None,
    record_every: Optional[int] = 1,
    watch: Any = None,
    progress: Optional[bool] = None,
    callback: Optional[Callable[[EpochInfo], Any]] = None,
    compiled: Optional[bool] = None,
    l2: float = 0.0,
    l1: float = 0.0,
    regularize_biases: bool = False,
    metrics: Optional[Sequence[str]] = None,
    dtype: Any = None,
) -> History:
    """Train ``net`` in place on rows ``X`` with targets ``Y``; return the :class:`History`.

    Parameters
    ----------
    net : Network
    X : array-like, shape (n, p)
        One row per sample, one column per input node (``net.inputs`` order).
    Y : array-like, shape (n, k), or (n,) for one output
    epochs : int
        Passes over the data (>= 0).
    lr : float, optional
        Initial learning rate ``η0``; needed when ``optimizer`` is a name,
        overrides an Optimizer object's own rate when given.
    batch_size : int or None
        ``None``: full batch; 1: stochastic; ``k``: mini-batches of ``k``
        rows (the last one may be shorter).
    optimizer : {'sgd', 'adam'} or Optimizer
        E.g. ``nodenet.SGD(lr=0.1, momentum=0.9)``; its state is reset.
    loss : {'l2', 'cross_entropy'} or Loss
    shuffle : bool
        Shuffle the rows each epoch (mini-batch and stochastic modes; a full
        batch is used as is).
    seed : None, int or numpy Generator
        Seed of the shuffling: same seed, same numbers.
    schedule : None, str or Schedule
        Learning rate per epoch (``None``: constant); see
        :mod:`nodenet.schedules`.
    validation : pair (X_val, Y_val), optional
        Loss on these rows is computed after each epoch (``history.val_loss``)
        and is then the monitored loss of early stopping.
    tol, patience : optional
        Early stopping: stop when the monitored loss has not improved on its
        best value by more than ``tol`` for ``patience`` epochs in a row.
        Giving one turns it on (``tol`` defaults to 0, ``patience`` to 10).
    record_every : int or None
        Record every weight, bias and gradient each ``k``-th epoch (always
        epoch 0 and the final state); 0 or ``None`` records nothing.
    watch : None, int or pair (x, y)
        The sample whose prediction is recorded (default: row 0).
    progress : bool or None
        ``False`` hides the progress bar; otherwise a tqdm bar with the epoch
        and loss is shown when standard error is a terminal.
    callback : callable, optional
        Called after each epoch with an :class:`EpochInfo`; returning
        ``True`` stops the training.  It may read or edit weights and
        biases, but not the structure (nodes, connections, activations).
    compiled : bool or None
        ``None`` runs batches of at least ``nodenet.engine.PLAN_MIN_ROWS``
        (2) rows through the network's :class:`~nodenet.fast.plan.CompiledPlan`
        (matrix products per level of the DAG) and one-row batches through
        the fast one-sample path (plain-float caches); ``True`` forces the
        plan and ``False`` the textbook's passes (:mod:`nodenet.backprop`,
        slow on batches).  All give the same numbers.
    l2, l1 : float
        Penalties on the weights (:mod:`nodenet.regularization`): training
        descends the data loss plus ``l2/2 · Σ λ² + l1 · Σ |λ|``.
        ``history.loss`` records the data loss, ``history.penalty`` the
        penalty at the start of each epoch.
    regularize_biases : bool
        Penalize the biases as well (by default only the weights).
    metrics : sequence of str, optional
        ``("accuracy",)`` records ``history.accuracy`` (and
        ``history.val_accuracy`` with ``validation``) each epoch; the default
        records it for the cross-entropy loss, and ``()`` records none.
    dtype : None, np.float64 or np.float32
        ``np.float32`` runs every batch through the compiled plan in single
        precision: signals and gradients in float32, the parameters kept and
        updated in float64 (see :meth:`Network.compile
        <nodenet.Network.compile>` for the tolerance).  Faster on large
        layers; the default is float64 everywhere.

    Returns
    -------
    History

    Notes
    -----
    ``fit`` leaves the network with the caches of a forward and a backward
    pass of the watched sample at the final parameters (plain floats on the
    one-sample path and the textbook's, arrays of one row with the compiled plan), so it can be
    inspected, explained or rendered right away.  During training the caches
    are the scratch of whichever pass ran last; a ``callback`` that wants
    signals should run ``net.forward`` itself.

    Raises
    ------
    DivergenceError
        The loss (or a parameter) became NaN or infinite; the network keeps
        its last finite parameters, and the error's ``history`` attribute
        holds the epochs run so far.
    TopologyError
        The callback changed the network's structure.

    Examples
    --------
    >>> import numpy as np, nodenet
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1); Y = 0.5 * X - 0.2
    >>> net = nodenet.Network.from_layers([1, 1], seed=0)
    >>> history = fit(net, X, Y, epochs=200, lr=0.5, batch_size=5, seed=0)
    >>> round(net.connection("I1", "O2").weight, 4), round(net["O2"].bias, 4)
    (0.5, -0.2)
    >>> fit(nodenet.Network.from_layers([1, 1], seed=0), X, Y, epochs=500, lr=10.0)
    Traceback (most recent call last):
    ...
    nodenet.errors.DivergenceError: The training loss became inf in epoch 162 (learning rate 10); the training ...
    """
    check_network(net, "fit")
    net.validate()
    x, y = _data(net, X, Y, "")
    epochs = check_int(epochs, "epochs", minimum=0)
    batch_size = _count(batch_size, "batch_size", minimum=1, allow_none=True)
    record_every = _count(record_every, "record_every", minimum=0, allow_none=True) or 0
    opt = get_optimizer(optimizer, lr=lr)
    opt.reset()
    rate = opt.lr if lr is None else float(lr)  # the rate of the epoch being run (the first until then)
    rates = get_schedule(schedule).rates(rate)
    loss_fn = get_loss(loss)
    check_loss_fits(net, loss_fn)  # refused before the first update, not epochs later
    check_targets_fit(net, loss_fn, y)
    if not isinstance(shuffle, bool):
        raise InvalidArgument(f"shuffle must be True or False; got {shuffle!r}.")
    stopper = _EarlyStopping.from_options(tol, patience)
    penalty = penalty_from(l2, l1, regularize_biases)
    accuracy = _wants_accuracy(metrics, loss_fn)
    val = None if validation is None else _validation_data(net, validation)
    if val is not None:
        check_targets_fit(net, loss_fn, val[1])
    if callback is not None and not callable(callback):
        raise InvalidArgument(f"callback must be callable (it receives an EpochInfo); got {callback!r}.")
    sample_x, sample_y, watched_row = _watched(watch, x, y, net)

    params = Parameters(net)
    kept = np.empty(len(params))  # the parameters before each step, restored if it diverges
    n = x.shape[0]
    slices = _batches(n, batch_size)
    history = History(net, params, sample_x, sample_y, loss_fn, opt.settings(), training_rows=n, batch_rows=slices[0].stop,
                      regularization=None if penalty is None else penalty.settings())
    penalized = None if penalty is None else params.flat_mask(biases=penalty.biases)
    total_grads = np.empty(len(params))
    path = training_path(net, rows=slices[0].stop, compiled=compiled, dtype=dtype)
    precision = path.plan.dtype if path.plan is not None else x.dtype
    rows, targets = (x, y) if precision == x.dtype else (x.astype(precision), y.astype(precision))  # what the steps read
    single = precision != x.dtype

    shuffled = shuffle and len(slices) > 1
    rng = as_rng(seed) if shuffled or seed is not None else None  # an unseeded generator only when used
    structure = net.structure_version
    bar = _progress_bar(progress, epochs)
    hooks = callback is not None or val is not None or stopper is not None or penalty is not None or accuracy or bar is not None
    generated = precision == x.dtype and generated_trainer_fits(net, opt, slices[0].stop, compiled, hooks)
    # fit's arrays are checked already; a subclass that overrides step() gets its own step called
    step = opt.step_checked if type(opt).step is Optimizer.step else opt.step
    updating = False  # between the copy into `kept` and the end of an optimizer step
    alone = ExitStack()
    alone.enter_context(net.passes.exclusive("fit"))  # another thread's pass would mix its numbers into ours
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if generated:  # every epoch in one generated function (nodenet.fast.trainer); the same numbers
                last = train_generated(net, params, history, x, y, loss_fn, opt, rates, epochs, record_every,
                                       rng.permutation if rng is not None and shuffled else None, watched_row, sample_x)
                rate = rate if last is None else last
            for epoch in range(0 if generated else epochs):
                rate = next(rates)
                recording = record_every and epoch % record_every == 0
                if rng is not None and shuffled:
                    order = rng.permutation(n)
                    xs, ys = rows[order], targets[order]
                else:
                    xs, ys = rows, targets
                # the first batch runs at the epoch's starting parameters: if the watched
                # row is in it, its prediction comes with that batch's outputs
                position = watched_row if not shuffled or watched_row is None else int(np.flatnonzero(order == watched_row)[0])
                if position is not None and position >= slices[0].stop:
                    position = None
                try:
                    prediction = path.outputs(sample_x[None, :])[0].copy() if recording and position is None else None
                except NumericalError as err:  # the watched sample's signals overflowed
                    raise diverged("signals", math.inf, epoch, rate, what_is_kept(epoch, 0), float32=single) from err
                total = 0.0
                right = 0
                for number, part in enumerate(slices):
                    # x and y were checked once, above: no need to check every batch again
                    try:
                        outputs, batch_loss = path.step(xs[part], ys[part], loss_fn)
                    except NumericalError as err:  # signals that overflowed: the training diverged
                        if isinstance(err, DivergenceError):
                            raise
                        raise diverged("signals", math.inf, epoch, rate, what_is_kept(epoch, number), float32=single) from err
                    if not math.isfinite(batch_loss):
                        raise diverged("training loss", batch_loss, epoch, rate, what_is_kept(epoch, number), float32=single)
                    if accuracy:
                        right += correct(outputs, ys[part])
                    if recording and number == 0:
                        if prediction is None:
                            prediction = outputs[position].copy()
                        state = None
                        if opt.state_names:  # the optimizer works in the store's order: recorded in parameter order
                            arrays = opt.state(len(params))
                            state = {"steps": opt.steps, **{key: params.from_flat(value) for key, value in arrays.items()}}
                        history.record(epoch, params.values, params.grads(), prediction, state)
                    values, grads = params.flat_after_backward()
                    if penalized is not None:  # the store keeps the data loss's gradients; the step adds the penalty's
                        if number == 0:
                            epoch_penalty = penalty.value(values, penalized)  # type: ignore[union-attr]
                        grads = penalty.gradient(values, grads, penalized, out=total_grads)  # type: ignore[union-attr]
                    np.copyto(kept, values)
                    updating = True
                    values = step(values, grads, rate)
                    total_new = float(np.add.reduce(values))  # one pass; an overflowing sum is checked again
                    if not math.isfinite(total_new) and not np.isfinite(values).all():
                        np.copyto(values, kept)  # undo the step: values may be the store itself
                        params.assign_flat(values)
                        raise diverged("parameter update", total_new, epoch, rate, what_is_kept(epoch, number), float32=single)
                    params.assign_flat(values)
                    updating = False
                    total += batch_loss
                epoch_loss = total / len(slices)
                val_loss = val_accuracy = None
                if val is not None:
                    outputs = path.outputs(val[0])
                    val_loss = loss_fn.mean(outputs, val[1])
                    val_accuracy = correct(outputs, val[1]) / len(val[1]) if accuracy else None
                    if not math.isfinite(val_loss):
                        raise diverged("validation loss", val_loss, epoch, rate, f"its parameters after epoch {epoch}", float32=single)
                history.end_epoch(epoch_loss, val_loss, rate, epoch_penalty if penalized is not None else None,
                                  accuracy=right / n if accuracy else None, val_accuracy=val_accuracy)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{epoch_loss:.4g}", refresh=False)
                stop = callback is not None and callback(EpochInfo(epoch, epoch_loss, val_loss, rate, net)) is True
                if net.structure_version != structure:
                    raise TopologyError(
                        f"The callback changed the network's structure in epoch {epoch}; training cannot go on "
                        "with other parameters. Change the structure before or after fit."
                    )
                if stop or (stopper is not None and stopper.should_stop(epoch_loss if val_loss is None else val_loss)):
                    history.stopped_early = True
                    break
            try:
                prediction = path.final(sample_x, sample_y, loss_fn)
            except NumericalError as err:  # the last update made the signals overflow
                if isinstance(err, DivergenceError) or not history.epochs_run:  # no update: err names the node
                    raise
                raise diverged("signals", math.inf, history.epochs_run - 1, rate, "its parameters after the last update",
                               float32=single) from err
            if record_every:
                history.record(history.epochs_run, params.values, None, prediction)
    except BaseException as err:  # a diverging loss, a callback that raises, KeyboardInterrupt, ...
        if updating:  # an interrupted optimizer step: every parameter goes back to before it
            params.restore_flat(kept)
        err.history = history  # type: ignore[attr-defined]  # what was recorded so far
        raise
    finally:
        alone.close()
        if bar is not None:
            bar.close()
    return history


def _wants_accuracy(metrics: Any, loss: Loss) -> bool:
    if metrics is None:
        return loss.name == "cross_entropy"
    if isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics) or set(metrics) - set(METRICS):
        raise InvalidArgument(f"metrics must be a list of names from {', '.join(METRICS)}, or () for none; got {metrics!r}.")
    return "accuracy" in metrics


def _validation_data(net: NetworkStructure, validation: Any) -> tuple[np.ndarray, np.ndarray]:
    if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
        raise InvalidArgument(f"validation must be a pair (X_val, Y_val); got {type(validation).__name__}.")
    return _data(net, validation[0], validation[1], "_val (validation)")


class _EarlyStopping:
    """Counts epochs without an improvement of more than ``tol`` on the best loss so far.

    The best loss moves only on such an improvement, so slow but steady gains
    add up until they count (as Keras's ``min_delta`` does).
    """

    def __init__(self, tol: float, patience: int) -> None:
        self.tol = tol
        self.patience = patience
        self.best = math.inf
        self.waited = 0

    @classmethod
    def from_options(cls, tol: Any, patience: Any) -> Optional[_EarlyStopping]:
        if tol is None and patience is None:
            return None
        if tol is None:
            tol = 0.0
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not (math.isfinite(tol) and tol >= 0):
            raise InvalidArgument(f"tol must be a finite number >= 0 (the least loss improvement that counts); got {tol!r}.")
        patience = _count(10 if patience is None else patience, "patience (epochs without improvement)", minimum=1)
        return cls(float(tol), patience)

    def should_stop(self, monitored: float) -> bool:
        if monitored < self.best - self.tol:
            self.best = monitored
            self.waited = 0
            return False
        self.waited += 1
        return self.waited >= self.patience


def _progress_bar(progress: Any, epochs: int) -> Any:
    if progress not in (None, True, False):
        raise InvalidArgument(f"progress must be True, False or None; got {progress!r}.")
    if progress is False or not _stderr_is_terminal():
        return None
    from tqdm import tqdm

    return tqdm(total=epochs, desc="fit", unit="epoch", file=sys.stderr, leave=False)


def _stderr_is_terminal() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())
