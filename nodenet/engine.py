"""Which path computes a pass: the textbook, the fast one-sample path or the compiled plan.

* A pass that stops at a node (``stop_at``) or is taken in steps runs the
  textbook (:mod:`nodenet.backprop`): that is the code a learner reads.
* Any other pass of one sample runs the fast one-sample path
  (:mod:`nodenet.fast.single`, bitwise equal to the textbook), and a batch
  runs the compiled plan (:mod:`nodenet.fast.plan`, equal to 1e-12).

:class:`TrainingPath` is the same choice for ``fit``: batches of at least
``PLAN_MIN_ROWS`` rows go through the plan, one-row batches through the fast
one-sample path; ``compiled=False`` asks for the textbook, ``True`` for the plan.
``dtype=np.float32`` (``predict``, ``fit``) always runs the plan, in single precision.

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

import math
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import backprop
from .checks import all_finite, check_dtype
from .conversion import check_loss_fits, check_targets_fit, input_array, output_array, target_array
from .errors import InvalidArgument, NumericalError
from .factory import check_network
from .fast import single
from .fast.plan import FLOAT64, CompiledPlan, compiled_plan
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
    with net.passes.exclusive("forward"):
        stop = None if stop_at is None else net.node(stop_at)
        net.validate()
        inputs = input_array(net, x)
        if stop is not None:
            return finite_outputs(net, backprop.forward_pass(net, inputs, stop_at=stop))
        if inputs.ndim == 1:
            return finite_outputs(net, single.forward(net, inputs))
        return finite_outputs(net, compiled_plan(net).run(inputs, caches=True))


def backward(
    net: NetworkStructure, y: Any, *, loss: Union[str, Loss] = "l2", stop_at: NodeRef | None = None
) -> float:
    """Check ``y`` and run the backward pass on the path that fits; returns the loss."""
    with net.passes.exclusive("backward"):
        stop = None if stop_at is None else net.node(stop_at)
        net.passes.require_current("backward")
        targets = target_array(net, y)
        loss_fn = get_loss(loss)
        check_loss_fits(net, loss_fn)
        check_targets_fit(net, loss_fn, targets)
        if stop is not None:
            value = backprop.backward_pass(net, targets, loss_fn, stop_at=stop)
        elif targets.ndim == 1:
            value = single.backward(net, targets, loss_fn)
        else:
            value = compiled_plan(net).run_backward(targets, loss_fn, caches=True)
        return finite_gradients(net, value)


def loss(net: NetworkStructure, y: Any, *, loss: Union[str, Loss] = "l2") -> float:
    """The loss of the current outputs against ``y`` (mean over a batch)."""
    with net.passes.exclusive("loss"):
        net.passes.require_current("loss")
        value = get_loss(loss).mean(output_array(net), target_array(net, y))
        if not math.isfinite(value):
            raise NumericalError(f"The loss became {value!r} from finite outputs and targets: it overflowed. "
                                 "Scale the targets (nodenet.MinMaxScaler) or use smaller weights.")
        return value


def predict(net: NetworkStructure, X: Any, *, compiled: bool | None = None, dtype: Any = None) -> np.ndarray:
    """Outputs for one sample ``(p,)`` or rows ``(n, p)``: :func:`forward`'s choice of path, unless
    ``compiled`` asks for the plan (``True``) or the textbook (``False``); ``dtype=np.float32`` runs
    the plan in single precision and returns float32 outputs."""
    check_network(net, "predict")
    with net.passes.exclusive("predict"):
        check_compiled(compiled)
        precision = check_precision(dtype, compiled)
        net.validate()
        inputs = input_array(net, X)
        if compiled is False:
            return finite_outputs(net, backprop.forward_pass(net, inputs))
        if inputs.ndim == 2:
            return finite_outputs(net, compiled_plan(net, precision).run(inputs, caches=True))
        if compiled or precision != FLOAT64:  # one sample through the plan: a batch of one row, returned as one sample
            return finite_outputs(net, compiled_plan(net, precision).run(inputs[None, :], caches=True, sample=True))[0]
        return finite_outputs(net, single.forward(net, inputs))


def finite_outputs(net: NetworkStructure, outputs: np.ndarray) -> np.ndarray:
    """``outputs`` if finite; else a :class:`NumericalError` naming the first node whose signal overflowed.

    A hidden signal that overflows and saturates (``sigmoid(inf) == 1``) leaves the outputs finite
    and is accepted; a NaN or infinity that reaches an output is an error, never a silent result.
    """
    if outputs.size <= 16:  # a few outputs: Python's isfinite is cheaper than a numpy call
        if all(map(math.isfinite, outputs.ravel().tolist())):
            return outputs
    elif all_finite(outputs):
        return outputs
    for node in net.nodes:
        for field in ("pre", "post"):
            _require_finite(node, field)
    raise NumericalError(  # the caches are a pass's scratch (fit): the outputs alone tell
        "The outputs became non-finite although the inputs and parameters are finite: the signals overflowed. "
        "Scale the inputs (nodenet.MinMaxScaler) or use smaller weights."
    )


def finite_gradients(net: NetworkStructure, loss_value: float) -> float:
    """``loss_value`` if it and every gradient are finite; else a :class:`NumericalError` naming where."""
    store = net.store
    if math.isfinite(loss_value) and all_finite(store.grads[: store.size], where=store.known[: store.size]):
        return loss_value
    if not np.isfinite(loss_value):
        raise NumericalError(f"The loss became {loss_value!r} from finite outputs and targets; scale the data.")
    for node in reversed(net.nodes):
        for field in ("grad_post", "grad_pre"):
            _require_finite(node, field)
    raise NumericalError("A parameter gradient overflowed; use smaller weights or scale the data.")


def _require_finite(node: Any, field: str) -> None:
    value = getattr(node, field)
    if value is None or np.isfinite(value).all():
        return
    rows = np.flatnonzero(~np.isfinite(np.atleast_1d(value)))
    where = f" for sample row {int(rows[0])}" if np.ndim(value) else ""
    shown = np.atleast_1d(value)[rows[0]]
    raise NumericalError(
        f"{node.name}.{field} became {float(shown)!r}{where} although the inputs and parameters are finite: "
        "the signals overflowed. Scale the inputs (nodenet.MinMaxScaler) or use smaller weights."
    )


def check_compiled(compiled: Any) -> None:
    if compiled is not None and not isinstance(compiled, bool):
        raise InvalidArgument(f"compiled must be None, True or False; got {compiled!r}.")


def check_precision(dtype: Any, compiled: bool | None) -> np.dtype:
    """``dtype`` checked (:func:`~nodenet.checks.check_dtype`); float32 needs the plan, so not ``compiled=False``."""
    precision = check_dtype(dtype)
    if precision != FLOAT64 and compiled is False:
        raise InvalidArgument(
            f"dtype={precision.name} runs on the compiled plan, and compiled=False asks for the textbook's passes, "
            "which compute in float64; leave compiled at None (or True), or drop dtype."
        )
    return precision


class TrainingPath:
    """The passes ``fit`` runs, on checked rows ``(n, p)`` and targets ``(n, k)``.

    :meth:`step` is a training step: outputs and loss of a batch, every
    parameter gradient in the store, the node caches left as scratch.
    :meth:`outputs` predicts without keeping caches current, and
    :meth:`final` runs the passes whose caches ``fit`` leaves behind.
    """

    def __init__(self, net: NetworkStructure, name: str, dtype: np.dtype = FLOAT64) -> None:
        self.net = net
        self.name = name
        self.plan: CompiledPlan | None = compiled_plan(net, dtype) if name == "compiled plan" else None

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
            return finite_outputs(self.net, self.plan.run(inputs, caches=False))
        if self.name == "one sample" and inputs.shape[0] == 1:
            return finite_outputs(self.net, single.forward(self.net, inputs[0])[None, :])
        return finite_outputs(self.net, backprop.forward_pass(self.net, inputs))

    def final(self, x: np.ndarray, y: np.ndarray, loss_fn: Loss) -> np.ndarray:
        """Forward and backward on one sample with caches: returns its prediction ``(k,)``."""
        if self.plan is not None:
            outputs, value = self.plan.run_through(x[None, :], y[None, :], loss_fn, sample=True)
            prediction = finite_outputs(self.net, outputs)[0].copy()
            finite_gradients(self.net, value)
            return prediction
        if self.name == "one sample":
            prediction = finite_outputs(self.net, single.forward(self.net, x)).copy()
            finite_gradients(self.net, single.backward(self.net, y, loss_fn))
            return prediction
        prediction = finite_outputs(self.net, backprop.forward_pass(self.net, x)).copy()
        finite_gradients(self.net, backprop.backward_pass(self.net, y, loss_fn))
        return prediction


def training_path(net: NetworkStructure, *, rows: int, compiled: bool | None, dtype: Any = None) -> TrainingPath:
    """The path for batches of ``rows`` rows: see the module notes."""
    check_compiled(compiled)
    precision = check_precision(dtype, compiled)
    if compiled is False:
        return TrainingPath(net, "textbook")
    if compiled or rows >= PLAN_MIN_ROWS or precision != FLOAT64:
        return TrainingPath(net, "compiled plan", precision)
    return TrainingPath(net, "one sample")
