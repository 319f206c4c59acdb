"""ParameterStore: the one place where weights, biases and their gradients live.

Every :class:`~nodenet.Connection` weight and every node bias of a network is
a slot of two flat float arrays (values and gradients) owned by the network.
``Connection.weight`` and ``Node.bias`` read and write through their slot, so
the textbook, the fast paths and the optimizers all see the same
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

from functools import cached_property
from typing import Any

import numpy as np

from .errors import InvalidArgument, NotComputedError, NumericalError, ShapeError, TopologyError

__all__ = ["ParameterStore", "Parameters"]


class ParameterStore:
    """Growable flat arrays of parameter values and gradients.

    ``known[slot]`` tells whether the gradient of a slot is current (a
    gradient cleared by a forward pass reads as ``None``).  Released slots are
    reused by later allocations.  ``version`` counts the writes of values:
    whoever writes calls :meth:`written`, so signals computed with older
    values can be recognized as stale.
    """

    __slots__ = ("values", "grads", "known", "size", "version", "_free")

    def __init__(self, capacity: int = 16) -> None:
        self.values = np.zeros(capacity)
        self.grads = np.zeros(capacity)
        self.known = np.zeros(capacity, dtype=bool)
        self.size = 0
        self.version = 0
        self._free: list[int] = []

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # writable copies: an unpickled store may come from a read-only memory map (joblib, scikit-learn)
        for name, value in state.items():
            setattr(self, name, np.array(value) if isinstance(value, np.ndarray) else value)

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
        self.written()
        return slot

    def allocate_block(self, count: int) -> int:
        """Reserve ``count`` consecutive new slots holding 0.0; returns the first."""
        while self.size + count > self.values.shape[0]:
            self._grow()
        first = self.size
        self.size += count
        self.values[first : self.size] = 0.0
        self.known[first : self.size] = False
        self.written()
        return first

    def release(self, slot: int) -> None:
        """Give a slot back (its value is zeroed)."""
        self.values[slot] = 0.0
        self.known[slot] = False
        self._free.append(slot)

    def move_out(self, slot: int) -> tuple[ParameterStore, int]:
        """Release ``slot`` into a new one-slot store holding its value; returns that store and slot.

        >>> store = ParameterStore(); slot = store.allocate(0.5)
        >>> own, own_slot = store.move_out(slot); own.value(own_slot), store.value(slot)
        (0.5, 0.0)
        """
        own = ParameterStore(1)
        own_slot = own.allocate(self.value(slot))
        self.release(slot)
        return own, own_slot

    def _grow(self) -> None:
        capacity = 2 * self.values.shape[0]
        for name in ("values", "grads", "known"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: old.shape[0]] = old
            setattr(self, name, new)

    @property
    def in_use(self) -> int:
        """How many slots hold a parameter (allocated and not released)."""
        return self.size - len(self._free)

    def written(self) -> None:
        """Record that values changed (signals computed before are stale)."""
        self.version += 1

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


class Parameters:
    """The weights and biases of a network, in parameter order, as arrays.

    Parameter order is every connection of ``net.connections``, then the bias
    of every non-input node of ``net.nodes``; ``names`` holds their ASCII
    names (``'I1->H4'``, ``'H4.bias'``).  Reads return copies and
    :meth:`assign` writes through to the store, so optimizers work on whole
    arrays while the objects stay the one source of truth.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([1, 1], init="constant", scale=1.0, bias="zeros")
    >>> params = Parameters(net)
    >>> params.names, params.values.tolist()
    (['I1->O2', 'O2.bias'], [1.0, 0.0])
    >>> params.assign([0.5, -0.25]); net.connection("I1", "O2").weight, net["O2"].bias
    (0.5, -0.25)
    """

    def __init__(self, net: Any) -> None:
        self._net = net
        self._version = net.structure_version  # these parameters are those of this structure
        self._store: ParameterStore = net.store
        self._count = net.parameter_count()
        # every used slot of the store is one of these parameters: optimizers may work on it directly
        self._whole_store = self._count == self._store.size == self._store.in_use
        self._views: tuple[np.ndarray, np.ndarray] | None = None  # of the store's arrays, made on first use

    @cached_property
    def _owners(self) -> tuple[list[Any], list[Any]]:
        """The connections, then the biased (non-input) nodes: parameter order."""
        return self._net.connections, [node for node in self._net.nodes if node.kind != "input"]

    @cached_property
    def slots(self) -> np.ndarray:
        """The store slot of each parameter, in parameter order (the network keeps it for its structure)."""
        return self._net.parameter_slots()

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Values and gradients for an optimizer, in one fixed order.

        When the parameters fill the store, these are views of it (slot
        order, updated in place, no copies); otherwise copies in parameter
        order, to be written back with :meth:`assign_flat`.
        """
        self._require_structure()
        if self._whole_store and not self._store.known[: self._count].all():
            self.grads()  # raises, naming the missing gradients
        return self.flat_after_backward()

    def flat_after_backward(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`flat` for a caller that just ran a complete backward pass (every gradient is current)."""
        if not self._whole_store:
            return self.values, self.grads()
        store = self._store
        if self._views is None or self._views[0].base is not store.values:  # none yet, or the store grew
            self._views = (store.values[: self._count], store.grads[: self._count])
        return self._views

    def flat_mask(self, *, biases: bool) -> np.ndarray:
        """True in :meth:`flat`'s order for every weight (and every bias when ``biases``): what a penalty covers."""
        connections, _ = self._owners
        mask = np.ones(self._count, dtype=bool) if biases else np.arange(self._count) < len(connections)
        if not self._whole_store:
            return mask
        flat = np.zeros(self._count, dtype=bool)
        flat[self.slots] = mask
        return flat

    def from_flat(self, array: np.ndarray) -> np.ndarray:
        """An array in :meth:`flat`'s order (an optimizer's state) as a copy in parameter order."""
        return array[self.slots] if self._whole_store else array.copy()

    def assign_flat(self, values: Any) -> None:
        """Write back what :meth:`flat` gave: views changed in place, or a new array in the same order.

        An optimizer's ``step`` may update in place or return new values;
        both are written (a step that returns a new array is never ignored).
        """
        if not self._whole_store:
            self.assign(values)
            return
        view = self.flat_after_backward()[0]
        if values is not view:
            array = np.asarray(values, dtype=float)
            if array.shape != view.shape:
                raise ShapeError(
                    f"The optimizer step returned {array.shape[0] if array.ndim == 1 else array.shape} values for "
                    f"{view.shape[0]} parameters; return one value per parameter, in the order it was given."
                )
            view[...] = array
        self._store.written()

    def restore_flat(self, kept: np.ndarray) -> None:
        """Put back values that :meth:`flat` gave before a step (an interrupted or diverged step)."""
        if self._whole_store:
            self.flat_after_backward()[0][...] = kept
            self._store.written()
        else:
            self.assign(kept)

    def update(self, optimizer: Any, lr: float | None = None) -> None:
        """One optimizer step on the parameters, in place; a step to non-finite values is undone and refused.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], init="constant", scale=1.0, bias="zeros")
        >>> _ = net.forward([2.0]); _ = net.backward([1.0])
        >>> Parameters(net).update(nodenet.SGD(lr=0.1)); net.connection("I1", "O2").weight
        0.8
        >>> Parameters(net).update(nodenet.SGD(lr=1e308))
        Traceback (most recent call last):
        ...
        nodenet.errors.NumericalError: The update made I1->O2 -inf; the parameters keep their values from before ...
        """
        values, grads = self.flat()
        kept = np.array(values, dtype=float)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                self.assign_flat(optimizer.step(values, grads, lr))
        except BaseException:
            self.restore_flat(kept)
            raise
        current = self.flat_after_backward()[0] if self._whole_store else self.values
        bad = np.flatnonzero(~np.isfinite(current))
        if bad.size:
            where = bad[0] if not self._whole_store else int(np.flatnonzero(self.slots == bad[0])[0])
            value = float(current[bad[0]])
            self.restore_flat(kept)
            raise NumericalError(
                f"The update made {self.names[where]} {value!r}; the parameters keep their values from before "
                "the step. Use a smaller learning rate."
            )

    @property
    def names(self) -> list[str]:
        """ASCII names in parameter order (built on first use: large networks have many)."""
        self._require_structure()
        return self._names

    @cached_property
    def _names(self) -> list[str]:
        connections, biased = self._owners
        return [conn.name for conn in connections] + [node.bias_name for node in biased]

    def _require_structure(self) -> None:
        if self._net.structure_version != self._version:
            raise TopologyError(
                "These Parameters were read before the network's structure changed (nodes, connections or "
                "activations); read them again with Parameters(net)."
            )

    def __len__(self) -> int:
        return self._count

    @property
    def values(self) -> np.ndarray:
        """Current values (a copy)."""
        self._require_structure()
        return self._store.values[self.slots]

    def grads(self) -> np.ndarray:
        """Gradients of the last backward pass (a copy); raises if any is missing."""
        self._require_structure()
        known = self._store.known[self.slots]
        if not known.all():
            missing = [name for name, ok in zip(self.names, known) if not ok]
            raise NotComputedError(
                f"No gradient for {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}; "
                "run net.forward(x) and net.backward(y) before an update."
            )
        return self._store.grads[self.slots]

    def assign(self, values: Any) -> None:
        """Write ``values`` (parameter order) into the weights and biases; refuses non-finite values."""
        self._require_structure()
        array = np.asarray(values, dtype=float)
        if array.shape != (self._count,):
            raise ShapeError(f"Expected {self._count} values, one per parameter; got shape {array.shape}.")
        bad = np.flatnonzero(~np.isfinite(array))
        if bad.size:
            raise InvalidArgument(
                f"Parameters must be finite; got {float(array[bad[0]])!r} for {self.names[bad[0]]}."
            )
        self._store.values[self.slots] = array
        self._store.written()
