"""A compiled plan's passes over given signal arrays, with every slice of them taken once.

A pass of the plan is a few numpy calls per level (``pre = W @ post[sources]
+ b``, the activations; backwards, the activation derivatives, the parameter
gradients and ``grad_post`` of the sources), each on slices of the plan's
``(nodes, n)`` arrays and of the parameter store.  On small layers, taking
those slices anew at every pass costs about as much as the calls themselves;
:class:`PreparedForward` and :class:`PreparedBackward` take them once, for
one set of arrays, and a pass then only calls numpy.  The plan keeps one of
each per batch size for its training steps, whose arrays it reuses.

The numbers are those of the formulas in :mod:`nodenet.fast.plan`'s notes,
computed by the same numpy calls in the same order.

Examples
--------
A training step (reused arrays, no caches) and a pass with caches give the same gradients:

>>> import numpy as np, nodenet
>>> net = nodenet.Network.from_layers([2, 3, 1], seed=0)
>>> plan, X, Y = net.compile(), np.ones((4, 2)), np.zeros((4, 1))
>>> _ = plan.run(X, caches=False); _ = plan.run_backward(Y, nodenet.get_loss("l2"), caches=False)
>>> step = [conn.grad_weight for conn in net.connections]
>>> _ = plan.forward(X); _ = plan.backward(Y)
>>> bool(np.allclose([conn.grad_weight for conn in net.connections], step, rtol=1e-12, atol=0))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

import numpy as np

from ..activations import Activation
from .levels import FLOAT64, Level

if TYPE_CHECKING:
    from ..losses import Loss
    from ..parameters import ParameterStore

__all__ = ["Layout", "PreparedForward", "PreparedBackward"]

Rows = Union[slice, np.ndarray]


@dataclass(frozen=True)
class Layout:
    """Where a plan's passes find their rows, besides its levels."""

    levels: list[Level]
    inputs: int  # rows 0 .. inputs-1 are the input nodes
    outputs: Rows  # the output nodes' rows, in net.outputs order
    zero_rows: list[slice]  # grad_post rows that accumulate, zeroed before a backward pass
    groups: list[tuple[Activation, np.ndarray]]  # softmax groups and their rows
    slot_runs: list[slice]  # every store slot the plan writes a gradient to
    store: ParameterStore
    dtype: np.dtype


def _rows(array: np.ndarray, rows: Rows) -> Optional[np.ndarray]:
    """A view of ``array[rows]``, or None when the rows are scattered (then ``array[rows]`` is a copy)."""
    return array[rows] if isinstance(rows, slice) else None


class PreparedForward:
    """The forward pass into ``pre`` and ``post`` (``(nodes, n)``, in the plan's row order).

    :meth:`run` leaves ``weights``: each level's weight matrix as the pass
    used it, which the backward pass of these signals needs.  The views are
    of these arrays only: a pass with caches, whose rows become node caches,
    builds its own on fresh arrays, and only training steps reuse theirs.
    """

    def __init__(self, layout: Layout, pre: np.ndarray, post: np.ndarray) -> None:
        self.layout, self.pre, self.post = layout, pre, post
        self.weights: list[np.ndarray] = []
        self._values: Optional[np.ndarray] = None  # the store's array the weight and bias views are of
        inputs = layout.inputs
        self._input_pre, self._input_post = pre[:inputs], post[:inputs]
        self._levels = [
            (level, pre[level.start : level.stop], _rows(post, level.sources), [
                (activation.value_into, pre[first:last], post[first:last])
                for activation, first, last in level.activations if not activation.is_group
            ])
            for level in layout.levels
        ]
        self._store_views: list[tuple[Optional[np.ndarray], Optional[np.ndarray]]] = []

    def _view_store(self, values: np.ndarray) -> None:
        """Views of the store's ``values``: the weights of a level that is one block of slots, consecutive biases."""
        self._values = values
        self._store_views = [
            (values[level.slot_block].reshape(level.shape) if level.slot_block is not None and self.layout.dtype == FLOAT64 else None,
             values[level.biases][:, None] if isinstance(level.biases, slice) else None)
            for level in self.layout.levels
        ]

    def run(self, inputs: np.ndarray, caches: bool) -> None:
        """Signals of checked ``inputs`` ``(n, p)``; ``caches``: the input rows of ``pre`` too (they equal ``post``)."""
        self._input_post[...] = inputs.T
        if caches:
            self._input_pre[...] = self._input_post
        values, dtype = self.layout.store.values, self.layout.dtype
        if values is not self._values:  # first pass, or the store's array was replaced
            self._view_store(values)
        self.weights = []
        for (level, block, sources, activations), (weights, biases) in zip(self._levels, self._store_views):
            if weights is None:  # a gather (or a float32 copy): the current values, every pass
                weights = level.weights(values, dtype)
            self.weights.append(weights)
            np.matmul(weights, self.post[level.sources] if sources is None else sources, out=block)
            block += values[level.biases][:, None] if biases is None else biases
            for value_into, pre, post in activations:
                value_into(pre, post)
        for activation, rows in self.layout.groups:
            self.post[rows] = np.array(activation.group_value(self.pre[rows]))

    def copy(self) -> PreparedForward:
        """These signals in new arrays, with the input rows of ``pre`` (a pass without caches leaves them out)."""
        copied = PreparedForward(self.layout, self.pre.copy(), self.post.copy())
        inputs = self.layout.inputs
        copied.pre[:inputs] = copied.post[:inputs]
        copied.weights = self.weights  # the matrices these signals were computed with
        return copied

    def read_weights(self) -> None:
        """``weights`` from the store, for signals computed elsewhere (the node caches of another path)."""
        self.weights = [level.weights(self.layout.store.values, self.layout.dtype) for level in self.layout.levels]


class PreparedBackward:
    """The backward pass of ``forward``'s signals into ``grad_pre`` and ``grad_post``, and the store's gradients."""

    def __init__(self, forward: PreparedForward, grad_pre: np.ndarray, grad_post: np.ndarray) -> None:
        layout, pre, post = forward.layout, forward.pre, forward.post
        self.layout, self.forward, self.grad_pre, self.grad_post = layout, forward, grad_pre, grad_post
        self._zero = [grad_post[rows] for rows in layout.zero_rows]
        self._loss_rows = _rows(grad_post, layout.outputs)
        self._input_grad_pre, self._input_grad_post = grad_pre[: layout.inputs], grad_post[: layout.inputs]
        self._levels = [
            (level, grad_pre[level.start : level.stop], _rows(post, level.sources), _rows(grad_post, level.sources), [
                (activation.grad_pre_into, pre[first:last], post[first:last], grad_post[first:last], grad_pre[first:last])
                for activation, first, last in level.activations if not activation.is_group
            ])
            for level in reversed(layout.levels)
        ]

    def run(self, target: np.ndarray, loss_fn: Loss, caches: bool) -> tuple[float, np.ndarray]:
        """Backpropagate against checked ``target`` ``(n, k)``; returns the mean loss and ``dL/dpost`` at the outputs.

        ``caches``: the gradients are the node caches' (batch means divided in
        each level, the inputs' gradients computed); else a training step's,
        with the batch mean's ``1/n`` folded into the outputs' gradient so
        that no level divides by ``n``, and no gradient of an input row.
        """
        layout, post, grad_pre, grad_post = self.layout, self.forward.post, self.grad_pre, self.grad_post
        n = post.shape[1]
        for rows in self._zero:
            rows[...] = 0.0
        predicted = np.array(post[layout.outputs].T)  # the loss's own copy: a loss may write into it
        if caches:
            value, loss_grads = loss_fn.mean(predicted, target), loss_fn.grad(predicted, target)
        else:
            value, loss_grads = loss_fn.mean_and_grad(predicted, target)
        scale = 1.0 if caches else 1.0 / n  # times 1.0 is exact: the loss's own gradient
        if self._loss_rows is None:  # dL/dpost from the loss, at the outputs
            grad_post[layout.outputs] = loss_grads.T * scale
        else:
            np.multiply(loss_grads.T, scale, out=self._loss_rows)
        for activation, group in layout.groups:
            grad_pre[group] = np.array(activation.group_grad_pre(post[group], grad_post[group]))
        grads = layout.store.grads
        divide = n if caches else 1
        for (level, block, sources, grad_sources, activations), weights in zip(self._levels, reversed(self.forward.weights)):
            for grad_pre_into, pre_rows, post_rows, grad_post_rows, grad_pre_rows in activations:
                grad_pre_into(pre_rows, post_rows, grad_post_rows, grad_pre_rows)
            level.store_grads(grads, block, post[level.sources] if sources is None else sources, divide)
            if caches or level.feeds_on_computed:
                if level.first_to_sources:  # a block of rows (a view): written directly
                    np.matmul(weights.T, block, out=grad_sources)
                elif grad_sources is None:
                    grad_post[level.sources] += weights.T @ block
                else:
                    grad_sources += weights.T @ block
            elif level.first_to_sources:
                grad_sources[...] = 0.0  # type: ignore[index]  # input rows, not computed: earlier levels may add to them
        for run in layout.slot_runs:
            layout.store.known[run] = True
        if caches:
            self._input_grad_pre[...] = self._input_grad_post
        return value, loss_grads
