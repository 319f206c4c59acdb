"""Optimizers: gradient descent (with momentum) and Adam.

An optimizer turns the current parameter values and their gradients into
new values.  The values come from, and go back to, the network's parameter
store, which ``Connection.weight`` and ``Node.bias`` read and write through
(:class:`nodenet.parameters.Parameters`): an optimizer keeps only its own
state (velocities, moment estimates), never a copy of the weights.

Parameters are handled as one float array in parameter order (every
connection of ``net.connections``, then the bias of every non-input node of
``net.nodes``), so a step costs a few array operations whatever the size of
the network.

Learning-rate schedules are in :mod:`nodenet.schedules`.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([1, 1], init="constant", scale=1.0, bias="zeros")
>>> _ = net.forward([2.0]); _ = net.backward([1.0])     # grad of I1->O2 is (2 - 1) * 2
>>> nodenet.SGD(lr=0.1).update(net)
>>> net.connection("I1", "O2").weight
0.8
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from .checks import as_float_array, check_positive, check_range, registered
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
]


# --------------------------------------------------------------------------- optimizers
class Optimizer:
    """Base class: subclasses implement :meth:`step` on flat float arrays."""

    name = ""

    def __init__(self, *, lr: float) -> None:
        self.lr = check_positive(lr, f"{type(self).__name__} lr (learning rate)")
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

    def advanced(self, steps: int, size: int) -> None:
        """Count ``steps`` plain steps on ``size`` parameters that were taken outside :meth:`step`.

        ``fit``'s generated one-sample trainer (:mod:`nodenet.fast.trainer`)
        takes plain gradient-descent steps itself; afterwards the optimizer
        reads as if it had taken them.  Only for optimizers without state.

        >>> opt = SGD(lr=0.1)
        >>> opt.advanced(3, 2); opt.steps, opt.started(2)
        (3, True)
        """
        if self.state_names:
            raise InvalidArgument(f"{type(self).__name__} keeps state between steps; its steps cannot be taken elsewhere.")
        if self._scratch.shape != (size,):
            self._scratch = np.zeros(size)
            self.steps = 0
        self.steps += steps

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
        self.eps = check_positive(eps, "Adam eps")
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
        check_positive(lr, "lr (learning rate)")
    if isinstance(spec, Optimizer):
        return spec
    cls = registered(spec, OPTIMIZERS, "optimizer", "an Optimizer such as nodenet.SGD(lr=0.1, momentum=0.9)")
    if lr is None:
        raise InvalidArgument(f"optimizer={spec!r} needs a learning rate: pass lr=..., e.g. lr=0.1.")
    return cls(lr=lr)
