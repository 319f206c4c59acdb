"""Write lab pages: open them in a browser, step through backprop node by node, edit a weight.

Four runs a learner meets:

- ``chapter.html``: the chapter's 3-2-1 network on its one sample, 1000 epochs;
- ``classifier.html``: a 2-4-4-1 network learning two interleaved half-moons,
  with a picture of what every node computes over the input plane;
- ``wine.html``: the 13-8-3 softmax network of ``classification.py`` (needs
  scikit-learn for the data), 200 epochs;
- ``dag.html``: a 40-node network with skip connections past every layer.

Run it with ``python examples/lab.py [folder]`` (default ``nodenet-lab``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import nodenet


def chapter() -> tuple[nodenet.History, dict, str]:
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    history = net.fit([[0.5, 0.2, 0.7]], [[0.3]], epochs=1000, lr=0.2, progress=False)
    return history, {}, "#epoch=0&step=backward:H4"


def moons(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles with a little noise: rows (x1, x2) and targets 0 or 1."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(angle), 1 - np.cos(angle))
    y = np.where(upper, np.sin(angle), 0.5 - np.sin(angle))
    X = np.column_stack([x, y]) + rng.normal(0, 0.08, (n, 2))
    return X, upper.astype(float)[:, None]


def classifier() -> tuple[nodenet.History, dict, str]:
    X, Y = moons()
    net = nodenet.Network.from_layers([2, 4, 4, 1], hidden="tanh", output="sigmoid", seed=2)
    history = net.fit(X, Y, epochs=400, optimizer=nodenet.Adam(lr=0.05), progress=False)  # L2 loss on a 0/1 target
    return history, {"data": (X, Y)}, "#step=forward:O11"


def wine() -> tuple[nodenet.History, dict, str]:
    from sklearn.datasets import load_wine

    data = load_wine()
    X_train, X_test, y_train, y_test = nodenet.train_test_split(data.data, data.target, test_size=0.3, seed=0)
    scaler = nodenet.MinMaxScaler(feature_range=(-1, 1)).fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    Y_train, Y_test = nodenet.one_hot(y_train), nodenet.one_hot(y_test, categories=np.unique(y_train))
    net = nodenet.Network.from_layers([13, 8, 3], hidden="tanh", output="softmax", seed=0)
    history = net.fit(X_train, Y_train, epochs=200, optimizer=nodenet.Adam(lr=0.01), batch_size=16, loss="cross_entropy",
                      validation=(X_test, Y_test), seed=0, progress=False)
    return history, {"data": (X_train, Y_train)}, "#epoch=200&step=backward:H14"


def dag() -> tuple[nodenet.History, dict, str]:
    widths = [4, 10, 10, 10, 4, 2]
    net = nodenet.Network.from_layers(widths, hidden="tanh", output="identity", seed=5)
    ends = np.cumsum(widths)
    layers = [net.nodes[end - width : end] for end, width in zip(ends, widths)]  # from_layers adds them layer by layer
    rng = np.random.default_rng(5)
    for layer in range(len(layers) - 2):  # a skip connection from every layer past the next one
        for source in layers[layer][:2]:
            target = layers[layer + 2][int(rng.integers(len(layers[layer + 2])))]
            net.connect(source.name, target.name, weight=float(rng.normal(0, 0.3)))
    X = rng.uniform(-1, 1, (64, 4))
    Y = np.column_stack([X[:, 0] * X[:, 1], np.sin(X[:, 2] + X[:, 3])])
    history = net.fit(X, Y, epochs=100, lr=0.05, batch_size=16, seed=0, progress=False)
    return history, {"data": (X, Y)}, "#step=forward:H25"


def build_labs(*, with_wine: bool = True) -> dict[str, tuple[nodenet.History, dict, str]]:
    """Each lab's training run, its export options and a fragment that opens an interesting moment."""
    labs: dict[str, Any] = {"chapter": chapter(), "classifier": classifier(), "dag": dag()}
    if with_wine:
        labs["wine"] = wine()
    return labs


def main(folder: str = "nodenet-lab") -> dict[str, Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    try:
        import sklearn  # noqa: F401
        with_wine = True
    except ImportError:
        with_wine = False
        print("skipped wine.html: it needs scikit-learn for the data (pip install scikit-learn)")
    pages = {}
    for name, (history, options, fragment) in build_labs(with_wine=with_wine).items():
        start = time.perf_counter()
        pages[name] = nodenet.export_html(history, out / f"{name}.html", **options)
        size = pages[name].stat().st_size / 1e6
        print(f"wrote {pages[name]} ({size:.2f} MB in {time.perf_counter() - start:.2f} s); open it at {fragment}")
    return pages


if __name__ == "__main__":
    main(*sys.argv[1:2])
