"""History: what a run of :func:`nodenet.fit` recorded, epoch by epoch.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=10, lr=0.2, record_every=5)
>>> history.recorded_epochs.tolist(), history.loss.shape
([0, 5, 10], (10,))
"""

from __future__ import annotations

import bisect
import copy
import math
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np

from . import engine
from .checks import as_float_array
from .errors import InvalidArgument, NodeNotFound, ShapeError, TopologyError
from .losses import Loss, get_loss
from .manifest import load_manifest, network_from, parameter_values, read_checkpoint
from .parameters import Parameters

if TYPE_CHECKING:
    from .structure import NetworkStructure

__all__ = ["History"]

ArrayLike = Any


class History:
    """What :func:`fit` learned, epoch by epoch, as numpy arrays.

    Attributes
    ----------
    network : Network
        The trained network (the very object ``fit`` was called on).
    loss : numpy.ndarray, shape (epochs_run,)
        Training loss of each epoch.  Full batch: the loss of that epoch's
        forward pass, i.e. at the parameters of the start of the epoch.
        Mini-batches: the mean of the epoch's batch losses.
    val_loss : numpy.ndarray of shape (epochs_run,) or None
        Loss on ``validation`` after each epoch's updates.
    lr : numpy.ndarray, shape (epochs_run,)
        Learning rate of each epoch.
    parameter_names : list of str
        ``'I1->H4'`` for each connection of ``net.connections``, then
        ``'H4.bias'`` for each non-input node of ``net.nodes``.
    recorded_epochs : numpy.ndarray of int, shape (m,)
        Epochs whose parameters were recorded.  Epoch ``e`` is the state at
        the start of epoch ``e`` (0: the initial parameters); the state after
        the last update is recorded as epoch ``epochs_run``.
    parameters, gradients : numpy.ndarray, shape (m, P)
        Every weight and bias at those epochs, and the gradients of the
        epoch's first batch at those parameters (a row of NaN for the final
        state, for which no gradient was computed).
    sample_x, sample_y : numpy.ndarray
        The watched sample; ``predictions`` (shape ``(m, k)``) holds the
        network's output for it at each recorded epoch.
    optimizer : dict or None
        The optimizer's name and options (:meth:`Optimizer.settings`), or
        ``None`` for a history made from checkpoints.
    training_rows, batch_rows : int
        Rows of ``X`` and rows per batch (equal for full-batch training).
    regularization : dict or None
        ``{'l2': ..., 'l1': ..., 'biases': ...}`` when ``fit`` penalized the
        weights; ``penalty`` then holds the penalty of each epoch.
    stopped_early : bool
        Whether ``tol``/``patience`` (or the callback) ended the run early.

    Notes
    -----
    Recording costs ``8 · (2P + k)`` bytes per recorded epoch (P parameters,
    k outputs), and ``8 · P`` more for each state array of the optimizer
    (momentum's velocity; Adam's two moments): a network with 10,000 parameters recorded at each of 10,000
    epochs takes 1.6 GB, recorded every 100th epoch 16 MB.  Choose
    ``record_every`` accordingly, or 0 to record nothing.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=10, lr=0.2, record_every=5)
    >>> history.recorded_epochs.tolist()
    [0, 5, 10]
    >>> history.parameter("I1->H4").round(6).tolist()
    [0.320663, 0.322789, 0.323084]
    >>> history.predictions[:, 0].round(4).tolist()
    [0.0991, 0.2773, 0.2975]
    """

    def __init__(
        self,
        network: NetworkStructure,
        parameters: Parameters,
        sample_x: np.ndarray,
        sample_y: np.ndarray,
        loss_function: Loss,
        optimizer: Optional[dict] = None,
        *,
        training_rows: int = 1,
        batch_rows: int = 1,
        regularization: Optional[dict] = None,
    ) -> None:
        self.network = network
        self.optimizer = optimizer
        self.training_rows = training_rows
        self.batch_rows = batch_rows
        self.regularization = regularization
        self._penalty: list[float] = []
        self._accuracy: list[float] = []
        self._val_accuracy: list[float] = []
        self._version = network.structure_version  # the structure the recorded columns belong to
        self._layout = parameters  # names and order of the recorded columns
        self.sample_x = sample_x
        self.sample_y = sample_y
        self.loss_function = loss_function
        self.stopped_early = False
        self._loss: list[float] = []
        self._val_loss: list[float] = []
        self._lr: list[float] = []
        self._epochs: list[int] = []
        # blocks of rows, one row per recorded epoch: parameters, their gradients, the prediction
        self._parameters: list[np.ndarray] = []
        self._gradients: list[Optional[np.ndarray]] = []
        self._predictions: list[np.ndarray] = []
        self._optimizer_states: list[dict[str, Any]] = []
        self._arrays: Optional[dict[str, np.ndarray]] = None  # built from the records when first read

    # -- filled by fit
    @classmethod
    def from_checkpoints(
        cls,
        checkpoints: Any,
        *,
        manifest: Any,
        losses: Any = None,
        sample: Any = None,
    ) -> History:
        """A History of checkpoints saved during a run elsewhere (e.g. PyTorch), for plots and the lab.

        Parameters
        ----------
        checkpoints : sequence of state dicts or paths
            Checkpoint ``i`` is the state after ``i`` epochs (the first: the
            initial state). Paths are read with ``torch.load(weights_only=True)``.
        manifest : dict or path
            The manifest of :func:`nodenet.to_torch` (``module.nodenet_manifest``, or the JSON file).
        losses : sequence of float, optional
            The training loss of each epoch (one fewer than checkpoints); NaN when not given.
        sample : pair (x, y), optional
            The watched sample whose prediction is recorded; zeros when not given.

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 1], seed=0)
        >>> module = nodenet.to_torch(net)
        >>> states = [{k: v.clone() for k, v in module.state_dict().items()} for _ in range(3)]
        >>> nodenet.History.from_checkpoints(states, manifest=module.nodenet_manifest).recorded_epochs.tolist()
        [0, 1, 2]
        """
        manifest = load_manifest(manifest)
        net = network_from(manifest)
        if isinstance(checkpoints, (str, bytes, dict)) or not isinstance(checkpoints, (list, tuple)) or not checkpoints:
            raise InvalidArgument("checkpoints must be a non-empty list of state dicts or of their files, one per "
                                  f"epoch (the first: the initial state); got {type(checkpoints).__name__}.")
        rows = [parameter_values(manifest, net, read_checkpoint(item)) for item in checkpoints]
        if sample is None:
            sample = (np.zeros(len(net.inputs)), np.zeros(len(net.outputs)))
        if not (isinstance(sample, (tuple, list)) and len(sample) == 2):
            raise InvalidArgument(f"sample must be a pair (x, y) of one sample's inputs and targets; got {sample!r:.80}.")
        x = as_float_array(sample[0], "The inputs of sample")
        y = as_float_array(sample[1], "The targets of sample")
        if x.shape != (len(net.inputs),) or y.shape != (len(net.outputs),):
            raise ShapeError(f"sample must be one sample (x of shape ({len(net.inputs)},), y of shape "
                             f"({len(net.outputs)},)); got shapes {x.shape} and {y.shape}.")
        epoch_losses = np.full(len(rows) - 1, np.nan) if losses is None else as_float_array(losses, "losses")
        if epoch_losses.shape != (len(rows) - 1,):
            raise ShapeError(f"losses needs one value per epoch ({len(rows) - 1}); got shape {epoch_losses.shape}.")
        params = Parameters(net)
        history = cls(net, params, x, y, get_loss("l2"))
        for epoch, values in enumerate(rows):
            params.assign(values)
            prediction = engine.forward(net, x).copy()
            history.record(epoch, values, None, prediction)
            if epoch < len(rows) - 1:
                history.end_epoch(float(epoch_losses[epoch]), None, math.nan)
        return history

    def record(
        self,
        epoch: int,
        values: np.ndarray,
        grads: Optional[np.ndarray],
        prediction: np.ndarray,
        optimizer_state: Optional[dict[str, Any]] = None,
    ) -> None:
        """Keep the state at the start of ``epoch`` (``fit`` calls it); ``optimizer_state`` holds ``steps`` and the arrays."""
        self._arrays = None
        self._optimizer_states.append(optimizer_state or {})
        self._epochs.append(epoch)
        self._parameters.append(np.asarray(values, dtype=float)[None, :])
        self._gradients.append(None if grads is None else np.asarray(grads, dtype=float)[None, :])  # None: NaN
        self._predictions.append(np.asarray(prediction, dtype=float)[None, :])

    def record_rows(self, epochs: Sequence[int], rows: np.ndarray) -> None:
        """Keep many states at once: each row holds the parameters, their gradients and the prediction.

        What :meth:`record` keeps for ``epochs[i]``, in one array of
        ``len(epochs)`` rows (``fit``'s generated trainer records so).
        """
        width = len(self._layout)
        self._arrays = None
        self._epochs.extend(epochs)
        self._parameters.append(rows[:, :width])
        self._gradients.append(rows[:, width : 2 * width])
        self._predictions.append(rows[:, 2 * width :])
        self._optimizer_states.extend([{}] * len(epochs))  # never changed: optimizer_state returns copies

    def end_epochs(self, losses: Sequence[float], rates: Sequence[float]) -> None:
        """:meth:`end_epoch` for many epochs without validation, penalty or accuracy."""
        self._arrays = None
        self._loss.extend(losses)
        self._lr.extend(rates)

    def end_epoch(
        self,
        loss: float,
        val_loss: Optional[float],
        lr: float,
        penalty: Optional[float] = None,
        *,
        accuracy: Optional[float] = None,
        val_accuracy: Optional[float] = None,
    ) -> None:
        """Keep an epoch's data loss, validation loss, learning rate, weight penalty and accuracies (``fit`` calls it)."""
        self._arrays = None
        for kept, value in ((self._penalty, penalty), (self._accuracy, accuracy), (self._val_accuracy, val_accuracy)):
            if value is not None:
                kept.append(value)
        self._loss.append(loss)
        self._lr.append(lr)
        if val_loss is not None:
            self._val_loss.append(val_loss)

    def _array(self, name: str) -> np.ndarray:
        """One of the (read-only) arrays the properties return, built from the records after a change."""
        if self._arrays is None:
            self._arrays = self._build_arrays()
        return self._arrays[name]

    def _build_arrays(self) -> dict[str, np.ndarray]:
        m, width = len(self._epochs), len(self._layout)
        arrays = {
            "loss": np.array(self._loss, dtype=float),
            "val_loss": np.array(self._val_loss, dtype=float),
            "lr": np.array(self._lr, dtype=float),
            "penalty": np.array(self._penalty, dtype=float),
            "accuracy": np.array(self._accuracy, dtype=float),
            "val_accuracy": np.array(self._val_accuracy, dtype=float),
            "recorded_epochs": np.array(self._epochs, dtype=int),
            "parameters": _rows(self._parameters, m, width),
            "gradients": _rows(self._gradients, m, width),
            "predictions": _rows(self._predictions, m, len(self.sample_y)),
        }
        for array in arrays.values():
            array.flags.writeable = False
        return arrays

    # -- public views
    @property
    def parameter_names(self) -> list[str]:
        """Names of the parameters (columns of ``parameters`` and ``gradients``)."""
        return self._layout.names

    @property
    def epochs_run(self) -> int:
        """Number of epochs trained."""
        return len(self._loss)

    @property
    def loss(self) -> np.ndarray:
        """Training loss per epoch, shape ``(epochs_run,)``."""
        return self._array("loss")

    @property
    def val_loss(self) -> Optional[np.ndarray]:
        """Validation loss per epoch, or ``None`` without ``validation``."""
        return self._array("val_loss") if self._val_loss else None

    @property
    def penalty(self) -> Optional[np.ndarray]:
        """The weight penalty at the start of each epoch (``l2``/``l1`` of ``fit``), or ``None`` without one.

        ``loss + penalty`` is what training descended; ``loss`` alone is the data loss.
        """
        return self._array("penalty") if self._penalty else None

    @property
    def accuracy(self) -> Optional[np.ndarray]:
        """Training accuracy per epoch (the rows the epoch's batches got right), or ``None`` (see ``fit``'s ``metrics``)."""
        return self._array("accuracy") if self._accuracy else None

    @property
    def val_accuracy(self) -> Optional[np.ndarray]:
        """Accuracy on ``validation`` after each epoch, or ``None``."""
        return self._array("val_accuracy") if self._val_accuracy else None

    @property
    def lr(self) -> np.ndarray:
        """Learning rate per epoch, shape ``(epochs_run,)``."""
        return self._array("lr")

    @property
    def recorded_epochs(self) -> np.ndarray:
        """Epochs whose parameters were recorded, shape ``(m,)``."""
        return self._array("recorded_epochs")

    @property
    def parameters(self) -> np.ndarray:
        """Weights and biases at the recorded epochs, shape ``(m, P)``."""
        return self._array("parameters")

    @property
    def gradients(self) -> np.ndarray:
        """Gradients of each recorded epoch's first batch, shape ``(m, P)``."""
        return self._array("gradients")

    @property
    def predictions(self) -> np.ndarray:
        """Output for the watched sample at the recorded epochs, shape ``(m, k)``."""
        return self._array("predictions")

    def optimizer_state(self, epoch: int) -> dict[str, Any]:
        """The optimizer's state at the start of a recorded epoch: ``steps`` taken and its arrays (e.g. ``velocity``).

        Empty for plain SGD, for the final state and for histories made from checkpoints.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> history = net.fit([[1.0]], [[0.0]], epochs=2, lr=0.1, optimizer=nodenet.SGD(lr=0.1, momentum=0.9))
        >>> state = history.optimizer_state(1)
        >>> state["steps"], state["velocity"].round(4).tolist()
        (1, [-0.0205, -0.0205])
        """
        return dict(self._optimizer_states[self.position(epoch)])

    def parameter(self, name: str) -> np.ndarray:
        """The recorded values of one parameter (``'I1->H4'`` or ``'H4.bias'``), shape ``(m,)``.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> net.fit([[1.0]], [[0.0]], epochs=1, lr=0.1).parameter("O2->I1")
        Traceback (most recent call last):
        ...
        nodenet.errors.NodeNotFound: No parameter 'O2->I1'; recorded parameters: I1->O2, O2.bias.
        """
        try:
            column = self.parameter_names.index(name)
        except ValueError as err:
            known = ", ".join(self.parameter_names[:20]) + (", ..." if len(self.parameter_names) > 20 else "")
            raise NodeNotFound(f"No parameter {name!r}; recorded parameters: {known}.") from err
        return self.parameters[:, column]

    def network_at(self, epoch: int, *, x: ArrayLike = None, y: ArrayLike = None) -> Any:
        """An independent copy of the network with the parameters of a recorded epoch.

        Its caches are filled by a forward pass on ``x`` (default: the
        watched sample) and, when ``y`` is given or ``x`` is defaulted (the
        watched target is used), a backward pass, so the copy can be
        inspected, explained or rendered as it was at that moment.

        Parameters
        ----------
        epoch : int
            One of :attr:`recorded_epochs`.
        x, y : array-like, optional
            Sample (or batch) and target(s) for the caches.

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=100, lr=0.2, record_every=50)
        >>> round(history.network_at(0)["O6"].post, 4), round(history.network_at(100)["O6"].post, 4)
        (0.0991, 0.3)
        >>> history.network_at(70)
        Traceback (most recent call last):
        ...
        nodenet.errors.InvalidArgument: Epoch 70 was not recorded; the nearest recorded epochs are 50 and 100 (this ...
        """
        position = self.position(epoch)
        self.require_trained_structure("network_at")
        clone = copy.deepcopy(self.network)
        Parameters(clone).assign(self.parameters[position])
        if x is None:
            x, y = self.sample_x, self.sample_y if y is None else y
        engine.forward(clone, x)
        if y is not None:
            engine.backward(clone, y, loss=self.loss_function)
        return clone

    def require_trained_structure(self, what: str) -> None:
        """Raise :class:`TopologyError` if the network's structure changed after training.

        The recorded columns belong to the structure that was trained; ``what``
        names the caller in the message.
        """
        if self.network.structure_version != self._version:
            raise TopologyError(
                "The network's structure (nodes, connections or activations) changed after this history "
                f"was recorded, so its parameters no longer fit it; {what} needs the trained structure."
            )

    def position(self, epoch: int) -> int:
        """The row of a recorded epoch in :attr:`parameters`; a clear error for any other epoch."""
        epochs = self._epochs
        if not epochs:
            raise InvalidArgument(
                "No parameters were recorded in this run; fit with record_every=1 (or k) to keep them."
            )
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)):
            raise InvalidArgument(f"epoch must be an int; got {epoch!r}.")
        position = bisect.bisect_left(epochs, epoch)
        if position < len(epochs) and epochs[position] == epoch:
            return position
        if not epochs[0] <= epoch <= epochs[-1]:
            raise InvalidArgument(
                f"Epoch {epoch} is outside this run: its recorded states go from epoch {epochs[0]} to {epochs[-1]}."
            )
        nearest = f"{epochs[position - 1]} and {epochs[position]}"
        every = epochs[1] - epochs[0]
        raise InvalidArgument(
            f"Epoch {epoch} was not recorded; the nearest recorded epochs are {nearest} (this run kept "
            f"every {every} epochs and the final state; fit with record_every=1 to keep every epoch)."
        )

    def __repr__(self) -> str:
        last = f", final loss {self._loss[-1]:.6g}" if self._loss else ""
        return (
            f"History({self.epochs_run} epochs{last}; {len(self._epochs)} recorded states "
            f"of {len(self.parameter_names)} parameters)"
        )


def _rows(blocks: Sequence[Optional[np.ndarray]], count: int, width: int) -> np.ndarray:
    """The recorded blocks as one ``(count, width)`` array (a copy: the blocks may be views); ``None`` is a row of NaN."""
    if not blocks:
        return np.empty((0, width))
    return np.concatenate([np.full((1, width), math.nan) if block is None else block for block in blocks]).reshape(count, width)
