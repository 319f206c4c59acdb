"""The lab: one offline HTML page where a learner steps through backpropagation node by node.

:func:`export_html` writes it; :class:`Lab` is the same page as an object,
which a notebook shows in an isolated frame.  The page holds numbers, not
drawings: the recorded parameters of up to 50 epochs (exactly), the
samples, the loss curves and, for networks with one or two inputs, a
picture of what every node computes over the input range.  An engine
written from the textbook's formulas (:mod:`nodenet.backprop`) computes in
the page every number of the walkthrough, and computes it again when a
weight, a bias or an input is edited.  Its state is in the URL fragment,
``#epoch=500&sample=0&step=backward:H4&set=I1->H4:0.5``; ``docs/lab.md``
describes the page and the format.

The page makes no network request (its Content-Security-Policy forbids
any) and works from ``file://``.

Examples
--------
>>> import nodenet, tempfile, pathlib
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=100, lr=0.2)
>>> page = nodenet.export_html(history, pathlib.Path(tempfile.mkdtemp()) / "lab.html")
>>> text = page.read_text()
>>> "http://" in text.replace("http://www.w3.org/2000/svg", ""), "<script src" in text
(False, False)
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any, Iterable, Union

from ..checks import check_path
from ..errors import ArgumentTypeError, InvalidArgument
from ..history import History
from .data import NUMBER_BUDGET, PICTURE_FRAMES, choose_epochs, lab_data
from .layout import DETAIL_CONNECTIONS, DETAIL_NODES, choose_view, detailed_view, structure_view

__all__ = ["Lab", "export_html", "choose_epochs", "NUMBER_BUDGET", "PICTURE_FRAMES", "DETAIL_NODES", "DETAIL_CONNECTIONS", "VIEWS"]

VIEWS = ("detailed", "structure")
"""The diagrams of the page: every node and connection, or one box per layer (see :mod:`nodenet.lab.layout`)."""

SCRIPTS = ("textbook.js", "update.js", "lab.js", "drawing.js", "start.js")
HELP = (
    "Keys: ← → step node by node (forward in topological order, then backward, then the update); ↑ ↓ epoch; "
    "Home: the whole epoch; End: the update. Click a connection or a node to edit its weight, bias or input. "
    "Nodes show in = the pre-activation (H4_in), out = the post-activation (H4) and ∂L/∂in; wires are blue for "
    "positive weights, orange for negative ones, thicker for larger |λ|. The URL keeps the state: "
    "#epoch=500&sample=0&step=backward:H4&set=I1->H4:0.5 (docs/lab.md)."
)
FRAME_HEIGHT = 820


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def _json(value: Any) -> str:
    # inside <script>: no "<" may close the element early; JSON allows \u003c within strings
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).replace("<", "\\u003c")


class Lab:
    """The lab page of a training run: :meth:`save` writes it, a notebook shows it in an isolated frame.

    Parameters
    ----------
    history : History
        What :meth:`nodenet.Network.fit` returned.
    epochs : iterable of int, optional
        Recorded epochs the page holds; default every recorded epoch while
        they hold at most 300,000 parameter values in all, else evenly
        spaced ones within that (always the first and the last).
    sample : (x, y), optional
        Sample 0 of the page (``y`` may be None: then there is no backward
        pass); default the history's watched sample.
    data : (X, Y), optional
        Training rows: the page can show each of them (samples 1, 2, ...,
        up to 500), and the pictures of the outputs show them as points.
    view : {'detailed', 'structure'}, optional
        Every node and connection, or one box per layer; default detailed
        up to 64 nodes and 600 connections.

    Examples
    --------
    >>> import nodenet
    >>> net = nodenet.Network.from_layers([2, 2, 1], seed=0)
    >>> lab = nodenet.Lab(net.fit([[0.0, 1.0], [1.0, 0.0]], [[1.0], [1.0]], epochs=5, lr=0.5))
    >>> lab.view["kind"], len(lab.data["frames"]), lab.data["pictures"]["size"]
    ('detailed', 6, 28)
    >>> lab._repr_html_().startswith('<iframe sandbox="allow-scripts"')
    True
    """

    def __init__(
        self,
        history: History,
        *,
        epochs: Iterable[int] | None = None,
        sample: Any = None,
        data: Any = None,
        view: str | None = None,
    ) -> None:
        if not isinstance(history, History):
            raise ArgumentTypeError(f"The lab needs the History that fit returned; got {type(history).__name__}.")
        if view is not None and view not in VIEWS:
            raise InvalidArgument(f"view must be one of {', '.join(VIEWS)} (or None to choose by size); got {view!r}.")
        self.history = history
        kind = choose_view(history.network, view)
        self.data = lab_data(history, epochs=epochs, sample=sample, data=data, pictures=kind == "detailed")
        net = history.network
        self.view = detailed_view(net, pictures=self.data["pictures"] is not None) if kind == "detailed" else structure_view(net)

    @property
    def html(self) -> str:
        """The whole page: one HTML file with its styles, numbers and scripts inline."""
        net = self.history.network
        title = html.escape(f"nodenet lab: {net!r}, {self.history.epochs_run} epochs")
        positive = [v for v in self.data["curves"]["loss"] if v is not None and v > 0]
        log = positive and min(positive) > 0 and max(positive) > 100 * min(positive)
        return Template(_asset("page.html")).substitute(
            title=title,
            css=_asset("lab.css"),
            log=" checked" if log else "",
            help=html.escape(HELP),
            data=_json(self.data),
            view=_json(self.view),
            script="\n".join(_asset(name) for name in SCRIPTS),
        )

    def save(self, path: Union[str, Path]) -> Path:
        """Write the page to ``path`` (UTF-8) and return it as a :class:`pathlib.Path`."""
        check_path(path, "export_html")
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        # A frame of its own: the page's styles, ids and keys never reach the notebook or another lab.
        page = html.escape(self.html, quote=True)
        return (
            f'<iframe sandbox="allow-scripts" srcdoc="{page}" title="nodenet lab" '
            f'style="width: 100%; height: {FRAME_HEIGHT}px; border: 1px solid #ccc; border-radius: 6px;"></iframe>'
        )

    def __repr__(self) -> str:
        return f"Lab({self.history!r}, {len(self.data['frames'])} epochs, {self.view['kind']} view)"


def export_html(history: History, path: Union[str, Path], **options: Any) -> Path:
    """Write the lab page of a training run: step through backprop, edit, watch it propagate.

    Parameters
    ----------
    history : History
        What :meth:`nodenet.Network.fit` returned.
    path : str or pathlib.Path
        The HTML file to write.
    **options
        ``epochs``, ``sample``, ``data`` and ``view``, as for :class:`Lab`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    GraphvizNotFound
        If the Graphviz ``dot`` program, which lays out the detailed diagram, is missing
        (``view="structure"`` needs none).

    Examples
    --------
    >>> import nodenet, tempfile, pathlib
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=10, lr=0.2)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "lab.html"
    >>> nodenet.export_html(history, out, epochs=[0, 10]).read_text().count('"epoch":')
    2
    """
    return Lab(history, **options).save(path)
