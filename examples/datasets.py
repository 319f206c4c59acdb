"""Draw nodenet's toy data sets into one picture (docs/datasets.png) and fit each with an estimator.

Run it with ``python examples/datasets.py [picture.png]`` (needs matplotlib and scikit-learn).
"""

from __future__ import annotations

import sys

import numpy as np
from matplotlib.figure import Figure

from nodenet import datasets
from nodenet.sklearn import NodenetClassifier, NodenetRegressor

SETS = {
    "xor": (datasets.xor, "classification"),
    "circles": (datasets.circles, "classification"),
    "spiral": (datasets.spiral, "classification"),
    "gaussians (3 classes)": (lambda seed: datasets.gaussians(classes=3, seed=seed), "classification"),
    "sine": (datasets.sine, "regression"),
    "plane": (datasets.plane, "regression"),
}


def main(path: str = "docs/datasets.png") -> dict[str, float]:
    figure = Figure(figsize=(12, 7.5), layout="constrained")
    scores = {}
    for axes, (name, (make, kind)) in zip(figure.subplots(2, 3).ravel(), SETS.items()):
        X, y = make(seed=0)
        model = NodenetClassifier((16,), epochs=300, lr=0.02, random_state=0) if kind == "classification" else (
            NodenetRegressor((16,), epochs=300, lr=0.02, random_state=0))
        scores[name] = model.fit(X, y).score(X, y)
        if X.shape[1] == 1:
            order = np.argsort(X[:, 0])
            axes.scatter(X[:, 0], y, s=10, color="#444", label="rows")
            axes.plot(X[order, 0], model.predict(X[order]), color="#1f5fbf", label="NodenetRegressor")
            axes.legend(loc="upper left", fontsize=8)
        elif kind == "regression":
            axes.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap="coolwarm")
        else:
            grid = np.linspace(X.min() - 0.2, X.max() + 0.2, 120)
            gx, gy = np.meshgrid(grid, grid)
            picture = model.predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
            levels = np.arange(len(model.classes_) + 1) - 0.5  # one colour per class, as the dots
            axes.contourf(gx, gy, picture, levels=levels, alpha=0.25, cmap="tab10", vmin=0, vmax=9)
            axes.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap="tab10", vmin=0, vmax=9, edgecolors="white", linewidths=0.4)
        axes.set_title(f"datasets.{name.split(' ')[0]}: {'accuracy' if kind == 'classification' else 'R²'} {scores[name]:.2f}")
        axes.set_xlabel("x1")
        axes.set_ylabel("y" if X.shape[1] == 1 else "x2")
    figure.savefig(path, dpi=80)
    print(f"wrote {path}: " + ", ".join(f"{name} {score:.2f}" for name, score in scores.items()))
    return scores


if __name__ == "__main__":
    main(*sys.argv[1:2])
