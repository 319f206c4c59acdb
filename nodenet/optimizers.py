"""Optimizers (SGD with momentum, Adam) and learning-rate schedules.

An optimizer turns the current parameter values and their gradients into
new values.  The values come from, and go back to, the network's parameter
store, which ``Connection.weight`` and ``Node.bias`` read and write through
(:class:`nodenet.parameters.Parameters`): an optimizer keeps only its own
state (velocities, moment estimates), never a copy of the weights.

Parameters are handled as one float array in parameter order (every
connection of ``net.connections``, then the bias of every non-input node of
``net.nodes``), so a step costs a few array operations whatever the size of
the network.

A schedule gives the learning rate of each epoch ``ℓ`` from the initial rate
``η0``:

=================  ===============================================
``constant``       ``η0``
``time``           ``η0 / (1 + decay · ℓ)`` (the usual time-based decay)
``chapter``        ``η_ℓ = η_{ℓ-1} / (1 + decay · ℓ)``, the chapter's
                   compounding recurrence (it decays much faster)
``step``           ``η0 · factor ** (ℓ // every)``
``exponential``    ``η0 · gamma ** ℓ``
=================  ===============================================

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([1, 1], init="constant", scale=1.0, bias="zeros")
>>> _ = net.forward([2.0]); _ = net.backward([1.0])     # grad of I1->O2 is (2 - 1) * 2
>>> nodenet.SGD(lr=0.1).update(net)
>>> net.connection("I1", "O2").weight
0.8
>>> [round(TimeDecay(decay=0.5).rate(1.0, epoch), 4) for epoch in range(3)]
[1.0, 0.6667, 0.5]
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any, Iterator, Union

import numpy as np

from .checks import as_float_array, check_number, check_range
from .errors import InvalidArgument, NumericalError, ShapeError
from .parameters import Parameters

if TYPE_CHECKING:
    from .structure import NetworkStructure as Network

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "OPTIMIZERS",
    "get_optimizer",
    "Schedule",
    "Constant",
    "TimeDecay",
    "ChapterDecay",
    "StepDecay",
    "ExponentialDecay",
    "SCHEDULES",
    "get_schedule",
]


def _positive(value: Any, what: str) -> float:
    try:
        number = check_number(value, what)
    except InvalidArgument:
        number = math.nan
    if not number > 0:
        raise InvalidArgument(f"The {what} must be a finite number > 0; got {value!r}.")
    return number


# --------------------------------------------------------------------------- optimizers
class Optimizer:
    """Base class: subclasses implement :meth:`step` on flat float arrays."""

    name = ""

    def __init__(self, *, lr: float) -> None:
        self.lr = _positive(lr, f"{type(self).__name__} lr (learning rate)")
        self.reset()

    def reset(self) -> None:
        """Forget the state of earlier steps (``fit`` calls this when it starts)."""
        self.steps = 0
        self._scratch = np.zeros(0)
        self._structure: tuple[int, int] | None = None

    def step(self, values: Any, grads: Any, lr: float | None = None) -> np.ndarray:
        """Move ``values`` one step along ``grads``, in place when it is a float array.

        ``lr`` overrides the optimizer's own rate for this step (a schedule
        uses it).  The arrays must keep the same length and order between
        steps.  Returns the updated values (``values`` itself for a float
        array).  The work happens in buffers the optimizer keeps, so a step
        on a large network allocates no memory.
        """
        if not (type(values) is np.ndarray and values.dtype == np.float64):
            values = as_float_array(values, "The values of an optimizer step")
        if not (type(grads) is np.ndarray and grads.dtype == np.float64):
            grads = as_float_array(grads, "The gradients of an optimizer step")
        if values.ndim != 1 or grads.shape != values.shape:
            raise ShapeError(
                f"An optimizer step needs one gradient per value, both 1-D; got values of shape {values.shape} "
                f"and gradients of shape {grads.shape}."
            )
        if not math.isfinite(np.add.reduce(grads)) and not np.isfinite(grads).all():  # one pass when all is well
            bad = int(np.flatnonzero(~np.isfinite(grads))[0])
            raise NumericalError(
                f"Gradient {bad} is {float(grads[bad])!r}; an optimizer step needs finite gradients "
                "(the backward pass overflowed: scale the data or use smaller weights)."
            )
        return self.step_checked(values, grads, lr)

    def step_checked(self, values: np.ndarray, grads: np.ndarray, lr: float | None = None) -> np.ndarray:
        """:meth:`step` on arrays known to be float, 1-D, of one length, with finite gradients (``fit``'s).

        ``fit`` calls it unless a subclass overrides :meth:`step`; it checks
        the updated values itself.
        """
        if self._scratch.shape != values.shape:  # new parameters: start afresh
            self._scratch = np.zeros(values.shape)
            self._fresh_state(values.size)
            self.steps = 0
        self.steps += 1
        self._advance(values, grads, self.lr if lr is None else lr, self._scratch)
        return values

    def _advance(self, values: np.ndarray, grads: np.ndarray, eta: float, scratch: np.ndarray) -> None:
        """Update ``values`` in place; ``scratch`` is a work array of the same shape."""
        raise NotImplementedError

    def _fresh_state(self, size: int) -> None:
        """Zero the per-parameter state for ``size`` parameters."""

    state_names: tuple[str, ...] = ()
    """The per-parameter state arrays the optimizer keeps between steps (attribute names)."""

    def settings(self) -> dict[str, Any]:
        """The optimizer's name and options, as plain numbers (what :class:`~nodenet.History` records).

        >>> SGD(lr=0.1, momentum=0.9).settings()
        {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'nesterov': False}
        """
        return {"name": self.name or type(self).__name__, "lr": self.lr}

    def state(self, size: int) -> dict[str, np.ndarray]:
        """Copies of the per-parameter state for ``size`` parameters, zeros before the first step.

        >>> opt = SGD(lr=0.1, momentum=0.9)
        >>> opt.state(1)["velocity"].tolist(), opt.step([1.0], [2.0]).tolist(), opt.state(1)["velocity"].tolist()
        ([0.0], [0.8], [-0.2])
        """
        started = self.started(size)
        return {name: getattr(self, name).copy() if started else np.zeros(size) for name in self.state_names}

    def started(self, size: int) -> bool:
        """Whether the optimizer has stepped ``size`` parameters since its last reset (its state is theirs).

        >>> opt = SGD(lr=0.1)
        >>> opt.started(1), opt.step([1.0], [2.0]) is not None, opt.started(1), opt.started(2)
        (False, True, True, False)
        """
        return self.steps > 0 and self._scratch.shape == (size,)

    def continues(self, net: Network) -> bool:
        """Whether :meth:`update` on ``net`` would continue from the present state (else it starts afresh).

        True after :meth:`update` on this same network and structure; ``fit``
        always starts afresh.

        >>> import nodenet
        >>> net, other = nodenet.Network.from_layers([1, 1], seed=0), nodenet.Network.from_layers([1, 1], seed=1)
        >>> opt = SGD(lr=0.1, momentum=0.9)
        >>> _ = net.forward([1.0]); _ = net.backward([0.0]); opt.update(net)
        >>> opt.continues(net), opt.continues(other)
        (True, False)
        """
        return self._structure == (id(net), net.structure_version) and self.started(net.parameter_count())

    def update(self, net: Network, *, lr: float | None = None) -> None:
        """One step on ``net`` from the gradients of its last backward pass.

        The optimizer's state (velocities, moments) belongs to one network
        structure: a different network, or a structural change, starts it afresh.
        """
        structure = (id(net), net.structure_version)
        if structure != self._structure:
            self.reset()
            self._structure = structure
        Parameters(net).update(self, lr)


class SGD(Optimizer):
    """Gradient descent ``λ ← λ − η ∂L/∂λ``, with optional (Nesterov) momentum.

    With momentum ``μ`` each parameter keeps a velocity
    ``v ← μ v − η g`` and moves by ``v``; Nesterov's variant moves by
    ``μ v − η g`` (the gradient is taken as if at the look-ahead point).

    Parameters
    ----------
    lr : float
        Learning rate ``η`` (> 0).
    momentum : float
        ``μ`` in [0, 1); 0 is plain gradient descent.
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0``).

    Examples
    --------
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> opt.step([1.0], [2.0]).tolist(), opt.step([0.8], [2.0]).tolist()
    ([0.8], [0.42])
    >>> SGD(lr=0.1, nesterov=True)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: nesterov=True needs momentum > 0 (e.g. momentum=0.9); got momentum=0.0.
    """

    name = "sgd"

    def __init__(self, *, lr: float, momentum: float = 0.0, nesterov: bool = False) -> None:
        self.momentum = check_range(momentum, "SGD momentum", 0.0, 1.0, high_open=True)
        if not isinstance(nesterov, bool):
            raise InvalidArgument(f"nesterov must be True or False; got {nesterov!r}.")
        if nesterov and self.momentum == 0.0:
            raise InvalidArgument(f"nesterov=True needs momentum > 0 (e.g. momentum=0.9); got momentum={self.momentum!r}.")
        self.nesterov = nesterov
        self.state_names = ("velocity",) if self.momentum else ()
        super().__init__(lr=lr)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "momentum": self.momentum, "nesterov": self.nesterov}

    def _fresh_state(self, size: int) -> None:
        self.velocity = np.zeros(size)

    def _advance(self, values: np.ndarray, grads: np.ndarray, eta: float, scratch: np.ndarray) -> None:
        # the operations, in order, of λ − η g and of v ← μ v − η g; λ + v (or λ + μ v − η g)
        mu = self.momentum
        if mu != 0.0:
            velocity = self.velocity
            velocity *= mu
            np.multiply(eta, grads, out=scratch)
            velocity -= scratch
            if not self.nesterov:
                values += velocity
                return
            np.multiply(mu, velocity, out=scratch)
            values += scratch
        np.multiply(eta, grads, out=scratch)
        values -= scratch

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr!r}, momentum={self.momentum!r}, nesterov={self.nesterov!r})"


class Adam(Optimizer):
    """Adam (Kingma and Ba): per-parameter steps from moment estimates.

    ``m ← β1 m + (1 − β1) g``, ``v ← β2 v + (1 − β2) g²``, then
    ``λ ← λ − η m̂ / (√v̂ + ε)`` with the bias corrections
    ``m̂ = m / (1 − β1^t)`` and ``v̂ = v / (1 − β2^t)`` at step ``t``.

    Parameters
    ----------
    lr : float
        Learning rate ``η`` (> 0).
    beta1, beta2 : float
        Decay rates of the moment estimates, in [0, 1).
    eps : float
        ``ε`` > 0, keeps the division finite.

    Examples
    --------
    >>> opt = Adam(lr=0.1)
    >>> opt.step([1.0, 1.0], [2.0, -0.5]).round(6).tolist()
    [0.9, 1.1]
    """

    name = "adam"

    def __init__(self, *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1 = check_range(beta1, "Adam beta1", 0.0, 1.0, high_open=True)
        self.beta2 = check_range(beta2, "Adam beta2", 0.0, 1.0, high_open=True)
        self.eps = _positive(eps, "Adam eps")
        super().__init__(lr=lr)

    state_names = ("first", "second")

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def _fresh_state(self, size: int) -> None:
        self.first = np.zeros(size)
        self.second = np.zeros(size)
        self._denominator = np.zeros(size)

    def _advance(self, values: np.ndarray, grads: np.ndarray, eta: float, scratch: np.ndarray) -> None:
        # m ← β1 m + (1 − β1) g;  v ← β2 v + ((1 − β2) g) g;  λ ← λ − (η (m / c1)) / (√(v / c2) + ε)
        b1, b2 = self.beta1, self.beta2
        first, second, denominator = self.first, self.second, self._denominator
        first *= b1
        np.multiply(1.0 - b1, grads, out=scratch)
        first += scratch
        second *= b2
        np.multiply(1.0 - b2, grads, out=scratch)
        scratch *= grads
        second += scratch
        np.divide(second, 1.0 - b2**self.steps, out=denominator)
        np.sqrt(denominator, out=denominator)
        denominator += self.eps
        np.divide(first, 1.0 - b1**self.steps, out=scratch)
        scratch *= eta
        scratch /= denominator
        values -= scratch

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr!r}, beta1={self.beta1!r}, beta2={self.beta2!r}, eps={self.eps!r})"


OPTIMIZERS: dict[str, type[Optimizer]] = {"adam": Adam, "sgd": SGD}


def get_optimizer(spec: Union[str, Optimizer], *, lr: float | None = None) -> Optimizer:
    """The optimizer for a name (``"sgd"``, ``"adam"``) or an instance.

    A name needs ``lr``; an instance is returned as it is (``lr``, when
    given, is only checked: :func:`nodenet.fit` passes it to each step).

    >>> get_optimizer("adam", lr=0.01)
    Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08)
    >>> get_optimizer("rmsprop", lr=0.01)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: Unknown optimizer 'rmsprop'; choose one of adam, sgd, or pass an Optimizer such ...
    """
    if lr is not None:
        _positive(lr, "lr (learning rate)")
    if isinstance(spec, Optimizer):
        return spec
    cls = _registered(spec, OPTIMIZERS, "optimizer", "an Optimizer such as nodenet.SGD(lr=0.1, momentum=0.9)")
    if lr is None:
        raise InvalidArgument(f"optimizer={spec!r} needs a learning rate: pass lr=..., e.g. lr=0.1.")
    return cls(lr=lr)


def _registered(spec: Any, registry: dict, kind: str, example: str) -> Any:
    """The class registered under the name ``spec``, or an error listing the names."""
    if not isinstance(spec, str) or spec not in registry:
        raise InvalidArgument(f"Unknown {kind} {spec!r}; choose one of {', '.join(registry)}, or pass {example}.")
    return registry[spec]


# --------------------------------------------------------------------------- schedules
class Schedule:
    """Base class: :meth:`rate` gives the learning rate of epoch ``epoch``."""

    name = ""

    def rate(self, lr: float, epoch: int) -> float:
        """The learning rate of ``epoch`` (0-based) for an initial rate ``lr``."""
        raise NotImplementedError

    def rates(self, lr: float) -> Iterator[float]:
        """The rates of epochs 0, 1, 2, ... (an endless iterator)."""
        return (self.rate(lr, epoch) for epoch in itertools.count())

    def __repr__(self) -> str:
        options = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({options})"


class Constant(Schedule):
    """The same rate every epoch.

    >>> Constant().rate(0.2, 500)
    0.2
    """

    name = "constant"

    def rate(self, lr: float, epoch: int) -> float:
        return lr


class TimeDecay(Schedule):
    """Time-based decay ``η_ℓ = η0 / (1 + decay · ℓ)``.

    >>> TimeDecay(decay=0.1).rate(1.0, 10)
    0.5
    """

    name = "time"

    def __init__(self, *, decay: float = 0.01) -> None:
        self.decay = _positive(decay, "TimeDecay decay")

    def rate(self, lr: float, epoch: int) -> float:
        return lr / (1.0 + self.decay * epoch)


class ChapterDecay(Schedule):
    """The chapter's compounding recurrence ``η_ℓ = η_{ℓ-1} / (1 + decay · ℓ)``.

    Each epoch divides the previous epoch's rate, so
    ``η_ℓ = η0 / Π_{i=1..ℓ} (1 + decay · i)``: far faster than
    :class:`TimeDecay`, which the chapter's text intends (the usual
    time-based decay divides ``η0``, not ``η_{ℓ-1}``).  Offered to reproduce
    the chapter's formula as written.

    >>> [round(ChapterDecay(decay=0.1).rate(1.0, epoch), 6) for epoch in range(3)]
    [1.0, 0.909091, 0.757576]
    >>> [round(r, 6) for r in itertools.islice(ChapterDecay(decay=0.1).rates(1.0), 3)]
    [1.0, 0.909091, 0.757576]
    """

    name = "chapter"

    def __init__(self, *, decay: float = 0.01) -> None:
        self.decay = _positive(decay, "ChapterDecay decay")

    def rate(self, lr: float, epoch: int) -> float:
        for step in range(1, epoch + 1):
            lr = lr / (1.0 + self.decay * step)
        return lr

    def rates(self, lr: float) -> Iterator[float]:
        for step in itertools.count(1):
            yield lr
            lr = lr / (1.0 + self.decay * step)


class StepDecay(Schedule):
    """Multiply the rate by ``factor`` every ``every`` epochs: ``η0 · factor ** (ℓ // every)``.

    >>> [StepDecay(factor=0.5, every=2).rate(1.0, epoch) for epoch in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    name = "step"

    def __init__(self, *, factor: float = 0.5, every: int = 100) -> None:
        self.factor = check_range(factor, "StepDecay factor", 0.0, 1.0)
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise InvalidArgument(f"StepDecay every must be an int >= 1 (epochs between drops); got {every!r}.")
        self.every = every

    def rate(self, lr: float, epoch: int) -> float:
        return lr * self.factor ** (epoch // self.every)


class ExponentialDecay(Schedule):
    """``η_ℓ = η0 · gamma ** ℓ``.

    >>> ExponentialDecay(gamma=0.5).rate(1.0, 3)
    0.125
    """

    name = "exponential"

    def __init__(self, *, gamma: float = 0.99) -> None:
        self.gamma = check_range(gamma, "ExponentialDecay gamma", 0.0, 1.0)

    def rate(self, lr: float, epoch: int) -> float:
        return lr * self.gamma**epoch


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (Constant, TimeDecay, ChapterDecay, StepDecay, ExponentialDecay)
}


def get_schedule(spec: Union[None, str, Schedule]) -> Schedule:
    """The schedule for ``None`` (constant), a name (default options) or an instance.

    >>> get_schedule("time")
    TimeDecay(decay=0.01)
    >>> get_schedule(None)
    Constant()
    """
    if spec is None:
        return Constant()
    if isinstance(spec, Schedule):
        return spec
    return _registered(spec, SCHEDULES, "schedule", "a Schedule such as nodenet.TimeDecay(decay=0.01)")()
