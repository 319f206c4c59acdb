"""Annotated diagrams: DOT labels, ranks, colours and the files drawn by Graphviz."""

import html
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given

import nodenet
from nodenet.render import MAX_PEN, MIN_PEN, NEGATIVE, POSITIVE, ZERO, node_ranks, notebook_svg, to_dot
from nodenet.testing import networks

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed (apt-get install graphviz)")

X = [0.5, 0.2, 0.7]
Y = [0.3]


def chapter(computed=True):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    if computed:
        net.forward(X)
        net.backward(Y)
    return net


def label_rows(label):
    """The text rows of an HTML-like label, as {symbol: value text} plus the plain rows."""
    rows = [row.strip() for row in re.split(r"<[^>]*>", label) if row.strip()]
    values = dict(row.split(" = ") for row in rows if " = " in row)
    return rows, values


def parse(source):
    """Nodes {name: (label, attrs)}, edges {(s, t): attrs} and rank blocks [(kind, [names])] of DOT text.

    Node identifiers are opaque (``n0``, ``n1``, ...); a node's name is the first (bold) row of its label.
    """
    nodes, edges, ranks, names = {}, {}, [], {}
    for line in source.splitlines():
        if line.strip().startswith("rank="):
            ranks.append((line.strip()[5:], []))
        edge = re.match(r'^\t+(n\d+) -> (n\d+) \[(.*)\]$', line)
        node = re.match(r'^\t+(n\d+) \[label=<(.*)> fillcolor="([^"]+)"\]$', line)
        if edge:
            attrs = dict(re.findall(r'(\w+)=("[^"]*"|<.*?>(?= \w+=|$)|\S+)', edge.group(3)))
            if attrs.get("style") != "invis":
                edges[(names[edge.group(1)], names[edge.group(2)])] = attrs
        elif node:
            name = html.unescape(label_rows(node.group(2))[0][0])
            names[node.group(1)] = name
            nodes[name] = (node.group(2), node.group(3))
            ranks[-1][1].append(name)
    return nodes, edges, ranks


def test_every_node_label_carries_its_signals_and_derivatives():
    net = chapter()
    nodes, _, _ = parse(to_dot(net, precision=6).source)
    assert set(nodes) == {"I1", "I2", "I3", "H4", "H5", "O6"}
    for name in ("H4", "H5", "O6"):
        node = net[name]
        rows, values = label_rows(nodes[name][0])
        assert rows[:2] == [name, node.activation]
        number_of = name[1:]
        assert float(values[f"b{number_of}"]) == pytest.approx(node.bias, rel=1e-5)
        assert float(values[f"{name}_in"]) == pytest.approx(node.pre, rel=1e-5)
        assert float(values[name]) == pytest.approx(node.post, rel=1e-5)
        assert float(values[f"∂L/∂{name}"]) == pytest.approx(node.grad_post, rel=1e-5)
        assert float(values[f"∂L/∂{name}_in"]) == pytest.approx(node.grad_pre, rel=1e-5)
    rows, values = label_rows(nodes["I1"][0])
    assert rows == ["I1", "identity", "I1 = 0.5", f"∂L/∂I1 = {net['I1'].grad_post:.6g}"]


def test_chapter_numbers_at_two_significant_digits():
    nodes, edges, _ = parse(to_dot(chapter()).source)
    assert label_rows(nodes["H4"][0])[1] == {
        "b4": "0.071", "H4_in": "0.43", "H4": "0.61", "∂L/∂H4": "-0.031", "∂L/∂H4_in": "-0.0074",
    }
    assert label_rows(nodes["O6"][0])[1]["∂L/∂O6"] == "-0.2"
    assert label_rows(edges[("I1", "H4")]["label"])[1] == {"λ1,4": "0.32", "∂L/∂λ": "-0.0037"}


def test_every_connection_label_carries_weight_and_gradient():
    net = chapter()
    _, edges, _ = parse(to_dot(net, precision=6).source)
    assert len(edges) == len(net.connections) == 8
    for conn in net.connections:
        _, values = label_rows(edges[(conn.source.name, conn.target.name)]["label"])
        assert float(values[conn.symbol]) == pytest.approx(conn.weight, rel=1e-5)
        assert float(values["∂L/∂λ"]) == pytest.approx(conn.grad_weight, rel=1e-5)


def test_hand_named_nodes_use_arrow_symbols_and_are_quoted_and_escaped():
    net = nodenet.Network()
    net.add_input("a:b")
    net.add_output("<out> & co")
    net.connect("a:b", "<out> & co", weight=0.5)
    source = to_dot(net).source
    assert "\tn0 -> n1 [" in source and '"a:b"' not in source and "<out>" not in source  # names are labels only
    assert "λ(a:b→&lt;out&gt; &amp; co) = 0.5" in source
    assert "<B>&lt;out&gt; &amp; co</B>" in source


@pytest.mark.parametrize(
    ("show", "present", "absent"),
    [
        ("structure", ["label=<λ1,4>", "<B>H4</B>"], [" = "]),
        ("forward", ["H4_in = ", "b4 = ", "λ1,4 = "], ["∂L/∂"]),
        ("gradients", ["∂L/∂H4_in = ", "∂L/∂λ = ", "b4 = "], ["<TD>H4_in = ", "<TD>H4 = "]),
        ("all", ["H4_in = ", "∂L/∂H4_in = ", "∂L/∂λ = "], []),
    ],
)
def test_show_selects_the_annotations(show, present, absent):
    source = to_dot(chapter(), show=show).source
    for text in present:
        assert text in source
    for text in absent:
        assert text not in source


def test_uncomputed_caches_are_left_out_not_shown_as_none():
    nodes, edges, _ = parse(to_dot(chapter(computed=False)).source)
    assert label_rows(nodes["H4"][0])[0] == ["H4", "sigmoid", "b4 = 0.071"]
    assert list(label_rows(edges[("H4", "O6")]["label"])[1]) == ["λ4,6"]
    assert "None" not in to_dot(chapter(computed=False)).source


def test_batch_shows_the_chosen_sample_and_says_so():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    batch = np.array([X, [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    net.forward(batch)
    net.backward([[0.3], [0.0], [1.0]])
    source = to_dot(net, sample=1, precision=6).source
    nodes, edges, _ = parse(source)
    values = label_rows(nodes["H5"][0])[1]
    assert float(values["H5"]) == pytest.approx(net["H5"].post[1], rel=1e-5)
    assert float(values["∂L/∂H5_in"]) == pytest.approx(net["H5"].grad_pre[1], rel=1e-5)
    assert label_rows(nodes["I2"][0])[1]["I2"] == "1"
    assert float(label_rows(edges[("I1", "H4")]["label"])[1]["∂L/∂λ"]) == pytest.approx(
        net.connection("I1", "H4").grad_weight, rel=1e-5
    )
    assert "sample 1 of a batch of 3; ∂L/∂λ is the batch mean" in source
    assert "sample" not in to_dot(net, show="structure").source
    assert 'label=<epoch &lt;5&gt;<BR/>sample 0 of a batch of 3' in to_dot(net, title="epoch <5>").source
    assert label_rows(parse(to_dot(net, sample=-1).source)[0]["I3"][0])[1]["I3"] == "1"


def test_ranks_of_a_skip_connection_dag():
    net = nodenet.Network()
    net.add_input("x1")
    net.add_input("x2")
    for name in ("a", "b", "c"):
        net.add_node(name)
    net.add_output("early")
    net.add_output("y")
    for source, target in [("x1", "a"), ("a", "b"), ("b", "c"), ("c", "y"), ("x1", "y"), ("x2", "b"),
                           ("x2", "early"), ("early", "c")]:
        net.connect(source, target, weight=1.0)
    assert node_ranks(net) == {"x1": 0, "x2": 0, "a": 1, "b": 2, "early": 1, "c": 3, "y": 4}
    _, edges, ranks = parse(to_dot(net).source)
    assert ranks == [("min", ["x1", "x2"]), ("same", ["a", "early"]), ("same", ["b"]), ("same", ["c"]), ("max", ["y"])]
    assert len(edges) == 8


def test_outputs_that_feed_nothing_share_the_last_rank():
    net = nodenet.Network()
    net.add_input("x")
    net.add_node("h")
    net.add_output("short")
    net.add_output("long")
    for source, target in [("x", "short"), ("x", "h"), ("h", "long")]:
        net.connect(source, target)
    assert node_ranks(net) == {"x": 0, "h": 1, "short": 2, "long": 2}


@given(networks(max_hidden=5))
def test_every_connection_points_to_a_higher_rank(net):
    ranks = node_ranks(net)
    assert all(ranks[c.source.name] < ranks[c.target.name] for c in net.connections)
    assert {ranks[n.name] for n in net.inputs} == {0}
    last = max(ranks.values())
    assert all(ranks[n.name] == last for n in net.outputs if not n.outgoing)
    _, edges, blocks = parse(to_dot(net, show="structure").source)
    assert len(edges) == len(net.connections)
    assert sorted(name for _, names in blocks for name in names) == sorted(ranks)


def test_colour_is_the_sign_and_pen_width_the_size_of_the_weight():
    net = nodenet.Network()
    net.add_input("x")
    net.add_output("y")
    for name, weight in [("p", 2.0), ("q", 1.0), ("r", -2.0), ("s", -0.5), ("z", 0.0)]:
        net.add_node(name)
        net.connect("x", name, weight=weight)
        net.connect(name, "y", weight=weight)
    _, edges, _ = parse(to_dot(net).source)
    colour = {t: edges[("x", t)]["color"].strip('"') for t in "pqrsz"}
    width = {t: float(edges[("x", t)]["penwidth"]) for t in "pqrsz"}
    assert colour == {"p": POSITIVE, "q": POSITIVE, "r": NEGATIVE, "s": NEGATIVE, "z": ZERO}
    assert width["p"] == width["r"] == MAX_PEN
    assert width["z"] == MIN_PEN
    assert width["p"] > width["q"] > width["s"] > width["z"]
    assert width["q"] == pytest.approx(MIN_PEN + (MAX_PEN - MIN_PEN) / 2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"show": "everything"}, "show must be one of 'all', 'structure', 'forward', 'gradients'; got 'everything'."),
        ({"precision": 0}, "The precision (significant digits) must be an int from 1 to 17; got 0."),
        ({"sample": 1}, "sample=1 needs a batch, but the caches hold one sample; use sample=0."),
        ({"sample": 1.5}, "The sample (a row of the batch) must be an int; got 1.5."),
    ],
)
def test_bad_options_are_rejected_early(options, message):
    with pytest.raises(nodenet.InvalidArgument) as err:
        to_dot(chapter(), **options)
    assert str(err.value) == message


def test_sample_outside_the_batch():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward(np.zeros((2, 3)))
    with pytest.raises(nodenet.InvalidArgument, match=r"sample=2 is outside the batch of 2 samples; use 0 to 1\."):
        to_dot(net, sample=2)


def test_unknown_file_format(tmp_path):
    with pytest.raises(nodenet.InvalidArgument, match=r"the formats are png, svg, pdf, dot; name the file like"):
        chapter().render(tmp_path / "net.jpg")
    with pytest.raises(nodenet.InvalidArgument, match=r"Cannot draw format='gif'"):
        chapter().render(tmp_path / "net.png", format="gif")


def test_missing_dot_program_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    net = chapter()
    with pytest.raises(nodenet.GraphvizNotFound, match=r"apt-get install graphviz") as err:
        net.render(tmp_path / "net.png")
    assert "PNG" in str(err.value) and "to_dot(net).source" in str(err.value)
    assert not (tmp_path / "net.png").exists()
    assert "H4_in = 0.43" in to_dot(net).source
    assert net.render(tmp_path / "net.dot").read_text().startswith("digraph network {")
    assert net.render(tmp_path / "net.gv").read_text() == to_dot(net).source
    assert notebook_svg(net) is None and net._repr_svg_() is None
    assert net._repr_mimebundle_() == {"text/plain": repr(net)}


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


@pytest.mark.dot
@needs_dot
@pytest.mark.parametrize("kind", ["png", "svg", "pdf"])
def test_real_files_are_drawn(tmp_path, kind):
    path = chapter().render(tmp_path / f"net.{kind}", title="epoch 0")
    data = path.read_bytes()
    assert data.startswith(MAGIC[kind]) and len(data) > 1000
    forced = nodenet.render(chapter(), tmp_path / "picture", format=kind)
    assert forced.read_bytes().startswith(MAGIC[kind])


@pytest.mark.dot
@needs_dot
def test_notebook_display_is_the_annotated_svg():
    net = chapter()
    svg = net._repr_svg_()
    assert svg.startswith("<svg") and "H4_in = 0.43" in svg
    bundle = net._repr_mimebundle_()
    assert bundle["image/svg+xml"] == svg and bundle["text/plain"] == repr(net)


@pytest.mark.dot
@needs_dot
def test_layout_reads_left_to_right_by_rank():
    net = nodenet.Network()
    net.add_input("x")
    for name in ("a", "b", "c"):
        net.add_node(name)
    net.add_output("y")
    for source, target in [("x", "a"), ("a", "b"), ("b", "c"), ("c", "y"), ("x", "y"), ("x", "c"), ("a", "y")]:
        net.connect(source, target, weight=0.5)
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=to_dot(net).source, capture_output=True,
                                       text=True, check=True).stdout)
    names = {f"n{position}": node.name for position, node in enumerate(net.nodes)}
    x_of = {names[obj["name"]]: float(obj["pos"].split(",")[0]) for obj in layout["objects"] if "pos" in obj}
    assert x_of["x"] < x_of["a"] < x_of["b"] < x_of["c"] < x_of["y"]


def test_signals_older_than_the_weights_or_the_structure_are_not_drawn():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    net.forward([0.5, 0.2, 0.7])
    net.backward([0.3])
    assert "H4_in = 0.43" in nodenet.to_dot(net).source
    net.connection("I1", "H4").weight -= 0.2 * net.connection("I1", "H4").grad_weight  # the chapter's update
    source = nodenet.to_dot(net).source
    assert "H4_in" not in source and "∂L/∂" not in source
    assert "b4 = 0.071" in source and "λ1,4 = 0.32" in source
    net.forward([0.5, 0.2, 0.7])
    assert "H4_in = 0.43" in nodenet.to_dot(net).source
    net.add_node("H9")
    assert "H4_in" not in nodenet.to_dot(net).source
