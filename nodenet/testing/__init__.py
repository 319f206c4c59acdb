"""Tools for testing networks: gradient checks and hypothesis strategies.

``check_gradients`` needs only numpy.  The hypothesis strategies
(``networks``, ``inputs_for``, ``targets_for``) need the ``hypothesis``
package (the ``test`` extra) and are imported on first use.
"""

from __future__ import annotations

from typing import Any

from .gradients import GradientEntry, GradientReport, check_gradients

__all__ = ["GradientEntry", "GradientReport", "check_gradients", "networks", "inputs_for", "targets_for"]

_STRATEGIES = ("networks", "inputs_for", "targets_for")


def __getattr__(name: str) -> Any:
    if name in _STRATEGIES:
        from . import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'nodenet.testing' has no attribute {name!r}")
