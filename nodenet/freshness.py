"""One freshness rule: what a network derives from its structure, and whether its caches are current.

A network has two version numbers: its *structure version*, bumped by every
change of nodes, connections or activations, and its *parameter version*
(``net.store.version``), bumped by every write of a weight or a bias.

* Everything derived from the structure (the topological order, the softmax
  groups, a compiled plan, the fast paths' programs) lives in one
  :class:`DerivedCache`, which a structural change clears, as networkx clears
  its cached views.
* The signal caches of the nodes are *current* when the forward pass that
  wrote them started at the present structure and parameter versions and
  ran to its end.  :class:`PassRecord` keeps that stamp, counts the passes
  (a stepping generator notices a pass started after its own) and keeps what
  the last backward pass learned from the loss, for explanations.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([1, 1], seed=0)
>>> _ = net.forward([1.0]); net.passes.current()
True
>>> net.connection("I1", "O2").weight = 0.5; net.passes.current()
False
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .errors import ConcurrentUseError, NotComputedError, TopologyError

if TYPE_CHECKING:
    from .structure import NetworkStructure

__all__ = ["DerivedCache", "PassRecord", "Ticket"]

T = TypeVar("T")


class DerivedCache:
    """Forms derived from a network's structure, built on first use and dropped when it changes.

    >>> cache = DerivedCache()
    >>> cache.get("order", lambda: [1, 2]) is cache.get("order", list)
    True
    >>> cache.clear(); cache.get("order", lambda: "rebuilt")
    'rebuilt'
    """

    __slots__ = ("_forms",)

    def __init__(self) -> None:
        self._forms: dict[str, Any] = {}

    def get(self, key: str, build: Callable[[], T]) -> T:
        """The form called ``key``, built with ``build()`` when the structure has none yet."""
        if key not in self._forms:
            self._forms[key] = build()
        return self._forms[key]

    def put(self, key: str, value: Any) -> None:
        """Store a form built elsewhere (e.g. while the structure was made)."""
        self._forms[key] = value

    def peek(self, key: str) -> Any:
        """The form called ``key`` if it was built, else None."""
        return self._forms.get(key)

    def clear(self) -> None:
        """Forget every form (the structure changed)."""
        self._forms.clear()

    def __deepcopy__(self, memo: dict) -> DerivedCache:
        return DerivedCache()  # a copy rebuilds what it needs

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self._forms = {}


class Exclusive:
    """The context of :meth:`PassRecord.exclusive` (a class: a generator-based one costs microseconds per pass)."""

    __slots__ = ("_lock", "_what")

    def __init__(self, lock: Any, what: str) -> None:
        self._lock, self._what = lock, what

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            raise ConcurrentUseError(
                f"{self._what} was called while another thread is running a pass on this network; a network is "
                "not thread-safe. Give each thread its own copy (copy.deepcopy(net)) or use a lock."
            )

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


Ticket = tuple  # (pass number, structure version, parameter version) at the start of a pass: a plain tuple, cheap


class PassRecord:
    """Which passes ran, whether the signal caches are current, and the loss of the last backward pass.

    Attributes
    ----------
    loss_function, targets
        The loss and the checked targets of the last complete backward pass
        (``None`` before one).
    loss_grads : dict of Node to float or numpy.ndarray
        ``∂L/∂post`` from the loss alone at each output, of that pass.
    """

    __slots__ = ("_net", "_count", "_forward", "_signals", "_lock", "loss_function", "targets", "loss_grads")

    def __init__(self, net: NetworkStructure) -> None:
        self._net = net
        self._lock = threading.RLock()
        self._count = 0
        self._forward = 0
        self._signals: Ticket | None = None
        self.loss_function: Any = None
        self.targets: Any = None
        self.loss_grads: dict[Any, Any] = {}

    def exclusive(self, what: str) -> Exclusive:
        """A context in which ``what`` is the only user of the network: a second thread gets :class:`ConcurrentUseError`.

        A network's caches are shared state, so it is not safe to use from
        several threads at once; this makes such use fail loudly instead of
        returning another thread's numbers.  The same thread may nest calls
        (a ``fit`` callback may call ``net.forward``).
        """
        return Exclusive(self._lock, what)

    def _now(self, number: int) -> Ticket:
        net = self._net
        return (number, net.structure_version, net.store.version)

    def begin_forward(self) -> Ticket:
        """Start a forward pass: the signals stop being current until :meth:`finish_forward`."""
        self._count += 1
        self._forward = self._count
        self._signals = None
        self.forget_loss()
        return self._now(self._count)

    def finish_forward(self, ticket: Ticket) -> None:
        """Mark the signals of the pass of ``ticket`` current, if nothing changed since it began."""
        if self._forward == ticket[0] and self._now(ticket[0]) == ticket:
            self._signals = ticket

    def forget_signals(self) -> None:
        """The caches were cleared: nothing computed before counts as current (a compiled plan's signals neither)."""
        self._count += 1
        self._forward = self._count
        self._signals = None
        self.forget_loss()

    def begin_backward(self) -> Ticket:
        """Start a backward pass (the signals stay current)."""
        self._count += 1
        self.forget_loss()
        return self._now(self._count)

    def forget_loss(self) -> None:
        self.loss_function, self.targets, self.loss_grads = None, None, {}

    def record_loss(self, loss_function: Any, targets: Any, loss_grads: dict[Any, Any]) -> None:
        """Keep what a backward pass computed from the loss (for explanations)."""
        self.loss_function, self.targets, self.loss_grads = loss_function, targets, loss_grads

    @property
    def forward_number(self) -> int:
        """The number of the last forward pass begun (0 before any)."""
        return self._forward

    def current(self) -> bool:
        """Whether the signal caches belong to the present structure and parameters."""
        signals = self._signals
        return signals is not None and self._now(signals[0]) == signals

    def require_current(self, what: str) -> None:
        """Raise :class:`NotComputedError` unless the signal caches are current."""
        if not self.current():
            changed = "" if self._signals is None else " (nodes, connections, weights or biases changed since the last one)"
            raise NotComputedError(
                f"{what} needs the signals of a forward pass with the current structure and parameters"
                f"{changed}; call net.forward(x) first."
            )

    def require_unchanged(self, ticket: Ticket, restart: str) -> None:
        """For a pass taken in steps: raise if the network changed, or another pass began, since ``ticket``."""
        number, structure, parameters = ticket
        now = self._now(number)
        if now[1] != structure:
            raise TopologyError(
                f"The network's structure changed while stepping through it; start again with net.{restart}."
            )
        if self._count != number:
            raise NotComputedError(
                "Another forward or backward pass ran while stepping through this one, and the remaining steps "
                f"would mix the two; start again with net.{restart}."
            )
        if now[2] != parameters:
            raise NotComputedError(
                "A weight or bias changed while stepping through the pass, and the remaining steps would mix "
                f"signals of the old and the new value; start again with net.{restart}."
            )
