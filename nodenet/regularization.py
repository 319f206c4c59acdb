"""Penalties on the weights: L2 (weight decay) and L1, added to the loss that training descends.

With coefficients ``l2`` and ``l1`` the training objective is the data loss
plus ``l2/2 · Σ λ² + l1 · Σ |λ|`` over the weights (and over the biases
too when ``biases=True``), so each penalized parameter's gradient gains
``l2 · λ + l1 · sign(λ)``.  :func:`nodenet.fit` records the data loss in
``history.loss`` and the penalty in ``history.penalty``; their sum is what
was minimized.

Examples
--------
>>> import numpy as np
>>> penalty = Penalty(l2=0.1, l1=0.01)
>>> values, mask = np.array([0.5, -2.0, 1.0]), np.array([True, True, False])
>>> round(penalty.value(values, mask), 6)
0.2375
>>> penalty.gradient(values, np.zeros(3), mask).tolist()
[0.060000000000000005, -0.21000000000000002, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import check_number
from .errors import InvalidArgument

__all__ = ["Penalty", "penalty_from"]


@dataclass(frozen=True)
class Penalty:
    """``l2/2 · Σ λ² + l1 · Σ |λ|`` over the parameters a mask selects (the weights, or also the biases)."""

    l2: float = 0.0
    l1: float = 0.0
    biases: bool = False

    def value(self, values: np.ndarray, mask: np.ndarray) -> float:
        """The penalty of the masked ``values``."""
        chosen = values[mask]
        return float(0.5 * self.l2 * np.dot(chosen, chosen) + self.l1 * np.abs(chosen).sum())

    def gradient(self, values: np.ndarray, grads: np.ndarray, mask: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``grads`` plus the penalty's gradient ``l2 · λ + l1 · sign(λ)`` where ``mask`` holds, into ``out``."""
        out = np.empty_like(grads) if out is None else out
        np.multiply(self.l2, values, out=out)
        if self.l1:
            out += self.l1 * np.sign(values)
        out *= mask
        out += grads
        return out

    def settings(self) -> dict[str, Any]:
        """What :class:`~nodenet.History` records: ``{'l2': ..., 'l1': ..., 'biases': ...}``."""
        return {"l2": self.l2, "l1": self.l1, "biases": self.biases}


def penalty_from(l2: Any, l1: Any, biases: Any) -> Penalty | None:
    """The checked penalty of ``fit``'s options, or ``None`` when both coefficients are 0.

    >>> penalty_from(0.0, 0.0, False) is None, penalty_from(1e-3, 0, False)
    (True, Penalty(l2=0.001, l1=0.0, biases=False))
    >>> penalty_from(-1, 0, False)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: l2 (the L2 penalty, weight decay) must be a number >= 0; got -1.
    """
    l2 = _coefficient(l2, "l2 (the L2 penalty, weight decay)")
    l1 = _coefficient(l1, "l1 (the L1 penalty)")
    if not isinstance(biases, bool):
        raise InvalidArgument(f"regularize_biases must be True or False; got {biases!r}.")
    return None if l2 == 0 and l1 == 0 else Penalty(float(l2), float(l1), biases)


def _coefficient(value: Any, what: str) -> float:
    number = check_number(value, what)
    if number < 0:
        raise InvalidArgument(f"{what} must be a number >= 0; got {value!r}.")
    return number
