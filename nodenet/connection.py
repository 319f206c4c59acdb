"""Connection: a weighted edge that carries ``source.post`` to ``target``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .checks import check_number
from .errors import ReadOnlyAttribute
from .notation import format_value, weight_name, weight_symbol
from .parameters import ParameterStore

if TYPE_CHECKING:
    from .node import Node

__all__ = ["Connection"]


class Connection:
    """A weight ``λ`` from ``source`` to ``target``.

    Create connections with :meth:`nodenet.Network.connect`.  ``grad_weight``
    holds ``dL/dλ`` (the batch mean) after :meth:`~nodenet.Network.backward`,
    ``None`` before.  Both live in the network's
    :class:`~nodenet.parameters.ParameterStore`, which the compiled plan and
    the optimizers share.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network()
    >>> _ = net.add_input("I1"); _ = net.add_output("O2")
    >>> net.connect("I1", "O2", weight=0.5)
    Connection('I1' -> 'O2', weight=0.5, grad_weight=None)
    """

    __slots__ = ("_source", "_target", "_store", "_slot")

    def __init__(
        self,
        source: Node,
        target: Node,
        weight: float = 0.0,
        store: ParameterStore | None = None,
        *,
        slot: int | None = None,
    ) -> None:
        self._source = source
        self._target = target
        self._store = ParameterStore(1) if store is None else store
        if slot is None:  # a new slot holding ``weight``; else a slot of ``store`` allocated already
            slot = self._store.allocate(check_number(weight, f"weight of {source.name!r}->{target.name!r}"))
        self._slot = slot

    @property
    def source(self) -> Node:
        """The node whose ``post`` this connection carries (fixed once connected)."""
        return self._source

    @source.setter
    def source(self, value: object) -> None:
        raise ReadOnlyAttribute(self._fixed("source"))

    @property
    def target(self) -> Node:
        """The node this connection feeds (fixed once connected)."""
        return self._target

    @target.setter
    def target(self, value: object) -> None:
        raise ReadOnlyAttribute(self._fixed("target"))

    def _fixed(self, end: str) -> str:
        return (
            f"The {end} of connection {self.name!r} cannot be reassigned; it is part of the network's structure. "
            "Use net.disconnect(source, target) and net.connect(...) instead."
        )

    @property
    def slot(self) -> int:
        """The weight's slot in the network's parameter store (the fast paths work by slot)."""
        return self._slot

    def detach(self) -> None:
        """Leave the network: the weight moves into a store of the connection's own."""
        self._store, self._slot = self._store.move_out(self._slot)

    @property
    def weight(self) -> float:
        """The weight ``λ``; setting it checks for a finite number."""
        return self._store.value(self._slot)

    @weight.setter
    def weight(self, value: float) -> None:
        self._store.values[self._slot] = check_number(
            value, f"weight of {self.source.name!r}->{self.target.name!r}"
        )
        self._store.written()

    @property
    def grad_weight(self) -> float | None:
        """``dL/dλ`` (mean over the batch) of the last backward pass, or None."""
        return self._store.grad(self._slot)

    @grad_weight.setter
    def grad_weight(self, value: float | None) -> None:
        self._store.set_grad(self._slot, value)

    @property
    def name(self) -> str:
        """ASCII parameter name, ``'I1->H4'``."""
        return weight_name(self.source.name, self.target.name)

    @property
    def symbol(self) -> str:
        """The chapter's symbol, ``'λ1,4'`` (``'λ(I1→H4)'`` where node numbers repeat in the network)."""
        return weight_symbol(self.source.name, self.target.name, numbered=self.source.numbered)

    def __repr__(self) -> str:
        return (
            f"Connection({self.source.name!r} -> {self.target.name!r}, "
            f"weight={format_value(self.weight)}, grad_weight={format_value(self.grad_weight)})"
        )
