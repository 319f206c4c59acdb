"""Gradient checking: backpropagation against central finite differences."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Union

import numpy as np

from .. import engine
from ..checks import as_float_array
from ..conversion import check_loss_fits
from ..errors import InvalidArgument
from ..factory import check_network
from ..losses import get_loss
from ..parameters import Parameters

if TYPE_CHECKING:
    from ..losses import Loss
    from ..structure import NetworkStructure as Network

__all__ = ["GradientEntry", "GradientReport", "check_gradients"]


@dataclass(frozen=True)
class GradientEntry:
    """One checked quantity: backpropagated and finite-difference gradients."""

    name: str
    analytic: float
    numeric: float

    @property
    def error(self) -> float:
        """``|analytic - numeric| / max(1, |analytic|, |numeric|)``."""
        return abs(self.analytic - self.numeric) / max(1.0, abs(self.analytic), abs(self.numeric))


@dataclass(frozen=True)
class GradientReport:
    """Result of :func:`check_gradients`; true in a boolean context when all agree."""

    entries: list[GradientEntry] = field(default_factory=list)
    tol: float = 1e-6

    @property
    def worst(self) -> GradientEntry | None:
        """The entry with the largest error."""
        return max(self.entries, key=lambda e: e.error, default=None)

    @property
    def max_error(self) -> float:
        """The largest error (0.0 for a network without parameters)."""
        return self.worst.error if self.worst else 0.0

    @property
    def ok(self) -> bool:
        """Whether every error is within ``tol``."""
        return self.max_error <= self.tol

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        worst = self.worst
        if worst is None:
            return "No parameters to check."
        verdict = "OK" if self.ok else "MISMATCH"
        return (
            f"{verdict}: {len(self.entries)} gradients checked, worst {worst.name}: "
            f"backprop {worst.analytic:.10g}, finite differences {worst.numeric:.10g}, "
            f"error {worst.error:.3g} (tolerance {self.tol:g})."
        )


def check_gradients(
    net: Network,
    x: Any,
    y: Any,
    *,
    loss: Union[str, Loss] = "l2",
    eps: float = 1e-6,
    tol: float = 1e-6,
    inputs: bool = True,
) -> GradientReport:
    """Compare every backpropagated gradient with central finite differences.

    Each weight, bias and (with ``inputs=True``) input value ``θ`` is moved to
    ``θ ± eps`` and ``(L(θ + eps) - L(θ - eps)) / (2 eps)`` is compared with
    ``grad_weight``, ``grad_bias`` or the input node's ``grad_pre`` (its mean
    over a batch, since the whole input column is moved).  The network is
    left as it was, with the caches of a forward and backward pass on
    ``x, y``.

    Parameters
    ----------
    net : Network
    x, y : array-like
        One sample or a batch, as for :meth:`Network.forward` and
        :meth:`Network.backward`.
    loss : str or Loss
    eps : float
        Finite-difference step.
    tol : float
        Largest accepted ``|a - n| / max(1, |a|, |n|)``.
    inputs : bool
        Also check the gradients with respect to the input values.

    Returns
    -------
    GradientReport
        With ``.ok``, ``.worst`` (named by parameter) and every entry.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> report = nodenet.check_gradients(net, [0.5, 0.2, 0.7], [0.3])
    >>> report.ok, len(report.entries)
    (True, 14)
    """
    check_network(net, "check_gradients")
    if isinstance(eps, bool) or not (isinstance(eps, (int, float)) and 0 < eps < 1):
        raise InvalidArgument(f"eps must be a number in (0, 1); got {eps!r}.")
    if isinstance(tol, bool) or not (isinstance(tol, (int, float)) and 0 <= tol < math.inf):
        raise InvalidArgument(f"tol must be a finite number >= 0 (the largest accepted relative error); got {tol!r}.")
    if not isinstance(inputs, bool):
        raise InvalidArgument(f"inputs must be True or False (also check the input gradients); got {inputs!r}.")
    check_loss_fits(net, get_loss(loss))
    values = as_float_array(x, "The inputs x") if not isinstance(x, dict) else x

    def measure() -> float:
        engine.forward(net, values)
        return engine.loss(net, y, loss=loss)

    def probe(name: str, analytic: Any, get: Callable[[], float], put: Callable[[float], None]) -> GradientEntry:
        original = get()
        put(original + eps)
        upper = measure()
        put(original - eps)
        lower = measure()
        put(original)
        return GradientEntry(name, float(np.mean(analytic)), (upper - lower) / (2 * eps))

    params = Parameters(net)
    original = params.values  # every weight and bias, put back whatever happens
    guard = net.passes.exclusive("check_gradients")  # another thread must not see the nudged weights
    guard.__enter__()
    try:
        engine.forward(net, values)
        engine.backward(net, y, loss=loss)
        connections = [(conn, conn.grad_weight) for conn in net.connections]
        biased = [(node, node.grad_bias) for node in net.nodes if node.kind != "input"]
        input_grads = [node.grad_pre for node in net.inputs]
        entries = [probe(conn.name, grad, *_accessors(conn, "weight")) for conn, grad in connections]
        entries += [probe(node.bias_name, grad, *_accessors(node, "bias")) for node, grad in biased]
        if inputs and not isinstance(values, dict):
            batch = values if values.ndim == 2 else values[None, :]
            for column, (node, grad) in enumerate(zip(net.inputs, input_grads)):
                saved = batch[:, column].copy()

                def put(shift: float, column: int = column, saved: np.ndarray = saved) -> None:
                    batch[:, column] = saved + shift

                entries.append(probe(f"{node.name}.input", grad, lambda: 0.0, put))
        engine.forward(net, values)
        engine.backward(net, y, loss=loss)
    except BaseException:
        params.assign(original)
        raise
    finally:
        guard.__exit__()
    return GradientReport(entries, tol)


def _accessors(owner: Any, attribute: str) -> tuple[Callable[[], float], Callable[[float], None]]:
    """Read and write ``owner.<attribute>`` (a weight or a bias)."""
    def get() -> float:
        return float(getattr(owner, attribute))

    def put(value: float) -> None:
        setattr(owner, attribute, value)

    return get, put
