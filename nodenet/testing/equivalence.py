"""Equivalence of the paths: the textbook and every fast path give the same numbers.

:func:`run_path` runs a forward and a backward pass on a copy of a network
through one path, :func:`snapshot` keeps every output, cache and gradient,
and :func:`assert_equivalent` compares two snapshots: bitwise (``exact``,
the rule for one sample) or to a relative tolerance (1e-12 for batches,
where the compiled plan sums in another order).

Examples
--------
>>> import numpy as np, nodenet
>>> net = nodenet.Network.from_layers([3, 2, 2], seed=13)
>>> x, y = np.array([0.5, 0.2, 0.7]), np.array([0.3, 0.1])
>>> assert_equivalent(run_path(net, x, y, "l2", "textbook"), run_path(net, x, y, "l2", "one sample"), exact=True)
>>> X, Y = np.tile(x, (4, 1)), np.tile(y, (4, 1))
>>> assert_equivalent(run_path(net, X, Y, "l2", "textbook"), run_path(net, X, Y, "l2", "compiled plan"))
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .. import backprop
from ..errors import InvalidArgument
from ..fast import single
from ..fast.plan import compiled_plan
from ..losses import get_loss

if TYPE_CHECKING:
    from ..structure import NetworkStructure

__all__ = ["Snapshot", "snapshot", "run_path", "assert_equivalent", "PATHS"]

PATHS = ("textbook", "one sample", "compiled plan")


class Snapshot(NamedTuple):
    """Every number a pass leaves: outputs, loss, node caches (by name) and parameter gradients."""

    outputs: np.ndarray
    loss: float
    caches: dict[str, tuple[Any, Any, Any, Any]]
    gradients: dict[str, Any]


def snapshot(net: NetworkStructure, outputs: np.ndarray, loss: float) -> Snapshot:
    """The caches and gradients of ``net`` after a pass that gave ``outputs`` and ``loss``."""
    caches = {node.name: (node.pre, node.post, node.grad_pre, node.grad_post) for node in net.nodes}
    gradients: dict[str, Any] = {conn.name: conn.grad_weight for conn in net.connections}
    gradients.update((node.bias_name, node.grad_bias) for node in net.nodes if node.kind != "input")
    return Snapshot(np.array(outputs, dtype=float), loss, caches, gradients)


def run_path(net: NetworkStructure, x: np.ndarray, y: np.ndarray, loss: str, path: str) -> Snapshot:
    """Forward and backward on a deep copy of ``net`` through ``path`` (one of :data:`PATHS`).

    ``x`` and ``y`` are checked arrays: ``(p,)`` and ``(k,)`` for one sample,
    ``(n, p)`` and ``(n, k)`` for a batch (the one-sample path takes one sample only).
    """
    twin = copy.deepcopy(net)
    loss_fn = get_loss(loss)
    if path == "textbook":
        outputs = backprop.forward_pass(twin, x).copy()
        value = backprop.backward_pass(twin, y, loss_fn)
    elif path == "one sample" and x.ndim == 1:
        outputs = single.forward(twin, x).copy()
        value = single.backward(twin, y, loss_fn)
    elif path == "compiled plan":
        plan = compiled_plan(twin)
        outputs = plan.run(np.atleast_2d(x), caches=True).copy()
        value = plan.run_backward(np.atleast_2d(y), loss_fn, caches=True)
    else:
        raise InvalidArgument(f"path must be one of {PATHS} (the one-sample path for one sample); got {path!r}.")
    return snapshot(twin, outputs, value)


def assert_equivalent(left: Snapshot, right: Snapshot, *, exact: bool = False, rtol: float = 1e-12) -> None:
    """Raise ``AssertionError`` unless the two snapshots agree.

    ``exact`` asks for bitwise equality and the same types (a float where
    the other has a float); otherwise every number agrees to ``rtol``
    relative, with an absolute floor of ``rtol`` for values near zero.
    Outputs and caches of one sample compare with those of a batch of one row.
    """
    def same(a: Any, b: Any, what: str) -> None:
        if exact:
            assert type(a) is type(b), f"{what}: {type(a).__name__} against {type(b).__name__}"
            np.testing.assert_array_equal(a, b, err_msg=what)
        elif a is None or b is None:
            assert a is None and b is None, f"{what}: {a!r} against {b!r}"
        else:
            np.testing.assert_allclose(np.ravel(a), np.ravel(b), rtol=rtol, atol=rtol, err_msg=what)

    same(left.outputs.ravel(), right.outputs.ravel(), "outputs")
    same(left.loss, right.loss, "loss")
    assert left.caches.keys() == right.caches.keys() and left.gradients.keys() == right.gradients.keys()
    for name, values in left.caches.items():
        for field, a, b in zip(("pre", "post", "grad_pre", "grad_post"), values, right.caches[name]):
            same(a, b, f"{name}.{field}")
    for name, value in left.gradients.items():
        same(value, right.gradients[name], f"{name} gradient")
