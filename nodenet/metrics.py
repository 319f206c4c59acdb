"""Accuracy of classifier outputs: what :func:`nodenet.fit` records beside the loss for classifiers.

Several outputs (a softmax group, one-hot targets): a row is right when its
largest output is its target's largest entry.  One output (a sigmoid with
0/1 targets): when the output and the target are on the same side of 0.5.

Examples
--------
>>> import numpy as np
>>> correct(np.array([[0.7, 0.3], [0.4, 0.6]]), np.array([[1.0, 0.0], [1.0, 0.0]]))
1
>>> correct(np.array([[0.9], [0.2], [0.6]]), np.array([[1.0], [0.0], [0.0]]))
2
"""

from __future__ import annotations

import numpy as np

__all__ = ["correct", "METRICS"]

METRICS = ("accuracy",)
"""The metrics ``fit`` can record (``metrics=``); cross-entropy training records accuracy by default."""


def correct(outputs: np.ndarray, targets: np.ndarray) -> int:
    """How many rows of ``outputs`` ``(n, k)`` pick the class of ``targets`` ``(n, k)``."""
    if outputs.shape[1] == 1:
        return int(np.count_nonzero((outputs[:, 0] > 0.5) == (targets[:, 0] > 0.5)))
    return int(np.count_nonzero(np.argmax(outputs, axis=1) == np.argmax(targets, axis=1)))
