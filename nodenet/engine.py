"""Which path computes a pass: the textbook, the fast one-sample path or the compiled plan.

* A pass that stops at a node (``stop_at``) or is taken in steps runs the
  textbook (:mod:`nodenet.backprop`): that is the code a learner reads.
* Any other pass of one sample runs the fast one-sample path
  (:mod:`nodenet.fast.single`, bitwise equal to the textbook), and a batch
  runs the compiled plan (:mod:`nodenet.fast.plan`, equal to 1e-12).

:class:`TrainingPath` is the same choice for ``fit``: batches of at least
``PLAN_MIN_ROWS`` rows go through the plan, one-row batches through the fast
one-sample path; ``compiled=False`` asks for the textbook, ``True`` for the plan.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> forward(net, [0.5, 0.2, 0.7]).round(4).tolist()
[0.0991]
>>> round(backward(net, [0.3]), 6)
0.020177
>>> training_path(net, rows=1, compiled=None).name, training_path(net, rows=8, compiled=None).name
('one sample', 'compiled plan')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import backprop
from .conversion import input_array, output_array, target_array
from .errors import InvalidArgument
from .fast import single
from .fast.plan import CompiledPlan, compiled_plan
from .losses import Loss, get_loss

if TYPE_CHECKING:
    from .structure import NetworkStructure, NodeRef

__all__ = ["forward", "backward", "loss", "predict", "training_path", "TrainingPath", "PLAN_MIN_ROWS"]

# Batches of at least this many rows run through the compiled plan by default;
# a one-row batch is faster on the one-sample path, whose caches are plain
# floats (benchmarks/compare.py measures both).
PLAN_MIN_ROWS = 2


def forward(net: NetworkStructure, x: Any, *, stop_at: NodeRef | None = None) -> np.ndarray:
    """Check ``x`` and run the forward pass on the path that fits; returns the outputs."""
    stop = None if stop_at is None else net.node(stop_at)
    net.validate()
    inputs = input_array(net, x)
    if stop is not None:
        return backprop.forward_pass(net, inputs, stop_at=stop)
    if inputs.ndim == 1:
        return single.forward(net, inputs)
    return compiled_plan(net).run(inputs, caches=True)


def backward(
    net: NetworkStructure, y: Any, *, loss: Union[str, Loss] = "l2", stop_at: NodeRef | None = None
) -> float:
    """Check ``y`` and run the backward pass on the path that fits; returns the loss."""
    stop = None if stop_at is None else net.node(stop_at)
    net.passes.require_current("backward")
    targets = target_array(net, y)
    loss_fn = get_loss(loss)
    if stop is not None:
        return backprop.backward_pass(net, targets, loss_fn, stop_at=stop)
    if targets.ndim == 1:
        return single.backward(net, targets, loss_fn)
    return compiled_plan(net).run_backward(targets, loss_fn, caches=True)


def loss(net: NetworkStructure, y: Any, *, loss: Union[str, Loss] = "l2") -> float:
    """The loss of the current outputs against ``y`` (mean over a batch)."""
    net.passes.require_current("loss")
    return get_loss(loss).mean(output_array(net), target_array(net, y))


def predict(net: NetworkStructure, X: Any, *, compiled: bool | None = None) -> np.ndarray:
    """Outputs for one sample ``(p,)`` or rows ``(n, p)``: :func:`forward`'s choice of path, unless
    ``compiled`` asks for the plan (``True``) or the textbook (``False``)."""
    check_compiled(compiled)
    net.validate()
    inputs = input_array(net, X)
    if compiled is False:
        return backprop.forward_pass(net, inputs)
    if compiled or inputs.ndim == 2:
        return compiled_plan(net).run(np.atleast_2d(inputs), caches=True)
    return single.forward(net, inputs)


def check_compiled(compiled: Any) -> None:
    if compiled is not None and not isinstance(compiled, bool):
        raise InvalidArgument(f"compiled must be None, True or False; got {compiled!r}.")


class TrainingPath:
    """The passes ``fit`` runs, on checked rows ``(n, p)`` and targets ``(n, k)``.

    :meth:`step` is a training step: outputs and loss of a batch, every
    parameter gradient in the store, the node caches left as scratch.
    :meth:`outputs` predicts without keeping caches current, and
    :meth:`final` runs the passes whose caches ``fit`` leaves behind.
    """

    def __init__(self, net: NetworkStructure, name: str) -> None:
        self.net = net
        self.name = name
        self.plan: CompiledPlan | None = compiled_plan(net) if name == "compiled plan" else None

    def step(self, inputs: np.ndarray, targets: np.ndarray, loss_fn: Loss) -> tuple[np.ndarray, float]:
        if self.plan is not None:
            outputs = self.plan.run(inputs, caches=False)
            return outputs, self.plan.run_backward(targets, loss_fn, caches=False)
        if self.name == "one sample":
            outputs = single.forward(self.net, inputs[0])
            return outputs[None, :], single.backward(self.net, targets[0], loss_fn, inputs=False)
        outputs = backprop.forward_pass(self.net, inputs)
        return outputs, backprop.backward_pass(self.net, targets, loss_fn, inputs=False)

    def outputs(self, inputs: np.ndarray) -> np.ndarray:
        if self.plan is not None:
            return self.plan.run(inputs, caches=False)
        if self.name == "one sample" and inputs.shape[0] == 1:
            return single.forward(self.net, inputs[0])[None, :]
        return backprop.forward_pass(self.net, inputs)

    def final(self, x: np.ndarray, y: np.ndarray, loss_fn: Loss) -> np.ndarray:
        """Forward and backward on one sample with caches: returns its prediction ``(k,)``."""
        if self.plan is not None:
            prediction = self.plan.run(x[None, :], caches=True)[0].copy()
            self.plan.run_backward(y[None, :], loss_fn, caches=True)
            return prediction
        if self.name == "one sample":
            prediction = single.forward(self.net, x).copy()
            single.backward(self.net, y, loss_fn)
            return prediction
        prediction = backprop.forward_pass(self.net, x).copy()
        backprop.backward_pass(self.net, y, loss_fn)
        return prediction


def training_path(net: NetworkStructure, *, rows: int, compiled: bool | None) -> TrainingPath:
    """The path for batches of ``rows`` rows: see the module notes."""
    check_compiled(compiled)
    if compiled is False:
        return TrainingPath(net, "textbook")
    if compiled or rows >= PLAN_MIN_ROWS:
        return TrainingPath(net, "compiled plan")
    return TrainingPath(net, "one sample")
