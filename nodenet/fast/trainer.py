"""A generated one-sample trainer: the textbook's float operations as straight-line Python.

Training on one row at a time (the chapter's single sample, or stochastic
gradient descent) costs Python, not arithmetic: the one-sample path
(:mod:`nodenet.fast.single`) still walks node objects and calls the
parameter store for every weight.  For a network of this size the same
epoch can be written out as one function, with each weight, bias and
signal a local float, and that is what this module does: from the
network's structure it writes the Python source of ``run``, which trains
for many epochs with plain gradient descent, and compiles it once per
structure (kept in the network's derived cache).

The generated lines are the textbook's formulas, in its order of
operations (``pre = pre + λ · source.post``, ``∂L/∂pre = α'(pre) ·
∂L/∂post``, ``λ ← λ − η · ∂L/∂λ``), so the numbers are bitwise those of
:mod:`nodenet.backprop` (the tests check every epoch).  ``trainer.source``
is the code, and a debugger steps through it with its lines shown.

It is used by ``fit`` for one-row batches of networks of at most
``MAX_CONNECTIONS`` connections, with plain ``SGD``, no softmax group,
and none of the per-epoch hooks (callback, validation, early stopping,
penalties, accuracy, progress bar); anything else takes the other paths.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> trainer = one_sample_trainer(net, nodenet.get_loss("l2"))
>>> print(trainer.source.splitlines()[0])
def run(params, rows, targets, target_arrays, rates, epochs, record_every, permutation, watched, watched_x, records, losses, done):
>>> {line.strip() for line in trainer.source.splitlines() if line.strip().startswith("pre_H4 =")}
{'pre_H4 = 0.0 + w_I1_H4 * post_I1 + w_I2_H4 * post_I2 + w_I3_H4 * post_I3 + b_H4'}
"""

from __future__ import annotations

import itertools
import keyword
import linecache
import math
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..activations import Identity, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from ..losses import L2, Loss

if TYPE_CHECKING:
    from ..node import Node
    from ..structure import NetworkStructure

__all__ = ["OneSampleTrainer", "one_sample_trainer", "MAX_CONNECTIONS"]

MAX_CONNECTIONS = 400
"""The largest network the generated trainer is used for.

A step is 2-3 times faster than the one-sample path at every size measured
(8 to 2000 connections), but compiling a new structure takes about 0.1 ms
per connection: for 260 connections it pays after about 135 steps, for 2000
after about 270 (measured on the development machine).  Up to this size a
first ``fit`` of a structure costs at most some 40 ms of compilation.
"""

_files = itertools.count()


def one_sample_trainer(net: NetworkStructure, loss: Loss) -> OneSampleTrainer:
    """The trainer of ``net`` and ``loss``: kept in the network's derived cache until its structure changes.

    Networks of the same structure (names, connections, activations) share
    one compiled function: a fresh network of a known structure pays only for
    writing the source, not for compiling it.
    """
    def build() -> OneSampleTrainer:
        source, names, owners = _Writer(net, loss).write()
        key = (source, tuple((name, owners[name]) for name in sorted(names)))
        with _compiled_lock:  # networks train in threads of their own
            trainer = _compiled.pop(key, None) or OneSampleTrainer(source, names)
            _compiled[key] = trainer  # the most recent last; the oldest are dropped
            while len(_compiled) > _KEEP:
                del _compiled[next(iter(_compiled))]
        return trainer

    return net.derived.get(f"one-sample trainer {_loss_key(loss)!r}", build)


class _Same:
    """A key equal only to the very same object: custom losses and activations may be unhashable, or equal but different."""

    __slots__ = ("thing",)

    def __init__(self, thing: Any) -> None:
        self.thing = thing

    def __hash__(self) -> int:
        return id(self.thing)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.thing is self.thing

    def __repr__(self) -> str:  # unique while the object lives (the trainer bound to it keeps it alive)
        return f"<{type(self.thing).__name__} at {id(self.thing):#x}>"


def _loss_key(loss: Loss) -> Any:
    """The built-in losses by their class (they have no options), any other by identity."""
    return type(loss) if type(loss).__module__ == Loss.__module__ else _Same(loss)


_KEEP = 32
_compiled: dict[tuple, OneSampleTrainer] = {}  # by source and what it calls: structures seen lately
_compiled_lock = threading.Lock()


class OneSampleTrainer:
    """The compiled ``run`` function of one network structure and loss.

    ``run(params, rows, targets, target_arrays, rates, epochs, record_every,
    permutation, watched, watched_x, records, losses, done)`` trains in place on
    the list ``params`` (parameter order: connections, then biases):

    * ``rows`` and ``targets``: sequences of floats, one per training row
      (``target_arrays``: the same targets as arrays, for the loss);
    * ``rates``: the learning rate of each epoch;
    * ``record_every``: record the state at the start of each k-th epoch
      (0: never), extending the list ``records`` by the parameters, their
      gradients in the epoch's first step and the prediction for the
      watched sample (row ``watched`` of ``rows``, or ``watched_x``);
    * ``permutation``: ``None``, or a function giving each epoch's row order;
    * ``losses``: receives each epoch's mean training loss;
    * ``done``: receives the number of steps taken, also when interrupted.

    It returns ``None`` when every epoch ran, or ``(what, value, epoch,
    step)`` when the training loss (``what == "training loss"``), the
    parameters (``"parameter update"``, ``value`` their sum) or the watched
    sample's outputs (``"signals"``) became non-finite: the parameters are
    then those from before that step.
    ``params`` always holds the parameters reached, even when ``run`` is
    interrupted.
    """

    def __init__(self, source: str, names: dict[str, Any]) -> None:
        self.source = source
        filename = f"<nodenet one-sample trainer {next(_files)}>"
        # the debugger and tracebacks show the generated lines
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        weakref.finalize(self, linecache.cache.pop, filename, None)  # the lines go with the trainer
        namespace: dict[str, Any] = {"isfinite": math.isfinite, "exp": math.exp, "tanh": math.tanh,
                                     "log1p": math.log1p, "array": np.array, "inf": math.inf, **names}
        exec(compile(source, filename, "exec"), namespace)
        self.run: Callable[..., Any] = namespace["run"]


class _Writer:
    """Writes the source of ``run`` for one network and loss."""

    def __init__(self, net: NetworkStructure, loss: Loss) -> None:
        self.net = net
        self.loss = loss
        self.names: dict[str, Any] = {}  # what the source calls besides math: custom activations, the loss
        self.owners: dict[str, Any] = {}  # ... and what tells them apart (activation keys, the loss)
        self.local = dict(zip(net.nodes, _distinct(_identifiers([node.name for node in net.nodes]))))
        biased = [node for node in net.nodes if node.kind != "input"]
        labels = [f"w_{self.local[conn.source]}_{self.local[conn.target]}" for conn in net.connections]
        labels += [f"b_{self.local[node]}" for node in biased]
        # store slot -> the parameter's local name, in parameter order (connections, then biases)
        slots = [conn.slot for conn in net.connections] + [node.slot for node in biased]
        self.param = dict(zip(slots, _distinct(labels)))
        self.order = list(self.param.values())

    def write(self) -> tuple[str, dict[str, Any], dict[str, Any]]:
        net = self.net
        params = ", ".join(self.order) + ","
        grads = ", ".join(f"d{name}" for name in self.order) + ","
        updated = ", ".join(f"new_{name}" for name in self.order) + ","
        inputs = ", ".join(f"x_{self.local[node]}" for node in net.inputs) + ","
        outputs = ", ".join(f"post_{self.local[node]}" for node in net.outputs) + ","
        lines = [
            "def run(params, rows, targets, target_arrays, rates, epochs, record_every, permutation, watched, watched_x, "
            "records, losses, done):",
            *(f"    # {local} is the node {node.name!r}" for node, local in self.local.items() if local != node.name),
            f"    {params} = params",
            "    count = len(rows)",
            "    order = list(range(count))",
            "    taken = 0",
            "    try:",
            "        for epoch in range(epochs):",
            "            rate = rates[epoch]",
            "            recording = record_every and epoch % record_every == 0",
            "            if permutation is not None:",
            "                order = permutation(count).tolist()",
            "            if recording and order[0] != watched:  # the watched sample at the epoch's starting parameters",
            f"                {inputs} = watched_x",
            *self.forward("                "),
            f"                prediction = ({outputs})",
            "                if not all(map(isfinite, prediction)):",
            '                    return "signals", inf, epoch, 0',
            "            total = 0.0",
            "            for step, row in enumerate(order):",
            f"                {inputs} = rows[row]",
            *self.forward("                "),
            *self.loss_lines("                "),
            "                if not isfinite(loss):",
            '                    return "training loss", loss, epoch, step',
            *self.backward("                "),
            "                if recording and step == 0:",
            "                    if order[0] == watched:",
            f"                        prediction = ({outputs})",
            f"                    records.extend(({params} {grads} *prediction))",
            "                # the update: λ ← λ − η · ∂L/∂λ",
            *(f"                new_{name} = {name} - rate * d{name}" for name in self.order),
            f"                total_new = {' + '.join(f'new_{name}' for name in self.order)}",
            "                if not isfinite(total_new):",
            f"                    if not all(map(isfinite, ({updated}))):",
            '                        return "parameter update", total_new, epoch, step',
            f"                {params} = {updated}",
            "                taken += 1",
            "                total += loss",
            "            losses.append(total / count)",
            "    finally:",
            f"        params[:] = ({params})",
            "        done.append(taken)",
            "    return None",
        ]
        return "\n".join(lines) + "\n", self.names, self.owners

    def forward(self, indent: str) -> list[str]:
        """``pre = 0.0 + λ · source.post + ... + b`` and ``post = α(pre)``, node after node."""
        lines = []
        for node in self.net.nodes:
            name = self.local[node]
            if node.kind == "input":
                lines.append(f"{indent}post_{name} = x_{name}")
                continue
            terms = "".join(f" + {self.param[conn.slot]} * post_{self.local[conn.source]}" for conn in node.incoming)
            lines.append(f"{indent}pre_{name} = 0.0{terms} + {self.param[node.slot]}")
            lines.append(f"{indent}post_{name} = {self.value(node, f'pre_{name}')}")
        return lines

    def loss_lines(self, indent: str) -> list[str]:
        """The loss of the row and ``∂L/∂post`` of each output (``dloss_<node>``)."""
        outputs = [self.local[node] for node in self.net.outputs]
        if type(self.loss) is L2:  # its gradient post − y, and for one output its value ½·(post − y)²
            lines = [f"{indent}{', '.join(f'y_{name}' for name in outputs)}, = targets[row]"]
            lines += [f"{indent}dloss_{name} = post_{name} - y_{name}" for name in outputs]
            if len(outputs) == 1:
                return lines + [f"{indent}loss = 0.5 * (dloss_{outputs[0]} * dloss_{outputs[0]})"]
            self.bind_loss("loss_mean")  # numpy's dot product: its own order of summation
            return lines + [f"{indent}loss = loss_mean(array(({', '.join(f'post_{n}' for n in outputs)},)), target_arrays[row])"]
        self.bind_loss("loss_mean")
        self.bind_loss("loss_grad")
        posts = f"array(({', '.join(f'post_{n}' for n in outputs)},))"
        return [
            f"{indent}predicted = {posts}",
            f"{indent}loss = loss_mean(predicted, target_arrays[row])",
            f"{indent}{', '.join(f'dloss_{n}' for n in outputs)}, = loss_grad(predicted, target_arrays[row]).tolist()",
        ]

    def backward(self, indent: str) -> list[str]:
        """``∂L/∂post``, ``∂L/∂pre``, then ``∂L/∂λ`` of the incoming weights and ``∂L/∂b``, last node first."""
        lines = []
        outputs = set(self.net.outputs)
        for node in reversed(self.net.nodes):
            if node.kind == "input":
                continue
            name = self.local[node]
            start = f"dloss_{name}" if node in outputs else "0.0"
            terms = "".join(f" + {self.param[conn.slot]} * grad_pre_{self.local[conn.target]}" for conn in node.outgoing)
            lines.append(f"{indent}grad_post_{name} = {start}{terms}")
            derivative = self.derivative(node, f"pre_{name}", f"post_{name}")
            lines.append(f"{indent}grad_pre_{name} = {derivative} * grad_post_{name}")
            for conn in node.incoming:
                lines.append(f"{indent}d{self.param[conn.slot]} = post_{self.local[conn.source]} * grad_pre_{name}")
            lines.append(f"{indent}d{self.param[node.slot]} = grad_pre_{name}")
        return lines

    def value(self, node: Node, pre: str) -> str:
        """``α(pre)`` as an expression: the activation's own float formula, or a call of it."""
        formulas = _FORMULAS.get(type(node.activation_function))
        if formulas is None:
            return f"{self.bind(node, 'value')}({pre})"
        return formulas[0](node.activation_function, pre)

    def derivative(self, node: Node, pre: str, post: str) -> str:
        """``α'(pre)`` as an expression, written as the activation writes it."""
        formulas = _FORMULAS.get(type(node.activation_function))
        if formulas is None:
            return f"{self.bind(node, 'derivative')}({pre}, {post})"
        return formulas[1](node.activation_function, pre, post)

    def bind(self, node: Node, method: str) -> str:
        """A name in the source for ``node``'s activation's ``method`` (custom activations)."""
        name = f"{method}_{self.local[node]}"
        activation = node.activation_function
        self.names[name] = getattr(activation, method)
        self.owners[name] = _Same(activation)  # its own methods are bound: shared only by networks sharing the object
        return name

    def bind_loss(self, name: str) -> None:
        """``loss_mean`` or ``loss_grad``: the loss's ``mean`` or ``grad``."""
        self.names[name] = getattr(self.loss, name[5:])
        self.owners[name] = _loss_key(self.loss)


def _sigmoid(pre: str) -> str:
    """Sigmoid.value's two branches for a float, stable for any ``pre``."""
    return f"1.0 / (1.0 + exp(-{pre})) if {pre} >= 0.0 else (small := exp({pre})) / (1.0 + small)"


# the float formulas of the built-in activations (exact types: a subclass may redefine them),
# as ``value(activation, pre)`` and ``derivative(activation, pre, post)`` expressions
_FORMULAS: dict[type, tuple[Callable[[Any, str], str], Callable[[Any, str, str], str]]] = {
    Identity: (lambda a, pre: pre, lambda a, pre, post: "1.0"),
    Sigmoid: (lambda a, pre: _sigmoid(pre), lambda a, pre, post: f"((1.0 - {post}) * {post})"),
    Tanh: (lambda a, pre: f"tanh({pre})", lambda a, pre, post: f"(1.0 - {post} * {post})"),
    ReLU: (lambda a, pre: f"{pre} if {pre} > 0.0 else 0.0", lambda a, pre, post: f"(1.0 if {pre} > 0.0 else 0.0)"),
    LeakyReLU: (lambda a, pre: f"{pre} if {pre} > 0.0 else {a.slope!r} * {pre}",
                lambda a, pre, post: f"(1.0 if {pre} > 0.0 else {a.slope!r})"),
    Softplus: (lambda a, pre: f"max({pre}, 0.0) + log1p(exp(-abs({pre})))", lambda a, pre, post: f"({_sigmoid(pre)})"),
}


def _identifiers(names: list[str]) -> list[str]:
    """A Python identifier per node: its name when that is one, else ``n<position>``.

    >>> _identifiers(["H4", "hidden 1", "for", "n1"])
    ['H4', 'n1', 'n2', 'n1']
    """
    return [name if name.isidentifier() and name.isascii() and not keyword.iskeyword(name) else f"n{number}"
            for number, name in enumerate(names)]


def _distinct(labels: list[str]) -> list[str]:
    """``labels`` made distinct by trailing underscores (node names may make two alike).

    >>> _distinct(["w_a_b_c", "w_a_b_c", "b_H4"])
    ['w_a_b_c', 'w_a_b_c_', 'b_H4']
    """
    seen: set[str] = set()
    result = []
    for label in labels:
        while label in seen:
            label += "_"
        seen.add(label)
        result.append(label)
    return result


def can_train(net: NetworkStructure) -> bool:
    """Whether the generated trainer can express ``net``: no softmax group, and small enough to pay."""
    return not net.groups() and len(net.connections) <= MAX_CONNECTIONS
