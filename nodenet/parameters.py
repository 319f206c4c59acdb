"""ParameterStore: the one place where weights, biases and their gradients live.

Every :class:`~nodenet.Connection` weight and every node bias of a network is
a slot of two flat float arrays (values and gradients) owned by the network.
``Connection.weight`` and ``Node.bias`` read and write through their slot, so
the object path, the compiled plan and the optimizers all see the same
numbers: there is no copy that can go stale.

Examples
--------
>>> store = ParameterStore()
>>> slot = store.allocate(0.5)
>>> store.value(slot), store.grad(slot)
(0.5, None)
>>> store.set_grad(slot, 0.25); store.grad(slot)
0.25
"""

from __future__ import annotations

import numpy as np

__all__ = ["ParameterStore"]


class ParameterStore:
    """Growable flat arrays of parameter values and gradients.

    ``known[slot]`` tells whether the gradient of a slot is current (a
    gradient cleared by a forward pass reads as ``None``).  Released slots are
    reused by later allocations.
    """

    __slots__ = ("values", "grads", "known", "size", "_free")

    def __init__(self, capacity: int = 16) -> None:
        self.values = np.zeros(capacity)
        self.grads = np.zeros(capacity)
        self.known = np.zeros(capacity, dtype=bool)
        self.size = 0
        self._free: list[int] = []

    def allocate(self, value: float) -> int:
        """Reserve a slot holding ``value``; returns its index."""
        if self._free:
            slot = self._free.pop()
        else:
            if self.size == self.values.shape[0]:
                self._grow()
            slot = self.size
            self.size += 1
        self.values[slot] = value
        self.known[slot] = False
        return slot

    def release(self, slot: int) -> None:
        """Give a slot back (its value is zeroed)."""
        self.values[slot] = 0.0
        self.known[slot] = False
        self._free.append(slot)

    def _grow(self) -> None:
        capacity = 2 * self.values.shape[0]
        for name in ("values", "grads", "known"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: old.shape[0]] = old
            setattr(self, name, new)

    def value(self, slot: int) -> float:
        """The value of a slot as a Python float."""
        return self.values.item(slot)

    def grad(self, slot: int) -> float | None:
        """The gradient of a slot, or None when it is not current."""
        return self.grads.item(slot) if self.known.item(slot) else None

    def set_grad(self, slot: int, grad: float | None) -> None:
        """Store a gradient (``None`` marks it as not current)."""
        if grad is None:
            self.known[slot] = False
        else:
            self.grads[slot] = grad
            self.known[slot] = True

    def clear_grads(self) -> None:
        """Mark every gradient as not current."""
        self.known[:] = False
