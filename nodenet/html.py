"""A self-contained HTML training viewer: one file, no server, no network access.

The page holds an inline SVG diagram of the network for each chosen epoch
(drawn by :func:`nodenet.to_svg`), an inline SVG loss curve and a small
inline script: a slider over the epochs swaps the diagram and moves the
marker on the loss curve.  Opening ``training.html#epoch=500`` starts at
the shown epoch nearest to epoch 500.

Examples
--------
>>> import nodenet, tempfile, pathlib
>>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
>>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=100, lr=0.2)
>>> page = nodenet.export_html(history, pathlib.Path(tempfile.mkdtemp()) / "training.html")
>>> text = page.read_text()
>>> text.count('"epoch":'), "http" in text
(50, False)
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any, Iterable, Union

import numpy as np

from .checks import as_float_array, check_finite, check_path
from .errors import ArgumentTypeError, InvalidArgument, ShapeError
from .history import History
from .plotting import log_scale_fits
from .render import to_svg

__all__ = ["export_html", "choose_epochs", "DEFAULT_FRAMES"]

DEFAULT_FRAMES = 50
"""How many recorded epochs :func:`export_html` shows by default (evenly spaced)."""

CURVE_WIDTH, CURVE_HEIGHT, MARGIN = 440, 280, 48
MAX_CURVE_POINTS = 1000


def choose_epochs(recorded: Iterable[int], epochs: Iterable[int] | None = None, *, limit: int = DEFAULT_FRAMES) -> list[int]:
    """The epochs to show: the requested ones in order, or up to ``limit`` recorded ones evenly spaced.

    The first and the last recorded epochs are always among the defaults;
    requested epochs are checked against the history when they are drawn.

    Examples
    --------
    >>> choose_epochs(range(0, 1001), limit=5)
    [0, 250, 500, 750, 1000]
    >>> choose_epochs([0, 10, 20], [20, 0, 20])
    [0, 20]
    >>> choose_epochs([], None)
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: The history recorded no epochs; fit with record_every >= 1 to record parameters.
    """
    recorded = [int(e) for e in recorded]
    if epochs is not None:
        try:
            wanted = sorted({int(e) for e in epochs})
        except (TypeError, ValueError) as err:
            raise InvalidArgument(f"epochs must be a list of recorded epoch numbers; got {epochs!r}.") from err
        if not wanted:
            raise InvalidArgument("epochs is empty; pass at least one recorded epoch, or None for evenly spaced ones.")
        return wanted
    if not recorded:
        raise InvalidArgument("The history recorded no epochs; fit with record_every >= 1 to record parameters.")
    if len(recorded) <= limit:
        return recorded
    picks = np.unique(np.round(np.linspace(0, len(recorded) - 1, limit)).astype(int))
    return [recorded[i] for i in picks]


def export_html(
    history: History,
    path: Union[str, Path],
    *,
    epochs: Iterable[int] | None = None,
    sample: tuple[Any, Any] | None = None,
) -> Path:
    """Write a self-contained HTML page that replays training with a slider.

    Parameters
    ----------
    history : History
        What :meth:`nodenet.Network.fit` returned.
    path : str or pathlib.Path
        The HTML file to write.
    epochs : iterable of int, optional
        Recorded epochs to show; default up to 50 evenly spaced ones,
        always including the first and the last.
    sample : (x, y), optional
        The sample whose signals and derivatives the diagrams show; default
        the history's watched sample.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    GraphvizNotFound
        If the Graphviz ``dot`` program, which draws the diagrams, is missing.

    Examples
    --------
    >>> import nodenet, tempfile, pathlib
    >>> net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    >>> history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=10, lr=0.2)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "training.html"
    >>> nodenet.export_html(history, out, epochs=[0, 10]).read_text().count('"epoch":')
    2
    """
    if not isinstance(history, History):
        raise ArgumentTypeError(f"export_html needs the History that fit returned; got {type(history).__name__}.")
    check_path(path, "export_html")
    x, y = _check_sample(sample, history.network)
    shown = choose_epochs(history.recorded_epochs, epochs)
    curve = _LossCurve(np.asarray(history.loss, dtype=float), max(len(history.loss), shown[-1], 1))
    target = history.sample_y if sample is None else y
    frames = []
    for epoch in shown:
        snapshot = history.network_at(epoch, x=x, y=y)
        frames.append(
            {
                "epoch": epoch,
                "details": _details(snapshot, epoch, history.loss, target),
                "svg": _inline_svg(to_svg(snapshot, title=f"epoch {epoch}", precision=3)),
                **curve.marker(epoch),
            }
        )
    path = Path(path)
    path.write_text(_page(history, frames, curve), encoding="utf-8")
    return path


def _check_sample(sample: Any, net: Any) -> tuple[Any, Any]:
    """One sample's inputs (p,) and targets (k,) or None, checked against the network."""
    if sample is None:
        return None, None
    if not isinstance(sample, (tuple, list)) or len(sample) != 2:
        raise InvalidArgument(f"sample must be an (x, y) pair of one sample's inputs and targets; got {sample!r}.")
    checked: list[np.ndarray | None] = []
    for values, nodes, what in ((sample[0], net.inputs, "inputs"), (sample[1], net.outputs, "targets")):
        if values is None:
            checked.append(None)
            continue
        array = as_float_array(values, f"The {what} of sample")
        if array.shape != (len(nodes),):
            raise ShapeError(
                f"sample must be one sample: its {what} need shape ({len(nodes)},), one value per "
                f"{'input' if what == 'inputs' else 'output'} node; got shape {array.shape}."
            )
        check_finite(array[None, :], f"The {what} of sample", [node.name for node in nodes], rows=False)
        checked.append(array)
    return checked[0], checked[1]


def _details(snapshot: Any, epoch: int, loss: np.ndarray, target: np.ndarray | None) -> str:
    outputs = snapshot.outputs
    targets = [f" (target {value:.4g})" for value in target] if target is not None else [""] * len(outputs)
    predictions = ", ".join(f"{node.name} = {float(node.post):.4g}{text}" for node, text in zip(outputs, targets))
    trained = f"training loss {loss[epoch]:.4g}" if epoch < len(loss) else "after the last update"
    return f"{trained}; prediction {predictions}"


def _inline_svg(svg: str) -> str:
    # Inline SVG in HTML needs no namespace declarations; dropping them keeps the page free of URLs.
    return re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)


class _LossCurve:
    """The loss over the epochs as inline SVG, with pixel positions for the epoch marker."""

    def __init__(self, loss: np.ndarray, last_epoch: int) -> None:
        self.loss = loss
        self.last_epoch = last_epoch
        finite = loss[np.isfinite(loss)]
        self.log = log_scale_fits(finite)
        shown = finite[finite > 0] if self.log else finite
        values = self._scale(shown) if shown.size else np.array([0.0, 1.0])
        self.low, self.high = float(values.min()), float(values.max())
        if self.high == self.low:
            self.low, self.high = self.low - 1.0, self.high + 1.0

    def _scale(self, values: np.ndarray) -> np.ndarray:
        return np.log10(values) if self.log else values

    def _x(self, epoch: float) -> float:
        return MARGIN + (CURVE_WIDTH - 1.5 * MARGIN) * epoch / self.last_epoch

    def _y(self, value: float) -> float:
        if self.log and value <= 0:  # an exact 0 sits at the bottom of a log axis
            return CURVE_HEIGHT - MARGIN
        scaled = float(self._scale(np.array([value]))[0])
        return CURVE_HEIGHT - MARGIN - (CURVE_HEIGHT - 1.5 * MARGIN) * (scaled - self.low) / (self.high - self.low)

    def marker(self, epoch: int) -> dict[str, float]:
        """Pixel position of the marker for ``epoch`` (the last loss after the last update)."""
        if not len(self.loss):
            return {"x": round(self._x(epoch), 2), "y": float(CURVE_HEIGHT - MARGIN)}
        value = self.loss[min(epoch, len(self.loss) - 1)]
        y = self._y(value) if math.isfinite(value) else CURVE_HEIGHT - MARGIN
        return {"x": round(self._x(epoch), 2), "y": round(y, 2)}

    def svg(self) -> str:
        """The curve, its axes and labels; the marker elements have ids for the script."""
        indices = np.unique(np.linspace(0, len(self.loss) - 1, min(len(self.loss), MAX_CURVE_POINTS)).astype(int))
        points = " ".join(
            f"{self._x(i):.1f},{self._y(self.loss[i]):.1f}" for i in indices if math.isfinite(self.loss[i])
        )
        bottom, left, right = CURVE_HEIGHT - MARGIN, MARGIN, CURVE_WIDTH - MARGIN / 2
        top_label = 10**self.high if self.log else self.high
        low_label = 10**self.low if self.log else self.low
        scale = " (log scale)" if self.log else ""
        size = f'width="{CURVE_WIDTH}" height="{CURVE_HEIGHT}" viewBox="0 0 {CURVE_WIDTH} {CURVE_HEIGHT}"'
        return f"""<svg id="loss-curve" {size} role="img" aria-label="training loss over the epochs">
<text x="{CURVE_WIDTH / 2}" y="16" text-anchor="middle" class="title">training loss{scale}</text>
<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>
<line x1="{left}" y1="{MARGIN / 2}" x2="{left}" y2="{bottom}" class="axis"/>
<text x="{left}" y="{bottom + 16}" text-anchor="middle">0</text>
<text x="{self._x(self.last_epoch):.1f}" y="{bottom + 16}" text-anchor="middle">{self.last_epoch}</text>
<text x="{CURVE_WIDTH / 2}" y="{bottom + 34}" text-anchor="middle">epoch</text>
<text x="{left - 4}" y="{MARGIN / 2 + 4}" text-anchor="end">{top_label:.2g}</text>
<text x="{left - 4}" y="{bottom}" text-anchor="end">{low_label:.2g}</text>
<polyline points="{points}" class="loss"/>
<line id="epoch-marker" x1="0" y1="{MARGIN / 2}" x2="0" y2="{bottom}" class="marker"/>
<circle id="epoch-dot" cx="0" cy="0" r="4" class="dot"/>
</svg>"""


def _page(history: History, frames: list[dict[str, Any]], curve: _LossCurve) -> str:
    data = json.dumps(frames).replace("</", "<\\/")
    title = html.escape(f"nodenet training viewer: {history.network!r}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.2em; color: #222; }}
h1 {{ font-size: 1.2em; }}
#controls {{ display: flex; align-items: center; gap: 1em; margin-bottom: 0.6em; }}
#epoch-slider {{ width: 28em; }}
#panes {{ display: flex; align-items: flex-start; gap: 1.5em; }}
#diagram {{ flex: 1 1 auto; min-width: 0; }}
#diagram svg {{ width: 100%; height: auto; max-height: 85vh; }}
#curve {{ flex: 0 0 auto; }}
#loss-curve text {{ font-size: 11px; fill: #444; }}
#loss-curve .title {{ font-size: 13px; fill: #222; }}
#loss-curve .axis {{ stroke: #888; }}
#loss-curve .loss {{ fill: none; stroke: #1f5fbf; stroke-width: 1.5; }}
#loss-curve .marker {{ stroke: #c62828; stroke-dasharray: 4 3; }}
#loss-curve .dot {{ fill: #c62828; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div id="controls">
<label for="epoch-slider">epoch <strong id="epoch">{frames[0]["epoch"]}</strong></label>
<input type="range" id="epoch-slider" min="0" max="{len(frames) - 1}" step="1" value="0">
<span id="details"></span>
</div>
<div id="panes">
<div id="diagram"></div>
<div id="curve">{curve.svg()}</div>
</div>
<script>
"use strict";
const frames = {data};
const slider = document.getElementById("epoch-slider");
function show(index) {{
  const frame = frames[index];
  slider.value = String(index);
  document.getElementById("epoch").textContent = String(frame.epoch);
  document.getElementById("details").textContent = frame.details;
  document.getElementById("diagram").innerHTML = frame.svg;
  const marker = document.getElementById("epoch-marker");
  marker.setAttribute("x1", frame.x);
  marker.setAttribute("x2", frame.x);
  const dot = document.getElementById("epoch-dot");
  dot.setAttribute("cx", frame.x);
  dot.setAttribute("cy", frame.y);
}}
function indexFromHash() {{
  const match = /epoch=(\\d+)/.exec(window.location.hash);
  if (!match) return 0;
  const wanted = Number(match[1]);
  let best = 0;
  frames.forEach((frame, i) => {{
    if (Math.abs(frame.epoch - wanted) < Math.abs(frames[best].epoch - wanted)) best = i;
  }});
  return best;
}}
slider.addEventListener("input", () => show(Number(slider.value)));
window.addEventListener("hashchange", () => show(indexFromHash()));
show(indexFromHash());
</script>
</body>
</html>
"""
