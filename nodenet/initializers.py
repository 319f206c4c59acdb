"""Weight and bias initialization schemes.

Each scheme draws the weights of the connections into one node from a
distribution that depends on ``fan_in`` (inputs to the node's layer, the
chapter's ``p``) and ``fan_out`` (nodes in that layer, the chapter's ``k``):

===========  ==========================================================
``xavier``   the chapter's ``U[-1/sqrt(p), 1/sqrt(p)]``
``glorot``   normalized Xavier, ``U[-sqrt(6)/sqrt(p+k), sqrt(6)/sqrt(p+k)]``
``he``       ``N(0, 2/p)``, for ReLU networks
``uniform``  ``U[-scale, scale]``
``constant`` every weight equal to ``scale``
===========  ==========================================================

Biases are ``"small"`` (the chapter's ``(u - 0.5) * 0.5``, i.e. ``U[-0.25,
0.25]``) or ``"zeros"``.  Weights are drawn first, node by node in
topological order and connection by connection within a node, then the
biases in the same node order: with ``seed=13`` this is exactly the order of
the chapter's code.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> round(net.connection("I1", "H4").weight, 6)
0.320663
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

import numpy as np

from .checks import check_number
from .errors import InvalidArgument
from .seeding import Seed, as_rng

if TYPE_CHECKING:
    from .structure import NetworkStructure as Network

__all__ = ["INITIALIZERS", "BIAS_INITIALIZERS", "draw_weights", "initialize"]

Rng = "np.random.Generator | np.random.RandomState"


def _uniform(rng, bound: float, size: int) -> np.ndarray:
    # lower + u * (upper - lower), the chapter's arithmetic, draw by draw
    return -bound + rng.random(size) * (2.0 * bound)


def _xavier(rng, fan_in: int, fan_out: int, size: int, scale: float) -> np.ndarray:
    return _uniform(rng, 1.0 / math.sqrt(fan_in), size)


def _glorot(rng, fan_in: int, fan_out: int, size: int, scale: float) -> np.ndarray:
    return _uniform(rng, math.sqrt(6.0) / math.sqrt(fan_in + fan_out), size)


def _he(rng, fan_in: int, fan_out: int, size: int, scale: float) -> np.ndarray:
    return rng.standard_normal(size) * math.sqrt(2.0 / fan_in)


def _uniform_scaled(rng, fan_in: int, fan_out: int, size: int, scale: float) -> np.ndarray:
    return _uniform(rng, scale, size)


def _constant(rng, fan_in: int, fan_out: int, size: int, scale: float) -> np.ndarray:
    return np.full(size, scale)


INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "xavier": _xavier,
    "glorot": _glorot,
    "he": _he,
    "uniform": _uniform_scaled,
    "constant": _constant,
}

BIAS_INITIALIZERS = ("small", "zeros")


def draw_weights(scheme: str, rng, *, fan_in: int, fan_out: int, size: int, scale: float = 0.5) -> np.ndarray:
    """Draw ``size`` weights of ``scheme`` for a node with the given fans.

    >>> import numpy as np
    >>> w = draw_weights("glorot", np.random.RandomState(0), fan_in=3, fan_out=2, size=4)
    >>> bool(np.all(np.abs(w) <= np.sqrt(6 / 5)))
    True
    """
    if scheme not in INITIALIZERS:
        raise InvalidArgument(
            f"Unknown initializer {scheme!r}; choose one of {', '.join(INITIALIZERS)}."
        )
    return INITIALIZERS[scheme](rng, max(fan_in, 1), max(fan_out, 1), size, scale)


def initialize(
    net: Network,
    init: str = "xavier",
    *,
    bias: str = "small",
    scale: float = 0.5,
    seed: Seed = None,
) -> None:
    """Set every weight and bias of ``net`` in place.

    Parameters
    ----------
    net : Network
    init : {'xavier', 'glorot', 'he', 'uniform', 'constant'}
    bias : {'small', 'zeros'}
    scale : float
        Bound of ``'uniform'`` and value of ``'constant'``.
    seed : None, int, numpy Generator or RandomState

    Notes
    -----
    ``fan_in`` of a node is its number of incoming connections; ``fan_out``
    is the number of nodes that share its sources' fan-out, taken as the
    out-degree of its first source (the layer width in a layered network).

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 2, 1], init="constant", scale=0.1, bias="zeros")
    >>> [c.weight for c in net.connections][:2], net["O5"].bias
    ([0.1, 0.1], 0.0)
    """
    if bias not in BIAS_INITIALIZERS:
        raise InvalidArgument(f"Unknown bias initializer {bias!r}; choose one of {BIAS_INITIALIZERS}.")
    if init not in INITIALIZERS:
        raise InvalidArgument(f"Unknown initializer {init!r}; choose one of {', '.join(INITIALIZERS)}.")
    scale = check_number(scale, "initializer scale")
    if init == "uniform" and scale <= 0:
        raise InvalidArgument(f"init='uniform' draws from U[-scale, scale] and needs scale > 0; got {scale!r}.")
    rng = as_rng(seed)
    values = net.store.values  # drawn numbers are finite: write them straight into the store
    computed = [node for node in net.nodes if node.kind != "input"]
    slots = net.parameter_slots()  # each node's incoming weights in turn, then the biases
    start = 0
    for node in computed:
        incoming = node.incoming
        if not incoming:
            continue
        fan_out = len(incoming[0].source.outgoing)
        weights = draw_weights(init, rng, fan_in=len(incoming), fan_out=fan_out, size=len(incoming), scale=scale)
        if not np.isfinite(weights).all():
            raise InvalidArgument(
                f"init={init!r} with scale={scale!r} draws non-finite weights for {node.name!r}; use a smaller scale."
            )
        values[slots[start : start + len(incoming)]] = weights
        start += len(incoming)
    values[slots[start:]] = (rng.random(len(computed)) - 0.5) * 0.5 if bias == "small" else 0.0
    net.store.written()
