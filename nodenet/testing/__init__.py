"""Tools for testing networks: gradient checks, path equivalence and hypothesis strategies.

``check_gradients`` and the equivalence helpers need only numpy.  The
hypothesis strategies (``networks``, ``inputs_for``, ``targets_for``,
``problems``) need the ``hypothesis`` package (the ``test`` extra) and are
imported on first use.
"""

from __future__ import annotations

from typing import Any

from .equivalence import Snapshot, assert_equivalent, run_path, snapshot
from .gradients import GradientEntry, GradientReport, check_gradients

__all__ = [
    "GradientEntry", "GradientReport", "check_gradients", "Snapshot", "snapshot", "assert_equivalent", "run_path",
    "networks", "inputs_for", "targets_for", "problems", "Problem",
]

_STRATEGIES = ("networks", "inputs_for", "targets_for", "problems", "Problem")


def __getattr__(name: str) -> Any:
    if name in _STRATEGIES:
        from . import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'nodenet.testing' has no attribute {name!r}")
