"""CompiledPlan: the passes of a network as matrix products over the batch.

The textbook path (:mod:`nodenet.backprop`) does Python work per connection.
A compiled plan groups the non-input nodes into *levels*
(longest path from the inputs), so that the nodes of one level depend only on
earlier levels, and computes each level with one matrix product:
``pre[level] = W @ post[sources] + b``.  The weight matrix of a level is
read from the network's :class:`~nodenet.parameters.ParameterStore` at every
pass: a view of the store when its weights are one block of slots (a layer of
``from_layers``), a gather when the level is dense, and, for a scattered level
(skip connections, arbitrary DAGs), its connections' weights written into a
matrix the plan keeps, whose other entries stay zero.  The gradients are
written back into the same store, so a plan never uses a parameter that could
be stale.

Signals of all nodes live in arrays of shape ``(nodes, n)``; after a pass the
node caches (``pre``, ``post``, ``grad_pre``, ``grad_post``) are row views of
them, the same numbers the textbook path computes (up to floating-point
summation order: the tests hold them to 1e-12 relative).  The level loops
themselves are :mod:`nodenet.fast.prepared`'s, over slices of these arrays
taken once per set of arrays; a training step reuses its arrays, and so its
slices, from step to step.

Examples
--------
>>> import numpy as np, nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> plan = compiled_plan(net)
>>> X = np.array([[0.5, 0.2, 0.7], [0.1, 0.2, 0.3]])
>>> plan.forward(X).round(6).tolist()
[[0.099116], [0.070373]]
>>> _ = plan.forward(X); round(plan.backward([[0.3], [0.1]]), 6)
0.010308
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from ..activations import Activation
from ..checks import all_finite
from ..conversion import input_array, target_array
from ..errors import NotComputedError, TopologyError
from ..losses import Loss, get_loss
from ..structure import LAYERS
from .edges import edge_table
from .indices import runs, slot_index
from .levels import FLOAT64, dag_levels, layer_levels
from .prepared import Layout, PreparedBackward, PreparedForward

if TYPE_CHECKING:
    from ..node import Node
    from ..structure import NetworkStructure

__all__ = ["CompiledPlan", "compiled_plan"]

SCRATCH_SIZES = 4  # batch sizes whose training-step arrays a plan keeps (full, short last, watched sample, one more)


def compiled_plan(net: NetworkStructure, dtype: np.dtype = FLOAT64) -> CompiledPlan:
    """The network's :class:`CompiledPlan` computing in ``dtype``, from its derived cache (rebuilt after a structural change)."""
    if dtype == FLOAT64:
        return net.derived.get("compiled plan", lambda: CompiledPlan(net))
    return net.derived.get(f"compiled plan {dtype.name}", lambda: CompiledPlan(net, dtype=dtype))


class CompiledPlan:
    """Matrix form of a network's forward and backward passes.

    Get it with :meth:`Network.compile` or :func:`compiled_plan`, which
    keep the plan until the structure changes.  Inputs are always a batch
    ``X`` of shape ``(n, p)``.

    ``dtype=np.float32`` computes signals and gradients in single precision
    (see :meth:`Network.compile <nodenet.Network.compile>`); the parameters
    stay float64 in the store.
    """

    def __init__(self, net: NetworkStructure, *, dtype: np.dtype = FLOAT64) -> None:
        net.validate()
        self.dtype = dtype
        self._net = net
        self._version = net.structure_version
        self._store = net.store
        layered = net.derived.peek(LAYERS)
        if layered is not None:
            self._from_layers(*layered)
        else:
            self._from_edges(net)
        for level in self._levels:  # scattered levels keep one matrix: where no connection is, it stays 0
            if level.slot_block is None and level.slot_matrix is None:
                level.scattered = np.zeros(level.shape, dtype=dtype)
        self._layout = Layout(self._levels, self._inputs, self._output_index, self._plan_grad_post(),
                              self._groups, self._used_slot_runs(), self._store, dtype)
        self._signals: PreparedForward | None = None  # the last forward pass's signals
        self._signals_pass = -1  # the forward pass (its number) and the parameters the signals belong to
        self._signals_version = -1
        self._signals_are_scratch = False
        self._scratch: dict[int, tuple[PreparedForward, PreparedBackward]] = {}  # a training step's, per batch size

    def _used_slot_runs(self) -> list[slice]:
        """The plan's slots as a few slices: marking their gradients known is cheap."""
        parts = [level.slot_block if level.slot_block is not None else level.slots for level in self._levels]
        parts += [level.biases for level in self._levels]
        blocks = [part for part in parts if isinstance(part, slice)]
        if len(blocks) == len(parts):  # dense layers: blocks of the store, merged in order
            merged: list[slice] = []
            for block in sorted(blocks, key=lambda block: block.start):
                if merged and merged[-1].stop == block.start:
                    merged[-1] = slice(merged[-1].start, block.stop)
                else:
                    merged.append(block)
            return merged
        used = np.zeros(self._store.size, dtype=bool)
        for part in parts:
            used[part] = True
        return runs(np.flatnonzero(used))

    def _from_layers(self, layers: list[list[Node]], first_slot: int, biases: list[int]) -> None:
        """The levels of :meth:`Network.from_layers <nodenet.Network.from_layers>`: its layers, each a view of the store.

        Its weights fill consecutive slots from ``first_slot``, target by
        target, ``biases`` are the slots of the computed nodes' biases, layer
        by layer, and each layer has one activation: no connection is read.
        """
        self.nodes = [node for layer in layers for node in layer]
        self._set_ends(len(layers[0]), {node: i for i, node in enumerate(self.nodes)})
        self._levels = layer_levels(layers, first_slot, biases)

    def _set_ends(self, inputs: int, row: dict[Node, int]) -> None:
        """The input count, the output rows and the softmax groups' rows, from each node's ``row``."""
        self._inputs = inputs
        self._outputs = self._net.outputs
        self._output_index = slot_index([row[node] for node in self._outputs])  # a slice when consecutive: views
        rows = self._output_index
        self._output_rows = np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows  # copies on read
        self._groups: list[tuple[Activation, np.ndarray]] = [
            (activation, np.array([row[node] for node in members]))
            for activation, members in self._net.groups().items()
        ]

    def _from_edges(self, net: NetworkStructure) -> None:
        """The levels of any DAG, from its :class:`~nodenet.fast.edges.EdgeTable`."""
        order = net.nodes
        position = {node: i for i, node in enumerate(order)}
        edges = edge_table(net)
        depth = edges.depths().tolist()
        # nodes with equal activations (same class and options, see Activation.key) are grouped: one call per group
        kind = {}
        described: dict[int, tuple] = {}  # one key per activation object (nodes share them)
        for node in order:
            if node.kind != "input":
                activation = node.activation_function
                if id(activation) not in described:
                    key = activation.key()
                    described[id(activation)] = (type(activation).__name__, repr(key[1]), key)
                kind[node] = described[id(activation)]
        computed = sorted(kind, key=lambda node: (depth[position[node]], kind[node][:2], position[node]))
        self.nodes = net.inputs + computed
        row = {node: i for i, node in enumerate(self.nodes)}
        row_of_position = np.empty(len(order), dtype=np.intp)
        row_of_position[[position[node] for node in self.nodes]] = np.arange(len(self.nodes))
        self._set_ends(len(net.inputs), row)
        # every computed node's incoming connections, in plan order, read at once; each level takes its stretch
        slots, sources, counts = edges.of([edges.index[node] for node in computed])
        depths = [depth[position[node]] for node in computed]
        sizes = [len(list(level)) for _, level in itertools.groupby(depths)]
        self._levels = dag_levels(self.nodes, self._inputs, sizes, slots, row_of_position[sources], counts, kind)

    def _plan_grad_post(self) -> list[slice]:
        """How the backward pass fills ``grad_post``; returns the rows to zero first.

        Visiting levels last to first, a level whose sources are a block of
        rows that no output and no later level has written yet can write
        their ``grad_post`` directly; every other row starts at zero and
        accumulates.
        """
        written = np.zeros(len(self.nodes), dtype=bool)
        written[self._output_rows] = True
        zero = ~written
        for level in reversed(self._levels):
            rows = level.sources
            if isinstance(rows, slice) and not written[rows].any():
                level.first_to_sources = True
                zero[rows] = False
            written[rows] = True
        return runs(np.flatnonzero(zero))

    def _fresh(self, n: int) -> np.ndarray:
        """A new ``(nodes, n)`` array of the plan's precision."""
        return np.empty((len(self.nodes), n), dtype=self.dtype)

    def _scratch_passes(self, n: int) -> tuple[PreparedForward, PreparedBackward]:
        """The prepared passes of training steps on ``n`` rows, over arrays reused from step to step.

        Kept for a few batch sizes (full batches, the short last batch, the
        watched sample), so no step pays for fresh memory or new views.
        """
        if n not in self._scratch:
            if len(self._scratch) >= SCRATCH_SIZES:  # the oldest size goes
                del self._scratch[next(iter(self._scratch))]
            forward = PreparedForward(self._layout, self._fresh(n), self._fresh(n))
            self._scratch[n] = (forward, PreparedBackward(forward, self._fresh(n), self._fresh(n)))
        return self._scratch[n]

    def forward(self, X: Any, *, caches: bool = True) -> np.ndarray:
        """Outputs ``(n, k)`` for inputs ``X`` ``(n, p)``; fills the node caches.

        With ``caches=False`` the node caches are left alone and the pass works
        in buffers the plan reuses from call to call (how ``fit`` trains).
        """
        return self.run(np.atleast_2d(input_array(self._net, X)), caches=caches)

    def run(self, inputs: np.ndarray, *, caches: bool = True, sample: bool = False) -> np.ndarray:
        """:meth:`forward` on checked inputs: a finite float array ``(n, p)``.

        ``sample=True`` says the one row is one sample ``(p,)`` of the caller's: the node caches
        are then floats, as the textbook and the one-sample path leave them.
        """
        ticket, signals = self._forward(inputs, caches)
        if caches:
            self._write_caches(signals.pre, signals.post, None, None, sample)
            self._net.passes.finish_forward(ticket)
        return signals.post[self._output_rows].T

    def run_through(self, inputs: np.ndarray, target: np.ndarray, loss_fn: Loss, *, sample: bool = False) -> tuple[np.ndarray, float]:
        """:meth:`run` and then :meth:`run_backward`, with caches: returns the outputs and the loss.

        The node caches are written once, after the backward pass (how ``fit``
        ends).  When an output is not finite, no backward pass runs: the
        forward pass's caches are written, to tell where the signals
        overflowed, and the loss is NaN.
        """
        ticket, signals = self._forward(inputs, caches=True)
        outputs = signals.post[self._output_rows].T
        value = math.nan
        if all_finite(outputs):
            value = self.run_backward(target, loss_fn, caches=True, sample=sample)
        else:
            self._write_caches(signals.pre, signals.post, None, None, sample)
        self._net.passes.finish_forward(ticket)  # the signals are current: both passes are in the caches
        return outputs, value

    def _forward(self, inputs: np.ndarray, caches: bool) -> tuple[tuple, PreparedForward]:
        """The forward pass into the plan's arrays (fresh ones with ``caches``): its ticket and signals."""
        self._check_current()
        ticket = self._net.passes.begin_forward()
        n = inputs.shape[0]
        signals = PreparedForward(self._layout, self._fresh(n), self._fresh(n)) if caches else self._scratch_passes(n)[0]
        signals.run(inputs, caches)
        self._signals = signals
        self._signals_pass, self._signals_version = ticket[0], self._store.version
        self._signals_are_scratch = not caches
        self._store.clear_grads()
        return ticket, signals

    def backward(self, Y: Any, *, loss: Union[str, Loss] = "l2", caches: bool = True) -> float:
        """Backpropagate against ``Y`` ``(n, k)``; returns the mean loss.

        Parameter gradients (batch means) go to the parameter store, where
        ``Connection.grad_weight`` and ``Node.grad_bias`` read them.  With
        ``caches=False`` the node caches are left alone and the gradients
        with respect to the inputs are not computed.  After a forward pass
        of another path (the textbook's, a copy's), the plan starts from the
        node caches.
        """
        signals = self._current_signals()
        return self.run_backward(target_array(self._net, Y, batch=signals.pre.shape[1]), get_loss(loss), caches=caches)

    def run_backward(self, target: np.ndarray, loss_fn: Loss, *, caches: bool = True, sample: bool = False) -> float:
        """:meth:`backward` on checked targets: a finite float array ``(n, k)`` (``sample``: see :meth:`run`).

        Without caches (a training step) the batch mean's ``1/n`` is folded
        into the outputs' gradient, so that no level divides by ``n``.
        """
        signals = self._current_signals()
        self._net.passes.begin_backward()
        n = signals.pre.shape[1]
        if not caches:
            scratch = self._scratch_passes(n)
            # the step's own gradient arrays, unless the signals are another pass's (then views of those)
            passes = scratch[1] if scratch[0] is signals else PreparedBackward(signals, scratch[1].grad_pre, scratch[1].grad_post)
            value, _ = passes.run(target, loss_fn, caches=False)
            return value
        if self._signals_are_scratch:  # caches must not alias reused arrays
            signals = signals.copy()
        passes = PreparedBackward(signals, self._fresh(n), self._fresh(n))  # new arrays: their rows become node caches
        value, loss_grads = passes.run(target, loss_fn, caches=True)
        self._write_caches(signals.pre, signals.post, passes.grad_pre, passes.grad_post, sample)
        # what the textbook's backward keeps for explanations: each output's dL/dpost from the loss
        kept = loss_grads[0].tolist() if sample else loss_grads.T.copy()
        self._net.passes.record_loss(loss_fn, target[0] if sample else target, dict(zip(self._outputs, kept)))
        return value

    def _current_signals(self) -> PreparedForward:
        """The signals of the last forward pass, if the structure and parameters are still theirs.

        They are the plan's own when its pass was the last forward pass, else
        the node caches of a current pass of another path, gathered.
        """
        self._check_current()
        passes = self._net.passes
        own = passes.forward_number == self._signals_pass and self._signals_version == self._store.version
        if self._signals is not None and own:
            return self._signals
        if passes.current() and isinstance(self.nodes[0].post, np.ndarray):
            # in the caches' own precision: a float32 backward must not round a float64 pass's signals
            signals = PreparedForward(self._layout, np.array([node.pre for node in self.nodes]),
                                      np.array([node.post for node in self.nodes]))
            signals.read_weights()
            self._signals = signals
            self._signals_pass, self._signals_version = passes.forward_number, self._store.version
            self._signals_are_scratch = False
            return signals
        raise NotComputedError(
            "The compiled plan has no current signals (none yet, weights or biases changed since, or the "
            "last forward pass was of one sample); call plan.forward(X) first."
        )

    def _check_current(self) -> None:
        if self._version != self._net.structure_version:
            raise TopologyError(
                "This compiled plan was built before the network's structure changed (nodes, "
                "connections or activations); get a current one with net.compile()."
            )

    def _write_caches(self, pre: np.ndarray, post: np.ndarray, grad_pre: Any, grad_post: Any, sample: bool) -> None:
        rows = (lambda array: array[:, 0].tolist()) if sample else list  # one sample: floats, a batch: row views
        grad_pre_rows = rows(grad_pre) if grad_pre is not None else [None] * len(self.nodes)
        grad_post_rows = rows(grad_post) if grad_post is not None else [None] * len(self.nodes)
        for node, p, q, gp, gq in zip(self.nodes, rows(pre), rows(post), grad_pre_rows, grad_post_rows):
            node.pre, node.post, node.grad_pre, node.grad_post = p, q, gp, gq
