"""Where the lab page draws each node and connection: Graphviz's layout, or a structure view of layers.

Up to :data:`DETAIL_NODES` nodes and :data:`DETAIL_CONNECTIONS` connections
the page draws every node and connection where Graphviz's ``dot`` puts
them (one layout for the whole page, computed at export).  Larger networks
get the structure view: each column of :func:`nodenet.render.node_ranks`
is cut into runs of nodes of one kind and activation, each run is one box
with its size (``hidden · 128 × sigmoid``), and one arrow per pair of
connected boxes says how many connections it stands for.  The structure
view needs no Graphviz and takes time linear in the size of the network.

Examples
--------
>>> import nodenet
>>> view = structure_view(nodenet.Network.from_layers([784, 128, 10], seed=0))
>>> [box["label"] for box in view["boxes"]], view["links"][0]["label"]
(['input · 784', 'hidden · 128 × sigmoid', 'output · 10 × identity'], '100352 connections (784 × 128)')
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

import graphviz

from ..render import add_columns, node_ranks, pipe

if TYPE_CHECKING:
    from ..structure import NetworkStructure

__all__ = ["detailed_view", "structure_view", "structure_svg", "choose_view", "DETAIL_NODES", "DETAIL_CONNECTIONS", "LABEL_LIMIT"]

DETAIL_NODES = 64
"""Above this many nodes the page shows the structure view."""

DETAIL_CONNECTIONS = 600
"""Above this many connections the page shows the structure view."""

LABEL_LIMIT = 40
"""Up to this many connections, each is labelled with its weight; above, the weight shows on hover."""

NODE_WIDTH, NODE_HEIGHT, PICTURE = 136, 50, 44  # points (= SVG units)
BOX_WIDTH, BOX_HEIGHT, COLUMN_GAP, ROW_GAP = 190, 54, 150, 24


def choose_view(net: NetworkStructure, view: str | None) -> str:
    """``'detailed'`` or ``'structure'``: the one asked for, else by the size of the network."""
    if view is not None:
        return view
    small = len(net.nodes) <= DETAIL_NODES and len(net.connections) <= DETAIL_CONNECTIONS
    return "detailed" if small else "structure"


def detailed_view(net: NetworkStructure, *, pictures: bool) -> dict[str, Any]:
    """Node boxes and connection curves (SVG path data) from one Graphviz layout.

    >>> import nodenet
    >>> view = detailed_view(nodenet.Network.from_layers([1, 1], seed=0), pictures=False)
    >>> len(view["nodes"]), view["connections"][0]["path"][:1]
    (2, 'M')
    """
    width = NODE_WIDTH + (PICTURE + 6 if pictures else 0)
    labelled = len(net.connections) <= LABEL_LIMIT
    dot = graphviz.Digraph("lab")
    dot.attr(rankdir="LR", ranksep="1.1" if labelled else "1.4", nodesep="0.3", splines="true")
    size = {"shape": "box", "fixedsize": "true", "width": f"{width / 72:.3f}", "height": f"{NODE_HEIGHT / 72:.3f}"}
    ids = add_columns(dot, net, lambda node: size)
    for conn in net.connections:
        # a placeholder label as wide as the weight's own, so that Graphviz leaves room for it
        label = {"label": "λ00,00 = -0.0000", "fontsize": "10"} if labelled else {}
        dot.edge(ids[conn.source], ids[conn.target], **label)
    layout = json.loads(pipe(dot, "json0"))
    height = float(layout["bb"].split(",")[3])
    flip = lambda x, y: (round(float(x), 1), round(height - float(y), 1))  # noqa: E731  (Graphviz's y grows upwards)
    objects = {item["_gvid"]: item for item in layout.get("objects", [])}
    position = {item["name"]: flip(*item["pos"].split(",")) for item in objects.values() if "pos" in item}
    nodes = [{"x": position[ids[node]][0], "y": position[ids[node]][1], "width": width, "height": NODE_HEIGHT} for node in net.nodes]
    edges = {
        (objects[edge["tail"]]["name"], objects[edge["head"]]["name"]): edge
        for edge in layout.get("edges", [])
        if edge.get("style") != "invis"
    }
    connections = []
    for conn in net.connections:
        edge = edges[ids[conn.source], ids[conn.target]]
        connections.append({"path": _path(edge["pos"], flip), "label": flip(*edge["lp"].split(",")) if "lp" in edge else None})
    return {
        "kind": "detailed",
        "width": round(float(layout["bb"].split(",")[2]), 1),
        "height": round(height, 1),
        "nodes": nodes,
        "connections": connections,
        "labels": labelled,
        "picture": PICTURE if pictures else 0,
    }


def _path(pos: str, flip: Any) -> str:
    """SVG path data of a Graphviz spline ``"e,x,y x0,y0 x1,y1 ..."`` (cubic Bézier pieces, then the arrow's tip)."""
    end = None
    points = []
    for part in pos.split():
        fields = part.split(",")
        if fields[0] == "e":
            end = flip(fields[1], fields[2])
        elif fields[0] != "s":
            points.append(flip(fields[0], fields[1]))
    text = f"M{points[0][0]},{points[0][1]}"
    for i in range(1, len(points) - 2, 3):
        text += " C" + " ".join(f"{x},{y}" for x, y in points[i : i + 3])
    if end is not None:
        text += f" L{end[0]},{end[1]}"
    return text


def structure_view(net: NetworkStructure) -> dict[str, Any]:
    """Boxes for runs of alike nodes in each column, and one link per connected pair of boxes."""
    ranks = node_ranks(net)
    columns: dict[int, list[Any]] = {}
    for node in net.nodes:
        columns.setdefault(ranks[node.name], []).append(node)
    index = {node: i for i, node in enumerate(net.nodes)}
    boxes: list[dict[str, Any]] = []
    box_of: dict[Any, int] = {}
    for column, rank in enumerate(sorted(columns)):
        runs: list[list[Any]] = []
        for node in columns[rank]:
            if runs and (runs[-1][0].kind, runs[-1][0].activation) == (node.kind, node.activation):
                runs[-1].append(node)
            else:
                runs.append([node])
        top = 0
        for run in runs:
            first = run[0]
            kind = first.kind if first.kind == "input" else f"{first.kind} · {len(run)} × {first.activation}"
            label = f"input · {len(run)}" if first.kind == "input" else kind
            if len(run) == 1:
                label = f"{first.name} ({first.kind}, {first.activation})"
            for node in run:
                box_of[node] = len(boxes)
            boxes.append({
                "label": label, "kind": first.kind, "members": [index[node] for node in run],
                "x": 20 + column * (BOX_WIDTH + COLUMN_GAP), "y": 20 + top, "width": BOX_WIDTH, "height": BOX_HEIGHT,
            })
            top += BOX_HEIGHT + ROW_GAP
    counts: dict[tuple[int, int], int] = {}
    for conn in net.connections:
        pair = (box_of[conn.source], box_of[conn.target])
        counts[pair] = counts.get(pair, 0) + 1
    links = []
    for (a, b), count in counts.items():
        dense = count == len(boxes[a]["members"]) * len(boxes[b]["members"]) and count > 1
        shape = f" ({len(boxes[a]['members'])} × {len(boxes[b]['members'])})" if dense else ""
        links.append({"source": a, "target": b, "label": f"{count} connection{'s' if count > 1 else ''}{shape}"})
    width = max(box["x"] + box["width"] for box in boxes) + 20
    height = max(box["y"] + box["height"] for box in boxes) + 20
    return {"kind": "structure", "width": width, "height": height, "boxes": boxes, "links": links}


def structure_svg(net: NetworkStructure) -> str:
    """The structure view as a standalone SVG (no Graphviz): what a notebook shows for a large network.

    >>> import nodenet
    >>> svg = structure_svg(nodenet.Network.from_layers([784, 128, 10], seed=0))
    >>> svg.startswith("<svg"), "hidden · 128 × sigmoid" in svg
    (True, True)
    """
    view = structure_view(net)
    fill = {"input": "#e8f5e9", "hidden": "#e3f2fd", "output": "#fff3e0"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{view["width"]}" height="{view["height"] + 10}" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
        '<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>',
    ]
    for link in view["links"]:
        a, b = view["boxes"][link["source"]], view["boxes"][link["target"]]
        x1, y1, x2, y2 = a["x"] + a["width"], a["y"] + a["height"] / 2, b["x"], b["y"] + b["height"] / 2
        parts.append(f'<path d="M{x1},{y1} L{x2 - 2},{y2}" stroke="#777" stroke-width="2" fill="none" marker-end="url(#a)"/>')
        parts.append(f'<text x="{(x1 + x2) / 2}" y="{(y1 + y2) / 2 - 5}" text-anchor="middle" font-size="11" fill="#444">'
                     f'{html.escape(link["label"])}</text>')
    for box in view["boxes"]:
        parts.append(f'<rect x="{box["x"]}" y="{box["y"]}" width="{box["width"]}" height="{box["height"]}" rx="7" '
                     f'fill="{fill[box["kind"]]}" stroke="#666"/>')
        parts.append(f'<text x="{box["x"] + 8}" y="{box["y"] + 31}">{html.escape(box["label"])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
