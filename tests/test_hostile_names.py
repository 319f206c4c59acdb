"""Names are other people's data: refused when they cannot be shown, drawn literally and safely otherwise."""

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nodenet
from nodenet.errors import ArgumentTypeError, FormatError, InvalidArgument

from hardening import saved

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed (apt-get install graphviz)")

REFUSED = [
    # (id, name, error class, message fragment)
    ("empty", "", InvalidArgument, "must not be empty or blank"),
    ("blank", " \t", InvalidArgument, "must not be empty or blank"),
    ("escape sequence", "\x1b[31mred", InvalidArgument, "unprintable character '\\x1b'"),
    ("newline", "a\nb", InvalidArgument, "unprintable character '\\n'"),
    ("NUL", "a\x00", InvalidArgument, "unprintable character '\\x00'"),
    ("lone surrogate", "a\ud800", InvalidArgument, "unprintable character '\\ud800'"),
    ("zero-width space", "a\u200bb", InvalidArgument, "unprintable character '\\u200b'"),
    ("bidi override", "a\u202eb", InvalidArgument, "unprintable character '\\u202e'"),
    ("weight separator", "a->b", InvalidArgument, "contains '->'"),
    ("not a string", 7, ArgumentTypeError, "must be strings; got int 7"),
    ("bytes", b"H4", ArgumentTypeError, "must be strings; got bytes"),
]

ALLOWED = [
    '<x> evil [label="INJECTED" URL="javascript:alert(1)"] <y>',
    "<img src=x onerror=alert(1)>",
    "ends with a backslash\\",
    "a]b[c",
    '"quoted" & <tagged>',
    "a:b;c{d}e|f",
    "*bold* _it_ `code` $x$",
    "日本語 ünïcödé 🧠",
    "--",
    "\\N", "\\G", "\\E \\T \\H \\L", "two\\\\backslashes",  # Graphviz escapes, shown as written
    "$x^2$ _y",  # mathtext in matplotlib
]


@pytest.mark.parametrize(("label", "name", "error", "fragment"), REFUSED, ids=[row[0] for row in REFUSED])
@pytest.mark.parametrize("kind", ["add_input", "add_node", "add_output"])
def test_unshowable_names_are_refused_and_change_nothing(label, name, error, fragment, kind):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    before = saved(net)
    with pytest.raises(error, match=re.escape(fragment)):
        getattr(net, kind)(name)
    assert saved(net) == before and len(net) == 6


@pytest.mark.parametrize(("label", "name", "error", "fragment"), REFUSED[:9], ids=[row[0] for row in REFUSED[:9]])
def test_unshowable_names_in_a_file_are_refused_at_load(tmp_path, label, name, error, fragment):
    data = json.loads(saved(nodenet.Network.from_layers([1, 1], seed=0)))
    data["network"]["nodes"][0]["id"] = name
    data["network"]["edges"][0]["source"] = name
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    with pytest.raises(FormatError, match=re.escape(fragment)):
        nodenet.load(path)


def network_named(names):
    """An input, the names as hidden nodes, an output; every weight 0.5."""
    net = nodenet.Network()
    net.add_input("in")
    for name in names:
        net.add_node(name, activation="tanh")
        net.connect("in", name, weight=0.5)
    net.add_output("out")
    for name in names:
        net.connect(name, "out", weight=-0.25)
    return net


def svg_nodes_and_edges(svg):
    """Each node's first text line (its name) and the number of edges, read from Graphviz's SVG."""
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    names, edges = [], 0
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if group.get("class") == "node":
            texts = group.findall(".//s:text", ns)
            names.append(texts[0].text)
        elif group.get("class") == "edge":
            edges += 1
    return names, edges


@needs_dot
def test_allowed_hostile_names_are_drawn_literally_and_add_nothing(tmp_path):
    net = network_named(ALLOWED)
    net.forward([0.3]); net.backward([0.1])
    svg = nodenet.render(net, tmp_path / "net.svg").read_text()
    names, edges = svg_nodes_and_edges(svg)
    assert sorted(names) == sorted(["in", "out"] + ALLOWED)
    assert edges == 2 * len(ALLOWED)
    assert "INJECTED" not in [name for name in names if name != ALLOWED[0]]
    assert "javascript:" not in svg.replace(ALLOWED[0].replace('"', "&quot;"), "").lower() or "href" not in svg
    assert "<a " not in svg and "xlink:href" not in svg  # no clickable links at all
    for kind in ("png", "pdf"):
        assert (tmp_path / f"net.{kind}").name == nodenet.render(net, tmp_path / f"net.{kind}").name


def test_markdown_and_latex_show_names_literally():
    net = network_named(["<img src=x onerror=alert(1)>", "*bold* _it_"])
    net.forward([0.3]); net.backward([0.1])
    markdown = net.explain()._repr_markdown_()
    assert "<img" not in markdown and "&lt;img src=x onerror=alert(1)&gt;" in markdown
    assert "\\*bold\\* \\_it\\_" in markdown
    assert r"\mathrm{\lt img src=x onerror=alert(1)\gt }" in markdown  # inside the math, MathJax's \lt and \gt


@needs_dot
def lab_names(page):
    """The node names in the lab page's data, as the page's script reads them."""
    data = re.search(r'<script type="application/json" id="lab-data">(.*?)</script>', page, re.S).group(1)
    return [node["name"] for node in json.loads(data)["nodes"]]


def test_the_lab_contains_no_markup_from_a_name(tmp_path):
    names = ["<img src=x onerror=alert(1)>", '<x> evil [label="INJECTED" URL="javascript:alert(1)"] <y>', "</script><b>"]
    net = network_named(names)
    history = net.fit([[0.3], [0.6]], [[0.1], [0.2]], epochs=3, lr=0.1)
    page = nodenet.export_html(history, tmp_path / "training.html").read_text()
    assert "<img" not in page and "<x>" not in page and 'URL="' not in page and "</script><b>" not in page
    assert lab_names(page) == ["in", *names, "out"]  # every name intact in the data the page shows as text


def test_the_cli_prints_names_as_they_are(tmp_path, capsys):
    from nodenet.cli import main

    net = network_named(["<b>bold</b>"])
    path = tmp_path / "net.json"
    nodenet.save(net, path)
    assert main(["explain", str(path), "<b>bold</b>", "--input", "0.3", "--target", "0.1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("<b>bold</b> (hidden, tanh)")


printable_names = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn")), min_size=1, max_size=12
).filter(lambda name: name.strip() and name.isprintable() and "->" not in name)


@needs_dot
@settings(max_examples=25, deadline=None)
@given(st.lists(printable_names, min_size=1, max_size=4, unique=True).filter(lambda names: not {"in", "out"} & set(names)))
def test_any_printable_name_round_trips_through_dot_and_svg(names):
    net = network_named(names)
    svg = subprocess.run(["dot", "-Tsvg"], input=nodenet.to_dot(net, show="structure").source.encode(),
                         capture_output=True, check=True).stdout.decode()
    shown, edges = svg_nodes_and_edges(svg)
    # Graphviz writes the second of two spaces as a no-break space: the same text on screen
    assert sorted(name.replace("\xa0", " ") for name in shown) == sorted(["in", "out", *names])
    assert edges == 2 * len(names)


@settings(max_examples=50, deadline=None)
@given(st.lists(printable_names, min_size=1, max_size=3, unique=True).filter(lambda names: not {"in", "out"} & set(names)))
def test_any_printable_name_leaves_no_unescaped_markup_in_markdown(names):
    net = network_named(names)
    net.forward(np.array([0.3])); net.backward([0.1])
    markdown = net.explain().markdown
    assert "<" not in markdown and ">" not in markdown


@needs_dot
@settings(max_examples=8, deadline=None)
@given(st.lists(printable_names, min_size=1, max_size=2, unique=True).filter(lambda names: not {"in", "out"} & set(names)))
def test_any_printable_name_leaves_no_unescaped_markup_in_the_lab(tmp_path_factory, names):
    net = network_named(names)
    history = net.fit([[0.3]], [[0.1]], epochs=1, lr=0.1)
    page = nodenet.export_html(history, tmp_path_factory.mktemp("lab") / "training.html", epochs=[0]).read_text()
    assert lab_names(page) == ["in", *names, "out"]
    # markup from a name would add or change elements: the page has those of a page with plain names
    plain = network_named([f"n{i}" for i in range(len(names))]).fit([[0.3]], [[0.1]], epochs=1, lr=0.1)
    reference = nodenet.export_html(plain, tmp_path_factory.mktemp("lab") / "plain.html", epochs=[0]).read_text()
    assert elements(page) == elements(reference)


def elements(page):
    """The tag names of the page's elements, in document order."""
    found = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.append(tag)
    parser.feed(page)
    return found
