"""Network: the class users build, run, train and draw.

:class:`Network` is the network core (:class:`~nodenet.structure.NetworkStructure`:
nodes, connections, parameters, order) with the methods that use it.  Each
method is a front door to the module that does the work: the passes
(:mod:`nodenet.engine`, which picks the textbook or a fast path), stepping,
explanations, paths, lint, training and pictures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator, Iterator, Sequence, Union

import numpy as np

from . import engine
from .checks import check_dtype
from .errors import InvalidArgument
from .explain import Explanation, explain
from .factory import layered_network, register_network_class
from .fast.plan import CompiledPlan, compiled_plan
from .initializers import initialize
from .lab.layout import choose_view, structure_svg
from .lint import Finding, lint
from .losses import Loss
from .paths import Path, paths
from .render import notebook_svg, render
from .seeding import Seed
from .stepping import Step, backward_steps, forward_steps
from .structure import NetworkStructure, NodeRef
from .summary import summary
from .training import fit

if TYPE_CHECKING:
    from .history import History

__all__ = ["Network"]

ArrayLike = Any


class Network(NetworkStructure):
    """A feed-forward network: any DAG of :class:`Node` joined by :class:`Connection`.

    The network owns a :class:`networkx.DiGraph` (``net.graph``) keyed by
    node name, with the objects stored as the attributes ``"node"`` and
    ``"connection"``.  Build it with :meth:`add_input`, :meth:`add_node`,
    :meth:`add_output` and :meth:`connect`, or with :meth:`from_layers`.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network()
    >>> _ = net.add_input("I1"); _ = net.add_node("H2", activation="sigmoid")
    >>> _ = net.add_output("O3")
    >>> _ = net.connect("I1", "H2", weight=0.5); _ = net.connect("H2", "O3", weight=2.0)
    >>> net.forward([0.0]).tolist()
    [1.0]
    >>> round(net.backward([0.5]), 6)
    0.125
    >>> net["H2"].grad_post, net.connection("I1", "H2").grad_weight
    (1.0, 0.0)
    """

    @classmethod
    def from_layers(
        cls,
        widths: Sequence[int],
        *,
        hidden: str = "sigmoid",
        output: str = "identity",
        init: str = "xavier",
        bias: str = "small",
        scale: float = 0.5,
        seed: Seed = None,
        input_names: Sequence[str] | None = None,
        output_names: Sequence[str] | None = None,
    ) -> Network:
        """A fully connected layered network with the chapter's numbering.

        Nodes are numbered globally: inputs ``I1..Ip``, hidden nodes ``H..``,
        outputs ``O..``; ``[3, 2, 1]`` gives ``I1 I2 I3 H4 H5 O6``.

        Parameters
        ----------
        widths : sequence of int
            Nodes per layer, inputs first and outputs last (at least two layers).
        hidden, output : str
            Activation names of the hidden and the output nodes.
        init, bias, scale, seed
            Passed to :func:`nodenet.initializers.initialize`. With an int
            seed the draws follow numpy's legacy ``np.random.seed``, so
            ``seed=13`` reproduces the chapter's initial weights.
        input_names, output_names : sequence of str, optional
            Names of the input and output nodes instead of ``I1..`` and
            ``O..`` (e.g. a DataFrame's columns, which ``predict`` and ``fit``
            then match by name); hidden nodes keep the numbering.

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> [n.name for n in net.nodes]
        ['I1', 'I2', 'I3', 'H4', 'H5', 'O6']
        >>> net.parameter_count()
        11
        >>> [n.name for n in nodenet.Network.from_layers([2, 1], input_names=["alcohol", "ash"], output_names=["class"]).nodes]
        ['alcohol', 'ash', 'class']
        """
        widths = _check_widths(widths)
        names = {
            "input_names": _check_names(input_names, widths[0], "input"),
            "output_names": _check_names(output_names, widths[-1], "output"),
        }
        net, _ = layered_network(widths, [hidden] * (len(widths) - 2) + [output], net=cls(), **names)
        initialize(net, init, bias=bias, scale=scale, seed=seed)
        return net

    def compile(self, *, dtype: Any = None) -> CompiledPlan:
        """The network's :class:`~nodenet.fast.plan.CompiledPlan` (kept until the structure changes).

        Parameters
        ----------
        dtype : None, np.float64 or np.float32
            The precision of the plan's signals and gradients.  The
            parameters stay float64 (the store); a float32 plan reads them
            as float32 and writes float32 gradients into the float64 store.
            Its outputs and gradients agree with float64 to about
            ``1e-6`` relative to their scale (float32 has 24 bits, about
            ``6e-8`` per operation, accumulated over each level's sums), and
            a training follows the float64 one to about ``1e-4`` relative
            over tens of steps (``tests/test_float32.py`` holds it to that).

        Examples
        --------
        >>> import numpy as np, nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.compile() is net.compile()
        True
        >>> plan = net.compile(dtype=np.float32)
        >>> plan.forward([[0.5, 0.2, 0.7]]).dtype, round(float(plan.forward([[0.5, 0.2, 0.7]])[0, 0]), 6)
        (dtype('float32'), 0.099116)
        """
        return compiled_plan(self, check_dtype(dtype))

    # ------------------------------------------------------------------ passes
    def forward(self, x: ArrayLike, *, stop_at: NodeRef | None = None) -> np.ndarray:
        """Compute every node's ``pre`` and ``post`` for one sample or a batch.

        Parameters
        ----------
        x : array-like of shape (p,) or (n, p), or mapping of input name to value(s)
            Values of the input nodes in ``net.inputs`` order.
        stop_at : str or Node, optional
            Run the textbook's pass (:mod:`nodenet.backprop`) and call
            :func:`breakpoint` just before this node is computed: the debugger
            opens in :func:`~nodenet.backprop.forward_node`, on the formula
            ``pre = pre + conn.weight * conn.source.post`` (``n`` runs it term
            by term, ``r`` finishes the node, ``p node`` shows its caches).

        Returns
        -------
        numpy.ndarray of shape (k,) or (n, k)
            The output signals, in ``net.outputs`` order.

        Notes
        -----
        Clears every gradient cache: gradients of earlier signals are never
        shown as current.  One sample runs the fast one-sample path and a
        batch the compiled plan (:mod:`nodenet.engine`); both equal the
        textbook's pass, which :meth:`forward_steps` runs one node at a time.

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.forward([0.5, 0.2, 0.7]).round(4).tolist()
        [0.0991]
        >>> net.forward({"I1": 0.5, "I2": 0.2, "I3": 0.7}).round(4).tolist()
        [0.0991]
        >>> net.forward([[0.5, 0.2, 0.7], [0.0, 0.0, 0.0]]).shape
        (2, 1)
        """
        return engine.forward(self, x, stop_at=stop_at)

    def loss(self, y: ArrayLike, *, loss: Union[str, Loss] = "l2") -> float:
        """Loss of the last forward pass against targets ``y`` (mean over a batch).

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], init="constant", scale=1.0, bias="zeros")
        >>> _ = net.forward([2.0]); net.loss([1.0])
        0.5
        """
        return engine.loss(self, y, loss=loss)

    def backward(
        self, y: ArrayLike, *, loss: Union[str, Loss] = "l2", stop_at: NodeRef | None = None
    ) -> float:
        """Backpropagate the loss against ``y``; fill every gradient cache.

        Node caches (``grad_pre``, ``grad_post``) hold each sample's values;
        ``grad_weight`` and ``grad_bias`` are means over the batch.  Gradients
        are overwritten, never accumulated.

        Parameters
        ----------
        y : array-like of shape (k,) or (n, k), or mapping of output name to value(s)
        loss : {'l2', 'cross_entropy'} or Loss
        stop_at : str or Node, optional
            Run the textbook's pass and call :func:`breakpoint` just before
            this node's gradients are computed, in
            :func:`~nodenet.backprop.backward_node`.

        Returns
        -------
        float
            The loss (mean over the batch).

        Examples
        --------
        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> _ = net.forward([0.5, 0.2, 0.7])
        >>> round(net.backward([0.3]), 6), round(net["O6"].grad_pre, 6)
        (0.020177, -0.200884)
        """
        return engine.backward(self, y, loss=loss, stop_at=stop_at)

    # ------------------------------------------------------------------ stepping and explaining
    def forward_steps(self, x: ArrayLike) -> Iterator[Step]:
        """The forward pass one node at a time; see :func:`nodenet.stepping.forward_steps`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> [step.node.name for step in net.forward_steps([1.0])]
        ['I1', 'O2']
        """
        return forward_steps(self, x)

    def backward_steps(self, y: ArrayLike, *, loss: Union[str, Loss] = "l2") -> Generator[Step, None, float]:
        """The backward pass one node at a time; see :func:`nodenet.stepping.backward_steps`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> _ = net.forward([1.0])
        >>> [step.node.name for step in net.backward_steps([0.0])]
        ['O2', 'I1']
        """
        return backward_steps(self, y, loss=loss)

    def explain(
        self,
        name: NodeRef | None = None,
        *,
        format: str = "text",
        sample: int = 0,
        digits: int = 4,
        phase: str | None = None,
        **update: Any,
    ) -> Explanation:
        """The chapter's formulas with the numbers; see :func:`nodenet.explain.explain` (``update``: ``lr``, ``l2``, ...).

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([1, 1], seed=0)
        >>> _ = net.forward([1.0]); _ = net.backward([0.0])
        >>> print(net.explain("O2").text.splitlines()[1])
        O2_in = λ1,2·I1 + b2 = (0.0976)(1.0000) + (0.1076) = 0.2052
        """
        return explain(self, name, format=format, sample=sample, digits=digits, phase=phase, **update)

    def paths(self, source: NodeRef, target: NodeRef, *, limit: int = 10000) -> list[Path]:
        """Every directed path with its product of derivatives; see :func:`nodenet.paths.paths`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> _ = net.forward([0.5, 0.2, 0.7])
        >>> [str(path).split(":")[0] for path in net.paths("I1", "O6")]
        ['I1 → H4 → O6', 'I1 → H5 → O6']
        """
        return paths(self, source, target, limit=limit)

    def lint(self) -> list[Finding]:
        """Structural findings (dead or unreachable nodes, ...); see :func:`nodenet.lint.lint`.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([2, 1], seed=0)
        >>> net.lint()
        []
        """
        return lint(self)

    def summary(self) -> str:
        """A table of every node with its caches, in topological order; see :func:`nodenet.summary.summary`.

        >>> import nodenet
        >>> print(nodenet.Network.from_layers([1, 1], seed=0).summary())
        node  kind    activation  bias      pre   post  grad_pre  grad_post
        I1    input   identity    -         None  None  None      None
        O2    output  identity    0.107595  None  None  None      None
        """
        return summary(self)

    # ------------------------------------------------------------------ training
    def fit(self, X: ArrayLike, Y: ArrayLike, **options: Any) -> History:
        """Train this network in place; see :func:`nodenet.training.fit` for the options.

        >>> import nodenet
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=1000, lr=0.2)
        History(1000 epochs, final loss 0; 1001 recorded states of 11 parameters)
        """
        return fit(self, X, Y, **options)

    def predict(self, X: ArrayLike, *, compiled: bool | None = None, dtype: Any = None) -> np.ndarray:
        """Outputs for one sample ``(p,)`` or rows ``(n, p)``; see :func:`nodenet.engine.predict`.

        ``dtype=np.float32`` computes on the compiled plan in single precision
        (see :meth:`compile`) and returns float32 outputs.

        >>> import nodenet
        >>> nodenet.Network.from_layers([3, 2, 1], seed=13).predict([0.5, 0.2, 0.7]).round(4).tolist()
        [0.0991]
        """
        return engine.predict(self, X, compiled=compiled, dtype=dtype)

    # ------------------------------------------------------------------ pictures
    def render(self, path: Any, **options: Any) -> Any:
        """Draw the annotated diagram into a PNG, SVG, PDF or DOT file; see :func:`nodenet.render`.

        >>> import nodenet, tempfile, pathlib
        >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
        >>> net.render(pathlib.Path(tempfile.mkdtemp()) / "net.dot").read_text()[:16]
        'digraph network '
        """
        return render(self, path, **options)

    def _repr_svg_(self) -> str | None:
        # Graphviz takes minutes for thousands of nodes: above the lab's limits, the structure view (no Graphviz)
        return notebook_svg(self) if choose_view(self, None) == "detailed" else structure_svg(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        svg = self._repr_svg_()
        text = repr(self)
        if choose_view(self, None) != "detailed":
            text += ("\nShown as its structure, one box per run of alike nodes; net.render('net.svg') draws every node "
                     "and connection (Graphviz may take minutes at this size).")
        return {"text/plain": text, **({"image/svg+xml": svg} if svg is not None else {})}


def _check_names(names: Any, width: int, kind: str) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        raise InvalidArgument(f"{kind}_names must be a list of {width} names; got {names!r:.80}.")
    names = list(names)
    if len(names) != width:
        raise InvalidArgument(f"{kind}_names must name each of the {width} {kind} nodes; got {len(names)} names: {names!r:.80}.")
    if not all(isinstance(name, str) for name in names):
        raise InvalidArgument(f"{kind}_names must be strings (e.g. a DataFrame's columns as str); got {names!r:.80}.")
    return names


def _check_widths(widths: Any) -> list[int]:
    try:
        values = list(widths)
    except TypeError as err:
        raise InvalidArgument(f"widths must be a sequence of layer sizes such as [3, 2, 1]; got {widths!r}.") from err
    if len(values) < 2 or not all(isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w >= 1 for w in values):
        raise InvalidArgument(
            f"widths must list at least two layer sizes, each an int >= 1 (inputs first, outputs last), "
            f"such as [3, 2, 1]; got {widths!r}."
        )
    return [int(w) for w in values]




register_network_class(Network)
