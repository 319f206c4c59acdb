"""Annotated Graphviz diagrams of a network.

:func:`to_dot` builds the DOT description (pure Python, no Graphviz program
needed); :func:`render` and :func:`to_svg` are the only code that runs the
``dot`` program.  Diagrams read left to right: inputs in the first column,
outputs in the last, every other node in the column of its longest path from
the inputs, so skip connections point right too.

Examples
--------
>>> import nodenet
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> _ = net.forward([0.5, 0.2, 0.7]); _ = net.backward([0.3])
>>> source = nodenet.to_dot(net).source
>>> "H4_in = 0.43" in source and "λ1,4 = 0.32" in source
True
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Union

import graphviz
import numpy as np
from graphviz.quoting import attr_list, quote

from .checks import check_int, check_path
from .conversion import sample_row
from .errors import ArgumentTypeError, GraphvizNotFound, InvalidArgument, NodenetError
from .factory import check_network
from .notation import derivative_symbol, format_value, signal_symbol

if TYPE_CHECKING:
    from .connection import Connection
    from .node import Node
    from .structure import NetworkStructure as Network

__all__ = ["SHOW", "FORMATS", "to_dot", "node_ranks", "render", "to_svg", "notebook_svg", "add_columns", "pipe"]

SHOW = ("all", "structure", "forward", "gradients")
"""What :func:`to_dot` annotates: everything, names only, signals, or derivatives."""

FORMATS = ("png", "svg", "pdf", "dot")
"""File formats :func:`render` writes (``dot`` needs no Graphviz program)."""

FONT = "DejaVu Sans,Helvetica,Arial,sans-serif"
POSITIVE, NEGATIVE, ZERO = "#1f5fbf", "#c62828", "#8c8c8c"
FILL = {"input": "#e8f5e9", "hidden": "#e3f2fd", "output": "#fff3e0"}
MIN_PEN, MAX_PEN = 0.6, 4.0


def node_ranks(net: Network) -> dict[str, int]:
    """The column of every node: its longest path (in connections) from the inputs.

    Inputs are in column 0, outputs that feed nothing in the last column,
    every other node one column right of its furthest source (at least 1).

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network()
    >>> for name in ("x",): _ = net.add_input(name)
    >>> _ = net.add_node("a"); _ = net.add_node("b"); _ = net.add_output("y")
    >>> for s, t in [("x", "a"), ("a", "b"), ("b", "y"), ("x", "y")]: _ = net.connect(s, t)
    >>> node_ranks(net)
    {'x': 0, 'a': 1, 'b': 2, 'y': 3}
    """
    ranks: dict[str, int] = {}
    for node in net.nodes:
        if node.kind == "input":
            ranks[node.name] = 0
        else:
            ranks[node.name] = max((ranks[conn.source.name] + 1 for conn in node.incoming), default=1)
    last = max(ranks.values(), default=0)
    for node in net.outputs:
        if not node.outgoing:
            ranks[node.name] = last
    return ranks


def to_dot(
    net: Network,
    *,
    show: str = "all",
    precision: int = 2,
    sample: int = 0,
    title: str | None = None,
    decimals: int | None = None,
) -> graphviz.Digraph:
    """The annotated diagram of ``net`` as a :class:`graphviz.Digraph` (no binary needed).

    Nodes show their name and activation, their bias and, once computed,
    ``pre`` (``H4_in``), ``post`` (``H4``), ``grad_post`` (``∂L/∂H4``) and
    ``grad_pre`` (``∂L/∂H4_in``); signals and gradients computed before the
    last change of the structure or of a weight or bias are left out, so a
    diagram never shows new weights beside old signals.  Node names are shown only inside escaped
    labels; the DOT identifiers are ``n0``, ``n1``, ... in ``net.nodes`` order, so any name is drawn
    literally.  Connections show their symbol (``λ1,4``),
    weight and ``∂L/∂λ``; their colour is the sign of the weight (blue
    positive, red negative, grey zero) and their pen width grows with its
    magnitude relative to the largest weight.

    Parameters
    ----------
    net : Network
    show : {'all', 'structure', 'forward', 'gradients'}
        ``'structure'``: names only; ``'forward'``: parameters and signals;
        ``'gradients'``: parameters and loss derivatives; ``'all'``: both.
    precision : int
        Significant digits of every number (1 to 17).
    sample : int
        For caches of a batch, the row whose values are shown (negative
        counts from the end); ``∂L/∂λ`` is the batch mean.
    title : str, optional
        A caption above the diagram.
    decimals : int, optional
        Write every number with this many decimals instead (as
        :func:`nodenet.explain.explain` does), e.g. ``4`` for ``0.0991``.

    Returns
    -------
    graphviz.Digraph
        Its ``.source`` is the DOT text; :func:`render` draws it.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([1, 1], init="constant", scale=-0.5, bias="zeros")
    >>> dot = nodenet.to_dot(net, show="structure")
    >>> print(*(line.strip() for line in dot.source.splitlines() if "->" in line))
    n0 -> n1 [color="#c62828" fontcolor="#c62828" label=<λ1,2> penwidth=4.00]
    """
    check_network(net, "to_dot")
    if title is not None and not isinstance(title, str):
        raise ArgumentTypeError(f"title must be a str or None; got {type(title).__name__} {title!r:.60}.")
    _check_options(show, precision)
    if decimals is not None:
        check_int(decimals, "decimals", minimum=0, maximum=17)
    fmt = _formatter(precision, decimals)
    pick = _sample_picker(net, sample)
    # caches of an older structure or older weights are not shown next to the current ones
    current = net.passes.current()
    dot = graphviz.Digraph("network")
    dot.attr(rankdir="LR", ranksep="0.9", nodesep="0.25", fontname=FONT, fontsize="12")
    dot.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize="11", margin="0.08,0.04")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.6")
    caption = _caption(title, pick if show != "structure" else None)
    if caption:
        dot.attr(label=caption, labelloc="t")
    ids = add_columns(dot, net, lambda node: {"label": _node_label(node, show, fmt, pick, current), "fillcolor": FILL[node.kind]})
    largest = max((abs(conn.weight) for conn in net.connections), default=0.0)
    for conn in net.connections:
        attributes = {
            "label": _connection_label(conn, show, fmt, current),
            "color": _weight_colour(conn.weight),
            "fontcolor": _weight_colour(conn.weight),
            "penwidth": f"{_pen_width(conn.weight, largest):.2f}",
        }
        dot.body.append(_edge_statement(ids[conn.source], ids[conn.target], attributes))
    return dot


def add_columns(dot: graphviz.Digraph, net: Network, attributes: Callable[[Node], dict[str, str]]) -> dict[Node, str]:
    """Add every node to ``dot`` in the columns of :func:`node_ranks`, in the network's order top to bottom.

    Names are other people's data: they may appear only inside escaped labels, never as DOT
    identifiers, so that no name can add nodes, attributes or links.  The identifiers are ``n0``,
    ``n1``, ... in ``net.nodes`` order; the returned dict maps each node to its identifier.
    """
    ranks = node_ranks(net)
    last = max(ranks.values(), default=0)
    ids = {node: f"n{position}" for position, node in enumerate(net.nodes)}
    columns: dict[int, list[Node]] = {}
    for node in net.nodes:
        columns.setdefault(ranks[node.name], []).append(node)
    for rank in sorted(columns):
        with dot.subgraph() as column:
            column.attr(rank=_rank_kind(rank, last))
            members = columns[rank]
            for node in members:
                column.node(ids[node], **attributes(node))
            for upper, lower in zip(members, members[1:]):  # keep the network's order top to bottom
                column.body.append(_edge_statement(ids[upper], ids[lower], {"style": "invis"}))
    return ids


def render(net: Network, path: Union[str, Path], *, format: str | None = None, **options: Any) -> Path:
    """Draw the annotated diagram of ``net`` into a PNG, SVG, PDF or DOT file.

    Parameters
    ----------
    net : Network
    path : str or pathlib.Path
        The file to write; its suffix gives the format unless ``format`` is set.
    format : {'png', 'svg', 'pdf', 'dot'}, optional
    **options
        Passed to :func:`to_dot` (``show``, ``precision``, ``sample``, ``title``).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    GraphvizNotFound
        If the ``dot`` program is missing (only ``'dot'`` files work without it).

    Examples
    --------
    >>> import nodenet, tempfile, pathlib
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> out = nodenet.render(net, pathlib.Path(tempfile.mkdtemp()) / "net.svg")
    >>> out.name, out.read_text().lstrip().startswith("<?xml")
    ('net.svg', True)
    """
    check_network(net, "render")
    path = Path(check_path(path, "render"))
    kind = _file_format(path, format)
    dot = to_dot(net, **options)
    data = dot.source.encode() if kind == "dot" else pipe(dot, kind)
    path.write_bytes(data)
    return path


def to_svg(net: Network, **options: Any) -> str:
    """The annotated diagram as SVG text, ready to inline in HTML (no XML prolog).

    Examples
    --------
    >>> import nodenet
    >>> nodenet.to_svg(nodenet.Network.from_layers([1, 1], seed=0))[:4]
    '<svg'
    """
    text = pipe(to_dot(net, **options), "svg").decode("utf-8")
    return text[text.index("<svg") :]


def pipe(dot: graphviz.Digraph, kind: str) -> bytes:
    """``dot`` laid out and drawn by Graphviz as ``kind`` (``"svg"``, ``"png"``, ``"json0"``, ...)."""
    try:
        return dot.pipe(format=kind)
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFound(
            f"Drawing a {kind.upper()} file needs the Graphviz 'dot' program, which is not on the PATH; "
            "install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
            "or write DOT text with to_dot(net).source or a '.dot' path."
        ) from err


def notebook_svg(net: Network) -> str | None:
    """SVG for notebooks, or ``None`` (text display) when it cannot be drawn.

    Examples
    --------
    >>> import nodenet
    >>> notebook_svg(nodenet.Network.from_layers([1, 1], seed=0))[:4]
    '<svg'
    """
    try:
        return to_svg(net)
    except NodenetError:
        return None


def _check_options(show: Any, precision: Any) -> None:
    if show not in SHOW:
        raise InvalidArgument(f"show must be one of {', '.join(map(repr, SHOW))}; got {show!r}.")
    check_int(precision, "precision (significant digits)", minimum=1, maximum=17)


def _file_format(path: Path, format: str | None) -> str:
    kind = format if format is not None else path.suffix.lstrip(".").lower()
    kind = "dot" if kind == "gv" else kind
    if kind not in FORMATS:
        given = f"format={format!r}" if format is not None else f"the suffix of {str(path)!r}"
        raise InvalidArgument(
            f"Cannot draw {given}: the formats are {', '.join(FORMATS)}; "
            "name the file like 'net.png' or pass format='svg'."
        )
    return kind


class _SamplePicker:
    """Selects one sample's value from caches that may hold a batch."""

    def __init__(self, row: int | None, batch: int) -> None:
        self.row, self.batch = row, batch

    def __call__(self, value: Any) -> Any:
        if isinstance(value, np.ndarray) and self.row is not None:
            return float(value[self.row])
        return value


def _sample_picker(net: Network, sample: Any) -> _SamplePicker:
    row = sample_row(net, sample)
    return _SamplePicker(row, net.inputs[0].post.shape[0] if row is not None else 0)


def label_text(text: str) -> str:
    """``text`` for a Graphviz HTML-like label, shown literally.

    HTML characters become entities, and each backslash is doubled: Graphviz
    expands its escapes (backslash N, G, E, ...) even inside HTML labels, and
    reads a doubled backslash as one.  Square brackets are written as
    character references: Graphviz's HTML lexer rejects a label that is
    nothing but ``]``.

    >>> label_text("<b> " + chr(92) + "N") == "&lt;b&gt; " + 2 * chr(92) + "N"
    True
    >>> label_text("[x]")
    '&#91;x&#93;'
    """
    return html.escape(text).replace(chr(92), 2 * chr(92)).replace("[", "&#91;").replace("]", "&#93;")


def _caption(title: str | None, pick: _SamplePicker | None) -> str:
    lines = [] if title is None else [label_text(title)]
    if pick is not None and pick.batch:
        lines.append(f"sample {pick.row} of a batch of {pick.batch}; ∂L/∂λ is the batch mean")
    return f"<{'<BR/>'.join(lines)}>" if lines else ""


def _edge_statement(source: str, target: str, attributes: dict[str, str]) -> str:
    # Digraph.edge would read a ':' in a node name as a port; quote the names whole instead.
    return f"\t{quote(source)} -> {quote(target)}{attr_list(attributes=attributes)}\n"


def _rank_kind(rank: int, last: int) -> str:
    if rank == 0:
        return "min"
    return "max" if rank == last else "same"


def _row(text: str, *, bold: bool = False, size: int | None = None) -> str:
    content = f"<B>{text}</B>" if bold else text
    if size is not None:
        content = f'<FONT POINT-SIZE="{size}">{content}</FONT>'
    return f"<TR><TD>{content}</TD></TR>"


def _formatter(precision: int, decimals: int | None) -> Callable[[Any], str]:
    """How numbers are written: ``precision`` significant digits, or ``decimals`` decimals."""
    if decimals is None:
        return lambda value: format_value(value, digits=precision)
    return lambda value: format_value(value, digits=decimals, fixed=True)


def _value_row(symbol: str, value: Any, fmt: Callable[[Any], str]) -> str:
    return _row(f"{label_text(symbol)} = {fmt(value)}")


def _node_label(node: Node, show: str, fmt: Callable[[Any], str], pick: _SamplePicker, current: bool) -> str:
    name = label_text(node.name)
    rows = [_row(name, bold=True) + _row(label_text(node.activation), size=8)]
    values: list[tuple[str, Any]] = []
    if show != "structure" and node.bias is not None:
        values.append((node.bias_symbol, node.bias))
    if current and show in ("all", "forward"):
        if node.kind != "input":
            values.append((signal_symbol(node.name, pre=True), node.pre))
        values.append((node.name, node.post))
    if current and show in ("all", "gradients"):
        values.append((derivative_symbol(node.name), node.grad_post))
        if node.kind != "input":
            values.append((derivative_symbol(signal_symbol(node.name, pre=True)), node.grad_pre))
    rows += [_value_row(symbol, pick(value), fmt) for symbol, value in values if value is not None]
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def _connection_label(conn: Connection, show: str, fmt: Callable[[Any], str], current: bool) -> str:
    symbol = label_text(conn.symbol)
    if show == "structure":
        return f"<{symbol}>"
    rows = [_value_row(conn.symbol, conn.weight, fmt)]
    if current and show != "forward" and conn.grad_weight is not None:
        rows.append(_value_row(derivative_symbol("λ"), conn.grad_weight, fmt))
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{"".join(rows)}</TABLE>>'


def _weight_colour(weight: float) -> str:
    if weight > 0:
        return POSITIVE
    return NEGATIVE if weight < 0 else ZERO


def _pen_width(weight: float, largest: float) -> float:
    if largest == 0 or not math.isfinite(largest):
        return MIN_PEN
    return MIN_PEN + (MAX_PEN - MIN_PEN) * abs(weight) / largest
