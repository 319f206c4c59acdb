"""Index arithmetic of the compiled plan: store slots and rows as slices where they are consecutive.

A slice of a numpy array is a view: a level whose slots are one run reads
its weights and biases without a gather, and marks their gradients known
with one assignment.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

__all__ = ["distinct", "runs", "slot_index"]


def runs(indices: np.ndarray) -> list[slice]:
    """The stretches of consecutive increasing values of ``indices``, as slices.

    >>> runs(np.array([4, 5, 6, 9, 10]))
    [slice(4, 7, None), slice(9, 11, None)]
    """
    if not indices.size:
        return []
    breaks = np.flatnonzero(indices[1:] - indices[:-1] != 1) + 1
    starts = indices[np.concatenate(([0], breaks))].tolist()
    stops = (indices[np.concatenate((breaks - 1, [indices.size - 1]))] + 1).tolist()
    return [slice(start, stop) for start, stop in zip(starts, stops)]


def slot_index(slots: list[Any]) -> Union[slice, np.ndarray]:
    """Store slots (or rows) as a slice when they are consecutive and increasing, else as an index array.

    >>> slot_index([4, 5, 6]), slot_index([4, 6]).tolist()
    (slice(4, 7, None), [4, 6])
    """
    if slots == list(range(slots[0], slots[0] + len(slots))):
        return slice(slots[0], slots[0] + len(slots))
    return np.array(slots, dtype=np.intp)


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (np.unique, without its hashing, slow on large index arrays).

    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if ordered.size else ordered
