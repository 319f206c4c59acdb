"""nodenet's estimators against scikit-learn's MLP on the toy data sets and two real tabular sets.

Both get the same rows (a 70/30 split, seed 0), the same scaler, one hidden
layer of 16 tanh nodes, Adam with learning rate 0.01, mini-batches of 32 and
300 epochs without early stopping or penalty; scikit-learn's MLP uses its own
initialization.  One run, side by side; the table is printed in Markdown.

Run it with ``python benchmarks/estimators.py`` (needs scikit-learn).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nodenet import datasets
from nodenet.sklearn import NodenetClassifier, NodenetRegressor

EPOCHS, HIDDEN, LR, BATCH, SEED = 300, (16,), 0.01, 32, 0

SETS = {
    "xor (200 rows)": (lambda: datasets.xor(200, seed=SEED), "classification"),
    "circles (200)": (lambda: datasets.circles(200, seed=SEED), "classification"),
    "spiral (300)": (lambda: datasets.spiral(300, seed=SEED), "classification"),
    "gaussians, 3 classes (300)": (lambda: datasets.gaussians(300, classes=3, seed=SEED), "classification"),
    "sine (200)": (lambda: datasets.sine(200, seed=SEED), "regression"),
    "plane (200)": (lambda: datasets.plane(200, seed=SEED), "regression"),
    "wine (178 rows, 13 features)": (lambda: load_wine(return_X_y=True), "classification"),
    "diabetes (442 rows, 10 features)": (lambda: load_diabetes(return_X_y=True), "regression"),
}


def models(kind: str) -> dict[str, object]:
    common = {"hidden_layer_sizes": HIDDEN, "batch_size": BATCH, "random_state": SEED}
    mlp = {"activation": "tanh", "solver": "adam", "learning_rate_init": LR, "max_iter": EPOCHS, "alpha": 0.0,
           "tol": 0.0, "n_iter_no_change": EPOCHS + 1, "shuffle": True}
    ours = {"activation": "tanh", "optimizer": "adam", "lr": LR, "epochs": EPOCHS}
    if kind == "classification":
        return {"nodenet": NodenetClassifier(**common, **ours), "scikit-learn": MLPClassifier(**common, **mlp)}
    return {"nodenet": NodenetRegressor(**common, **ours), "scikit-learn": MLPRegressor(**common, **mlp)}


def main() -> list[tuple]:
    rows = []
    for name, (load, kind) in SETS.items():
        X, y = load()
        if kind == "regression" and name.startswith("diabetes"):
            y = (y - y.mean()) / y.std()  # a standardized target, for both
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=SEED)
        scores = {}
        for label, model in models(kind).items():
            pipeline = make_pipeline(StandardScaler(), model)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                pipeline.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            scores[label] = (pipeline.score(X_test, y_test), seconds)
        rows.append((name, "accuracy" if kind == "classification" else "R²", scores))
    print("| data set | score | nodenet | scikit-learn MLP | nodenet fit | scikit-learn fit |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, metric, scores in rows:
        (ours, ours_t), (theirs, theirs_t) = scores["nodenet"], scores["scikit-learn"]
        print(f"| {name} | test {metric} | {ours:.3f} | {theirs:.3f} | {ours_t:.2f} s | {theirs_t:.2f} s |")
    return rows


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
