"""The lab page's numbers and file, without a browser: exact parameters, sizes, views, errors."""

import json
import re

import numpy as np
import pytest

import nodenet
from nodenet.lab.data import choose_epochs, decode
from nodenet.lab.layout import DETAIL_NODES, structure_view

pytestmark = pytest.mark.dot
X, Y = [[0.5, 0.2, 0.7]], [[0.3]]


@pytest.fixture(scope="module")
def history():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    return net.fit(X, Y, epochs=200, lr=0.2, record_every=2, progress=False)


def page_json(path, element):
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', text, re.S).group(1))


def test_the_page_is_one_self_contained_file(history, tmp_path):
    text = nodenet.export_html(history, tmp_path / "lab.html").read_text(encoding="utf-8")
    assert not re.search(r"\b(src|href)\s*=", text)
    assert "<script src" not in text and "<link" not in text
    assert re.findall(r"https?://[^\"' ]+", text) == ["http://www.w3.org/2000/svg"]  # a namespace name, never fetched
    assert "Content-Security-Policy\" content=\"default-src 'none';" in text


def test_every_recorded_epoch_is_held_exactly(history, tmp_path):
    data = page_json(nodenet.export_html(history, tmp_path / "lab.html"), "lab-data")
    assert [frame["epoch"] for frame in data["frames"]] == history.recorded_epochs.tolist()
    for frame, row in zip(data["frames"], history.parameters):
        assert decode(frame["parameters"]).tolist() == row.tolist()  # bit for bit
    assert data["frames"][3]["lr"] == 0.2 and data["frames"][-1]["lr"] is None
    assert data["curves"]["loss"] == history.loss.tolist() and data["samples"] == {"x": [X[0]], "y": [Y[0]]}


def test_chosen_epochs_and_sample(history, tmp_path):
    data = page_json(nodenet.export_html(history, tmp_path / "two.html", epochs=[200, 0], sample=([1.0, 0.0, 0.0], [0.5])), "lab-data")
    assert [frame["epoch"] for frame in data["frames"]] == [0, 200]
    assert data["samples"] == {"x": [[1.0, 0.0, 0.0]], "y": [[0.5]]}
    data = page_json(nodenet.export_html(history, tmp_path / "none.html", sample=([0.3, 0.4, 0.5], None)), "lab-data")
    assert data["samples"]["y"] == [None]  # a missing target is not invented


def test_an_unrecorded_epoch_names_the_nearest(history, tmp_path):
    with pytest.raises(nodenet.InvalidArgument, match=r"Epoch 7 was not recorded; the nearest recorded epochs are 6 and 8"):
        nodenet.export_html(history, tmp_path / "bad.html", epochs=[0, 7])
    assert not (tmp_path / "bad.html").exists()


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"epochs": []}, nodenet.InvalidArgument, "epochs is empty; pass at least one recorded epoch, or None for evenly spaced ones."),
        ({"epochs": ["a"]}, nodenet.InvalidArgument, "epochs must be a list of recorded epoch numbers (ints); got ['a']."),
        ({"epochs": [1.5]}, nodenet.InvalidArgument, "epochs must be a list of recorded epoch numbers (ints); got [1.5]."),
        ({"epochs": "0"}, nodenet.InvalidArgument, "epochs must be a list of recorded epoch numbers; got '0'."),
        ({"sample": [1.0, 0.0, 0.0]}, nodenet.InvalidArgument, "sample must be an (x, y) pair of one sample's inputs and targets; got [1.0, 0.0, 0.0]."),
        ({"sample": ([[1.0, 0.0, 0.0]], [1.0])}, nodenet.ShapeError, "sample must be one sample: its inputs need shape (3,), one value per input node; got shape (1, 3)."),
        ({"data": np.ones((2, 3))}, nodenet.InvalidArgument, "data must be a pair (X, Y) of training rows and their targets; got ndarray."),
        ({"view": "tree"}, nodenet.InvalidArgument, "view must be one of detailed, structure (or None to choose by size); got 'tree'."),
    ],
)
def test_bad_options(history, tmp_path, options, error, message):
    with pytest.raises(error) as err:
        nodenet.export_html(history, tmp_path / "bad.html", **options)
    assert str(err.value) == message
    assert not (tmp_path / "bad.html").exists()


def test_not_a_history():
    with pytest.raises(nodenet.ArgumentTypeError, match="The lab needs the History that fit returned; got Network"):
        nodenet.Lab(nodenet.Network.from_layers([1, 1], seed=0))


def test_choose_epochs_keeps_first_and_last():
    assert choose_epochs(list(range(0, 1001, 7)) + [1001], limit=4) == [0, 336, 665, 1001]
    assert choose_epochs([0, 1, 2]) == [0, 1, 2]


def test_the_wine_sized_network_stays_small_and_detailed(tmp_path):
    net = nodenet.Network.from_layers([13, 8, 3], hidden="tanh", output="softmax", seed=0)
    rng = np.random.default_rng(0)
    X13 = rng.uniform(-1, 1, (120, 13))
    Y3 = np.eye(3)[rng.integers(0, 3, 120)]
    history = net.fit(X13, Y3, epochs=200, optimizer=nodenet.Adam(lr=0.01), batch_size=16, loss="cross_entropy", progress=False)
    page = nodenet.export_html(history, tmp_path / "wine.html", data=(X13, Y3))
    assert page.stat().st_size < 2_000_000
    data = page_json(page, "lab-data")
    assert len(data["frames"]) == 201 and data["pictures"] is None and data["batchRows"] == 16
    assert decode(data["frames"][7]["state"]["first"]).tolist() == history.optimizer_state(7)["first"].tolist()
    assert page_json(page, "lab-view")["kind"] == "detailed"


def test_a_large_network_gets_the_structure_view_and_few_epochs(tmp_path):
    net = nodenet.Network.from_layers([784, 128, 10], seed=0)
    history = net.fit(np.zeros((2, 784)), np.zeros((2, 10)), epochs=3, lr=0.1, progress=False)
    assert len(net.nodes) > DETAIL_NODES
    page = nodenet.export_html(history, tmp_path / "big.html")
    view, data = page_json(page, "lab-view"), page_json(page, "lab-data")
    assert view["kind"] == "structure" and [box["label"] for box in view["boxes"]] == [
        "input · 784", "hidden · 128 × sigmoid", "output · 10 × identity"]
    assert [frame["epoch"] for frame in data["frames"]] == [0, 3]  # 2 × 101,770 values fit the budget, 3 would not
    assert page.stat().st_size < 4_000_000


def test_structure_view_splits_columns_into_runs_and_counts_links():
    net = nodenet.Network()
    for name in ("x1", "x2"):
        net.add_input(name)
    net.add_node("a", activation="tanh")
    net.add_node("b", activation="relu")
    net.add_output("y")
    for source, target in [("x1", "a"), ("x2", "a"), ("x1", "b"), ("a", "y"), ("b", "y"), ("x2", "y")]:
        net.connect(source, target)
    view = structure_view(net)
    assert [box["label"] for box in view["boxes"]] == ["input · 2", "a (hidden, tanh)", "b (hidden, relu)", "y (output, identity)"]
    assert {(link["source"], link["target"]): link["label"] for link in view["links"]} == {
        (0, 1): "2 connections (2 × 1)", (0, 2): "1 connection", (1, 3): "1 connection", (2, 3): "1 connection", (0, 3): "1 connection"}
